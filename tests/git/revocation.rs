//! Issue 11, findings 8 and 10 with real git: a merge never brings a
//! revoked credential back — not when the other branch re-added its secret
//! under a new id, not when a side restored an older version of the vault —
//! and says on stderr what it kept revoked (spec/MERGE.md §1.4, §1.4.1).

use crate::support::ExitStatus;
use crate::support::git::{Git, PW1, git_available};

/// (label, revoked) of every entry in a clone.
fn entries(g: &Git, dir: &std::path::Path) -> Vec<(String, bool)> {
    let v = g
        .av(dir, &["list", "--all", "--json"])
        .run()
        .success()
        .json();
    v.as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["label"].as_str().unwrap().to_owned(),
                e["revoked"].as_bool().unwrap(),
            )
        })
        .collect()
}

#[test]
fn a_merge_does_not_undo_a_revocation_by_re_adding_the_secret() {
    if !git_available() {
        eprintln!("skipped: git is not installed");
        return;
    }
    let g = Git::new();
    let a = g.origin_and_first_clone();
    let b = g.clone("b");
    // a revokes p1.
    g.av(&a, &["revoke", "p1", "--yes"]).run().success();
    g.git(&a, &["commit", "-q", "-am", "a: revoke p1"]);
    g.git(&a, &["push", "-q"]);
    // b removes p1 and adds it again: a new id, the same password.
    g.av(&b, &["remove", "p1", "--yes"]).run().success();
    g.add_password(&b, "p1", PW1);
    g.git(&b, &["commit", "-q", "-am", "b: p1 again"]);

    let (merged, stderr) = g.pull(&b);
    assert!(merged, "the merge should succeed: {stderr}");
    assert!(
        stderr.contains("ascvault: entry \"p1\" (id ")
            && stderr.contains("holds the secret of \"p1\"")
            && stderr.contains("revoked on their side on 20")
            && stderr.contains("it is revoked in the result"),
        "{stderr}"
    );
    assert!(!stderr.contains(PW1), "{stderr}");
    assert_eq!(g.git(&b, &["status", "--porcelain"]), "");
    let found = entries(&g, &b);
    assert!(found.contains(&("p1".to_owned(), true)), "{found:?}");
    assert!(!found.contains(&("p1".to_owned(), false)), "{found:?}");
    g.av(&b, &["run", "p1", "--", "true"])
        .run()
        .fails(ExitStatus::Revoked);
}

#[test]
fn a_merge_keeps_revoked_what_a_restored_older_version_shows_active() {
    if !git_available() {
        return;
    }
    let g = Git::new();
    let a = g.origin_and_first_clone();
    let b = g.clone("b");
    // a revokes p1; b pulls it (a fast-forward): the common ancestor of
    // what follows has p1 revoked.
    g.av(&a, &["revoke", "p1", "--yes"]).run().success();
    g.git(&a, &["commit", "-q", "-am", "a: revoke p1"]);
    g.git(&a, &["push", "-q"]);
    g.git(&b, &["pull", "-q", "--no-rebase"]);
    // a restores the version before the revocation (no passphrase needed)
    // and pushes it.
    g.git(&a, &["checkout", "-q", "HEAD~1", "--", "ascvault.age"]);
    g.git(&a, &["commit", "-q", "-am", "a: restore an older vault"]);
    g.git(&a, &["push", "-q"]);
    // b, meanwhile, also rolled back (say, by the same restore) and edits.
    g.git(&b, &["checkout", "-q", "HEAD~1", "--", "ascvault.age"]);
    g.av(&b, &["note", "p2", "from b"]).run().success();
    g.git(&b, &["commit", "-q", "-am", "b: restore and note"]);

    let (merged, stderr) = g.pull(&b);
    assert!(merged, "the merge should succeed: {stderr}");
    for side in ["our", "their"] {
        assert!(
            stderr.contains("entry \"p1\" (id ")
                && stderr.contains(&format!("but active again on {side} side")),
            "{stderr}"
        );
    }
    assert!(stderr.contains("it stays revoked"), "{stderr}");
    let found = entries(&g, &b);
    assert!(found.contains(&("p1".to_owned(), true)), "{found:?}");
    g.av(&b, &["run", "p1", "--", "true"])
        .run()
        .fails(ExitStatus::Revoked);
}
