//! The stand-in's state: its data (apps, reviews, responses), the faults
//! queued by tests (see [`crate::faults`]), the request log and the
//! rate-limit counter.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Instant;

pub use crate::faults::Fault;
use crate::faults::Faults;
use crate::seed;

/// One request as the stand-in saw it.
#[derive(Clone, Debug)]
pub struct Recorded {
    /// `GET`, `POST`…
    pub method: String,
    /// The path.
    pub path: String,
    /// The raw query string.
    pub query: String,
    /// The bearer token, if one was sent (test tokens only).
    pub bearer: Option<String>,
    /// The `User-Agent` header.
    pub user_agent: Option<String>,
    /// When it arrived.
    pub at: Instant,
    /// The stand-in's own answer (not one a test forged), once sent.
    pub answer: Option<Answered>,
}

/// The stand-in's answer to a request, kept so a contract test can check
/// every body against Apple's description.
#[derive(Clone)]
pub struct Answered {
    /// The HTTP status.
    pub status: u16,
    /// The `Content-Type`, if any.
    pub content_type: Option<String>,
    /// The body, for JSON answers of known size up to
    /// [`Answered::KEPT_BYTES`]; `None` for others (reports, streams).
    pub body: Option<Vec<u8>>,
}

impl Answered {
    /// The largest JSON body kept.
    pub const KEPT_BYTES: u64 = 4 << 20;
}

impl std::fmt::Debug for Answered {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The body can be large: its size is enough in a failing test's log.
        f.debug_struct("Answered")
            .field("status", &self.status)
            .field("content_type", &self.content_type)
            .field("body_bytes", &self.body.as_ref().map(Vec::len))
            .finish()
    }
}

impl Recorded {
    /// A query parameter's (percent-decoded) value.
    pub fn param(&self, name: &str) -> Option<String> {
        url_params(&self.query)
            .into_iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
    }
}

/// Decodes `a=b&c=d` with percent-decoding and `+` as space.
pub fn url_params(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect()
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h * 16 + l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// An app.
#[derive(Clone, Debug)]
pub struct App {
    /// Numeric id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Bundle id.
    pub bundle_id: String,
    /// SKU.
    pub sku: String,
}

/// A customer review.
#[derive(Clone, Debug)]
pub struct Review {
    /// Id.
    pub id: String,
    /// The app's id.
    pub app_id: String,
    /// 1–5.
    pub rating: u8,
    /// Title; `None` is sent as `null`.
    pub title: Option<String>,
    /// Body.
    pub body: String,
    /// Nickname.
    pub nickname: String,
    /// RFC 3339, Pacific offset, whole seconds.
    pub created: String,
    /// Territory.
    pub territory: String,
}

/// A developer response.
#[derive(Clone, Debug)]
pub struct ResponseRecord {
    /// Id.
    pub id: String,
    /// The review answered.
    pub review_id: String,
    /// Text.
    pub body: String,
    /// RFC 3339.
    pub last_modified: String,
    /// `PENDING_PUBLISH` or `PUBLISHED`.
    pub state: String,
}

/// The data served.
#[derive(Debug, Default)]
pub struct Data {
    /// Apps in id order.
    pub apps: Vec<App>,
    /// Reviews, newest first within each app.
    pub reviews: Vec<Review>,
    /// Responses by review id.
    pub responses: BTreeMap<String, ResponseRecord>,
    /// Counter for new response ids.
    pub next_response: u64,
}

/// Everything the handlers share.
#[derive(Debug)]
pub struct Shared {
    /// The data.
    pub data: Mutex<Data>,
    faults: Faults,
    log: Mutex<Vec<Recorded>>,
    rate: Mutex<(u64, u64)>,
}

impl Default for Shared {
    fn default() -> Self {
        Shared::new()
    }
}

impl Shared {
    /// Seeded data, no faults, a full hourly allowance of 3600.
    pub fn new() -> Shared {
        Shared {
            data: Mutex::new(seed::data()),
            faults: Faults::default(),
            log: Mutex::new(Vec::new()),
            rate: Mutex::new((3600, 3600)),
        }
    }

    /// Queues a fault for `times` requests (`u32::MAX`: for ever) whose path
    /// starts with `prefix` (and whose method is `method`, if given).
    pub fn add_fault(&self, method: Option<&str>, prefix: &str, fault: Fault, times: u32) {
        self.faults.add(method, prefix, fault, times);
    }

    /// Removes every queued fault.
    pub fn clear_faults(&self) {
        self.faults.clear();
    }

    /// The fault due for this request, if any (consumes one use).
    pub fn take_fault(&self, method: &str, path: &str) -> Option<Fault> {
        self.faults.take(method, path)
    }

    /// Logs a request; returns its place in the log (for [`Shared::answered`]).
    pub fn record(
        &self,
        method: &str,
        path: &str,
        query: &str,
        bearer: Option<String>,
        user_agent: Option<String>,
    ) -> usize {
        let Ok(mut log) = self.log.lock() else {
            return usize::MAX;
        };
        log.push(Recorded {
            method: method.to_owned(),
            path: path.to_owned(),
            query: query.to_owned(),
            bearer,
            user_agent,
            at: Instant::now(),
            answer: None,
        });
        log.len() - 1
    }

    /// Keeps the answer to request number `n` of the log.
    pub fn answered(&self, n: usize, answer: Answered) {
        if let Ok(mut log) = self.log.lock()
            && let Some(r) = log.get_mut(n)
        {
            r.answer = Some(answer);
        }
    }

    /// The request log.
    pub fn requests(&self) -> Vec<Recorded> {
        self.log.lock().map(|l| l.clone()).unwrap_or_default()
    }

    /// Sets what `X-Rate-Limit` reports as remaining.
    pub fn set_rate_remaining(&self, remaining: u64) {
        if let Ok(mut r) = self.rate.lock() {
            r.1 = remaining;
        }
    }

    /// Counts one API request against the hourly allowance; returns (limit, remaining).
    pub fn spend_rate(&self) -> (u64, u64) {
        match self.rate.lock() {
            Ok(mut r) => {
                r.1 = r.1.saturating_sub(1);
                *r
            }
            Err(_) => (3600, 0),
        }
    }
}
