//! Apple's example bodies for power and performance metrics and for
//! diagnostics, served through the stand-in: the numbers ascvault prints
//! (weights as percentages, units by `displayName`, Apple's goal keys) and
//! `--json` exactly as Apple sent it.

use asc_standin::Fault;
use asc_standin::metrics::BUILD_ID;
use serde_json::{Value, json};

use crate::support::real;
use crate::support::standin::AscWorld;

const METRICS: &str = "application/vnd.apple.xcode-metrics+json";
const LOGS: &str = "application/vnd.apple.diagnostic-logs+json";

/// An answer of status 200 with `body` as `media`.
fn answer(media: &str, body: &Value) -> Fault {
    Fault::Answer {
        status: 200,
        headers: vec![("content-type".into(), media.into())],
        body: body.to_string().into_bytes(),
    }
}

/// Apple's signatures example as the only page: its `links.next` points at
/// Apple's host, which a test never reaches.
fn signatures_page() -> Option<Value> {
    let mut doc = real::json("diagnosticSignatures_appledoc.json")?;
    doc["links"].as_object_mut()?.remove("next");
    Some(doc)
}

/// A world whose build answers `doc` for its perfPowerMetrics, `times` times.
fn serving_metrics(doc: &Value, times: u32) -> AscWorld {
    let w = AscWorld::new();
    w.server.fault(
        &format!("/v1/builds/{BUILD_ID}/perfPowerMetrics"),
        answer(METRICS, doc),
        times,
    );
    w
}

#[test]
fn diagnostic_weights_are_fractions_of_the_events() {
    let Some(doc) = signatures_page() else { return };
    let w = AscWorld::new();
    let path = format!("/v1/builds/{BUILD_ID}/diagnosticSignatures");
    w.server.fault(&path, Fault::json(&doc), 2);
    let out = w
        .metrics(&["diagnostics", "--build", BUILD_ID])
        .run()
        .success()
        .stdout();
    // Apple: 0.85 and 0.07 are "85 % and 7 % of disk writes".
    let (heavy, light) = (out.find("85.0%"), out.find("7.0%"));
    assert!(heavy.is_some() && light.is_some(), "{out}");
    assert!(heavy < light, "heaviest first: {out}");
    assert!(out.contains("DISK_WRITES"), "{out}");
    let v = w
        .metrics(&["diagnostics", "--build", BUILD_ID, "--json"])
        .run()
        .success()
        .json();
    assert_eq!(v[0]["weight"], 0.85);
    assert_eq!(v[1]["weight"], 0.07);
}

#[test]
fn diagnostic_logs_show_apples_call_path() {
    let (Some(sigs), Some(logs)) = (
        signatures_page(),
        real::json("diagnosticLogs_appledoc.json"),
    ) else {
        return;
    };
    let w = AscWorld::new();
    let path = format!("/v1/builds/{BUILD_ID}/diagnosticSignatures");
    w.server.fault(&path, Fault::json(&sigs), 1);
    w.server
        .fault("/v1/diagnosticSignatures/", answer(LOGS, &logs), 2);
    let out = w
        .metrics(&["diagnostics", "--build", BUILD_ID, "--logs"])
        .run()
        .success()
        .stdout();
    // No build number in Apple's example: the version alone.
    assert!(
        out.contains("\n  6.10.1 on iPhone13_3 iPhone OS 14.6 (18F72)\n"),
        "{out}"
    );
    assert!(
        out.contains("libdispatch.dylib  _dispatch_call_block_and_release\n"),
        "{out}"
    );
    assert!(
        out.contains("* ExampleApp  +[TaskHandler updateNames]\n"),
        "{out}"
    );
}

#[test]
fn perf_tables_use_apples_unit_names_and_goal_keys() {
    let Some(doc) = real::json("perfPowerMetrics_build_appledoc.json") else {
        return;
    };
    let w = serving_metrics(&doc, 1);
    let out = w
        .metrics(&["perf", "--build", BUILD_ID])
        .run()
        .success()
        .stdout();
    for needle in [
        "iOS ANIMATION — scrollHitchRate (%); goals: poor 10–, fair 5–10, good 0–5",
        "p50 All iPads",
        "p90 All iPads",
        "6.5 % (fair)",
        "29.7 % (poor)",
    ] {
        assert!(out.contains(needle), "lacks {needle:?}:\n{out}");
    }
    assert!(!out.contains("6.5 scrollHitchRate"), "{out}");
}

#[test]
fn perf_json_is_apples_document_as_received() {
    let Some(doc) = real::json("perfPowerMetrics_build_appledoc.json") else {
        return;
    };
    let w = serving_metrics(&doc, 1);
    let v = w
        .metrics(&["perf", "--build", BUILD_ID, "--json"])
        .run()
        .success()
        .json();
    // No `insights` added, no `errorMargin: null`: Apple's document.
    assert_eq!(v, doc);
}

#[test]
fn perf_reads_values_looser_than_apples_schema() {
    let Some(mut doc) = real::json("perfPowerMetrics_build_appledoc.json") else {
        return;
    };
    let metric = &mut doc["productData"][0]["metricCategories"][0]["metrics"][0];
    // Apple's schema says integer bounds; a decimal must not abort the command.
    metric["goalKeys"][1]["lowerBound"] = json!(0.5);
    metric["datasets"][0]["points"][0]["percentageBreakdown"] =
        json!({"subSystemLabel": "UIKit", "value": 40.5});
    // The schema says a string; an array of versions is read as the list.
    doc["insights"] = json!({"regressions": [{
        "metric": "scrollHitchRate",
        "metricCategory": "ANIMATION",
        "summaryString": "Scroll hitches rose",
        "latestVersion": "10.0",
        "referenceVersions": ["9.0", "9.1"],
        "maxLatestVersionValue": 29.7,
        "subSystemLabel": "Scrolling",
        "highImpact": true,
        "populations": []
    }]});
    let w = serving_metrics(&doc, 2);
    let out = w
        .metrics(&["perf", "--build", BUILD_ID])
        .run()
        .success()
        .stdout();
    assert!(out.contains("fair 0.5–10"), "{out}");
    assert!(
        out.contains("ANIMATION scrollHitchRate: Scroll hitches rose [high impact]"),
        "{out}"
    );
    let v = w
        .metrics(&["perf", "--build", BUILD_ID, "--json"])
        .run()
        .success()
        .json();
    assert_eq!(v, doc);
}
