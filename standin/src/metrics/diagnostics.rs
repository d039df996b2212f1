//! Diagnostics of a build: its signatures
//! (`GET /v1/builds/{id}/diagnosticSignatures`, filtered by type) and a
//! signature's logs (`GET /v1/diagnosticSignatures/{id}/logs`, served as
//! `application/vnd.apple.diagnostic-logs+json`), from the fixtures.

use axum::extract::{Path, Query};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use serde_json::{Value, json};

use super::{BUILD_ID, Params};
use crate::apple::{self, accepts, json_status, not_acceptable, served_as};

const SIGNATURES_JSON: &str =
    include_str!("../../../fixtures/asc/metrics/diagnostic-signatures.json");
const LOGS_JSON: &str = include_str!("../../../fixtures/asc/metrics/diagnostic-logs.json");

pub(super) async fn signatures(
    Path(build): Path<String>,
    Query(q): Params,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    if build != BUILD_ID {
        return apple::not_found("builds", &build);
    }
    let (offset, limit) = match apple::page_params(uri.query().unwrap_or("")) {
        Ok(page) => page,
        Err(answer) => return answer,
    };
    let mut doc: Value = serde_json::from_str(SIGNATURES_JSON).unwrap_or_default();
    let mut data: Vec<Value> = doc["data"].as_array().cloned().unwrap_or_default();
    if let Some(kind) = q.get("filter[diagnosticType]") {
        data.retain(|s| {
            kind.split(',')
                .any(|k| s["attributes"]["diagnosticType"].as_str() == Some(k))
        });
    }
    let total = data.len();
    // As Apple's example: absolute links, each signature's own and its logs'.
    let base = format!("http://{}/v1/diagnosticSignatures", apple::host(&headers));
    let page: Vec<Value> = data
        .into_iter()
        .skip(offset)
        .take(limit)
        .map(|mut s| {
            let id = s["id"].as_str().unwrap_or_default().to_owned();
            s["links"] = json!({ "self": format!("{base}/{id}") });
            s["relationships"] =
                json!({ "logs": { "links": { "related": format!("{base}/{id}/logs") } } });
            s
        })
        .collect();
    doc["data"] = Value::Array(page);
    doc["links"] = apple::page_links(&headers, &uri, offset, limit, total);
    doc["meta"] = json!({ "paging": { "total": total, "limit": limit } });
    json_status(StatusCode::OK, doc)
}

pub(super) async fn logs(Path(sig): Path<String>, headers: HeaderMap) -> Response {
    const MEDIA: &str = "application/vnd.apple.diagnostic-logs+json";
    if !accepts(&headers, MEDIA) {
        return not_acceptable(MEDIA);
    }
    let known: Value = serde_json::from_str(SIGNATURES_JSON).unwrap_or_default();
    let exists = known["data"]
        .as_array()
        .is_some_and(|d| d.iter().any(|s| s["id"] == sig.as_str()));
    if !exists {
        return apple::not_found("diagnosticSignatures", &sig);
    }
    served_as(MEDIA, LOGS_JSON.replace("SIGNATURE", &sig))
}
