//! A hostile App Store Connect against `metrics download`, `request` and
//! `reports` (issue 11): forged listings (paths in dates, granularities and
//! segment ids, escape sequences), segment URLs that are not https or that
//! redirect, proxies from the environment, slow drips, gzip bombs, and what
//! a killed run or another user leaves in the download folder.

use std::fs;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use asc_standin::Fault;
use asc_standin::metrics::{APP_ID, DOWNLOADS_REPORT};
use serde_json::{Value, json};

use crate::metrics::files_in;
use crate::support::standin::{AscWorld, api_get};
use crate::support::{Cmd, ExitStatus};

// ---- the stand-in's own listings, to forge from ----

fn get_json(w: &AscWorld, path: &str) -> Value {
    let (status, body) = api_get(&w.server, path, "application/json");
    assert_eq!(status, 200, "{path}: {}", String::from_utf8_lossy(&body));
    serde_json::from_slice(&body).unwrap()
}

/// The API path of the downloads report's instances, and their listing.
fn instances(w: &AscWorld) -> (String, Value) {
    let requests = get_json(w, &format!("/v1/apps/{APP_ID}/analyticsReportRequests"));
    for r in requests["data"].as_array().unwrap() {
        let reports = get_json(
            w,
            &format!(
                "/v1/analyticsReportRequests/{}/reports",
                r["id"].as_str().unwrap()
            ),
        );
        for rep in reports["data"].as_array().unwrap() {
            if rep["attributes"]["name"] == DOWNLOADS_REPORT {
                let path = format!(
                    "/v1/analyticsReports/{}/instances",
                    rep["id"].as_str().unwrap()
                );
                let listing = get_json(w, &path);
                return (path, listing);
            }
        }
    }
    panic!("no {DOWNLOADS_REPORT} report");
}

/// The API path of the segments of the downloads report's instance of
/// `date`, and their listing.
fn segments_of(w: &AscWorld, date: &str) -> (String, Value) {
    let (_, list) = instances(w);
    let inst = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| {
            i["attributes"]["processingDate"] == date && i["attributes"]["granularity"] == "DAILY"
        })
        .unwrap_or_else(|| panic!("no daily instance of {date}"));
    let path = format!(
        "/v1/analyticsReportInstances/{}/segments",
        inst["id"].as_str().unwrap()
    );
    let listing = get_json(w, &path);
    (path, listing)
}

/// The stand-in answers `path` with `listing` from now on.
fn forge(w: &AscWorld, path: &str, listing: &Value) {
    w.server.fault(path, Fault::json(listing), u32::MAX);
}

/// The path part of a segment's URL in a listing.
fn url_path(segment: &Value) -> String {
    let url = segment["attributes"]["url"].as_str().unwrap();
    let u = url::Url::parse(url).unwrap();
    u.path().to_owned()
}

fn out(w: &AscWorld) -> PathBuf {
    w.t.path("out")
}

fn report_dir(w: &AscWorld) -> PathBuf {
    out(w).join("app-store-downloads-standard")
}

/// `metrics download` of the whole downloads report into [`out`].
fn download(w: &AscWorld) -> Cmd {
    w.metrics(&[
        "download",
        "--app",
        APP_ID,
        "--report",
        DOWNLOADS_REPORT,
        "--jobs",
        "1",
        "--out",
    ])
    .arg(out(w))
}

/// A loopback listener that answers every request 404 and keeps each
/// request's head (lower-cased): a second host, or a proxy.
fn listener() -> (String, Arc<Mutex<Vec<String>>>) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = format!("127.0.0.1:{}", l.local_addr().unwrap().port());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        for conn in l.incoming() {
            let Ok(mut conn) = conn else { return };
            let _ = conn.set_read_timeout(Some(Duration::from_secs(5)));
            let mut head = Vec::new();
            let mut buf = [0u8; 1024];
            while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                match conn.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => head.extend_from_slice(&buf[..n]),
                }
            }
            log.lock()
                .unwrap()
                .push(String::from_utf8_lossy(&head).to_lowercase());
            let _ = conn.write_all(
                b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
            );
        }
    });
    (addr, seen)
}

// ---- finding 1: paths built from server values ----

#[test]
fn a_processing_date_that_is_a_path_writes_nothing_anywhere() {
    let w = AscWorld::new();
    let elsewhere = w.t.path("elsewhere");
    fs::create_dir(&elsewhere).unwrap();
    let (path, mut list) = instances(&w);
    let data = list["data"].as_array_mut().unwrap();
    // `../../pwn` climbs out of DIR/<report>/; an absolute one replaces DIR.
    data[0]["attributes"]["processingDate"] = json!("../../pwn");
    data[1]["attributes"]["processingDate"] = json!(format!("{}/x", elsewhere.display()));
    forge(&w, &path, &list);
    download(&w)
        .run()
        .fails(ExitStatus::Failure)
        .stderr_has("processingDate is not a YYYY-MM-DD date");
    let climbed: Vec<String> = files_in(w.t.dir.path())
        .into_iter()
        .filter(|n| n.starts_with("pwn"))
        .collect();
    assert!(climbed.is_empty(), "{climbed:?}");
    assert!(files_in(&elsewhere).is_empty());
    assert!(files_in(&report_dir(&w)).is_empty());
}

#[test]
fn an_unknown_granularity_is_slugged_into_the_folder() {
    let w = AscWorld::new();
    let (path, mut list) = instances(&w);
    for i in list["data"].as_array_mut().unwrap() {
        if i["attributes"]["processingDate"] == "2026-11-21" {
            i["attributes"]["granularity"] = json!("../../../../Hourly");
        }
    }
    forge(&w, &path, &list);
    download(&w).run().success();
    let names = files_in(&report_dir(&w));
    assert_eq!(names.len(), 5, "{names:?}");
    assert!(
        names.iter().any(|n| n.starts_with("2026-11-21_hourly_")),
        "{names:?}"
    );
}

#[test]
fn two_segment_ids_that_slug_alike_get_two_files() {
    let w = AscWorld::new();
    let (path, mut list) = segments_of(&w, "2026-11-20");
    let segs = list["data"].as_array_mut().unwrap();
    segs[0]["id"] = json!("seg-a");
    segs[1]["id"] = json!("Seg.A");
    forge(&w, &path, &list);
    download(&w).args(&["--merge"]).run().success();
    let names = files_in(&report_dir(&w));
    assert_eq!(names.len(), 5, "each segment its own file: {names:?}");
    let daily = fs::read_to_string(out(&w).join("app-store-downloads-standard_daily.tsv")).unwrap();
    let weekly =
        fs::read_to_string(out(&w).join("app-store-downloads-standard_weekly.tsv")).unwrap();
    // 2 + 5 + 3 + 4 daily rows under one header; the weekly instance's 6 apart.
    assert_eq!(daily.lines().count(), 1 + 14, "{daily}");
    assert_eq!(weekly.lines().count(), 1 + 6, "{weekly}");
}

// ---- finding 5: segment URLs and redirects ----

#[test]
fn a_segment_url_in_plain_http_to_another_host_is_not_fetched() {
    let w = AscWorld::new();
    let (path, mut list) = segments_of(&w, "2026-11-20");
    // TEST-NET-1: never reached (the check comes before any connection).
    list["data"][0]["attributes"]["url"] =
        json!("http://192.0.2.1:9/seg?X-Amz-Signature=the-signature");
    forge(&w, &path, &list);
    let o = download(&w)
        .args(&["--timeout", "1"])
        .run()
        .fails(ExitStatus::Failure)
        .stderr_has("plain http to 192.0.2.1, which is not loopback");
    assert!(!o.stderr().contains("the-signature"), "{}", o.stderr());
}

#[test]
fn a_segment_url_of_another_scheme_is_not_fetched() {
    let w = AscWorld::new();
    let (path, mut list) = segments_of(&w, "2026-11-20");
    list["data"][0]["attributes"]["url"] = json!("file:///etc/passwd");
    forge(&w, &path, &list);
    download(&w)
        .run()
        .fails(ExitStatus::Failure)
        .stderr_has("scheme \"file\"");
}

#[test]
fn a_redirect_loop_stops_after_three_hops_without_retrying() {
    let w = AscWorld::new();
    let (_, list) = segments_of(&w, "2026-11-20");
    let seg = url_path(&list["data"][0]);
    let location = format!("{}{seg}", w.server.url());
    w.server.fault(
        &seg,
        Fault::Answer {
            status: 302,
            headers: vec![("location".into(), location)],
            body: Vec::new(),
        },
        u32::MAX,
    );
    download(&w)
        .run()
        .fails(ExitStatus::Failure)
        .stderr_has("more than 3 redirects");
    assert_eq!(w.count(&seg), 4, "the first request and three redirects");
}

#[test]
fn a_redirect_to_another_host_carries_no_referer() {
    let w = AscWorld::new();
    let (other, seen) = listener();
    let (_, list) = segments_of(&w, "2026-11-20");
    let seg = url_path(&list["data"][0]);
    w.server.fault(
        &seg,
        Fault::Answer {
            status: 302,
            headers: vec![("location".into(), format!("http://{other}/moved"))],
            body: Vec::new(),
        },
        u32::MAX,
    );
    // The other host answers 404: an expired URL, as far as we can tell.
    download(&w).run().fails(ExitStatus::Refused);
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert!(seen[0].starts_with("get /moved "), "{seen:?}");
    assert!(
        !seen[0].contains("referer"),
        "the signed URL leaked: {seen:?}"
    );
    assert!(!seen[0].contains("authorization"), "{seen:?}");
}

// ---- finding 6: proxies ----

#[test]
fn loopback_segments_never_go_through_a_proxy_from_the_environment() {
    let w = AscWorld::new();
    let (proxy, seen) = listener();
    // The segment URLs name `localhost`, the API `127.0.0.1` (excluded by
    // NO_PROXY here, so only the downloader's own choice is tested).
    let (path, mut list) = segments_of(&w, "2026-11-20");
    for s in list["data"].as_array_mut().unwrap() {
        let url = s["attributes"]["url"]
            .as_str()
            .unwrap()
            .replace("127.0.0.1", "localhost");
        s["attributes"]["url"] = json!(url);
    }
    forge(&w, &path, &list);
    let proxy_url = format!("http://{proxy}");
    let mut cmd = download(&w).args(&["--since", "2026-11-20", "--until", "2026-11-20"]);
    for var in [
        "HTTP_PROXY",
        "http_proxy",
        "HTTPS_PROXY",
        "https_proxy",
        "ALL_PROXY",
        "all_proxy",
    ] {
        cmd = cmd.env(var, &proxy_url);
    }
    cmd.env("NO_PROXY", "127.0.0.1").run().success();
    assert!(
        seen.lock().unwrap().is_empty(),
        "{:?}",
        seen.lock().unwrap()
    );
    assert_eq!(files_in(&report_dir(&w)).len(), 2);
}

// ---- finding 18: a slow drip ----

#[test]
fn a_segment_that_drips_is_stopped_at_its_deadline() {
    let w = AscWorld::new();
    let (_, list) = segments_of(&w, "2026-11-20");
    let seg = url_path(&list["data"][0]);
    // A few hundred bytes, one every 200 ms: never a stalled read, and a
    // minute or more in all.
    w.server.fault(
        &seg,
        Fault::Drip {
            chunk: 1,
            every: Duration::from_millis(200),
        },
        u32::MAX,
    );
    let o = download(&w)
        .env("ASCVAULT_SEGMENT_DEADLINE", "0.5")
        .run_with_timeout(Duration::from_secs(30))
        .expect("the deadline ends the download");
    o.fails(ExitStatus::Network)
        .stderr_has("per-segment deadline of 0.5 s (--segment-deadline");
    assert_eq!(w.count(&seg), 1, "a deadline is not retried");
    let names = files_in(&report_dir(&w));
    assert!(names.iter().all(|n| !n.starts_with('.')), "{names:?}");
}

// ---- finding 3 (segments): decompressed size ----

#[test]
fn a_gzip_bomb_is_stopped_at_the_limit_and_leaves_nothing() {
    use flate2::Compression;
    use flate2::write::GzEncoder;
    use md5::{Digest, Md5};

    let w = AscWorld::new();
    let mut gz = GzEncoder::new(Vec::new(), Compression::best());
    gz.write_all(&vec![b'a'; 8 << 20]).unwrap();
    let bomb = gz.finish().unwrap();
    let (path, mut list) = segments_of(&w, "2026-11-20");
    let seg = url_path(&list["data"][0]);
    // The listing vouches for the bomb: size and checksum match.
    list["data"][0]["attributes"]["sizeInBytes"] = json!(bomb.len());
    list["data"][0]["attributes"]["checksum"] = json!(hex::encode(Md5::digest(&bomb)));
    forge(&w, &path, &list);
    w.server.fault(
        &seg,
        Fault::Answer {
            status: 200,
            headers: vec![("content-type".into(), "application/octet-stream".into())],
            body: bomb,
        },
        u32::MAX,
    );
    download(&w)
        .args(&["--since", "2026-11-20"])
        .env("ASCVAULT_MAX_SEGMENT_BYTES", "1048576")
        .run()
        .fails(ExitStatus::Failure)
        .stderr_has("decompresses to more than 1 MiB, the per-segment limit (--max-segment-bytes");
    assert!(files_in(&report_dir(&w)).is_empty(), "no partial file");
}

#[test]
fn announced_sizes_that_overflow_are_a_clean_size_mismatch() {
    let w = AscWorld::new();
    let (path, mut list) = segments_of(&w, "2026-11-20");
    for s in list["data"].as_array_mut().unwrap() {
        s["attributes"]["sizeInBytes"] = json!(u64::MAX);
    }
    forge(&w, &path, &list);
    download(&w)
        .args(&["--since", "2026-11-20"])
        .run()
        .fails(ExitStatus::Failure)
        .stderr_has(&format!("App Store Connect announced {}", u64::MAX));
}

#[test]
fn a_run_stops_at_its_total_limit_and_keeps_the_complete_segments() {
    let w = AscWorld::new();
    // A first run, to learn the sizes of the three daily segments.
    download(&w)
        .args(&["--granularity", "daily", "--since", "2026-11-20"])
        .run()
        .success();
    let sizes: Vec<u64> = files_in(&report_dir(&w))
        .iter()
        .map(|n| fs::metadata(report_dir(&w).join(n)).unwrap().len())
        .collect();
    assert_eq!(sizes.len(), 3);
    fs::remove_dir_all(out(&w)).unwrap();
    let limit = (sizes[0] + sizes[1]).to_string();
    download(&w)
        .args(&["--granularity", "daily", "--since", "2026-11-20"])
        .env("ASCVAULT_MAX_DOWNLOAD_BYTES", &limit)
        .run()
        .fails(ExitStatus::Failure)
        .stderr_has(&format!(
            "would exceed {limit} bytes in all, the per-run limit (--max-download-bytes"
        ));
    assert_eq!(files_in(&report_dir(&w)).len(), 2, "the first two are kept");
}

// ---- finding 17: what is already in the folder ----

#[cfg(unix)]
#[test]
fn a_symlink_at_a_final_name_is_not_a_complete_segment() {
    let w = AscWorld::new();
    let (_, list) = segments_of(&w, "2026-11-21");
    let id = list["data"][0]["id"].as_str().unwrap().to_owned();
    let victim = w.t.path("victim.txt");
    fs::write(&victim, "not a report\n").unwrap();
    fs::create_dir_all(report_dir(&w)).unwrap();
    let dest = report_dir(&w).join(format!("2026-11-21_daily_{id}.tsv"));
    std::os::unix::fs::symlink(&victim, &dest).unwrap();
    download(&w)
        .args(&["--since", "2026-11-21", "--merge"])
        .run()
        .success();
    assert!(
        w.server
            .metrics()
            .segment_fetches()
            .iter()
            .any(|f| f.segment == id),
        "the segment behind the link was fetched"
    );
    assert!(fs::symlink_metadata(&dest).unwrap().file_type().is_file());
    assert_eq!(fs::read_to_string(&victim).unwrap(), "not a report\n");
    let merged = fs::read_to_string(out(&w).join("app-store-downloads-standard.tsv")).unwrap();
    assert!(!merged.contains("not a report"), "{merged}");
}

#[cfg(unix)]
#[test]
fn stale_temporary_files_of_a_killed_run_are_swept_and_nothing_else() {
    use std::os::unix::fs::PermissionsExt;
    let w = AscWorld::new();
    let dir = report_dir(&w);
    fs::create_dir_all(&dir).unwrap();
    let two_hours_ago = std::time::SystemTime::now() - Duration::from_secs(7200);
    let make = |name: &str, old: bool| {
        let p = dir.join(name);
        let f = fs::File::create(&p).unwrap();
        f.set_permissions(fs::Permissions::from_mode(0o600))
            .unwrap();
        if old {
            f.set_modified(two_hours_ago).unwrap();
        }
        p
    };
    let stale = make(".2026-11-20_daily_gone.tsv.a1B2c3.tmp", true);
    let fresh = make(".2026-11-20_daily_busy.tsv.a1B2c3.tmp", false);
    let notes = make(".notes.txt.a1B2c3.tmp", true);
    let victim = w.t.path("victim.txt");
    fs::write(&victim, "keep\n").unwrap();
    let link = dir.join(".2026-11-20_daily_link.tsv.a1B2c3.tmp");
    std::os::unix::fs::symlink(&victim, &link).unwrap();
    download(&w)
        .args(&["--since", "2026-11-21"])
        .run()
        .success();
    assert!(!stale.exists(), "the stale temporary file is gone");
    assert!(fresh.exists(), "a run in progress may own it");
    assert!(notes.exists(), "not our pattern");
    assert!(fs::symlink_metadata(&link).is_ok(), "a link is never ours");
    assert_eq!(fs::read_to_string(&victim).unwrap(), "keep\n");
}

// ---- finding 2: server strings on the terminal ----

#[test]
fn the_access_type_of_a_created_request_is_printed_without_escapes() {
    let w = AscWorld::new();
    let body = json!({ "data": {
        "type": "analyticsReportRequests",
        "id": "req-1",
        "attributes": { "accessType": "ONGOING\u{1b}]52;c;cHduZWQ=\u{7}\u{1b}[2J" }
    }});
    w.server.fault(
        "/v1/analyticsReportRequests",
        Fault::Answer {
            status: 201,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.to_string().into_bytes(),
        },
        1,
    );
    let o = w.metrics(&["request", "--app", APP_ID]).run().success();
    let out = o.stdout();
    assert!(out.contains("created ONGOING"), "{out:?}");
    assert!(!out.contains('\u{1b}') && !out.contains('\u{7}'), "{out:?}");
}

#[test]
fn segment_ids_in_retry_lines_are_printed_without_escapes() {
    let w = AscWorld::new();
    let (path, mut list) = segments_of(&w, "2026-11-20");
    let seg = url_path(&list["data"][0]);
    list["data"][0]["id"] = json!("s1\u{1b}]0;pwned\u{7}\u{1b}[2J");
    forge(&w, &path, &list);
    w.server.fault(&seg, Fault::Cut, 1);
    let o = w
        .cmd(&[
            "-v",
            "metrics",
            "download",
            "--app",
            APP_ID,
            "--report",
            DOWNLOADS_REPORT,
        ])
        .args(&["--since", "2026-11-20", "--until", "2026-11-20", "--out"])
        .arg(out(&w))
        .run()
        .success();
    let err = o.stderr();
    assert!(err.contains("retrying segment s1 "), "{err:?}");
    assert!(!err.contains('\u{1b}') && !err.contains('\u{7}'), "{err:?}");
}
