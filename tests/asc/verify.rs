//! `ascvault verify`: each entry checked with Apple, rejections with
//! Apple's reason, `--mark-revoked`, and an unreachable service.

use serde_json::Value;

use crate::support::standin::{AscWorld, closed_port};
use crate::support::{ExitStatus, keys_of};

#[track_caller]
fn add_raw_password(w: &AscWorld, label: &str, password: &str) {
    w.t.cmd(&[
        "add",
        "password",
        label,
        "--apple-id",
        asc_standin::TEST_APPLE_ID,
        "--password-stdin",
        "--no-format-check",
    ])
    .stdin(&format!("{password}\n"))
    .run()
    .success();
}

/// The row of a `--json` list whose label is `label`.
#[track_caller]
fn labelled<'a>(rows: &'a Value, label: &str) -> &'a Value {
    rows.as_array()
        .unwrap()
        .iter()
        .find(|r| r["label"] == label)
        .unwrap_or_else(|| panic!("no row labelled {label:?}: {rows:#}"))
}

#[test]
fn verify_reports_valid_and_rejected_with_apples_reason() {
    let w = AscWorld::new();
    w.add_password_apple_accepts("good");
    w.add_password_apple_rejects("old");
    add_raw_password(&w, "account", asc_standin::ACCOUNT_PASSWORD);
    let out = w
        .cmd(&["verify", "--json"])
        .run()
        .fails(ExitStatus::Refused);
    let v = out.json();
    let by_label = |label: &str| labelled(&v, label).clone();
    assert_eq!(by_label("asc")["result"], "valid");
    assert_eq!(by_label("good")["result"], "valid");
    let old = by_label("old");
    assert_eq!(old["result"], "rejected");
    assert_eq!(old["code"], "-20101");
    assert!(old["message"].as_str().unwrap().contains("-20101"));
    assert_eq!(by_label("account")["code"], "-22938");
    assert_eq!(old["marked_revoked"], false);
    let keys = keys_of(&old);
    assert_eq!(
        keys,
        [
            "label",
            "kind",
            "account",
            "result",
            "code",
            "message",
            "marked_revoked"
        ]
    );
    out.stderr_is(concat!(
        "error: Apple rejected 2 of 4 credential(s): old, account\n",
        "hint: `ascvault verify --mark-revoked` records that in the vault\n",
    ));
    // The key check was one GET /v1/apps?limit=1; nothing was written.
    let api = w.server.requests_to("/v1/");
    assert_eq!(api.len(), 1);
    assert_eq!(api[0].param("limit").as_deref(), Some("1"));
    // The vault is unchanged without --mark-revoked.
    w.t.cmd(&["list"]).run().success().stdout_has("old");
}

#[test]
fn verify_one_label_and_all_valid_is_success() {
    let w = AscWorld::new();
    w.add_password_apple_accepts("good");
    w.cmd(&["verify", "good"])
        .run()
        .success()
        .stdout_has("valid");
    w.cmd(&["verify", "--all"]).run().success();
    w.t.cmd(&["revoke", "good", "--yes"]).run().success();
    w.cmd(&["verify", "good"]).run().fails(ExitStatus::Revoked);
}

#[test]
fn verify_mark_revoked_makes_the_vault_match_apple() {
    let w = AscWorld::new();
    w.add_password_apple_accepts("good");
    w.add_password_apple_rejects("old");
    w.cmd(&["verify", "--mark-revoked"])
        .run()
        .fails(ExitStatus::Refused)
        .stdout_has("rejected (marked revoked)");
    let v = w.t.cmd(&["list", "--all", "--json"]).run().success().json();
    let old = labelled(&v, "old");
    assert_eq!(old["revoked"], true);
    let note = old["note"].as_str().unwrap();
    assert!(note.starts_with("Apple rejected it on 20"), "{note}");
    assert!(note.contains("-20101"), "{note}");
    let good = labelled(&v, "good");
    assert_eq!(good["revoked"], false);
    // Next time only the valid entries are checked.
    w.cmd(&["verify"]).run().success();
}

#[test]
fn verify_unreachable_is_a_network_failure() {
    let w = AscWorld::new();
    w.add_password_apple_accepts("good");
    let port = closed_port();
    let before = w.t.vault_bytes();
    let v = w
        .cmd(&["verify", "--json", "--mark-revoked"])
        .env(
            "ASCVAULT_CONTENT_DELIVERY_BASE",
            format!("http://127.0.0.1:{port}"),
        )
        .run()
        .fails(ExitStatus::Network)
        .json();
    let good = labelled(&v, "good");
    assert_eq!(good["result"], "unreachable");
    assert_eq!(labelled(&v, "asc")["result"], "valid");
    assert_eq!(w.t.vault_bytes(), before, "nothing marked");
}

mod apple;
