//! The authenticated App Store Connect client: the base URL (`https://`,
//! or `http://` to loopback), JWT reuse and renewal, JSON decoding that
//! names the path that failed, and paging through `links.next` on the
//! base's origin only, which ends: a page that links back to one already
//! fetched, an empty page that links onward, and more than
//! [`Settings::max_pages`] pages are server faults. The wire itself
//! (timeouts, retries, rate limits, the cap on an answer's size) is
//! [`Transport`]'s.
//!
//! Every URL is the configured base plus a path, so tests point the client
//! at the stand-in server on loopback. Plain `http://` is accepted only for
//! loopback hosts: a token must never cross a network in clear text.

use std::sync::Mutex;
use std::time::Duration;

use reqwest::Method;
use reqwest::Url;
use serde::de::DeserializeOwned;

use super::error::AscError;
use super::token::{ApiKey, Token, unix_now};
use crate::secret::Secret;

pub(crate) use super::transport::chain;
use super::transport::is_loopback;
pub use super::transport::{
    MAX_ANSWER_BYTES, MAX_PAGES, Notice, Observer, RateLimit, Reply, Settings, Transport,
    human_bytes, user_agent,
};

/// Apple's API.
pub const DEFAULT_API_BASE: &str = "https://api.appstoreconnect.apple.com";
/// The largest page App Store Connect serves.
pub const PAGE_LIMIT: usize = 200;

/// Checks and normalizes a base URL: `https://`, or `http://` to a loopback host.
pub fn parse_base(base: &str) -> Result<Url, AscError> {
    let url = Url::parse(base.trim())
        .map_err(|e| AscError::BadBase(format!("base URL {base:?} is not a URL: {e}")))?;
    let loopback = is_loopback(&url);
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

/// A page of a list: how to find the next one.
pub trait Paged {
    /// `links.next`, if there is a next page.
    fn next_link(&self) -> Option<&str>;
    /// True when the page holds no items (an empty page that links onward
    /// is a server fault: it would page for ever without giving anything).
    fn is_empty_page(&self) -> bool;
}

/// The `cursor` of a page URL (Apple's paging parameter), if any.
fn cursor_of(url: &Url) -> Option<String> {
    url.query_pairs()
        .find(|(k, _)| k == "cursor")
        .map(|(_, v)| v.into_owned())
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
        let lifetime = self.transport.settings().token_lifetime;
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
    /// A next page already fetched (same URL or same `cursor`), an empty
    /// page that links onward, and a next page past
    /// [`Settings::max_pages`] are [`AscError::Paging`].
    pub fn for_each_page<T: DeserializeOwned + Paged>(
        &self,
        first: &str,
        mut page: impl FnMut(T) -> bool,
    ) -> Result<(), AscError> {
        let mut url = join(&self.base, first)?;
        let request = format!("GET {}", url.path());
        let max_pages = self.transport.settings().max_pages;
        let endless = |message: String| AscError::Paging {
            request: request.clone(),
            message,
        };
        let mut seen = std::collections::HashSet::new();
        let mut cursors = std::collections::HashSet::new();
        let mut pages = 0u32;
        loop {
            pages += 1;
            seen.insert(url.to_string());
            cursors.extend(cursor_of(&url));
            let doc: T = self.get_url(url.clone())?;
            let next = doc.next_link().map(str::to_owned);
            let empty = doc.is_empty_page();
            if !page(doc) {
                return Ok(());
            }
            let Some(next) = next else { return Ok(()) };
            let next = self
                .base
                .join(&next)
                .map_err(|e| AscError::BadLink(format!("bad links.next {next:?}: {e}")))?;
            if empty {
                return Err(endless(format!(
                    "page {pages} is empty but links to another"
                )));
            }
            if seen.contains(next.as_str())
                || cursor_of(&next).is_some_and(|c| cursors.contains(&c))
            {
                return Err(endless(format!(
                    "page {pages} links back to a page already fetched"
                )));
            }
            if pages >= max_pages {
                return Err(endless(format!(
                    "more than {max_pages} pages, the most ascvault follows"
                )));
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
    fn a_link_to_another_origin_is_a_server_fault_and_never_requested() {
        let pem = Secret::from(include_str!("../../fixtures/keys/AuthKey_TESTKEY001.p8"));
        let key = ApiKey::new("TESTKEY001", None, &pem).unwrap();
        // Port 9 (discard) on loopback: nothing is sent before the check.
        let client = Client::new("http://127.0.0.1:9", key, Settings::default(), None).unwrap();
        for link in [
            "https://127.0.0.1:9/v1/apps",
            "http://127.0.0.2:9/v1/apps",
            "http://127.0.0.1:10/v1/apps",
        ] {
            let err = client
                .get_url::<serde_json::Value>(Url::parse(link).unwrap())
                .unwrap_err();
            assert!(matches!(err, AscError::BadLink(_)), "{link}: {err}");
        }
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
