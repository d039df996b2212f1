//! Sales and finance reports: TSV, JSON, a file and a summary; the vendor
//! number from the entry or the flag; Apple's refusals.

use std::fs;

use asc_standin::metrics::{NO_SALES_DATE, VENDOR};

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
    // Apple's 404 for a day without sales; a date that is no month.
    for (frequency, date, status, message) in [
        ("daily", NO_SALES_DATE, ExitStatus::Refused, "no sales"),
        ("monthly", "2026-11-20", ExitStatus::Usage, "does not fit"),
    ] {
        w.metrics(&[
            "sales",
            "--entry",
            "sales",
            "--frequency",
            frequency,
            "--date",
            date,
        ])
        .run()
        .fails(status)
        .stderr_has(message);
    }
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
    assert_eq!(rows[1]["Quantity"], "-2");
    // Without --json: Apple's file, totals and all.
    w.metrics(&[
        "finance", "--region", "US", "--date", "2026-10", "--vendor", VENDOR,
    ])
    .run()
    .success()
    .stdout_has("Start Date\tEnd Date")
    .stdout_has("\nTotal_Rows\t2\n");
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
