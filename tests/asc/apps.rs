//! `ascvault apps`, and which vault entry the App Store Connect commands
//! sign with.

use serde_json::json;

use super::{APP, BUNDLE};
use crate::support::ExitStatus;
use crate::support::standin::AscWorld;

#[test]
fn apps_lists_id_name_bundle_id_and_sku() {
    let w = AscWorld::new();
    w.cmd(&["apps"])
        .run()
        .success()
        .stdout_has("Pocket Notes")
        .stdout_has(BUNDLE)
        .stdout_has("POCKETNOTES1")
        .stdout_has(APP);
    let v = w.cmd(&["apps", "--json"]).run().success().json();
    let rows = v.as_array().unwrap();
    assert_eq!(rows.len(), 3);
    assert_eq!(
        rows[0],
        json!({"id": APP, "name": "Pocket Notes", "bundle_id": BUNDLE, "sku": "POCKETNOTES1"})
    );
    let r = &w.server.requests_to("/v1/apps")[0];
    assert_eq!(r.param("limit").as_deref(), Some("200"));
}

#[test]
fn a_revoked_entry_is_never_used() {
    let w = AscWorld::new();
    w.t.cmd(&["revoke", "asc", "--yes"]).run().success();
    w.cmd(&["apps", "--entry", "asc"])
        .run()
        .fails(ExitStatus::Revoked);
    w.cmd(&["apps"])
        .run()
        .fails(ExitStatus::NoEntry)
        .stderr_has("no active api-key entry");
    assert_eq!(w.server.requests().len(), 0);
}

#[test]
fn several_keys_need_entry() {
    let w = AscWorld::new();
    w.t.add_key("second", "TESTKEY001");
    w.cmd(&["apps"])
        .run()
        .fails(ExitStatus::Usage)
        .stderr_is(concat!(
            "error: several active api-key entries: asc, second\n",
            "hint: choose one with --entry LABEL (or ASCVAULT_ENTRY), or make one the default with `ascvault default LABEL`\n",
        ));
    w.cmd(&["apps", "--entry", "second"]).run().success();
    w.cmd(&["apps"])
        .env("ASCVAULT_ENTRY", "asc")
        .run()
        .success();
}

#[test]
fn a_password_entry_cannot_call_the_api() {
    let w = AscWorld::new();
    w.add_password_apple_accepts("up");
    w.cmd(&["apps", "--entry", "up"])
        .run()
        .fails(ExitStatus::Usage)
        .stderr_has("not an api-key");
}

#[test]
fn an_unknown_bundle_id_or_name_says_so() {
    let w = AscWorld::new();
    for app in ["com.example.nothing", "not a bundle/id"] {
        w.cmd(&["reviews", "list", "--app", app])
            .run()
            .fails(ExitStatus::Refused)
            .stderr_is(&format!(
                "error: no app has the bundle id or the name {app:?}\n\
                 hint: `ascvault apps` lists the apps this key can see, with their bundle ids and names (names match exactly, case included)\n"
            ));
    }
    w.cmd(&["reviews", "list", "--app", "two\nlines"])
        .run()
        .fails(ExitStatus::Usage)
        .stderr_has("is neither a numeric app id, a bundle id nor an app name");
}

#[test]
fn app_takes_an_exact_name_everywhere() {
    let w = AscWorld::new();
    let name = "Pocket Notes";
    let v = w
        .cmd(&["reviews", "list", "--app", name, "--max", "1", "--json"])
        .run()
        .success()
        .json();
    assert_eq!(v.as_array().unwrap().len(), 1);
    assert!(w.count(&format!("/v1/apps/{APP}/customerReviews")) > 0);
    // Not a prefix of another app's name, not another case.
    w.cmd(&["reviews", "list", "--app", "pocket notes"])
        .run()
        .fails(ExitStatus::Refused);
    for args in [
        &["reviews", "flag", "--app", name, "--max", "5"][..],
        &[
            "reviews",
            "report",
            &asc_standin::seed::review_id(0, 1),
            "--app",
            name,
            "--reason",
            "spam",
            "--print",
        ],
        &["metrics", "request", "--app", name],
        &["metrics", "reports", "--app", name],
        &[
            "metrics",
            "download",
            "--app",
            name,
            "--report",
            asc_standin::metrics::SESSIONS_REPORT,
            "--stdout",
        ],
        &["metrics", "perf", "--app", name],
        &["metrics", "builds", "--app", name, "--max", "1"],
    ] {
        w.cmd(args).run().success();
    }
    w.cmd(&["metrics", "perf", "--app", "Pocket Notes Pro"])
        .run()
        .fails(ExitStatus::Refused)
        .stderr_has("404");
}

#[test]
fn a_name_several_apps_share_is_an_error_listing_them() {
    let w = AscWorld::new();
    w.server
        .shared()
        .data
        .lock()
        .unwrap()
        .apps
        .push(asc_standin::state::App {
            id: "1234567899".into(),
            name: "Trail Weather".into(),
            bundle_id: "com.example.trailweather.mac\u{1b}[2J".into(),
            sku: "TRAILWXMAC".into(),
        });
    for args in [
        &["reviews", "list", "--app", "Trail Weather"][..],
        &["metrics", "builds", "--app", "Trail Weather"],
    ] {
        w.cmd(args)
            .run()
            .fails(ExitStatus::Usage)
            .stderr_is(concat!(
                "error: 2 apps are named \"Trail Weather\": 1234567891 (com.example.trailweather), ",
                "1234567899 (com.example.trailweather.mac [2J)\n",
                "hint: pass the app id or the bundle id instead of the name\n",
            ));
    }
    // The bundle id still picks one.
    w.cmd(&[
        "reviews",
        "list",
        "--app",
        asc_standin::seed::WEATHER_BUNDLE_ID,
        "--max",
        "1",
    ])
    .run()
    .success();
}

#[test]
fn an_unknown_app_has_one_exit_code_however_it_is_named() {
    let w = AscWorld::new();
    for app in ["999", "com.example.nothing"] {
        for args in [
            &["reviews", "list", "--app", app][..],
            &["metrics", "perf", "--app", app],
        ] {
            w.cmd(args)
                .run()
                .fails(ExitStatus::Refused)
                .stderr_has("hint: ")
                .stderr_has("`ascvault apps` lists the apps this key can see");
        }
    }
}
