//! Where a segment may be fetched from, and how: the server chooses every
//! segment URL, so each one (and each redirect hop) is checked before a
//! connection is made.
//!
//! - A segment URL is `https://`, or plain `http://` to a loopback host
//!   (the stand-in, as for the API base): a pre-signed URL carries its
//!   signature in the query and must not cross a network in clear text.
//! - At most [`MAX_REDIRECTS`] redirects, each hop checked again: the same
//!   scheme rule, never from `https` down to `http`, and never between a
//!   loopback host and another one (a remote server cannot point us at a
//!   local service, and a proxy never sees a loopback address). Redirects
//!   may change host otherwise: storage services hand off to regional
//!   hosts, and the new host only gets what the `Location` says — no
//!   `Referer` (it would carry the signed query), no `Authorization`.
//! - Proxies: a loopback URL (so every plain-`http` one) is fetched
//!   directly, never through a proxy from the environment; an `https` URL
//!   to another host uses the usual `HTTPS_PROXY`/`ALL_PROXY`/`NO_PROXY`
//!   (the proxy sees the host name in `CONNECT`, never the URL or bytes).

use std::time::Duration;

use reqwest::Url;
use reqwest::blocking::Client;
use reqwest::redirect::{Attempt, Policy};

use super::DownloadError;
use crate::asc::client::user_agent;
use crate::asc::transport::is_loopback;

/// Redirects followed for one segment before giving up.
pub const MAX_REDIRECTS: usize = 3;

/// The two HTTP clients of a downloader: one that never uses a proxy
/// (loopback hosts), one that may (https to anywhere else).
#[derive(Debug)]
pub(super) struct Clients {
    direct: Client,
    proxied: Client,
}

impl Clients {
    /// Both clients, with `timeout` for the connect and each read.
    pub(super) fn new(timeout: Duration) -> Result<Clients, DownloadError> {
        let build = |proxied: bool| {
            let b = Client::builder()
                .user_agent(user_agent())
                .timeout(timeout)
                .connect_timeout(timeout.min(Duration::from_secs(10)))
                // The bytes are hashed as served; let nothing decode them on the way.
                .no_gzip()
                // The previous URL holds the signature in its query.
                .referer(false)
                .redirect(Policy::custom(hop));
            let b = if proxied { b } else { b.no_proxy() };
            b.build().map_err(|e| DownloadError::Setup(e.to_string()))
        };
        Ok(Clients {
            direct: build(false)?,
            proxied: build(true)?,
        })
    }

    /// The client for this (already checked) URL.
    pub(super) fn for_url(&self, url: &Url) -> &Client {
        if is_loopback(url) {
            &self.direct
        } else {
            &self.proxied
        }
    }
}

/// Checks a segment URL as the server gave it: parsed, `https`, or `http`
/// to a loopback host. The message never repeats the URL (its query is a
/// credential).
pub fn check_url(url: &str) -> Result<Url, String> {
    let parsed = Url::parse(url).map_err(|e| format!("its URL is not a URL ({e})"))?;
    allowed(&parsed)?;
    Ok(parsed)
}

/// The scheme rule alone.
fn allowed(url: &Url) -> Result<(), String> {
    match url.scheme() {
        "https" => Ok(()),
        "http" if is_loopback(url) => Ok(()),
        "http" => Err(format!(
            "its URL uses plain http to {}, which is not loopback; only https is accepted",
            host_of(url)
        )),
        other => Err(format!(
            "its URL has scheme {:?}; only https is accepted",
            other.chars().take(16).collect::<String>()
        )),
    }
}

/// The redirect policy: see the module comment.
fn hop(attempt: Attempt<'_>) -> reqwest::redirect::Action {
    let checked = match attempt.previous().last() {
        Some(prev) => check_hop(prev, attempt.url(), attempt.previous().len()),
        None => allowed(attempt.url()),
    };
    match checked {
        Ok(()) => attempt.follow(),
        Err(why) => attempt.error(Refused(why)),
    }
}

/// Whether the `n`th redirect (1 for the first), from `prev` to `next`,
/// may be followed.
fn check_hop(prev: &Url, next: &Url, n: usize) -> Result<(), String> {
    if n > MAX_REDIRECTS {
        return Err(format!("more than {MAX_REDIRECTS} redirects"));
    }
    allowed(next).map_err(|why| format!("a redirect was refused: {why}"))?;
    if prev.scheme() == "https" && next.scheme() == "http" {
        return Err("a redirect from https to plain http was refused".to_owned());
    }
    if is_loopback(prev) != is_loopback(next) {
        return Err(format!(
            "a redirect from {} to {} was refused (between loopback and another host)",
            host_of(prev),
            host_of(next)
        ));
    }
    Ok(())
}

/// A redirect refused by [`hop`]; found again in the error chain.
#[derive(Debug)]
pub(super) struct Refused(pub(super) String);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Refused {}

/// The refusal inside a failed request, if the redirect policy refused.
pub(super) fn refusal(e: &reqwest::Error) -> Option<String> {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = source {
        if let Some(r) = s.downcast_ref::<Refused>() {
            return Some(r.0.clone());
        }
        source = s.source();
    }
    None
}

/// The host, for messages (never the path or query), cut short.
fn host_of(url: &Url) -> String {
    url.host_str()
        .unwrap_or("(no host)")
        .chars()
        .take(64)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segment_urls_are_https_or_loopback_http() {
        assert!(check_url("https://storage.example.com/a?X-Amz-Signature=s").is_ok());
        assert!(check_url("http://127.0.0.1:8080/a").is_ok());
        assert!(check_url("http://localhost/a").is_ok());
        assert!(check_url("http://[::1]/a").is_ok());
        let e = check_url("http://storage.example.com/a?X-Amz-Signature=secret").unwrap_err();
        assert!(e.contains("plain http") && !e.contains("secret"), "{e}");
        assert!(check_url("ftp://127.0.0.1/a").unwrap_err().contains("ftp"));
        assert!(check_url("file:///etc/passwd").is_err());
        assert!(check_url("not a url").is_err());
    }

    #[test]
    fn redirects_are_checked_hop_by_hop() {
        let u = |s: &str| Url::parse(s).unwrap();
        let remote = u("https://a.example.com/x?sig=1");
        assert!(check_hop(&remote, &u("https://b.example.com/y"), 1).is_ok());
        assert!(check_hop(&remote, &u("https://b.example.com/y"), MAX_REDIRECTS).is_ok());
        let e = check_hop(&remote, &u("https://b.example.com/y"), MAX_REDIRECTS + 1);
        assert!(e.unwrap_err().contains("more than 3 redirects"));
        let e = check_hop(&remote, &u("http://b.example.com/y"), 1).unwrap_err();
        assert!(e.contains("plain http"), "{e}");
        let e = check_hop(&remote, &u("https://127.0.0.1/admin"), 1).unwrap_err();
        assert!(e.contains("between loopback"), "{e}");
        let e = check_hop(&u("https://localhost/x"), &u("http://127.0.0.1/x"), 1).unwrap_err();
        assert!(e.contains("https to plain http"), "{e}");
        let e = check_hop(&u("http://127.0.0.1/x"), &u("https://b.example.com/y"), 1).unwrap_err();
        assert!(e.contains("between loopback"), "{e}");
        assert!(check_hop(&u("http://127.0.0.1:1/x"), &u("http://127.0.0.1:2/y"), 1).is_ok());
    }

    #[test]
    fn loopback_is_fetched_without_a_proxy() {
        let c = Clients::new(Duration::from_secs(1)).unwrap();
        let direct = |u: &str| std::ptr::eq(c.for_url(&Url::parse(u).unwrap()), &c.direct);
        assert!(direct("http://127.0.0.1:1/x"));
        assert!(direct("https://localhost/x"));
        assert!(!direct("https://storage.example.com/x"));
    }
}
