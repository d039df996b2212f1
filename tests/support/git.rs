//! A sandbox of git repositories for the merge driver, textconv, `git
//! setup` and `check`: git configured only from inside a temp dir, and
//! ascvault first on PATH so git finds the driver.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use super::{Cmd, PASSPHRASE, TEST_WORK_FACTOR, bin};

/// App-specific passwords for the sandbox's entries (p1..p3 are in every
/// first clone; the tests add the others).
pub const PW1: &str = "abcd-efgh-ijkl-mnop";
pub const PW2: &str = "qrst-uvwx-yzab-cdef";
pub const PW3: &str = "ghij-klmn-opqr-stuv";
pub const PW4: &str = "wxyz-abcd-efgh-ijkl";
pub const PW5: &str = "mnop-qrst-uvwx-yzab";

/// A directory of repositories, with git configured only from inside it.
pub struct Git {
    pub root: tempfile::TempDir,
}

impl Git {
    pub fn new() -> Self {
        let root = tempfile::tempdir().unwrap();
        fs::write(root.path().join("pass"), format!("{PASSPHRASE}\n")).unwrap();
        Git { root }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.root.path().join(name)
    }

    /// PATH with the built ascvault first, so git finds the driver.
    pub fn path_env() -> std::ffi::OsString {
        let bin_dir = bin().parent().unwrap().to_owned();
        let mut dirs = vec![bin_dir];
        dirs.extend(std::env::split_paths(
            &std::env::var_os("PATH").unwrap_or_default(),
        ));
        std::env::join_paths(dirs).unwrap()
    }

    pub fn git_cmd(&self, dir: &Path, args: &[&str], passphrase: bool) -> Command {
        let mut c = Command::new("git");
        c.current_dir(dir).args(args).env_clear();
        c.env("PATH", Self::path_env())
            .env("HOME", self.root.path())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_TERMINAL_PROMPT", "0")
            .env("GIT_PAGER", "cat")
            .env("LANG", "C")
            .env("ASCVAULT_ALLOW_WEAK_VAULT", "1");
        if passphrase {
            c.env("ASCVAULT_PASSPHRASE", PASSPHRASE);
        }
        c
    }

    /// `git pull` with a merge (not a rebase): success, and stderr.
    #[track_caller]
    pub fn pull(&self, dir: &Path) -> (bool, String) {
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

    #[track_caller]
    pub fn git_out(&self, dir: &Path, args: &[&str], passphrase: bool) -> Output {
        self.git_cmd(dir, args, passphrase)
            .output()
            .expect("run git")
    }

    /// Runs git and asserts success; returns stdout.
    #[track_caller]
    pub fn git(&self, dir: &Path, args: &[&str]) -> String {
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
    pub fn av(&self, dir: &Path, args: &[&str]) -> Cmd {
        Cmd::new(dir)
            .env("PATH", Self::path_env())
            .env("HOME", self.root.path())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("ASCVAULT_VAULT", dir.join("ascvault.age"))
            .env("ASCVAULT_PASSPHRASE", PASSPHRASE)
            .args(args)
    }

    #[track_caller]
    pub fn add_password(&self, dir: &Path, label: &str, password: &str) {
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

    pub fn configure(&self, dir: &Path) {
        self.git(dir, &["config", "user.name", "Test"]);
        self.git(dir, &["config", "user.email", "test@example.com"]);
        self.git(dir, &["config", "pull.rebase", "false"]);
        self.git(dir, &["config", "init.defaultBranch", "main"]);
    }

    /// A new repository `name` (branch main), configured.
    #[track_caller]
    pub fn repo(&self, name: &str) -> PathBuf {
        self.git(self.root.path(), &["init", "-q", "-b", "main", name]);
        let dir = self.path(name);
        self.configure(&dir);
        dir
    }

    /// A bare origin and a first clone `a` holding a committed, set-up vault
    /// with passwords p1..p3; returns a's path.
    #[track_caller]
    pub fn origin_and_first_clone(&self) -> PathBuf {
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
        let a = self.vault_repo("a");
        self.git(&a, &["remote", "add", "origin", origin.to_str().unwrap()]);
        self.add_password(&a, "p1", PW1);
        self.add_password(&a, "p2", PW2);
        self.add_password(&a, "p3", PW3);
        self.av(&a, &["git", "setup"]).run().success();
        self.git(&a, &["add", "-A"]);
        self.git(&a, &["commit", "-q", "-m", "vault"]);
        self.git(&a, &["push", "-q", "-u", "origin", "main"]);
        a
    }

    /// A clone `name` of the origin with `git setup` run in it.
    #[track_caller]
    pub fn clone(&self, name: &str) -> PathBuf {
        let dir = self.clone_without_setup(name);
        self.av(&dir, &["git", "setup"]).run().success();
        dir
    }

    /// A clone `name` of the origin, configured, but without `git setup`:
    /// no merge driver, no hooks (what a teammate who skipped it has).
    #[track_caller]
    pub fn clone_without_setup(&self, name: &str) -> PathBuf {
        let dir = self.path(name);
        let origin = self.path("origin.git");
        self.git(
            self.root.path(),
            &["clone", "-q", origin.to_str().unwrap(), name],
        );
        self.configure(&dir);
        dir
    }

    /// A new repository `name` holding an empty vault at the test work
    /// factor (not committed, no `git setup`).
    #[track_caller]
    pub fn vault_repo(&self, name: &str) -> PathBuf {
        let dir = self.repo(name);
        self.av(&dir, &["init", "--work-factor", TEST_WORK_FACTOR])
            .run()
            .success();
        dir
    }
}

/// Whether a git command is installed (the tests using it skip otherwise).
pub fn git_available() -> bool {
    Command::new("git").arg("--version").output().is_ok()
}
