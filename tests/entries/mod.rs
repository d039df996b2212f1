//! Managing entries through the binary: add, list, show, revoke, remove,
//! relabel, note, run.

use crate::support::{Env, ExitStatus, keys_of};

const PW: &str = "abcd-efgh-ijkl-mnop";

#[test]
fn add_list_show_reveal() {
    let t = Env::new();
    t.init()
        .add_password("fastlane", "dev@example.com", "ABCD EFGH IJKL MNOP");
    t.cmd(&["list"])
        .run()
        .success()
        .stdout_has("fastlane")
        .stdout_has("dev@example.com")
        .stdout_lacks(PW);
    t.cmd(&["show", "fastlane"])
        .run()
        .success()
        .stdout_lacks(PW);
    let out = t.cmd(&["show", "fastlane", "--reveal"]).run().success();
    assert_eq!(out.stdout(), format!("{PW}\n"));
}

#[test]
fn list_json_has_the_documented_fields() {
    let t = Env::new();
    t.init()
        .add_password("a", "dev@example.com", PW)
        .add_key("k", "TESTKEY001");
    let v = t.cmd(&["list", "--json"]).run().success().json();
    let rows = v.as_array().unwrap();
    assert_eq!(rows.len(), 2);
    let keys = keys_of(&rows[0]);
    assert_eq!(
        keys,
        [
            "id",
            "label",
            "kind",
            "account",
            "created",
            "revoked",
            "revoked_at",
            "note",
            "default"
        ]
    );
    assert_eq!(rows[1]["account"], "TESTKEY001");
    assert_eq!(rows[1]["kind"], "api-key");
}

#[test]
fn revoked_entries_are_hidden_and_refused() {
    let t = Env::new();
    t.init().add_password("old", "dev@example.com", PW);
    t.cmd(&["revoke", "old", "--yes"])
        .run()
        .success()
        .stderr_has("Sign-In and Security");
    t.cmd(&["list"]).run().success().stdout_lacks("old");
    t.cmd(&["list", "--all"])
        .run()
        .success()
        .stdout_has("revoked");
    t.cmd(&["run", "old", "--", "true"])
        .run()
        .fails(ExitStatus::Revoked);
}

#[test]
fn run_hands_credentials_to_the_child_only() {
    let t = Env::new();
    t.init().add_password("fl", "dev@example.com", PW);
    let out = t
        .cmd(&[
            "run",
            "fl",
            "--",
            "sh",
            "-c",
            "echo $FASTLANE_USER $ASC_APP_SPECIFIC_PASSWORD ${ASCVAULT_PASSPHRASE:-none}; exit 3",
        ])
        .run()
        // The child's own code, passed on.
        .exits(ExitStatus::Other(3));
    assert_eq!(out.stdout(), format!("dev@example.com {PW} none\n"));
}

#[test]
fn init_never_overwrites_and_checks_the_work_factor() {
    let t = Env::new();
    t.init();
    let before = t.vault_bytes();
    t.cmd(&["init", "--work-factor", "10"])
        .run()
        .fails(ExitStatus::Failure)
        .stderr_has("already exists");
    assert_eq!(t.vault_bytes(), before);
    let other = t.path("other.age");
    for bad in ["9", "23", "x"] {
        t.cmd(&["init", "--work-factor", bad])
            .env("ASCVAULT_VAULT", &other)
            .run()
            .fails(ExitStatus::Usage);
    }
    assert!(!other.exists());
    t.cmd(&["init", "--work-factor", "12", "--binary"])
        .env("ASCVAULT_VAULT", &other)
        .run()
        .success()
        .stderr_has("for test vaults only");
    let c = ascvault::vault::crypto::inspect(&std::fs::read(&other).unwrap()).unwrap();
    assert_eq!((c.armored, c.work_factor), (false, 12));
}

#[test]
fn the_default_work_factor_is_18() {
    let t = Env::new();
    t.cmd(&["init"])
        .run()
        .success()
        .stderr_has("work factor 18");
    let c = ascvault::vault::crypto::inspect(&t.vault_bytes()).unwrap();
    assert_eq!((c.armored, c.work_factor), (true, 18));
}

#[cfg(unix)]
#[test]
fn vault_and_lock_files_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let t = Env::new();
    t.init().add_password("a", "dev@example.com", PW);
    for f in [t.vault(), t.path("ascvault.age.lock")] {
        let mode = std::fs::metadata(&f).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{}", f.display());
    }
}

#[test]
fn bad_input_changes_nothing() {
    let t = Env::new();
    t.init().add_password("fastlane", "dev@example.com", PW);
    let before = t.vault_bytes();
    // Arguments split on spaces; `''` is an empty argument, `{keys}` the fixture key folder.
    let cases: &[(&str, &str, ExitStatus, &str)] = &[
        (
            "add password FASTLANE --apple-id dev@example.com --password-stdin",
            "qrst-uvwx-yzab-cdef\n",
            ExitStatus::Failure,
            "already exists",
        ),
        (
            "add password x --apple-id dev@example.com --password-stdin",
            "hunter2\n",
            ExitStatus::Failure,
            "16 letters",
        ),
        (
            "add password x --apple-id not-an-email --password-stdin",
            "qrst-uvwx-yzab-cdef\n",
            ExitStatus::Failure,
            "not an Apple ID",
        ),
        (
            "add password '' --apple-id dev@example.com --password-stdin",
            "qrst-uvwx-yzab-cdef\n",
            ExitStatus::Failure,
            "1 to 64",
        ),
        (
            "add api-key k --key-id TESTKEY001 --private-key {keys}/rsa-not-ec.p8",
            "",
            ExitStatus::Failure,
            "P-256",
        ),
        (
            "add api-key k --key-id TESTKEY001 --private-key {keys}/p384-not-p256.p8",
            "",
            ExitStatus::Failure,
            "P-256",
        ),
        (
            "add api-key k --key-id TESTKEY001 --private-key /nonexistent.p8",
            "",
            ExitStatus::Failure,
            "cannot read",
        ),
        (
            "add api-key k --key-id short --private-key {keys}/AuthKey_TESTKEY001.p8",
            "",
            ExitStatus::Failure,
            "10 letters",
        ),
        (
            "add api-key k --key-id TESTKEY001 --issuer-id nope --private-key {keys}/AuthKey_TESTKEY001.p8",
            "",
            ExitStatus::Failure,
            "not a UUID",
        ),
        (
            "relabel nothere y",
            "",
            ExitStatus::NoEntry,
            "no entry labelled",
        ),
        (
            "relabel fastlane bad\u{7}label",
            "",
            ExitStatus::Failure,
            "control characters",
        ),
        (
            "note nothere y",
            "",
            ExitStatus::NoEntry,
            "no entry labelled",
        ),
        ("show nothere", "", ExitStatus::NoEntry, "no entry labelled"),
        (
            "revoke nothere --yes",
            "",
            ExitStatus::NoEntry,
            "no entry labelled",
        ),
        (
            "remove nothere --yes",
            "",
            ExitStatus::NoEntry,
            "no entry labelled",
        ),
        (
            "run nothere -- true",
            "",
            ExitStatus::NoEntry,
            "no entry labelled",
        ),
        ("list --bogus", "", ExitStatus::Usage, "unexpected argument"),
    ];
    let keys = crate::support::fixtures().join("keys");
    for &(line, stdin, code, message) in cases {
        let args: Vec<String> = line
            .split(' ')
            .map(|a| {
                if a == "''" {
                    String::new()
                } else {
                    a.replace("{keys}", keys.to_str().unwrap())
                }
            })
            .collect();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = t.cmd(&args).stdin(stdin).run();
        if code == ExitStatus::Usage {
            // clap's own usage errors: exit 2 and a message.
            out.exits(code).stderr_has(message);
        } else {
            out.fails(code).stderr_has(message);
        }
        assert_eq!(t.vault_bytes(), before, "{args:?} changed the vault");
    }
}

#[test]
fn no_format_check_stores_the_password_as_typed() {
    let t = Env::new();
    t.init();
    t.cmd(&[
        "add",
        "password",
        "legacy",
        "--apple-id",
        "dev@example.com",
        "--password-stdin",
        "--no-format-check",
    ])
    .stdin("Hunter2-legacy\n")
    .run()
    .success();
    let out = t.cmd(&["show", "legacy", "--reveal"]).run().success();
    assert_eq!(out.stdout(), "Hunter2-legacy\n");
    // The entry stays readable: the file records that it was not format-checked.
    t.cmd(&["list"]).run().success().stdout_has("legacy");
}

#[test]
fn relabel_note_remove() {
    let t = Env::new();
    t.init()
        .add_password("a", "dev@example.com", PW)
        .add_password("b", "dev@example.com", "qrst-uvwx-yzab-cdef");
    let id = t.cmd(&["show", "a", "--json"]).run().success().json()["id"].clone();
    t.cmd(&["relabel", "a", "B"])
        .run()
        .fails(ExitStatus::Failure)
        .stderr_has("already exists");
    t.cmd(&["relabel", "a", "renamed"]).run().success();
    let v = t.cmd(&["show", "RENAMED", "--json"]).run().success().json();
    assert_eq!(v["id"], id, "the id survives a relabel");
    t.cmd(&["note", "renamed", "for the CI box"])
        .run()
        .success();
    t.cmd(&["show", "renamed"])
        .run()
        .success()
        .stdout_has("for the CI box");
    t.cmd(&["note", "renamed", ""]).run().success();
    t.cmd(&["show", "renamed"])
        .run()
        .success()
        .stdout_lacks("note:");
    t.cmd(&["remove", "b", "--yes"])
        .run()
        .success()
        .stderr_has("does not revoke it at Apple");
    let v = t.cmd(&["list", "--all", "--json"]).run().success().json();
    let labels: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["renamed"]);
}

#[test]
fn revoke_all_and_revocation_is_final() {
    let t = Env::new();
    t.init()
        .add_password("a", "dev@example.com", PW)
        .add_key("k", "TESTKEY001");
    t.cmd(&["revoke", "--all", "--yes"])
        .run()
        .success()
        .stderr_has("revoked 2 entries")
        .stderr_has("Revoke All")
        .stderr_has("Integrations");
    let v = t.cmd(&["list", "--all", "--json"]).run().success().json();
    let first_at = v[0]["revoked_at"].clone();
    assert!(
        v.as_array()
            .unwrap()
            .iter()
            .all(|e| e["revoked"] == true && e["revoked_at"].is_string())
    );
    t.cmd(&["revoke", "a", "--yes"])
        .run()
        .success()
        .stderr_has("already revoked");
    assert_eq!(
        t.cmd(&["list", "--all", "--json"]).run().success().json()[0]["revoked_at"],
        first_at
    );
    t.cmd(&["list"]).run().success().stderr_has("2 revoked");
    t.cmd(&["run", "k", "--", "true"])
        .run()
        .fails(ExitStatus::Revoked);
}

#[test]
fn show_json_and_reveal_for_keys() {
    let t = Env::new();
    t.init().add_key("team", "testkey001");
    let v = t.cmd(&["show", "team", "--json"]).run().success().json();
    assert_eq!(v["key_id"], "TESTKEY001");
    assert_eq!(v["issuer_id"], "57246542-96fe-1a63-e053-0824d011072a");
    assert!(v.get("secret").is_none());
    let out = t.cmd(&["show", "team", "--reveal"]).run().success();
    assert!(out.stdout().starts_with("-----BEGIN PRIVATE KEY-----\n"));
    assert!(out.stdout().ends_with("-----END PRIVATE KEY-----\n"));
    let v = t
        .cmd(&["show", "team", "--json", "--reveal"])
        .run()
        .success()
        .json();
    assert!(v["secret"].as_str().unwrap().contains("BEGIN PRIVATE KEY"));
    let out = t
        .cmd(&[
            "run",
            "team",
            "--",
            "sh",
            "-c",
            "printf '%s|%s|%s' \"$ASC_KEY_ID\" \"$ASC_ISSUER_ID\" \"$ASC_PRIVATE_KEY\"",
        ])
        .run()
        .success();
    assert!(out.stdout().starts_with(
        "TESTKEY001|57246542-96fe-1a63-e053-0824d011072a|-----BEGIN PRIVATE KEY-----"
    ));
}

#[test]
fn passphrase_file_and_passwd_from_a_file() {
    let t = Env::new();
    t.init().add_password("a", "dev@example.com", PW);
    let pass = t.path("pass");
    t.bare(&["list", "--passphrase-file", pass.to_str().unwrap()])
        .run()
        .success()
        .stdout_has("a");
    std::fs::write(t.path("new"), "second passphrase\n").unwrap();
    t.cmd(&[
        "passwd",
        "--new-passphrase-file",
        t.path("new").to_str().unwrap(),
    ])
    .run()
    .success()
    .stderr_has("git history");
    t.cmd(&["list"]).run().fails(ExitStatus::Unlock);
    t.cmd(&["list"])
        .env("ASCVAULT_PASSPHRASE", "second passphrase")
        .run()
        .success()
        .stdout_has("a");
    // Without a terminal and without --new-passphrase-file, passwd fails at once.
    t.cmd(&["passwd"])
        .env("ASCVAULT_PASSPHRASE", "second passphrase")
        .run()
        .fails(ExitStatus::Usage);
}

#[test]
fn missing_vault_and_completions_and_man() {
    let t = Env::new();
    t.cmd(&["list"])
        .run()
        .fails(ExitStatus::Failure)
        .stderr_is(&format!(
            "error: no vault at {}\n\
             hint: create one with `ascvault init`, or point --vault (or ASCVAULT_VAULT) at yours\n",
            t.vault().display()
        ));
    t.cmd(&["completions", "bash"])
        .run()
        .success()
        .stdout_has("ascvault");
    t.cmd(&["man"]).run().success().stdout_has(".TH ascvault");
}

#[cfg(unix)]
#[test]
fn core_dumps_are_disabled() {
    // ascvault sets RLIMIT_CORE to 0 for itself; `run`'s child inherits it,
    // which makes the limit observable from outside. ascvault is started
    // with an unlimited core size, so a 0 can only come from ascvault.
    let t = Env::new();
    t.init().add_password("fl", "dev@example.com", PW);
    let out = std::process::Command::new("sh")
        .args([
            "-c",
            r#"ulimit -c unlimited && ulimit -c && exec "$0" run fl -- sh -c 'ulimit -c'"#,
        ])
        .arg(crate::support::bin())
        .env("ASCVAULT_VAULT", t.vault())
        .env("ASCVAULT_PASSPHRASE", crate::support::PASSPHRASE)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), "unlimited\n0\n");
}

/// A vault past 64 KiB of plaintext is parsed in pieces on several threads
/// (src/vault/format/split.rs): every command still sees every entry, in order.
#[test]
fn a_large_vault_keeps_every_entry_in_order() {
    use ascvault::vault::{NewPassword, Secret, Vault};
    let t = Env::new();
    t.init();
    let n = 600; // about 150 KiB of plaintext
    let labels: Vec<String> = (0..n).map(|i| format!("app-{i:04}")).collect();
    Vault::new(t.vault())
        .update(&Secret::from(crate::support::PASSPHRASE).into(), |doc| {
            for label in &labels {
                let entry = NewPassword {
                    label: label.clone(),
                    apple_id: format!("{label}@example.com"),
                    password: Secret::from(PW),
                    note: Some("a note long enough to make the plaintext large".into()),
                    skip_format_check: false,
                }
                .into_entry()?;
                doc.add(entry)?;
            }
            Ok(())
        })
        .unwrap();
    t.cmd(&["revoke", "app-0300", "--yes"]).run().success();
    let listed = t.cmd(&["list", "--all", "--json"]).run().success().json();
    let listed: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["label"].as_str().unwrap())
        .collect();
    assert_eq!(listed, labels);
    let active = t.cmd(&["list", "--json"]).run().success().json();
    assert_eq!(active.as_array().unwrap().len(), n - 1);
    let text = t.cmd(&["textconv"]).arg(t.vault()).run().success().stdout();
    assert_eq!(text.matches("label:").count(), n);
}

mod confirm_by_id;
mod default_key;
mod did_you_mean;
mod edit;
mod key_file_name;
mod revoked_secrets;
mod team;
mod verify_on_add;
