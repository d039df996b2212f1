//! The Analytics Reports API: report requests (with the 409 Apple gives for
//! a duplicate and the 403 for a key without the Admin role), the reports of
//! a request, their instances, and the segments of an instance with their
//! checksum, size and "pre-signed" URL.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};

use super::state::{MetricsState, Request, SegmentFault};
use super::{Params, SESSIONS_REPORT, segments};
use crate::apple::{self, Answer, body_not_json, forbidden, found, host, json_status};

fn request_json(r: &Request) -> Value {
    json!({
        "type": "analyticsReportRequests",
        "id": r.id,
        "attributes": { "accessType": r.access, "stoppedDueToInactivity": false },
        "relationships": { "reports": { "links": {
            "related": format!("/v1/analyticsReportRequests/{}/reports", r.id)
        } } },
        "links": { "self": format!("/v1/analyticsReportRequests/{}", r.id) }
    })
}

pub(super) async fn create_request(State(state): State<Arc<MetricsState>>, body: Bytes) -> Answer {
    let Ok(doc) = serde_json::from_slice::<Value>(&body) else {
        return Err(body_not_json());
    };
    let access = doc["data"]["attributes"]["accessType"]
        .as_str()
        .unwrap_or("")
        .to_owned();
    let app = doc["data"]["relationships"]["app"]["data"]["id"]
        .as_str()
        .unwrap_or("")
        .to_owned();
    if doc["data"]["type"] != "analyticsReportRequests"
        || !matches!(access.as_str(), "ONGOING" | "ONE_TIME_SNAPSHOT")
        || app.is_empty()
    {
        return Err(apple::error(
            422,
            "ENTITY_ERROR.ATTRIBUTE.INVALID",
            "An attribute value is not valid.",
            "accessType must be ONGOING or ONE_TIME_SNAPSHOT, with an app relationship.",
        ));
    }
    if !state.lock().admin {
        return Err(forbidden("The API key in use does not allow this request"));
    }
    let exists = state
        .lock()
        .requests
        .iter()
        .any(|r| r.app == app && r.access == access);
    if exists {
        // Apple's code for a duplicate is a STATE_ERROR (its 409s for a
        // resource in the wrong state; spec/METRICS.md §7).
        return Err(apple::error(
            409,
            "STATE_ERROR",
            "The request cannot be fulfilled because of the state of another resource.",
            "An analytics report request with this access type already exists for this app.",
        ));
    }
    let id = state.add_request(&app, &access);
    // A new request gets the catalog's reports at once (Apple takes a day or two).
    state.add_report(&id, SESSIONS_REPORT, "APP_USAGE", Vec::new());
    let r = state.lock().requests.iter().find(|r| r.id == id).cloned();
    let r = found(r, "analyticsReportRequests", &id)?;
    Ok(json_status(
        StatusCode::CREATED,
        json!({ "data": request_json(&r), "links": { "self": format!("/v1/analyticsReportRequests/{id}") } }),
    ))
}

pub(super) async fn list_requests(
    State(state): State<Arc<MetricsState>>,
    Path(app): Path<String>,
) -> Response {
    let inner = state.lock();
    let data: Vec<_> = inner
        .requests
        .iter()
        .filter(|r| r.app == app)
        .map(request_json)
        .collect();
    json_status(
        StatusCode::OK,
        json!({
            "data": data,
            "links": { "self": format!("/v1/apps/{app}/analyticsReportRequests") },
            "meta": { "paging": { "total": data.len(), "limit": 200 } }
        }),
    )
}

pub(super) async fn list_reports(
    State(state): State<Arc<MetricsState>>,
    Path(request): Path<String>,
    Query(q): Params,
) -> Answer {
    let inner = state.lock();
    if !inner.requests.iter().any(|r| r.id == request) {
        return Err(apple::not_found("analyticsReportRequests", &request));
    }
    let category = q.get("filter[category]");
    let name = q.get("filter[name]");
    let data: Vec<_> = inner
        .reports
        .iter()
        .filter(|r| r.request == request)
        .filter(|r| category.is_none_or(|c| c.split(',').any(|c| c == r.category)))
        .filter(|r| name.is_none_or(|n| *n == r.name))
        .map(|r| {
            json!({
                "type": "analyticsReports",
                "id": r.id,
                "attributes": { "name": r.name, "category": r.category },
                "relationships": { "instances": { "links": {
                    "related": format!("/v1/analyticsReports/{}/instances", r.id)
                } } }
            })
        })
        .collect();
    Ok(json_status(
        StatusCode::OK,
        json!({
            "data": data,
            "links": { "self": format!("/v1/analyticsReportRequests/{request}/reports") }
        }),
    ))
}

pub(super) async fn list_instances(
    State(state): State<Arc<MetricsState>>,
    Path(report): Path<String>,
    Query(q): Params,
) -> Answer {
    let inner = state.lock();
    let r = found(
        inner.reports.iter().find(|r| r.id == report),
        "analyticsReports",
        &report,
    )?;
    let granularity = q.get("filter[granularity]");
    let data: Vec<_> = r
        .instances
        .iter()
        .filter(|i| granularity.is_none_or(|g| g.split(',').any(|g| g == i.granularity)))
        .map(|i| {
            json!({
                "type": "analyticsReportInstances",
                "id": i.id,
                "attributes": { "granularity": i.granularity, "processingDate": i.date },
                "relationships": { "segments": { "links": {
                    "related": format!("/v1/analyticsReportInstances/{}/segments", i.id)
                } } }
            })
        })
        .collect();
    Ok(json_status(
        StatusCode::OK,
        json!({
            "data": data,
            "links": { "self": format!("/v1/analyticsReports/{report}/instances") }
        }),
    ))
}

pub(super) async fn list_segments(
    State(state): State<Arc<MetricsState>>,
    Path(instance): Path<String>,
    headers: HeaderMap,
) -> Answer {
    let inner = state.lock();
    let mut instances = inner.reports.iter().flat_map(|r| &r.instances);
    let i = found(
        instances.find(|i| i.id == instance),
        "analyticsReportInstances",
        &instance,
    )?;
    let host = host(&headers);
    let data: Vec<_> = i
        .segments
        .iter()
        .filter_map(|id| inner.segments.get(id).map(|s| (id, s)))
        .map(|(id, s)| {
            let (checksum, size) = match s.defect {
                Some(SegmentFault::WrongChecksum) => {
                    ("0123456789abcdef0123456789abcdef".to_owned(), s.size)
                }
                Some(SegmentFault::WrongSize) => (s.md5.clone(), s.size + 1),
                _ => (s.md5.clone(), s.size),
            };
            json!({
                "type": "analyticsReportSegments",
                "id": id,
                "attributes": {
                    "checksum": checksum,
                    "sizeInBytes": size,
                    "url": format!(
                        "http://{host}{}?X-Amz-Expires=300&X-Amz-Signature=standin{}",
                        segments::path(id),
                        &s.md5[..8]
                    )
                }
            })
        })
        .collect();
    Ok(json_status(
        StatusCode::OK,
        json!({
            "data": data,
            "links": { "self": format!("/v1/analyticsReportInstances/{instance}/segments") }
        }),
    ))
}
