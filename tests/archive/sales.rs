//! `sync --sales`: each daily sales summary not archived yet, back a year,
//! one day per transaction; a second sync asks for nothing already kept.

use asc_standin::Standin;

use super::archive;
use crate::support::Env;
use crate::support::standin::AscWorld;

/// A world whose api-key entry has a vendor number.
fn world_with_vendor() -> AscWorld {
    let t = Env::new();
    t.init()
        .add_key_with("asc", "TESTKEY001", &["--vendor-number", "85012345"]);
    AscWorld {
        t,
        server: Standin::start(),
    }
}

#[test]
fn sync_sales_archives_a_year_of_daily_summaries_once() {
    let w = world_with_vendor();
    let out = w.cmd(&["sync", "--sales"]).run().success();
    assert!(out.stdout().contains("daily summary"), "{}", out.stdout());
    assert_eq!(w.count("/v1/salesReports"), 365);
    assert_eq!(w.count("/v1/apps"), 0, "reviews were not asked for");
    let conn = rusqlite::Connection::open(archive(&w)).unwrap();
    let days: i64 = conn
        .query_row("SELECT count(*) FROM sales_days", [], |r| r.get(0))
        .unwrap();
    assert_eq!(days, 365);
    let (units, proceeds): (f64, f64) = conn
        .query_row(
            "SELECT units, proceeds FROM sales_rows
             WHERE apple_identifier = '1234567890' AND currency = 'USD'
             ORDER BY date DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    // The stand-in's day: 3 + 2 - 1 units at 0.70 each.
    assert_eq!(units, 4.0);
    assert!((proceeds - 2.8).abs() < 1e-9, "{proceeds}");
    w.cmd(&["sync", "--sales"]).run().success();
    assert_eq!(w.count("/v1/salesReports"), 365, "nothing asked twice");
}

#[test]
fn a_day_apple_does_not_offer_is_left_out_and_asked_again() {
    let w = world_with_vendor();
    // Apple refuses the newest day (not published yet, say).
    w.server
        .fault("/v1/salesReports", asc_standin::Fault::status(404), 1);
    w.cmd(&["sync", "--sales"]).run().success();
    assert_eq!(w.count("/v1/salesReports"), 365);
    w.cmd(&["sync", "--sales"]).run().success();
    assert_eq!(
        w.count("/v1/salesReports"),
        366,
        "the refused day, asked again"
    );
}
