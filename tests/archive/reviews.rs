//! `sync` of reviews, `reviews list --archive` and `reviews stats`.

use serde_json::Value;

use super::{APP, BUNDLE, NOTES_REVIEWS, add_review, archive, inspect};
use crate::support::ExitStatus;
use crate::support::standin::AscWorld;

#[test]
fn sync_archives_450_reviews_in_3_requests_and_then_costs_one_request() {
    let w = AscWorld::new();
    let out = w.cmd(&["sync", "--app", BUNDLE]).run().success();
    assert!(out.stdout().contains("450"), "{}", out.stdout());
    assert_eq!(w.count(NOTES_REVIEWS), 3, "ceil(450/200) pages");
    assert_eq!(inspect(&archive(&w)), ("ok".into(), 450));
    w.cmd(&["sync", "--app", BUNDLE]).run().success();
    assert_eq!(w.count(NOTES_REVIEWS), 4, "nothing new: one request");
}

#[cfg(unix)]
#[test]
fn the_archive_and_its_lock_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let w = AscWorld::new();
    w.cmd(&["sync", "--app", APP]).run().success();
    for name in [
        "ascvault.archive.sqlite",
        "ascvault.archive.sqlite.lock",
        "ascvault.archive.sqlite-wal",
    ] {
        let path = w.t.path(name);
        if name.ends_with("-wal") && !path.exists() {
            continue;
        }
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{name}");
    }
}

#[test]
fn list_archive_answers_offline_exactly_as_apple_would() {
    let w = AscWorld::new();
    w.cmd(&["sync", "--app", APP]).run().success();
    let filters: [&[&str]; 5] = [
        &["--rating", "1,2"],
        &["--territory", "USA,GBR", "--sort", "worst", "--max", "40"],
        &["--unanswered", "--sort", "oldest"],
        &["--since", "2026-10-20", "--sort", "best"],
        &[],
    ];
    for f in filters {
        let live = w
            .cmd(&["reviews", "list", "--app", APP, "--json"])
            .args(f)
            .run()
            .success()
            .json();
        let before = w.server.requests().len();
        // No passphrase and no server: the archive alone answers.
        let offline =
            w.t.bare(&["reviews", "list", "--archive", "--app", BUNDLE, "--json"])
                .args(f)
                .env("ASCVAULT_API_BASE", "http://127.0.0.1:9")
                .run()
                .success()
                .json();
        assert_eq!(w.server.requests().len(), before, "no request");
        assert_eq!(offline, live, "filters {f:?}");
    }
    let csv_live = w
        .cmd(&["reviews", "list", "--app", APP, "--csv", "--rating", "3"])
        .run()
        .success()
        .stdout();
    let csv_archive = w
        .cmd(&[
            "reviews",
            "list",
            "--archive",
            "--app",
            APP,
            "--csv",
            "--rating",
            "3",
        ])
        .run()
        .success()
        .stdout();
    assert_eq!(csv_archive, csv_live);
    let table = w
        .cmd(&[
            "reviews",
            "list",
            "--archive",
            "--app",
            "Pocket Notes",
            "--max",
            "3",
        ])
        .run()
        .success()
        .stdout();
    assert!(table.starts_with("ID"), "{table}");
    assert_eq!(table.lines().count(), 4, "{table}");
}

#[test]
fn list_archive_without_an_archive_says_to_sync_first() {
    let w = AscWorld::new();
    let out = w
        .cmd(&["reviews", "list", "--archive", "--app", APP])
        .run()
        .fails(ExitStatus::Failure);
    assert!(out.stderr().contains("ascvault sync"), "{}", out.stderr());
    let other = w.t.path("elsewhere.sqlite");
    let out = w
        .cmd(&["reviews", "list", "--app", APP])
        .arg(format!("--archive={}", other.display()))
        .run()
        .fails(ExitStatus::Failure);
    assert!(
        out.stderr().contains("elsewhere.sqlite"),
        "{}",
        out.stderr()
    );
    assert!(!other.exists(), "reading never creates an archive");
}

#[test]
fn a_later_sync_adds_new_reviews_and_sees_a_pending_response_published() {
    let w = AscWorld::new();
    w.cmd(&["sync", "--app", APP]).run().success();
    // An answer to an old review, pending at first.
    let old = asc_standin::seed::review_id(0, 400);
    w.cmd(&["reviews", "respond", &old, "--body", "Fixed in 2.0."])
        .run()
        .success();
    add_review(
        &w.server,
        APP,
        "99999999-0000-4000-8000-000000000001",
        2,
        "Newest",
    );
    // The newest page shows the new review; the old one is not on it, so
    // its stand-in state is pending until we publish it below.
    w.cmd(&["sync", "--app", APP]).run().success();
    let rows = w
        .cmd(&[
            "reviews",
            "list",
            "--archive",
            "--app",
            APP,
            "--json",
            "--max",
            "1",
        ])
        .run()
        .success()
        .json();
    assert_eq!(rows[0]["title"], "Newest");
    let state = |w: &AscWorld| -> Value {
        w.cmd(&[
            "reviews",
            "list",
            "--archive",
            "--app",
            APP,
            "--json",
            "--sort",
            "oldest",
        ])
        .run()
        .success()
        .json()
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == old.as_str())
        .unwrap()["response"]["state"]
            .clone()
    };
    assert_eq!(state(&w), "PENDING_PUBLISH");
    w.server
        .shared()
        .data
        .lock()
        .unwrap()
        .responses
        .get_mut(&old)
        .unwrap()
        .state = "PUBLISHED".into();
    let before = w.count("/v1/customerReviews/");
    w.cmd(&["sync", "--app", APP]).run().success();
    assert_eq!(w.count("/v1/customerReviews/") - before, 1, "one re-check");
    assert_eq!(state(&w), "PUBLISHED");
    // Published: never re-checked again.
    w.cmd(&["sync", "--app", APP]).run().success();
    assert_eq!(w.count("/v1/customerReviews/") - before, 1);
}

#[test]
fn stats_counts_stars_answers_and_flags_from_the_archive() {
    let w = AscWorld::new();
    w.cmd(&["sync", "--app", APP]).run().success();
    let live = w
        .cmd(&["reviews", "list", "--app", APP, "--json"])
        .run()
        .success()
        .json();
    let live = live.as_array().unwrap();
    let v = w
        .cmd(&["reviews", "stats", "--app", APP, "--by", "month", "--json"])
        .run()
        .success()
        .json();
    let total = &v["total"];
    assert_eq!(total["count"], 450);
    let ones = live.iter().filter(|r| r["rating"] == 1).count();
    assert_eq!(total["stars"]["1"], ones);
    let answered = live
        .iter()
        .filter(|r| r["response"]["state"] == "PUBLISHED")
        .count();
    let share = total["answered_share"].as_f64().unwrap();
    assert!((share - answered as f64 / 450.0).abs() < 0.001, "{share}");
    // The seed answers two hours after each review.
    assert_eq!(total["median_hours_to_answer"], 2.0);
    assert!(total["flagged_share"].as_f64().unwrap() > 0.0);
    let periods = v["periods"].as_array().unwrap();
    assert_eq!(periods[0]["period"], "2026-11");
    let sum: u64 = periods.iter().map(|p| p["count"].as_u64().unwrap()).sum();
    assert_eq!(sum, 450);
    let table = w
        .cmd(&["reviews", "stats", "--app", APP, "--by", "week"])
        .run()
        .success()
        .stdout();
    assert!(table.lines().nth(1).unwrap().starts_with("all"), "{table}");
    assert!(table.contains("2026-W44"), "{table}");
}

#[test]
fn sync_refuses_sales_without_a_vendor_number_and_otherwise_skips_them() {
    let w = AscWorld::new();
    let out = w.cmd(&["sync", "--sales"]).run().fails(ExitStatus::Usage);
    assert!(out.stderr().contains("vendor number"), "{}", out.stderr());
    assert!(!archive(&w).exists());
    // Without kind flags: reviews, and a note that sales were skipped.
    let out = w.cmd(&["sync"]).run().success();
    assert!(out.stderr().contains("sales skipped"), "{}", out.stderr());
    assert_eq!(w.count("/v1/salesReports"), 0);
}

#[test]
fn git_setup_keeps_the_archive_out_of_git() {
    let w = AscWorld::new();
    let git = |args: &[&str]| {
        let out = std::process::Command::new("git")
            .args(args)
            .current_dir(w.t.dir.path())
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    git(&["init", "-q"]);
    w.cmd(&["git", "setup"]).run().success();
    w.cmd(&["sync", "--app", APP]).run().success();
    assert!(archive(&w).exists());
    let status = git(&["status", "--porcelain", "--untracked-files=all"]);
    assert!(!status.contains("archive"), "{status}");
    assert!(status.contains("ascvault.age"), "{status}");
}

/// A reply sent from a file goes into the archive like one sent by
/// `reviews respond ID`, so the next sync re-checks it while pending.
#[test]
fn a_reply_sent_from_a_file_is_recorded_in_the_archive() {
    let w = AscWorld::new();
    w.cmd(&["sync", "--app", APP]).run().success();
    let file = w.t.path("replies.toml");
    w.cmd(&["reviews", "draft", "--app", APP, "--max", "1", "--out"])
        .arg(&file)
        .run()
        .success();
    let mut doc: toml::Table = toml::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let mut records = doc["reply"].as_array().unwrap().clone();
    let record = records[0].as_table_mut().unwrap();
    let id = record["review_id"].as_str().unwrap().to_owned();
    record.insert("reply".into(), "Thanks, fixed in 2.0.".into());
    doc.insert("reply".into(), toml::Value::Array(records));
    std::fs::write(&file, toml::to_string(&doc).unwrap()).unwrap();
    let state = |w: &AscWorld| -> Value {
        w.cmd(&["reviews", "list", "--archive", "--app", APP, "--json"])
            .run()
            .success()
            .json()
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id.as_str())
            .unwrap()["response"]
            .clone()
    };
    assert_eq!(state(&w), Value::Null, "not answered before");
    w.cmd(&["reviews", "respond", "--from"])
        .arg(&file)
        .run()
        .success();
    let response = state(&w);
    assert_eq!(response["state"], "PENDING_PUBLISH", "{response}");
    assert_eq!(response["body"], "Thanks, fixed in 2.0.", "{response}");
}
