//! `init` says what is wrong with the path before it asks for anything,
//! and inside a git work tree that `git setup` has not prepared, says to
//! run it (the lock file beside the vault would be committed otherwise).

use crate::support::git::{Git, git_available};
use crate::support::{Env, ExitStatus, TEST_WORK_FACTOR};

#[test]
fn init_on_a_directory_says_it_is_a_directory() {
    let t = Env::new();
    let dir = t.path("secrets");
    std::fs::create_dir(&dir).unwrap();
    // No passphrase source: the path is judged before anything is asked.
    let out = t
        .bare(&["init"])
        .env("ASCVAULT_VAULT", &dir)
        .run()
        .fails(ExitStatus::Failure)
        .stderr_has("is a directory, not a vault file")
        .stderr_has("pass --vault ");
    assert!(
        out.stderr()
            .contains(&format!("{}", dir.join("ascvault.age").display())),
        "{}",
        out.stderr()
    );
    assert!(!out.stderr().contains("already exists"), "{}", out.stderr());
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
}

#[test]
fn init_in_a_missing_folder_names_the_folder() {
    let t = Env::new();
    let vault = t.path("missing/ascvault.age");
    let out = t
        .bare(&["init"])
        .env("ASCVAULT_VAULT", &vault)
        .run()
        .fails(ExitStatus::Failure)
        .stderr_has(&format!(
            "there is no folder {}",
            t.path("missing").display()
        ))
        .stderr_has("mkdir -p");
    assert!(!out.stderr().contains("lock"), "{}", out.stderr());
    // A file where the folder should be: the same words.
    std::fs::write(t.path("missing"), "").unwrap();
    t.bare(&["init"])
        .env("ASCVAULT_VAULT", &vault)
        .run()
        .fails(ExitStatus::Failure)
        .stderr_has("there is no folder");
}

#[test]
fn init_on_an_existing_file_still_says_it_exists() {
    let t = Env::new();
    t.init();
    t.bare(&["init"])
        .run()
        .fails(ExitStatus::Failure)
        .stderr_has("already exists");
}

/// Issue 13 §6: `ascvault.age.lock` beside a vault in a git work tree
/// before `git setup` was easy to commit by accident.
#[test]
fn init_in_a_git_work_tree_without_setup_says_to_run_git_setup() {
    if !git_available() {
        return;
    }
    let g = Git::new();
    let repo = g.repo("r");
    let out = g
        .av(&repo, &["init", "--work-factor", TEST_WORK_FACTOR])
        .run()
        .success()
        .stderr_has("run `ascvault git setup` before the first commit")
        .stderr_has("ascvault.age.lock");
    assert!(!out.stderr().contains("error"), "{}", out.stderr());
    // What the note prevents: before setup `git add -A` takes the lock.
    g.git(&repo, &["add", "-A"]);
    let staged = g.git(&repo, &["diff", "--cached", "--name-only"]);
    assert!(staged.contains("ascvault.age.lock"), "{staged}");
    g.git(&repo, &["reset", "-q"]);
    g.av(&repo, &["git", "setup"]).run().success();
    g.git(&repo, &["add", "-A"]);
    let staged = g.git(&repo, &["diff", "--cached", "--name-only"]);
    assert!(!staged.contains(".lock"), "{staged}");

    // Set up first: no note.
    let repo = g.repo("s");
    g.av(&repo, &["git", "setup"]).run().success();
    let out = g
        .av(&repo, &["init", "--work-factor", TEST_WORK_FACTOR])
        .run()
        .success();
    assert!(!out.stderr().contains("git setup"), "{}", out.stderr());

    // Outside git: no note either.
    let t = Env::new();
    let out = t
        .cmd(&["init", "--work-factor", TEST_WORK_FACTOR])
        .run()
        .success();
    assert!(!out.stderr().contains("git"), "{}", out.stderr());
}
