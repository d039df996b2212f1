//! HTTP without authentication of its own: a blocking reqwest client with
//! rustls, a user agent naming ascvault, connect and request timeouts,
//! retries of idempotent requests, and of any request answered 429, with
//! [`Backoff`] (honouring `Retry-After`), `X-Rate-Limit` parsing and notices. [`super::client`]
//! adds the token, the base URL and paging.
//!
//! Two defences against the server or the environment: every answer body is
//! read with a cap ([`Settings::max_answer_bytes`]), so a hostile server
//! cannot make ascvault hold gigabytes; and a proxy from the environment
//! (`HTTPS_PROXY`, `ALL_PROXY`, with `NO_PROXY`) is used only for `https` to
//! a host that is not loopback, never `HTTP_PROXY`. Plain http is allowed
//! only to loopback, and a proxy there would carry the token or password in
//! clear text off the machine (or to whoever listens on the proxy's port).

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use reqwest::Method;
use reqwest::StatusCode;
use reqwest::Url;
use reqwest::header::{ACCEPT, HeaderMap, RETRY_AFTER};

use self::http::{Trouble, build_http, read_capped};
use super::backoff::Backoff;
use super::error::{AscError, refusal};
use super::token::DEFAULT_LIFETIME;
use crate::secret::Secret;

/// How the client behaves on the wire.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Whole-request timeout (connect, send, read the answer).
    pub timeout: Duration,
    /// Connect timeout.
    pub connect_timeout: Duration,
    /// Retries after the first attempt, for idempotent requests (and for
    /// any request answered 429).
    pub max_retries: u32,
    /// Delay before the first retry; doubles each time, with jitter.
    pub retry_base: Duration,
    /// Longest wait between attempts, `Retry-After` included.
    pub retry_cap: Duration,
    /// Lifetime of each token (capped at Apple's 20 minutes).
    pub token_lifetime: Duration,
    /// The most bytes read of one answer's body ([`MAX_ANSWER_BYTES`]).
    pub max_answer_bytes: u64,
    /// The most pages one listing follows through `links.next`
    /// ([`MAX_PAGES`]).
    pub max_pages: u32,
}

/// The most bytes ascvault reads of one answer: 64 MiB. A page of 200
/// reviews is about half a megabyte, a gzip sales report a few megabytes;
/// more is a server fault, not data.
pub const MAX_ANSWER_BYTES: u64 = 64 << 20;

/// The most pages a listing follows: 10,000 (two million items at 200 a
/// page). Endless paging is a server fault.
pub const MAX_PAGES: u32 = 10_000;

/// A size in bytes as people read it: `64 MiB`, `1 GiB`, `1000 bytes`.
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [(u64, &str); 3] = [(1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")];
    for (unit, name) in UNITS {
        if bytes >= unit && bytes.is_multiple_of(unit) {
            return format!("{} {name}", bytes / unit);
        }
    }
    format!("{bytes} bytes")
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            max_retries: 3,
            retry_base: Duration::from_millis(500),
            retry_cap: Duration::from_secs(60),
            token_lifetime: DEFAULT_LIFETIME,
            max_answer_bytes: MAX_ANSWER_BYTES,
            max_pages: MAX_PAGES,
        }
    }
}

impl Settings {
    /// The waits between attempts these settings ask for.
    pub fn backoff(&self) -> Backoff {
        Backoff {
            base: self.retry_base,
            cap: self.retry_cap,
        }
    }

    /// Defaults with this request timeout.
    pub fn with_timeout(timeout: Duration) -> Settings {
        Settings {
            timeout,
            connect_timeout: timeout.min(Duration::from_secs(10)),
            ..Settings::default()
        }
    }
}

/// What `X-Rate-Limit` said: `user-hour-lim:3600;user-hour-rem:3599;`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimit {
    /// Requests allowed per hour.
    pub limit: u64,
    /// Requests left this hour.
    pub remaining: u64,
}

impl RateLimit {
    /// Parses the header value; `None` when it lacks either number.
    pub fn parse(value: &str) -> Option<RateLimit> {
        let (mut limit, mut remaining) = (None, None);
        for part in value.split(';') {
            let Some((k, v)) = part.split_once(':') else {
                continue;
            };
            match k.trim() {
                "user-hour-lim" => limit = v.trim().parse().ok(),
                "user-hour-rem" => remaining = v.trim().parse().ok(),
                _ => {}
            }
        }
        Some(RateLimit {
            limit: limit?,
            remaining: remaining?,
        })
    }

    /// True when under 5 % of the hourly allowance remains.
    pub fn is_low(&self) -> bool {
        self.remaining.saturating_mul(20) < self.limit
    }
}

/// Something the caller may want to tell the user about.
#[derive(Clone, Debug)]
pub enum Notice {
    /// A request finished (any status).
    Done {
        /// `GET /v1/apps`.
        request: String,
        /// The status.
        status: u16,
        /// How long it took.
        elapsed: Duration,
    },
    /// A request will be tried again.
    Retry {
        /// `GET /v1/apps`.
        request: String,
        /// Why (status or error).
        why: String,
        /// The wait before the next attempt.
        delay: Duration,
    },
    /// The rate limit as last reported.
    RateLimit(RateLimit),
    /// Under 5 % of the hourly allowance left (reported once per process).
    LowRateLimit(RateLimit),
    /// The token was renewed after Apple refused it.
    Renewed,
}

/// Receives notices.
pub type Observer = Box<dyn Fn(&Notice) + Send + Sync>;

/// The answer to a request that succeeded.
#[derive(Debug)]
pub struct Reply {
    /// The status (2xx).
    pub status: u16,
    /// The body.
    pub body: Vec<u8>,
}

/// HTTP with timeouts, retries and notices, but no authentication of its
/// own: used directly for the content-delivery sign-in check, and by
/// [`Client`](super::Client) with a bearer token.
pub struct Transport {
    /// For plain http and loopback: never through a proxy.
    direct: reqwest::blocking::Client,
    /// For https to other hosts: through the environment's proxy, if any
    /// (built on first use: tests and loopback never need it).
    proxied: OnceLock<Result<reqwest::blocking::Client, String>>,
    settings: Settings,
    observer: Option<Observer>,
}

/// Set once the low-rate-limit notice went out: once per process, however
/// many clients a command builds (`verify` builds one per entry).
static WARNED_LOW: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

/// The user agent: `ascvault/<version>`.
pub fn user_agent() -> String {
    format!("ascvault/{}", env!("CARGO_PKG_VERSION"))
}

impl Transport {
    /// Builds the HTTP client.
    pub fn new(settings: Settings, observer: Option<Observer>) -> Result<Transport, AscError> {
        let direct = build_http(&settings, false).map_err(AscError::Setup)?;
        Ok(Transport {
            direct,
            proxied: OnceLock::new(),
            settings,
            observer,
        })
    }

    /// The client for this URL: the environment's proxy only for https to a
    /// host that is not loopback (through a CONNECT tunnel, so the proxy
    /// sees the host name but not the request).
    fn http_for(&self, url: &Url) -> Result<&reqwest::blocking::Client, AscError> {
        if url.scheme() != "https" || is_loopback(url) {
            return Ok(&self.direct);
        }
        self.proxied
            .get_or_init(|| build_http(&self.settings, true))
            .as_ref()
            .map_err(|e| AscError::Setup(e.clone()))
    }

    /// The settings in force.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    fn notify(&self, notice: Notice) {
        if let Some(o) = &self.observer {
            o(&notice);
        }
    }

    fn backoff(&self, retry: u32) -> Duration {
        self.settings.backoff().delay(retry)
    }

    /// Sends a request, retrying idempotent ones on 429/500/502/503/504 and
    /// on connection failures, and any request on 429 (Apple did not
    /// process it). `bearer(renew)` supplies the token; after a
    /// 401 it is asked once more with `renew = true` and the request repeated.
    pub fn execute(
        &self,
        method: Method,
        url: Url,
        body: Option<&serde_json::Value>,
        idempotent: bool,
        bearer: Option<&dyn Fn(bool) -> Result<Secret, AscError>>,
    ) -> Result<Reply, AscError> {
        self.execute_accepting(method, url, body, idempotent, bearer, "application/json")
    }

    /// [`Transport::execute`] asking for another media type in `Accept`
    /// (reports answer `application/a-gzip`, power and performance metrics
    /// `application/vnd.apple.xcode-metrics+json`).
    pub fn execute_accepting(
        &self,
        method: Method,
        url: Url,
        body: Option<&serde_json::Value>,
        idempotent: bool,
        bearer: Option<&dyn Fn(bool) -> Result<Secret, AscError>>,
        accept: &str,
    ) -> Result<Reply, AscError> {
        let request = format!("{method} {}", url.path());
        let host = match url.port() {
            Some(p) => format!("{}:{p}", url.host_str().unwrap_or("")),
            None => url.host_str().unwrap_or("").to_owned(),
        };
        let mut attempts = 0u32;
        let mut retries = 0u32;
        let mut renewed = false;
        let mut renew_now = false;
        loop {
            attempts += 1;
            let mut builder = self
                .http_for(&url)?
                .request(method.clone(), url.clone())
                .header(ACCEPT, accept);
            if let Some(bearer) = bearer {
                let token = bearer(std::mem::take(&mut renew_now))?;
                builder = builder.bearer_auth(token.expose());
            }
            if let Some(body) = body {
                builder = builder.json(body);
            }
            let start = Instant::now();
            let limit = self.settings.max_answer_bytes;
            let outcome = builder.send().map_err(Trouble::Http).and_then(|resp| {
                let status = resp.status();
                let headers = resp.headers().clone();
                read_capped(resp, limit).map(|b| (status, headers, b))
            });
            let outcome = match outcome {
                Err(Trouble::TooLarge) => {
                    return Err(AscError::TooLarge {
                        request,
                        limit: human_bytes(limit),
                    });
                }
                Err(Trouble::Read(err)) => {
                    return Err(AscError::Network {
                        request,
                        host,
                        attempts,
                        timed_out: err.kind() == std::io::ErrorKind::TimedOut,
                        message: chain(&err),
                    });
                }
                Err(Trouble::Http(err)) => Err(err),
                Ok(answer) => Ok(answer),
            };
            match outcome {
                Err(err) => {
                    let retryable = is_retryable_error(&err);
                    if idempotent && retryable && retries < self.settings.max_retries {
                        let delay = self.backoff(retries);
                        retries += 1;
                        self.notify(Notice::Retry {
                            request: request.clone(),
                            why: chain(&err),
                            delay,
                        });
                        std::thread::sleep(delay);
                        continue;
                    }
                    return Err(AscError::Network {
                        request,
                        host,
                        attempts,
                        message: chain(&err),
                        timed_out: err.is_timeout(),
                    });
                }
                Ok((status, headers, bytes)) => {
                    self.notify(Notice::Done {
                        request: request.clone(),
                        status: status.as_u16(),
                        elapsed: start.elapsed(),
                    });
                    self.rate_limit(&headers);
                    if status == StatusCode::UNAUTHORIZED && bearer.is_some() && !renewed {
                        // Once: a token that Apple no longer takes (clock
                        // step, expiry in flight) is re-minted and resent.
                        renewed = true;
                        renew_now = true;
                        self.notify(Notice::Renewed);
                        continue;
                    }
                    // A 429 means Apple did not process the request (its
                    // rate limit refused it), so even a POST may be sent
                    // again; other failures of a request that changes
                    // something may have changed it.
                    if is_retryable_status(status)
                        && (idempotent || status == StatusCode::TOO_MANY_REQUESTS)
                        && retries < self.settings.max_retries
                    {
                        let delay = retry_after(&headers)
                            .map(|d| d.min(self.settings.retry_cap))
                            .unwrap_or_else(|| self.backoff(retries));
                        retries += 1;
                        self.notify(Notice::Retry {
                            request: request.clone(),
                            why: format!("status {}", status.as_u16()),
                            delay,
                        });
                        std::thread::sleep(delay);
                        continue;
                    }
                    if status.is_success() {
                        return Ok(Reply {
                            status: status.as_u16(),
                            body: bytes,
                        });
                    }
                    return Err(refusal(request, status.as_u16(), &bytes));
                }
            }
        }
    }

    fn rate_limit(&self, headers: &HeaderMap) {
        let Some(rl) = headers
            .get("x-rate-limit")
            .and_then(|v| v.to_str().ok())
            .and_then(RateLimit::parse)
        else {
            return;
        };
        self.notify(Notice::RateLimit(rl));
        if rl.is_low() && !WARNED_LOW.swap(true, std::sync::atomic::Ordering::Relaxed) {
            self.notify(Notice::LowRateLimit(rl));
        }
    }
}

fn is_retryable_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 429 | 500 | 502 | 503 | 504)
}

fn is_retryable_error(err: &reqwest::Error) -> bool {
    if err.is_timeout() {
        // The user chose the timeout; repeating it would multiply the wait.
        return false;
    }
    if err.is_connect() {
        return true;
    }
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = source {
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            use std::io::ErrorKind as K;
            if matches!(
                io.kind(),
                K::ConnectionReset | K::ConnectionAborted | K::BrokenPipe | K::UnexpectedEof
            ) {
                return true;
            }
        }
        source = e.source();
    }
    // hyper (not a direct dependency) reports a connection closed before
    // the answer only in its message.
    chain(err).contains("connection closed before message completed")
}

/// `Retry-After`: seconds, or an HTTP date.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let v = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = httpdate::parse_http_date(v).ok()?;
    Some(
        when.duration_since(std::time::SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

/// An error and its causes on one line, without repeating the URL twice.
pub(crate) fn chain(err: &dyn std::error::Error) -> String {
    let mut parts = vec![err.to_string()];
    let mut source = err.source();
    while let Some(e) = source {
        let s = e.to_string();
        if !parts.iter().any(|p| p.contains(&s)) {
            parts.push(s);
        }
        source = e.source();
    }
    parts.join(": ")
}

mod http;
#[cfg(test)]
mod tests;

pub use http::is_loopback;
