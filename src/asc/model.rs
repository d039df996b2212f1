//! JSON:API shapes of the resources ascvault reads and writes, after Apple's
//! OpenAPI description (3.7): apps, customerReviews, customerReviewResponses,
//! list and single documents. Unknown fields are ignored; fields Apple may
//! leave out are `Option`s.

use serde::{Deserialize, Serialize};

use super::client::Paged;

/// `{ "type": …, "id": … }`
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
pub struct ResourceId {
    /// The resource type, e.g. `customerReviewResponses`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The id.
    pub id: String,
}

/// A to-one relationship.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct ToOne {
    /// The related resource, if any.
    #[serde(default)]
    pub data: Option<ResourceId>,
}

/// A resource: id, type, attributes, relationships.
#[derive(Clone, Debug, Deserialize)]
pub struct Resource<A, R = serde_json::Value> {
    /// The id.
    pub id: String,
    /// The type.
    #[serde(rename = "type")]
    pub kind: String,
    /// The attributes.
    pub attributes: A,
    /// The relationships.
    #[serde(default = "Option::default")]
    pub relationships: Option<R>,
}

/// `links` of a list document.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct PagedLinks {
    /// This page.
    #[serde(rename = "self", default)]
    pub this: Option<String>,
    /// The next page, absent on the last.
    #[serde(default)]
    pub next: Option<String>,
}

/// `meta.paging`.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct Paging {
    /// Items in all pages, when Apple says.
    #[serde(default)]
    pub total: Option<u64>,
    /// The page size.
    #[serde(default)]
    pub limit: Option<u64>,
}

/// `meta`.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct Meta {
    /// Paging information.
    #[serde(default)]
    pub paging: Option<Paging>,
}

/// A list document: `data`, `included`, `links`, `meta`.
#[derive(Clone, Debug, Deserialize)]
pub struct ListDocument<T, I = serde_json::Value> {
    /// The page's resources.
    pub data: Vec<T>,
    /// Related resources asked for with `include`.
    #[serde(default = "Vec::new")]
    pub included: Vec<I>,
    /// Links (next page).
    #[serde(default)]
    pub links: PagedLinks,
    /// Paging information.
    #[serde(default)]
    pub meta: Option<Meta>,
}

impl<T, I> Paged for ListDocument<T, I> {
    fn next_link(&self) -> Option<&str> {
        self.links.next.as_deref()
    }

    fn is_empty_page(&self) -> bool {
        self.data.is_empty()
    }
}

/// A single-resource document.
#[derive(Clone, Debug, Deserialize)]
pub struct SingleDocument<T, I = serde_json::Value> {
    /// The resource.
    pub data: T,
    /// Related resources asked for with `include`.
    #[serde(default = "Vec::new")]
    pub included: Vec<I>,
}

/// `App.attributes` (the fields ascvault shows).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppAttributes {
    /// The app's name.
    #[serde(default)]
    pub name: Option<String>,
    /// The bundle id.
    #[serde(default)]
    pub bundle_id: Option<String>,
    /// The SKU.
    #[serde(default)]
    pub sku: Option<String>,
    /// The primary locale.
    #[serde(default)]
    pub primary_locale: Option<String>,
}

/// An `apps` resource.
pub type App = Resource<AppAttributes>;

/// `CustomerReview.attributes`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerReviewAttributes {
    /// 1 to 5 stars.
    #[serde(default)]
    pub rating: Option<u8>,
    /// The title.
    #[serde(default)]
    pub title: Option<String>,
    /// The text.
    #[serde(default)]
    pub body: Option<String>,
    /// The reviewer's nickname.
    #[serde(default)]
    pub reviewer_nickname: Option<String>,
    /// When it was written (RFC 3339).
    #[serde(default)]
    pub created_date: Option<String>,
    /// The territory (ISO 3166-1 alpha-3).
    #[serde(default)]
    pub territory: Option<String>,
}

/// `CustomerReview.relationships`.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct CustomerReviewRelationships {
    /// The developer response.
    #[serde(default)]
    pub response: Option<ToOne>,
}

/// A `customerReviews` resource.
pub type CustomerReview = Resource<CustomerReviewAttributes, CustomerReviewRelationships>;

/// `CustomerReviewResponseV1.attributes`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerReviewResponseAttributes {
    /// The response text.
    #[serde(default)]
    pub response_body: Option<String>,
    /// When it last changed (RFC 3339).
    #[serde(default)]
    pub last_modified_date: Option<String>,
    /// `PENDING_PUBLISH` or `PUBLISHED`.
    #[serde(default)]
    pub state: Option<String>,
}

/// `CustomerReviewResponseV1.relationships`.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct CustomerReviewResponseRelationships {
    /// The review answered.
    #[serde(default)]
    pub review: Option<ToOne>,
}

/// A `customerReviewResponses` resource.
pub type CustomerReviewResponse =
    Resource<CustomerReviewResponseAttributes, CustomerReviewResponseRelationships>;

/// `CustomerReviewResponseV1CreateRequest` for a review and a text.
pub fn response_create_request(review_id: &str, body: &str) -> serde_json::Value {
    serde_json::json!({
        "data": {
            "type": "customerReviewResponses",
            "attributes": { "responseBody": body },
            "relationships": {
                "review": { "data": { "type": "customerReviews", "id": review_id } }
            }
        }
    })
}
