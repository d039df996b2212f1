//! `GET /v1/apps` (filters by bundle id, name, sku, id; paged) and
//! `GET /v1/apps/{id}`.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::routing::get;
use serde_json::{Value, json};

use crate::apple::{self, Answer, found, host, json_status, page_links, page_params};
use crate::state::{App, Shared, url_params};

/// This area's routes.
pub fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/v1/apps", get(list))
        .route("/v1/apps/{id}", get(one))
}

/// An app resource in Apple's shape.
pub fn resource(host: &str, a: &App) -> Value {
    json!({
        "type": "apps",
        "id": a.id,
        "attributes": {
            "name": a.name,
            "bundleId": a.bundle_id,
            "sku": a.sku,
            "primaryLocale": "en-US",
        },
        "links": { "self": format!("http://{host}/v1/apps/{}", a.id) },
    })
}

async fn list(State(s): State<Arc<Shared>>, headers: HeaderMap, uri: Uri) -> Answer {
    let query = uri.query().unwrap_or("");
    let (offset, limit) = page_params(query)?;
    let params = url_params(query);
    let any_of = |name: &str| -> Option<Vec<String>> {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.split(',').map(str::to_owned).collect())
    };
    let (bundle, name, sku, id) = (
        any_of("filter[bundleId]"),
        any_of("filter[name]"),
        any_of("filter[sku]"),
        any_of("filter[id]"),
    );
    let data = apple::data(&s)?;
    let matching: Vec<&App> = data
        .apps
        .iter()
        .filter(|a| bundle.as_ref().is_none_or(|b| b.contains(&a.bundle_id)))
        .filter(|a| name.as_ref().is_none_or(|n| n.contains(&a.name)))
        .filter(|a| sku.as_ref().is_none_or(|n| n.contains(&a.sku)))
        .filter(|a| id.as_ref().is_none_or(|n| n.contains(&a.id)))
        .collect();
    let h = host(&headers);
    let page: Vec<Value> = matching
        .iter()
        .skip(offset)
        .take(limit)
        .map(|a| resource(&h, a))
        .collect();
    Ok(json_status(
        StatusCode::OK,
        json!({
            "data": page,
            "links": page_links(&headers, &uri, offset, limit, matching.len()),
            "meta": { "paging": { "total": matching.len(), "limit": limit } },
        }),
    ))
}

async fn one(
    State(s): State<Arc<Shared>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    uri: Uri,
) -> Answer {
    let data = apple::data(&s)?;
    let a = found(data.apps.iter().find(|a| a.id == id), "apps", &id)?;
    Ok(json_status(
        StatusCode::OK,
        json!({ "data": resource(&host(&headers), a), "links": { "self": uri.to_string() } }),
    ))
}
