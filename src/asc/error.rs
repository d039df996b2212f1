//! Errors of the App Store Connect client. A refusal keeps Apple's own
//! status, code, title and detail; a network failure says what was tried and
//! how often; a decode failure names the JSON path that did not fit.

use thiserror::Error;

/// Everything the App Store Connect client can fail with. No variant ever
/// holds a token, a key or a password.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum AscError {
    /// App Store Connect answered with an error status (after any retries).
    #[error("App Store Connect refused {request}: {}", refusal_line(*status, code, title, detail))]
    Refused {
        /// `GET /v1/apps` and the like (path only, never the query's secrets: there are none).
        request: String,
        /// The HTTP status.
        status: u16,
        /// Apple's error code, e.g. `NOT_AUTHORIZED`.
        code: Option<String>,
        /// Apple's error title.
        title: Option<String>,
        /// Apple's error detail, or the start of a body that was not Apple's error JSON.
        detail: Option<String>,
    },
    /// No usable answer: connection refused or reset, timeout, TLS failure.
    #[error("cannot reach {host} ({request}) after {attempts} attempt(s): {message}")]
    Network {
        /// The request.
        request: String,
        /// The host (and port) tried.
        host: String,
        /// How many attempts were made.
        attempts: u32,
        /// What went wrong on the last attempt.
        message: String,
        /// True when the last attempt ran out of time.
        timed_out: bool,
    },
    /// The answer was not the JSON expected.
    #[error("unexpected answer to {request}: at {path}: {message}")]
    Decode {
        /// The request.
        request: String,
        /// Where in the JSON document it failed (`data[3].attributes.rating`).
        path: String,
        /// What did not fit.
        message: String,
    },
    /// An answer's body is longer than ascvault reads
    /// ([`Settings::max_answer_bytes`](super::Settings::max_answer_bytes)):
    /// a server fault, like [`AscError::Decode`].
    #[error(
        "the answer to {request} is larger than {limit}, the most ascvault reads of one answer"
    )]
    TooLarge {
        /// The request.
        request: String,
        /// The limit, as people read it (`64 MiB`).
        limit: String,
    },
    /// Paging through `links.next` does not end: a page links back to one
    /// already fetched, an empty page links onward, or there are more pages
    /// than [`Settings::max_pages`](super::Settings::max_pages). A server fault.
    #[error("App Store Connect's pages of {request} do not end: {message}")]
    Paging {
        /// The first page's request.
        request: String,
        /// What gave it away (no server text).
        message: String,
    },
    /// The API key in the vault cannot sign tokens.
    #[error("the API key cannot be used: {0}")]
    Key(String),
    /// The base URL the user gave is not acceptable (not a URL, plain
    /// http to a host that is not loopback, a query or fragment), or a
    /// request URL built on it does not parse: a usage error.
    #[error("{0}")]
    BadBase(String),
    /// An id is not safe to put into a URL path (see
    /// [`path_id`](super::path_id())): the user typed it, or the server sent it.
    #[error("{0}")]
    BadId(String),
    /// App Store Connect sent a link that is not followed: to another
    /// origin (the token would go with it) or not a URL. A server fault,
    /// like [`AscError::Decode`].
    #[error("{0}")]
    BadLink(String),
    /// The HTTP client could not be set up (no TLS backend, a poisoned
    /// token cache).
    #[error("{0}")]
    Setup(String),
}

fn refusal_line(
    status: u16,
    code: &Option<String>,
    title: &Option<String>,
    detail: &Option<String>,
) -> String {
    let mut parts = vec![status.to_string()];
    parts.extend(code.iter().cloned());
    let mut line = parts.join(" ");
    let text: Vec<&str> = title
        .iter()
        .chain(detail.iter())
        .map(String::as_str)
        .filter(|s| !s.is_empty())
        .collect();
    if !text.is_empty() {
        line.push_str(": ");
        line.push_str(&text.join(" — "));
    }
    line
}

impl AscError {
    /// The HTTP status of a refusal.
    pub fn status(&self) -> Option<u16> {
        match self {
            AscError::Refused { status, .. } => Some(*status),
            _ => None,
        }
    }
}

/// Builds a refusal from a response body: Apple's `{"errors":[…]}` when it
/// is that, otherwise the start of the raw text.
pub fn refusal(request: String, status: u16, body: &[u8]) -> AscError {
    #[derive(serde::Deserialize)]
    struct Body {
        errors: Vec<Item>,
    }
    #[derive(serde::Deserialize)]
    struct Item {
        code: Option<String>,
        title: Option<String>,
        detail: Option<String>,
    }
    if let Ok(Body { errors }) = serde_json::from_slice::<Body>(body)
        && let Some(first) = errors.into_iter().next()
    {
        return AscError::Refused {
            request,
            status,
            code: first.code,
            title: first.title,
            detail: first.detail,
        };
    }
    let text = String::from_utf8_lossy(body);
    let text: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let detail = if text.is_empty() {
        None
    } else if text.chars().count() > 200 {
        Some(format!("{}…", text.chars().take(199).collect::<String>()))
    } else {
        Some(text)
    };
    AscError::Refused {
        request,
        status,
        code: None,
        title: None,
        detail,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apple_error_bodies_become_one_line() {
        let body = br#"{"errors":[{"id":"x","status":"401","code":"NOT_AUTHORIZED","title":"Authentication credentials are missing or invalid.","detail":"Provide a properly configured and signed bearer token, and make sure that it has not expired."}]}"#;
        let e = refusal("GET /v1/apps".into(), 401, body);
        assert_eq!(
            e.to_string(),
            "App Store Connect refused GET /v1/apps: 401 NOT_AUTHORIZED: Authentication credentials are missing or invalid. — Provide a properly configured and signed bearer token, and make sure that it has not expired."
        );
    }

    #[test]
    fn other_bodies_fall_back_to_raw_text() {
        let e = refusal("GET /v1/apps".into(), 502, b"<html>\n Bad   gateway</html>");
        assert_eq!(
            e.to_string(),
            "App Store Connect refused GET /v1/apps: 502: <html> Bad gateway</html>"
        );
        let e = refusal("GET /v1/apps".into(), 500, b"");
        assert_eq!(e.to_string(), "App Store Connect refused GET /v1/apps: 500");
    }
}
