//! `ascvault reviews summary`: Apple's review summaries (API 4.x) from the
//! stand-in, which serves them in the shape of Apple's description 4.4.1
//! (the extract `fixtures/asc/openapi-summaries-4.4.1.json`).

use asc_standin::{Fault, Standin};
use serde_json::{Value, json};

use super::{APP, BUNDLE};
use crate::support::openapi::{assert_shape, load};
use crate::support::standin::{AscWorld, api_get};
use crate::support::{ExitStatus, keys_of};

const SUMMARIES_PATH: &str = "/v1/apps/1234567890/customerReviewSummarizations";

fn openapi() -> Value {
    load("openapi-summaries-4.4.1.json")
}

#[track_caller]
fn get(server: &Standin, path: &str) -> (u16, Value) {
    let (status, body) = api_get(server, path, "application/json");
    (status, serde_json::from_slice(&body).unwrap())
}

#[test]
fn summary_shows_each_territorys_summary_for_ios_by_default() {
    let w = AscWorld::new();
    let out = w
        .cmd(&["reviews", "summary", "--app", BUNDLE])
        .run()
        .success()
        .stdout();
    assert!(out.contains("USA · IOS · en-US · 2026-11-02"), "{out}");
    assert!(out.contains("GBR · IOS · en-GB"), "{out}");
    assert!(
        out.contains("  Customers like how fast and simple"),
        "{out}"
    );
    assert!(!out.contains("MAC_OS"), "{out}");
    for line in out.lines() {
        assert!(line.chars().count() <= 78, "{line:?}");
    }
    // Apple requires filter[platform]; the territory comes included.
    let r = w.server.requests_to(SUMMARIES_PATH);
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].param("filter[platform]").as_deref(), Some("IOS"));
    assert_eq!(r[0].param("include").as_deref(), Some("territory"));
    assert_eq!(r[0].param("filter[territory]"), None);
}

#[test]
fn summary_filters_by_territory_and_platform_and_json_is_a_contract() {
    let w = AscWorld::new();
    let v = w
        .cmd(&[
            "reviews",
            "summary",
            "--app",
            APP,
            "--territory",
            "usa",
            "--platform",
            "ios,mac-os",
            "--json",
        ])
        .run()
        .success()
        .json();
    let rows = v.as_array().unwrap();
    assert_eq!(rows.len(), 2, "{v:#}");
    assert_eq!(
        keys_of(&rows[0]),
        [
            "id",
            "territory",
            "platform",
            "locale",
            "created_date",
            "currency",
            "text"
        ]
    );
    assert!(
        rows.iter()
            .all(|r| r["territory"] == "USA" && r["currency"] == "USD")
    );
    let platforms: Vec<&str> = rows
        .iter()
        .map(|r| r["platform"].as_str().unwrap())
        .collect();
    assert_eq!(platforms, ["IOS", "MAC_OS"]);
    assert_eq!(rows[0]["created_date"], "2026-11-02T01:00:00-08:00");
    let r = &w.server.requests_to(SUMMARIES_PATH)[0];
    assert_eq!(r.param("filter[platform]").as_deref(), Some("IOS,MAC_OS"));
    assert_eq!(r.param("filter[territory]").as_deref(), Some("USA"));
}

#[test]
fn an_app_without_a_summary_says_so_and_succeeds() {
    let w = AscWorld::new();
    w.cmd(&["reviews", "summary", "--app", "1234567892"])
        .run()
        .success()
        .stderr_has("Apple has no summary of Pocket Notes Pro's reviews");
    w.cmd(&["reviews", "summary", "--app", "1234567892", "--json"])
        .run()
        .success()
        .stdout_has("[]");
}

#[test]
fn standin_summaries_have_apples_4x_shapes_and_ascvault_sends_only_declared_parameters() {
    let root = openapi();
    let server = Standin::start();
    let (s, v) = get(
        &server,
        &format!("{SUMMARIES_PATH}?filter[platform]=IOS&include=territory&limit=2"),
    );
    assert_eq!(s, 200);
    assert_shape(&root, "CustomerReviewSummarizationsResponse", &v);
    assert_eq!(v["data"].as_array().unwrap().len(), 2);
    assert!(v["links"]["next"].is_string(), "a third summary follows");
    assert!(!v["included"].as_array().unwrap().is_empty());
    // Apple marks filter[platform] required: without it, Apple's 400.
    let (s, v) = get(&server, SUMMARIES_PATH);
    assert_eq!(s, 400);
    assert_shape(&root, "ErrorResponse", &v);
    assert_eq!(v["errors"][0]["source"]["parameter"], "filter[platform]");
    let (s, v) = get(
        &server,
        "/v1/apps/999/customerReviewSummarizations?filter[platform]=IOS",
    );
    assert_eq!(s, 404);
    assert_shape(&root, "ErrorResponse", &v);

    // What ascvault sends is what the description declares.
    let w = AscWorld::new();
    w.cmd(&["reviews", "summary", "--app", APP, "--territory", "DEU"])
        .run()
        .success()
        .stdout_has("Nutzer loben");
    let declared: Vec<&str> =
        root["paths"]["/v1/apps/{id}/customerReviewSummarizations"]["get"]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap())
            .collect();
    let r = &w.server.requests_to(SUMMARIES_PATH)[0];
    for (name, value) in asc_standin::state::url_params(&r.query) {
        assert!(declared.contains(&name.as_str()), "{name} is not declared");
        if name == "filter[platform]" {
            assert!(["IOS", "MAC_OS", "TV_OS", "VISION_OS"].contains(&value.as_str()));
        }
    }
    // Every answer the stand-in gave to ascvault passes the same check.
    let answer = r.answer.as_ref().unwrap();
    let body: Value = serde_json::from_slice(answer.body.as_ref().unwrap()).unwrap();
    assert_shape(&root, "CustomerReviewSummarizationsResponse", &body);
}

#[test]
fn a_hostile_summary_is_sanitized_capped_and_escaped_in_json() {
    let w = AscWorld::new();
    let text = format!(
        "ok \u{1b}]52;c;cm0gLXJm\u{7} \u{202e}gnp.exe {}",
        "x ".repeat(5000)
    );
    let body = json!({
        "data": [{
            "type": "customerReviewSummarizations",
            "id": "s1",
            "attributes": {"text": text, "locale": "en\u{1b}[2J", "platform": "IOS"},
            "relationships": {"territory": {"data": {"type": "territories", "id": "USA"}}}
        }],
        "links": {"self": "http://127.0.0.1/x"}
    });
    w.server.fault(SUMMARIES_PATH, Fault::json(&body), 2);
    let out = w
        .cmd(&["reviews", "summary", "--app", APP])
        .run()
        .success()
        .stdout();
    assert!(!out.contains('\u{1b}') && !out.contains('\u{202e}') && !out.contains('\u{7}'));
    assert!(out.len() < 5000, "the text is capped: {} bytes", out.len());
    let raw = w
        .cmd(&["reviews", "summary", "--app", APP, "--json"])
        .run()
        .success()
        .stdout();
    assert!(raw.contains("\\u001b") && raw.contains("\\u202e"), "{raw}");
    assert_eq!(w.count(SUMMARIES_PATH), 2);
}

#[test]
fn an_unknown_platform_is_a_usage_error() {
    let w = AscWorld::new();
    w.cmd(&["reviews", "summary", "--app", APP, "--platform", "watch-os"])
        .run()
        .exits(ExitStatus::Usage);
    assert_eq!(w.count(SUMMARIES_PATH), 0);
}
