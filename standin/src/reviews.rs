//! Customer reviews and developer responses:
//! `GET /v1/apps/{id}/customerReviews` (filters, sort, paging, include),
//! `GET /v1/customerReviews/{id}` and `…/response`,
//! `POST /v1/customerReviewResponses` (creates or replaces; `PENDING_PUBLISH`),
//! `GET` and `DELETE /v1/customerReviewResponses/{id}`; Apple's summaries
//! of the reviews ([`crate::summaries`]) are served alongside.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::apple::{
    self, Answer, bad_parameter, body_not_json, found, host, json_status, page_links, page_params,
};
use crate::state::{ResponseRecord, Review, Shared, url_params};

/// This area's routes.
pub fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/v1/apps/{id}/customerReviews", get(list))
        .route("/v1/customerReviews/{id}", get(one))
        .route("/v1/customerReviews/{id}/response", get(response_of))
        .route("/v1/customerReviewResponses", post(create))
        .route(
            "/v1/customerReviewResponses/{id}",
            get(response_one).delete(delete),
        )
        .merge(crate::summaries::routes())
}

fn review_json(host: &str, r: &Review, response: Option<&ResponseRecord>, include: bool) -> Value {
    let mut rel = json!({
        "links": {
            "self": format!("http://{host}/v1/customerReviews/{}/relationships/response", r.id),
            "related": format!("http://{host}/v1/customerReviews/{}/response", r.id),
        }
    });
    // The OpenAPI description has no null here: without a response, no `data`.
    if include && let Some(resp) = response {
        rel["data"] = json!({"type": "customerReviewResponses", "id": resp.id});
    }
    json!({
        "type": "customerReviews",
        "id": r.id,
        "attributes": {
            "rating": r.rating,
            "title": r.title,
            "body": r.body,
            "reviewerNickname": r.nickname,
            "createdDate": r.created,
            "territory": r.territory,
        },
        "relationships": { "response": rel },
        "links": { "self": format!("http://{host}/v1/customerReviews/{}", r.id) },
    })
}

fn response_json(host: &str, r: &ResponseRecord) -> Value {
    json!({
        "type": "customerReviewResponses",
        "id": r.id,
        "attributes": {
            "responseBody": r.body,
            "lastModifiedDate": r.last_modified,
            "state": r.state,
        },
        // Apple's description declares only `data` for this relationship.
        "relationships": {
            "review": { "data": { "type": "customerReviews", "id": r.review_id } }
        },
        "links": { "self": format!("http://{host}/v1/customerReviewResponses/{}", r.id) },
    })
}

async fn list(
    State(s): State<Arc<Shared>>,
    Path(app_id): Path<String>,
    headers: HeaderMap,
    uri: Uri,
) -> Answer {
    let query = uri.query().unwrap_or("");
    let (offset, limit) = page_params(query)?;
    let data = apple::data(&s)?;
    if !data.apps.iter().any(|a| a.id == app_id) {
        return Err(apple::not_found("apps", &app_id));
    }
    let mut ratings: Option<Vec<u8>> = None;
    let mut territories: Option<Vec<String>> = None;
    let mut published: Option<bool> = None;
    let mut sort = "-createdDate".to_owned();
    let mut include = false;
    for (k, v) in url_params(query) {
        match k.as_str() {
            "filter[rating]" => {
                let parsed: Option<Vec<u8>> = v
                    .split(',')
                    .map(|x| x.parse::<u8>().ok().filter(|r| (1..=5).contains(r)))
                    .collect();
                match parsed {
                    Some(p) => ratings = Some(p),
                    None => return Err(bad_parameter("filter[rating]", "must be 1 to 5")),
                }
            }
            "filter[territory]" => territories = Some(v.split(',').map(str::to_owned).collect()),
            "exists[publishedResponse]" => match v.as_str() {
                "true" => published = Some(true),
                "false" => published = Some(false),
                _ => {
                    return Err(bad_parameter(
                        "exists[publishedResponse]",
                        "must be true or false",
                    ));
                }
            },
            "sort" => {
                if !["rating", "-rating", "createdDate", "-createdDate"].contains(&v.as_str()) {
                    return Err(bad_parameter("sort", "unknown sort"));
                }
                sort = v;
            }
            "include" => include = v.split(',').any(|x| x == "response"),
            _ => {}
        }
    }
    let mut matching: Vec<&Review> = data
        .reviews
        .iter()
        .filter(|r| r.app_id == app_id)
        .filter(|r| ratings.as_ref().is_none_or(|rs| rs.contains(&r.rating)))
        .filter(|r| {
            territories
                .as_ref()
                .is_none_or(|ts| ts.contains(&r.territory))
        })
        .filter(|r| {
            published.is_none_or(|want| {
                let has = data
                    .responses
                    .get(&r.id)
                    .is_some_and(|resp| resp.state == "PUBLISHED");
                has == want
            })
        })
        .collect();
    let date = |r: &Review| OffsetDateTime::parse(&r.created, &Rfc3339).ok();
    match sort.as_str() {
        "createdDate" => matching.sort_by_cached_key(|r| date(r)),
        "-createdDate" => matching.sort_by_cached_key(|r| std::cmp::Reverse(date(r))),
        "rating" => matching.sort_by_cached_key(|r| (r.rating, std::cmp::Reverse(date(r)))),
        _ => matching
            .sort_by_cached_key(|r| (std::cmp::Reverse(r.rating), std::cmp::Reverse(date(r)))),
    }
    let h = host(&headers);
    let page: Vec<&Review> = matching.iter().skip(offset).take(limit).copied().collect();
    let data_json: Vec<Value> = page
        .iter()
        .map(|r| review_json(&h, r, data.responses.get(&r.id), include))
        .collect();
    let mut doc = json!({
        "data": data_json,
        "links": page_links(&headers, &uri, offset, limit, matching.len()),
        "meta": { "paging": { "total": matching.len(), "limit": limit } },
    });
    if include {
        let included: Vec<Value> = page
            .iter()
            .filter_map(|r| data.responses.get(&r.id))
            .map(|resp| response_json(&h, resp))
            .collect();
        doc["included"] = Value::Array(included);
    }
    Ok(json_status(StatusCode::OK, doc))
}

async fn one(
    State(s): State<Arc<Shared>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    uri: Uri,
) -> Answer {
    let data = apple::data(&s)?;
    let review = found(
        data.reviews.iter().find(|r| r.id == id),
        "customerReviews",
        &id,
    )?;
    let include = url_params(uri.query().unwrap_or(""))
        .iter()
        .any(|(k, v)| k == "include" && v.split(',').any(|x| x == "response"));
    let h = host(&headers);
    let response = data.responses.get(&id);
    let mut doc = json!({
        "data": review_json(&h, review, response, include),
        "links": { "self": format!("http://{h}{}", uri.path()) },
    });
    if include {
        doc["included"] =
            Value::Array(response.map(|r| response_json(&h, r)).into_iter().collect());
    }
    Ok(json_status(StatusCode::OK, doc))
}

/// A `CustomerReviewResponseV1Response` for one response.
fn response_document(headers: &HeaderMap, r: &ResponseRecord) -> Response {
    let h = host(headers);
    json_status(
        StatusCode::OK,
        json!({
            "data": response_json(&h, r),
            "links": { "self": format!("http://{h}/v1/customerReviewResponses/{}", r.id) },
        }),
    )
}

async fn response_of(
    State(s): State<Arc<Shared>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Answer {
    let data = apple::data(&s)?;
    if !data.reviews.iter().any(|r| r.id == id) {
        return Err(apple::not_found("customerReviews", &id));
    }
    let r = found(
        data.responses.get(&id),
        "customerReviewResponses",
        &format!("response of {id}"),
    )?;
    Ok(response_document(&headers, r))
}

async fn response_one(
    State(s): State<Arc<Shared>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Answer {
    let data = apple::data(&s)?;
    let r = found(
        data.responses.values().find(|r| r.id == id),
        "customerReviewResponses",
        &id,
    )?;
    Ok(response_document(&headers, r))
}

fn entity_error(detail: &str) -> Response {
    apple::error(422, "ENTITY_ERROR", "The request entity is invalid", detail)
}

async fn create(State(s): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Answer {
    let Ok(req) = serde_json::from_slice::<Value>(&body) else {
        return Err(body_not_json());
    };
    let data_obj = &req["data"];
    if data_obj["type"] != "customerReviewResponses" {
        return Err(apple::error(
            409,
            "ENTITY_ERROR.INCORRECT_TYPE",
            "The provided entity has the wrong type",
            "Expected 'customerReviewResponses'",
        ));
    }
    let Some(text) = data_obj["attributes"]["responseBody"].as_str() else {
        return Err(entity_error("'responseBody' is required"));
    };
    if text.trim().is_empty() {
        return Err(entity_error("'responseBody' must not be empty"));
    }
    if text.chars().count() > 5970 {
        return Err(entity_error(
            "'responseBody' is longer than 5970 characters",
        ));
    }
    let review_ref = &data_obj["relationships"]["review"]["data"];
    let (Some("customerReviews"), Some(review_id)) =
        (review_ref["type"].as_str(), review_ref["id"].as_str())
    else {
        return Err(entity_error("'relationships.review' is required"));
    };
    let mut data = apple::data(&s)?;
    if !data.reviews.iter().any(|r| r.id == review_id) {
        return Err(apple::not_found("customerReviews", review_id));
    }
    let n = data.next_response;
    data.next_response += 1;
    let record = ResponseRecord {
        id: format!("20000000-0000-4000-8000-{n:012}"),
        review_id: review_id.to_owned(),
        body: text.to_owned(),
        last_modified: crate::dates::pacific(OffsetDateTime::now_utc()),
        state: "PENDING_PUBLISH".into(),
    };
    let h = host(&headers);
    let doc = json!({
        "data": response_json(&h, &record),
        "links": { "self": format!("http://{h}/v1/customerReviewResponses/{}", record.id) },
    });
    // One response per review: a new one replaces the old.
    data.responses.insert(review_id.to_owned(), record);
    Ok(json_status(StatusCode::CREATED, doc))
}

async fn delete(State(s): State<Arc<Shared>>, Path(id): Path<String>) -> Answer {
    let mut data = apple::data(&s)?;
    let key = data
        .responses
        .iter()
        .find(|(_, r)| r.id == id)
        .map(|(k, _)| k.clone());
    let key = found(key, "customerReviewResponses", &id)?;
    data.responses.remove(&key);
    Ok(StatusCode::NO_CONTENT.into_response())
}
