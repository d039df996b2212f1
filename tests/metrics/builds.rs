//! `metrics builds`: an app's builds, newest first, with the ids that
//! `perf --build` and `diagnostics --build` take; paged like Apple's
//! listing; every server string sanitized and cut.

use asc_standin::metrics::{APP_ID, BUILD_ID, BuildRecord, NOTES_BUILDS};
use time::macros::datetime;

use crate::support::ExitStatus;
use crate::support::standin::AscWorld;

#[test]
fn builds_are_listed_newest_first_with_version_number_date_and_state() {
    let w = AscWorld::new();
    let out = w
        .metrics(&["builds", "--app", APP_ID, "--max", "3"])
        .run()
        .success()
        .stdout();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 4, "{out}");
    for (line, cells) in lines.iter().zip([
        ["ID", "VERSION", "BUILD", "PLATFORM", "UPLOADED", "STATE"],
        [
            "build-231",
            "2.4",
            "231",
            "IOS",
            "2026-11-18T",
            "PROCESSING",
        ],
        ["build-230", "2.3", "230", "IOS", "2026-11-17T", "VALID"],
        ["build-229", "2.3", "229", "IOS", "2026-11-16T", "VALID"],
    ]) {
        let words: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(words.len(), 6, "{line}");
        for (word, cell) in words.iter().zip(cells) {
            assert!(word.starts_with(cell), "{word} is not {cell}: {out}");
        }
    }
    // What was asked of Apple: the app's builds with their versions,
    // newest upload first, no more than wanted.
    let r = &w.server.requests_to("/v1/builds")[0];
    assert_eq!(r.param("filter[app]").as_deref(), Some(APP_ID));
    assert_eq!(r.param("include").as_deref(), Some("preReleaseVersion"));
    assert_eq!(r.param("sort").as_deref(), Some("-uploadedDate"));
    assert_eq!(r.param("limit").as_deref(), Some("3"));
}

#[test]
fn builds_of_one_version_as_json_give_the_id_perf_and_diagnostics_take() {
    let w = AscWorld::new();
    let v = w
        .metrics(&["builds", "--app", APP_ID, "--version", "2.3", "--json"])
        .run()
        .success()
        .json();
    let builds = v.as_array().unwrap();
    assert_eq!(builds.len(), 10, "{v}");
    assert!(builds.iter().all(|b| b["version"] == "2.3"), "{v}");
    assert_eq!(
        builds[0],
        serde_json::json!({
            "id": BUILD_ID, "version": "2.3", "build_number": "230", "platform": "IOS",
            "uploaded": "2026-11-17T01:10:00-08:00", "processing_state": "VALID",
            "expired": false,
        })
    );
    let r = &w.server.requests_to("/v1/builds")[0];
    assert_eq!(
        r.param("filter[preReleaseVersion.version]").as_deref(),
        Some("2.3")
    );
    // The table the README shows.
    let table = w
        .metrics(&[
            "builds",
            "--app",
            "Pocket Notes",
            "--version",
            "2.3",
            "--max",
            "2",
        ])
        .run()
        .success()
        .stdout();
    assert_eq!(
        table,
        concat!(
            "ID         VERSION  BUILD  PLATFORM  UPLOADED                   STATE\n",
            "build-230  2.3      230    IOS       2026-11-17T01:10:00-08:00  VALID\n",
            "build-229  2.3      229    IOS       2026-11-16T01:11:00-08:00  VALID\n",
        )
    );
    let id = builds[0]["id"].as_str().unwrap();
    w.metrics(&["perf", "--build", id]).run().success();
    w.metrics(&["diagnostics", "--build", id]).run().success();
    w.metrics(&["builds", "--app", APP_ID, "--version", "9.9"])
        .run()
        .success()
        .stderr_has("no builds of version 9.9");
}

#[test]
fn builds_follow_apples_pages_up_to_max() {
    let w = AscWorld::new();
    let all = w
        .metrics(&["builds", "--app", APP_ID, "--max", "1000", "--json"])
        .run()
        .success()
        .json();
    let all = all.as_array().unwrap();
    assert_eq!(all.len(), NOTES_BUILDS);
    assert_eq!(w.count("/v1/builds"), 2, "200 and then 31");
    assert_eq!(all[NOTES_BUILDS - 1]["id"], "build-1");
    assert_eq!(all[NOTES_BUILDS - 1]["expired"], true);
    // The default: one page of 200.
    let v = w
        .metrics(&["builds", "--app", APP_ID, "--json"])
        .run()
        .success()
        .json();
    assert_eq!(v.as_array().unwrap().len(), 200);
    assert_eq!(w.count("/v1/builds"), 3);
    // --max under a page: one request, cut to the number.
    let v = w
        .metrics(&["builds", "--app", APP_ID, "--max", "201", "--json"])
        .run()
        .success()
        .json();
    assert_eq!(v.as_array().unwrap().len(), 201);
}

#[test]
fn a_builds_text_from_the_server_is_sanitized_and_cut() {
    let w = AscWorld::new();
    w.server.metrics().add_build(BuildRecord {
        id: "build-evil".into(),
        app: APP_ID.into(),
        version: "6.6\u{1b}[2J\u{7}".into(),
        number: format!("1\u{1b}]0;owned\u{7}{}", "9".repeat(500)),
        platform: "IOS".into(),
        uploaded: datetime!(2026-11-30 10:00:00 UTC),
        state: "VALID\r\nforged line".into(),
        expired: false,
    });
    let out = w
        .metrics(&["builds", "--app", APP_ID, "--max", "1"])
        .run()
        .success()
        .stdout();
    assert!(out.contains("build-evil"), "{out}");
    assert!(!out.chars().any(|c| c.is_control() && c != '\n'), "{out:?}");
    assert_eq!(out.lines().count(), 2, "{out:?}");
    assert!(out.len() < 400, "not cut: {} bytes", out.len());
}

#[test]
fn a_version_that_is_not_one_is_refused_before_any_request() {
    let w = AscWorld::new();
    w.metrics(&["builds", "--app", APP_ID, "--version", "2.3&filter[app]=1"])
        .run()
        .exits(ExitStatus::Usage)
        .stderr_has("a version is 1 to 64 letters, digits, '.', '-' or '_' (e.g. 2.3)");
    assert_eq!(w.count("/v1/"), 0);
}

#[test]
fn the_builds_query_uses_only_what_apple_declares() {
    let root = crate::support::openapi::load("metrics/openapi-metrics-3.7.json");
    let op = &root["paths"]["/v1/builds"]["get"];
    let param = |name: &str| -> serde_json::Value {
        op["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("{name} is not declared"))
            .clone()
    };
    let q = ascvault::asc::builds::Query {
        version: Some("2.3".into()),
        max: Some(500),
    };
    let path = ascvault::asc::builds::first_page(APP_ID, &q).unwrap();
    let query = path.split_once('?').unwrap().1;
    for pair in query.split('&') {
        let (name, value) = pair.split_once('=').unwrap();
        let p = param(name);
        // Enumerated values (include, sort, fields) must be Apple's.
        let allowed = &p["schema"]["items"]["enum"];
        if let Some(allowed) = allowed.as_array() {
            for v in value.split(',') {
                assert!(
                    allowed.iter().any(|a| a == v),
                    "{name}={v} is not one of {allowed:?}"
                );
            }
        }
        if name == "limit" {
            assert!(value.parse::<u64>().unwrap() <= p["schema"]["maximum"].as_u64().unwrap());
        }
    }
}
