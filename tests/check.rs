//! `ascvault check`: findings from the file and from git, and `--online`
//! asking Apple about each active entry.

use std::fs;

use crate::support::git::{Git, PW1, PW2, git_available};
use crate::support::standin::closed_port;
use crate::support::{Env, ExitStatus};

#[test]
fn check_reports_findings_from_the_file_and_from_git() {
    if !git_available() {
        return;
    }
    let g = Git::new();
    let repo = g.vault_repo("r");
    g.add_password(&repo, "one", PW1);
    g.add_password(&repo, "two", PW1);
    g.git(&repo, &["add", "ascvault.age"]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(repo.join("ascvault.age"), fs::Permissions::from_mode(0o644)).unwrap();
    }
    // Exit 1: problems found.
    let out = g
        .av(&repo, &["check", "--json"])
        .run()
        .exits(ExitStatus::Failure);
    let v = out.json();
    assert_eq!(v["clean"], false);
    let found: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["check"].as_str().unwrap())
        .collect();
    let mut expected = vec!["duplicate-secret", "weak-work-factor"];
    if cfg!(unix) {
        expected.push("file-permissions");
    }
    expected.push("git-attributes");
    assert_eq!(found, expected);
    assert!(!out.stdout().contains(PW1));

    g.av(&repo, &["git", "setup"]).run().success();
    let out = g.av(&repo, &["check"]).run().exits(ExitStatus::Failure);
    assert!(!out.stdout().contains("git-attributes"), "{}", out.stdout());
    let text = out.stdout();
    assert!(
        text.contains("duplicate-secret: one secret is stored in ")
            && text.contains("\"one\"")
            && text.contains("\"two\""),
        "{text}"
    );
    assert!(out.stdout().contains("fix: "));
}

#[test]
fn check_online_reports_what_apple_rejects() {
    let t = Env::new();
    t.init()
        .add_key("asc", asc_standin::TEST_KEY_ID)
        .add_password(
            "good",
            asc_standin::TEST_APPLE_ID,
            asc_standin::VALID_APP_PASSWORD,
        )
        .add_password(
            "old",
            asc_standin::TEST_APPLE_ID,
            asc_standin::REVOKED_APP_PASSWORD,
        );
    let server = asc_standin::Standin::start();
    let online = |port_base: &str| {
        t.cmd(&["check", "--online", "--json"])
            .env("ASCVAULT_API_BASE", server.url())
            .env("ASCVAULT_CONTENT_DELIVERY_BASE", port_base)
            .env("ASCVAULT_RETRY_BASE_MS", "5")
            .run()
    };
    let findings = |out: &crate::support::Outcome| -> Vec<(String, Vec<String>)> {
        out.json()["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["check"].as_str().unwrap().to_owned(),
                    f["labels"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|l| l.as_str().unwrap().to_owned())
                        .collect(),
                )
            })
            .collect()
    };
    let out = online(&server.url()).exits(ExitStatus::Failure);
    let found = findings(&out);
    assert!(
        found.contains(&("rejected-by-apple".into(), vec!["old".into()])),
        "{found:?}"
    );
    assert!(
        !found
            .iter()
            .any(|(_, l)| l.contains(&"good".to_owned()) || l.contains(&"asc".to_owned())),
        "{found:?}"
    );
    assert!(out.stdout().contains("-20101"), "{}", out.stdout());
    assert!(server.requests_to("/v1/apps").len() == 1);
    // Nothing answering: each password is "not-verified", the key still valid.
    let port = closed_port();
    let out = online(&format!("http://127.0.0.1:{port}")).exits(ExitStatus::Failure);
    let found = findings(&out);
    assert!(
        found.contains(&("not-verified".into(), vec!["good".into()])),
        "{found:?}"
    );
    assert!(
        found.contains(&("not-verified".into(), vec!["old".into()])),
        "{found:?}"
    );
    // Revoked entries are not asked about.
    t.cmd(&["revoke", "old", "--yes"]).run().success();
    let out = online(&server.url());
    assert!(!findings(&out).iter().any(|(c, _)| c == "rejected-by-apple"));
}

#[test]
fn check_online_never_advises_revoking_a_key_apple_did_not_accept() {
    // Issue 12: an issuer id one character off gets the same 401 as a
    // revoked key, so `check --online` names it `not-accepted-by-apple`
    // and advises comparing the ids, never `--mark-revoked`.
    let t = Env::new();
    t.init();
    let p8 = crate::support::fixtures().join("keys/AuthKey_TESTKEY001.p8");
    let mut issuer = asc_standin::TEST_ISSUER_ID.to_owned();
    issuer.replace_range(0..1, "6");
    t.cmd(&[
        "add",
        "api-key",
        "typo",
        "--key-id",
        asc_standin::TEST_KEY_ID,
        "--issuer-id",
        &issuer,
        "--private-key",
        p8.to_str().unwrap(),
    ])
    .run()
    .success();
    let server = asc_standin::Standin::start();
    let out = t
        .cmd(&["check", "--online", "--json"])
        .env("ASCVAULT_API_BASE", server.url())
        .env("ASCVAULT_CONTENT_DELIVERY_BASE", server.url())
        .env("ASCVAULT_RETRY_BASE_MS", "5")
        .run()
        .exits(ExitStatus::Failure);
    let v = out.json();
    let finding = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["labels"][0] == "typo")
        .unwrap_or_else(|| panic!("no finding for typo: {v}"));
    assert_eq!(finding["check"], "not-accepted-by-apple", "{v}");
    let advice = finding["advice"].as_str().unwrap();
    assert!(advice.contains("issuer id"), "{advice}");
    assert!(!advice.contains("mark-revoked"), "{advice}");
}

/// Issue 11, finding 10: a vault restored to an older version (no
/// passphrase needed) undoes a revocation; one file cannot tell, but its
/// git history can: `check` reports `revocation-undone`, by id and by secret.
#[test]
fn check_notices_a_revocation_undone_in_git_history() {
    if !git_available() {
        return;
    }
    let g = Git::new();
    let repo = g.vault_repo("r");
    g.add_password(&repo, "one", PW1);
    g.add_password(&repo, "two", PW2);
    g.av(&repo, &["git", "setup"]).run().success();
    g.git(&repo, &["add", "-A"]);
    g.git(&repo, &["commit", "-q", "-m", "vault"]);
    g.av(&repo, &["revoke", "one", "--yes"]).run().success();
    g.git(&repo, &["commit", "-q", "-am", "revoke one"]);
    let revoked_at = g.git(&repo, &["rev-parse", "HEAD"]);
    let findings = |g: &Git| -> Vec<(String, Vec<String>, String)> {
        g.av(&repo, &["check", "--json"]).run().json()["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["check"] == "revocation-undone")
            .map(|f| {
                (
                    f["check"].as_str().unwrap().to_owned(),
                    f["labels"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|l| l.as_str().unwrap().to_owned())
                        .collect(),
                    f["message"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    assert!(findings(&g).is_empty());

    // Someone restores the version before the revocation.
    g.git(&repo, &["checkout", "-q", "HEAD~1", "--", "ascvault.age"]);
    g.git(&repo, &["commit", "-q", "-am", "restore"]);
    let found = findings(&g);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].1, ["one"]);
    assert!(
        found[0]
            .2
            .contains(&format!("commit {} shows it revoked", &revoked_at[..12])),
        "{found:?}"
    );
    g.av(&repo, &["check"])
        .run()
        .exits(ExitStatus::Failure)
        .stdout_has("revocation-undone: \"one\" is active");
    // The history check can be turned off.
    let off = g
        .av(&repo, &["check", "--json"])
        .env("ASCVAULT_CHECK_HISTORY", "0")
        .run();
    assert!(
        !off.stdout().contains("revocation-undone"),
        "{}",
        off.stdout()
    );

    // Revoked again, removed, and its password added back under a new id.
    g.av(&repo, &["revoke", "one", "--yes"]).run().success();
    g.git(&repo, &["commit", "-q", "-am", "revoke one again"]);
    g.av(&repo, &["remove", "one", "--yes"]).run().success();
    g.add_password(&repo, "one-again", PW1);
    g.git(&repo, &["commit", "-q", "-am", "one again"]);
    let found = findings(&g);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].1, ["one-again"]);
    assert!(
        found[0].2.contains("holds the secret of \"one\""),
        "{found:?}"
    );
}

/// A conflict resolved by taking their file whole (the merge driver not set
/// up) drops our revocation; `check` still finds it on our side's history.
#[test]
fn check_notices_a_revocation_lost_by_taking_their_file_in_a_merge() {
    if !git_available() {
        return;
    }
    let g = Git::new();
    let repo = g.vault_repo("r");
    g.add_password(&repo, "one", PW1);
    g.git(&repo, &["add", "-A"]);
    g.git(&repo, &["commit", "-q", "-m", "vault"]);
    g.git(&repo, &["checkout", "-q", "-b", "other"]);
    g.av(&repo, &["note", "one", "from other"]).run().success();
    g.git(&repo, &["commit", "-q", "-am", "other: note"]);
    g.git(&repo, &["checkout", "-q", "main"]);
    g.av(&repo, &["revoke", "one", "--yes"]).run().success();
    g.git(&repo, &["commit", "-q", "-am", "main: revoke one"]);
    // No merge driver: git's text merge conflicts, and theirs is taken.
    let out = g.git_out(&repo, &["merge", "-q", "other"], true);
    assert!(!out.status.success(), "expected a conflict");
    g.git(&repo, &["checkout", "--theirs", "ascvault.age"]);
    g.git(
        &repo,
        &["commit", "-q", "-am", "merge other, taking theirs"],
    );
    let out = g.av(&repo, &["check", "--json"]).run();
    let v = out.json();
    let undone: Vec<&serde_json::Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["check"] == "revocation-undone")
        .collect();
    assert_eq!(undone.len(), 1, "{v:#}");
    assert_eq!(undone[0]["labels"][0], "one");
}
