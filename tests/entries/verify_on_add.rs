//! `add api-key --verify` asks App Store Connect (the stand-in) before
//! storing: an accepted key is stored, a refused one (exit 6) and an
//! unanswered question (exit 7) store nothing (issue 13 §4).

use crate::support::standin::{AscWorld, closed_port};
use crate::support::{ExitStatus, fixtures};

const GOOD_ISSUER: &str = asc_standin::TEST_ISSUER_ID;

fn add(w: &AscWorld, label: &str, issuer: &str) -> crate::support::Cmd {
    w.cmd(&[
        "add",
        "api-key",
        label,
        "--verify",
        "--key-id",
        asc_standin::TEST_KEY_ID,
        "--issuer-id",
        issuer,
        "--private-key",
    ])
    .arg(fixtures().join("keys/AuthKey_TESTKEY001.p8"))
}

fn labels(w: &AscWorld) -> Vec<String> {
    let v = w.t.cmd(&["list", "--json"]).run().success().json();
    v.as_array()
        .unwrap()
        .iter()
        .map(|e| e["label"].as_str().unwrap().to_owned())
        .collect()
}

/// A world whose vault holds no key yet (AscWorld starts with `asc`).
fn empty_world() -> AscWorld {
    let w = AscWorld::new();
    w.t.cmd(&["remove", "asc", "--yes"]).run().success();
    w
}

#[test]
fn a_key_apple_accepts_is_stored() {
    let w = empty_world();
    let before = w.count("/v1/apps");
    add(&w, "ci", GOOD_ISSUER)
        .run()
        .success()
        .stderr_has("App Store Connect accepted the key")
        .stderr_has("added ci");
    assert_eq!(w.count("/v1/apps"), before + 1, "asked Apple once");
    assert_eq!(labels(&w), ["ci"]);
}

#[test]
fn a_key_apple_refuses_is_not_stored() {
    let w = empty_world();
    let before = w.t.vault_bytes();
    let mut issuer = GOOD_ISSUER.to_owned();
    issuer.replace_range(0..1, if issuer.starts_with('6') { "7" } else { "6" });
    add(&w, "ci", &issuer)
        .run()
        .fails(ExitStatus::Refused)
        .stderr_has("App Store Connect did not accept the key")
        .stderr_has("nothing stored");
    assert_eq!(w.t.vault_bytes(), before);
}

#[test]
fn no_answer_from_apple_stores_nothing() {
    let w = empty_world();
    let before = w.t.vault_bytes();
    add(&w, "ci", GOOD_ISSUER)
        .env(
            "ASCVAULT_API_BASE",
            format!("http://127.0.0.1:{}", closed_port()),
        )
        .run()
        .fails(ExitStatus::Network)
        .stderr_has("could not ask App Store Connect about the key")
        .stderr_has("nothing stored");
    assert_eq!(w.t.vault_bytes(), before);
}

#[test]
fn a_taken_label_fails_before_apple_is_asked() {
    let w = AscWorld::new();
    let before = w.count("/v1/apps");
    add(&w, "asc", GOOD_ISSUER)
        .run()
        .fails(ExitStatus::Failure)
        .stderr_has("already exists");
    assert_eq!(w.count("/v1/apps"), before);
}
