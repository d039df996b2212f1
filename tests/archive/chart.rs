//! `metrics chart --archive`: a series read straight from the archive —
//! an analytics report's archived rows (one granularity, instances that
//! repeat rows counted once) or daily sales (units; proceeds one line per
//! currency) — offline, compared with the data the stand-in served.

use std::path::Path;

use asc_standin::Standin;
use asc_standin::metrics::{APP_ID, DOWNLOADS_REPORT};

use super::archive;
use crate::support::standin::AscWorld;
use crate::support::{Env, ExitStatus};

/// `metrics chart --archive …` with no passphrase and no server to reach.
fn offline_chart(w: &AscWorld, args: &[&str]) -> crate::support::Cmd {
    w.t.bare(&["metrics", "chart", "--archive"])
        .args(args)
        .env("ASCVAULT_API_BASE", "http://127.0.0.1:9")
}

/// The number of `<circle>`s (data points) of an SVG.
fn points_in(svg: &Path) -> usize {
    std::fs::read_to_string(svg)
        .unwrap()
        .matches("<circle")
        .count()
}

#[test]
fn chart_archive_analytics_sums_each_day_of_the_finest_granularity_offline() {
    let w = AscWorld::new();
    w.cmd(&["sync", "--analytics", DOWNLOADS_REPORT, "--app", APP_ID])
        .run()
        .success();
    let before = w.server.requests().len();
    // The stand-in's DAILY instances, Counts summed per Date:
    // 2026-10-01 15+22, 2026-11-20 (two segments) 11+18+25+32+39 + 12+19+26,
    // 2026-11-21 13+20+27+34.
    let base = [
        "--analytics",
        DOWNLOADS_REPORT,
        "--app",
        "com.example.pocketnotes",
        "--column",
        "Counts",
    ];
    offline_chart(&w, &base)
        .run()
        .success()
        .stdout_has("Counts ")
        .stdout_has("min 37 max 182 last 94 (3 points)")
        .stderr_has("DAILY")
        .stderr_has("also archived: WEEKLY");
    // The weekly instance: 14+21+28+35+42+49.
    offline_chart(&w, &base)
        .args(&["--granularity", "weekly"])
        .run()
        .success()
        .stdout_has("min 189 max 189 last 189 (1 points)");
    let svg = w.t.path("daily.svg");
    offline_chart(&w, &base)
        .args(&["--by", "Date", "--out", svg.to_str().unwrap()])
        .run()
        .success();
    assert_eq!(points_in(&svg), 3);
    assert!(
        std::fs::read_to_string(&svg)
            .unwrap()
            .contains("Counts by Date"),
    );
    assert_eq!(w.server.requests().len(), before, "no request");

    // A later instance that repeats 2026-11-20's rows and adds a day: the
    // repeated rows are not counted twice (2026-11-20 stays 182, not 364).
    let conn = rusqlite::Connection::open(archive(&w)).unwrap();
    let (header, rows): (String, Vec<String>) = {
        let header: String = conn
            .query_row(
                "SELECT header FROM analytics_segments WHERE granularity = 'DAILY' LIMIT 1",
                [],
                |r| r.get(0),
            )
            .unwrap();
        let mut st = conn
            .prepare(
                "SELECT r.row FROM analytics_rows r JOIN analytics_segments s
                 ON r.segment_id = s.id WHERE s.processing_date = '2026-11-20'
                 ORDER BY s.id, r.line",
            )
            .unwrap();
        let rows = st
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<Vec<String>, _>>()
            .unwrap();
        (header, rows)
    };
    assert_eq!(rows.len(), 8);
    let new_day = rows[0].replace("2026-11-20", "2026-11-22");
    let new_day = format!("{}\t5", &new_day[..new_day.rfind('\t').unwrap()]);
    conn.execute(
        "INSERT INTO analytics_segments (id, app_id, report, instance_id, granularity,
         processing_date, header, rows, archived_unix)
         VALUES ('overlap', ?1, ?2, 'overlap-instance', 'DAILY', '2026-11-22', ?3, 9, 0)",
        (APP_ID, DOWNLOADS_REPORT, &header),
    )
    .unwrap();
    for (i, row) in rows.iter().chain([&new_day]).enumerate() {
        conn.execute(
            "INSERT INTO analytics_rows (segment_id, line, row) VALUES ('overlap', ?1, ?2)",
            (i as i64, row),
        )
        .unwrap();
    }
    drop(conn);
    offline_chart(&w, &base)
        .run()
        .success()
        .stdout_has("min 5 max 182 last 5 (4 points)")
        .stderr_has("8 repeated by a later instance left out");
}

#[test]
fn chart_archive_errors_say_what_to_do() {
    let w = AscWorld::new();
    let base = ["--app", APP_ID, "--column", "Counts"];
    // No archive yet.
    offline_chart(&w, &base)
        .args(&["--analytics", DOWNLOADS_REPORT])
        .run()
        .fails(ExitStatus::Failure)
        .stderr_has("sync");
    w.cmd(&["sync", "--analytics", DOWNLOADS_REPORT, "--app", APP_ID])
        .run()
        .success();
    // A report that was not archived: the archived ones are listed.
    offline_chart(&w, &base)
        .args(&["--analytics", "App Sessions Standard"])
        .run()
        .fails(ExitStatus::Failure)
        .stderr_has(DOWNLOADS_REPORT);
    offline_chart(&w, &base)
        .args(&["--analytics", DOWNLOADS_REPORT, "--granularity", "monthly"])
        .run()
        .fails(ExitStatus::Failure)
        .stderr_has("DAILY, WEEKLY");
    offline_chart(&w, &["--analytics", DOWNLOADS_REPORT, "--app", APP_ID])
        .args(&["--column", "Nope"])
        .run()
        .fails(ExitStatus::Usage)
        .stderr_has("Counts");
    // Usage: neither a file nor --archive; both; --archive without a kind;
    // --analytics without --app; sales of something else than units or proceeds.
    for args in [
        &["metrics", "chart", "--column", "Counts"][..],
        &[
            "metrics",
            "chart",
            "x.tsv",
            "--archive",
            "--sales",
            "--column",
            "units",
        ],
        &["metrics", "chart", "--archive", "--column", "Counts"],
        &[
            "metrics",
            "chart",
            "--archive",
            "--analytics",
            DOWNLOADS_REPORT,
            "--column",
            "Counts",
        ],
        &[
            "metrics",
            "chart",
            "--analytics",
            DOWNLOADS_REPORT,
            "--app",
            APP_ID,
            "--column",
            "Counts",
        ],
    ] {
        w.t.bare(args).run().exits(ExitStatus::Usage);
    }
}

#[test]
fn chart_archive_sales_charts_units_per_day_and_proceeds_per_currency() {
    let t = Env::new();
    t.init()
        .add_key_with("asc", "TESTKEY001", &["--vendor-number", "85012345"]);
    let w = AscWorld {
        t,
        server: Standin::start(),
    };
    w.cmd(&["sync", "--sales"]).run().success();
    // A day Apple had no sales for is archived without rows: 0 units.
    let conn = rusqlite::Connection::open(archive(&w)).unwrap();
    let empty_days: i64 = conn
        .query_row("SELECT count(*) FROM sales_days WHERE rows = 0", [], |r| {
            r.get(0)
        })
        .unwrap();
    drop(conn);
    let min = if empty_days > 0 { 0 } else { 9 };
    // Every day of the stand-in: Pocket Notes 3 + 2 - 1 (USD) + 4 (GBP),
    // Pocket Notes Pro 1 (EUR).
    offline_chart(&w, &["--sales", "--column", "units"])
        .run()
        .success()
        .stdout_has("units ")
        .stdout_has(&format!("min {min} max 9 last 9 (365 points)"));
    // One app: its own units, found by its Apple id in the rows (a sync of
    // sales alone archives no apps), and without the archived app no
    // first-time downloads.
    offline_chart(&w, &["--sales", "--column", "Units", "--app", APP_ID])
        .run()
        .success()
        .stdout_has("max 8 last 8 (365 points)");
    offline_chart(&w, &["--sales", "--column", "downloads", "--app", APP_ID])
        .run()
        .fails(ExitStatus::Failure)
        .stderr_has("sync --app");
    // With the app archived: its days as `report` counts them — units,
    // first-time downloads (product type 1F, net of the refund).
    w.cmd(&["sync", "--reviews", "--app", APP_ID])
        .run()
        .success();
    offline_chart(
        &w,
        &["--sales", "--column", "units", "--app", "Pocket Notes"],
    )
    .run()
    .success()
    .stdout_has("max 8 last 8 (365 points)");
    offline_chart(&w, &["--sales", "--column", "downloads", "--app", APP_ID])
        .run()
        .success()
        .stdout_has("downloads ")
        .stdout_has("max 8 last 8 (365 points)");
    offline_chart(&w, &["--sales", "--column", "downloads"])
        .run()
        .fails(ExitStatus::Usage)
        .stderr_has("--app");
    // Proceeds: one line per currency, never summed across them.
    let out = offline_chart(&w, &["--sales", "--column", "proceeds"])
        .run()
        .success()
        .stdout();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "{out}");
    assert!(lines[0].starts_with("proceeds EUR "), "{out}");
    assert!(
        lines[0].ends_with("max 3.49 last 3.49 (365 points)"),
        "{out}"
    );
    assert!(lines[1].starts_with("proceeds GBP "), "{out}");
    assert!(
        lines[1].ends_with("max 2.48 last 2.48 (365 points)"),
        "{out}"
    );
    assert!(lines[2].starts_with("proceeds USD "), "{out}");
    assert!(lines[2].ends_with("max 2.8 last 2.8 (365 points)"), "{out}");
    let svg = w.t.path("proceeds.svg");
    offline_chart(&w, &["--sales", "--column", "proceeds", "--out"])
        .arg(&svg)
        .run()
        .success();
    assert_eq!(points_in(&svg), 3 * 365);
    let text = std::fs::read_to_string(&svg).unwrap();
    for currency in ["EUR", "GBP", "USD"] {
        assert!(text.contains(&format!("proceeds {currency}")), "legend");
    }
    offline_chart(&w, &["--sales", "--column", "Counts"])
        .run()
        .fails(ExitStatus::Usage)
        .stderr_has("units, downloads or proceeds");
    offline_chart(&w, &["--sales", "--column", "units", "--app", "Nothing"])
        .run()
        .fails(ExitStatus::Failure);
}
