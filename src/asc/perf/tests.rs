//! Reading Apple's metrics and logs as loosely as Apple writes them.

use super::*;

#[test]
fn goal_bounds_may_be_decimal_and_reference_versions_an_array() {
    let doc: XcodeMetrics = serde_json::from_value(serde_json::json!({
        "insights": {"regressions": [
            {"metric": "launchTime", "referenceVersions": ["2.1", "2.2"]},
            {"metric": "hangRate", "referenceVersions": "2.1,2.2"}
        ]},
        "productData": [{"metricCategories": [{"metrics": [{
            "goalKeys": [{"goalKey": "fair", "lowerBound": 0.5, "upperBound": 10}],
            "datasets": [{"points": [{"value": 1, "percentageBreakdown": {"value": 2}}]}]
        }]}]}]
    }))
    .unwrap();
    let versions: Vec<_> = doc
        .insights
        .regressions
        .iter()
        .map(|i| i.reference_versions.as_deref())
        .collect();
    assert_eq!(versions, [Some("2.1,2.2"), Some("2.1,2.2")]);
    let goal = &doc.product_data[0].metric_categories[0].metrics[0].goal_keys[0];
    assert_eq!(
        (goal.lower_bound, goal.upper_bound),
        (Some(0.5), Some(10.0))
    );
}

#[test]
fn null_lists_and_objects_are_absent() {
    let doc: XcodeMetrics = serde_json::from_str(
        r#"{"insights": null, "productData": [{"metricCategories": [{"metrics": [
            {"goalKeys": null, "datasets": [{"filterCriteria": null, "points": null}]}
        ]}]}]}"#,
    )
    .unwrap();
    let m = &doc.product_data[0].metric_categories[0].metrics[0];
    assert!(m.goal_keys.is_empty() && m.datasets[0].points.is_empty());
    let logs: DiagnosticLogs = serde_json::from_str(
        r#"{"productData": [{"diagnosticLogs": [{"callStackTree": null, "diagnosticMetaData": null}]}]}"#,
    )
    .unwrap();
    assert_eq!(
        summarize_log(&logs.product_data[0].diagnostic_logs[0]).version,
        "?"
    );
}

#[test]
fn sample_counts_may_be_decimal() {
    let f: Frame = serde_json::from_str(r#"{"sampleCount": 51.0, "binaryName": "x"}"#).unwrap();
    assert_eq!(f.sample_count, Some(51));
}
