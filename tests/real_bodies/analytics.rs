//! Apple's example bodies of the Analytics Reports API (requests, a report,
//! instances, segments) and a recorded 409, served through the stand-in's
//! front door: what `metrics request`, `reports` and `download` make of
//! them. Apple's links name `api.appstoreconnect.apple.com`; they are
//! pointed at the stand-in (the base URL in these tests), the only change
//! made to a body unless a test says otherwise.

use std::io::Write;

use asc_standin::Fault;

use crate::support::ExitStatus;
use crate::support::real;
use crate::support::standin::AscWorld;

/// The app of Apple's examples.
const APP: &str = "389801252";
const REQUEST: &str = "d48c69c5-9bcb-4592-abbd-08a9411b0231";
const SNAPSHOT_REQUEST: &str = "A157dd7a-4fe2-479b-8d25-a8e4228c5b81";
const REPORT: &str = "r2-d48c69c5-9bcb-4592-abbd-08a9411b0231";
const SEGMENT: &str = "503110d4-0fa2-41c0-9d41-ab7c7dac683f";

/// `name` from the real folder with Apple's host replaced by the stand-in's.
fn served(w: &AscWorld, name: &str) -> Option<serde_json::Value> {
    let text = String::from_utf8(real::body(name)?).unwrap();
    let text = text.replace("https://api.appstoreconnect.apple.com", &w.server.url());
    Some(serde_json::from_str(&text).unwrap())
}

/// Serves `body` (JSON) at `path` for every request.
fn answer(w: &AscWorld, path: &str, status: u16, body: &serde_json::Value) {
    w.server.fault(
        path,
        Fault::Answer {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.to_string().into_bytes(),
        },
        u32::MAX,
    );
}

/// Serves Apple's requests, its one report (as the list of the ongoing
/// request; the snapshot request has none), and its instances (the first
/// page as Apple wrote it, `links.next` and all; the page it links to is
/// empty). `None` when the real folder is absent.
fn apple_reports(w: &AscWorld) -> Option<()> {
    let requests = served(w, "analyticsReportRequests_appledoc.json")?;
    answer(
        w,
        &format!("/v1/apps/{APP}/analyticsReportRequests"),
        200,
        &requests,
    );
    let single = served(w, "analyticsReport_single_appledoc.json")?;
    let list = serde_json::json!({ "data": [single["data"]], "links": single["links"] });
    answer(
        w,
        &format!("/v1/analyticsReportRequests/{REQUEST}/reports"),
        200,
        &list,
    );
    let none = serde_json::json!({ "data": [], "links": { "self": w.server.url() } });
    answer(
        w,
        &format!("/v1/analyticsReportRequests/{SNAPSHOT_REQUEST}/reports"),
        200,
        &none,
    );
    let instances = served(w, "analyticsReportInstances_appledoc.json")?;
    let path = format!("/v1/analyticsReports/{REPORT}/instances");
    w.server.fault(&path, Fault::json(&instances), 1);
    w.server.fault(&path, Fault::json(&none), 1);
    Some(())
}

#[test]
fn apples_report_listing_is_read_as_apple_wrote_it() {
    let w = AscWorld::new();
    let Some(()) = apple_reports(&w) else { return };
    let v = w
        .metrics(&["reports", "--app", APP, "--json"])
        .run()
        .success()
        .json();
    assert_eq!(
        v,
        serde_json::json!([{
            "id": REPORT,
            "name": "App Crashes",
            "category": "APP_USAGE",
            "access_type": "ONGOING",
        }])
    );
}

#[test]
fn apples_segment_listing_gives_the_size_and_checksum_that_are_checked() {
    let w = AscWorld::new();
    let Some(()) = apple_reports(&w) else { return };
    let Some(mut segments) = served(&w, "analyticsReportSegments_appledoc.json") else {
        return;
    };
    // Apple's pre-signed URL is pointed at the stand-in: tests stay on loopback.
    let url = format!("{}/analytics-segments/apple-example", w.server.url());
    segments["data"][0]["attributes"]["url"] = url.clone().into();
    // Listed once per instance (three), for each of the two runs below.
    let list_segments = |segments: &serde_json::Value| {
        w.server
            .fault("/v1/analyticsReportInstances/", Fault::json(segments), 3);
    };
    list_segments(&segments);
    // Apple's example is a comma-separated report (`….csv.gz`), `""` for
    // an empty cell.
    let csv = "\"Date\",\"App Name\",\"Crashes\"\r\n\"2024-01-23\",\"Example, App\",\"\"\r\n";
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(csv.as_bytes()).unwrap();
    let gz = gz.finish().unwrap();
    let serve_segment = || {
        w.server.fault(
            "/analytics-segments/apple-example",
            Fault::Answer {
                status: 200,
                headers: vec![("content-type".into(), "application/octet-stream".into())],
                body: gz.clone(),
            },
            1,
        );
    };
    // As Apple listed it: its 156 bytes and its checksum are what is checked.
    serve_segment();
    w.metrics(&[
        "download",
        "--app",
        APP,
        "--report",
        "App Crashes",
        "--stdout",
    ])
    .run()
    .fails(ExitStatus::Failure)
    .stderr_has(&format!(
        "segment {SEGMENT}: got {} bytes, App Store Connect announced 156",
        gz.len()
    ));
    // With the size and checksum of what is served: three instances, one
    // segment (listed under each), fetched once and written as TSV.
    let digest = hex::encode(<md5::Md5 as md5::Digest>::digest(&gz));
    let attributes = &mut segments["data"][0]["attributes"];
    attributes["sizeInBytes"] = gz.len().into();
    attributes["checksum"] = digest.into();
    let Some(()) = apple_reports(&w) else { return };
    list_segments(&segments);
    serve_segment();
    let out = w
        .metrics(&[
            "download",
            "--app",
            APP,
            "--report",
            "App Crashes",
            "--stdout",
        ])
        .run()
        .success()
        .stderr_has(&format!("segment {SEGMENT} is comma-separated"));
    assert_eq!(
        out.stdout(),
        "Date\tApp Name\tCrashes\r\n2024-01-23\tExample, App\t\r\n"
    );
}

#[test]
fn apples_created_request_and_a_recorded_409_are_read() {
    let w = AscWorld::new();
    let Some(created) = served(&w, "analyticsReportRequest_post_appledoc.json") else {
        return;
    };
    w.server.fault(
        "/v1/analyticsReportRequests",
        Fault::Answer {
            status: 201,
            headers: vec![("content-type".into(), "application/json".into())],
            body: created.to_string().into_bytes(),
        },
        1,
    );
    w.metrics(&["request", "--app", APP])
        .run()
        .success()
        .stdout_has(&format!(
            "created ONGOING analytics report request {REQUEST} for app {APP}"
        ));
    // A 409 whatever its details (a recorded STATE_ERROR with associated
    // errors): the existing request of that access type is shown.
    let Some(conflict) = served(&w, "recorded/error_409_codemagic.json") else {
        return;
    };
    let Some(requests) = served(&w, "analyticsReportRequests_appledoc.json") else {
        return;
    };
    answer(
        &w,
        &format!("/v1/apps/{APP}/analyticsReportRequests"),
        200,
        &requests,
    );
    w.server.fault(
        "/v1/analyticsReportRequests",
        Fault::Answer {
            status: 409,
            headers: vec![("content-type".into(), "application/json".into())],
            body: conflict.to_string().into_bytes(),
        },
        1,
    );
    w.metrics(&["request", "--app", APP, "--snapshot"])
        .run()
        .success()
        .stderr_has("already exists")
        .stdout_has(&format!("{SNAPSHOT_REQUEST}\tONE_TIME_SNAPSHOT\tactive"));
}
