//! The test harness: a fresh temp dir per test, the built binary, a scrubbed
//! environment, and a builder that reads like a sentence:
//!
//! ```ignore
//! let t = Env::new();
//! t.init();
//! t.cmd(&["list"]).stdin("…").run().success().stdout_has("fastlane");
//! ```

#![allow(dead_code)]

use std::ffi::OsStr;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

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
    pub fn init(&self) -> &Self {
        self.cmd(&["init", "--work-factor", TEST_WORK_FACTOR])
            .run()
            .success();
        self
    }

    /// Adds an app-specific password entry.
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
    pub fn add_key(&self, label: &str, key_id: &str) -> &Self {
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
        .run()
        .success();
        self
    }
}

/// A command being built.
pub struct Cmd {
    command: Command,
    stdin: Option<Vec<u8>>,
}

impl Cmd {
    pub fn new(cwd: &Path) -> Self {
        let mut command = Command::new(bin());
        command.current_dir(cwd).env_clear();
        for keep in ["PATH", "HOME", "TMPDIR", "LANG"] {
            if let Some(v) = std::env::var_os(keep) {
                command.env(keep, v);
            }
        }
        detach_from_terminal(&mut command);
        Cmd {
            command,
            stdin: None,
        }
    }

    pub fn args<S: AsRef<OsStr>>(mut self, args: &[S]) -> Self {
        self.command.args(args);
        self
    }

    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Self {
        self.command.arg(arg);
        self
    }

    pub fn env(mut self, key: &str, value: impl AsRef<OsStr>) -> Self {
        self.command.env(key, value);
        self
    }

    pub fn env_remove(mut self, key: &str) -> Self {
        self.command.env_remove(key);
        self
    }

    pub fn stdin(mut self, input: &str) -> Self {
        self.stdin = Some(input.as_bytes().to_vec());
        self
    }

    pub fn run(mut self) -> Outcome {
        self.command.stdout(Stdio::piped()).stderr(Stdio::piped());
        self.command.stdin(if self.stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        });
        let mut child = self.command.spawn().expect("spawn ascvault");
        if let Some(input) = self.stdin.take() {
            let mut pipe = child.stdin.take().unwrap();
            // The child may exit before reading: ignore a broken pipe.
            let _ = pipe.write_all(&input);
        }
        Outcome(child.wait_with_output().expect("wait for ascvault"))
    }

    /// Starts the command without waiting (stdout and stderr piped, stdin
    /// written and closed), for tests that kill or watch the process.
    pub fn spawn(mut self) -> std::process::Child {
        self.command.stdout(Stdio::piped()).stderr(Stdio::piped());
        self.command.stdin(if self.stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        });
        let mut child = self.command.spawn().expect("spawn ascvault");
        if let Some(input) = self.stdin.take() {
            let mut pipe = child.stdin.take().unwrap();
            let _ = pipe.write_all(&input);
        }
        child
    }
}

/// Gives the child its own session, so it has no controlling terminal even
/// when the tests run in one: a prompt must fail fast, never hang.
fn detach_from_terminal(command: &mut Command) {
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        #[allow(unsafe_code)]
        // SAFETY: setsid is async-signal-safe and touches no memory of ours.
        unsafe {
            command.pre_exec(|| {
                rustix::process::setsid().map_err(std::io::Error::from)?;
                Ok(())
            });
        }
    }
}

/// What a finished command did.
pub struct Outcome(pub Output);

impl Outcome {
    pub fn code(&self) -> i32 {
        self.0.status.code().unwrap_or(-1)
    }

    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.0.stdout).into_owned()
    }

    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.0.stderr).into_owned()
    }

    fn describe(&self) -> String {
        format!(
            "exit {}\n--- stdout\n{}--- stderr\n{}",
            self.code(),
            self.stdout(),
            self.stderr()
        )
    }

    pub fn success(self) -> Self {
        assert_eq!(self.code(), 0, "expected success, got {}", self.describe());
        self
    }

    /// Asserts the exit code, a clean one-line `error:` message, and no panic.
    pub fn fails(self, code: i32) -> Self {
        assert_eq!(
            self.code(),
            code,
            "expected exit {code}, got {}",
            self.describe()
        );
        let err = self.stderr();
        assert!(!err.contains("panicked"), "panic: {}", self.describe());
        assert_eq!(
            err.lines().filter(|l| l.starts_with("error:")).count(),
            1,
            "expected one error line: {}",
            self.describe()
        );
        self
    }

    pub fn stdout_has(self, needle: &str) -> Self {
        assert!(
            self.stdout().contains(needle),
            "stdout lacks {needle:?}: {}",
            self.describe()
        );
        self
    }

    pub fn stderr_has(self, needle: &str) -> Self {
        assert!(
            self.stderr().contains(needle),
            "stderr lacks {needle:?}: {}",
            self.describe()
        );
        self
    }

    pub fn stdout_lacks(self, needle: &str) -> Self {
        assert!(
            !self.stdout().contains(needle),
            "stdout has {needle:?}: {}",
            self.describe()
        );
        self
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.0.stdout)
            .unwrap_or_else(|e| panic!("bad JSON ({e}): {}", self.describe()))
    }
}

#[cfg(unix)]
pub mod pty;

pub mod standin;
