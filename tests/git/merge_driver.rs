//! The merge driver under `git pull`: two clones edit the vault and every
//! change merges; vaults added on two branches merge over an empty base; a
//! genuine conflict or a changed passphrase stops the merge clearly and
//! leaves ours unchanged.

use std::fs;
use std::path::Path;

use crate::support::git::{Git, PW1, PW2, PW4, git_available};
use crate::support::{TEST_WORK_FACTOR, fixtures};

#[test]
fn two_clones_edit_the_vault_and_git_pull_merges_every_change() {
    if !git_available() {
        eprintln!("skipped: git is not installed");
        return;
    }
    let g = Git::new();
    let a = g.origin_and_first_clone();
    let b = g.clone("b");

    // Machine a: an add, a revoke, a relabel.
    g.add_password(&a, "p4", PW4);
    g.av(&a, &["revoke", "p1", "--yes"]).run().success();
    g.av(&a, &["relabel", "p2", "p2-renamed"]).run().success();
    g.git(
        &a,
        &["commit", "-q", "-am", "a: add p4, revoke p1, relabel p2"],
    );
    g.git(&a, &["push", "-q"]);

    // Machine b: another add (a key), a removal, a note on the entry a relabelled.
    g.av(
        &b,
        &[
            "add",
            "api-key",
            "k1",
            "--key-id",
            "TESTKEY001",
            "--private-key",
            fixtures()
                .join("keys/AuthKey_TESTKEY001.p8")
                .to_str()
                .unwrap(),
        ],
    )
    .run()
    .success();
    g.av(&b, &["remove", "p3", "--yes"]).run().success();
    g.av(&b, &["note", "p2", "used by CI"]).run().success();
    g.git(
        &b,
        &["commit", "-q", "-am", "b: add k1, remove p3, note p2"],
    );

    let (merged, stderr) = g.pull(&b);
    assert!(merged, "pull failed:\n{stderr}");
    assert!(
        stderr.contains("ascvault: merged ascvault.age: 4 entries"),
        "the merge driver did not run: {stderr}"
    );
    assert_eq!(g.git(&b, &["status", "--porcelain"]), "");
    let parents = g.git(&b, &["log", "-1", "--format=%P"]);
    assert_eq!(parents.split_whitespace().count(), 2, "not a merge commit");

    let check = |dir: &Path| {
        let v = g
            .av(dir, &["list", "--all", "--json"])
            .run()
            .success()
            .json();
        let rows = v.as_array().unwrap();
        let find = |label: &str| rows.iter().find(|r| r["label"] == label);
        assert_eq!(rows.len(), 4, "{v:#}");
        assert_eq!(find("p1").unwrap()["revoked"], true);
        assert_eq!(find("p2-renamed").unwrap()["note"], "used by CI");
        assert!(find("p2").is_none() && find("p3").is_none());
        assert!(find("p4").is_some() && find("k1").is_some());
        g.av(dir, &["show", "p4", "--reveal"])
            .run()
            .success()
            .stdout_has(PW4);
    };
    check(&b);

    // And back: a pulls b's merge (a fast-forward) and sees the same.
    g.git(&b, &["push", "-q"]);
    g.git(&a, &["pull", "-q", "--no-rebase"]);
    check(&a);
}

#[test]
fn vaults_added_on_two_branches_merge_over_an_empty_base() {
    if !git_available() {
        return;
    }
    let g = Git::new();
    let repo = g.repo("r");
    g.av(&repo, &["git", "setup"]).run().success();
    g.git(&repo, &["add", "-A"]);
    g.git(&repo, &["commit", "-q", "-m", "setup"]);
    g.git(&repo, &["checkout", "-q", "-b", "other"]);
    g.av(&repo, &["init", "--work-factor", TEST_WORK_FACTOR])
        .run()
        .success();
    g.add_password(&repo, "from-other", PW1);
    g.git(&repo, &["add", "ascvault.age"]);
    g.git(&repo, &["commit", "-q", "-m", "other"]);
    g.git(&repo, &["checkout", "-q", "main"]);
    g.av(&repo, &["init", "--work-factor", TEST_WORK_FACTOR])
        .run()
        .success();
    g.add_password(&repo, "from-main", PW2);
    g.git(&repo, &["add", "ascvault.age"]);
    g.git(&repo, &["commit", "-q", "-m", "main"]);
    g.git(&repo, &["merge", "-q", "--no-edit", "other"]);
    let v = g.av(&repo, &["list", "--json"]).run().success().json();
    let labels: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["from-main", "from-other"]);
}

/// Notes p1 on clone `b`, commits, and pulls, which must stop: `b`'s vault
/// before the pull, and what the pull said.
#[track_caller]
fn note_and_pull_stops(g: &Git, b: &Path) -> (Vec<u8>, String) {
    g.av(b, &["note", "p1", "from b"]).run().success();
    g.git(b, &["commit", "-q", "-am", "b: note"]);
    let ours = fs::read(b.join("ascvault.age")).unwrap();
    let (merged, stderr) = g.pull(b);
    assert!(!merged, "the pull should stop: {stderr}");
    (ours, stderr)
}

#[test]
fn a_genuine_conflict_stops_the_merge_and_leaves_ours_unchanged() {
    if !git_available() {
        return;
    }
    let g = Git::new();
    let a = g.origin_and_first_clone();
    let b = g.clone("b");
    g.av(&a, &["note", "p1", "from a"]).run().success();
    g.git(&a, &["commit", "-q", "-am", "a: note"]);
    g.git(&a, &["push", "-q"]);
    let (ours, stderr) = note_and_pull_stops(&g, &b);
    assert!(
        stderr.contains("conflict: entry \"p1\"") && stderr.contains("note changed differently"),
        "{stderr}"
    );
    assert!(stderr.contains("cannot merge ascvault.age"), "{stderr}");
    assert!(
        !stderr.contains("from a") && !stderr.contains(PW1),
        "{stderr}"
    );
    assert_eq!(fs::read(b.join("ascvault.age")).unwrap(), ours);
    assert!(
        g.git(&b, &["status", "--porcelain"])
            .contains("UU ascvault.age")
    );
}

#[test]
fn a_passphrase_changed_on_one_branch_is_a_clear_merge_error() {
    if !git_available() {
        return;
    }
    let g = Git::new();
    let a = g.origin_and_first_clone();
    let b = g.clone("b");
    fs::write(g.path("new-pass"), "another passphrase\n").unwrap();
    g.av(
        &a,
        &[
            "passwd",
            "--new-passphrase-file",
            g.path("new-pass").to_str().unwrap(),
        ],
    )
    .run()
    .success();
    g.git(&a, &["commit", "-q", "-am", "a: passwd"]);
    g.git(&a, &["push", "-q"]);
    let (ours, stderr) = note_and_pull_stops(&g, &b);
    assert!(
        stderr.contains("does not open with the passphrase that opens our version"),
        "{stderr}"
    );
    assert!(stderr.contains("ascvault passwd"), "{stderr}");
    assert_eq!(fs::read(b.join("ascvault.age")).unwrap(), ours);
}
