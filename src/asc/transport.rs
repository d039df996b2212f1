//! HTTP without authentication of its own: a blocking reqwest client with
//! rustls, a user agent naming ascvault, connect and request timeouts,
//! retries of idempotent requests with [`Backoff`] (honouring
//! `Retry-After`), `X-Rate-Limit` parsing and notices. [`super::client`]
//! adds the token, the base URL and paging.
//!
//! Two defences against the server or the environment: every answer body is
//! read with a cap ([`Settings::max_answer_bytes`]), so a hostile server
//! cannot make ascvault hold gigabytes; and a proxy from the environment
//! (`HTTPS_PROXY`, `ALL_PROXY`, `HTTP_PROXY`) is used only for `https` to a
//! host that is not loopback. Plain http is allowed only to loopback, and a
//! proxy there would carry the token or password in clear text off the
//! machine (or to whoever listens on the proxy's port).

use std::io::Read;
use std::sync::OnceLock;
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

/// Builds a reqwest client; with `proxies`, the environment's proxy
/// settings apply (reqwest reads them), otherwise none ever does.
fn build_http(settings: &Settings, proxies: bool) -> Result<reqwest::blocking::Client, String> {
    let mut builder = reqwest::blocking::Client::builder()
        .user_agent(user_agent())
        .timeout(settings.timeout)
        .connect_timeout(settings.connect_timeout)
        // A redirect could carry the token elsewhere; Apple's API sends none.
        .redirect(reqwest::redirect::Policy::none());
    if !proxies {
        builder = builder.no_proxy();
    }
    builder
        .build()
        .map_err(|e| format!("cannot set up HTTPS: {}", chain(&e)))
}

/// True when the URL's host is loopback (`localhost`, 127.0.0.0/8, `::1`).
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// Why an attempt produced no answer to look at.
enum Trouble {
    /// Sending, or reading the answer, failed the way reqwest reports it.
    Http(reqwest::Error),
    /// Reading the body failed otherwise.
    Read(std::io::Error),
    /// The body is longer than the cap.
    TooLarge,
}

/// Reads a body of at most `limit` bytes; a longer one (by its
/// `Content-Length`, or by what arrives) is [`Trouble::TooLarge`], and
/// never more than `limit + 1` bytes are read.
fn read_capped(mut resp: reqwest::blocking::Response, limit: u64) -> Result<Vec<u8>, Trouble> {
    if resp.content_length().is_some_and(|n| n > limit) {
        return Err(Trouble::TooLarge);
    }
    let expected = resp.content_length().unwrap_or(0).min(1 << 20);
    let mut body = Vec::with_capacity(usize::try_from(expected).unwrap_or(0));
    (&mut resp)
        .take(limit.saturating_add(1))
        .read_to_end(&mut body)
        .map_err(|e| {
            // reqwest's own errors (a timeout, a reset) come wrapped in io.
            let kind = e.kind();
            match e
                .into_inner()
                .map(|inner| inner.downcast::<reqwest::Error>())
            {
                Some(Ok(err)) => Trouble::Http(*err),
                Some(Err(inner)) => Trouble::Read(std::io::Error::new(kind, inner)),
                None => Trouble::Read(std::io::Error::new(kind, "the answer broke off")),
            }
        })?;
    if body.len() as u64 > limit {
        return Err(Trouble::TooLarge);
    }
    Ok(body)
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
    fn sizes_read_as_people_write_them() {
        assert_eq!(human_bytes(MAX_ANSWER_BYTES), "64 MiB");
        assert_eq!(human_bytes(1 << 30), "1 GiB");
        assert_eq!(human_bytes(1 << 20), "1 MiB");
        assert_eq!(human_bytes(1536), "1536 bytes");
        assert_eq!(human_bytes(1_000_000), "1000000 bytes");
        assert_eq!(human_bytes(0), "0 bytes");
    }

    #[test]
    fn only_https_to_other_hosts_may_use_a_proxy() {
        let t = Transport::new(Settings::default(), None).unwrap();
        for direct in [
            "http://127.0.0.1:8080/v1/apps",
            "http://localhost/v1/apps",
            "https://127.0.0.1/v1/apps",
            "https://[::1]/v1/apps",
            "http://example.com/v1/apps",
        ] {
            let url = Url::parse(direct).unwrap();
            assert!(
                std::ptr::eq(t.http_for(&url).unwrap(), &t.direct),
                "{direct}"
            );
        }
        let url = Url::parse("https://api.appstoreconnect.apple.com/v1/apps").unwrap();
        assert!(!std::ptr::eq(t.http_for(&url).unwrap(), &t.direct));
    }

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
