//! Apple's AI-generated review summaries (API 4.0 and later):
//! `GET /v1/apps/{id}/customerReviewSummarizations` with the required
//! `filter[platform]`, `filter[territory]`, `include=territory` (the
//! territories with their currency) and paging, in the shape of Apple's
//! description 4.4.1. The summaries are fixed: a few territories and two
//! platforms for Pocket Notes, one for Trail Weather, none for the third app.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::routing::get;
use serde_json::{Value, json};
use time::macros::datetime;

use crate::apple::{
    self, Answer, bad_parameter, host, json_status, missing_parameter, page_links, page_params,
};
use crate::seed::{NOTES_APP_ID, WEATHER_APP_ID};
use crate::state::{Shared, url_params};

/// The platforms Apple's description names.
const PLATFORMS: &[&str] = &["IOS", "MAC_OS", "TV_OS", "VISION_OS"];

/// One summary: app, territory, platform, locale, text.
pub struct SummarySeed {
    /// The app's id.
    pub app_id: &'static str,
    /// The territory.
    pub territory: &'static str,
    /// The platform.
    pub platform: &'static str,
    /// The locale.
    pub locale: &'static str,
    /// The text.
    pub text: &'static str,
}

/// The summaries served, in order.
pub const SUMMARIES: &[SummarySeed] = &[
    SummarySeed {
        app_id: NOTES_APP_ID,
        territory: "USA",
        platform: "IOS",
        locale: "en-US",
        text: "Customers like how fast and simple Pocket Notes is and that sync works across devices. \
               Some report crashes when opening long notes since the last update, and several ask for \
               a dark mode for the widget.",
    },
    SummarySeed {
        app_id: NOTES_APP_ID,
        territory: "GBR",
        platform: "IOS",
        locale: "en-GB",
        text: "Reviewers find the app reliable for shopping lists; a few find creating a checklist \
               takes too many taps.",
    },
    SummarySeed {
        app_id: NOTES_APP_ID,
        territory: "DEU",
        platform: "IOS",
        locale: "de-DE",
        text: "Nutzer loben die schnelle Synchronisierung; die Suche könnte besser sein.",
    },
    SummarySeed {
        app_id: NOTES_APP_ID,
        territory: "USA",
        platform: "MAC_OS",
        locale: "en-US",
        text: "Mac users value the keyboard shortcuts and ask for a menu bar widget.",
    },
    SummarySeed {
        app_id: WEATHER_APP_ID,
        territory: "USA",
        platform: "IOS",
        locale: "en-US",
        text: "Hikers trust the forecasts on the trail; some would like offline maps.",
    },
];

/// This area's routes.
pub fn routes() -> Router<Arc<Shared>> {
    Router::new().route("/v1/apps/{id}/customerReviewSummarizations", get(list))
}

fn currency(territory: &str) -> &'static str {
    match territory {
        "USA" => "USD",
        "GBR" => "GBP",
        "JPN" => "JPY",
        _ => "EUR",
    }
}

fn summary_json(n: usize, s: &SummarySeed) -> Value {
    let id = format!("30000000-0000-4000-8000-{n:012}");
    json!({
        "type": "customerReviewSummarizations",
        "id": id,
        "attributes": {
            "text": s.text,
            "locale": s.locale,
            "platform": s.platform,
            "createdDate": crate::dates::pacific(datetime!(2026-11-02 09:00:00 UTC)),
        },
        "relationships": {
            "territory": { "data": { "type": "territories", "id": s.territory } }
        },
        "links": { "self": format!("/v1/customerReviewSummarizations/{id}") },
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
    if !apple::data(&s)?.apps.iter().any(|a| a.id == app_id) {
        return Err(apple::not_found("apps", &app_id));
    }
    let mut platforms: Option<Vec<String>> = None;
    let mut territories: Option<Vec<String>> = None;
    let mut include = false;
    for (k, v) in url_params(query) {
        match k.as_str() {
            "filter[platform]" => {
                let p: Vec<String> = v.split(',').map(str::to_owned).collect();
                if p.iter().any(|x| !PLATFORMS.contains(&x.as_str())) {
                    return Err(bad_parameter(
                        "filter[platform]",
                        "must be IOS, MAC_OS, TV_OS or VISION_OS",
                    ));
                }
                platforms = Some(p);
            }
            "filter[territory]" => territories = Some(v.split(',').map(str::to_owned).collect()),
            "include" => {
                if v.split(',').any(|x| x != "territory") {
                    return Err(bad_parameter("include", "only 'territory' can be included"));
                }
                include = true;
            }
            _ => {}
        }
    }
    // Apple's description marks `filter[platform]` required.
    let Some(platforms) = platforms else {
        return Err(missing_parameter("filter[platform]"));
    };
    let matching: Vec<(usize, &SummarySeed)> = SUMMARIES
        .iter()
        .enumerate()
        .filter(|(_, x)| x.app_id == app_id)
        .filter(|(_, x)| platforms.iter().any(|p| p == x.platform))
        .filter(|(_, x)| {
            territories
                .as_ref()
                .is_none_or(|ts| ts.iter().any(|t| t == x.territory))
        })
        .collect();
    let page: Vec<(usize, &SummarySeed)> =
        matching.iter().skip(offset).take(limit).copied().collect();
    let mut doc = json!({
        "data": page.iter().map(|(n, x)| summary_json(*n, x)).collect::<Vec<_>>(),
        "links": page_links(&headers, &uri, offset, limit, matching.len()),
        "meta": { "paging": { "total": matching.len(), "limit": limit } },
    });
    if include {
        let mut seen: Vec<&str> = Vec::new();
        for (_, x) in &page {
            if !seen.contains(&x.territory) {
                seen.push(x.territory);
            }
        }
        let h = host(&headers);
        doc["included"] = seen
            .iter()
            .map(|t| {
                json!({
                    "type": "territories",
                    "id": t,
                    "attributes": { "currency": currency(t) },
                    "links": { "self": format!("http://{h}/v1/territories/{t}") },
                })
            })
            .collect();
    }
    Ok(json_status(StatusCode::OK, doc))
}
