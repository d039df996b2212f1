//! JSON:API shapes of the resources ascvault reads and writes, after Apple's
//! OpenAPI description (3.7): apps, customerReviews, customerReviewResponses,
//! list and single documents. Unknown fields are ignored; fields Apple may
//! leave out are `Option`s; a resource without `attributes` (or with
//! `null`) has default ones, and numbers are read whether Apple writes them
//! as integers or decimals ([`lenient`]): one odd value must not abort a
//! whole listing.

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
#[serde(bound(deserialize = "A: Deserialize<'de> + Default, R: Deserialize<'de>"))]
pub struct Resource<A, R = serde_json::Value> {
    /// The id.
    pub id: String,
    /// The type.
    #[serde(rename = "type")]
    pub kind: String,
    /// The attributes (all absent when Apple leaves them out or sends `null`).
    #[serde(default, deserialize_with = "lenient::or_default")]
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
    /// 1 to 5 stars (`4` or `4.0`).
    #[serde(default, deserialize_with = "lenient::count")]
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

/// Deserializers as tolerant as Apple's data: Apple's generated clients read
/// a JSON number into a number whatever its form, and `null` as absent.
pub mod lenient {
    use serde::{Deserialize, Deserializer};
    use serde_json::Value;

    /// `null` or absent is `T::default()`.
    pub fn or_default<'de, D, T>(de: D) -> Result<T, D::Error>
    where
        D: Deserializer<'de>,
        T: Deserialize<'de> + Default,
    {
        Ok(Option::<T>::deserialize(de)?.unwrap_or_default())
    }

    /// Any JSON number (`10`, `0.5`, `1e3`); `null` is `None`. Anything else
    /// (a string, say) is `None` too: a goal bound is not worth failing for.
    pub fn number<'de, D: Deserializer<'de>>(de: D) -> Result<Option<f64>, D::Error> {
        Ok(Value::deserialize(de)?.as_f64())
    }

    /// A whole number written as an integer or a decimal (`4`, `4.0`);
    /// `None` when it is not a whole number in `T`'s range.
    pub fn count<'de, D, T>(de: D) -> Result<Option<T>, D::Error>
    where
        D: Deserializer<'de>,
        T: TryFrom<u64>,
    {
        let whole = match Value::deserialize(de)? {
            Value::Number(n) => n.as_u64().or_else(|| {
                n.as_f64()
                    .filter(|f| f.fract() == 0.0 && *f >= 0.0 && *f <= u64::MAX as f64)
                    .map(|f| f as u64)
            }),
            _ => None,
        };
        Ok(whole.and_then(|w| T::try_from(w).ok()))
    }

    /// Versions as one string (`"2.1,2.2"`, Apple's schema) or an array of
    /// strings (joined with `,`).
    pub fn versions<'de, D: Deserializer<'de>>(de: D) -> Result<Option<String>, D::Error> {
        Ok(match Value::deserialize(de)? {
            Value::String(s) => Some(s),
            Value::Array(items) => Some(
                items
                    .iter()
                    .filter_map(|v| match v {
                        Value::String(s) => Some(s.clone()),
                        Value::Number(n) => Some(n.to_string()),
                        _ => v["version"].as_str().map(str::to_owned),
                    })
                    .collect::<Vec<_>>()
                    .join(","),
            ),
            _ => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_resource_without_attributes_has_default_ones() {
        for text in [
            r#"{"type":"apps","id":"1"}"#,
            r#"{"type":"apps","id":"1","attributes":null}"#,
        ] {
            let app: App = serde_json::from_str(text).unwrap();
            assert_eq!(app.id, "1");
            assert_eq!(app.attributes.name, None);
        }
    }

    #[test]
    fn a_rating_may_be_written_as_a_decimal() {
        let review = |rating: &str| -> CustomerReview {
            serde_json::from_str(&format!(
                r#"{{"type":"customerReviews","id":"r","attributes":{{"rating":{rating},"title":"t"}}}}"#
            ))
            .unwrap()
        };
        assert_eq!(review("4.0").attributes.rating, Some(4));
        assert_eq!(review("5").attributes.rating, Some(5));
        assert_eq!(review("null").attributes.rating, None);
        // Not a star count: the review is still read, without a rating.
        assert_eq!(review("4.5").attributes.rating, None);
        assert_eq!(review("400").attributes.rating, None);
        assert_eq!(review("4.5").attributes.title.as_deref(), Some("t"));
    }
}
