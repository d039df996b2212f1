//! `ascvault git setup`: idempotent, cachetextconv off, customised
//! drivers kept, paths from the repository root, and a clear error outside
//! a repository.

use std::fs;

use crate::support::ExitStatus;
use crate::support::git::{Git, git_available};

#[test]
fn git_setup_is_idempotent_and_turns_cachetextconv_off() {
    if !git_available() {
        return;
    }
    let g = Git::new();
    let repo = g.repo("r");
    g.git(&repo, &["config", "diff.ascvault.cachetextconv", "true"]);
    fs::write(repo.join(".gitattributes"), "*.txt text").unwrap();
    g.git(&repo, &["commit", "-q", "--allow-empty", "-m", "start"]);
    g.git(
        &repo,
        &["update-ref", "refs/notes/textconv/ascvault", "HEAD"],
    );
    g.av(&repo, &["git", "setup"])
        .run()
        .success()
        .stderr_has("removed diff.ascvault.cachetextconv")
        .stderr_has("deleted the textconv cache");
    assert_eq!(g.git(&repo, &["for-each-ref", "refs/notes/"]), "");
    let attributes = fs::read_to_string(repo.join(".gitattributes")).unwrap();
    assert_eq!(
        attributes,
        "*.txt text\n/ascvault.age diff=ascvault merge=ascvault\n"
    );
    assert_eq!(
        fs::read_to_string(repo.join(".gitignore")).unwrap(),
        "/ascvault.age.lock\n/.ascvault.age.*.tmp\n/ascvault.archive.sqlite*\n"
    );
    assert_eq!(
        g.git(&repo, &["config", "diff.ascvault.textconv"]).trim(),
        "ascvault textconv"
    );
    assert_eq!(
        g.git(&repo, &["config", "merge.ascvault.driver"]).trim(),
        "ascvault merge %O %A %B %P"
    );
    let out = g.git_out(&repo, &["config", "diff.ascvault.cachetextconv"], true);
    assert!(!out.status.success(), "cachetextconv still set");

    let snapshot = |_: ()| {
        [".gitattributes", ".gitignore", ".git/config"].map(|f| fs::read(repo.join(f)).unwrap())
    };
    let before = snapshot(());
    g.av(&repo, &["git", "setup"])
        .run()
        .success()
        .stderr_has("nothing changed");
    assert_eq!(snapshot(()), before);

    // A customized ascvault textconv (say, with --passphrase-file) is kept;
    // a foreign one is replaced.
    let custom = "/opt/bin/ascvault --passphrase-file /secure/pass textconv";
    g.git(&repo, &["config", "diff.ascvault.textconv", custom]);
    g.git(&repo, &["config", "merge.ascvault.driver", "cat %A"]);
    g.av(&repo, &["git", "setup"])
        .run()
        .success()
        .stderr_has("set merge.ascvault.driver");
    assert_eq!(
        g.git(&repo, &["config", "diff.ascvault.textconv"]).trim(),
        custom
    );
    assert_eq!(
        g.git(&repo, &["config", "merge.ascvault.driver"]).trim(),
        "ascvault merge %O %A %B %P"
    );

    // A globally enabled cachetextconv is overridden locally.
    fs::write(
        g.path(".gitconfig"),
        "[diff \"ascvault\"]\n\tcachetextconv = true\n",
    )
    .unwrap();
    g.av(&repo, &["git", "setup"]).run().success();
    assert_eq!(
        g.git(
            &repo,
            &["config", "--type=bool", "diff.ascvault.cachetextconv"]
        )
        .trim(),
        "false"
    );
    let before = snapshot(());
    g.av(&repo, &["git", "setup"]).run().success();
    assert_eq!(snapshot(()), before);
}

#[test]
fn git_setup_from_a_subdirectory_writes_paths_from_the_root() {
    if !git_available() {
        return;
    }
    let g = Git::new();
    let repo = g.path("r");
    g.git(g.root.path(), &["init", "-q", "-b", "main", "r"]);
    fs::create_dir_all(repo.join("secrets/ci")).unwrap();
    let sub = repo.join("secrets");
    g.av(&sub, &["--vault", "ci/team.age", "git", "setup"])
        .run()
        .success();
    assert_eq!(
        fs::read_to_string(repo.join(".gitattributes")).unwrap(),
        "/secrets/ci/team.age diff=ascvault merge=ascvault\n"
    );
    assert_eq!(
        fs::read_to_string(repo.join(".gitignore")).unwrap(),
        "/secrets/ci/team.age.lock\n/secrets/ci/.team.age.*.tmp\n/secrets/ci/team.archive.sqlite*\n"
    );
    g.av(&repo, &["--vault", "secrets/ci/team.age", "git", "setup"])
        .run()
        .success()
        .stderr_has("nothing changed");
    g.av(&repo, &["--vault", "secrets/my vault.age", "git", "setup"])
        .run()
        .fails(ExitStatus::Failure)
        .stderr_has("cannot be written safely");
}

#[test]
fn git_setup_outside_a_repository_is_a_clear_error() {
    if !git_available() {
        return;
    }
    let g = Git::new();
    let dir = g.path("plain");
    fs::create_dir(&dir).unwrap();
    g.av(&dir, &["git", "setup"])
        .env("GIT_CEILING_DIRECTORIES", g.root.path())
        .run()
        .fails(ExitStatus::Failure)
        .stderr_has("not inside a git work tree");
}
