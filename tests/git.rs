//! Living in git (issue 5): the merge rules one by one (library), then real
//! git — two clones of one repository editing the vault and merging, diffs
//! through textconv, `git setup` idempotence — and `check`, `import p8`,
//! `export --plaintext` through the binary.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use ascvault::vault::hygiene::{self, Facts, GitFacts};
use ascvault::vault::merge::{Conflict, merge};
use ascvault::vault::{Document, Entry, Kind, Secret, Timestamp};

use crate::support::{Cmd, Env, PASSPHRASE, TEST_WORK_FACTOR, bin, fixtures};

const PW1: &str = "abcd-efgh-ijkl-mnop";
const PW2: &str = "qrst-uvwx-yzab-cdef";
const PW3: &str = "ghij-klmn-opqr-stuv";
const PW4: &str = "wxyz-abcd-efgh-ijkl";
const PW5: &str = "mnop-qrst-uvwx-yzab";

// ---------------------------------------------------------------------------
// Merge rules (spec/MERGE.md §1), one test each, on documents.

fn pw_entry(label: &str, secs: i64) -> Entry {
    let mut e = Entry::new(label.to_owned(), Kind::AppSpecificPassword);
    e.created = Timestamp::from_unix(1_700_000_000 + secs);
    e.apple_id = Some("dev@example.com".into());
    e.password = Some(Secret::from(PW1));
    e
}

fn doc(entries: &[&Entry]) -> Document {
    Document {
        entries: entries.iter().map(|e| (*e).clone()).collect(),
        ..Document::default()
    }
}

fn by_id<'a>(d: &'a Document, e: &Entry) -> Option<&'a Entry> {
    d.entries.iter().find(|x| x.id == e.id)
}

fn conflicts(base: &Document, ours: &Document, theirs: &Document) -> Vec<Conflict> {
    merge(base, ours, theirs).expect_err("expected a conflict")
}

#[test]
fn merge_keeps_entries_added_on_either_side() {
    let a = pw_entry("a", 0);
    let ours_new = pw_entry("ours-new", 1);
    let theirs_new = pw_entry("theirs-new", 2);
    let base = doc(&[&a]);
    let m = merge(&base, &doc(&[&a, &ours_new]), &doc(&[&a, &theirs_new])).unwrap();
    assert_eq!(m.entries.len(), 3);
    assert!(by_id(&m, &ours_new).is_some() && by_id(&m, &theirs_new).is_some());
}

#[test]
fn merge_removes_an_entry_removed_on_one_side_and_untouched_on_the_other() {
    let a = pw_entry("a", 0);
    let b = pw_entry("b", 1);
    let base = doc(&[&a, &b]);
    let m = merge(&base, &doc(&[&a]), &base).unwrap();
    assert!(by_id(&m, &b).is_none());
    let m = merge(&base, &base, &doc(&[&a])).unwrap();
    assert!(by_id(&m, &b).is_none());
    assert!(by_id(&m, &a).is_some());
}

#[test]
fn merge_removes_an_entry_removed_on_both_sides() {
    let a = pw_entry("a", 0);
    let m = merge(&doc(&[&a]), &doc(&[]), &doc(&[])).unwrap();
    assert!(m.entries.is_empty());
}

#[test]
fn merge_lets_a_removal_win_over_a_revocation() {
    let a = pw_entry("a", 0);
    let mut revoked = a.clone();
    revoked.revoke(Timestamp::from_unix(1_800_000_000));
    let m = merge(&doc(&[&a]), &doc(&[]), &doc(&[&revoked])).unwrap();
    assert!(m.entries.is_empty());
}

#[test]
fn merge_conflicts_when_removed_on_one_side_and_changed_on_the_other() {
    let a = pw_entry("a", 0);
    let mut noted = a.clone();
    noted.note = Some("still used by CI".into());
    let c = conflicts(&doc(&[&a]), &doc(&[&noted]), &doc(&[]));
    assert_eq!(c.len(), 1);
    let text = c[0].to_string();
    assert!(
        text.contains("\"a\"") && text.contains("removed on their side") && text.contains("note"),
        "{text}"
    );
}

#[test]
fn merge_revocation_only_moves_forward_with_the_earliest_date() {
    let a = pw_entry("a", 0);
    let mut early = a.clone();
    early.revoke(Timestamp::from_unix(1_750_000_000));
    let mut late = a.clone();
    late.revoke(Timestamp::from_unix(1_760_000_000));
    // Revoked on one side only: revoked.
    let m = merge(&doc(&[&a]), &doc(&[&a]), &doc(&[&late])).unwrap();
    assert!(m.entries[0].revoked);
    // Revoked on both: the earliest date, whichever side it is on.
    for (o, t) in [(&early, &late), (&late, &early)] {
        let m = merge(&doc(&[&a]), &doc(&[o]), &doc(&[t])).unwrap();
        assert_eq!(m.entries[0].revoked_at, early.revoked_at);
    }
    // Never un-revoked, even if a side somehow shows it active again.
    let m = merge(&doc(&[&early]), &doc(&[&early]), &doc(&[&a])).unwrap();
    assert!(m.entries[0].revoked);
    assert_eq!(m.entries[0].revoked_at, early.revoked_at);
}

#[test]
fn merge_combines_changes_to_different_fields() {
    let a = pw_entry("a", 0);
    let mut relabelled = a.clone();
    relabelled.label = "a-renamed".into();
    let mut noted = a.clone();
    noted.note = Some("CI".into());
    noted.revoke(Timestamp::from_unix(1_750_000_000));
    let m = merge(&doc(&[&a]), &doc(&[&relabelled]), &doc(&[&noted])).unwrap();
    let e = &m.entries[0];
    assert_eq!(e.label, "a-renamed");
    assert_eq!(e.note.as_deref(), Some("CI"));
    assert!(e.revoked);
}

#[test]
fn merge_accepts_the_same_change_made_on_both_sides() {
    let a = pw_entry("a", 0);
    let mut x = a.clone();
    x.note = Some("same".into());
    let m = merge(&doc(&[&a]), &doc(&[&x]), &doc(&[&x])).unwrap();
    assert_eq!(m.entries[0].note.as_deref(), Some("same"));
}

#[test]
fn merge_conflicts_when_one_field_changes_differently_on_both_sides() {
    let a = pw_entry("a", 0);
    let mut o = a.clone();
    o.label = "ours".into();
    o.note = Some("ours".into());
    let mut t = a.clone();
    t.label = "theirs".into();
    t.note = Some("theirs".into());
    let c = conflicts(&doc(&[&a]), &doc(&[&o]), &doc(&[&t]));
    let fields: Vec<String> = c
        .iter()
        .map(|c| match c {
            Conflict::Field { field, id, .. } => {
                assert_eq!(id, &a.id);
                field.clone()
            }
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(fields, ["label", "note"]);
    assert!(c[1].to_string().contains(&a.id[..8]));
}

#[test]
fn merge_conflict_on_a_secret_names_the_field_never_the_value() {
    let a = pw_entry("a", 0);
    let mut o = a.clone();
    o.password = Some(Secret::from(PW2));
    let mut t = a.clone();
    t.password = Some(Secret::from(PW3));
    let c = conflicts(&doc(&[&a]), &doc(&[&o]), &doc(&[&t]));
    let text = format!("{} {:?}", c[0], c[0]);
    assert!(text.contains("password"), "{text}");
    for secret in [PW1, PW2, PW3] {
        assert!(!text.contains(secret), "{text}");
    }
}

#[test]
fn merge_conflicts_when_two_entries_claim_one_label() {
    let a = pw_entry("a", 0);
    let mut relabelled = a.clone();
    relabelled.label = "Prod".into();
    let new_prod = pw_entry("prod", 5);
    let c = conflicts(&doc(&[&a]), &doc(&[&relabelled]), &doc(&[&a, &new_prod]));
    assert_eq!(c.len(), 1);
    let text = c[0].to_string();
    assert!(
        text.contains(&a.id[..8]) && text.contains(&new_prod.id[..8]),
        "{text}"
    );
}

#[test]
fn merge_without_a_base_keeps_identical_entries_and_conflicts_on_differences() {
    let a = pw_entry("a", 0);
    let m = merge(&Document::default(), &doc(&[&a]), &doc(&[&a])).unwrap();
    assert_eq!(m.entries.len(), 1);
    let mut other = a.clone();
    other.note = Some("x".into());
    let c = conflicts(&Document::default(), &doc(&[&a]), &doc(&[&other]));
    assert!(matches!(&c[0], Conflict::Field { field, .. } if field == "note"));
}

#[test]
fn merge_keeps_unknown_fields_and_the_newest_version() {
    let text = |version: &str, color: &str| {
        format!(
            "format = \"ascvault\"\nversion = \"{version}\"\nsync = \"on\"\n\n[[entry]]\n\
             id = \"0b0c6a2e-7c53-4d1e-9f1d-1c0f0e6d2a11\"\nlabel = \"fl\"\n\
             kind = \"app-specific-password\"\ncreated = 2026-01-02T03:04:05Z\nrevoked = false\n\
             apple_id = \"dev@example.com\"\npassword = \"{PW1}\"\n{color}"
        )
    };
    let base = Document::parse(&text("1.0", "")).unwrap();
    let ours = Document::parse(&text("1.0", "")).unwrap();
    let theirs = Document::parse(&text("1.2", "color = \"blue\"\n")).unwrap();
    let m = merge(&base, &ours, &theirs).unwrap();
    let out = m.to_canonical();
    assert!(out.contains("version = \"1.2\""), "{}", out.as_str());
    assert!(out.contains("color = \"blue\""));
    assert!(out.contains("sync = \"on\""));
    // Both sides setting one unknown key differently is a conflict.
    let ours = Document::parse(&text("1.2", "color = \"red\"\n")).unwrap();
    let c = conflicts(&base, &ours, &theirs);
    assert!(matches!(&c[0], Conflict::Field { field, .. } if field == "color"));
}

// ---------------------------------------------------------------------------
// Hygiene findings (spec/MERGE.md §4), on documents.

fn facts(work_factor: u8) -> Facts {
    Facts {
        work_factor,
        mode: Some(0o600),
        git: None,
        now: Timestamp::from_unix(1_700_000_000 + 10 * 86_400),
        max_age_days: 365,
    }
}

fn checks(d: &Document, f: &Facts) -> Vec<&'static str> {
    hygiene::check(d, f).iter().map(|f| f.check).collect()
}

#[test]
fn check_finds_nothing_in_a_healthy_vault() {
    let d = doc(&[&pw_entry("a", 0)]);
    assert!(hygiene::check(&d, &facts(18)).is_empty());
}

#[test]
fn check_finds_each_problem() {
    let a = pw_entry("a", 0);
    let mut b = pw_entry("b", 1);
    b.apple_id = Some("other@example.com".into());
    // Same password as `a`, written differently: still one secret.
    b.password = Some(Secret::from("ABCD EFGH IJKL MNOP"));
    let d = doc(&[&a, &b]);
    let mut f = facts(18);
    assert_eq!(checks(&d, &f), ["duplicate-secret"]);
    f.now = Timestamp::from_unix(1_700_000_000 + 400 * 86_400);
    assert_eq!(
        checks(&d, &f),
        ["old-entry", "old-entry", "duplicate-secret"]
    );
    f.max_age_days = 500;
    f.work_factor = 17;
    f.mode = Some(0o644);
    assert_eq!(
        checks(&d, &f),
        ["duplicate-secret", "weak-work-factor", "file-permissions"]
    );
    f.git = Some(GitFacts {
        tracked: true,
        textconv_cache: true,
        ..GitFacts::default()
    });
    let found = hygiene::check(&d, &f);
    let git = found.iter().find(|x| x.check == "git-attributes").unwrap();
    assert!(git.message.contains("merge=ascvault"), "{}", git.message);
    assert!(git.advice.contains("git setup"));
    assert!(found.iter().any(|x| x.check == "git-cachetextconv"));
}

#[test]
fn check_counts_active_passwords_per_apple_id() {
    let mut entries: Vec<Entry> = (0..26)
        .map(|i| {
            let mut e = pw_entry(&format!("p{i}"), i);
            e.password = Some(Secret::from(format!("aaaa-bbbb-cccc-{:04}", i).as_str()));
            e
        })
        .collect();
    let d = Document {
        entries: entries.clone(),
        ..Document::default()
    };
    assert_eq!(checks(&d, &facts(18)), ["password-limit"]);
    entries[0].revoke(Timestamp::from_unix(1_700_000_100));
    let d = Document {
        entries,
        ..Document::default()
    };
    assert!(checks(&d, &facts(18)).is_empty());
}

// ---------------------------------------------------------------------------
// Real git.

/// A directory of repositories, with git configured only from inside it.
struct Git {
    root: tempfile::TempDir,
}

impl Git {
    fn new() -> Self {
        let root = tempfile::tempdir().unwrap();
        fs::write(root.path().join("pass"), format!("{PASSPHRASE}\n")).unwrap();
        Git { root }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.root.path().join(name)
    }

    /// PATH with the built ascvault first, so git finds the driver.
    fn path_env() -> std::ffi::OsString {
        let bin_dir = bin().parent().unwrap().to_owned();
        let mut dirs = vec![bin_dir];
        dirs.extend(std::env::split_paths(
            &std::env::var_os("PATH").unwrap_or_default(),
        ));
        std::env::join_paths(dirs).unwrap()
    }

    fn git_cmd(&self, dir: &Path, args: &[&str], passphrase: bool) -> Command {
        let mut c = Command::new("git");
        c.current_dir(dir).args(args).env_clear();
        c.env("PATH", Self::path_env())
            .env("HOME", self.root.path())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_TERMINAL_PROMPT", "0")
            .env("GIT_PAGER", "cat")
            .env("LANG", "C");
        if passphrase {
            c.env("ASCVAULT_PASSPHRASE", PASSPHRASE);
        }
        c
    }

    /// `git pull` with a merge (not a rebase): success, and stderr.
    fn pull(&self, dir: &Path) -> (bool, String) {
        let out = self.git_out(
            dir,
            &["pull", "--no-rebase", "--no-edit", "origin", "main"],
            true,
        );
        let mut text = String::from_utf8_lossy(&out.stderr).into_owned();
        if !out.status.success() {
            text.push_str(&String::from_utf8_lossy(&out.stdout));
        }
        (out.status.success(), text)
    }

    fn git_out(&self, dir: &Path, args: &[&str], passphrase: bool) -> Output {
        self.git_cmd(dir, args, passphrase)
            .output()
            .expect("run git")
    }

    /// Runs git and asserts success; returns stdout.
    fn git(&self, dir: &Path, args: &[&str]) -> String {
        let out = self.git_out(dir, args, true);
        assert!(
            out.status.success(),
            "git {args:?} failed:\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// ascvault in a clone, on its vault.
    fn av(&self, dir: &Path, args: &[&str]) -> Cmd {
        Cmd::new(dir)
            .env("PATH", Self::path_env())
            .env("HOME", self.root.path())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("ASCVAULT_VAULT", dir.join("ascvault.age"))
            .env("ASCVAULT_PASSPHRASE", PASSPHRASE)
            .args(args)
    }

    fn add_password(&self, dir: &Path, label: &str, password: &str) {
        self.av(
            dir,
            &[
                "add",
                "password",
                label,
                "--apple-id",
                "dev@example.com",
                "--password-stdin",
            ],
        )
        .stdin(&format!("{password}\n"))
        .run()
        .success();
    }

    fn configure(&self, dir: &Path) {
        self.git(dir, &["config", "user.name", "Test"]);
        self.git(dir, &["config", "user.email", "test@example.com"]);
        self.git(dir, &["config", "pull.rebase", "false"]);
        self.git(dir, &["config", "init.defaultBranch", "main"]);
    }

    /// A bare origin and a first clone `a` holding a committed, set-up vault
    /// with passwords p1..p3; returns a's path.
    fn origin_and_first_clone(&self) -> PathBuf {
        let origin = self.path("origin.git");
        self.git(
            self.root.path(),
            &[
                "init",
                "-q",
                "--bare",
                "-b",
                "main",
                origin.to_str().unwrap(),
            ],
        );
        let a = self.path("a");
        self.git(self.root.path(), &["init", "-q", "-b", "main", "a"]);
        self.configure(&a);
        self.git(&a, &["remote", "add", "origin", origin.to_str().unwrap()]);
        self.av(&a, &["init", "--work-factor", TEST_WORK_FACTOR])
            .run()
            .success();
        self.add_password(&a, "p1", PW1);
        self.add_password(&a, "p2", PW2);
        self.add_password(&a, "p3", PW3);
        self.av(&a, &["git", "setup"]).run().success();
        self.git(&a, &["add", "-A"]);
        self.git(&a, &["commit", "-q", "-m", "vault"]);
        self.git(&a, &["push", "-q", "-u", "origin", "main"]);
        a
    }

    fn clone(&self, name: &str) -> PathBuf {
        let dir = self.path(name);
        let origin = self.path("origin.git");
        self.git(
            self.root.path(),
            &["clone", "-q", origin.to_str().unwrap(), name],
        );
        self.configure(&dir);
        self.av(&dir, &["git", "setup"]).run().success();
        dir
    }
}

fn git_available() -> bool {
    Command::new("git").arg("--version").output().is_ok()
}

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
    let repo = g.path("r");
    g.git(g.root.path(), &["init", "-q", "-b", "main", "r"]);
    g.configure(&repo);
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
    g.av(&b, &["note", "p1", "from b"]).run().success();
    g.git(&b, &["commit", "-q", "-am", "b: note"]);
    let ours = fs::read(b.join("ascvault.age")).unwrap();

    let (merged, stderr) = g.pull(&b);
    assert!(!merged, "the pull should stop: {stderr}");
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
    g.av(&b, &["note", "p1", "from b"]).run().success();
    g.git(&b, &["commit", "-q", "-am", "b: note"]);
    let ours = fs::read(b.join("ascvault.age")).unwrap();
    let (merged, stderr) = g.pull(&b);
    assert!(!merged, "the pull should stop: {stderr}");
    assert!(
        stderr.contains("does not open with the passphrase that opens our version"),
        "{stderr}"
    );
    assert!(stderr.contains("ascvault passwd"), "{stderr}");
    assert_eq!(fs::read(b.join("ascvault.age")).unwrap(), ours);
}

#[test]
fn git_diff_and_log_show_the_rendering_and_never_a_secret() {
    if !git_available() {
        return;
    }
    let g = Git::new();
    let a = g.origin_and_first_clone();
    g.add_password(&a, "p5", PW5);
    g.av(&a, &["revoke", "p1", "--yes"]).run().success();

    let diff = g.git(&a, &["diff"]);
    assert!(diff.contains("+label:       p5"), "{diff}");
    assert!(diff.contains("+status:      revoked"), "{diff}");
    assert!(diff.contains("+fingerprint: pw:"), "{diff}");
    // Unchanged entries render identically on both sides (entries created
    // in one second may swap places, so compare blocks, not diff lines).
    let old = g.path("old.age");
    fs::write(&old, g.git(&a, &["show", "HEAD:ascvault.age"])).unwrap();
    let render = |file: &Path| {
        g.av(&a, &["textconv", file.to_str().unwrap()])
            .run()
            .success()
            .stdout()
    };
    let (before, after) = (render(&old), render(&a.join("ascvault.age")));
    let block = |text: &str| {
        text.split("\n\n")
            .find(|b| b.starts_with("label:       p2\n"))
            .map(|b| b.trim_end().to_owned())
    };
    assert!(block(&before).is_some(), "{before}");
    assert_eq!(block(&before), block(&after));
    g.git(&a, &["commit", "-q", "-am", "add p5, revoke p1"]);

    let log = g.git(&a, &["log", "-p"]);
    assert!(
        log.contains("+label:       p5") && log.contains("+label:       p1"),
        "{log}"
    );
    for text in [&diff, &log] {
        for secret in [PW1, PW2, PW3, PW5, PASSPHRASE] {
            assert!(!text.contains(secret), "secret in: {text}");
        }
        assert!(!text.contains("BEGIN AGE ENCRYPTED FILE"), "{text}");
    }
    // No cached renderings.
    assert_eq!(g.git(&a, &["for-each-ref", "refs/notes/"]), "");

    // Without a passphrase: a one-line summary per side, and the diff still works.
    let out = g.git_out(&a, &["log", "-p", "-1"], false);
    assert!(out.status.success());
    let log = String::from_utf8_lossy(&out.stdout);
    assert!(
        log.contains("+ascvault vault (age, armored, work factor 10,")
            && log.contains("not decrypted (no passphrase source)"),
        "{log}"
    );
}

#[test]
fn textconv_without_a_passphrase_prints_the_header_summary() {
    let t = Env::new();
    t.init().add_password("fl", "dev@example.com", PW1);
    let size = t.vault_bytes().len();
    let vault = t.vault();
    let path = vault.to_str().unwrap();
    t.bare(&["textconv", path]).run().success().stdout_has(&format!(
        "ascvault vault (age, armored, work factor 10, {size} bytes): not decrypted (no passphrase source)"
    ));
    t.bare(&["textconv", path])
        .env("ASCVAULT_PASSPHRASE", "wrong")
        .run()
        .success()
        .stdout_has("not decrypted (wrong passphrase)");
    fs::write(t.path("plain"), format!("secret {PW1}\n")).unwrap();
    t.cmd(&["textconv", t.path("plain").to_str().unwrap()])
        .run()
        .success()
        .stdout_has("not an age-encrypted file")
        .stdout_lacks(PW1);
    // With the passphrase: the rendering, a password fingerprint that does
    // not depend on the file's random salt, and no secret.
    let first = t.cmd(&["textconv", path]).run().success().stdout_lacks(PW1);
    assert!(
        first.stdout().contains("fingerprint: pw:"),
        "{}",
        first.stdout()
    );
    t.cmd(&["note", "fl", "x"]).run().success();
    t.cmd(&["note", "fl", ""]).run().success();
    let again = t.cmd(&["textconv", path]).run().success();
    assert_eq!(first.stdout(), again.stdout());
}

#[test]
fn git_setup_is_idempotent_and_turns_cachetextconv_off() {
    if !git_available() {
        return;
    }
    let g = Git::new();
    let repo = g.path("r");
    g.git(g.root.path(), &["init", "-q", "-b", "main", "r"]);
    g.configure(&repo);
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
        "/ascvault.age.lock\n/.ascvault.age.*.tmp\n"
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
        "/secrets/ci/team.age.lock\n/secrets/ci/.team.age.*.tmp\n"
    );
    g.av(&repo, &["--vault", "secrets/ci/team.age", "git", "setup"])
        .run()
        .success()
        .stderr_has("nothing changed");
    g.av(&repo, &["--vault", "secrets/my vault.age", "git", "setup"])
        .run()
        .fails(1)
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
        .fails(1)
        .stderr_has("not inside a git work tree");
}

#[test]
fn check_reports_findings_from_the_file_and_from_git() {
    if !git_available() {
        return;
    }
    let g = Git::new();
    let repo = g.path("r");
    g.git(g.root.path(), &["init", "-q", "-b", "main", "r"]);
    g.configure(&repo);
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
    let out = g.av(&repo, &["check", "--json"]).run();
    assert_eq!(out.code(), 1, "{}", out.stderr());
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
    let out = g.av(&repo, &["check"]).run();
    assert_eq!(out.code(), 1);
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
    let out = online(&server.url());
    assert_eq!(out.code(), 1, "{}", out.stderr());
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
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let out = online(&format!("http://127.0.0.1:{port}"));
    assert_eq!(out.code(), 1);
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
fn import_p8_adds_every_key_in_one_write_and_skips_known_ones() {
    let t = Env::new();
    t.init();
    let dir = t.path("keys");
    fs::create_dir(&dir).unwrap();
    for k in ["AuthKey_TESTKEY001.p8", "AuthKey_TESTKEY002.p8"] {
        fs::copy(fixtures().join("keys").join(k), dir.join(k)).unwrap();
    }
    fs::write(dir.join("README.txt"), "not a key").unwrap();
    let issuer = "57246542-96fe-1a63-e053-0824d011072a";
    let args = [
        "import",
        "p8",
        dir.to_str().unwrap(),
        "--issuer-id",
        issuer,
        "--label-prefix",
        "asc-",
    ];
    let out = t.cmd(&args).run().success();
    assert_eq!(
        out.stdout(),
        "added   AuthKey_TESTKEY001.p8 as \"asc-TESTKEY001\"\n\
         added   AuthKey_TESTKEY002.p8 as \"asc-TESTKEY002\"\n"
    );
    let v = t
        .cmd(&["show", "asc-TESTKEY002", "--json"])
        .run()
        .success()
        .json();
    assert_eq!(v["issuer_id"], issuer, "{v:#}");

    let before = t.vault_bytes();
    t.cmd(&args).run().success().stdout_has(
        "skipped AuthKey_TESTKEY001.p8: key id already in the vault as \"asc-TESTKEY001\"",
    );
    assert_eq!(
        t.vault_bytes(),
        before,
        "a no-op import must not rewrite the vault"
    );
}

#[test]
fn import_p8_refuses_a_folder_with_a_broken_key_and_changes_nothing() {
    let t = Env::new();
    t.init();
    let dir = t.path("keys");
    fs::create_dir(&dir).unwrap();
    fs::copy(
        fixtures().join("keys/AuthKey_TESTKEY001.p8"),
        dir.join("AuthKey_TESTKEY001.p8"),
    )
    .unwrap();
    fs::copy(
        fixtures().join("keys/rsa-not-ec.p8"),
        dir.join("AuthKey_BROKENKEY1.p8"),
    )
    .unwrap();
    let before = t.vault_bytes();
    t.cmd(&["import", "p8", dir.to_str().unwrap()])
        .run()
        .fails(1)
        .stderr_has("AuthKey_BROKENKEY1.p8");
    assert_eq!(t.vault_bytes(), before);
    t.cmd(&["import", "p8", t.path("nowhere").to_str().unwrap()])
        .run()
        .fails(1);
}

#[test]
fn export_plaintext_needs_yes_and_prints_the_canonical_toml() {
    let t = Env::new();
    t.init().add_password("fl", "dev@example.com", PW1);
    t.cmd(&["export", "--plaintext"])
        .run()
        .fails(2)
        .stderr_has("--yes");
    t.cmd(&["export", "--yes"]).run().fails(2);
    let out = t
        .cmd(&["export", "--plaintext", "--yes"])
        .run()
        .success()
        .stderr_has("warning:");
    let doc = Document::parse(&out.stdout()).expect("the export parses as a vault document");
    assert_eq!(doc.to_canonical().as_str(), out.stdout());
    assert_eq!(doc.get("fl").unwrap().secret().unwrap().expose(), PW1);
}
