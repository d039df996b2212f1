//! Diagnostics of a build: its signatures
//! (`GET /v1/builds/{id}/diagnosticSignatures`, filtered by type) and a
//! signature's logs (`GET /v1/diagnosticSignatures/{id}/logs`, served as
//! `application/vnd.apple.diagnostic-logs+json`), from the fixtures.

use axum::extract::{Path, Query};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::Value;

use super::{BUILD_ID, Params};
use crate::apple::{self, accepts, json_status, not_acceptable, served_as};

const SIGNATURES_JSON: &str =
    include_str!("../../../fixtures/asc/metrics/diagnostic-signatures.json");
const LOGS_JSON: &str = include_str!("../../../fixtures/asc/metrics/diagnostic-logs.json");

pub(super) async fn signatures(Path(build): Path<String>, Query(q): Params) -> Response {
    if build != BUILD_ID {
        return apple::not_found("builds", &build);
    }
    let mut doc: Value = serde_json::from_str(SIGNATURES_JSON).unwrap_or_default();
    if let Some(kind) = q.get("filter[diagnosticType]")
        && let Some(data) = doc["data"].as_array_mut()
    {
        data.retain(|s| {
            kind.split(',')
                .any(|k| s["attributes"]["diagnosticType"].as_str() == Some(k))
        });
    }
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
