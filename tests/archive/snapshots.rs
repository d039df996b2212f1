//! `sync --snapshots`: Apple's review summaries and an app's perf metrics,
//! kept once per app and UTC day; and sales rows kept with their product
//! type, so downloads can be told from updates.

use asc_standin::seed;

use super::{APP, archive};
use crate::support::ExitStatus;
use crate::support::standin::AscWorld;

const SUMMARIES: &str = "/v1/apps/1234567890/customerReviewSummarizations";
const PERF: &str = "/v1/apps/1234567890/perfPowerMetrics";

fn snapshot_count(w: &AscWorld, kind: &str) -> i64 {
    let conn = rusqlite::Connection::open(archive(w)).unwrap();
    conn.query_row(
        "SELECT count(*) FROM snapshots WHERE kind = ?1",
        [kind],
        |r| r.get(0),
    )
    .unwrap()
}

#[test]
fn snapshots_are_taken_once_a_day_and_read_back() {
    let w = AscWorld::new();
    let out = w
        .cmd(&["sync", "--snapshots", "--app", APP])
        .run()
        .success();
    let seeded = asc_standin::summaries::SUMMARIES
        .iter()
        .filter(|s| s.app_id == APP)
        .count();
    assert!(
        out.stdout().contains(&format!("{seeded} stored")),
        "{}",
        out.stdout()
    );
    assert_eq!(w.count(SUMMARIES), 1);
    assert_eq!(w.count(PERF), 1);
    assert_eq!(w.count("/v1/apps/1234567890/customerReviews"), 0);

    let a = ascvault::archive::Archive::open_existing(&archive(&w)).unwrap();
    let kept = a
        .snapshot(APP, ascvault::archive::SnapshotKind::Summaries)
        .unwrap()
        .unwrap();
    let summaries = kept.summaries();
    assert_eq!(summaries.len(), seeded);
    assert!(summaries.iter().all(|s| s.text.is_some()));
    let perf = a
        .snapshot(APP, ascvault::archive::SnapshotKind::Perf)
        .unwrap()
        .unwrap()
        .perf()
        .expect("the perf document parses");
    assert!(!perf.product_data.is_empty());
    drop(a);

    let again = w
        .cmd(&["sync", "--snapshots", "--app", APP])
        .run()
        .success();
    assert!(again.stdout().contains("taken today"), "{}", again.stdout());
    assert_eq!(w.count(SUMMARIES), 1, "not asked twice the same day");
    assert_eq!(w.count(PERF), 1);
    assert_eq!(snapshot_count(&w, "perf"), 1);
}

#[test]
fn an_app_apple_has_no_metrics_for_is_noted_not_fatal() {
    let w = AscWorld::new();
    // The stand-in serves perf metrics for Pocket Notes only: 404 otherwise.
    let out = w
        .cmd(&["sync", "--snapshots", "--app", seed::WEATHER_APP_ID])
        .run()
        .success();
    assert!(
        out.stdout().contains("not offered (404)"),
        "{}",
        out.stdout()
    );
    assert_eq!(snapshot_count(&w, "perf"), 0);
    assert_eq!(snapshot_count(&w, "summaries"), 1);
}

#[test]
fn a_sync_without_kind_flags_takes_the_snapshots_too() {
    let w = AscWorld::new();
    w.cmd(&["sync", "--app", APP]).run().success();
    assert_eq!(w.count(PERF), 1);
    assert_eq!(snapshot_count(&w, "summaries"), 1);
    w.cmd(&["sync", "--app", APP]).run().success();
    assert_eq!(w.count(PERF), 1, "once a day");
}

#[test]
fn a_failing_snapshot_request_fails_the_sync_and_keeps_the_reviews() {
    let w = AscWorld::new();
    w.server.fault(PERF, asc_standin::Fault::status(400), 1);
    w.cmd(&["sync", "--app", APP])
        .run()
        .fails(ExitStatus::Refused);
    assert_eq!(super::inspect(&archive(&w)).1, 450, "the reviews stay");
    assert_eq!(snapshot_count(&w, "perf"), 0);
    w.cmd(&["sync", "--app", APP]).run().success();
    assert_eq!(snapshot_count(&w, "perf"), 1, "taken by the next sync");
}

#[test]
fn sales_rows_keep_their_product_type() {
    let t = crate::support::Env::new();
    t.init()
        .add_key_with("asc", "TESTKEY001", &["--vendor-number", "85012345"]);
    let w = AscWorld {
        t,
        server: asc_standin::Standin::start(),
    };
    w.cmd(&["sync", "--sales"]).run().success();
    let conn = rusqlite::Connection::open(archive(&w)).unwrap();
    let kinds: Vec<String> = conn
        .prepare("SELECT DISTINCT product_type FROM sales_rows")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    // The stand-in's rows are universal-app purchases.
    assert_eq!(kinds, ["1F"]);
}
