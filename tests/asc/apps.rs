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
fn an_unknown_bundle_id_says_so() {
    let w = AscWorld::new();
    w.cmd(&["reviews", "list", "--app", "com.example.nothing"])
        .run()
        .fails(ExitStatus::Refused)
        .stderr_is(concat!(
            "error: no app with bundle id \"com.example.nothing\"\n",
            "hint: `ascvault apps` lists the apps this key can see, with their bundle ids\n",
        ));
    w.cmd(&["reviews", "list", "--app", "not a bundle/id"])
        .run()
        .fails(ExitStatus::Usage);
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
