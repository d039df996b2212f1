//! Apple's AI-generated summaries of an app's customer reviews (App Store
//! Connect API 4.0 and later): `GET /v1/apps/{id}/customerReviewSummarizations`,
//! one summary per territory and platform, with its text, locale and date.
//! Apple requires `filter[platform]`; territories are optional. The shapes
//! follow Apple's OpenAPI description 4.4.1 (`fixtures/asc/openapi-summaries-4.4.1.json`);
//! spec/ASC.md §11 says what is verified and what is not.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::client::{Client, PAGE_LIMIT};
use super::error::AscError;
use super::model::{ListDocument, Resource, ToOne};
use super::path_id::path_id;

/// A platform Apple summarizes reviews for (the description's `Platform`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Platform {
    /// `IOS`.
    Ios,
    /// `MAC_OS`.
    MacOs,
    /// `TV_OS`.
    TvOs,
    /// `VISION_OS`.
    VisionOs,
}

impl Platform {
    /// The API's value.
    pub fn api(self) -> &'static str {
        match self {
            Platform::Ios => "IOS",
            Platform::MacOs => "MAC_OS",
            Platform::TvOs => "TV_OS",
            Platform::VisionOs => "VISION_OS",
        }
    }
}

/// `CustomerReviewSummarization.attributes`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SummaryAttributes {
    /// The summary.
    #[serde(default)]
    pub text: Option<String>,
    /// Its language, e.g. `en-US`.
    #[serde(default)]
    pub locale: Option<String>,
    /// `IOS`, `MAC_OS`… (kept as text: a new platform must not fail a listing).
    #[serde(default)]
    pub platform: Option<String>,
    /// When Apple wrote it (RFC 3339).
    #[serde(default)]
    pub created_date: Option<String>,
}

/// `CustomerReviewSummarization.relationships`.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct SummaryRelationships {
    /// The territory summarized.
    #[serde(default)]
    pub territory: Option<ToOne>,
}

/// A `customerReviewSummarizations` resource.
pub type SummaryResource = Resource<SummaryAttributes, SummaryRelationships>;

/// A summary as ascvault shows it (`--json` names are a contract; the
/// archive keeps it in the same form).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Summary {
    /// Apple's id of the summary.
    pub id: String,
    /// The territory (ISO 3166-1 alpha-3, Apple's territory id).
    pub territory: Option<String>,
    /// `IOS`, `MAC_OS`, `TV_OS` or `VISION_OS`.
    pub platform: Option<String>,
    /// The summary's language, e.g. `en-US`.
    pub locale: Option<String>,
    /// When Apple wrote it (RFC 3339, as Apple sent it).
    pub created_date: Option<String>,
    /// The territory's currency, when Apple included the territory.
    pub currency: Option<String>,
    /// The summary.
    pub text: Option<String>,
}

/// What `reviews summary` asks for.
#[derive(Clone, Debug)]
pub struct Query {
    /// The platforms (Apple requires at least one).
    pub platforms: Vec<Platform>,
    /// Only these territories; empty for all.
    pub territories: Vec<String>,
}

impl Default for Query {
    fn default() -> Self {
        Query {
            platforms: vec![Platform::Ios],
            territories: Vec::new(),
        }
    }
}

/// The first page's path for a query.
pub fn list_path(app_id: &str, q: &Query) -> String {
    let platforms: Vec<&str> = q.platforms.iter().map(|p| p.api()).collect();
    let mut path = format!(
        "/v1/apps/{app_id}/customerReviewSummarizations?filter[platform]={}&include=territory&limit={PAGE_LIMIT}",
        platforms.join(",")
    );
    if !q.territories.is_empty() {
        path.push_str(&format!("&filter[territory]={}", q.territories.join(",")));
    }
    path
}

/// The currencies of the included territories, by territory id.
fn currencies(included: &[serde_json::Value]) -> HashMap<String, String> {
    included
        .iter()
        .filter(|v| v.get("type").and_then(|t| t.as_str()) == Some("territories"))
        .filter_map(|v| {
            let id = v.get("id")?.as_str()?;
            let currency = v.pointer("/attributes/currency")?.as_str()?;
            Some((id.to_owned(), currency.to_owned()))
        })
        .collect()
}

/// The summaries of one page, each joined with its included territory.
pub fn from_page(page: ListDocument<SummaryResource>) -> Vec<Summary> {
    let currencies = currencies(&page.included);
    page.data
        .into_iter()
        .map(|r| {
            let territory = r
                .relationships
                .and_then(|rel| rel.territory)
                .and_then(|t| t.data)
                .map(|d| d.id);
            Summary {
                currency: territory.as_ref().and_then(|t| currencies.get(t).cloned()),
                id: r.id,
                territory,
                platform: r.attributes.platform,
                locale: r.attributes.locale,
                created_date: r.attributes.created_date,
                text: r.attributes.text,
            }
        })
        .collect()
}

/// Every summary of an app for the query, page by page.
pub fn list(client: &Client, app_id: &str, q: &Query) -> Result<Vec<Summary>, AscError> {
    path_id("app id", app_id)?;
    let mut out = Vec::new();
    client.for_each_page(
        &list_path(app_id, q),
        |page: ListDocument<SummaryResource>| {
            out.extend(from_page(page));
            true
        },
    )?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_path_names_the_platforms_and_territories() {
        let q = Query {
            platforms: vec![Platform::Ios, Platform::VisionOs],
            territories: vec!["USA".into(), "GBR".into()],
        };
        assert_eq!(
            list_path("123", &q),
            "/v1/apps/123/customerReviewSummarizations?filter[platform]=IOS,VISION_OS\
             &include=territory&limit=200&filter[territory]=USA,GBR"
        );
    }

    #[test]
    fn a_page_is_joined_with_its_territories_and_survives_gaps() {
        let page: ListDocument<SummaryResource> = serde_json::from_value(serde_json::json!({
            "data": [
                {"type": "customerReviewSummarizations", "id": "s1",
                 "attributes": {"text": "Fast.", "locale": "en-US", "platform": "IOS",
                                "createdDate": "2026-11-01T04:00:00-08:00"},
                 "relationships": {"territory": {"data": {"type": "territories", "id": "USA"}}}},
                {"type": "customerReviewSummarizations", "id": "s2", "attributes": null},
                {"type": "customerReviewSummarizations", "id": "s3",
                 "attributes": {"platform": "WATCH_OS", "text": null}}
            ],
            "included": [{"type": "territories", "id": "USA", "attributes": {"currency": "USD"}}],
            "links": {"self": "x"}
        }))
        .unwrap();
        let s = from_page(page);
        assert_eq!(s.len(), 3);
        assert_eq!(s[0].territory.as_deref(), Some("USA"));
        assert_eq!(s[0].currency.as_deref(), Some("USD"));
        assert_eq!(s[0].text.as_deref(), Some("Fast."));
        assert_eq!(s[1].territory, None);
        assert_eq!(s[2].platform.as_deref(), Some("WATCH_OS"));
    }
}
