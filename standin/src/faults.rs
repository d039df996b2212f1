//! Fault injection, one mechanism for the whole stand-in: a fault is queued
//! for the requests whose path starts with (or is) a given path, a number of
//! times, and the front door answers with it instead of, or on top of, the
//! normal answer ([`answer`]). Tests queue faults through
//! [`Standin::fault`](crate::Standin::fault) and
//! [`MetricsState::fault_segment`](crate::MetricsState::fault_segment),
//! people through the admin endpoints.

use std::io;
use std::sync::Mutex;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::response::Response;

use crate::apple;

/// A fault to inject instead of the normal answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    /// An Apple error answer with this status (429 adds `Retry-After`).
    Status {
        /// The HTTP status.
        status: u16,
        /// `Retry-After` seconds, if any.
        retry_after: Option<u64>,
    },
    /// HTTP 200 with a body that is not valid JSON.
    Malformed,
    /// The normal answer, after this delay.
    Slow(Duration),
    /// The normal answer's head and the first half of its body, then the
    /// connection drops.
    Cut,
}

impl Fault {
    /// An Apple error answer without `Retry-After`.
    pub fn status(status: u16) -> Fault {
        Fault::Status {
            status,
            retry_after: None,
        }
    }

    /// 429 with `Retry-After: secs`.
    pub fn rate_limited(secs: u64) -> Fault {
        Fault::Status {
            status: 429,
            retry_after: Some(secs),
        }
    }
}

/// The requests a queued fault applies to.
#[derive(Debug)]
enum Paths {
    /// Every path that starts with this.
    Under(String),
    /// This path only (a segment id can be the start of another's).
    Exactly(String),
}

impl Paths {
    fn matches(&self, path: &str) -> bool {
        match self {
            Paths::Under(prefix) => path.starts_with(prefix.as_str()),
            Paths::Exactly(p) => path == p,
        }
    }

    fn is(&self, path: &str) -> bool {
        matches!(self, Paths::Under(p) | Paths::Exactly(p) if p == path)
    }
}

#[derive(Debug)]
struct Rule {
    method: Option<String>,
    paths: Paths,
    fault: Fault,
    left: u32,
}

/// A queue of faults waiting for their requests.
#[derive(Debug, Default)]
pub struct Faults {
    rules: Mutex<Vec<Rule>>,
}

impl Faults {
    /// Queues a fault for `times` requests (`u32::MAX`: for ever) whose path
    /// starts with `prefix` (and whose method is `method`, if given).
    pub fn add(&self, method: Option<&str>, prefix: &str, fault: Fault, times: u32) {
        self.push(method, Paths::Under(prefix.to_owned()), fault, times);
    }

    /// Queues a fault for `times` requests to exactly `path`.
    pub fn add_exact(&self, path: &str, fault: Fault, times: u32) {
        self.push(None, Paths::Exactly(path.to_owned()), fault, times);
    }

    fn push(&self, method: Option<&str>, paths: Paths, fault: Fault, times: u32) {
        if let Ok(mut rules) = self.rules.lock() {
            rules.push(Rule {
                method: method.map(str::to_ascii_uppercase),
                paths,
                fault,
                left: times,
            });
        }
    }

    /// Removes every queued fault.
    pub fn clear(&self) {
        if let Ok(mut rules) = self.rules.lock() {
            rules.clear();
        }
    }

    /// Removes the faults queued for `path` (as given to `add` or `add_exact`).
    pub fn clear_path(&self, path: &str) {
        if let Ok(mut rules) = self.rules.lock() {
            rules.retain(|r| !r.paths.is(path));
        }
    }

    /// The fault due for this request, if any (consumes one use).
    pub fn take(&self, method: &str, path: &str) -> Option<Fault> {
        let mut rules = self.rules.lock().ok()?;
        let rule = rules.iter_mut().find(|r| {
            r.left > 0 && r.paths.matches(path) && r.method.as_deref().is_none_or(|m| m == method)
        })?;
        if rule.left != u32::MAX {
            rule.left -= 1;
        }
        Some(rule.fault.clone())
    }
}

/// The answer to a request: the `normal` one (run only if needed), or the
/// fault's instead of or on top of it.
pub async fn answer(fault: Option<Fault>, normal: impl Future<Output = Response>) -> Response {
    match fault {
        None => normal.await,
        Some(Fault::Slow(delay)) => {
            tokio::time::sleep(delay).await;
            normal.await
        }
        Some(Fault::Cut) => cut(normal.await).await,
        Some(f) => apple::fault_response(&f),
    }
}

/// [`Fault::Cut`] applied to a normal answer: its status and headers (the
/// full `Content-Length` included), half its body, then a reset.
async fn cut(answer: Response) -> Response {
    let (head, body) = answer.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let parts: Vec<Result<Bytes, io::Error>> = vec![
        Ok(bytes.slice(..bytes.len() / 2)),
        Err(io::Error::new(io::ErrorKind::ConnectionReset, "cut")),
    ];
    Response::from_parts(head, Body::from_stream(futures_util::stream::iter(parts)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fault_is_used_up_after_its_times() {
        let q = Faults::default();
        q.add(Some("get"), "/v1/apps", Fault::Malformed, 2);
        assert_eq!(q.take("POST", "/v1/apps"), None, "another method");
        assert_eq!(q.take("GET", "/v1/apps/1"), Some(Fault::Malformed));
        assert_eq!(q.take("GET", "/v1/apps"), Some(Fault::Malformed));
        assert_eq!(q.take("GET", "/v1/apps"), None);
    }

    #[test]
    fn forever_stays() {
        let q = Faults::default();
        q.add(None, "/v1/", Fault::status(500), u32::MAX);
        for _ in 0..5 {
            assert_eq!(q.take("GET", "/v1/apps"), Some(Fault::status(500)));
        }
    }

    #[test]
    fn an_exact_path_is_not_a_prefix() {
        // Segment ids run seg-1, seg-10…: a fault for one must not hit the other.
        let q = Faults::default();
        q.add_exact("/analytics-segments/inst-1-seg-1", Fault::Cut, u32::MAX);
        assert_eq!(q.take("GET", "/analytics-segments/inst-1-seg-10"), None);
        assert_eq!(
            q.take("GET", "/analytics-segments/inst-1-seg-1"),
            Some(Fault::Cut)
        );
    }

    #[test]
    fn clear_path_removes_only_that_path() {
        let q = Faults::default();
        q.add_exact("/a", Fault::Cut, 1);
        q.add(None, "/b", Fault::Malformed, 1);
        q.clear_path("/a");
        assert_eq!(q.take("GET", "/a"), None);
        assert_eq!(q.take("GET", "/b"), Some(Fault::Malformed));
    }
}
