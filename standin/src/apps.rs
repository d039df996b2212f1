//! `GET /v1/apps` (filters by bundle id, name, sku, id; paged) and
//! `GET /v1/apps/{id}`. An app looks like the one codemagic recorded from
//! Apple: attributes beyond the four ascvault shows, `null` subscription
//! URLs, relationships with absolute `self` and `related` links (only
//! `related` for `perfPowerMetrics`, only `self` for `betaTesters`), and an
//! absolute `links.self`. `fields[apps]` is a sparse fieldset, as at Apple:
//! only the attributes and relationships it names are sent (no
//! `attributes` at all when it names none).

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
    let me = format!("http://{host}/v1/apps/{}", a.id);
    let mut relationships = serde_json::Map::new();
    for name in [
        "analyticsReportRequests",
        "appStoreVersions",
        "builds",
        "customerReviews",
    ] {
        relationships.insert(
            name.into(),
            json!({"links": {
                "self": format!("{me}/relationships/{name}"),
                "related": format!("{me}/{name}"),
            }}),
        );
    }
    relationships.insert(
        "betaTesters".into(),
        json!({"links": {"self": format!("{me}/relationships/betaTesters")}}),
    );
    relationships.insert(
        "perfPowerMetrics".into(),
        json!({"links": {"related": format!("{me}/perfPowerMetrics")}}),
    );
    json!({
        "type": "apps",
        "id": a.id,
        "attributes": {
            "name": a.name,
            "bundleId": a.bundle_id,
            "sku": a.sku,
            "primaryLocale": "en-US",
            "isOrEverWasMadeForKids": false,
            "contentRightsDeclaration": "DOES_NOT_USE_THIRD_PARTY_CONTENT",
            "subscriptionStatusUrl": null,
            "subscriptionStatusUrlForSandbox": null,
            "subscriptionStatusUrlVersion": null,
            "subscriptionStatusUrlVersionForSandbox": null,
        },
        "relationships": relationships,
        "links": { "self": me },
    })
}

/// The resource cut to the sparse fieldset `fields[apps]`, if the query has one.
fn sparse(mut v: Value, query: &str) -> Value {
    let Some((_, fields)) = url_params(query)
        .into_iter()
        .find(|(k, _)| k == "fields[apps]")
    else {
        return v;
    };
    let wanted: Vec<&str> = fields.split(',').collect();
    for part in ["attributes", "relationships"] {
        if let Some(obj) = v[part].as_object_mut() {
            obj.retain(|k, _| wanted.contains(&k.as_str()));
            if obj.is_empty()
                && let Some(o) = v.as_object_mut()
            {
                o.remove(part);
            }
        }
    }
    v
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
        .map(|a| sparse(resource(&h, a), query))
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
    let h = host(&headers);
    // Absolute, like every link Apple sends (the request's own URI is only
    // a path here).
    let this = format!("http://{h}{}", uri.path());
    Ok(json_status(
        StatusCode::OK,
        json!({
            "data": sparse(resource(&h, a), uri.query().unwrap_or("")),
            "links": { "self": this },
        }),
    ))
}
