//! `add api-key`: a `--key-id` that contradicts the `AuthKey_<KEYID>.p8`
//! file name is stored only when the user confirms at the terminal or
//! passes `--yes`; without a terminal it is a usage error (issue 13 §4).

use std::path::PathBuf;

use crate::support::{Cmd, Env, ExitStatus, PASSPHRASE, fixtures};

fn fixture_key() -> PathBuf {
    fixtures().join("keys/AuthKey_TESTKEY001.p8")
}

fn key_ids(t: &Env) -> Vec<String> {
    let v = t.cmd(&["list", "--json"]).run().success().json();
    v.as_array()
        .unwrap()
        .iter()
        .map(|e| e["account"].as_str().unwrap().to_owned())
        .collect()
}

/// `add api-key ci --key-id TESTKEY009` of the key in AuthKey_TESTKEY001.p8.
fn add_as_testkey009(t: &Env, extra: &[&str]) -> Cmd {
    t.cmd(&["add", "api-key", "ci", "--key-id", "TESTKEY009"])
        .args(extra)
        .arg("--private-key")
        .arg(fixture_key())
}

#[test]
fn a_contradicting_key_id_without_a_terminal_needs_yes() {
    let t = Env::new();
    t.init();
    let before = t.vault_bytes();
    add_as_testkey009(&t, &[])
        .run()
        .fails(ExitStatus::Usage)
        .stderr_has("--key-id TESTKEY009 contradicts the file name AuthKey_TESTKEY001.p8")
        .stderr_has("use --key-id TESTKEY001, or --yes");
    assert_eq!(t.vault_bytes(), before);
    add_as_testkey009(&t, &["--yes"]).run().success();
    assert_eq!(key_ids(&t), ["TESTKEY009"]);
}

#[test]
fn a_key_id_matching_the_file_name_in_any_case_is_not_questioned() {
    let t = Env::new();
    t.init();
    t.cmd(&[
        "add",
        "api-key",
        "ci",
        "--key-id",
        "testkey001",
        "--private-key",
    ])
    .arg(fixture_key())
    .run()
    .success();
    // A file not named by App Store Connect says nothing about the id.
    let renamed = t.path("ci.p8");
    std::fs::copy(fixture_key(), &renamed).unwrap();
    t.cmd(&[
        "add",
        "api-key",
        "ci2",
        "--key-id",
        "TESTKEY009",
        "--private-key",
    ])
    .arg(&renamed)
    .run()
    .success();
    assert_eq!(key_ids(&t), ["TESTKEY001", "TESTKEY009"]);
}

#[cfg(unix)]
#[test]
fn at_the_terminal_the_user_decides() {
    use crate::support::pty::{ascvault, exit_status, spawn};
    let t = Env::new();
    t.init();
    let before = t.vault_bytes();
    let ask = |answer: &str| {
        let mut p = spawn({
            let mut c = ascvault(t.dir.path(), &t.vault());
            c.env("ASCVAULT_PASSPHRASE", PASSPHRASE)
                .env("ASCVAULT_ALLOW_WEAK_VAULT", "1")
                .args([
                    "add",
                    "api-key",
                    "ci",
                    "--key-id",
                    "TESTKEY009",
                    "--private-key",
                ])
                .arg(fixture_key());
            c
        });
        p.exp_string("--key-id TESTKEY009 contradicts the file name AuthKey_TESTKEY001.p8")
            .unwrap();
        p.exp_string("Store the key with key id TESTKEY009? [y/N]")
            .unwrap();
        p.send_line(answer).unwrap();
        let rest = p.exp_eof().unwrap();
        (exit_status(&mut p), rest)
    };
    let (status, rest) = ask("n");
    assert_eq!(status, ExitStatus::Failure, "{rest}");
    assert!(rest.contains("nothing added"), "{rest}");
    assert_eq!(t.vault_bytes(), before);
    let (status, rest) = ask("y");
    assert_eq!(status, ExitStatus::Success, "{rest}");
    assert!(rest.contains("added ci"), "{rest}");
    assert_eq!(key_ids(&t), ["TESTKEY009"]);
}
