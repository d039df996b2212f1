//! Metrics endpoints of the stand-in, one module per area: `analytics`
//! (report requests, reports, instances and segment listings) and
//! `segments` (the segments themselves at "pre-signed" URLs outside `/v1/`);
//! `sales` (sales and finance reports, `application/a-gzip`); `perf` (power
//! and performance metrics) and `diagnostics` (signatures and logs), from
//! the fixtures in `fixtures/asc/metrics/`; `builds` (an app's builds).
//! [`MetricsState`] (`state`) holds the analytics data and the builds,
//! which `seed` fills, and the deliberate segment defects tests ask for.

mod analytics;
pub mod builds;
mod diagnostics;
mod perf;
mod sales;
mod seed;
mod segments;
mod state;

use std::collections::BTreeMap;
use std::io::Write;
use std::sync::Arc;

use axum::Router;
use axum::extract::Query;
use axum::routing::{get, post};
use flate2::Compression;
use flate2::write::GzEncoder;
use md5::{Digest, Md5};

pub use builds::{BuildRecord, NOTES_BUILDS};
pub use sales::{
    SALES_HEADER, SUBSCRIBER_HEADER, SUBSCRIPTION_EVENT_HEADER, SUBSCRIPTION_HEADER, finance_tsv,
    sales_tsv,
};
pub use state::{MetricsState, SegmentFault, SegmentFetch};

/// The app the seeded analytics request, metrics and sales belong to (the
/// seed's Pocket Notes, so `--app com.example.pocketnotes` works too).
pub const APP_ID: &str = crate::seed::NOTES_APP_ID;
/// A second app in the sales report (the seed's Pocket Notes Pro).
pub const PRO_APP_ID: &str = "1234567892";
/// The vendor number with sales and finance reports.
pub const VENDOR: &str = "85012345";
/// The build with metrics and diagnostics.
pub const BUILD_ID: &str = "build-230";
/// The seeded report with several instances and segments.
pub const DOWNLOADS_REPORT: &str = "App Store Downloads Standard";
/// A second seeded report.
pub const SESSIONS_REPORT: &str = "App Sessions Standard";
/// A seeded comma-separated report (daily and weekly instances).
pub const CRASHES_REPORT: &str = "App Crashes Expanded";
/// Its header row as served: comma-separated, every name quoted.
pub const CRASHES_HEADER_CSV: &str = "\"Date\",\"App Name\",\"App Apple Identifier\",\"App Version\",\"Device\",\"Crashes\",\"Unique Devices\"";
/// A sales report date with no sales (Apple answers 404).
pub const NO_SALES_DATE: &str = "2026-11-19";
/// The header row of the seeded downloads report.
pub const DOWNLOADS_HEADER: &str = "Date\tApp Name\tApp Apple Identifier\tDownload Type\tApp Version\tDevice\tPlatform Version\tSource Type\tTerritory\tCounts";

/// The query parameters, decoded.
type Params = Query<BTreeMap<String, String>>;

/// The metrics routes, over their own state (merge into the service router).
pub fn routes<S: Clone + Send + Sync + 'static>(state: Arc<MetricsState>) -> Router<S> {
    Router::new()
        .route(
            "/v1/analyticsReportRequests",
            post(analytics::create_request),
        )
        .route(
            "/v1/apps/{id}/analyticsReportRequests",
            get(analytics::list_requests),
        )
        .route(
            "/v1/analyticsReportRequests/{id}/reports",
            get(analytics::list_reports),
        )
        .route(
            "/v1/analyticsReports/{id}/instances",
            get(analytics::list_instances),
        )
        .route(
            "/v1/analyticsReportInstances/{id}/segments",
            get(analytics::list_segments),
        )
        .route("/analytics-segments/{id}", get(segments::download))
        .route("/v1/salesReports", get(sales::sales_report))
        .route("/v1/financeReports", get(sales::finance_report))
        .route("/v1/builds", get(builds::list))
        .route("/v1/apps/{id}/perfPowerMetrics", get(perf::app_perf))
        .route("/v1/builds/{id}/perfPowerMetrics", get(perf::build_perf))
        .route(
            "/v1/builds/{id}/diagnosticSignatures",
            get(diagnostics::signatures),
        )
        .route("/v1/diagnosticSignatures/{id}/logs", get(diagnostics::logs))
        .with_state(state)
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = GzEncoder::new(Vec::new(), Compression::default());
    let _ = gz.write_all(bytes);
    gz.finish().unwrap_or_default()
}

fn md5_hex(bytes: &[u8]) -> String {
    format!("{:x}", Md5::digest(bytes))
}
