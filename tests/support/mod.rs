//! The test harness: a fresh temp dir per test, the built binary, a scrubbed
//! environment, and a builder that reads like a sentence:
//!
//! ```ignore
//! let t = Env::new();
//! t.init();
//! t.cmd(&["list"]).stdin("…").run().success().stdout_has("fastlane");
//! t.cmd(&["show", "nothere"]).run().fails(ExitStatus::NoEntry);
//! ```
//!
//! `cmd` runs the binary and checks what it did; `status` mirrors the
//! documented exit codes; `standin` is a vault plus a stand-in App Store
//! Connect; `git` is a sandbox of repositories; `openapi` checks JSON
//! against Apple's schemas; `pty` runs a command on a terminal; `real`
//! reads Apple's own bodies from `../shared/asc-real/` when present.

#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};

mod cmd;
mod status;

pub use cmd::{Cmd, Outcome};
pub use status::ExitStatus;

/// The passphrase of every test vault made by [`Env::init`].
pub const PASSPHRASE: &str = "test passphrase";
/// Work factor for test vaults (the product default stays 18).
pub const TEST_WORK_FACTOR: &str = "10";

/// Path of the built `ascvault` binary.
pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_ascvault"))
}

/// The repository's `fixtures/` folder.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// The keys of a JSON object, in order: a `--json` output's fields are a
/// contract, names and order both.
#[track_caller]
pub fn keys_of(v: &serde_json::Value) -> Vec<&str> {
    v.as_object()
        .unwrap_or_else(|| panic!("not a JSON object: {v}"))
        .keys()
        .map(String::as_str)
        .collect()
}

/// One test's world: a temp dir holding the vault and a passphrase file.
pub struct Env {
    pub dir: tempfile::TempDir,
}

impl Env {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        fs::write(dir.path().join("pass"), format!("{PASSPHRASE}\n")).unwrap();
        Env { dir }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// The default vault path of this env.
    pub fn vault(&self) -> PathBuf {
        self.path("ascvault.age")
    }

    #[track_caller]
    pub fn vault_bytes(&self) -> Vec<u8> {
        fs::read(self.vault()).expect("vault exists")
    }

    /// A command with `--vault` and `ASCVAULT_PASSPHRASE` set.
    pub fn cmd(&self, args: &[&str]) -> Cmd {
        Cmd::new(self.dir.path())
            .env("ASCVAULT_VAULT", self.vault())
            .env("ASCVAULT_PASSPHRASE", PASSPHRASE)
            .args(args)
    }

    /// A command with no passphrase source at all.
    pub fn bare(&self, args: &[&str]) -> Cmd {
        Cmd::new(self.dir.path())
            .env("ASCVAULT_VAULT", self.vault())
            .args(args)
    }

    /// Creates an empty armored vault at the test work factor.
    #[track_caller]
    pub fn init(&self) -> &Self {
        self.cmd(&["init", "--work-factor", TEST_WORK_FACTOR])
            .run()
            .success();
        self
    }

    /// Adds an app-specific password entry.
    #[track_caller]
    pub fn add_password(&self, label: &str, apple_id: &str, password: &str) -> &Self {
        self.cmd(&[
            "add",
            "password",
            label,
            "--apple-id",
            apple_id,
            "--password-stdin",
        ])
        .stdin(&format!("{password}\n"))
        .run()
        .success();
        self
    }

    /// Adds an API key entry from the fixture key.
    #[track_caller]
    pub fn add_key(&self, label: &str, key_id: &str) -> &Self {
        self.add_key_with(label, key_id, &[])
    }

    /// Adds an API key entry from the fixture key, with `extra` arguments
    /// (say, `--vendor-number`).
    #[track_caller]
    pub fn add_key_with(&self, label: &str, key_id: &str, extra: &[&str]) -> &Self {
        let p8 = fixtures().join("keys/AuthKey_TESTKEY001.p8");
        self.cmd(&[
            "add",
            "api-key",
            label,
            "--key-id",
            key_id,
            "--issuer-id",
            "57246542-96fe-1a63-e053-0824d011072a",
            "--private-key",
            p8.to_str().unwrap(),
        ])
        .args(extra)
        .run()
        .success();
        self
    }
}

pub mod git;
pub mod openapi;
#[cfg(unix)]
pub mod pty;
pub mod real;
pub mod standin;
