//! Team vaults in real git (issue 14): `git setup --member`, textconv
//! showing the member list, the merge driver merging members and
//! re-encrypting to the merged list, and `check` — with two members on two
//! clones, one adding an entry while the other removes a third member.

use std::fs;
use std::path::{Path, PathBuf};

use crate::support::git::{Git, PW1, PW2, git_available};
use crate::support::{Cmd, ExitStatus, TEST_WORK_FACTOR};

const ALICE: &str = "alice's own identity passphrase";
const BOB: &str = "bob's separate identity passphrase";
const CAROL: &str = "carol's unrelated identity passphrase";

/// The passphrase file of a member, in the sandbox (outside every clone).
fn pass_file(g: &Git, member: &str, passphrase: &str) -> PathBuf {
    let path = g.path(&format!("{member}.pass"));
    fs::write(&path, format!("{passphrase}\n")).unwrap();
    path
}

/// ascvault in a clone as `member` (from git config or `--member`), with
/// that member's passphrase in the environment.
fn as_member(g: &Git, dir: &Path, passphrase: &str, args: &[&str]) -> Cmd {
    g.av(dir, args).env("ASCVAULT_PASSPHRASE", passphrase)
}

/// The member whose passphrase is given adds password entry `p2` in `dir`
/// and commits it.
fn add_p2(g: &Git, dir: &Path, passphrase: &str) {
    let args = ["add", "password", "p2", "--apple-id", "dev@example.com"];
    as_member(g, dir, passphrase, &args)
        .arg("--password-stdin")
        .stdin(&format!("{PW2}\n"))
        .run()
        .success();
    g.git(dir, &["commit", "-q", "-am", "p2"]);
}

/// git in a clone with a member's passphrase in the environment (for the
/// merge driver and textconv).
fn git_as(g: &Git, dir: &Path, passphrase: &str, args: &[&str]) -> String {
    let out = g
        .git_cmd(dir, args, false)
        .env("ASCVAULT_PASSPHRASE", passphrase)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// An origin and alice's clone `a`: a team vault of alice, bob and carol
/// (each with an identity file), entry p1, `git setup --member alice`,
/// committed and pushed.
fn team_origin(g: &Git) -> PathBuf {
    let origin = g.path("origin.git");
    g.git(
        g.root.path(),
        &[
            "init",
            "-q",
            "--bare",
            "-b",
            "main",
            origin.to_str().unwrap(),
        ],
    );
    let a = g.repo("a");
    g.git(&a, &["remote", "add", "origin", origin.to_str().unwrap()]);
    let alice = pass_file(g, "alice", ALICE);
    g.av(
        &a,
        &[
            "init",
            "--team",
            "--member",
            "alice",
            "--work-factor",
            TEST_WORK_FACTOR,
        ],
    )
    .arg("--passphrase-file")
    .arg(&alice)
    .run()
    .success();
    for (name, passphrase) in [("bob", BOB), ("carol", CAROL)] {
        let file = pass_file(g, name, passphrase);
        g.av(
            &a,
            &["identity", "new", name, "--work-factor", TEST_WORK_FACTOR],
        )
        .arg("--new-passphrase-file")
        .arg(&file)
        .run()
        .success();
        let identity = format!(".ascvault/identities/{name}.age");
        as_member(g, &a, ALICE, &["--member", "alice", "member", "add", name])
            .args(&["--identity-file", &identity])
            .run()
            .success();
    }
    g.av(&a, &["git", "setup", "--member", "alice"])
        .run()
        .success()
        .stderr_has("set ascvault.member = alice");
    as_member(
        g,
        &a,
        ALICE,
        &[
            "add",
            "password",
            "p1",
            "--apple-id",
            "dev@example.com",
            "--password-stdin",
        ],
    )
    .stdin(&format!("{PW1}\n"))
    .run()
    .success();
    g.git(&a, &["add", "-A"]);
    g.git(&a, &["commit", "-q", "-m", "team vault"]);
    g.git(&a, &["push", "-q", "-u", "origin", "main"]);
    a
}

/// Issue 14: two members on two clones; alice adds an entry while bob
/// removes carol. The merge keeps both, the result is encrypted to alice
/// and bob only: carol's identity no longer opens the new version, but
/// still opens the old one that git history keeps.
#[test]
fn a_member_removed_on_one_clone_and_an_entry_added_on_another_merge_into_both() {
    if !git_available() {
        return;
    }
    let g = Git::new();
    let a = team_origin(&g);
    let b = g.clone_without_setup("b");
    // A fresh clone checks files out with the umask; setup makes the
    // identity files private and records who this clone is.
    g.av(&b, &["git", "setup", "--member", "bob"])
        .run()
        .success()
        .stderr_has("set ascvault.member = bob");
    assert_eq!(g.git(&b, &["config", "ascvault.member"]).trim(), "bob");
    #[cfg(unix)]
    for name in ["alice", "bob", "carol"] {
        assert_eq!(
            mode(&b.join(format!(".ascvault/identities/{name}.age"))),
            0o600,
            "{name}"
        );
    }
    // The hooks keep them so after git writes them with the umask.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let carol = b.join(".ascvault/identities/carol.age");
        fs::set_permissions(&carol, fs::Permissions::from_mode(0o644)).unwrap();
        g.git(&b, &["checkout", "-q", "-b", "elsewhere"]);
        assert_eq!(mode(&carol), 0o600);
        g.git(&b, &["checkout", "-q", "main"]);
    }
    // The identity files are committed, not ignored.
    let tracked = g.git(&b, &["ls-files", ".ascvault/identities"]);
    assert!(
        tracked.contains(".ascvault/identities/carol.age"),
        "{tracked}"
    );

    // alice adds p2 and pushes; bob, meanwhile, removes carol.
    add_p2(&g, &a, ALICE);
    g.git(&a, &["push", "-q"]);
    as_member(&g, &b, BOB, &["member", "remove", "carol"])
        .run()
        .success();
    g.git(&b, &["commit", "-q", "-am", "carol leaves"]);

    // The merge driver opens the three versions with bob's identity.
    let out = git_as(
        &g,
        &b,
        BOB,
        &["pull", "--no-rebase", "--no-edit", "origin", "main"],
    );
    assert!(
        out.contains("is now encrypted to 2 members: alice, bob"),
        "{out}"
    );
    let v = as_member(&g, &b, BOB, &["list", "--json"])
        .run()
        .success()
        .json();
    let labels: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["p1", "p2"]);
    let v = as_member(&g, &b, BOB, &["member", "list", "--json"])
        .run()
        .success()
        .json();
    let names: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["alice", "bob"]);
    let header =
        ascvault::vault::crypto::header(&fs::read(b.join("ascvault.age")).unwrap()).unwrap();
    assert!(
        matches!(header, ascvault::vault::Header::Team(t) if t.recipients == 2),
        "{header:?}"
    );
    #[cfg(unix)]
    assert_eq!(mode(&b.join("ascvault.age")), 0o600);

    // carol's identity no longer opens the merged version ...
    g.av(&b, &["--member", "carol", "list"])
        .env("ASCVAULT_PASSPHRASE", CAROL)
        .run()
        .fails(ExitStatus::Unlock)
        .stderr_has("not a member of the vault");
    // ... but opens alice's version, which git history keeps, p2 and all.
    let old = g.path("old.age");
    fs::write(
        &old,
        g.git_out(&b, &["show", "origin/main:ascvault.age"], false)
            .stdout,
    )
    .unwrap();
    // (Her identity file, kept from before, opened with her passphrase.)
    let carol = g.path("carol.age");
    fs::copy(b.join(".ascvault/identities/carol.age"), &carol).unwrap();
    g.av(&b, &["list", "--identity"])
        .arg(&carol)
        .env("ASCVAULT_VAULT", &old)
        .env("ASCVAULT_PASSPHRASE", CAROL)
        .run()
        .success()
        .stdout_has("p2");

    // textconv shows who left when; alice's side of history shows p2.
    let log = git_as(
        &g,
        &b,
        BOB,
        &["log", "-p", "--format=commit %s", "--", "ascvault.age"],
    );
    let carol_left = log
        .split("commit ")
        .find(|c| c.starts_with("carol leaves"))
        .unwrap_or_else(|| panic!("{log}"));
    assert!(
        carol_left.contains("\n-member:      carol (age SHA256:"),
        "{carol_left}"
    );
    assert!(
        carol_left.contains("-ascvault team vault: format 1.2, 3 members"),
        "{carol_left}"
    );
    assert!(!log.contains(PW1) && !log.contains(PW2), "{log}");

    // bob pushes; alice fast-forwards and reads the merge with her identity.
    g.git(&b, &["push", "-q"]);
    git_as(
        &g,
        &a,
        ALICE,
        &["pull", "--no-rebase", "--no-edit", "origin", "main"],
    );
    as_member(&g, &a, ALICE, &["list"])
        .run()
        .success()
        .stdout_has("p2");
}

/// textconv on a team vault never prompts: one KDF with a member's
/// passphrase-protected identity, none with a plain identity, and a
/// summary line (not a failed diff) without a source for the passphrase.
#[test]
fn textconv_on_a_team_vault_shows_the_members_and_never_prompts() {
    if !git_available() {
        return;
    }
    let g = Git::new();
    let a = team_origin(&g);
    let vault = a.join("ascvault.age");
    let out = as_member(&g, &a, ALICE, &["--verbose", "textconv"])
        .arg(&vault)
        .run()
        .success()
        .stderr_has("1 scrypt run (team vault)");
    let text = out.into_outcome().stdout();
    assert!(
        text.starts_with("ascvault team vault: format 1.2, 3 members, 1 entry\n"),
        "{text}"
    );
    assert!(text.contains("member:      bob (age SHA256:"), "{text}");
    assert!(text.contains("by alice)\n"), "{text}");
    assert!(text.contains("label:       p1\n"), "{text}");
    assert!(!text.contains(PW1), "{text}");
    // No passphrase source: a summary, exit 0.
    g.av(&a, &["textconv"])
        .arg(&vault)
        .env_remove("ASCVAULT_PASSPHRASE")
        .run()
        .success()
        .stdout_has("ascvault team vault (age, armored, 3 recipients, ")
        .stdout_has("not decrypted (no passphrase source for the identity)");
    // A plain identity: no KDF at all.
    let plain = g.path("plain.key");
    let identity = ascvault::vault::Identity::generate();
    fs::write(&plain, identity.to_identity_file().unwrap().as_str()).unwrap();
    let recipient = identity.recipient().unwrap().to_string();
    as_member(
        &g,
        &a,
        ALICE,
        &["member", "add", "ci", "--recipient", &recipient],
    )
    .run()
    .success();
    g.av(&a, &["--verbose", "textconv", "--identity"])
        .arg(&plain)
        .arg(&vault)
        .env_remove("ASCVAULT_PASSPHRASE")
        .run()
        .success()
        .stdout_has("member:      ci (age SHA256:")
        .stderr_has("0 scrypt runs (team vault)");
}

/// `check` on a team vault opens it (and its history) with the member's
/// identity; `git setup --member` refuses a name without an identity file.
#[test]
fn check_and_setup_work_on_team_vaults() {
    if !git_available() {
        return;
    }
    let g = Git::new();
    let a = team_origin(&g);
    add_p2(&g, &a, ALICE);
    as_member(&g, &a, ALICE, &["--verbose", "check"])
        .run()
        .success()
        .stderr_has("no findings")
        .stderr_has("compared with 1 earlier committed version");
    g.av(&a, &["git", "setup", "--member", "dave"])
        .run()
        .fails(ExitStatus::Failure)
        .stderr_has("member \"dave\" has no identity file")
        .stderr_has("alice, bob, carol");
    assert_eq!(g.git(&a, &["config", "ascvault.member"]).trim(), "alice");
}

/// Both clones add a member of the same name with different keys: the
/// merge driver names the conflict and leaves our version as it was.
#[test]
fn a_member_added_twice_with_different_keys_is_a_named_conflict() {
    if !git_available() {
        return;
    }
    let g = Git::new();
    let a = team_origin(&g);
    let b = g.clone_without_setup("b");
    g.av(&b, &["git", "setup", "--member", "bob"])
        .run()
        .success();
    for (dir, passphrase) in [(&a, ALICE), (&b, BOB)] {
        let recipient = ascvault::vault::Identity::generate()
            .recipient()
            .unwrap()
            .to_string();
        as_member(
            &g,
            dir,
            passphrase,
            &["member", "add", "dave", "--recipient", &recipient],
        )
        .run()
        .success();
        g.git(dir, &["commit", "-q", "-am", "dave"]);
    }
    g.git(&a, &["push", "-q"]);
    let before = fs::read(b.join("ascvault.age")).unwrap();
    let out = g
        .git_cmd(
            &b,
            &["pull", "--no-rebase", "--no-edit", "origin", "main"],
            false,
        )
        .env("ASCVAULT_PASSPHRASE", BOB)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{text}");
    assert!(
        text.contains("conflict: member \"dave\": recipient changed differently on both sides"),
        "{text}"
    );
    assert_eq!(fs::read(b.join("ascvault.age")).unwrap(), before);
}

/// A member removed on the other branch cannot merge it: the driver says
/// their version is not encrypted to them, and leaves ours as it was.
#[test]
fn a_member_removed_on_their_branch_is_told_to_let_another_member_merge() {
    if !git_available() {
        return;
    }
    let g = Git::new();
    let a = team_origin(&g);
    let c = g.clone_without_setup("c");
    g.av(&c, &["git", "setup", "--member", "carol"])
        .run()
        .success();
    as_member(&g, &a, ALICE, &["member", "remove", "carol"])
        .run()
        .success();
    g.git(&a, &["commit", "-q", "-am", "carol leaves"]);
    g.git(&a, &["push", "-q"]);
    add_p2(&g, &c, CAROL);
    let before = fs::read(c.join("ascvault.age")).unwrap();
    let out = g
        .git_cmd(
            &c,
            &["pull", "--no-rebase", "--no-edit", "origin", "main"],
            false,
        )
        .env("ASCVAULT_PASSPHRASE", CAROL)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{text}");
    assert!(
        text.contains("their version of ascvault.age is not encrypted to your identity"),
        "{text}"
    );
    assert!(
        text.contains("ask a member who is in both versions"),
        "{text}"
    );
    assert_eq!(fs::read(c.join("ascvault.age")).unwrap(), before);
}

/// A hook `git setup` installed before team vaults (the vault's line only)
/// gets the identity files' line on the next `git setup`, once.
#[test]
fn git_setup_adds_the_identity_files_line_to_an_older_hook_of_ours() {
    if !git_available() {
        return;
    }
    let g = Git::new();
    let repo = g.vault_repo("r");
    let hook = repo.join(".git/hooks/post-merge");
    fs::create_dir_all(hook.parent().unwrap()).unwrap();
    fs::write(
        &hook,
        "#!/bin/sh\n# ascvault: keeps the vault private (installed by `ascvault git setup`)\n\
         if [ -f 'ascvault.age' ] && [ ! -L 'ascvault.age' ]; then chmod 600 'ascvault.age' 2>/dev/null; fi\nexit 0\n",
    )
    .unwrap();
    g.av(&repo, &["git", "setup"])
        .run()
        .success()
        .stderr_has("the post-merge hook also keeps ascvault.age (and its identity files) at 0600");
    let text = fs::read_to_string(&hook).unwrap();
    assert_eq!(
        text.matches(".ascvault/identities/'*.age").count(),
        1,
        "{text}"
    );
    g.av(&repo, &["git", "setup"])
        .run()
        .success()
        .stderr_has("already set up, nothing changed");
    assert_eq!(fs::read_to_string(&hook).unwrap(), text);
}
