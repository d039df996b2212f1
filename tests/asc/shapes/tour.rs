//! The contract test: a scripted tour of every command that talks to App
//! Store Connect (apps, reviews, respond and delete, flag, report, metrics
//! request/reports/download/sales/finance/builds/perf/diagnostics, review
//! summaries (against the 4.4.1 extract), and some
//! failures), then every answer the stand-in gave under `/v1/` checked
//! against what Apple's description declares for that operation and status:
//! the media type, and each JSON body against its schema. Apple's habits
//! the schemas leave open are checked too: links are absolute, date-times
//! carry a Pacific offset and whole seconds, `links.next` appears only when
//! a page follows. So the stand-in cannot drift from Apple unnoticed.

use asc_standin::metrics::{APP_ID, BUILD_ID, DOWNLOADS_REPORT, VENDOR};
use asc_standin::{Fault, seed};
use serde_json::{Value, json};

use crate::support::ExitStatus;
use crate::support::openapi::{Description, check, has_scheme};
use crate::support::standin::{AscWorld, api_get};

/// Runs the tour; returns the world, whose stand-in logged every answer.
fn tour() -> AscWorld {
    let w = AscWorld::new();
    let app = seed::NOTES_APP_ID;
    let review = seed::review_id(0, 1);
    for args in [
        vec!["apps"],
        vec!["apps", "--json"],
        vec![
            "reviews",
            "list",
            "--app",
            seed::NOTES_BUNDLE_ID,
            "--max",
            "260",
            "--json",
        ],
        vec!["reviews", "list", "--app", seed::WEATHER_APP_ID],
        vec!["reviews", "show", &review, "--json"],
        vec!["reviews", "respond", &review, "--body", "Thanks!", "--json"],
        vec!["reviews", "show", &review],
        vec!["reviews", "delete-response", &review],
        vec!["reviews", "flag", "--app", app, "--max", "10"],
        vec![
            "reviews", "report", &review, "--app", app, "--reason", "spam", "--print",
        ],
        vec!["metrics", "request", "--app", APP_ID],
        vec!["metrics", "request", "--app", seed::WEATHER_APP_ID],
        vec!["metrics", "reports", "--app", APP_ID],
        vec!["metrics", "perf", "--app", APP_ID, "--json"],
        vec!["metrics", "perf", "--build", BUILD_ID],
        // Two pages of builds, then one version's.
        vec!["metrics", "builds", "--app", APP_ID, "--max", "250"],
        vec![
            "metrics",
            "builds",
            "--app",
            "Pocket Notes",
            "--version",
            "2.3",
            "--json",
        ],
        vec!["metrics", "diagnostics", "--build", BUILD_ID, "--logs"],
        vec!["reviews", "summary", "--app", app, "--json"],
    ] {
        w.cmd(&args).run().success();
    }
    let out = w.t.path("segments");
    w.metrics(&["download", "--app", APP_ID, "--report", DOWNLOADS_REPORT])
        .args(&["--granularity", "daily", "--since", "2026-11-20", "--out"])
        .arg(&out)
        .run()
        .success();
    w.metrics(&["sales", "--frequency", "daily", "--date", "2026-11-20"])
        .args(&["--vendor", VENDOR])
        .run()
        .success();
    w.metrics(&["finance", "--region", "US", "--date", "2026-10"])
        .args(&["--vendor", VENDOR])
        .run()
        .success();
    // Failures: Apple's error bodies for unknown ids and a rate limit.
    w.cmd(&["reviews", "list", "--app", "999"])
        .run()
        .fails(ExitStatus::Refused);
    w.cmd(&["reviews", "show", "00000000-0000-4000-8000-999999999999"])
        .run()
        .fails(ExitStatus::Refused);
    w.server.fault("/v1/apps", Fault::rate_limited(0), 1);
    w.cmd(&["apps"]).run().success();
    // Operations no command uses, straight to the stand-in.
    let answered = seed::review_id(0, 12);
    let (_, body) = api_get(
        &w.server,
        &format!("/v1/customerReviews/{answered}/response"),
        JSON,
    );
    let v: Value = serde_json::from_slice(&body).unwrap();
    let id = v["data"]["id"].as_str().unwrap();
    api_get(
        &w.server,
        &format!("/v1/customerReviewResponses/{id}"),
        JSON,
    );
    api_get(&w.server, "/v1/apps?limit=201", JSON);
    // Whole apps: ascvault itself asks for a sparse fieldset.
    api_get(&w.server, "/v1/apps?limit=2", JSON);
    api_get(&w.server, &format!("/v1/apps/{app}"), JSON);
    w
}

const JSON: &str = "application/json";

#[test]
fn every_standin_answer_is_what_apples_description_declares() {
    let w = tour();
    let apple = Description::load();
    let mut errs = Vec::new();
    let mut checked = std::collections::BTreeSet::new();
    for r in w
        .server
        .requests()
        .iter()
        .filter(|r| r.path.starts_with("/v1/"))
    {
        let at = format!("{} {}?{}", r.method, r.path, r.query);
        let answer = r
            .answer
            .as_ref()
            .unwrap_or_else(|| panic!("{at}: no answer kept"));
        let Some(declared) = apple.declared(&r.method, &r.path, answer.status) else {
            errs.push(format!("{at}: Apple's description has no such operation"));
            continue;
        };
        checked.insert(format!("{} {}", declared.operation, answer.status));
        let media = answer
            .content_type
            .as_deref()
            .map(|c| c.split(';').next().unwrap_or("").trim().to_owned());
        let (root, schema) = match declared.response {
            Some(resp) if resp.get("content").is_none() => {
                if answer.body.as_ref().is_some_and(|b| !b.is_empty()) {
                    errs.push(format!("{at}: {} has no body", answer.status));
                }
                continue;
            }
            Some(resp) => {
                let Some(content) = resp["content"].get(media.as_deref().unwrap_or("")) else {
                    errs.push(format!(
                        "{at}: {} as {media:?}, Apple declares {:?}",
                        answer.status,
                        resp["content"]
                            .as_object()
                            .map(|c| c.keys().collect::<Vec<_>>())
                    ));
                    continue;
                };
                (declared.root, content["schema"].clone())
            }
            // 429, 500…: not declared per operation; Apple's error body.
            None => (
                apple.root(),
                json!({"$ref": "#/components/schemas/ErrorResponse"}),
            ),
        };
        if media.as_deref().is_none_or(|m| !m.contains("json")) {
            continue;
        }
        let body = answer
            .body
            .as_ref()
            .unwrap_or_else(|| panic!("{at}: JSON body not kept"));
        let v: Value = match serde_json::from_slice(body) {
            Ok(v) => v,
            Err(e) => {
                errs.push(format!("{at}: not JSON: {e}"));
                continue;
            }
        };
        check(root, &schema, &v, &at, &mut errs);
        apples_habits(&v, &at, &mut errs);
    }
    assert!(errs.is_empty(), "{errs:#?}");
    // The tour reached every operation the stand-in serves.
    for op in [
        "GET /v1/apps 200",
        "GET /v1/apps/{id} 200",
        "GET /v1/apps/{id}/customerReviews 200",
        "GET /v1/apps 400",
        "GET /v1/apps/{id} 404",
        "GET /v1/customerReviews/{id}/response 200",
        "GET /v1/customerReviewResponses/{id} 200",
        "GET /v1/customerReviews/{id} 200",
        "GET /v1/customerReviews/{id} 404",
        "POST /v1/customerReviewResponses 201",
        "DELETE /v1/customerReviewResponses/{id} 204",
        "GET /v1/apps/{id}/analyticsReportRequests 200",
        "POST /v1/analyticsReportRequests 201",
        "GET /v1/analyticsReportRequests/{id}/reports 200",
        "GET /v1/analyticsReports/{id}/instances 200",
        "GET /v1/analyticsReportInstances/{id}/segments 200",
        "GET /v1/salesReports 200",
        "GET /v1/financeReports 200",
        "GET /v1/apps/{id}/perfPowerMetrics 200",
        "GET /v1/builds 200",
        "GET /v1/builds/{id}/perfPowerMetrics 200",
        "GET /v1/builds/{id}/diagnosticSignatures 200",
        "GET /v1/diagnosticSignatures/{id}/logs 200",
        "GET /v1/apps 429",
        "GET /v1/apps/{id}/customerReviewSummarizations 200",
    ] {
        assert!(checked.contains(op), "the tour missed {op}: {checked:#?}");
    }
}

/// What Apple's own bodies show beyond the schemas (see spec/ASC.md §11):
/// every link absolute, `links.next` only with a following page (never
/// `null` or equal to `self`), date-times in Pacific time with whole seconds.
fn apples_habits(v: &Value, at: &str, errs: &mut Vec<String>) {
    match v {
        Value::Object(obj) => {
            if let Some(Value::Object(links)) = obj.get("links") {
                for (name, link) in links {
                    match link.as_str() {
                        Some(url) if has_scheme(url) && url.starts_with("http") => {}
                        _ => errs.push(format!("{at}: links.{name} is not absolute: {link}")),
                    }
                }
                if links.get("next").is_some_and(|n| n == &links["self"]) {
                    errs.push(format!("{at}: links.next is this page"));
                }
            }
            for (k, x) in obj {
                apples_habits(x, &format!("{at}.{k}"), errs);
            }
        }
        Value::Array(items) => {
            for x in items {
                apples_habits(x, at, errs);
            }
        }
        Value::String(s) if looks_like_date_time(s) && !pacific_whole_seconds(s) => {
            errs.push(format!("{at}: {s} is not Pacific time in whole seconds"));
        }
        _ => {}
    }
}

fn looks_like_date_time(s: &str) -> bool {
    let b = s.as_bytes();
    s.len() >= 19 && b[4] == b'-' && b[7] == b'-' && b[10] == b'T' && b[13] == b':'
}

/// `YYYY-MM-DDTHH:MM:SS-08:00` or `…-07:00`, as in Apple's example review.
pub fn pacific_whole_seconds(s: &str) -> bool {
    s.len() == 25 && (s.ends_with("-08:00") || s.ends_with("-07:00")) && s.as_bytes()[19] == b'-'
}

#[test]
fn the_habit_check_catches_utc_fractions_relative_links_and_a_useless_next() {
    let bad = json!({
        "data": [{"type": "customerReviews", "id": "1",
                  "attributes": {"createdDate": "2026-11-01T12:00:00.123456789Z"},
                  "links": {"self": "/v1/customerReviews/1"}}],
        "links": {"self": "http://h/v1/x", "next": "http://h/v1/x"},
    });
    let mut errs = Vec::new();
    apples_habits(&bad, "x", &mut errs);
    let text = errs.join("\n");
    assert!(text.contains("is not Pacific time"), "{text}");
    assert!(text.contains("links.self is not absolute"), "{text}");
    assert!(text.contains("links.next is this page"), "{text}");
    let mut errs = Vec::new();
    apples_habits(
        &json!({"createdDate": "2017-11-15T08:10:34-08:00", "links": {"self": "https://a/b"}}),
        "ok",
        &mut errs,
    );
    assert!(errs.is_empty(), "{errs:?}");
}
