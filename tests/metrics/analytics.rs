//! Analytics report requests (one exists already; creating one needs the
//! Admin role) and the reports they hold.

use asc_standin::metrics::{APP_ID, DOWNLOADS_REPORT, SESSIONS_REPORT};

use super::download_report;
use crate::support::standin::AscWorld;
use crate::support::{ExitStatus, keys_of};

#[test]
fn request_when_one_exists_shows_it_instead_of_failing() {
    let w = AscWorld::new();
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

/// A POST to the stand-in outside ascvault's client: status and body.
fn api_post(w: &AscWorld, path: &str, body: &serde_json::Value) -> (u16, serde_json::Value) {
    let key = ascvault::asc::ApiKey::new(
        asc_standin::TEST_KEY_ID,
        Some(asc_standin::TEST_ISSUER_ID),
        &ascvault::vault::Secret::from(asc_standin::TEST_KEY_PEM),
    )
    .unwrap();
    let token = key.mint(std::time::Duration::from_secs(600));
    let resp = reqwest::blocking::Client::new()
        .post(format!("{}{path}", w.server.url()))
        .bearer_auth(token.jwt.expose())
        .json(body)
        .send()
        .unwrap();
    let status = resp.status().as_u16();
    (
        status,
        serde_json::from_slice(&resp.bytes().unwrap()).unwrap(),
    )
}

#[test]
fn a_duplicate_request_is_apples_state_error() {
    let w = AscWorld::new();
    let body = ascvault::asc::analytics::create_request_body(
        APP_ID,
        ascvault::asc::analytics::Access::Ongoing,
    );
    let (status, answer) = api_post(&w, "/v1/analyticsReportRequests", &body);
    assert_eq!(status, 409, "{answer}");
    assert_eq!(answer["errors"][0]["code"], "STATE_ERROR", "{answer}");
    assert_eq!(answer["errors"][0]["status"], "409", "{answer}");
    // And ascvault takes it for "one exists" (see the test above).
    w.metrics(&["request", "--app", APP_ID])
        .run()
        .success()
        .stderr_has("already exists");
}

#[test]
fn request_without_the_admin_role_is_refused_with_a_hint() {
    let w = AscWorld::new();
    w.server.metrics().set_admin(false);
    let before = w.t.vault_bytes();
    w.metrics(&["request", "--app", asc_standin::seed::WEATHER_APP_ID])
        .run()
        .fails(ExitStatus::Refused)
        .stderr_is(
            "error: App Store Connect refused POST /v1/analyticsReportRequests: 403 FORBIDDEN_ERROR: This request is forbidden for security reasons — The API key in use does not allow this request\n\
             hint: creating the first analytics report request needs a key with the Admin role; entry \"asc\" lacks it. Once a request exists, keys with the Sales and Reports or Finance role can download\n"
        );
    assert_eq!(w.t.vault_bytes(), before);
}

#[test]
fn reports_are_listed_and_filtered_by_category() {
    let w = AscWorld::new();
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
    let keys = keys_of(&rows[0]);
    assert_eq!(keys, ["id", "name", "category", "access_type"]);
}

#[test]
fn download_of_an_unknown_report_lists_where_to_look() {
    let w = AscWorld::new();
    download_report(&w, "Nope")
        .arg("--stdout")
        .run()
        .fails(ExitStatus::Failure)
        .stderr_is(concat!(
            "error: app 1234567890 has no report named \"Nope\"\n",
            "hint: `ascvault metrics reports --app 1234567890` lists them\n",
        ));
    // Checked by the argument parser, before the vault is opened.
    download_report(&w, DOWNLOADS_REPORT)
        .args(&["--stdout", "--since", "20-11-2026"])
        .run()
        .fails(ExitStatus::Usage)
        .stderr_has("\"20-11-2026\" is not a date: write dates as YYYY-MM-DD");
    download_report(&w, DOWNLOADS_REPORT)
        .args(&["--stdout", "--merge"])
        .run()
        .fails(ExitStatus::Usage)
        .stderr_has("'--stdout' cannot be used with '--merge'");
}

#[test]
fn report_takes_the_id_that_reports_prints_as_well_as_the_name() {
    let w = AscWorld::new();
    let v = w
        .metrics(&["reports", "--app", APP_ID, "--json"])
        .run()
        .success()
        .json();
    let id = v
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == SESSIONS_REPORT)
        .and_then(|r| r["id"].as_str())
        .unwrap()
        .to_owned();
    // The table shows the same id.
    w.metrics(&["reports", "--app", APP_ID])
        .run()
        .success()
        .stdout_has(&id);
    let by_id = download_report(&w, &id)
        .arg("--stdout")
        .run()
        .success()
        .stdout();
    let by_name = download_report(&w, SESSIONS_REPORT)
        .arg("--stdout")
        .run()
        .success()
        .stdout();
    assert!(by_id.starts_with("Date\tApp Name"), "{by_id}");
    assert_eq!(by_id, by_name);
}
