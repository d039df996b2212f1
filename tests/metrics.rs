//! `ascvault metrics …` against the stand-in on loopback: report requests
//! (409, 403), reports, streaming downloads (merge, resume, checksum
//! mismatch, truncated gzip, a connection cut halfway, no Authorization on
//! segment URLs, nothing partial left behind), sales and finance reports,
//! performance metrics, diagnostics, and charts (valid SVG/PNG of the
//! requested size with the expected number of points).

use std::fs;
use std::path::Path;

use asc_standin::metrics::{
    APP_ID, BUILD_ID, DOWNLOADS_HEADER, DOWNLOADS_REPORT, NO_SALES_DATE, SESSIONS_REPORT,
    SegmentFault, VENDOR,
};

use crate::support::standin::AscWorld;
use crate::support::{Cmd, Env, fixtures};

/// The shared vault-and-stand-in world, plus metrics helpers.
struct World(AscWorld);

impl std::ops::Deref for World {
    type Target = AscWorld;
    fn deref(&self) -> &AscWorld {
        &self.0
    }
}

impl World {
    fn new() -> World {
        World(AscWorld::new())
    }

    fn metrics(&self, args: &[&str]) -> Cmd {
        self.cmd(&["metrics"]).args(args)
    }

    fn out(&self) -> std::path::PathBuf {
        self.t.path("out")
    }

    /// Downloads the daily instances from 2026-11-20 on: three segments.
    fn download(&self, extra: &[&str]) -> Cmd {
        let out = self.out();
        self.metrics(&[
            "download",
            "--app",
            APP_ID,
            "--report",
            DOWNLOADS_REPORT,
            "--granularity",
            "daily",
            "--since",
            "2026-11-20",
            "--out",
            out.to_str().unwrap(),
        ])
        .args(extra)
    }

    /// The three segment ids the download above fetches, in order.
    fn daily_segments(&self) -> Vec<String> {
        // Instances oldest first: 2026-10-01 (1), 2026-11-16 weekly (1),
        // 2026-11-20 (2), 2026-11-21 (1).
        let all = self.server.metrics().segment_ids(DOWNLOADS_REPORT);
        assert_eq!(all.len(), 5, "{all:?}");
        let weekly_and_old: Vec<String> = all[..2].to_vec();
        all.into_iter()
            .filter(|id| !weekly_and_old.contains(id))
            .collect()
    }
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .map(|rd| {
            rd.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

fn report_dir(w: &World) -> std::path::PathBuf {
    w.out().join("app-store-downloads-standard")
}

#[test]
fn request_when_one_exists_shows_it_instead_of_failing() {
    let w = World::new();
    w.metrics(&["request", "--app", APP_ID])
        .run()
        .success()
        .stderr_has("already exists")
        .stdout_has("req-0001")
        .stdout_has("ONGOING");
    w.metrics(&["request", "--app", APP_ID, "--snapshot"])
        .run()
        .success()
        .stdout_has("created ONE_TIME_SNAPSHOT");
    w.metrics(&["request", "--app", APP_ID, "--snapshot"])
        .run()
        .success()
        .stderr_has("already exists")
        .stdout_has("ONE_TIME_SNAPSHOT");
}

#[test]
fn request_without_the_admin_role_is_refused_with_a_hint() {
    let w = World::new();
    w.server.metrics().set_admin(false);
    let before = w.t.vault_bytes();
    w.metrics(&["request", "--app", asc_standin::seed::WEATHER_APP_ID])
        .run()
        .fails(6)
        .stderr_has("403")
        .stderr_has(
            "hint: creating the first analytics report request needs a key with the Admin role",
        );
    assert_eq!(w.t.vault_bytes(), before);
}

#[test]
fn reports_are_listed_and_filtered_by_category() {
    let w = World::new();
    w.metrics(&["reports", "--app", APP_ID])
        .run()
        .success()
        .stdout_has(DOWNLOADS_REPORT)
        .stdout_has(SESSIONS_REPORT)
        .stdout_has("COMMERCE");
    // A bundle id is resolved to the app first.
    w.metrics(&["reports", "--app", asc_standin::seed::NOTES_BUNDLE_ID])
        .run()
        .success()
        .stdout_has(DOWNLOADS_REPORT);
    let v = w
        .metrics(&[
            "reports",
            "--app",
            APP_ID,
            "--category",
            "commerce",
            "--json",
        ])
        .run()
        .success()
        .json();
    let rows = v.as_array().unwrap();
    assert_eq!(rows.len(), 1, "{v}");
    assert_eq!(rows[0]["name"], DOWNLOADS_REPORT);
    let keys: Vec<&str> = rows[0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["id", "name", "category", "access_type"]);
}

#[test]
fn download_merges_into_one_header_and_sends_no_token_to_segment_urls() {
    let w = World::new();
    w.download(&["--merge"])
        .run()
        .success()
        .stdout_has("app-store-downloads-standard.tsv");
    let names = files_in(&report_dir(&w));
    assert_eq!(names.len(), 3, "{names:?}");
    assert!(names[0].starts_with("2026-11-20_daily_"), "{names:?}");
    assert!(names[2].starts_with("2026-11-21_daily_"), "{names:?}");
    let merged = fs::read_to_string(w.out().join("app-store-downloads-standard.tsv")).unwrap();
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
    let w = World::new();
    let out = w
        .metrics(&[
            "download",
            "--app",
            APP_ID,
            "--report",
            DOWNLOADS_REPORT,
            "--granularity",
            "daily",
            "--since",
            "2026-11-20",
            "--until",
            "2026-11-20",
            "--stdout",
        ])
        .run()
        .success();
    let text = out.stdout();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], DOWNLOADS_HEADER);
    assert_eq!(lines.len(), 1 + 8, "{text}");
    assert!(lines[1..].iter().all(|l| l.starts_with("2026-11-20\t")));
}

#[test]
fn a_checksum_mismatch_while_streaming_to_stdout_fails() {
    let w = World::new();
    let segs = w.daily_segments();
    w.server
        .metrics()
        .fault_segment(&segs[1], SegmentFault::WrongChecksum);
    w.metrics(&[
        "download",
        "--app",
        APP_ID,
        "--report",
        DOWNLOADS_REPORT,
        "--granularity",
        "daily",
        "--since",
        "2026-11-20",
        "--stdout",
    ])
    .run()
    .fails(1)
    .stderr_has(&format!("segment {}: checksum mismatch", segs[1]));
}

#[test]
fn an_interrupted_download_resumes_without_fetching_complete_segments_again() {
    let w = World::new();
    let segs = w.daily_segments();
    // The last segment breaks halfway on every attempt.
    w.server
        .metrics()
        .fault_segment(&segs[2], SegmentFault::FailHalfway(u32::MAX));
    w.download(&["--jobs", "1"])
        .run()
        .fails(7)
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
    w.download(&["--merge"]).run().success();
    let again: Vec<String> = w.server.metrics().segment_fetches()[before..]
        .iter()
        .map(|f| f.segment.clone())
        .collect();
    assert_eq!(again, [segs[2].clone()], "complete segments are skipped");
    assert_eq!(files_in(&report_dir(&w)).len(), 3);
    let merged = fs::read_to_string(w.out().join("app-store-downloads-standard.tsv")).unwrap();
    assert_eq!(merged.lines().count(), 13);
}

#[test]
fn a_segment_cut_once_is_fetched_again() {
    let w = World::new();
    let segs = w.daily_segments();
    w.server
        .metrics()
        .fault_segment(&segs[0], SegmentFault::FailHalfway(1));
    w.download(&[]).run().success();
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
    let w = World::new();
    let segs = w.daily_segments();
    w.server
        .metrics()
        .fault_segment(&segs[1], SegmentFault::WrongChecksum);
    w.download(&["--jobs", "1"])
        .run()
        .fails(1)
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
    let w = World::new();
    let segs = w.daily_segments();
    w.server
        .metrics()
        .fault_segment(&segs[0], SegmentFault::WrongSize);
    w.download(&["--jobs", "1"])
        .run()
        .fails(1)
        .stderr_has(&format!("segment {}: got", segs[0]));
    assert!(files_in(&report_dir(&w)).is_empty());
}

#[test]
fn a_truncated_gzip_stream_is_an_error_and_leaves_no_file() {
    let w = World::new();
    let segs = w.daily_segments();
    w.server
        .metrics()
        .fault_segment(&segs[2], SegmentFault::Truncated);
    w.download(&["--jobs", "1", "--merge"])
        .run()
        .fails(1)
        .stderr_has(&format!("segment {}: not a complete gzip stream", segs[2]));
    let names = files_in(&report_dir(&w));
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(!w.out().join("app-store-downloads-standard.tsv").exists());
}

#[test]
fn an_expired_segment_url_is_a_refusal() {
    let w = World::new();
    let segs = w.daily_segments();
    w.server
        .metrics()
        .fault_segment(&segs[0], SegmentFault::Expired);
    w.download(&["--jobs", "1"])
        .run()
        .fails(6)
        .stderr_has("HTTP 403")
        .stderr_has("expire");
}

#[test]
fn download_of_an_unknown_report_lists_where_to_look() {
    let w = World::new();
    w.metrics(&["download", "--app", APP_ID, "--report", "Nope", "--stdout"])
        .run()
        .fails(1)
        .stderr_has("no report named \"Nope\"")
        .stderr_has("metrics reports");
    w.metrics(&[
        "download",
        "--app",
        APP_ID,
        "--report",
        DOWNLOADS_REPORT,
        "--stdout",
        "--since",
        "20-11-2026",
    ])
    .run()
    .fails(2);
}

fn add_key_with_vendor(t: &Env) {
    let p8 = fixtures().join("keys/AuthKey_TESTKEY001.p8");
    t.cmd(&[
        "add",
        "api-key",
        "sales",
        "--key-id",
        "TESTKEY001",
        "--issuer-id",
        "57246542-96fe-1a63-e053-0824d011072a",
        "--private-key",
        p8.to_str().unwrap(),
        "--vendor-number",
        VENDOR,
    ])
    .run()
    .success();
}

#[test]
fn sales_report_as_tsv_json_file_and_summary() {
    let w = World::new();
    // Without a vendor number anywhere: a usage error saying where to put it.
    w.metrics(&["sales", "--frequency", "daily", "--date", "2026-11-20"])
        .run()
        .fails(2)
        .stderr_has("--vendor");
    add_key_with_vendor(&w.t);
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
        .fails(6);
    assert!(!refused.exists());
    assert!(
        fs::read_dir(w.t.dir.path()).unwrap().all(|e| !e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .starts_with(".ascvault-report-")),
        "no temporary file left"
    );
    // The vendor flag wins over the entry's.
    sales(&["--vendor", "99999999"])
        .run()
        .fails(6)
        .stderr_has("403");
    // Apple's 404 for a day without sales.
    w.metrics(&[
        "sales",
        "--entry",
        "sales",
        "--frequency",
        "daily",
        "--date",
        NO_SALES_DATE,
    ])
    .run()
    .fails(6)
    .stderr_has("no sales");
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
    .fails(2)
    .stderr_has("does not fit");
}

#[test]
fn finance_report_as_json_stops_at_the_totals() {
    let w = World::new();
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
    .fails(2);
}

#[test]
fn perf_lists_insights_first_then_a_table_per_metric() {
    let w = World::new();
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
            .any(|l| l.starts_with("2.3 ") && l.contains("0.74 s ±0.04 (GOOD)")),
        "a row per version: {out}"
    );
    for needle in [
        "Launch time rose 18%",
        "[high impact]",
        "LAUNCH — launchTime (Seconds); goals: GOOD 0–1",
        "p50 All iPhones",
        "p90 All iPhones",
        "0.74 s",
        "peakMemory (Megabytes)",
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
        .fails(2)
        .stderr_has("not a valid id");
    w.metrics(&["perf", "--build", "nope"])
        .run()
        .fails(6)
        .stderr_has("404");
}

#[test]
fn diagnostics_are_ranked_by_weight_with_call_stacks_on_request() {
    let w = World::new();
    let out = w
        .metrics(&["diagnostics", "--build", BUILD_ID])
        .run()
        .success()
        .stdout();
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
    assert_eq!(sigs[0]["weight"], 47.1);
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

/// Width, height and the data points (`<circle>`s) of an SVG.
fn svg_facts(path: &Path) -> (u32, u32, usize) {
    let text = fs::read_to_string(path).unwrap();
    let start = text.find("<svg").expect("an <svg> element");
    let tag = &text[start..start + text[start..].find('>').unwrap()];
    let attr = |name: &str| -> u32 {
        let key = format!(" {name}=\"");
        let i = tag
            .find(&key)
            .unwrap_or_else(|| panic!("no {name} in {tag}"))
            + key.len();
        tag[i..i + tag[i..].find('"').unwrap()].parse().unwrap()
    };
    assert!(text.trim_end().ends_with("</svg>"));
    (
        attr("width"),
        attr("height"),
        text.matches("<circle").count(),
    )
}

#[test]
fn charts_are_svg_or_png_of_the_requested_size_with_every_point() {
    let w = World::new();
    w.download(&["--merge"]).run().success();
    let merged = w.out().join("app-store-downloads-standard.tsv");
    let m = merged.to_str().unwrap();
    // Two dates: the rows of each are summed into one point.
    let svg = w.t.path("c.svg");
    w.metrics(&[
        "chart",
        m,
        "--column",
        "Counts",
        "--by",
        "Date",
        "--out",
        svg.to_str().unwrap(),
        "--width",
        "640",
        "--height",
        "400",
    ])
    .run()
    .success();
    let (width, height, points) = svg_facts(&svg);
    assert_eq!((width, height, points), (640, 400, 2));
    assert!(fs::read_to_string(&svg).unwrap().contains("Counts by Date"));
    // Without --by: one point per row.
    w.metrics(&[
        "chart",
        m,
        "--column",
        "counts",
        "--out",
        svg.to_str().unwrap(),
    ])
    .run()
    .success();
    assert_eq!(svg_facts(&svg), (960, 540, 12));

    let png = w.t.path("c.png");
    w.metrics(&[
        "chart",
        m,
        "--column",
        "Counts",
        "--by",
        "Date",
        "--out",
        png.to_str().unwrap(),
        "--width",
        "800",
        "--height",
        "300",
    ])
    .run()
    .success();
    let decoder = png::Decoder::new(std::io::BufReader::new(fs::File::open(&png).unwrap()));
    let mut reader = decoder.read_info().expect("a valid PNG");
    assert_eq!((reader.info().width, reader.info().height), (800, 300));
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    reader.next_frame(&mut buf).expect("the image decodes");
    assert!(buf.iter().any(|b| *b != 255), "not a blank image");

    w.metrics(&["chart", m, "--column", "Counts", "--by", "Date"])
        .run()
        .success()
        .stdout_has("(2 points)");
    w.metrics(&["chart", m, "--column", "Nope"])
        .run()
        .fails(2)
        .stderr_has("Counts");
    w.metrics(&["chart", m, "--column", "Counts", "--out", "x.gif"])
        .run()
        .fails(2);
}

#[test]
fn perf_chart_draws_every_version_of_each_dataset() {
    let w = World::new();
    let svg = w.t.path("perf.svg");
    w.metrics(&[
        "perf",
        "--app",
        APP_ID,
        "--metric",
        "launch",
        "--chart",
        svg.to_str().unwrap(),
    ])
    .run()
    .success();
    // Three datasets × three versions.
    assert_eq!(svg_facts(&svg), (960, 540, 9));
}

/// The stand-in's metrics answers against Apple's schemas (the extract in
/// `fixtures/asc/metrics/openapi-metrics-3.7.json`), so it cannot drift.
mod shapes {
    use asc_standin::Standin;
    use asc_standin::metrics::{APP_ID, BUILD_ID, VENDOR};
    use serde_json::Value;

    use crate::asc_shapes::assert_shape;
    use crate::support::fixtures;

    fn openapi() -> Value {
        let text = std::fs::read_to_string(fixtures().join("asc/metrics/openapi-metrics-3.7.json"))
            .unwrap();
        serde_json::from_str(&text).unwrap()
    }

    fn get(server: &Standin, path: &str, accept: &str) -> (u16, Vec<u8>) {
        let key = ascvault::asc::ApiKey::new(
            asc_standin::TEST_KEY_ID,
            Some(asc_standin::TEST_ISSUER_ID),
            &ascvault::vault::Secret::from(asc_standin::TEST_KEY_PEM),
        )
        .unwrap();
        let token = key.mint(std::time::Duration::from_secs(600));
        let resp = reqwest::blocking::Client::new()
            .get(format!("{}{path}", server.url()))
            .bearer_auth(token.jwt.expose())
            .header("accept", accept)
            .send()
            .unwrap();
        (resp.status().as_u16(), resp.bytes().unwrap().to_vec())
    }

    fn json(server: &Standin, path: &str, accept: &str) -> Value {
        let (status, body) = get(server, path, accept);
        assert_eq!(status, 200, "{path}: {}", String::from_utf8_lossy(&body));
        serde_json::from_slice(&body).unwrap()
    }

    #[test]
    fn standin_metrics_answers_have_apples_shapes() {
        let root = openapi();
        let s = Standin::start();
        let j = "application/json";
        let v = json(&s, &format!("/v1/apps/{APP_ID}/analyticsReportRequests"), j);
        assert_shape(&root, "AnalyticsReportRequestsResponse", &v);
        let req = v["data"][0]["id"].as_str().unwrap().to_owned();
        let v = json(&s, &format!("/v1/analyticsReportRequests/{req}/reports"), j);
        assert_shape(&root, "AnalyticsReportsResponse", &v);
        let report = v["data"][0]["id"].as_str().unwrap().to_owned();
        let v = json(&s, &format!("/v1/analyticsReports/{report}/instances"), j);
        assert_shape(&root, "AnalyticsReportInstancesResponse", &v);
        let instance = v["data"][0]["id"].as_str().unwrap().to_owned();
        let v = json(
            &s,
            &format!("/v1/analyticsReportInstances/{instance}/segments"),
            j,
        );
        assert_shape(&root, "AnalyticsReportSegmentsResponse", &v);
        let v = json(
            &s,
            &format!("/v1/builds/{BUILD_ID}/diagnosticSignatures"),
            j,
        );
        assert_shape(&root, "DiagnosticSignaturesResponse", &v);
        let v = json(
            &s,
            "/v1/diagnosticSignatures/sig-hang-1/logs",
            "application/vnd.apple.diagnostic-logs+json",
        );
        assert_shape(&root, "diagnosticLogs", &v);
        let v = json(
            &s,
            &format!("/v1/apps/{APP_ID}/perfPowerMetrics"),
            "application/vnd.apple.xcode-metrics+json",
        );
        assert_shape(&root, "xcodeMetrics", &v);
        // Reports come gzip-compressed, and only to those who ask for it.
        let path = format!(
            "/v1/salesReports?filter[frequency]=DAILY&filter[reportDate]=2026-11-20&filter[reportSubType]=SUMMARY&filter[reportType]=SALES&filter[vendorNumber]={VENDOR}"
        );
        let (status, body) = get(&s, &path, "application/a-gzip");
        assert_eq!(status, 200);
        assert_eq!(&body[..2], &[0x1f, 0x8b], "gzip magic");
        let (status, body) = get(&s, &path, "application/json");
        assert_eq!(status, 406);
        assert_shape(
            &root,
            "ErrorResponse",
            &serde_json::from_slice(&body).unwrap(),
        );
        for path in [
            "/v1/analyticsReports/nope/instances",
            "/v1/builds/nope/diagnosticSignatures",
        ] {
            let (status, body) = get(&s, path, j);
            assert_eq!(status, 404, "{path}");
            assert_shape(
                &root,
                "ErrorResponse",
                &serde_json::from_slice(&body).unwrap(),
            );
        }
    }

    #[test]
    fn the_analytics_request_body_is_apples_create_request() {
        use ascvault::asc::analytics::{Access, create_request_body};
        for access in [Access::Ongoing, Access::Snapshot] {
            let body = create_request_body(APP_ID, access);
            assert_shape(&openapi(), "AnalyticsReportRequestCreateRequest", &body);
        }
    }
}

#[test]
fn download_says_nothing_on_stderr_when_it_is_not_a_terminal() {
    let w = World::new();
    let out = w.download(&[]).run().success();
    assert_eq!(out.stderr(), "", "no progress without a terminal");
}

#[test]
fn download_on_a_terminal_shows_progress_and_a_summary() {
    let w = World::new();
    let mut cmd = crate::support::pty::ascvault(w.t.dir.path(), &w.t.vault());
    let out = w.out();
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
    assert_eq!(crate::support::pty::exit_code(&mut session), 0);
    assert_eq!(files_in(&report_dir(&w)).len(), 5);
}

/// The `cx` of every `<circle>` of an SVG, in document order.
fn circle_xs(path: &Path) -> Vec<f64> {
    let text = fs::read_to_string(path).unwrap();
    text.split("<circle")
        .skip(1)
        .map(|c| {
            let i = c.find(" cx=\"").expect("cx") + 5;
            c[i..i + c[i..].find('"').unwrap()].parse().unwrap()
        })
        .collect()
}

/// The `cx` of each point when `column` is charted by `by` from a TSV.
fn chart_xs(t: &crate::support::Env, tsv_text: &str, by: &str) -> Vec<f64> {
    let (tsv, svg) = (t.path("chart.tsv"), t.path("chart.svg"));
    fs::write(&tsv, tsv_text).unwrap();
    let (tsv, svg_arg) = (tsv.to_str().unwrap(), svg.to_str().unwrap());
    t.cmd(&[
        "metrics", "chart", tsv, "--column", "Counts", "--by", by, "--out", svg_arg,
    ])
    .run()
    .success();
    circle_xs(&svg)
}

#[test]
fn date_columns_get_a_time_axis() {
    let t = crate::support::Env::new();
    // One day, then nine days: the second gap must be nine times the first.
    let xs = chart_xs(
        &t,
        "Date\tCounts\n2026-01-01\t5\n2026-01-02\t7\n2026-01-11\t6\n",
        "Date",
    );
    assert_eq!(xs.len(), 3);
    let (first, second) = (xs[1] - xs[0], xs[2] - xs[1]);
    assert!(
        (second / first - 9.0).abs() < 0.3,
        "gaps {first} and {second}"
    );
    // Labels that are not all dates stay evenly spaced.
    let xs = chart_xs(&t, "Version\tCounts\n2.1\t5\n2.2\t7\n2.3\t6\n", "Version");
    assert!(((xs[2] - xs[1]) - (xs[1] - xs[0])).abs() < 1.0, "{xs:?}");
}
