//! Asking Apple whether a stored credential still works, without changing
//! anything at Apple.
//!
//! - An API key: one authenticated `GET /v1/apps?limit=1`.
//! - An app-specific password: the sign-in call Apple's upload tools make, a
//!   JSON-RPC 2.0 `POST {base}/WebObjects/MZLabelService.woa/json/MZITunesSoftwareService`
//!   with method `authenticateForSession` and params `Username`/`Password`.
//!   Apple answers HTTP 200 either way: `result.Success` says which, and a
//!   refusal carries `ErrorCode`/`ErrorMessage` (−20101: wrong or revoked
//!   password; −22938 or −22910: the account password was given instead of
//!   an app-specific one).

use std::fmt;

use reqwest::Method;
use reqwest::Url;
use serde::{Deserialize, Serialize};

use super::client::{Client, Transport, join};
use super::error::AscError;
use crate::secret::Secret;

/// Apple's content-delivery host (used by altool, Transporter, notarytool).
pub const DEFAULT_CONTENT_DELIVERY_BASE: &str = "https://contentdelivery.itunes.apple.com";
/// Environment variable overriding [`DEFAULT_CONTENT_DELIVERY_BASE`].
pub const CONTENT_DELIVERY_ENV: &str = "ASCVAULT_CONTENT_DELIVERY_BASE";
/// The JSON-RPC endpoint, relative to the content-delivery base.
pub const SIGN_IN_PATH: &str = "/WebObjects/MZLabelService.woa/json/MZITunesSoftwareService";

/// What Apple said about one credential.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(tag = "result", rename_all = "lowercase")]
pub enum Verdict {
    /// Apple accepted it.
    Valid {
        /// Anything worth knowing (e.g. a 403: authenticated, but the key's
        /// role cannot list apps).
        detail: Option<String>,
    },
    /// Apple refused it.
    Rejected {
        /// Apple's code (`NOT_AUTHORIZED`, `-20101`).
        code: Option<String>,
        /// Apple's message.
        message: String,
    },
    /// No answer that says either.
    Unreachable {
        /// What went wrong.
        message: String,
    },
}

impl Verdict {
    /// `valid`, `rejected` or `unreachable`.
    pub fn name(&self) -> &'static str {
        match self {
            Verdict::Valid { .. } => "valid",
            Verdict::Rejected { .. } => "rejected",
            Verdict::Unreachable { .. } => "unreachable",
        }
    }
}

/// What Apple said, in one line: the detail of an acceptance (often
/// nothing), `CODE: message` for a refusal, what went wrong when there was no
/// answer. The verdict's own name is [`Verdict::name`].
impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Verdict::Valid { detail } => f.write_str(detail.as_deref().unwrap_or_default()),
            Verdict::Rejected {
                code: Some(code),
                message,
            } => write!(f, "{code}: {message}"),
            Verdict::Rejected {
                code: None,
                message,
            }
            | Verdict::Unreachable { message } => f.write_str(message),
        }
    }
}

/// Checks an API key with `GET /v1/apps?limit=1`.
pub fn api_key(client: &Client) -> Verdict {
    match client.get::<serde_json::Value>("/v1/apps?limit=1&fields[apps]=bundleId") {
        Ok(_) => Verdict::Valid { detail: None },
        Err(AscError::Refused {
            status: 401,
            code,
            title,
            detail,
            ..
        }) => Verdict::Rejected {
            code,
            message: [title, detail]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" — "),
        },
        Err(AscError::Refused { status: 403, .. }) => Verdict::Valid {
            detail: Some("authenticated, but the key's role may not list apps (403)".into()),
        },
        Err(e) => Verdict::Unreachable {
            message: e.to_string(),
        },
    }
}

#[derive(Deserialize)]
struct RpcReply {
    #[serde(default)]
    result: Option<RpcResult>,
    #[serde(default)]
    error: Option<RpcError>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RpcResult {
    #[serde(default)]
    success: Option<bool>,
    #[serde(default)]
    error_code: Option<serde_json::Value>,
    #[serde(default)]
    error_message: Option<String>,
    #[serde(default)]
    session_id: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct RpcError {
    #[serde(default)]
    code: Option<serde_json::Value>,
    #[serde(default)]
    message: Option<String>,
}

fn code_text(v: Option<serde_json::Value>) -> Option<String> {
    match v? {
        serde_json::Value::String(s) => Some(s),
        serde_json::Value::Null => None,
        other => Some(other.to_string()),
    }
}

/// The JSON-RPC request body. Built here so the password is written into
/// the body once and nowhere else.
fn sign_in_body(apple_id: &str, password: &Secret) -> serde_json::Value {
    serde_json::json!({
        "jsonrpc": "2.0",
        "id": uuid::Uuid::new_v4().to_string(),
        "method": "authenticateForSession",
        "params": { "Username": apple_id, "Password": password.expose() }
    })
}

/// Checks an app-specific password with one `authenticateForSession` call.
pub fn app_password(
    transport: &Transport,
    content_delivery_base: &Url,
    apple_id: &str,
    password: &Secret,
) -> Verdict {
    let url = match join(content_delivery_base, SIGN_IN_PATH) {
        Ok(u) => u,
        Err(e) => {
            return Verdict::Unreachable {
                message: e.to_string(),
            };
        }
    };
    let mut body = sign_in_body(apple_id, password);
    // The call writes nothing at Apple, so it is safe to repeat.
    let sent = transport.execute(Method::POST, url, Some(&body), true, None);
    // Wipe our copy of the password (reqwest's serialized copy is beyond reach).
    if let Some(serde_json::Value::String(p)) =
        body.get_mut("params").and_then(|p| p.get_mut("Password"))
    {
        zeroize::Zeroize::zeroize(p);
    }
    drop(body);
    let reply = match sent {
        Ok(r) => r,
        Err(e) => {
            return Verdict::Unreachable {
                message: e.to_string(),
            };
        }
    };
    let parsed: RpcReply = match super::client::decode(&format!("POST {SIGN_IN_PATH}"), &reply.body)
    {
        Ok(p) => p,
        Err(e) => {
            return Verdict::Unreachable {
                message: e.to_string(),
            };
        }
    };
    if let Some(err) = parsed.error {
        return Verdict::Rejected {
            code: code_text(err.code),
            message: err.message.unwrap_or_else(|| "JSON-RPC error".into()),
        };
    }
    match parsed.result {
        Some(RpcResult {
            success: Some(true),
            session_id: Some(_),
            ..
        }) => Verdict::Valid { detail: None },
        Some(RpcResult {
            success: Some(false),
            error_code,
            error_message,
            ..
        }) => Verdict::Rejected {
            code: code_text(error_code),
            message: error_message.unwrap_or_else(|| "sign-in refused".into()),
        },
        _ => Verdict::Unreachable {
            message: "the sign-in service answered without a result".into(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_verdict_reads_as_one_line() {
        let line = |v: Verdict| v.to_string();
        assert_eq!(line(Verdict::Valid { detail: None }), "");
        assert_eq!(
            line(Verdict::Valid {
                detail: Some("authenticated".into())
            }),
            "authenticated"
        );
        assert_eq!(
            line(Verdict::Rejected {
                code: Some("-20101".into()),
                message: "wrong password".into()
            }),
            "-20101: wrong password"
        );
        assert_eq!(
            line(Verdict::Rejected {
                code: None,
                message: "sign-in refused".into()
            }),
            "sign-in refused"
        );
        assert_eq!(
            line(Verdict::Unreachable {
                message: "timed out".into()
            }),
            "timed out"
        );
    }
}
