//! `sync --analytics REPORT`: every segment not archived yet (by id), with
//! its report, granularity and processing date, rows kept as sent.

use asc_standin::metrics::{APP_ID, DOWNLOADS_REPORT};

use super::archive;
use crate::support::standin::AscWorld;

#[test]
fn sync_analytics_archives_each_segment_once_with_its_instance() {
    let w = AscWorld::new();
    w.cmd(&["sync", "--analytics", DOWNLOADS_REPORT, "--app", APP_ID])
        .run()
        .success()
        .stdout_has("NEW SEGMENTS");
    let fetched = w.server.metrics().segment_fetches().len();
    assert!(fetched > 0);
    let conn = rusqlite::Connection::open(archive(&w)).unwrap();
    let (segments, rows): (i64, i64) = conn
        .query_row(
            "SELECT count(*), sum(rows) FROM analytics_segments",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(segments as usize, fetched, "one row per segment fetched");
    let stored: i64 = conn
        .query_row("SELECT count(*) FROM analytics_rows", [], |r| r.get(0))
        .unwrap();
    assert_eq!(stored, rows);
    assert!(rows > 0);
    let bad: i64 = conn
        .query_row(
            "SELECT count(*) FROM analytics_segments WHERE report <> ?1
             OR granularity NOT IN ('DAILY', 'WEEKLY', 'MONTHLY')
             OR length(processing_date) <> 10 OR header = ''",
            [DOWNLOADS_REPORT],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(bad, 0);
    // Nothing new: no segment downloaded again.
    w.cmd(&["sync", "--analytics", DOWNLOADS_REPORT, "--app", APP_ID])
        .run()
        .success();
    assert_eq!(w.server.metrics().segment_fetches().len(), fetched);
}

#[test]
fn an_app_without_the_report_is_noted_and_skipped() {
    let w = AscWorld::new();
    w.cmd(&[
        "sync",
        "--analytics",
        DOWNLOADS_REPORT,
        "--app",
        "1234567891",
    ])
    .run()
    .success()
    .stderr_has("no report");
}

#[test]
fn a_sync_without_kind_flags_keeps_the_reports_archived_before() {
    let w = AscWorld::new();
    let requests = "/v1/apps/1234567890/analyticsReportRequests";
    w.cmd(&["sync", "--app", APP_ID]).run().success();
    assert_eq!(w.count(requests), 0, "no report archived yet: none asked");
    w.cmd(&["sync", "--analytics", DOWNLOADS_REPORT, "--app", APP_ID])
        .run()
        .success();
    let asked = w.count(requests);
    assert!(asked > 0);
    w.cmd(&["sync", "--app", APP_ID])
        .run()
        .success()
        .stdout_has(DOWNLOADS_REPORT);
    assert!(w.count(requests) > asked, "the report was looked at again");
    // Another app never had it: not asked about.
    let other = w.cmd(&["sync", "--app", "1234567891"]).run().success();
    assert!(!other.stderr().contains("no report"), "{}", other.stderr());
}
