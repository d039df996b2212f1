//! The stand-in's metrics answers against Apple's schemas (the extract in
//! `fixtures/asc/metrics/openapi-metrics-3.7.json`), so it cannot drift.

use asc_standin::Standin;
use asc_standin::metrics::{APP_ID, BUILD_ID, VENDOR};
use serde_json::Value;

use crate::support::openapi::assert_shape;
use crate::support::standin::api_get as get;

fn openapi() -> Value {
    crate::support::openapi::load("metrics/openapi-metrics-3.7.json")
}

#[track_caller]
fn json(server: &Standin, path: &str, accept: &str) -> Value {
    let (status, body) = get(server, path, accept);
    assert_eq!(status, 200, "{path}: {}", String::from_utf8_lossy(&body));
    serde_json::from_slice(&body).unwrap()
}

#[test]
fn standin_metrics_answers_have_apples_shapes() {
    let root = openapi();
    let s = Standin::start();
    let j = "application/json";
    let v = json(&s, &format!("/v1/apps/{APP_ID}/analyticsReportRequests"), j);
    assert_shape(&root, "AnalyticsReportRequestsResponse", &v);
    let req = v["data"][0]["id"].as_str().unwrap().to_owned();
    let v = json(&s, &format!("/v1/analyticsReportRequests/{req}/reports"), j);
    assert_shape(&root, "AnalyticsReportsResponse", &v);
    let report = v["data"][0]["id"].as_str().unwrap().to_owned();
    let v = json(&s, &format!("/v1/analyticsReports/{report}/instances"), j);
    assert_shape(&root, "AnalyticsReportInstancesResponse", &v);
    let instance = v["data"][0]["id"].as_str().unwrap().to_owned();
    let v = json(
        &s,
        &format!("/v1/analyticsReportInstances/{instance}/segments"),
        j,
    );
    assert_shape(&root, "AnalyticsReportSegmentsResponse", &v);
    let v = json(
        &s,
        &format!("/v1/builds/{BUILD_ID}/diagnosticSignatures"),
        j,
    );
    assert_shape(&root, "DiagnosticSignaturesResponse", &v);
    let v = json(
        &s,
        "/v1/diagnosticSignatures/sig-hang-1/logs",
        "application/vnd.apple.diagnostic-logs+json",
    );
    assert_shape(&root, "diagnosticLogs", &v);
    let v = json(
        &s,
        &format!("/v1/apps/{APP_ID}/perfPowerMetrics"),
        "application/vnd.apple.xcode-metrics+json",
    );
    assert_shape(&root, "xcodeMetrics", &v);
    // Reports come gzip-compressed, and only to those who ask for it.
    let path = format!(
        "/v1/salesReports?filter[frequency]=DAILY&filter[reportDate]=2026-11-20&filter[reportSubType]=SUMMARY&filter[reportType]=SALES&filter[vendorNumber]={VENDOR}"
    );
    let (status, body) = get(&s, &path, "application/a-gzip");
    assert_eq!(status, 200);
    assert_eq!(&body[..2], &[0x1f, 0x8b], "gzip magic");
    let (status, body) = get(&s, &path, "application/json");
    assert_eq!(status, 406);
    assert_shape(
        &root,
        "ErrorResponse",
        &serde_json::from_slice(&body).unwrap(),
    );
    for path in [
        "/v1/analyticsReports/nope/instances",
        "/v1/builds/nope/diagnosticSignatures",
    ] {
        let (status, body) = get(&s, path, j);
        assert_eq!(status, 404, "{path}");
        assert_shape(
            &root,
            "ErrorResponse",
            &serde_json::from_slice(&body).unwrap(),
        );
    }
}

#[test]
fn the_analytics_request_body_is_apples_create_request() {
    use ascvault::asc::analytics::{Access, create_request_body};
    for access in [Access::Ongoing, Access::Snapshot] {
        let body = create_request_body(APP_ID, access);
        assert_shape(&openapi(), "AnalyticsReportRequestCreateRequest", &body);
    }
}

/// Apple's own example bodies pass the same check: the checker is no
/// stricter than Apple (so the stand-in's check means something).
#[test]
fn apples_example_metrics_bodies_pass_the_shape_check() {
    let root = openapi();
    for (file, schema) in [
        (
            "analyticsReportRequests_appledoc.json",
            "AnalyticsReportRequestsResponse",
        ),
        (
            "analyticsReportRequest_post_appledoc.json",
            "AnalyticsReportRequestResponse",
        ),
        (
            "analyticsReport_single_appledoc.json",
            "AnalyticsReportResponse",
        ),
        (
            "analyticsReportInstances_appledoc.json",
            "AnalyticsReportInstancesResponse",
        ),
        (
            "analyticsReportSegments_appledoc.json",
            "AnalyticsReportSegmentsResponse",
        ),
        ("perfPowerMetrics_build_appledoc.json", "xcodeMetrics"),
        (
            "diagnosticSignatures_appledoc.json",
            "DiagnosticSignaturesResponse",
        ),
        ("diagnosticLogs_appledoc.json", "diagnosticLogs"),
    ] {
        let Some(doc) = crate::support::real::json(file) else {
            return;
        };
        assert_shape(&root, schema, &doc);
    }
}
