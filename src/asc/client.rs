//! The HTTP side of talking to Apple: a blocking reqwest client with rustls,
//! a user agent naming ascvault, connect and request timeouts, retries with
//! exponential backoff and jitter (honouring `Retry-After`), `X-Rate-Limit`
//! parsing, JWT reuse and renewal, and paging through `links.next`.
//!
//! Every URL is the configured base plus a path, so tests point the client
//! at the stand-in server on loopback. Plain `http://` is accepted only for
//! loopback hosts: a token must never cross a network in clear text.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use reqwest::Method;
use reqwest::StatusCode;
use reqwest::Url;
use reqwest::header::{ACCEPT, HeaderMap, RETRY_AFTER};
use serde::de::DeserializeOwned;

use super::backoff::Backoff;
use super::error::{AscError, refusal};
use super::token::{ApiKey, DEFAULT_LIFETIME, Token, unix_now};
use crate::secret::Secret;

/// Apple's API.
pub const DEFAULT_API_BASE: &str = "https://api.appstoreconnect.apple.com";
/// The largest page App Store Connect serves.
pub const PAGE_LIMIT: usize = 200;

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

/// Checks and normalizes a base URL: `https://`, or `http://` to a loopback host.
pub fn parse_base(base: &str) -> Result<Url, AscError> {
    let url = Url::parse(base.trim())
        .map_err(|e| AscError::BadBase(format!("base URL {base:?} is not a URL: {e}")))?;
    let loopback = match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        "http" => {
            return Err(AscError::BadBase(format!(
                "base URL {base:?} uses plain http to a host that is not loopback; use https"
            )));
        }
        other => {
            return Err(AscError::BadBase(format!(
                "base URL {base:?} has scheme {other:?}; use https"
            )));
        }
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(AscError::BadBase(format!(
            "base URL {base:?} must not have a query or fragment"
        )));
    }
    Ok(url)
}

/// Joins a path (with its query) onto a base, keeping any path prefix of the base.
pub fn join(base: &Url, path_and_query: &str) -> Result<Url, AscError> {
    let text = format!(
        "{}/{}",
        base.as_str().trim_end_matches('/'),
        path_and_query.trim_start_matches('/')
    );
    Url::parse(&text).map_err(|e| AscError::BadBase(format!("bad URL {text:?}: {e}")))
}

fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host() == b.host()
        && a.port_or_known_default() == b.port_or_known_default()
}

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
/// [`Client`] with a bearer token.
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

/// A page of a list: how to find the next one.
pub trait Paged {
    /// `links.next`, if there is a next page.
    fn next_link(&self) -> Option<&str>;
}

/// An authenticated App Store Connect API client.
pub struct Client {
    transport: Transport,
    base: Url,
    key: ApiKey,
    token: Mutex<Option<Token>>,
    minted: Mutex<u32>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base", &self.base.as_str())
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A client for the API at `base` (see [`parse_base`]), signing with `key`.
    pub fn new(
        base: &str,
        key: ApiKey,
        settings: Settings,
        observer: Option<Observer>,
    ) -> Result<Client, AscError> {
        let base = parse_base(base)?;
        Ok(Client {
            transport: Transport::new(settings, observer)?,
            base,
            key,
            token: Mutex::new(None),
            minted: Mutex::new(0),
        })
    }

    /// The base URL.
    pub fn base(&self) -> &Url {
        &self.base
    }

    /// How many tokens this client has signed so far.
    pub fn tokens_minted(&self) -> u32 {
        self.minted.lock().map(|m| *m).unwrap_or(0)
    }

    /// The current token, re-minted when it nears expiry or when `renew`.
    fn bearer(&self, renew: bool) -> Result<Secret, AscError> {
        let lifetime = self.transport.settings.token_lifetime;
        let margin = (lifetime / 2).min(Duration::from_secs(60));
        let mut slot = self
            .token
            .lock()
            .map_err(|_| AscError::Setup("token cache poisoned".into()))?;
        let now = unix_now();
        match slot.as_ref() {
            Some(t) if !renew && t.fresh_at(now, margin) => Ok(t.jwt.clone()),
            _ => {
                let t = self.key.mint_at(now, lifetime);
                let jwt = t.jwt.clone();
                *slot = Some(t);
                if let Ok(mut m) = self.minted.lock() {
                    *m += 1;
                }
                Ok(jwt)
            }
        }
    }

    fn send(
        &self,
        method: Method,
        url: Url,
        body: Option<&serde_json::Value>,
    ) -> Result<Reply, AscError> {
        let idempotent = matches!(
            method,
            Method::GET | Method::DELETE | Method::HEAD | Method::PUT
        );
        let bearer = |renew: bool| self.bearer(renew);
        self.transport
            .execute(method, url, body, idempotent, Some(&bearer))
    }

    /// `GET base + path_and_query`, decoded.
    pub fn get<T: DeserializeOwned>(&self, path_and_query: &str) -> Result<T, AscError> {
        let url = join(&self.base, path_and_query)?;
        self.get_url(url)
    }

    /// `GET` of a full URL on the base's origin (a `links.next`).
    pub fn get_url<T: DeserializeOwned>(&self, url: Url) -> Result<T, AscError> {
        if !same_origin(&url, &self.base) {
            return Err(AscError::BadLink(format!(
                "App Store Connect sent a link to another host ({}); not following it with the token",
                url.host_str().unwrap_or("?")
            )));
        }
        let request = format!("GET {}", url.path());
        let reply = self.send(Method::GET, url, None)?;
        decode(&request, &reply.body)
    }

    /// `GET base + path_and_query` with this `Accept`, the body as bytes
    /// (gzip reports, Xcode metrics JSON). Retries like [`Client::get`].
    pub fn get_raw(&self, path_and_query: &str, accept: &str) -> Result<Vec<u8>, AscError> {
        let url = join(&self.base, path_and_query)?;
        let bearer = |renew: bool| self.bearer(renew);
        self.transport
            .execute_accepting(Method::GET, url, None, true, Some(&bearer), accept)
            .map(|reply| reply.body)
    }

    /// `POST base + path` with a JSON body, decoded.
    pub fn post<T: DeserializeOwned>(
        &self,
        path: &str,
        body: &serde_json::Value,
    ) -> Result<T, AscError> {
        let url = join(&self.base, path)?;
        let request = format!("POST {}", url.path());
        let reply = self.send(Method::POST, url, Some(body))?;
        decode(&request, &reply.body)
    }

    /// `DELETE base + path`.
    pub fn delete(&self, path: &str) -> Result<(), AscError> {
        let url = join(&self.base, path)?;
        self.send(Method::DELETE, url, None).map(|_| ())
    }

    /// Fetches `first` and each `links.next` after it, handing every page
    /// to `page`; stops when there is no next page or `page` returns false.
    pub fn for_each_page<T: DeserializeOwned + Paged>(
        &self,
        first: &str,
        mut page: impl FnMut(T) -> bool,
    ) -> Result<(), AscError> {
        let mut url = join(&self.base, first)?;
        let mut seen = std::collections::HashSet::new();
        loop {
            seen.insert(url.to_string());
            let doc: T = self.get_url(url.clone())?;
            let next = doc.next_link().map(str::to_owned);
            if !page(doc) {
                return Ok(());
            }
            let Some(next) = next else { return Ok(()) };
            let next = self
                .base
                .join(&next)
                .map_err(|e| AscError::BadLink(format!("bad links.next {next:?}: {e}")))?;
            if seen.contains(next.as_str()) {
                return Err(AscError::Decode {
                    request: format!("GET {}", next.path()),
                    path: "links.next".into(),
                    message: "the next page is one already fetched".into(),
                });
            }
            url = next;
        }
    }
}

/// Decodes JSON, naming the path that failed.
pub fn decode<T: DeserializeOwned>(request: &str, body: &[u8]) -> Result<T, AscError> {
    let de = &mut serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(de).map_err(|e| AscError::Decode {
        request: request.to_owned(),
        path: match e.path().to_string() {
            p if p == "." => "(top)".into(),
            p => p,
        },
        message: e.inner().to_string(),
    })
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

    #[test]
    fn bases_must_be_https_or_loopback() {
        assert!(parse_base("https://api.appstoreconnect.apple.com").is_ok());
        assert!(parse_base("http://127.0.0.1:8080").is_ok());
        assert!(parse_base("http://localhost:8080/").is_ok());
        assert!(parse_base("http://[::1]:8080").is_ok());
        assert!(parse_base("http://api.appstoreconnect.apple.com").is_err());
        assert!(parse_base("http://10.0.0.1").is_err());
        assert!(parse_base("ftp://127.0.0.1").is_err());
        assert!(parse_base("not a url").is_err());
    }

    #[test]
    fn paths_join_onto_the_base() {
        let b = parse_base("http://127.0.0.1:1/prefix/").unwrap();
        assert_eq!(
            join(&b, "/v1/apps?limit=1").unwrap().as_str(),
            "http://127.0.0.1:1/prefix/v1/apps?limit=1"
        );
        let b = parse_base("https://api.appstoreconnect.apple.com").unwrap();
        assert_eq!(
            join(&b, "/v1/apps").unwrap().as_str(),
            "https://api.appstoreconnect.apple.com/v1/apps"
        );
    }

    #[test]
    fn decode_errors_name_the_path() {
        #[derive(serde::Deserialize, Debug)]
        struct D {
            #[allow(dead_code)]
            data: Vec<E>,
        }
        #[derive(serde::Deserialize, Debug)]
        struct E {
            #[allow(dead_code)]
            rating: u8,
        }
        let err =
            decode::<D>("GET /x", br#"{"data":[{"rating":1},{"rating":"five"}]}"#).unwrap_err();
        assert!(err.to_string().contains("data[1].rating"), "{err}");
    }
}
