//! The two requests `verify` makes, sent by `verify` itself rather than
//! through [`Transport`](crate::asc::Transport): it needs what the shared
//! client keeps to itself — the `Date` header of a 401 (to tell a clock far
//! off from a bad key), the body of a 403 (its `links.see`), and its own
//! `User-Agent` for the sign-in call. Same rules as the shared client: no
//! redirects, no proxy for plain http or loopback, a cap on the body,
//! timeouts, and retries on 429/5xx and failed connections (both requests
//! only read, so repeating them is safe).

use std::io::Read;
use std::time::{Duration, Instant, SystemTime};

use reqwest::header::{ACCEPT, DATE, RETRY_AFTER};
use reqwest::{Method, Url};

use crate::asc::AscError;
use crate::asc::transport::{Notice, Observer, Settings, chain, is_loopback};
use crate::secret::Secret;

/// One answer, whatever its status.
pub(super) struct Answer {
    /// The HTTP status.
    pub status: u16,
    /// The server's clock, from its `Date` header.
    pub date: Option<SystemTime>,
    /// The body (at most `max_answer_bytes`).
    pub body: Vec<u8>,
}

/// What to send.
pub(super) struct Request<'a> {
    pub method: Method,
    pub url: Url,
    pub user_agent: &'a str,
    pub bearer: Option<&'a Secret>,
    pub body: Option<&'a serde_json::Value>,
}

fn client(settings: &Settings, url: &Url, ua: &str) -> Result<reqwest::blocking::Client, AscError> {
    let mut builder = reqwest::blocking::Client::builder()
        .user_agent(ua)
        .timeout(settings.timeout)
        .connect_timeout(settings.connect_timeout)
        .redirect(reqwest::redirect::Policy::none());
    if url.scheme() != "https" || is_loopback(url) {
        builder = builder.no_proxy();
    }
    builder
        .build()
        .map_err(|e| AscError::Setup(format!("cannot set up HTTPS: {}", chain(&e))))
}

/// Sends `req`, retrying a failed connection or a 429/5xx answer; any
/// other answer is returned as it is.
pub(super) fn send(
    settings: &Settings,
    observer: Option<&Observer>,
    req: Request<'_>,
) -> Result<Answer, AscError> {
    let what = format!("{} {}", req.method, req.url.path());
    let host = match req.url.port() {
        Some(p) => format!("{}:{p}", req.url.host_str().unwrap_or("")),
        None => req.url.host_str().unwrap_or("").to_owned(),
    };
    let http = client(settings, &req.url, req.user_agent)?;
    let notify = |n: Notice| {
        if let Some(o) = observer {
            o(&n);
        }
    };
    let mut attempts = 0u32;
    loop {
        attempts += 1;
        let mut b = http
            .request(req.method.clone(), req.url.clone())
            .header(ACCEPT, "application/json");
        if let Some(t) = req.bearer {
            b = b.bearer_auth(t.expose());
        }
        if let Some(body) = req.body {
            b = b.json(body);
        }
        let start = Instant::now();
        let retry = attempts <= settings.max_retries;
        let delay = settings.backoff().delay(attempts - 1);
        let resp = match b.send() {
            Ok(r) => r,
            Err(e) if retry && e.is_connect() => {
                notify(Notice::Retry {
                    request: what.clone(),
                    why: chain(&e),
                    delay,
                });
                std::thread::sleep(delay);
                continue;
            }
            Err(e) => {
                return Err(AscError::Network {
                    request: what,
                    host,
                    attempts,
                    timed_out: e.is_timeout(),
                    message: chain(&e),
                });
            }
        };
        let status = resp.status().as_u16();
        notify(Notice::Done {
            request: what.clone(),
            status,
            elapsed: start.elapsed(),
        });
        if retry && matches!(status, 429 | 500 | 502 | 503 | 504) {
            let delay = resp
                .headers()
                .get(RETRY_AFTER)
                .and_then(|v| v.to_str().ok()?.trim().parse::<u64>().ok())
                .map(|s| Duration::from_secs(s).min(settings.retry_cap))
                .unwrap_or(delay);
            notify(Notice::Retry {
                request: what.clone(),
                why: format!("status {status}"),
                delay,
            });
            std::thread::sleep(delay);
            continue;
        }
        let date = resp
            .headers()
            .get(DATE)
            .and_then(|v| httpdate::parse_http_date(v.to_str().ok()?).ok());
        let limit = settings.max_answer_bytes;
        let mut body = Vec::new();
        resp.take(limit.saturating_add(1))
            .read_to_end(&mut body)
            .map_err(|e| AscError::Network {
                request: what.clone(),
                host: host.clone(),
                attempts,
                timed_out: e.kind() == std::io::ErrorKind::TimedOut,
                message: e.to_string(),
            })?;
        if body.len() as u64 > limit {
            return Err(AscError::TooLarge {
                request: what,
                limit: crate::asc::transport::human_bytes(limit),
            });
        }
        return Ok(Answer { status, date, body });
    }
}
