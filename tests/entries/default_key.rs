//! The default api-key entry (format 1.1's `default_api_key`, issue 13 §3):
//! `ascvault default` shows, sets and clears it; App Store Connect and
//! metrics commands use it when no `--entry`/`ASCVAULT_ENTRY` is given and
//! several active keys exist; revoking or removing it clears it; a merge
//! through real git picks it three ways.

use std::path::Path;

use crate::support::git::{Git, git_available};
use crate::support::standin::AscWorld;
use crate::support::{Cmd, Env, ExitStatus, fixtures};

const PW: &str = "abcd-efgh-ijkl-mnop";

/// Adds the second fixture key (TESTKEY002, other key material) as `label`
/// through `base` (a command with the vault and passphrase set).
#[track_caller]
fn add_second_key(base: Cmd, label: &str) {
    base.args(&["add", "api-key", label, "--key-id", "TESTKEY002"])
        .arg("--private-key")
        .arg(fixtures().join("keys/AuthKey_TESTKEY002.p8"))
        .run()
        .success();
}

/// A vault with a password and two keys.
fn two_keys() -> Env {
    let t = Env::new();
    t.init()
        .add_password("pw", "dev@example.com", PW)
        .add_key("k1", "TESTKEY001");
    add_second_key(t.cmd(&[]), "k2");
    t
}

#[track_caller]
fn default_of(t: &Env) -> String {
    t.cmd(&["default"]).run().success().into_outcome().stdout()
}

#[test]
fn default_shows_sets_and_clears_it() {
    let t = two_keys();
    t.cmd(&["default"])
        .run()
        .success()
        .stdout_lacks("k")
        .stderr_has("no default api-key entry");
    t.cmd(&["default", "K2"])
        .run()
        .success()
        .stderr_has("k2 is the default api-key entry");
    assert_eq!(default_of(&t), "k2\n");
    t.cmd(&["list"])
        .run()
        .success()
        .stdout_has("active (default)");
    let v = t.cmd(&["list", "--json"]).run().success().json();
    let flags: Vec<(&str, bool)> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["label"].as_str().unwrap(),
                e["default"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(flags, [("pw", false), ("k1", false), ("k2", true)]);
    t.cmd(&["show", "k2"])
        .run()
        .success()
        .stdout_has("default:       yes");
    t.cmd(&["show", "k1"])
        .run()
        .success()
        .stdout_lacks("default:");
    t.cmd(&["default", "--clear"])
        .run()
        .success()
        .stderr_has("cleared the default api-key entry (was k2)");
    assert_eq!(default_of(&t), "");
}

#[test]
fn only_an_active_api_key_entry_can_be_the_default() {
    let t = two_keys();
    t.cmd(&["revoke", "k1", "--yes"]).run().success();
    let before = t.vault_bytes();
    t.cmd(&["default", "pw"])
        .run()
        .fails(ExitStatus::Failure)
        .stderr_has("only an api-key entry can be the default");
    t.cmd(&["default", "k1"]).run().fails(ExitStatus::Revoked);
    t.cmd(&["default", "k3"])
        .run()
        .fails(ExitStatus::NoEntry)
        .stderr_has("did you mean \"k1\"?");
    assert_eq!(t.vault_bytes(), before);
}

#[test]
fn revoking_or_removing_the_default_entry_clears_it() {
    let t = two_keys();
    t.cmd(&["default", "k1"]).run().success();
    t.cmd(&["revoke", "k1", "--yes"]).run().success();
    assert_eq!(default_of(&t), "");
    let plain = t
        .cmd(&["export", "--plaintext", "--yes"])
        .run()
        .success()
        .into_outcome()
        .stdout();
    assert!(!plain.contains("default_api_key"), "{plain}");

    t.cmd(&["default", "k2"]).run().success();
    t.cmd(&["remove", "k2", "--yes"]).run().success();
    assert_eq!(default_of(&t), "");
    // A new key under the old label is not the default either.
    add_second_key(t.cmd(&[]), "k2");
    assert_eq!(default_of(&t), "");
}

#[test]
fn asc_and_metrics_commands_use_the_default_when_several_keys_are_active() {
    let w = AscWorld::new(); // `asc`: the key the stand-in knows
    add_second_key(w.t.cmd(&[]), "other"); // a key Apple does not know
    w.cmd(&["apps"])
        .run()
        .fails(ExitStatus::Usage)
        .stderr_has("several active api-key entries: asc, other")
        .stderr_has("`ascvault default LABEL`");
    w.t.cmd(&["default", "asc"]).run().success();
    w.cmd(&["apps"]).run().success();
    w.metrics(&["reports", "--app", asc_standin::metrics::APP_ID])
        .run()
        .success()
        .stdout_has(asc_standin::metrics::DOWNLOADS_REPORT);
    // It is the default that is used: make the unknown key the default.
    w.t.cmd(&["default", "other"]).run().success();
    w.cmd(&["apps"]).run().fails(ExitStatus::Refused);
    w.metrics(&["reports", "--app", asc_standin::metrics::APP_ID])
        .run()
        .fails(ExitStatus::Refused);
    // --entry and ASCVAULT_ENTRY still choose (a typo gets did-you-mean).
    w.cmd(&["apps", "--entry", "asc"]).run().success();
    w.cmd(&["apps", "--entry", "acs"])
        .run()
        .fails(ExitStatus::NoEntry)
        .stderr_has("did you mean \"asc\"?");
    w.cmd(&["apps"])
        .env("ASCVAULT_ENTRY", "asc")
        .run()
        .success();
}

/// Commits the vault in `dir` and pushes (or just commits, `push` false).
fn commit(g: &Git, dir: &Path, message: &str, push: bool) {
    g.git(dir, &["commit", "-q", "-am", message]);
    if push {
        g.git(dir, &["push", "-q"]);
    }
}

#[test]
fn git_pull_merges_the_default_three_ways() {
    if !git_available() {
        eprintln!("skipped: git is not installed");
        return;
    }
    let g = Git::new();
    let a = g.origin_and_first_clone();
    add_second_key(g.av(&a, &[]), "k2");
    g.av(&a, &["add", "api-key", "k1", "--key-id", "TESTKEY001"])
        .arg("--private-key")
        .arg(fixtures().join("keys/AuthKey_TESTKEY001.p8"))
        .run()
        .success();
    commit(&g, &a, "a: two keys", true);
    let b = g.clone("b");

    // Only a sets a default; b changes something else: a's default stays.
    g.av(&a, &["default", "k1"]).run().success();
    commit(&g, &a, "a: default k1", true);
    g.av(&b, &["note", "p1", "from b"]).run().success();
    commit(&g, &b, "b: note", false);
    let (merged, stderr) = g.pull(&b);
    assert!(merged, "{stderr}");
    g.av(&b, &["default"]).run().success().stdout_has("k1");
    g.git(&b, &["push", "-q"]);
    g.git(&a, &["pull", "-q", "--no-rebase"]);

    // b revokes the default while a... changes nothing about it: dropped.
    g.av(&b, &["revoke", "k1", "--yes"]).run().success();
    commit(&g, &b, "b: revoke k1", true);
    g.av(&a, &["note", "p2", "from a"]).run().success();
    commit(&g, &a, "a: note", false);
    let (merged, stderr) = g.pull(&a);
    assert!(merged, "{stderr}");
    let out = g.av(&a, &["default"]).run().success().into_outcome();
    assert_eq!(out.stdout(), "", "{}", out.stderr());
    g.git(&a, &["push", "-q"]);
    g.git(&b, &["pull", "-q", "--no-rebase"]);

    // Both set a default, differently: a conflict, ours left unchanged.
    g.av(
        &a,
        &["add", "api-key", "k3", "--key-id", "TESTKEY003", "--yes"],
    )
    .arg("--private-key")
    .arg(fixtures().join("keys/AuthKey_TESTKEY002.p8"))
    .run()
    .success();
    commit(&g, &a, "a: k3", true);
    g.git(&b, &["pull", "-q", "--no-rebase"]);
    g.av(&a, &["default", "k2"]).run().success();
    commit(&g, &a, "a: default k2", true);
    g.av(&b, &["default", "k3"]).run().success();
    commit(&g, &b, "b: default k3", false);
    let ours = std::fs::read(b.join("ascvault.age")).unwrap();
    let (merged, stderr) = g.pull(&b);
    assert!(!merged, "the pull should stop: {stderr}");
    assert!(
        stderr.contains("top-level key \"default_api_key\" changed differently on both sides"),
        "{stderr}"
    );
    assert_eq!(std::fs::read(b.join("ascvault.age")).unwrap(), ours);
}
