//! `ascvault verify`: each entry checked with Apple, rejections with
//! Apple's reason, `--mark-revoked`, and an unreachable service.

use crate::support::ExitStatus;
use crate::support::standin::{AscWorld, closed_port};

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

#[test]
fn verify_reports_valid_and_rejected_with_apples_reason() {
    let w = AscWorld::new();
    w.t.add_password(
        "good",
        asc_standin::TEST_APPLE_ID,
        asc_standin::VALID_APP_PASSWORD,
    );
    w.t.add_password(
        "old",
        asc_standin::TEST_APPLE_ID,
        asc_standin::REVOKED_APP_PASSWORD,
    );
    add_raw_password(&w, "account", asc_standin::ACCOUNT_PASSWORD);
    let out = w
        .cmd(&["verify", "--json"])
        .run()
        .fails(ExitStatus::Refused);
    let v = out.json();
    let by_label = |l: &str| {
        v.as_array()
            .unwrap()
            .iter()
            .find(|r| r["label"] == l)
            .unwrap()
            .clone()
    };
    assert_eq!(by_label("asc")["result"], "valid");
    assert_eq!(by_label("good")["result"], "valid");
    let old = by_label("old");
    assert_eq!(old["result"], "rejected");
    assert_eq!(old["code"], "-20101");
    assert!(old["message"].as_str().unwrap().contains("-20101"));
    assert_eq!(by_label("account")["code"], "-22938");
    assert_eq!(old["marked_revoked"], false);
    let keys: Vec<&str> = old
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
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
    w.t.add_password(
        "good",
        asc_standin::TEST_APPLE_ID,
        asc_standin::VALID_APP_PASSWORD,
    );
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
    w.t.add_password(
        "good",
        asc_standin::TEST_APPLE_ID,
        asc_standin::VALID_APP_PASSWORD,
    );
    w.t.add_password(
        "old",
        asc_standin::TEST_APPLE_ID,
        asc_standin::REVOKED_APP_PASSWORD,
    );
    w.cmd(&["verify", "--mark-revoked"])
        .run()
        .fails(ExitStatus::Refused)
        .stdout_has("rejected (marked revoked)");
    let v = w.t.cmd(&["list", "--all", "--json"]).run().success().json();
    let old = v
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["label"] == "old")
        .unwrap();
    assert_eq!(old["revoked"], true);
    let note = old["note"].as_str().unwrap();
    assert!(note.starts_with("Apple rejected it on 20"), "{note}");
    assert!(note.contains("-20101"), "{note}");
    let good = v
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["label"] == "good")
        .unwrap();
    assert_eq!(good["revoked"], false);
    // Next time only the valid entries are checked.
    w.cmd(&["verify"]).run().success();
}

#[test]
fn verify_unreachable_is_a_network_failure() {
    let w = AscWorld::new();
    w.t.add_password(
        "good",
        asc_standin::TEST_APPLE_ID,
        asc_standin::VALID_APP_PASSWORD,
    );
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
    let good = v
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["label"] == "good")
        .unwrap();
    assert_eq!(good["result"], "unreachable");
    assert_eq!(
        v.as_array()
            .unwrap()
            .iter()
            .find(|e| e["label"] == "asc")
            .unwrap()["result"],
        "valid"
    );
    assert_eq!(w.t.vault_bytes(), before, "nothing marked");
}
