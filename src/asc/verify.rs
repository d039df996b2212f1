//! Asking Apple whether a stored credential still works, without changing
//! anything at Apple.
//!
//! - An API key: one authenticated `GET /v1/apps?limit=1`. A 401 does not
//!   prove revocation: a wrong key id or issuer id gets the same
//!   `NOT_AUTHORIZED`, so it is [`Verdict::NotAccepted`] — unless the
//!   answer's `Date` shows that Apple's clock puts our token's `iat` in the
//!   future or its `exp` in the past ([`Verdict::ClockOff`]). A 403 means
//!   the token was accepted: the key works, and the 403's code says what
//!   stands in the way (a role, or agreements to accept).
//! - An app-specific password: the sign-in call Apple's upload tools make, a
//!   JSON-RPC 2.0 `POST {base}/WebObjects/MZLabelService.woa/json/MZITunesSoftwareService`
//!   with method `authenticateForSession` and params `Username`/`Password`.
//!   Apple answers HTTP 200 either way. Valid if and only if the reply has a
//!   `SessionId` (the public clients of this call never read `Success` for
//!   it); rejected only for the codes known to mean a wrong or revoked
//!   password ([`CREDENTIAL_CODES`]); anything else says nothing about the
//!   password ([`Verdict::Unreachable`]).

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use reqwest::{Method, Url};
use serde::{Deserialize, Serialize};

use super::client::join;
use super::token::ApiKey;
use super::transport::{Observer, Settings};
use crate::secret::Secret;

mod http;

/// Apple's content-delivery host (used by altool, Transporter, notarytool).
pub const DEFAULT_CONTENT_DELIVERY_BASE: &str = "https://contentdelivery.itunes.apple.com";
/// Environment variable overriding [`DEFAULT_CONTENT_DELIVERY_BASE`].
pub const CONTENT_DELIVERY_ENV: &str = "ASCVAULT_CONTENT_DELIVERY_BASE";
/// The JSON-RPC endpoint, relative to the content-delivery base.
pub const SIGN_IN_PATH: &str = "/WebObjects/MZLabelService.woa/json/MZITunesSoftwareService";
/// The sign-in codes that mean this password does not work: −20101 (wrong
/// or revoked), −22938 and −22910 (the account password given instead of an
/// app-specific one). Others (−22014, −22020: the account cannot have a
/// session) say nothing about the password.
pub const CREDENTIAL_CODES: [i64; 3] = [-20101, -22938, -22910];
/// The `User-Agent` of the sign-in call: the kind the upload tools' public
/// clients send (whether Apple looks at it is unverified), then ours.
pub fn sign_in_user_agent() -> String {
    format!(
        "iTMSTransporter/2.0.0 ascvault/{}",
        env!("CARGO_PKG_VERSION")
    )
}
/// Apple's 403 code for agreements that must be accepted first.
pub const AGREEMENTS_CODE: &str = "FORBIDDEN.REQUIRED_AGREEMENTS_MISSING_OR_EXPIRED";
/// How far ahead of Apple's clock a token's `iat` may be before we blame
/// the clock (Apple's own tolerance is unknown; `Date` has whole seconds).
pub const CLOCK_SLACK_SECS: i64 = 60;

/// What Apple said about one credential.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum Verdict {
    /// Apple accepted it.
    Valid {
        /// Anything worth knowing (e.g. a 403: the key works, but its role
        /// cannot list apps, or agreements must be accepted).
        detail: Option<String>,
    },
    /// Apple refused it with a code that means this credential does not
    /// work (an app-specific password's −20101, −22938, −22910).
    Rejected {
        /// Apple's code (`-20101`).
        code: Option<String>,
        /// Apple's message.
        message: String,
    },
    /// An API key's 401: a wrong key id or issuer id, or a key revoked at
    /// Apple — the answer cannot tell which.
    NotAccepted {
        /// Apple's code (`NOT_AUTHORIZED`).
        code: Option<String>,
        /// Apple's title and detail.
        message: String,
    },
    /// An API key's 401 with a `Date` that puts our token outside its
    /// validity by Apple's clock: the local clock is off.
    ClockOff {
        /// Local clock minus Apple's, in seconds.
        offset_seconds: i64,
        /// What to do.
        message: String,
    },
    /// No answer that says either.
    Unreachable {
        /// Apple's code, when it sent one (a sign-in code that is not about
        /// the password).
        code: Option<String>,
        /// What went wrong.
        message: String,
    },
}

impl Verdict {
    /// `valid`, `rejected`, `not_accepted`, `clock_off` or `unreachable`.
    pub fn name(&self) -> &'static str {
        match self {
            Verdict::Valid { .. } => "valid",
            Verdict::Rejected { .. } => "rejected",
            Verdict::NotAccepted { .. } => "not_accepted",
            Verdict::ClockOff { .. } => "clock_off",
            Verdict::Unreachable { .. } => "unreachable",
        }
    }

    fn unreachable(message: impl Into<String>) -> Verdict {
        Verdict::Unreachable {
            code: None,
            message: message.into(),
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
            Verdict::NotAccepted { code, message } => {
                f.write_str("wrong key id or issuer id, or revoked at Apple")?;
                match (code, message.is_empty()) {
                    (Some(code), false) => write!(f, " ({code}: {message})"),
                    (Some(code), true) => write!(f, " ({code})"),
                    (None, false) => write!(f, " ({message})"),
                    (None, true) => Ok(()),
                }
            }
            Verdict::Rejected {
                code: Some(code),
                message,
            }
            | Verdict::Unreachable {
                code: Some(code),
                message,
            } => write!(f, "{code}: {message}"),
            Verdict::Rejected {
                code: None,
                message,
            }
            | Verdict::ClockOff { message, .. }
            | Verdict::Unreachable {
                code: None,
                message,
            } => f.write_str(message),
        }
    }
}

/// The first of Apple's `errors`: code, title and detail, `links.see`.
#[derive(Default, Deserialize)]
struct ApiError {
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    detail: Option<String>,
    #[serde(default)]
    links: Option<ApiLinks>,
}

#[derive(Default, Deserialize)]
struct ApiLinks {
    #[serde(default)]
    see: Option<String>,
}

fn first_error(body: &[u8]) -> ApiError {
    #[derive(Deserialize)]
    struct Body {
        errors: Vec<ApiError>,
    }
    serde_json::from_slice::<Body>(body)
        .ok()
        .and_then(|b| b.errors.into_iter().next())
        .unwrap_or_default()
}

fn unix(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_secs() as i64,
        Err(e) => -(e.duration().as_secs() as i64),
    }
}

/// "3 h 5 min", "12 min", "40 s".
fn span(secs: i64) -> String {
    let s = secs.unsigned_abs();
    match s {
        0..=119 => format!("{s} s"),
        120..=3599 => format!("{} min", s / 60),
        _ if s % 3600 / 60 == 0 => format!("{} h", s / 3600),
        _ => format!("{} h {} min", s / 3600, s % 3600 / 60),
    }
}

/// A 401 read with Apple's clock: [`Verdict::ClockOff`] when, by the
/// answer's `Date`, our token was issued in the future or had expired.
fn not_accepted(err: ApiError, issued_at: i64, expires_at: i64, apple_now: Option<i64>) -> Verdict {
    if let Some(apple) = apple_now {
        let offset = issued_at - apple;
        if issued_at > apple + CLOCK_SLACK_SECS || expires_at <= apple {
            let side = if offset > 0 { "ahead of" } else { "behind" };
            return Verdict::ClockOff {
                offset_seconds: offset,
                message: format!(
                    "this computer's clock is {} {side} Apple's (by the Date of its 401), so \
                     Apple sees a token {}; set the clock and verify again",
                    span(offset),
                    if offset > 0 {
                        "issued in the future"
                    } else {
                        "that has expired"
                    },
                ),
            };
        }
    }
    Verdict::NotAccepted {
        code: err.code,
        message: [err.title, err.detail]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" — "),
    }
}

/// A 403 on `GET /v1/apps`: the token was accepted, so the key works; the
/// code says what stands in the way.
fn forbidden(err: ApiError) -> Verdict {
    let detail = if err.code.as_deref() == Some(AGREEMENTS_CODE) {
        let mut d = format!(
            "the key works, but Apple answers nothing until the account holder accepts the \
             latest agreements in App Store Connect ({AGREEMENTS_CODE})"
        );
        if let Some(see) = err.links.and_then(|l| l.see) {
            d.push_str(": see ");
            d.push_str(&see);
        }
        d
    } else {
        match err.code {
            Some(code) if code != "FORBIDDEN_ERROR" => {
                format!("authenticated, but Apple refused the request (403 {code})")
            }
            _ => "authenticated, but the key's role may not list apps (403)".into(),
        }
    };
    Verdict::Valid {
        detail: Some(detail),
    }
}

/// Checks an API key with one `GET /v1/apps?limit=1` at `base`.
pub fn api_key(
    base: &Url,
    key: &ApiKey,
    settings: &Settings,
    observer: Option<&Observer>,
) -> Verdict {
    let url = match join(base, "/v1/apps?limit=1&fields[apps]=bundleId") {
        Ok(u) => u,
        Err(e) => return Verdict::unreachable(e.to_string()),
    };
    let token = key.mint_at(unix(SystemTime::now()), settings.token_lifetime);
    let sent = http::send(
        settings,
        observer,
        http::Request {
            method: Method::GET,
            url,
            user_agent: &super::transport::user_agent(),
            bearer: Some(&token.jwt),
            body: None,
        },
    );
    let answer = match sent {
        Ok(a) => a,
        Err(e) => return Verdict::unreachable(e.to_string()),
    };
    match answer.status {
        200..=299 => Verdict::Valid { detail: None },
        401 => not_accepted(
            first_error(&answer.body),
            token.issued_at,
            token.expires_at,
            answer.date.map(unix),
        ),
        403 => forbidden(first_error(&answer.body)),
        status => Verdict::unreachable(
            super::error::refusal("GET /v1/apps".into(), status, &answer.body).to_string(),
        ),
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

/// True for a code in [`CREDENTIAL_CODES`] (sent as a number or a string).
fn is_credential_code(code: Option<&str>) -> bool {
    code.and_then(|c| c.trim().parse::<i64>().ok())
        .is_some_and(|c| CREDENTIAL_CODES.contains(&c))
}

/// A refusal with this code and message: rejected for a credential code,
/// otherwise not about the password.
fn refused(code: Option<String>, message: String) -> Verdict {
    if is_credential_code(code.as_deref()) {
        Verdict::Rejected { code, message }
    } else {
        Verdict::Unreachable {
            code,
            message: format!("the sign-in service could not check it: {message}"),
        }
    }
}

/// What a sign-in reply says about the password.
fn sign_in_verdict(parsed: RpcReply) -> Verdict {
    if let Some(RpcResult {
        session_id: Some(id),
        ..
    }) = &parsed.result
        && !id.is_null()
        && id.as_str() != Some("")
    {
        return Verdict::Valid { detail: None };
    }
    if let Some(err) = parsed.error {
        return refused(
            code_text(err.code),
            err.message.unwrap_or_else(|| "JSON-RPC error".into()),
        );
    }
    match parsed.result {
        Some(r) if r.error_code.is_some() || r.error_message.is_some() => refused(
            code_text(r.error_code),
            r.error_message.unwrap_or_else(|| "sign-in refused".into()),
        ),
        _ => Verdict::unreachable("the sign-in service answered without a session or a reason"),
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
    settings: &Settings,
    observer: Option<&Observer>,
    content_delivery_base: &Url,
    apple_id: &str,
    password: &Secret,
) -> Verdict {
    let url = match join(content_delivery_base, SIGN_IN_PATH) {
        Ok(u) => u,
        Err(e) => return Verdict::unreachable(e.to_string()),
    };
    let mut body = sign_in_body(apple_id, password);
    // The call writes nothing at Apple, so it is safe to repeat.
    let sent = http::send(
        settings,
        observer,
        http::Request {
            method: Method::POST,
            url,
            user_agent: &sign_in_user_agent(),
            bearer: None,
            body: Some(&body),
        },
    );
    // Wipe our copy of the password (reqwest's serialized copy is beyond reach).
    if let Some(serde_json::Value::String(p)) =
        body.get_mut("params").and_then(|p| p.get_mut("Password"))
    {
        zeroize::Zeroize::zeroize(p);
    }
    drop(body);
    let reply = match sent {
        Ok(r) if (200..300).contains(&r.status) => r,
        Ok(r) => {
            return Verdict::unreachable(
                super::error::refusal(format!("POST {SIGN_IN_PATH}"), r.status, &r.body)
                    .to_string(),
            );
        }
        Err(e) => return Verdict::unreachable(e.to_string()),
    };
    match super::client::decode(&format!("POST {SIGN_IN_PATH}"), &reply.body) {
        Ok(parsed) => sign_in_verdict(parsed),
        Err(e) => Verdict::unreachable(e.to_string()),
    }
}

#[cfg(test)]
mod tests;
