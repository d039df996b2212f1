//! Power and performance metrics of an app or a build
//! (`GET /v1/apps/{id}/perfPowerMetrics`, `GET /v1/builds/{id}/perfPowerMetrics`),
//! served as `application/vnd.apple.xcode-metrics+json` from the fixture,
//! filtered by metric type and device.

use std::collections::BTreeMap;

use axum::extract::{Path, Query};
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::Value;

use super::{APP_ID, BUILD_ID, Params};
use crate::apple::{self, accepts, not_acceptable, served_as};

const PERF_JSON: &str = include_str!("../../../fixtures/asc/metrics/perf-power-metrics.json");

fn perf(headers: &HeaderMap, q: &BTreeMap<String, String>) -> Response {
    const MEDIA: &str = "application/vnd.apple.xcode-metrics+json";
    if !accepts(headers, MEDIA) {
        return not_acceptable(MEDIA);
    }
    let mut doc: Value = serde_json::from_str(PERF_JSON).unwrap_or_default();
    let types: Option<Vec<String>> = q
        .get("filter[metricType]")
        .map(|t| t.split(',').map(str::to_owned).collect());
    let device = q.get("filter[deviceType]").cloned();
    if let Some(products) = doc["productData"].as_array_mut() {
        for p in products {
            if let Some(cats) = p["metricCategories"].as_array_mut() {
                if let Some(types) = &types {
                    cats.retain(|c| {
                        types
                            .iter()
                            .any(|t| c["identifier"].as_str() == Some(t.as_str()))
                    });
                }
                if let Some(device) = &device {
                    for c in cats.iter_mut() {
                        if let Some(metrics) = c["metrics"].as_array_mut() {
                            for m in metrics {
                                if let Some(ds) = m["datasets"].as_array_mut() {
                                    ds.retain(|d| {
                                        d["filterCriteria"]["device"].as_str()
                                            == Some(device.as_str())
                                    });
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    served_as(MEDIA, doc.to_string())
}

pub(super) async fn app_perf(
    Path(app): Path<String>,
    headers: HeaderMap,
    Query(q): Params,
) -> Response {
    if app != APP_ID {
        return apple::not_found("apps", &app);
    }
    perf(&headers, &q)
}

pub(super) async fn build_perf(
    Path(build): Path<String>,
    headers: HeaderMap,
    Query(q): Params,
) -> Response {
    if build != BUILD_ID {
        return apple::not_found("builds", &build);
    }
    perf(&headers, &q)
}
