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
    /// Any answer at all, as given: what a hostile server would send
    /// (forged paths in JSON, escape sequences, bombs, redirects).
    Answer {
        /// The HTTP status.
        status: u16,
        /// Headers, in order (`Location`, `Content-Type`…).
        headers: Vec<(String, String)>,
        /// The body, byte for byte.
        body: Vec<u8>,
    },
    /// The normal answer's head, then its body `chunk` bytes at a time with
    /// `every` between chunks: a slow drip that never stalls long enough
    /// for a per-read timeout.
    Drip {
        /// Bytes per chunk (at least 1).
        chunk: usize,
        /// The pause between chunks.
        every: Duration,
    },
}

impl Fault {
    /// An Apple error answer without `Retry-After`.
    pub fn status(status: u16) -> Fault {
        Fault::Status {
            status,
            retry_after: None,
        }
    }

    /// A JSON answer of status 200 with this body.
    pub fn json(body: &serde_json::Value) -> Fault {
        Fault::Answer {
            status: 200,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.to_string().into_bytes(),
        }
    }

    /// An answer with this status and JSON body (a recorded error body of
    /// Apple's, say).
    pub fn json_status(status: u16, body: &serde_json::Value) -> Fault {
        Fault::Answer {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.to_string().into_bytes(),
        }
    }

    /// Apple's 403 for an account without an in-effect agreement
    /// ([`apple::agreements_missing`]): not about the key's role.
    pub fn agreements_missing() -> Fault {
        Fault::json_status(403, &apple::agreements_missing())
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
        Some(Fault::Drip { chunk, every }) => drip(normal.await, chunk.max(1), every).await,
        Some(Fault::Answer {
            status,
            headers,
            body,
        }) => forged(status, &headers, body),
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

/// [`Fault::Answer`]: the status, headers and body exactly as given
/// (headers that are not valid HTTP are skipped).
fn forged(status: u16, headers: &[(String, String)], body: Vec<u8>) -> Response {
    let mut resp = Response::new(Body::from(body));
    *resp.status_mut() =
        axum::http::StatusCode::from_u16(status).unwrap_or(axum::http::StatusCode::OK);
    for (name, value) in headers {
        if let (Ok(n), Ok(v)) = (
            axum::http::HeaderName::from_bytes(name.as_bytes()),
            axum::http::HeaderValue::from_bytes(value.as_bytes()),
        ) {
            resp.headers_mut().append(n, v);
        }
    }
    resp
}

/// [`Fault::Drip`] applied to a normal answer: its head, then its body in
/// small chunks with a pause before each.
async fn drip(answer: Response, chunk: usize, every: Duration) -> Response {
    let (head, body) = answer.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let stream = futures_util::stream::unfold(0usize, move |at| {
        let bytes = bytes.clone();
        async move {
            if at >= bytes.len() {
                return None;
            }
            tokio::time::sleep(every).await;
            let end = (at + chunk).min(bytes.len());
            Some((Ok::<Bytes, io::Error>(bytes.slice(at..end)), end))
        }
    });
    Response::from_parts(head, Body::from_stream(stream))
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

    #[test]
    fn error_bodies_carry_apples_extra_members() {
        let Fault::Answer { status, body, .. } = Fault::agreements_missing() else {
            panic!("not an answer");
        };
        assert_eq!(status, 403);
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        let e = &v["errors"][0];
        assert_eq!(
            e["code"],
            "FORBIDDEN.REQUIRED_AGREEMENTS_MISSING_OR_EXPIRED"
        );
        assert_eq!(e["links"]["see"], "/agreements");
        assert_eq!(e["status"], "403");
        let v = apple::error_body(
            409,
            "STATE_ERROR",
            "t",
            "d",
            serde_json::json!({"meta": {"associatedErrors": {"/v1/x/1": []}}}),
        );
        assert!(v["errors"][0]["meta"]["associatedErrors"]["/v1/x/1"].is_array());
        assert_eq!(v["errors"][0]["detail"], "d");
    }
}
