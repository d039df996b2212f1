//! The last step of every answer the stand-in writes itself (not one a test
//! forged): links made absolute on the host the client used, as every link
//! in Apple's bodies is (`https://api.appstoreconnect.apple.com/v1/…`), so
//! an area may write `/v1/…` paths; then the answer kept in the request log
//! (status, media type, JSON body) for the contract test.

use axum::body::{Body, Bytes, HttpBody};
use axum::http::header;
use axum::response::Response;
use serde_json::Value;

use crate::state::{Answered, Shared};

/// Finishes the answer to request number `n` of the log, sent to `host`.
pub async fn keep(shared: &Shared, n: usize, host: &str, resp: Response) -> Response {
    let content_type = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let status = resp.status().as_u16();
    // Only bodies of known, moderate size: streams (reports, drips) pass
    // untouched.
    let small = resp
        .body()
        .size_hint()
        .exact()
        .is_some_and(|len| len <= Answered::KEPT_BYTES);
    let json = content_type.as_deref().is_some_and(|c| c.contains("json"));
    let (resp, body) = if small && json {
        let (mut head, body) = resp.into_parts();
        match axum::body::to_bytes(body, Answered::KEPT_BYTES as usize).await {
            Ok(bytes) => {
                let bytes = match absolute(&bytes, host) {
                    Some(rewritten) => {
                        head.headers.remove(header::CONTENT_LENGTH);
                        Bytes::from(rewritten)
                    }
                    None => bytes,
                };
                let kept = bytes.to_vec();
                (Response::from_parts(head, Body::from(bytes)), Some(kept))
            }
            Err(_) => (Response::from_parts(head, Body::empty()), None),
        }
    } else {
        (resp, None)
    };
    shared.answered(
        n,
        Answered {
            status,
            content_type,
            body,
        },
    );
    resp
}

/// The JSON body with every path-only link (`"links": {"self": "/v1/…"}`)
/// made `http://{host}/v1/…`, or `None` when nothing changed.
fn absolute(body: &[u8], host: &str) -> Option<Vec<u8>> {
    let mut v: Value = serde_json::from_slice(body).ok()?;
    let mut changed = false;
    walk(&mut v, host, &mut changed);
    changed.then(|| serde_json::to_vec(&v).ok()).flatten()
}

fn walk(v: &mut Value, host: &str, changed: &mut bool) {
    match v {
        Value::Object(obj) => {
            for (k, x) in obj.iter_mut() {
                if k == "links"
                    && let Value::Object(links) = x
                {
                    for link in links.values_mut() {
                        if let Value::String(s) = link
                            && s.starts_with('/')
                        {
                            *s = format!("http://{host}{s}");
                            *changed = true;
                        }
                    }
                } else {
                    walk(x, host, changed);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|x| walk(x, host, changed)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_only_links_become_absolute_and_others_stay() {
        let body = br#"{"data":[{"links":{"self":"/v1/a/1"},"attributes":{"url":"/x"}}],"links":{"self":"http://h/v1/a","next":"/v1/a?cursor=x"}}"#;
        let out: Value = serde_json::from_slice(&absolute(body, "127.0.0.1:9").unwrap()).unwrap();
        assert_eq!(out["data"][0]["links"]["self"], "http://127.0.0.1:9/v1/a/1");
        assert_eq!(out["data"][0]["attributes"]["url"], "/x");
        assert_eq!(out["links"]["self"], "http://h/v1/a");
        assert_eq!(out["links"]["next"], "http://127.0.0.1:9/v1/a?cursor=x");
        assert!(absolute(br#"{"links":{"self":"http://h/"}}"#, "h").is_none());
    }
}
