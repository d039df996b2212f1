//! HTTP without authentication of its own: a blocking reqwest client with
//! rustls, a user agent naming ascvault, connect and request timeouts,
//! retries of idempotent requests with [`Backoff`] (honouring
//! `Retry-After`), `X-Rate-Limit` parsing and notices. [`super::client`]
//! adds the token, the base URL and paging.

use std::time::{Duration, Instant};

use reqwest::Method;
use reqwest::StatusCode;
use reqwest::Url;
use reqwest::header::{ACCEPT, HeaderMap, RETRY_AFTER};

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
    /// Retries after the first attempt, for idempotent requests.
    pub max_retries: u32,
    /// Delay before the first retry; doubles each time, with jitter.
    pub retry_base: Duration,
    /// Longest wait between attempts, `Retry-After` included.
    pub retry_cap: Duration,
    /// Lifetime of each token (capped at Apple's 20 minutes).
    pub token_lifetime: Duration,
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
    http: reqwest::blocking::Client,
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
        let http = reqwest::blocking::Client::builder()
            .user_agent(user_agent())
            .timeout(settings.timeout)
            .connect_timeout(settings.connect_timeout)
            // A redirect could carry the token elsewhere; Apple's API sends none.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| AscError::Setup(format!("cannot set up HTTPS: {}", chain(&e))))?;
        Ok(Transport {
            http,
            settings,
            observer,
        })
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
    /// on connection failures. `bearer(renew)` supplies the token; after a
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
                .http
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
            let outcome = builder.send().and_then(|resp| {
                let status = resp.status();
                let headers = resp.headers().clone();
                resp.bytes().map(|b| (status, headers, b.to_vec()))
            });
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
                    if is_retryable_status(status)
                        && idempotent
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_limit_header() {
        let rl = RateLimit::parse("user-hour-lim:3600;user-hour-rem:3599;").unwrap();
        assert_eq!(
            rl,
            RateLimit {
                limit: 3600,
                remaining: 3599
            }
        );
        assert!(!rl.is_low());
        assert!(
            RateLimit::parse("user-hour-lim:3600;user-hour-rem:179;")
                .unwrap()
                .is_low()
        );
        assert!(
            !RateLimit::parse("user-hour-lim:3600;user-hour-rem:180;")
                .unwrap()
                .is_low()
        );
        assert_eq!(RateLimit::parse("user-hour-lim:3600"), None);
        assert_eq!(RateLimit::parse("garbage"), None);
    }

    #[test]
    fn retry_after_takes_seconds_or_an_http_date() {
        let mut h = HeaderMap::new();
        assert_eq!(retry_after(&h), None);
        h.insert(RETRY_AFTER, "7".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::from_secs(7)));
        let later = std::time::SystemTime::now() + Duration::from_secs(30);
        h.insert(RETRY_AFTER, httpdate::fmt_http_date(later).parse().unwrap());
        let d = retry_after(&h).unwrap();
        assert!(
            d > Duration::from_secs(27) && d <= Duration::from_secs(30),
            "{d:?}"
        );
        h.insert(
            RETRY_AFTER,
            "Wed, 21 Oct 2015 07:28:00 GMT".parse().unwrap(),
        );
        assert_eq!(retry_after(&h), Some(Duration::ZERO));
        h.insert(RETRY_AFTER, "soon".parse().unwrap());
        assert_eq!(retry_after(&h), None);
    }
}
