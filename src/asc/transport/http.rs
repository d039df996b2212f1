//! The reqwest side of the transport: building a client with or without
//! the environment's proxies, telling loopback hosts apart, and reading an
//! answer's body with a cap.

use std::io::Read;

use reqwest::Url;

use super::{Settings, chain, user_agent};

/// Builds a reqwest client; with `proxies`, the environment's proxy
/// settings apply (reqwest reads them), otherwise none ever does.
pub(super) fn build_http(
    settings: &Settings,
    proxies: bool,
) -> Result<reqwest::blocking::Client, String> {
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
pub(super) enum Trouble {
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
pub(super) fn read_capped(
    mut resp: reqwest::blocking::Response,
    limit: u64,
) -> Result<Vec<u8>, Trouble> {
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
