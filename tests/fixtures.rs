//! Every fixture file has an exact expected outcome (fixtures/README.md).
//! Broken files fail with exit 3 and one clear line, and no command — read
//! or write — changes a byte of them.

use std::fs;

use crate::support::{Env, ExitStatus, fixtures};

/// Passphrase of every fixture vault.
const FIXTURE_PASSPHRASE: &str = "fixture passphrase";

/// (file under fixtures/broken, expected exit of `list --all`, stderr text)
const BROKEN: &[(&str, ExitStatus, &str)] = &[
    ("empty.age", ExitStatus::Unlock, "the file is empty"),
    (
        "truncated.age",
        ExitStatus::Unlock,
        "the encrypted payload does not verify",
    ),
    (
        "bitflip-payload.age",
        ExitStatus::Unlock,
        "the encrypted payload does not verify",
    ),
    (
        "bitflip-header.age",
        ExitStatus::Unlock,
        "the header MAC does not verify",
    ),
    (
        "not-age.txt",
        ExitStatus::Unlock,
        "not an age-encrypted file",
    ),
    (
        "x25519.age",
        ExitStatus::Unlock,
        // Format 1.2: an X25519 file is a team vault, opened by a member.
        "this is a team vault, encrypted to 1 member recipient(s), not to a passphrase",
    ),
    (
        "workfactor-30.age",
        ExitStatus::Unlock,
        "scrypt work factor 30; at most 22",
    ),
    ("crlf.age", ExitStatus::Success, ""),
    (
        "not-toml.age",
        ExitStatus::Unlock,
        "not a valid vault document (line 1)",
    ),
    (
        "unknown-major.age",
        ExitStatus::Unlock,
        "vault format version 2.0 is newer than this ascvault supports (1.2)",
    ),
    (
        "duplicate-labels.age",
        ExitStatus::Unlock,
        "two entries are labelled \"FASTLANE\"",
    ),
    (
        "invalid-password.age",
        ExitStatus::Unlock,
        "the password is not in Apple's form",
    ),
];

fn env_with(fixture: &str) -> Env {
    let t = Env::new();
    fs::copy(fixtures().join(fixture), t.vault()).unwrap();
    t
}

#[test]
fn every_broken_fixture_is_listed_here() {
    let mut on_disk: Vec<String> = fs::read_dir(fixtures().join("broken"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> = BROKEN.iter().map(|(f, _, _)| (*f).to_owned()).collect();
    listed.sort();
    assert_eq!(on_disk, listed);
}

#[test]
fn broken_fixtures_fail_cleanly_and_stay_unchanged() {
    for (file, code, message) in BROKEN {
        let t = env_with(&format!("broken/{file}"));
        let before = t.vault_bytes();
        let out = t
            .cmd(&["list", "--all"])
            .env("ASCVAULT_PASSPHRASE", FIXTURE_PASSPHRASE)
            .run();
        if *code == ExitStatus::Success {
            out.success().stdout_has("fastlane");
        } else {
            out.fails(*code).stderr_has(message).stderr_has("hint:");
        }
        // A write must not touch a file it cannot read.
        if *code != ExitStatus::Success {
            t.cmd(&["note", "fastlane", "x"])
                .env("ASCVAULT_PASSPHRASE", FIXTURE_PASSPHRASE)
                .run()
                .fails(*code)
                .stderr_has(message);
        }
        assert_eq!(t.vault_bytes(), before, "{file} changed");
        let leftovers: Vec<_> = fs::read_dir(t.dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".tmp"))
            .collect();
        assert!(
            leftovers.is_empty(),
            "{file}: temp files left: {leftovers:?}"
        );
    }
}

#[test]
fn wrong_passphrase_is_exit_3_and_distinct_from_damage() {
    let t = env_with("vaults/full-armored.age");
    let before = t.vault_bytes();
    t.cmd(&["list"])
        .env("ASCVAULT_PASSPHRASE", "not it")
        .run()
        .fails(ExitStatus::Unlock)
        .stderr_has("wrong passphrase");
    t.cmd(&["revoke", "fastlane", "--yes"])
        .env("ASCVAULT_PASSPHRASE", "not it")
        .run()
        .fails(ExitStatus::Unlock);
    assert_eq!(t.vault_bytes(), before);
}

#[test]
fn armored_binary_and_go_age_vaults_hold_the_same_entries() {
    let mut seen = Vec::new();
    for file in [
        "vaults/full-armored.age",
        "vaults/full-binary.age",
        "vaults/go-age.age",
        "broken/crlf.age",
    ] {
        let t = env_with(file);
        let v = t
            .cmd(&["list", "--all", "--json"])
            .env("ASCVAULT_PASSPHRASE", FIXTURE_PASSPHRASE)
            .run()
            .success()
            .json();
        seen.push(v);
    }
    assert_eq!(seen[0].as_array().unwrap().len(), 4);
    assert!(seen.iter().all(|v| *v == seen[0]));
    assert_eq!(seen[0][1]["revoked_at"], "2026-03-01T12:00:00Z");
    assert_eq!(seen[0][3]["account"], "TESTKEY002");
}

#[test]
fn rewrites_keep_armor_and_work_factor() {
    for (file, armored) in [
        ("vaults/full-armored.age", true),
        ("vaults/full-binary.age", false),
    ] {
        let t = env_with(file);
        t.cmd(&["note", "fastlane", "rewritten"])
            .env("ASCVAULT_PASSPHRASE", FIXTURE_PASSPHRASE)
            .run()
            .success();
        let bytes = t.vault_bytes();
        let c = ascvault::vault::crypto::inspect(&bytes).unwrap();
        assert_eq!((c.armored, c.work_factor), (armored, 10), "{file}");
    }
    // The Go age CLI's vault keeps its work factor 18 through a rewrite.
    let t = env_with("vaults/go-age.age");
    t.cmd(&["note", "fastlane", "rewritten"])
        .env("ASCVAULT_PASSPHRASE", FIXTURE_PASSPHRASE)
        .run()
        .success();
    assert_eq!(
        ascvault::vault::crypto::inspect(&t.vault_bytes())
            .unwrap()
            .work_factor,
        18
    );
}

#[test]
fn a_newer_minor_version_is_read_and_its_unknown_fields_survive_a_rewrite() {
    let t = env_with("vaults/newer-minor.age");
    let pass = ascvault::vault::Secret::from(FIXTURE_PASSPHRASE);
    t.cmd(&["list", "--all"])
        .env("ASCVAULT_PASSPHRASE", FIXTURE_PASSPHRASE)
        .run()
        .success()
        .stdout_has("webhook-secret");
    t.cmd(&["run", "future-thing", "--", "true"])
        .env("ASCVAULT_PASSPHRASE", FIXTURE_PASSPHRASE)
        .run()
        .fails(ExitStatus::Failure);
    t.cmd(&["note", "fastlane", "rewritten"])
        .env("ASCVAULT_PASSPHRASE", FIXTURE_PASSPHRASE)
        .run()
        .success();
    let doc = ascvault::vault::Vault::new(t.vault())
        .open(&pass.clone().into())
        .unwrap()
        .document;
    let text = doc.to_canonical();
    assert!(
        text.contains("version = \"1.4\""),
        "writers never downgrade"
    );
    assert!(text.contains("sync_peer = \"laptop\""));
    assert!(text.contains("rotation_days = 90"));
    assert!(text.contains("secret = \"whsec_0123456789\""));
    assert!(text.contains("note = \"rewritten\""));
}

#[test]
fn fixture_plaintexts_are_canonical() {
    let pass = ascvault::vault::Secret::from(FIXTURE_PASSPHRASE);
    let doc = ascvault::vault::Vault::new(fixtures().join("vaults/full-binary.age"))
        .open(&pass.clone().into())
        .unwrap()
        .document;
    let plain = fs::read_to_string(fixtures().join("plain/full.toml")).unwrap();
    // The fixtures are format 1.0 documents; writers write the newer of the
    // file's version and their own (spec/FORMAT.md §4), and nothing else.
    let plain = plain.replacen("version = \"1.0\"", "version = \"1.1\"", 1);
    assert_eq!(doc.to_canonical().as_str(), plain);
}
