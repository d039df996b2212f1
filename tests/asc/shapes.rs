//! The stand-in and the client against Apple's OpenAPI description (the
//! extract in `fixtures/asc/`): answers have Apple's shapes, requests use
//! only parameters Apple declares, and Apple-shaped bodies decode.

use asc_standin::{Standin, seed};
use serde_json::{Value, json};

use crate::support::openapi::{assert_shape, check};
use crate::support::standin::api_get;
use crate::support::{fixtures, keys_of};

mod tour;

fn openapi() -> Value {
    crate::support::openapi::load("openapi-reviews-3.7.json")
}

/// A GET with a fresh token: status and JSON body.
#[track_caller]
fn get(server: &Standin, path: &str) -> (u16, Value) {
    let (status, body) = api_get(server, path, "application/json");
    (status, serde_json::from_slice(&body).unwrap())
}

#[test]
fn standin_answers_have_apples_shapes() {
    let root = openapi();
    let server = Standin::start();
    let (s, v) = get(&server, "/v1/apps?limit=2");
    assert_eq!(s, 200);
    assert_shape(&root, "AppsResponse", &v);
    assert!(v["links"]["next"].is_string());
    let (_, v) = get(&server, &format!("/v1/apps/{}", seed::NOTES_APP_ID));
    assert_shape(&root, "AppResponse", &v);
    let (_, v) = get(
        &server,
        &format!(
            "/v1/apps/{}/customerReviews?limit=30&include=response",
            seed::NOTES_APP_ID
        ),
    );
    assert_shape(&root, "CustomerReviewsResponse", &v);
    assert!(!v["included"].as_array().unwrap().is_empty());
    let (_, v) = get(
        &server,
        &format!("/v1/customerReviews/{}/response", seed::review_id(0, 12)),
    );
    assert_shape(&root, "CustomerReviewResponseV1Response", &v);
    for path in ["/v1/customerReviews/nope", "/v1/apps/999", "/v1/nothing"] {
        let (s, v) = get(&server, path);
        assert_eq!(s, 404, "{path}");
        assert_shape(&root, "ErrorResponse", &v);
    }
    let (s, v) = get(&server, "/v1/apps?limit=201");
    assert_eq!(s, 400);
    assert_shape(&root, "ErrorResponse", &v);
}

#[test]
fn the_response_request_body_is_apples_create_request() {
    let root = openapi();
    let body = ascvault::asc::model::response_create_request("abc", "Thanks!");
    assert_shape(&root, "CustomerReviewResponseV1CreateRequest", &body);
}

#[test]
fn review_queries_use_only_parameters_apple_declares() {
    let root = openapi();
    let declared: Vec<String> = root["paths"]["/v1/apps/{id}/customerReviews"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["name"].as_str().map(str::to_owned))
        .collect();
    let q = ascvault::asc::reviews::Query {
        ratings: vec![1, 2],
        territories: vec!["USA".into()],
        unanswered: true,
        max: Some(10),
        ..Default::default()
    };
    let path = ascvault::asc::reviews::list_path("1", &q);
    let query = path.split_once('?').unwrap().1;
    for pair in query.split('&') {
        let name = pair.split_once('=').unwrap().0;
        assert!(declared.iter().any(|d| d == name), "{name} is not declared");
    }
}

#[test]
fn an_apple_shaped_page_decodes_with_responses_joined() {
    let root = openapi();
    let text = std::fs::read_to_string(fixtures().join("asc/customerReviews-page.json")).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_shape(&root, "CustomerReviewsResponse", &v);
    let doc =
        ascvault::asc::client::decode("GET /v1/apps/1/customerReviews", text.as_bytes()).unwrap();
    let reviews = ascvault::asc::reviews::from_page(doc);
    assert_eq!(reviews.len(), 2);
    let first = &reviews[0];
    assert_eq!(first.rating, Some(2));
    assert_eq!(first.reviewer_nickname.as_deref(), Some("hiker42"));
    let resp = first.response.as_ref().unwrap();
    assert_eq!(resp.state.as_deref(), Some("PUBLISHED"));
    assert!(resp.body.as_deref().unwrap().contains("2.4.1"));
    assert!(reviews[1].response.is_none());
    assert_eq!(
        first.created().unwrap(),
        time::macros::datetime!(2026-10-30 15:15:00 UTC)
    );
}

#[test]
fn apples_error_body_becomes_one_line() {
    let root = openapi();
    let body = std::fs::read(fixtures().join("asc/error-401.json")).unwrap();
    assert_shape(
        &root,
        "ErrorResponse",
        &serde_json::from_slice(&body).unwrap(),
    );
    let err = ascvault::asc::refusal("GET /v1/apps".into(), 401, &body);
    assert!(
        err.to_string().starts_with(
            "App Store Connect refused GET /v1/apps: 401 NOT_AUTHORIZED: Authentication credentials are missing or invalid. — Provide"
        ),
        "{err}"
    );
}

#[test]
fn the_shape_check_catches_drift() {
    let root = openapi();
    let bad = json!({
        "data": [{"type": "customerReviews", "attributes": {"rating": 6, "territory": "XXX"}}],
        "links": {}
    });
    let mut errs = Vec::new();
    check(
        &root,
        &json!({"$ref": "#/components/schemas/CustomerReviewsResponse"}),
        &bad,
        "x",
        &mut errs,
    );
    let text = errs.join("\n");
    assert!(text.contains("missing required \"id\""), "{text}");
    assert!(text.contains("6 out of range"), "{text}");
    assert!(text.contains("\"XXX\" not in enum"), "{text}");
    assert!(text.contains("missing required \"self\""), "{text}");
}

#[test]
fn the_shape_check_knows_nulls_formats_numbers_and_combinators() {
    let root = openapi();
    let review = |attributes: Value| {
        json!({"data": {"type": "customerReviews", "id": "1", "attributes": attributes,
                        "links": {"self": "https://api.appstoreconnect.apple.com/v1/customerReviews/1"}},
               "links": {"self": "https://api.appstoreconnect.apple.com/v1/customerReviews/1"}})
    };
    // Apple's habits pass: an offset date and a null optional attribute.
    assert_shape(
        &root,
        "CustomerReviewResponse",
        &review(json!({"createdDate": "2017-11-15T08:10:34-08:00", "title": null, "rating": 5})),
    );
    // Drift fails: a date without offset, a rating as text, a null id.
    let mut errs = Vec::new();
    let mut bad = review(json!({"createdDate": "2017-11-15 08:10:34", "rating": "5"}));
    bad["data"]["id"] = Value::Null;
    check(
        &root,
        &json!({"$ref": "#/components/schemas/CustomerReviewResponse"}),
        &bad,
        "x",
        &mut errs,
    );
    let text = errs.join("\n");
    assert!(text.contains("is not an RFC 3339 date-time"), "{text}");
    assert!(
        text.contains("x.data.attributes.rating: not an integer"),
        "{text}"
    );
    assert!(text.contains("x.data.id: not a string: null"), "{text}");
    // Keywords Apple's extracts do not use yet, for the next extract.
    let schema = json!({
        "allOf": [{"type": "object", "required": ["a"]}, {"type": "object", "required": ["b"]}],
        "anyOf": [{"type": "object", "properties": {"a": {"type": "number", "maximum": 1}}}],
        "additionalProperties": {"type": "string", "format": "uri"},
        "properties": {"a": {"type": "number"}, "b": {"nullable": true, "type": "string"}},
        "type": "object",
    });
    let mut errs = Vec::new();
    check(
        &root,
        &schema,
        &json!({"a": 0.5, "b": null, "u": "https://x/y"}),
        "ok",
        &mut errs,
    );
    assert!(errs.is_empty(), "{errs:?}");
    check(
        &root,
        &schema,
        &json!({"a": 1.5, "u": "/relative"}),
        "bad",
        &mut errs,
    );
    let text = errs.join("\n");
    assert!(text.contains("bad: missing required \"b\""), "{text}");
    assert!(text.contains("bad: matches no anyOf"), "{text}");
    assert!(
        text.contains("bad.u: \"/relative\" is not an absolute URI"),
        "{text}"
    );
}

#[test]
fn standin_dates_are_pacific_with_whole_seconds_across_the_change_of_time() {
    let w = crate::support::standin::AscWorld::new();
    let v = w
        .cmd(&["reviews", "list", "--app", seed::NOTES_APP_ID, "--json"])
        .run()
        .success()
        .json();
    let dates: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["created_date"].as_str().unwrap())
        .collect();
    // Apple's example: `2017-11-15T08:10:34-08:00`.
    assert_eq!(dates[0], "2026-11-01T04:00:00-08:00");
    assert!(dates.iter().any(|d| d.ends_with("-07:00")), "{dates:?}");
    assert!(
        dates.iter().all(|d| tour::pacific_whole_seconds(d)),
        "{dates:?}"
    );
    let v = w
        .cmd(&[
            "reviews",
            "respond",
            &seed::review_id(0, 2),
            "--body",
            "Thanks",
            "--json",
        ])
        .run()
        .success()
        .json();
    let modified = v["last_modified_date"].as_str().unwrap();
    assert!(tour::pacific_whole_seconds(modified), "{modified}");
}

#[test]
fn standin_apps_are_like_apples_with_nulls_and_absolute_relationship_links() {
    let server = Standin::start();
    let (_, v) = get(&server, &format!("/v1/apps/{}", seed::NOTES_APP_ID));
    let base = server.url();
    assert_eq!(
        v["links"]["self"],
        format!("{base}/v1/apps/{}", seed::NOTES_APP_ID)
    );
    let app = &v["data"];
    // As in the app codemagic recorded from Apple.
    assert!(app["attributes"]["subscriptionStatusUrl"].is_null());
    assert_eq!(app["attributes"]["isOrEverWasMadeForKids"], false);
    let reviews = &app["relationships"]["customerReviews"]["links"];
    assert_eq!(
        reviews["related"],
        format!("{base}/v1/apps/{}/customerReviews", seed::NOTES_APP_ID)
    );
    assert_eq!(
        reviews["self"],
        format!(
            "{base}/v1/apps/{}/relationships/customerReviews",
            seed::NOTES_APP_ID
        )
    );
    assert!(app["relationships"]["perfPowerMetrics"]["links"]["self"].is_null());
    // `links.next` only when a page follows.
    let (_, v) = get(&server, "/v1/apps?limit=3");
    assert!(v["links"].get("next").is_none(), "{v}");
}

#[test]
fn a_review_without_a_title_is_sent_as_null_and_listed() {
    let w = crate::support::standin::AscWorld::new();
    let (_, v) = get(
        &w.server,
        &format!(
            "/v1/customerReviews/{}",
            seed::review_id(0, seed::UNTITLED_REVIEW)
        ),
    );
    assert!(v["data"]["attributes"]["title"].is_null(), "{v}");
    let rows = w
        .cmd(&[
            "reviews",
            "list",
            "--app",
            seed::NOTES_APP_ID,
            "--max",
            "25",
            "--json",
        ])
        .run()
        .success()
        .json();
    let row = &rows[seed::UNTITLED_REVIEW];
    assert_eq!(row["id"], seed::review_id(0, seed::UNTITLED_REVIEW));
    assert!(row["title"].is_null(), "{row}");
    assert!(row["body"].is_string(), "{row}");
    w.cmd(&[
        "reviews",
        "list",
        "--app",
        seed::NOTES_APP_ID,
        "--max",
        "25",
    ])
    .run()
    .success()
    .stdout_has("reviewer020");
}

#[test]
fn standin_honours_the_sparse_fieldset_for_apps() {
    let server = Standin::start();
    let (_, v) = get(
        &server,
        "/v1/apps?fields[apps]=name,bundleId,customerReviews&limit=1",
    );
    let app = &v["data"][0];
    let mut attributes = keys_of(&app["attributes"]);
    attributes.sort();
    assert_eq!(attributes, ["bundleId", "name"]);
    assert_eq!(keys_of(&app["relationships"]), ["customerReviews"]);
    // Naming no attribute: no `attributes` at all.
    let (_, v) = get(
        &server,
        &format!("/v1/apps/{}?fields[apps]=builds", seed::NOTES_APP_ID),
    );
    assert!(v["data"].get("attributes").is_none(), "{v}");
    assert_shape(&openapi(), "AppResponse", &v);
}
