//! Performance metrics (insights first, then a table per metric) and
//! diagnostics (ranked by weight, call stacks on request).

use asc_standin::metrics::{APP_ID, BUILD_ID};

use crate::support::ExitStatus;
use crate::support::standin::{AscWorld, api_get};

#[test]
fn perf_lists_insights_first_then_a_table_per_metric() {
    let w = AscWorld::new();
    let out = w
        .metrics(&["perf", "--app", APP_ID])
        .run()
        .success()
        .stdout();
    let regress = out.find("Regressions:").expect("regressions");
    let trending = out.find("Trending up:").expect("trending");
    let first_table = out.find("VERSION").expect("a table");
    assert!(regress < trending && trending < first_table, "{out}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "Regressions:", "{out}");
    assert!(lines.contains(&"Trending up:"), "{out}");
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("2.3 ") && l.contains("0.74 s ±0.04 (good)")),
        "a row per version: {out}"
    );
    for needle in [
        "Launch time rose 18%",
        "[high impact]",
        // Units by Apple's displayName; goal keys as Apple writes them.
        "LAUNCH — launchTime (s); goals: poor 2–, fair 1–2, good 0–1",
        "p50 All iPhones",
        "p90 All iPhones",
        "0.74 s",
        "peakMemory (MB)",
        "2.9 % ±0.14",
        "ANIMATION — scrollHitchRate",
    ] {
        assert!(out.contains(needle), "lacks {needle:?}:\n{out}");
    }
    let v = w
        .metrics(&[
            "perf",
            "--build",
            BUILD_ID,
            "--metric",
            "launch,memory",
            "--device",
            "all_iphones",
            "--json",
        ])
        .run()
        .success()
        .json();
    let cats: Vec<&str> = v["productData"][0]["metricCategories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["identifier"].as_str().unwrap())
        .collect();
    assert_eq!(cats, ["LAUNCH", "MEMORY"]);
    assert_eq!(
        v["productData"][0]["metricCategories"][0]["metrics"][0]["datasets"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    w.metrics(&["perf", "--build", "../apps"])
        .run()
        .fails(ExitStatus::Usage)
        .stderr_has("not a valid id");
    w.metrics(&["perf", "--build", "nope"])
        .run()
        .fails(ExitStatus::Refused)
        .stderr_has("404")
        .stderr_has("`ascvault metrics builds --app APP` lists them");
}

#[test]
fn diagnostics_are_ranked_by_weight_with_call_stacks_on_request() {
    let w = AscWorld::new();
    let out = w
        .metrics(&["diagnostics", "--build", BUILD_ID])
        .run()
        .success()
        .stdout();
    // Shown as a percentage of the events.
    assert!(out.contains("47.1%") && out.contains("8.0%"), "{out}");
    let order: Vec<usize> = ["sig-hang-2", "sig-launch-1", "sig-hang-1", "sig-disk-1"]
        .iter()
        .map(|id| {
            out.find(id)
                .unwrap_or_else(|| panic!("{id} missing:\n{out}"))
        })
        .collect();
    assert!(order.windows(2).all(|p| p[0] < p[1]), "{out}");
    let v = w
        .metrics(&[
            "diagnostics",
            "--build",
            BUILD_ID,
            "--type",
            "hangs",
            "--logs",
            "--json",
        ])
        .run()
        .success()
        .json();
    let sigs = v.as_array().unwrap();
    assert_eq!(sigs.len(), 2);
    assert_eq!(sigs[0]["id"], "sig-hang-2");
    // Apple's weight is a fraction, passed on as it is.
    assert_eq!(sigs[0]["weight"], 0.471);
    let frames: Vec<&str> = sigs[0]["logs"][0]["frames"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    assert_eq!(frames[0], "libdyld.dylib  start");
    assert!(
        frames.contains(&"* PocketNotes  +[ImageCache decodeSynchronously:]"),
        "{frames:?}"
    );
    assert_eq!(sigs[0]["logs"][0]["version"], "2.3 (230)");
    w.metrics(&["diagnostics", "--build", BUILD_ID, "--logs"])
        .run()
        .success()
        .stdout_has("\n  2.3 (230) on iPhone15,2 iOS 17.1\n")
        .stdout_has("\n    libdyld.dylib  start\n")
        .stdout_has("CGImageSourceCreateImageAtIndex\n");
}

#[test]
fn perf_json_is_apples_document_as_received() {
    let w = AscWorld::new();
    let v = w
        .metrics(&["perf", "--app", APP_ID, "--json"])
        .run()
        .success()
        .json();
    let served: serde_json::Value = serde_json::from_str(include_str!(
        "../../fixtures/asc/metrics/perf-power-metrics.json"
    ))
    .unwrap();
    // Nothing dropped (populations, maxLatestVersionValue, subSystemLabel,
    // percentageBreakdown) and nothing added (no nulls, no empty insights).
    assert_eq!(v, served);
    assert!(v["insights"]["regressions"][0]["populations"].is_array());
}

#[test]
fn storage_is_a_metric_type() {
    let w = AscWorld::new();
    w.metrics(&["perf", "--app", APP_ID, "--metric", "storage,launch"])
        .run()
        .success();
    let sent = w
        .server
        .requests_to(&format!("/v1/apps/{APP_ID}/perfPowerMetrics"));
    let query = &sent.last().expect("a perfPowerMetrics request").query;
    assert!(
        query.contains("filter[metricType]=STORAGE,LAUNCH")
            || query.contains("filter%5BmetricType%5D=STORAGE%2CLAUNCH")
            || query.contains("filter%5BmetricType%5D=STORAGE,LAUNCH"),
        "{query}"
    );
}

#[test]
fn the_standins_signatures_page_like_apples_with_absolute_links() {
    let w = AscWorld::new();
    let path = format!("/v1/builds/{BUILD_ID}/diagnosticSignatures?limit=3");
    let (status, body) = api_get(&w.server, &path, "application/json");
    assert_eq!(status, 200);
    let page: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(page["data"].as_array().unwrap().len(), 3);
    assert_eq!(page["meta"]["paging"]["total"], 4);
    let base = w.server.url();
    let id = page["data"][0]["id"].as_str().unwrap();
    assert_eq!(
        page["data"][0]["links"]["self"],
        format!("{base}/v1/diagnosticSignatures/{id}")
    );
    assert_eq!(
        page["data"][0]["relationships"]["logs"]["links"]["related"],
        format!("{base}/v1/diagnosticSignatures/{id}/logs")
    );
    assert!(
        page["links"]["next"]
            .as_str()
            .is_some_and(|n| n.starts_with(&base) && n.contains("cursor=")),
        "{page}"
    );
    // Weights are fractions, as Apple's.
    assert!(
        page["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| (0.0..=1.0).contains(&s["attributes"]["weight"].as_f64().unwrap())),
        "{page}"
    );
}

#[test]
fn a_device_not_in_the_data_is_an_error_listing_the_devices_that_are() {
    let w = AscWorld::new();
    w.metrics(&["perf", "--app", APP_ID, "--device", "iPhone99,9"])
        .run()
        .fails(ExitStatus::Failure)
        .stderr_is(concat!(
            "error: no data for device \"iPhone99,9\"; the data has: all_iphones (All iPhones), iPhone15,2 (iPhone 14 Pro)\n",
            "hint: --device takes a device identifier from that list, e.g. all_iphones\n",
        ));
    // Also with --json and for a build: nothing on stdout.
    let out = w
        .metrics(&["perf", "--build", BUILD_ID, "--device", "nope", "--json"])
        .run()
        .fails(ExitStatus::Failure)
        .stderr_has("iPhone15,2 (iPhone 14 Pro)")
        .stdout();
    assert_eq!(out, "");
    // A device that is there: its datasets only.
    w.metrics(&["perf", "--app", APP_ID, "--device", "iPhone15,2"])
        .run()
        .success()
        .stdout_has("p50 iPhone 14 Pro")
        .stdout_lacks("All iPhones");
}

#[test]
fn metric_hang_shows_only_that_metrics_insights() {
    let w = AscWorld::new();
    // The fixture's insights are about launch (a regression) and memory
    // (trending up): none is about hangs.
    w.metrics(&["perf", "--app", APP_ID, "--metric", "hang"])
        .run()
        .success()
        .stdout_has("HANG — hangRate")
        .stdout_lacks("Regressions:")
        .stdout_lacks("Launch time rose")
        .stdout_lacks("Trending up:")
        .stdout_lacks("Peak memory");
    w.metrics(&["perf", "--app", APP_ID, "--metric", "launch"])
        .run()
        .success()
        .stdout_has("Regressions:\n  LAUNCH launchTime: Launch time rose 18%")
        .stdout_lacks("Trending up:");
    let v = w
        .metrics(&["perf", "--app", APP_ID, "--metric", "hang,memory", "--json"])
        .run()
        .success()
        .json();
    assert_eq!(v["insights"]["regressions"], serde_json::json!([]));
    assert_eq!(v["insights"]["trendingUp"][0]["metricCategory"], "MEMORY");
    // Apple's other fields of an insight are kept.
    assert!(v["insights"]["trendingUp"][0]["populations"].is_array());
}
