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
    #[error("App Store Connect refused {request}: {}{}", refusal_line(*status, code, title, detail), more.suffix(detail.as_deref()))]
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
        /// What else Apple said: `links.see`, `source.parameter`,
        /// `meta.associatedErrors` (boxed: most refusals have none, and
        /// every `Result` carrying an `AscError` stays small).
        more: Box<Details>,
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

/// What else Apple said about a refusal, beyond the first error's code,
/// title and detail. All of it is server text: the CLI sanitizes it when
/// printed, and it is capped here (`MAX_TEXT` characters a field,
/// `MAX_ASSOCIATED` associated errors).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Details {
    /// `links.see` (or the OpenAPI's `links.about`): where Apple points for
    /// more, e.g. `/agreements`.
    pub see: Option<String>,
    /// `source.parameter`: the query parameter a 400 is about.
    pub parameter: Option<String>,
    /// `meta.associatedErrors`, flattened, at most `MAX_ASSOCIATED`.
    pub associated: Vec<Associated>,
    /// Associated errors beyond those kept.
    pub more_associated: usize,
    /// Errors in the body after the first one.
    pub more_errors: usize,
}

/// One of `meta.associatedErrors`: an error of another resource that is
/// the reason for this one (a 409 `STATE_ERROR` lists what to fix).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Associated {
    /// The resource it is about (the key: `/v1/appStoreVersionLocalizations/…`).
    pub resource: String,
    /// Its code, e.g. `ENTITY_ERROR.ATTRIBUTE.REQUIRED`.
    pub code: Option<String>,
    /// Its detail, else its title.
    pub text: Option<String>,
}

/// The most associated errors kept of one refusal; the rest are counted.
pub const MAX_ASSOCIATED: usize = 5;

/// The most characters kept of any one text of an error body.
pub const MAX_TEXT: usize = 300;

impl Details {
    /// What the one-line message adds after Apple's detail.
    fn suffix(&self, detail: Option<&str>) -> String {
        let mut out = String::new();
        if let Some(p) = &self.parameter
            && !detail.is_some_and(|d| d.contains(p.as_str()))
        {
            out.push_str(&format!(" (parameter {p})"));
        }
        if let Some(see) = &self.see {
            out.push_str(&format!(" (see {see})"));
        }
        if self.more_errors > 0 {
            out.push_str(&format!(" (and {} more error(s))", self.more_errors));
        }
        if !self.associated.is_empty() {
            let items: Vec<String> = self
                .associated
                .iter()
                .map(|a| {
                    let mut parts = vec![a.resource.clone()];
                    parts.extend(a.code.iter().cloned());
                    parts.extend(a.text.iter().cloned());
                    parts.join(": ")
                })
                .collect();
            out.push_str(&format!("; associated errors: {}", items.join("; ")));
            if self.more_associated > 0 {
                out.push_str(&format!("; and {} more", self.more_associated));
            }
        }
        out
    }
}

/// Why App Store Connect answered 403: the cases call for different advice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Forbidden {
    /// A required agreement is missing or has expired
    /// (`FORBIDDEN.REQUIRED_AGREEMENTS_MISSING_OR_EXPIRED`, `links.see`
    /// `/agreements`): the Account Holder must accept it; no key works until
    /// then, whatever its role.
    Agreement,
    /// The key's role does not allow this (`FORBIDDEN_ERROR`, or no code).
    Role,
    /// Another code: Apple's title and detail say what.
    Other,
}

impl AscError {
    /// The HTTP status of a refusal.
    pub fn status(&self) -> Option<u16> {
        match self {
            AscError::Refused { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// For a 403, why: read from Apple's `code`, `links.see` and text.
    pub fn forbidden(&self) -> Option<Forbidden> {
        let AscError::Refused {
            status: 403,
            code,
            title,
            detail,
            more,
            ..
        } = self
        else {
            return None;
        };
        let code = code.as_deref().unwrap_or("");
        let see_agreements = more.see.as_deref().is_some_and(|s| {
            s.trim_end_matches(['/', '#'])
                .rsplit('/')
                .next()
                .is_some_and(|last| last.eq_ignore_ascii_case("agreements"))
        });
        // Before the coded form, Apple sent `FORBIDDEN` with a detail
        // naming the Program License Agreement.
        let text_agreement = [title, detail]
            .into_iter()
            .flatten()
            .any(|t| t.to_ascii_lowercase().contains("agreement"));
        if code.starts_with("FORBIDDEN.REQUIRED_AGREEMENT") || see_agreements || text_agreement {
            Some(Forbidden::Agreement)
        } else if code.is_empty() || code == "FORBIDDEN_ERROR" {
            Some(Forbidden::Role)
        } else {
            Some(Forbidden::Other)
        }
    }

    /// For a 404, the type of resource App Store Connect did not find
    /// (`customerReviews`, `builds`, `apps`…): from Apple's detail ("There
    /// is no resource of type 'builds' with id '…'"), else from the
    /// request's path (the resource whose id follows `/v1/`).
    pub fn missing_kind(&self) -> Option<String> {
        let AscError::Refused {
            status: 404,
            request,
            detail,
            ..
        } = self
        else {
            return None;
        };
        let plausible = |k: &str| {
            !k.is_empty() && k.len() <= 64 && k.bytes().all(|b| b.is_ascii_alphanumeric())
        };
        if let Some(kind) = detail
            .as_deref()
            .and_then(|d| d.split_once("resource of type '"))
            .and_then(|(_, rest)| rest.split_once('\''))
            .map(|(kind, _)| kind)
            .filter(|k| plausible(k))
        {
            return Some(kind.to_owned());
        }
        let path = request.split_once(' ').map_or(request.as_str(), |(_, p)| p);
        let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        let version = segments.iter().position(|s| {
            s.len() >= 2 && s.starts_with('v') && s[1..].bytes().all(|b| b.is_ascii_digit())
        })?;
        match segments.get(version + 1..version + 3) {
            Some([kind, _id]) if plausible(kind) => Some((*kind).to_owned()),
            _ => None,
        }
    }
}

/// Text of an error body: a string, capped at [`MAX_TEXT`] characters.
fn text(v: &serde_json::Value) -> Option<String> {
    let s = v.as_str()?;
    Some(if s.chars().count() > MAX_TEXT {
        format!("{}…", s.chars().take(MAX_TEXT - 1).collect::<String>())
    } else {
        s.to_owned()
    })
}

/// `meta.associatedErrors`: `{resource: [error, …], …}`, flattened in
/// Apple's order, the first [`MAX_ASSOCIATED`] kept and the rest counted.
fn associated(meta: &serde_json::Value, details: &mut Details) {
    let Some(map) = meta.get("associatedErrors").and_then(|m| m.as_object()) else {
        return;
    };
    for (resource, errors) in map {
        let errors: Vec<&serde_json::Value> = match errors {
            serde_json::Value::Array(items) => items.iter().collect(),
            one @ serde_json::Value::Object(_) => vec![one],
            _ => continue,
        };
        for e in errors {
            if details.associated.len() >= MAX_ASSOCIATED {
                details.more_associated += 1;
                continue;
            }
            details.associated.push(Associated {
                resource: text(&serde_json::Value::String(resource.clone())).unwrap_or_default(),
                code: text(&e["code"]),
                text: text(&e["detail"]).or_else(|| text(&e["title"])),
            });
        }
    }
}

/// Builds a refusal from a response body: Apple's `{"errors":[…]}` when it
/// is that (the first error's code, title and detail, and the
/// [`Details`]), otherwise the start of the raw text.
pub fn refusal(request: String, status: u16, body: &[u8]) -> AscError {
    if let Ok(doc) = serde_json::from_slice::<serde_json::Value>(body)
        && let Some(errors) = doc.get("errors").and_then(|e| e.as_array())
        && let Some(first) = errors.first().filter(|f| f.is_object())
    {
        let links = &first["links"];
        let mut more = Box::new(Details {
            see: text(&links["see"]).or_else(|| text(&links["about"])),
            parameter: text(&first["source"]["parameter"]),
            more_errors: errors.len() - 1,
            ..Details::default()
        });
        associated(&first["meta"], &mut more);
        return AscError::Refused {
            request,
            status,
            code: text(&first["code"]),
            title: text(&first["title"]),
            detail: text(&first["detail"]),
            more,
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
        more: Box::default(),
    }
}

#[cfg(test)]
mod tests;
