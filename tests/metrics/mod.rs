//! `ascvault metrics …` against the stand-in on loopback, by family:
//! analytics report requests and reports, streaming downloads, sales and
//! finance reports, performance metrics and diagnostics, charts, and the
//! stand-in's answers against Apple's schemas.

use std::fs;
use std::path::{Path, PathBuf};

use asc_standin::metrics::{APP_ID, DOWNLOADS_REPORT, SegmentFault};

use crate::support::Cmd;
use crate::support::standin::AscWorld;

mod analytics;
mod builds;
mod chart;
mod downloads;
mod perf;
mod sales;
mod shapes;

/// Where the downloads of a test go.
fn out_dir(w: &AscWorld) -> PathBuf {
    w.t.path("out")
}

/// `metrics download` of the report `name` of the stand-in's app.
fn download_report(w: &AscWorld, name: &str) -> Cmd {
    w.metrics(&["download", "--app", APP_ID, "--report", name])
}

/// `metrics download` of the daily instances from 2026-11-20 on (three
/// segments), without a destination.
fn daily(w: &AscWorld) -> Cmd {
    download_report(w, DOWNLOADS_REPORT).args(&["--granularity", "daily", "--since", "2026-11-20"])
}

/// Downloads the daily instances from 2026-11-20 on into [`out_dir`].
fn download(w: &AscWorld, extra: &[&str]) -> Cmd {
    daily(w).arg("--out").arg(out_dir(w)).args(extra)
}

/// Streams the daily instances from 2026-11-20 on to stdout.
fn stream(w: &AscWorld, extra: &[&str]) -> Cmd {
    daily(w).arg("--stdout").args(extra)
}

/// A world whose `n`th daily segment (see [`daily_segments`]) has `fault`,
/// and those segments' ids.
#[track_caller]
fn faulty_segment(n: usize, fault: SegmentFault) -> (AscWorld, Vec<String>) {
    let w = AscWorld::new();
    let segs = daily_segments(&w);
    w.server.metrics().fault_segment(&segs[n], fault);
    (w, segs)
}

/// The three segment ids the download above fetches, in order.
#[track_caller]
fn daily_segments(w: &AscWorld) -> Vec<String> {
    // Instances oldest first: 2026-10-01 (1), 2026-11-16 weekly (1),
    // 2026-11-20 (2), 2026-11-21 (1).
    let all = w.server.metrics().segment_ids(DOWNLOADS_REPORT);
    assert_eq!(all.len(), 5, "{all:?}");
    let weekly_and_old: Vec<String> = all[..2].to_vec();
    all.into_iter()
        .filter(|id| !weekly_and_old.contains(id))
        .collect()
}

pub(crate) fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .map(|rd| {
            rd.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

fn report_dir(w: &AscWorld) -> std::path::PathBuf {
    out_dir(w).join("app-store-downloads-standard")
}
