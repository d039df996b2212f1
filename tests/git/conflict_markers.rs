//! A clone where `git setup` was never run merges the vault as text: git
//! leaves conflict markers inside the armor. Every command that opens the
//! vault says so, and what to do, with exit 3 (issue 13 §5).

use crate::support::ExitStatus;
use crate::support::git::{Git, PW4, PW5, git_available};

#[test]
fn a_text_merged_vault_is_named_as_such_wherever_it_is_opened() {
    if !git_available() {
        return;
    }
    let g = Git::new();
    let a = g.origin_and_first_clone();
    // b is cloned without `git setup`: no merge driver in its config.
    let b = g.clone_without_setup("b");
    g.add_password(&a, "p4", PW4);
    g.git(&a, &["commit", "-q", "-am", "p4"]);
    g.git(&a, &["push", "-q"]);
    g.add_password(&b, "p5", PW5);
    g.git(&b, &["commit", "-q", "-am", "p5"]);
    let (merged, _) = g.pull(&b);
    assert!(!merged, "the text merge should conflict");
    let text = std::fs::read_to_string(b.join("ascvault.age")).unwrap();
    assert!(text.contains("<<<<<<<"), "{text}");

    for args in [&["list"][..], &["show", "p1"], &["check"]] {
        g.av(&b, args)
            .run()
            .fails(ExitStatus::Unlock)
            .stderr_has("git conflict markers")
            .stderr_has("git merge --abort")
            .stderr_has("ascvault git setup");
    }
    let side = b.join("ascvault.age");
    g.av(&b, &["textconv", side.to_str().unwrap()])
        .run()
        .success()
        .stdout_has("git conflict markers");

    // The advice works: abort, set up, pull again.
    g.git(&b, &["merge", "--abort"]);
    g.av(&b, &["git", "setup"]).run().success();
    let (merged, err) = g.pull(&b);
    assert!(merged, "{err}");
    g.av(&b, &["list"])
        .run()
        .success()
        .stdout_has("p4")
        .stdout_has("p5");
}
