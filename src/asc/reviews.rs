//! Customer reviews and developer responses: listing with filters and a
//! cut-off date that stops paging early, one review with its response,
//! creating (replacing) and deleting the response.

use std::collections::HashMap;

use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::client::{Client, PAGE_LIMIT};
use super::error::AscError;
use super::model::{
    CustomerReview, CustomerReviewResponse, ListDocument, SingleDocument, response_create_request,
};
use super::path_id::path_id;

/// The order of `reviews list`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Sort {
    /// Newest first (`-createdDate`), the default.
    #[default]
    Newest,
    /// Oldest first (`createdDate`).
    Oldest,
    /// Most stars first (`-rating`).
    Best,
    /// Fewest stars first (`rating`).
    Worst,
}

impl Sort {
    /// The API's `sort` value.
    pub fn api(self) -> &'static str {
        match self {
            Sort::Newest => "-createdDate",
            Sort::Oldest => "createdDate",
            Sort::Best => "-rating",
            Sort::Worst => "rating",
        }
    }
}

/// What `reviews list` asks for.
#[derive(Clone, Debug, Default)]
pub struct Query {
    /// Only these star ratings (1–5); empty for all.
    pub ratings: Vec<u8>,
    /// Only these territories (ISO 3166-1 alpha-3); empty for all.
    pub territories: Vec<String>,
    /// Only reviews without a published response.
    pub unanswered: bool,
    /// The order.
    pub sort: Sort,
    /// Only reviews written at or after this instant. With [`Sort::Newest`]
    /// paging stops at the first older review.
    pub since: Option<OffsetDateTime>,
    /// At most this many reviews.
    pub max: Option<usize>,
}

/// A developer response as ascvault shows it (`--json` names are a contract).
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct ResponseInfo {
    /// The response id.
    pub id: String,
    /// The text.
    pub body: Option<String>,
    /// When it last changed.
    pub last_modified_date: Option<String>,
    /// `PENDING_PUBLISH` or `PUBLISHED`.
    pub state: Option<String>,
}

impl From<CustomerReviewResponse> for ResponseInfo {
    fn from(r: CustomerReviewResponse) -> Self {
        ResponseInfo {
            id: r.id,
            body: r.attributes.response_body,
            last_modified_date: r.attributes.last_modified_date,
            state: r.attributes.state,
        }
    }
}

/// A review as ascvault shows it (`--json` names are a contract).
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Review {
    /// The review id.
    pub id: String,
    /// 1 to 5 stars.
    pub rating: Option<u8>,
    /// The title.
    pub title: Option<String>,
    /// The text.
    pub body: Option<String>,
    /// The reviewer's nickname.
    pub reviewer_nickname: Option<String>,
    /// When it was written (RFC 3339, as Apple sent it).
    pub created_date: Option<String>,
    /// The territory.
    pub territory: Option<String>,
    /// The developer response, if there is one.
    pub response: Option<ResponseInfo>,
}

impl Review {
    /// `created_date` parsed.
    pub fn created(&self) -> Option<OffsetDateTime> {
        self.created_date
            .as_deref()
            .and_then(|d| OffsetDateTime::parse(d, &Rfc3339).ok())
    }

    /// Title and body together, for checks that read both.
    pub fn text(&self) -> String {
        format!(
            "{}\n{}",
            self.title.as_deref().unwrap_or(""),
            self.body.as_deref().unwrap_or("")
        )
    }

    fn from_resource(r: CustomerReview, responses: &HashMap<String, ResponseInfo>) -> Review {
        let response = r
            .relationships
            .as_ref()
            .and_then(|rel| rel.response.as_ref())
            .and_then(|to| to.data.as_ref())
            .and_then(|id| responses.get(&id.id).cloned());
        Review {
            id: r.id,
            rating: r.attributes.rating,
            title: r.attributes.title,
            body: r.attributes.body,
            reviewer_nickname: r.attributes.reviewer_nickname,
            created_date: r.attributes.created_date,
            territory: r.attributes.territory,
            response,
        }
    }
}

fn responses_of(included: Vec<serde_json::Value>) -> HashMap<String, ResponseInfo> {
    included
        .into_iter()
        .filter(|v| v.get("type").and_then(|t| t.as_str()) == Some("customerReviewResponses"))
        .filter_map(|v| serde_json::from_value::<CustomerReviewResponse>(v).ok())
        .map(|r| (r.id.clone(), ResponseInfo::from(r)))
        .collect()
}

/// The reviews of one page, each joined with its included response.
pub fn from_page(page: ListDocument<CustomerReview>) -> Vec<Review> {
    let responses = responses_of(page.included);
    page.data
        .into_iter()
        .map(|r| Review::from_resource(r, &responses))
        .collect()
}

/// The first page's path for a query.
pub fn list_path(app_id: &str, q: &Query) -> String {
    let limit = q.max.map_or(PAGE_LIMIT, |m| m.clamp(1, PAGE_LIMIT));
    let mut path = format!(
        "/v1/apps/{app_id}/customerReviews?sort={}&limit={limit}&include=response",
        q.sort.api()
    );
    if !q.ratings.is_empty() {
        let r: Vec<String> = q.ratings.iter().map(u8::to_string).collect();
        path.push_str(&format!("&filter[rating]={}", r.join(",")));
    }
    if !q.territories.is_empty() {
        path.push_str(&format!("&filter[territory]={}", q.territories.join(",")));
    }
    if q.unanswered {
        path.push_str("&exists[publishedResponse]=false");
    }
    path
}

/// The reviews of an app, page by page until the query is satisfied.
pub fn list(client: &Client, app_id: &str, q: &Query) -> Result<Vec<Review>, AscError> {
    path_id("app id", app_id)?;
    let mut out: Vec<Review> = Vec::new();
    let full = |out: &Vec<Review>| q.max.is_some_and(|m| out.len() >= m);
    client.for_each_page(
        &list_path(app_id, q),
        |page: ListDocument<CustomerReview>| {
            for review in from_page(page) {
                if let (Some(since), Some(created)) = (q.since, review.created())
                    && created < since
                {
                    if q.sort == Sort::Newest {
                        // Everything after this is older still: no more pages.
                        return false;
                    }
                    continue;
                }
                out.push(review);
                if full(&out) {
                    return false;
                }
            }
            true
        },
    )?;
    Ok(out)
}

/// One review with its response.
pub fn get(client: &Client, review_id: &str) -> Result<Review, AscError> {
    path_id("review id", review_id)?;
    let doc: SingleDocument<CustomerReview> =
        client.get(&format!("/v1/customerReviews/{review_id}?include=response"))?;
    let responses = responses_of(doc.included);
    Ok(Review::from_resource(doc.data, &responses))
}

/// Creates the developer response (Apple keeps one per review: a new one
/// replaces the old).
pub fn respond(client: &Client, review_id: &str, body: &str) -> Result<ResponseInfo, AscError> {
    path_id("review id", review_id)?;
    let doc: SingleDocument<CustomerReviewResponse> = client.post(
        "/v1/customerReviewResponses",
        &response_create_request(review_id, body),
    )?;
    Ok(doc.data.into())
}

/// Deletes the review's response; `None` when it had none.
pub fn delete_response(client: &Client, review_id: &str) -> Result<Option<ResponseInfo>, AscError> {
    let review = get(client, review_id)?;
    let Some(response) = review.response else {
        return Ok(None);
    };
    path_id("response id", &response.id)?;
    client.delete(&format!("/v1/customerReviewResponses/{}", response.id))?;
    Ok(Some(response))
}
