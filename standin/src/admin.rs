//! Endpoints for people trying ascvault against the running stand-in (tests
//! use the library handle instead): queue a fault, list the requests seen.
//!
//! - `POST /_standin/fault?path=/v1/apps&status=500&times=1`
//!   (also `retry_after=SECS`, `malformed=1`, `slow_ms=MS`; `times=forever`)
//! - `DELETE /_standin/fault` drops every queued fault
//! - `GET /_standin/requests` lists method, path and query of each request

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use axum::routing::{get, post};
use serde_json::json;

use crate::apple::{bad_parameter, json_status};
use crate::state::{Fault, Shared, url_params};

/// This area's routes.
pub fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/_standin/fault", post(add).delete(clear))
        .route("/_standin/requests", get(requests))
}

async fn add(State(s): State<Arc<Shared>>, uri: Uri) -> Response {
    let params = url_params(uri.query().unwrap_or(""));
    let get = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let Some(path) = get("path").filter(|p| p.starts_with('/')) else {
        return bad_parameter(
            "path",
            "give the path prefix the fault applies to, e.g. /v1/apps",
        );
    };
    let times = match get("times") {
        None => 1,
        Some("forever") => u32::MAX,
        Some(n) => match n.parse() {
            Ok(n) => n,
            Err(_) => return bad_parameter("times", "a number or 'forever'"),
        },
    };
    let fault = if get("malformed").is_some() {
        Fault::Malformed
    } else if let Some(ms) = get("slow_ms") {
        match ms.parse() {
            Ok(ms) => Fault::Slow(Duration::from_millis(ms)),
            Err(_) => return bad_parameter("slow_ms", "milliseconds"),
        }
    } else {
        match get("status").map(str::parse::<u16>) {
            Some(Ok(status)) if (400..600).contains(&status) => Fault::Status {
                status,
                retry_after: get("retry_after").and_then(|r| r.parse().ok()),
            },
            _ => return bad_parameter("status", "an HTTP error status, 400 to 599"),
        }
    };
    s.add_fault(get("method"), path, fault.clone(), times);
    json_status(
        StatusCode::CREATED,
        json!({"queued": format!("{fault:?}"), "path": path, "times": times}),
    )
}

async fn clear(State(s): State<Arc<Shared>>) -> StatusCode {
    s.clear_faults();
    StatusCode::NO_CONTENT
}

async fn requests(State(s): State<Arc<Shared>>) -> Response {
    let list: Vec<_> = s
        .requests()
        .into_iter()
        .map(|r| json!({"method": r.method, "path": r.path, "query": r.query}))
        .collect();
    json_status(StatusCode::OK, json!(list))
}
