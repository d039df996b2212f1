//! `git setup` installs post-checkout, post-merge and post-rewrite hooks
//! that put the vault back to 0600 after git rewrites it with the umask:
//! chained with a hook already there, idempotent, in `core.hooksPath`
//! (issue 13 §5).

#![cfg(unix)]

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use crate::support::git::{Git, PW4, PW5, git_available};

fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn after_a_pull_or_a_checkout_the_vault_is_private_again() {
    if !git_available() {
        return;
    }
    let g = Git::new();
    let a = g.origin_and_first_clone();
    let b = g.clone_without_setup("b");
    // A hook of the user's own, which must keep running.
    let own = b.join(".git/hooks/post-merge");
    fs::write(
        &own,
        "#!/bin/sh\necho merged >> \"$(git rev-parse --git-dir)/own-hook-ran\"\n",
    )
    .unwrap();
    fs::set_permissions(&own, fs::Permissions::from_mode(0o755)).unwrap();
    g.av(&b, &["git", "setup"])
        .run()
        .success()
        .stderr_has("installed the post-checkout hook")
        .stderr_has("post-merge.pre-ascvault");
    let hooks: Vec<_> = ["post-checkout", "post-merge", "post-rewrite"]
        .iter()
        .map(|h| fs::read(b.join(".git/hooks").join(h)).unwrap())
        .collect();
    g.av(&b, &["git", "setup"])
        .run()
        .success()
        .stderr_has("nothing changed");
    for (h, before) in ["post-checkout", "post-merge", "post-rewrite"]
        .iter()
        .zip(&hooks)
    {
        assert_eq!(
            &fs::read(b.join(".git/hooks").join(h)).unwrap(),
            before,
            "{h}"
        );
    }

    let vault = b.join("ascvault.age");
    g.add_password(&a, "p4", PW4);
    g.git(&a, &["commit", "-q", "-am", "p4"]);
    g.git(&a, &["push", "-q"]);
    fs::set_permissions(&vault, fs::Permissions::from_mode(0o644)).unwrap();
    let (pulled, err) = g.pull(&b);
    assert!(pulled, "{err}");
    assert_eq!(mode(&vault), 0o600, "after a fast-forward pull");
    assert_eq!(
        fs::read_to_string(b.join(".git/own-hook-ran")).unwrap(),
        "merged\n"
    );

    // A merge through the driver, then a checkout of an older commit.
    g.add_password(&a, "p5", PW5);
    g.git(&a, &["commit", "-q", "-am", "p5"]);
    g.git(&a, &["push", "-q"]);
    g.add_password(&b, "p6", PW5.replace("mnop", "zzzz").as_str());
    g.git(&b, &["commit", "-q", "-am", "p6"]);
    let (pulled, err) = g.pull(&b);
    assert!(pulled, "{err}");
    assert_eq!(mode(&vault), 0o600, "after a merge");
    g.git(&b, &["checkout", "-q", "HEAD~2"]);
    assert_eq!(mode(&vault), 0o600, "after a checkout");
}

#[test]
fn hooks_go_where_core_hooks_path_says() {
    if !git_available() {
        return;
    }
    let g = Git::new();
    let repo = g.repo("r");
    g.git(&repo, &["config", "core.hooksPath", ".githooks"]);
    g.av(&repo, &["git", "setup"]).run().success();
    let hook = repo.join(".githooks/post-checkout");
    assert_eq!(mode(&hook) & 0o111, 0o111, "executable");
    assert!(!repo.join(".git/hooks/post-checkout").exists());
    let text = fs::read_to_string(&hook).unwrap();
    assert!(text.contains("chmod 600 'ascvault.age'"), "{text}");
    // No passphrase, and no failure when ascvault is not installed: the
    // hook never runs it.
    assert!(
        text.lines()
            .filter(|l| !l.starts_with('#'))
            .all(|l| !l.contains("ascvault ")),
        "{text}"
    );
}
