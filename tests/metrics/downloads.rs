//! Streaming downloads of report segments: merging into one header, to
//! stdout, resuming, a connection cut halfway, checksum and size mismatches,
//! truncated gzip, expired URLs, no Authorization on segment URLs, nothing
//! partial left behind, and progress only on a terminal.

use std::fs;

use asc_standin::metrics::{
    APP_ID, CRASHES_REPORT, DOWNLOADS_HEADER, DOWNLOADS_REPORT, SegmentFault,
};

use super::{download, download_report, faulty_segment, files_in, out_dir, report_dir, stream};
use crate::support::ExitStatus;
use crate::support::standin::AscWorld;

#[test]
fn download_merges_into_one_header_and_sends_no_token_to_segment_urls() {
    let w = AscWorld::new();
    download(&w, &["--merge"])
        .run()
        .success()
        .stdout_has("app-store-downloads-standard.tsv");
    let names = files_in(&report_dir(&w));
    assert_eq!(names.len(), 3, "{names:?}");
    assert!(names[0].starts_with("2026-11-20_daily_"), "{names:?}");
    assert!(names[2].starts_with("2026-11-21_daily_"), "{names:?}");
    let merged = fs::read_to_string(out_dir(&w).join("app-store-downloads-standard.tsv")).unwrap();
    let lines: Vec<&str> = merged.lines().collect();
    assert_eq!(lines[0], DOWNLOADS_HEADER);
    assert_eq!(lines.iter().filter(|l| **l == DOWNLOADS_HEADER).count(), 1);
    // 5 + 3 rows on the 20th, 4 on the 21st.
    assert_eq!(lines.len(), 1 + 12, "{merged}");
    assert!(lines[1..].iter().all(|l| l.starts_with("2026-11-2")));
    let fetches = w.server.metrics().segment_fetches();
    assert_eq!(fetches.len(), 3);
    assert!(fetches.iter().all(|f| !f.authorization), "{fetches:?}");
}

#[test]
fn download_to_stdout_streams_one_header() {
    let w = AscWorld::new();
    let out = stream(&w, &["--until", "2026-11-20"]).run().success();
    let text = out.stdout();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], DOWNLOADS_HEADER);
    assert_eq!(lines.len(), 1 + 8, "{text}");
    assert!(lines[1..].iter().all(|l| l.starts_with("2026-11-20\t")));
}

#[test]
fn a_checksum_mismatch_while_streaming_to_stdout_fails() {
    let (w, segs) = faulty_segment(1, SegmentFault::WrongChecksum);
    stream(&w, &[])
        .run()
        .fails(ExitStatus::Failure)
        .stderr_has(&format!("segment {}: checksum mismatch", segs[1]));
}

#[test]
fn an_interrupted_download_resumes_without_fetching_complete_segments_again() {
    // The last segment breaks halfway on every attempt.
    let (w, segs) = faulty_segment(2, SegmentFault::FailHalfway(u32::MAX));
    download(&w, &["--jobs", "1"])
        .run()
        .fails(ExitStatus::Network)
        .stderr_has(&format!("segment {}", segs[2]));
    let names = files_in(&report_dir(&w));
    assert_eq!(
        names.len(),
        2,
        "only the complete segments survive: {names:?}"
    );
    assert!(names.iter().all(|n| !n.contains("part")), "{names:?}");
    assert!(!names.iter().any(|n| n.contains(&segs[2])));
    let before = w.server.metrics().segment_fetches().len();
    assert_eq!(
        before,
        2 + 4,
        "two good fetches, one failing segment tried 4 times"
    );

    w.server.metrics().clear_fault(&segs[2]);
    download(&w, &["--merge"]).run().success();
    let again: Vec<String> = w.server.metrics().segment_fetches()[before..]
        .iter()
        .map(|f| f.segment.clone())
        .collect();
    assert_eq!(again, [segs[2].clone()], "complete segments are skipped");
    assert_eq!(files_in(&report_dir(&w)).len(), 3);
    let merged = fs::read_to_string(out_dir(&w).join("app-store-downloads-standard.tsv")).unwrap();
    assert_eq!(merged.lines().count(), 13);
}

#[test]
fn a_segment_cut_once_is_fetched_again() {
    let (w, segs) = faulty_segment(0, SegmentFault::FailHalfway(1));
    download(&w, &[]).run().success();
    assert_eq!(files_in(&report_dir(&w)).len(), 3);
    let n = w
        .server
        .metrics()
        .segment_fetches()
        .iter()
        .filter(|f| f.segment == segs[0])
        .count();
    assert_eq!(n, 2);
}

#[test]
fn a_checksum_mismatch_names_the_segment_and_leaves_no_file() {
    let (w, segs) = faulty_segment(1, SegmentFault::WrongChecksum);
    download(&w, &["--jobs", "1"])
        .run()
        .fails(ExitStatus::Failure)
        .stderr_has(&format!("segment {}: checksum mismatch", segs[1]))
        .stderr_has("hint:");
    let names = files_in(&report_dir(&w));
    assert_eq!(names.len(), 1, "{names:?}");
    assert!(
        !names
            .iter()
            .any(|n| n.contains(&segs[1]) || n.contains("part"))
    );
}

#[test]
fn a_size_mismatch_is_an_error() {
    let (w, segs) = faulty_segment(0, SegmentFault::WrongSize);
    download(&w, &["--jobs", "1"])
        .run()
        .fails(ExitStatus::Failure)
        .stderr_has(&format!("segment {}: got", segs[0]));
    assert!(files_in(&report_dir(&w)).is_empty());
}

#[test]
fn a_truncated_gzip_stream_is_an_error_and_leaves_no_file() {
    let (w, segs) = faulty_segment(2, SegmentFault::Truncated);
    download(&w, &["--jobs", "1", "--merge"])
        .run()
        .fails(ExitStatus::Failure)
        .stderr_has(&format!("segment {}: not a complete gzip stream", segs[2]));
    let names = files_in(&report_dir(&w));
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(
        !out_dir(&w)
            .join("app-store-downloads-standard.tsv")
            .exists()
    );
}

#[test]
fn an_expired_segment_url_is_a_refusal() {
    let (w, segs) = faulty_segment(0, SegmentFault::Expired);
    download(&w, &["--jobs", "1"])
        .run()
        .fails(ExitStatus::Refused)
        .stderr_is(&format!(
            "error: segment {}: the download URL answered HTTP 403 (it may have expired)\n\
             hint: segment URLs expire after a few minutes; run the command again to get fresh ones\n",
            segs[0]
        ));
}

#[test]
fn download_says_nothing_on_stderr_when_it_is_not_a_terminal() {
    let w = AscWorld::new();
    let out = download(&w, &[]).run().success();
    assert_eq!(out.stderr(), "", "no progress without a terminal");
}

#[test]
fn download_on_a_terminal_shows_progress_and_a_summary() {
    let w = AscWorld::new();
    let mut cmd = crate::support::pty::ascvault(w.t.dir.path(), &w.t.vault());
    let out = out_dir(&w);
    cmd.env("ASCVAULT_PASSPHRASE", crate::support::PASSPHRASE)
        .env("ASCVAULT_API_BASE", w.server.url())
        .args([
            "metrics",
            "download",
            "--app",
            APP_ID,
            "--report",
            DOWNLOADS_REPORT,
            "--out",
            out.to_str().unwrap(),
        ]);
    let mut session = crate::support::pty::spawn(cmd);
    session
        .exp_string("5 segment(s) downloaded, 0 already complete")
        .expect("a summary on the terminal");
    assert_eq!(
        crate::support::pty::exit_status(&mut session),
        ExitStatus::Success
    );
    assert_eq!(files_in(&report_dir(&w)).len(), 5);
}

#[test]
fn merging_daily_and_weekly_instances_writes_one_file_per_granularity() {
    let w = AscWorld::new();
    let out = out_dir(&w);
    let printed = download_report(&w, DOWNLOADS_REPORT)
        .args(&["--since", "2026-11-16", "--merge", "--out"])
        .arg(&out)
        .run()
        .success()
        .stdout();
    let daily = out.join("app-store-downloads-standard_daily.tsv");
    let weekly = out.join("app-store-downloads-standard_weekly.tsv");
    assert_eq!(
        printed,
        format!("{}\n{}\n", daily.display(), weekly.display())
    );
    assert!(!out.join("app-store-downloads-standard.tsv").exists());
    let daily = fs::read_to_string(daily).unwrap();
    let weekly = fs::read_to_string(weekly).unwrap();
    // 5 + 3 + 4 daily rows; the weekly instance's 6 rows on their own.
    assert_eq!(daily.lines().count(), 1 + 12, "{daily}");
    assert_eq!(weekly.lines().count(), 1 + 6, "{weekly}");
    assert!(
        weekly
            .lines()
            .skip(1)
            .all(|l| l.starts_with("2026-11-16\t"))
    );
    assert!(
        daily
            .lines()
            .skip(1)
            .all(|l| !l.starts_with("2026-11-16\t"))
    );
}

#[test]
fn a_comma_separated_report_is_stored_and_merged_as_tab_separated_text() {
    let w = AscWorld::new();
    let out = out_dir(&w);
    download_report(&w, CRASHES_REPORT)
        .args(&["--merge", "--out"])
        .arg(&out)
        .run()
        .success()
        .stderr_has("is comma-separated: written as tab-separated text, quotes removed");
    let header =
        "Date\tApp Name\tApp Apple Identifier\tApp Version\tDevice\tCrashes\tUnique Devices";
    let dir = out.join("app-crashes-expanded");
    let names = files_in(&dir);
    assert_eq!(names.len(), 2, "{names:?}");
    for name in &names {
        assert!(name.ends_with(".tsv"), "{name}");
        let text = fs::read_to_string(dir.join(name)).unwrap();
        assert!(text.starts_with(&format!("{header}\r\n")), "{text:?}");
        assert!(!text.contains('"'), "{text:?}");
    }
    let daily = fs::read_to_string(out.join("app-crashes-expanded_daily.tsv")).unwrap();
    let rows: Vec<&str> = daily.lines().collect();
    assert_eq!(rows.len(), 3, "{daily:?}");
    assert_eq!(
        rows[2],
        format!("2026-11-20\tPocket Notes, the notebook\t{APP_ID}\t2.3\tiPad\t1\t")
    );
    // Streamed, too: one TSV header row for both segments.
    let streamed = download_report(&w, CRASHES_REPORT)
        .arg("--stdout")
        .run()
        .success()
        .stdout();
    assert_eq!(streamed.matches("Date\tApp Name").count(), 1, "{streamed}");
    assert_eq!(streamed.lines().count(), 1 + 3, "{streamed}");
}

#[test]
fn a_comma_separated_file_charts_like_a_tab_separated_one() {
    let w = AscWorld::new();
    let csv = w.t.path("crashes.csv");
    let tsv = w.t.path("crashes.tsv");
    fs::write(
        &csv,
        "\"Date\",\"Crashes\",\"Note\"\r\n\"2026-11-20\",\"4\",\"\"\r\n\"2026-11-21\",\"9\",\"a, b\"\r\n",
    )
    .unwrap();
    fs::write(
        &tsv,
        "Date\tCrashes\tNote\n2026-11-20\t4\t\n2026-11-21\t9\ta, b\n",
    )
    .unwrap();
    let chart = |file: &std::path::Path| {
        w.metrics(&["chart"])
            .arg(file)
            .args(&["--column", "Crashes", "--by", "Date"])
            .run()
            .success()
            .stdout()
    };
    let from_tsv = chart(&tsv);
    assert!(!from_tsv.trim().is_empty());
    assert_eq!(chart(&csv), from_tsv);
}
