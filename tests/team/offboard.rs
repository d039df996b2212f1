//! Offboarding (issue 14): `member remove` lists exactly what the member
//! could read, with where to revoke it at Apple, and marks it exposed;
//! `check` reports exposed credentials until they are revoked; `verify
//! --exposed` asks Apple (the in-process stand-in).

use std::time::Duration;

use super::{ALICE, age_keygen, as_alice, team};
use crate::support::{Env, ExitStatus, fixtures};

const PASSWORDS_PAGE: &str = "revoke it at Apple too: Apple Account (account.apple.com) → Sign-In and Security → App-Specific Passwords";
const KEYS_PAGE: &str = "revoke it at Apple too: App Store Connect → Users and Access → Integrations → App Store Connect API";

#[track_caller]
fn add_pw(t: &Env, label: &str, password: &str) {
    as_alice(
        t,
        &[
            "add",
            "password",
            label,
            "--apple-id",
            asc_standin::TEST_APPLE_ID,
            "--password-stdin",
        ],
    )
    .stdin(&format!("{password}\n"))
    .run()
    .success();
}

#[track_caller]
fn add_key(t: &Env, label: &str) {
    let p8 = fixtures().join("keys/AuthKey_TESTKEY001.p8");
    as_alice(
        t,
        &[
            "add",
            "api-key",
            label,
            "--key-id",
            asc_standin::TEST_KEY_ID,
            "--issuer-id",
            "57246542-96fe-1a63-e053-0824d011072a",
            "--private-key",
            p8.to_str().unwrap(),
        ],
    )
    .run()
    .success();
}

#[track_caller]
fn alice(t: &Env, args: &[&str]) {
    as_alice(t, args).run().success();
}

/// Adds bob (a plain age key) strictly after everything done so far:
/// timestamps are whole seconds.
fn add_bob(t: &Env) {
    std::thread::sleep(Duration::from_millis(1100));
    let (_, bob) = age_keygen(t, "bob.key");
    alice(t, &["member", "add", "bob", "--recipient", &bob]);
}

/// The labels of the offboarding list (`- LABEL (kind, account): state`).
fn listed(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .filter_map(|l| l.strip_prefix("- "))
        .map(|l| l.split(" (").next().unwrap().to_owned())
        .collect()
}

fn document(t: &Env) -> ascvault::vault::Document {
    let path = t.path(".ascvault/identities/alice.age");
    let ids = ascvault::vault::team::identity_file::open_path(&path, &ALICE.into()).unwrap();
    ascvault::vault::Vault::new(t.vault())
        .open(&ids.into())
        .unwrap()
        .document
}

fn check_findings(t: &Env) -> Vec<(String, String)> {
    let out = as_alice(t, &["check", "--json"]).run();
    out.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["check"].as_str().unwrap().to_owned(),
                f["labels"][0].as_str().unwrap_or_default().to_owned(),
            )
        })
        .filter(|(c, _)| c.starts_with("exposed"))
        .collect()
}

#[test]
fn offboarding_lists_exactly_what_the_member_could_read() {
    let t = team();
    // Before bob: one revoked (not listed), one removed (not listed), one
    // still active (listed).
    add_pw(&t, "dead-before", "aaaa-bbbb-cccc-dddd");
    alice(&t, &["revoke", "dead-before", "--yes"]);
    add_pw(&t, "gone-before", "bbbb-cccc-dddd-eeee");
    alice(&t, &["remove", "gone-before", "--yes"]);
    add_pw(&t, "active-before", "cccc-dddd-eeee-ffff");
    add_bob(&t);
    // While bob is a member: added, revoked, removed — all listed.
    add_key(&t, "key-after");
    add_pw(&t, "revoked-during", "dddd-eeee-ffff-gggg");
    alice(&t, &["revoke", "revoked-during", "--yes"]);
    add_pw(&t, "removed-during", "eeee-ffff-gggg-hhhh");
    alice(&t, &["remove", "removed-during", "--yes"]);

    let out = as_alice(&t, &["member", "remove", "bob"]).run().success();
    let stdout = out.stdout();
    assert_eq!(
        listed(&stdout),
        [
            "active-before",
            "key-after",
            "revoked-during",
            "removed-during"
        ],
        "{stdout}"
    );
    assert!(
        stdout.contains("bob could read 4 credential(s)"),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!(
            "- active-before (app-specific-password, dev@example.com): active\n  {PASSWORDS_PAGE}\n"
        )),
        "{stdout}"
    );
    assert!(stdout.contains(&format!("  {KEYS_PAGE}\n")), "{stdout}");
    assert!(
        stdout.contains("- removed-during (app-specific-password, dev@example.com): removed "),
        "{stdout}"
    );
    assert!(
        stdout.contains("- revoked-during (app-specific-password, dev@example.com): revoked "),
        "{stdout}"
    );
    assert!(
        !stdout.contains("eeee-ffff"),
        "no secret is shown: {stdout}"
    );
    out.stderr_has("bob keeps whatever was in git history")
        .stderr_has("Only revoking at Apple what they could read closes that");

    // Exactly those are marked exposed to bob, in the vault.
    let doc = document(&t);
    let mut exposed: Vec<&str> = doc
        .entries
        .iter()
        .filter(|e| e.exposed.iter().any(|x| x.member == "bob"))
        .map(|e| e.label.as_str())
        .chain(
            doc.removed
                .iter()
                .filter(|r| r.exposed.iter().any(|x| x.member == "bob"))
                .map(|r| r.label.as_str()),
        )
        .collect();
    exposed.sort();
    assert_eq!(
        exposed,
        [
            "active-before",
            "key-after",
            "removed-during",
            "revoked-during"
        ]
    );
}

#[test]
fn revoke_with_the_same_words_as_member_remove() {
    // The wording is shared, not copied: revoke says the same.
    let t = team();
    add_pw(&t, "p", "aaaa-bbbb-cccc-dddd");
    as_alice(&t, &["revoke", "p", "--yes"])
        .run()
        .success()
        .stderr_has(PASSWORDS_PAGE);
    add_key(&t, "k");
    as_alice(&t, &["revoke", "k", "--yes"])
        .run()
        .success()
        .stderr_has(KEYS_PAGE);
}

#[test]
fn check_reports_exposed_credentials_and_stops_once_they_are_revoked() {
    let t = team();
    add_pw(&t, "p", "aaaa-bbbb-cccc-dddd");
    add_key(&t, "k");
    add_pw(&t, "gone", "bbbb-cccc-dddd-eeee");
    add_pw(&t, "old", "cccc-dddd-eeee-ffff");
    alice(&t, &["revoke", "old", "--yes"]);
    assert!(check_findings(&t).is_empty());
    add_bob(&t);
    alice(&t, &["remove", "gone", "--yes"]);
    alice(&t, &["member", "remove", "bob"]);

    let out = as_alice(&t, &["check"]).run().exits(ExitStatus::Failure);
    out.stdout_has(
        "exposed-active: \"p\" is still active, and removed member(s) could read it: bob (removed ",
    )
    .stdout_has("exposed-removed: \"gone\"");
    assert_eq!(
        check_findings(&t),
        [
            ("exposed-active".to_owned(), "p".to_owned()),
            ("exposed-active".to_owned(), "k".to_owned()),
            ("exposed-removed".to_owned(), "gone".to_owned()),
        ]
    );
    // Revoked one by one, each stops being reported; `revoke` on a
    // removed entry records its tombstone revoked.
    alice(&t, &["revoke", "p", "--yes"]);
    alice(&t, &["revoke", "k", "--yes"]);
    assert_eq!(
        check_findings(&t),
        [("exposed-removed".to_owned(), "gone".to_owned())]
    );
    as_alice(&t, &["revoke", "gone", "--yes"])
        .run()
        .success()
        .stderr_has("revoked gone")
        .stderr_has(PASSWORDS_PAGE);
    assert!(check_findings(&t).is_empty());
    let doc = document(&t);
    assert!(doc.removed[0].revoked && doc.removed[0].revoked_at.is_some());
}

#[test]
fn verify_exposed_asks_apple_about_exposed_credentials_revoked_ones_included() {
    let t = team();
    let server = asc_standin::Standin::start();
    let verify = |args: &[&str]| {
        as_alice(&t, &["verify", "--exposed"])
            .args(args)
            .env("ASCVAULT_API_BASE", server.url())
            .env("ASCVAULT_CONTENT_DELIVERY_BASE", server.url())
            .env("ASCVAULT_RETRY_BASE_MS", "5")
            .run()
    };
    add_pw(&t, "good", asc_standin::VALID_APP_PASSWORD);
    add_pw(&t, "old", asc_standin::REVOKED_APP_PASSWORD);
    add_pw(&t, "unexposed", "aaaa-bbbb-cccc-dddd");
    alice(&t, &["revoke", "unexposed", "--yes"]);
    add_bob(&t);
    alice(&t, &["member", "remove", "bob"]);

    // Apple still takes "good": not closed. "old" is rejected, and marked.
    verify(&["--mark-revoked"])
        .fails(ExitStatus::Failure)
        .stderr_has("Apple still accepts 1 of 2 exposed credential(s): good")
        .stderr_has(PASSWORDS_PAGE)
        .stdout_has("marked revoked");
    let doc = document(&t);
    assert!(
        doc.entries
            .iter()
            .find(|e| e.label == "old")
            .unwrap()
            .revoked
    );
    // Recording it revoked here does not make it so at Apple.
    alice(&t, &["revoke", "good", "--yes"]);
    verify(&[])
        .fails(ExitStatus::Failure)
        .stderr_has("good (recorded revoked here)");
    assert!(check_findings(&t).is_empty());
    // Once removed (revoked), only "old" is left to ask about: closed.
    alice(&t, &["remove", "good", "--yes"]);
    verify(&[])
        .success()
        .stderr_has("Apple accepts none of the 1 exposed credential(s)");
}

/// Regression: a `remove` confirmed at the terminal deleted the entry
/// without keeping its tombstone (only `--yes` went through
/// `Document::remove`), so offboarding could not list it. `revoke` on the
/// tombstone asks too.
#[test]
fn a_remove_confirmed_at_the_terminal_keeps_the_tombstone_and_revoke_asks_about_it() {
    use crate::support::pty::{ascvault, exit_status, spawn};
    let t = team();
    add_pw(&t, "gone", "aaaa-bbbb-cccc-dddd");
    let run = |args: &[&str], question: &str| {
        let mut p = spawn({
            let mut c = ascvault(t.dir.path(), &t.vault());
            c.arg("--member")
                .arg("alice")
                .arg("--passphrase-file")
                .arg(t.path("alice.pass"))
                .args(args);
            c
        });
        p.exp_string(question).unwrap();
        p.send_line("y").unwrap();
        let rest = p.exp_eof().unwrap();
        assert_eq!(exit_status(&mut p), ExitStatus::Success, "{rest}");
        rest
    };
    run(&["remove", "gone"], "Delete gone for good? [y/N]");
    let doc = document(&t);
    assert_eq!(doc.removed.len(), 1, "the tombstone is kept");
    assert!(!doc.removed[0].revoked);
    let rest = run(
        &["revoke", "gone"],
        "Record gone (removed from the vault) as revoked? [y/N]",
    );
    // (The pty reads bytes as Latin-1: compare the ASCII part.)
    assert!(
        rest.contains("revoked gone") && rest.contains("Sign-In and Security"),
        "{rest}"
    );
    assert!(document(&t).removed[0].revoked);
}
