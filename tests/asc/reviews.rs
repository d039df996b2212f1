//! `ascvault reviews list`: order, paging through `links.next`, the
//! `--since` cut-off, filters sent to Apple, and the table, JSON and CSV
//! outputs.

use asc_standin::seed;
use serde_json::Value;

use super::{APP, BUNDLE, REVIEWS_PATH, review};
use crate::support::standin::AscWorld;
use crate::support::{ExitStatus, keys_of};

/// `reviews list --app APP <args> --json`, which must succeed: its rows.
#[track_caller]
fn list_json(w: &AscWorld, args: &[&str]) -> Value {
    w.cmd(&["reviews", "list", "--app", APP])
        .args(args)
        .arg("--json")
        .run()
        .success()
        .json()
}

#[test]
fn reviews_list_is_newest_first_with_whole_records_in_json() {
    let w = AscWorld::new();
    let v = w
        .cmd(&["reviews", "list", "--app", BUNDLE, "--max", "15", "--json"])
        .run()
        .success()
        .json();
    let rows = v.as_array().unwrap();
    assert_eq!(rows.len(), 15);
    let keys = keys_of(&rows[0]);
    assert_eq!(
        keys,
        [
            "id",
            "rating",
            "title",
            "body",
            "reviewer_nickname",
            "created_date",
            "territory",
            "response"
        ]
    );
    assert_eq!(rows[0]["id"], review(0));
    let dates: Vec<&str> = rows
        .iter()
        .map(|r| r["created_date"].as_str().unwrap())
        .collect();
    let mut sorted = dates.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(dates, sorted, "newest first");
    // Review 12 has a published developer response.
    let answered = rows.iter().find(|r| r["id"] == review(12)).unwrap();
    assert_eq!(answered["response"]["state"], "PUBLISHED");
    assert!(
        answered["response"]["body"]
            .as_str()
            .unwrap()
            .contains("Thanks")
    );
    assert!(rows[0]["response"].is_null());
    // The bundle id was resolved, then one page fetched with the right sort.
    let r = &w.server.requests_to(REVIEWS_PATH)[0];
    assert_eq!(r.param("sort").as_deref(), Some("-createdDate"));
    assert_eq!(r.param("include").as_deref(), Some("response"));
}

#[test]
fn reviews_list_table_shows_date_stars_territory_nickname_title_body() {
    let w = AscWorld::new();
    w.cmd(&["reviews", "list", "--app", APP, "--max", "3"])
        .run()
        .success()
        .stdout_has("DATE")
        .stdout_has("2026-11-01")
        .stdout_has("★☆☆☆☆")
        .stdout_has("USA")
        .stdout_has("reviewer000")
        .stdout_has("Terrible")
        .stdout_has("This app is shit");
}

#[test]
fn all_pages_are_followed_through_links_next() {
    let w = AscWorld::new();
    let v = list_json(&w, &[]);
    assert_eq!(v.as_array().unwrap().len(), seed::NOTES_REVIEWS);
    let pages = w.server.requests_to(REVIEWS_PATH);
    assert_eq!(pages.len(), 3, "450 reviews are three pages of 200");
    assert!(pages[0].param("cursor").is_none());
    assert!(pages[1].param("cursor").is_some());
}

#[test]
fn since_stops_paging_at_the_cutoff_without_wasted_requests() {
    let w = AscWorld::new();
    // Review 300 (on the second page of 200) is exactly at the cut-off.
    let cutoff = seed::NEWEST - time::Duration::hours(seed::STEP_HOURS * 300);
    let cutoff = cutoff
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let v = list_json(&w, &["--since", &cutoff]);
    let rows = v.as_array().unwrap();
    assert_eq!(rows.len(), 301, "reviews 0..=300");
    assert_eq!(rows.last().unwrap()["id"], review(300));
    let pages = w.server.requests_to(REVIEWS_PATH);
    assert_eq!(pages.len(), 2, "no request for the third page: {pages:?}");
}

#[test]
fn since_takes_a_plain_date() {
    let w = AscWorld::new();
    let v = list_json(&w, &["--since", "2026-11-01"]);
    // 12:00, 08:00, 04:00 and 00:00 on the first of November.
    assert_eq!(v.as_array().unwrap().len(), 4);
    assert_eq!(w.count(REVIEWS_PATH), 1);
}

#[test]
fn since_with_another_order_filters_instead_of_stopping() {
    let w = AscWorld::new();
    let v = list_json(&w, &["--since", "2026-11-01", "--sort", "oldest"]);
    let rows = v.as_array().unwrap();
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[0]["id"], review(3), "oldest of the four first");
    assert_eq!(
        w.count(REVIEWS_PATH),
        3,
        "every page read: the cut-off is at the end"
    );
}

#[test]
fn filters_are_sent_to_apple_and_hold_in_the_results() {
    let w = AscWorld::new();
    let v = list_json(
        &w,
        &["--rating", "1,2", "--territory", "usa,GBR", "--unanswered"],
    );
    let rows = v.as_array().unwrap();
    assert!(!rows.is_empty());
    for r in rows {
        assert!([1, 2].contains(&r["rating"].as_u64().unwrap()), "{r}");
        assert!(
            ["USA", "GBR"].contains(&r["territory"].as_str().unwrap()),
            "{r}"
        );
        assert!(
            r["response"].is_null() || r["response"]["state"] != "PUBLISHED",
            "{r}"
        );
    }
    let req = &w.server.requests_to(REVIEWS_PATH)[0];
    assert_eq!(req.param("filter[rating]").as_deref(), Some("1,2"));
    assert_eq!(req.param("filter[territory]").as_deref(), Some("USA,GBR"));
    assert_eq!(
        req.param("exists[publishedResponse]").as_deref(),
        Some("false")
    );
}

#[test]
fn sort_and_max() {
    let w = AscWorld::new();
    let v = list_json(&w, &["--sort", "best", "--max", "5"]);
    let rows = v.as_array().unwrap();
    assert_eq!(rows.len(), 5);
    assert!(rows.iter().all(|r| r["rating"] == 5));
    assert_eq!(
        w.server.requests_to(REVIEWS_PATH)[0]
            .param("limit")
            .as_deref(),
        Some("5")
    );
    let v = list_json(&w, &["--sort", "oldest", "--max", "1"]);
    assert_eq!(v[0]["id"], review(seed::NOTES_REVIEWS - 1));
}

#[test]
fn csv_output_has_a_header_and_one_row_per_review() {
    let w = AscWorld::new();
    let out = w
        .cmd(&["reviews", "list", "--app", APP, "--max", "2", "--csv"])
        .run()
        .success()
        .stdout();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0],
        "id,created_date,rating,territory,reviewer_nickname,title,body,response_state,response_body"
    );
    assert_eq!(lines.len(), 3);
    assert!(lines[1].starts_with(&review(0)));
    // The body has a comma: quoted.
    assert!(lines[1].contains("\"This app is shit, it crashes every single time.\""));
}

#[test]
fn bad_filter_values_are_usage_errors() {
    let w = AscWorld::new();
    for bad in [
        ["--rating", "6"],
        ["--territory", "US"],
        ["--since", "yesterday"],
    ] {
        w.cmd(&["reviews", "list", "--app", APP])
            .args(&bad)
            .run()
            .fails(ExitStatus::Usage);
    }
    assert_eq!(w.server.requests().len(), 0);
}
