//! `ascvault check`: findings from the file and from git, and `--online`
//! asking Apple about each active entry.

use std::fs;

use crate::support::git::{Git, PW1, git_available};
use crate::support::standin::closed_port;
use crate::support::{Env, ExitStatus, TEST_WORK_FACTOR};

#[test]
fn check_reports_findings_from_the_file_and_from_git() {
    if !git_available() {
        return;
    }
    let g = Git::new();
    let repo = g.repo("r");
    g.av(&repo, &["init", "--work-factor", TEST_WORK_FACTOR])
        .run()
        .success();
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
