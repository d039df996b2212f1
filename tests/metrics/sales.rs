//! Sales and finance reports: TSV, JSON, a file and a summary; the vendor
//! number from the entry or the flag; Apple's refusals; each report type's
//! version and header; finance totals; a day without sales.

use std::fs;
use std::io::Write;

use asc_standin::Fault;
use asc_standin::metrics::{
    NO_SALES_DATE, SALES_HEADER, SUBSCRIBER_HEADER, SUBSCRIPTION_EVENT_HEADER, SUBSCRIPTION_HEADER,
    VENDOR, finance_tsv, sales_tsv,
};

use crate::support::ExitStatus;
use crate::support::standin::AscWorld;

#[test]
fn sales_report_as_tsv_json_file_and_summary() {
    let w = AscWorld::new();
    // Without a vendor number anywhere: a usage error saying where to put it.
    w.metrics(&["sales", "--frequency", "daily", "--date", "2026-11-20"])
        .run()
        .fails(ExitStatus::Usage)
        .stderr_has("--vendor");
    w.t.add_key_with("sales", "TESTKEY001", &["--vendor-number", VENDOR]);
    let sales = |args: &[&str]| {
        w.metrics(&[
            "sales",
            "--entry",
            "sales",
            "--frequency",
            "daily",
            "--date",
            "2026-11-20",
        ])
        .args(args)
    };
    sales(&[])
        .run()
        .success()
        .stdout_has("Provider\tProvider Country")
        .stdout_has("11/20/2026");
    let v = sales(&["--json"]).run().success().json();
    assert_eq!(v.as_array().unwrap().len(), 5);
    assert_eq!(v[0]["Country Code"], "US");
    let s = sales(&["--summary", "--json"]).run().success().json();
    let rows = s.as_array().unwrap();
    assert_eq!(rows.len(), 3, "{s}");
    let us = rows.iter().find(|r| r["territory"] == "US").unwrap();
    assert_eq!(us["units"], 4.0);
    assert_eq!(us["proceeds"], 2.8);
    let gb = rows.iter().find(|r| r["territory"] == "GB").unwrap();
    assert_eq!(gb["proceeds"], 2.48);
    assert_eq!(gb["currency"], "GBP");
    sales(&["--summary"])
        .run()
        .success()
        .stdout_has("TERRITORY")
        .stdout_has("2.48");
    let file = w.t.path("sales.tsv");
    sales(&["--out", file.to_str().unwrap()]).run().success();
    assert!(fs::read_to_string(&file).unwrap().starts_with("Provider\t"));
    // A refused report leaves no file behind.
    let refused = w.t.path("refused.tsv");
    sales(&["--vendor", "99999999", "--out", refused.to_str().unwrap()])
        .run()
        .fails(ExitStatus::Refused);
    assert!(!refused.exists());
    assert!(
        fs::read_dir(w.t.dir.path()).unwrap().all(|e| !e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .ends_with(".tmp")),
        "no temporary file left"
    );
    // The vendor flag wins over the entry's.
    sales(&["--vendor", "99999999"])
        .run()
        .fails(ExitStatus::Refused)
        .stderr_has("403");
    // A date that is no month.
    w.metrics(&[
        "sales",
        "--entry",
        "sales",
        "--frequency",
        "monthly",
        "--date",
        "2026-11-20",
    ])
    .run()
    .fails(ExitStatus::Usage)
    .stderr_has("does not fit");
}

#[test]
fn a_day_without_sales_is_an_empty_report_not_an_error() {
    let w = AscWorld::new();
    let sales = |args: &[&str]| {
        w.metrics(&[
            "sales",
            "--vendor",
            VENDOR,
            "--frequency",
            "daily",
            "--date",
            NO_SALES_DATE,
        ])
        .args(args)
    };
    let note = "no sales on 2026-11-19 (SALES SUMMARY DAILY): Apple answered \"There were no sales for the date specified\"; the report is empty";
    let out = sales(&[]).run().success().stderr_has(note);
    assert_eq!(out.stdout(), "");
    let v = sales(&["--json"]).run().success().stderr_has(note).json();
    assert_eq!(v, serde_json::json!([]));
    let v = sales(&["--summary", "--json"]).run().success().json();
    assert_eq!(v, serde_json::json!([]));
    let file = w.t.path("empty.tsv");
    sales(&["--out", file.to_str().unwrap()])
        .run()
        .success()
        .stderr_has(note);
    assert_eq!(fs::read_to_string(&file).unwrap(), "");
}

#[test]
fn each_report_type_gets_its_version_and_its_own_header() {
    let w = AscWorld::new();
    let sales = |report_type: &str, subtype: &str, frequency: &str| {
        w.metrics(&[
            "sales",
            "--vendor",
            VENDOR,
            "--type",
            report_type,
            "--subtype",
            subtype,
            "--frequency",
            frequency,
            "--date",
            "2026-11-20",
        ])
    };
    for (report_type, subtype, header, column) in [
        (
            "subscription",
            "summary",
            SUBSCRIPTION_HEADER,
            "Subscribers",
        ),
        (
            "SUBSCRIPTION_EVENT",
            "SUMMARY",
            SUBSCRIPTION_EVENT_HEADER,
            "Event",
        ),
        ("subscriber", "detailed", SUBSCRIBER_HEADER, "Subscriber ID"),
    ] {
        let v = sales(report_type, subtype, "daily")
            .arg("--json")
            .run()
            .success()
            .json();
        let rows = v.as_array().unwrap();
        assert_eq!(rows.len(), 1, "{v}");
        let row = rows[0].as_object().unwrap();
        assert_eq!(row.len(), header.split('\t').count());
        assert!(!row[column].as_str().unwrap().is_empty(), "{v}");
        sales(report_type, subtype, "daily")
            .run()
            .success()
            .stdout_has(&format!("{header}\n"));
    }
    // Each type only at the frequencies Apple's table lists.
    sales("subscription_event", "summary", "monthly")
        .run()
        .fails(ExitStatus::Usage)
        .stderr_has("SUBSCRIPTION_EVENT reports do not come with --frequency monthly")
        .stderr_has("hint: Apple offers SUBSCRIPTION_EVENT reports with daily");
    sales("subscriber", "summary", "daily")
        .run()
        .fails(ExitStatus::Usage)
        .stderr_has("with detailed");
    // --report-version still overrides (and Apple refuses an old one).
    sales("subscription", "summary", "daily")
        .args(&["--report-version", "1_2"])
        .run()
        .fails(ExitStatus::Refused)
        .stderr_has("latest version for this report is 1_3")
        .stderr_has(
            "hint: Apple names 1_3 as this report's latest version: pass --report-version 1_3",
        );
    let log = w.server.requests_to("/v1/salesReports");
    assert!(
        log.iter()
            .any(|r| r.query.contains("=SUBSCRIPTION_EVENT&") && r.query.ends_with("=1_3")),
        "{log:?}"
    );
}

/// A gzip report answer as Apple sends it.
fn report_answer(text: &str) -> Fault {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(text.as_bytes()).unwrap();
    Fault::Answer {
        status: 200,
        headers: vec![
            ("content-type".into(), "application/a-gzip".into()),
            ("content-encoding".into(), "agzip".into()),
        ],
        body: gz.finish().unwrap(),
    }
}

#[test]
fn sales_json_refuses_a_row_whose_fields_do_not_match_the_header() {
    let w = AscWorld::new();
    // The stand-in's own rows fit their header.
    let text = sales_tsv("2026-11-20");
    let width = SALES_HEADER.split('\t').count();
    assert!(
        text.lines().all(|l| l.split('\t').count() == width),
        "{text}"
    );
    // One field too many: every value after the extra one would shift.
    let bad = format!("{SALES_HEADER}\n{}\tEXTRA\n", text.lines().nth(1).unwrap());
    w.server.fault("/v1/salesReports", report_answer(&bad), 1);
    w.metrics(&[
        "sales",
        "--vendor",
        VENDOR,
        "--frequency",
        "daily",
        "--date",
        "2026-11-20",
        "--json",
    ])
    .run()
    .fails(ExitStatus::Failure)
    .stderr_has("line 2 has 29 fields but the header has 28");
}

#[test]
fn finance_report_as_json_stops_at_the_totals() {
    let w = AscWorld::new();
    let v = w
        .metrics(&[
            "finance", "--region", "us", "--date", "2026-10", "--vendor", VENDOR, "--json",
        ])
        .run()
        .success()
        .json();
    let rows = v.as_array().unwrap();
    assert_eq!(rows.len(), 2, "{v}");
    assert_eq!(rows[0]["Country Of Sale"], "US");
    assert_eq!(rows[0]["Start Date"], "10/01/2026");
    assert_eq!(rows[1]["Quantity"], "-2");
    // Totals that disagree with the rows: the file lost rows.
    let short = finance_tsv("US", "2026-10").replace("Total_Rows\t2", "Total_Rows\t3");
    w.server
        .fault("/v1/financeReports", report_answer(&short), 1);
    w.metrics(&[
        "finance", "--region", "US", "--date", "2026-10", "--vendor", VENDOR, "--json",
    ])
    .run()
    .fails(ExitStatus::Failure)
    .stderr_has("the report says Total_Rows 3 but has 2 rows");
    // Without --json: Apple's file, totals and all.
    w.metrics(&[
        "finance", "--region", "US", "--date", "2026-10", "--vendor", VENDOR,
    ])
    .run()
    .success()
    .stdout_has("Start Date\tEnd Date")
    .stdout_has("\tUSD\nTotal_Rows\t2\n");
    w.metrics(&[
        "finance",
        "--region",
        "US",
        "--date",
        "2026-10-01",
        "--vendor",
        VENDOR,
    ])
    .run()
    .fails(ExitStatus::Usage)
    .stderr_has("\"2026-10-01\" is not a month: write YYYY-MM (Apple's fiscal month)");
}
