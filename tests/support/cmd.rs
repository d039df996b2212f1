//! Running the built binary: [`Cmd`] builds a command, [`Outcome`] is what it
//! did, and its assertions read like a sentence
//! (`….run().fails(ExitStatus::Usage).stderr_has("--entry")`).
//!
//! Both types are `#[must_use]`: a command that is built but never run, or
//! run but never checked, is a compile-time warning (an error under clippy
//! `-D warnings`), not a test that passes without testing anything. Every
//! assertion is `#[track_caller]`, so a failure points at the test's line,
//! and its message starts with the command line that failed (arguments
//! only: the environment, where passphrases travel, is never shown).

use std::ffi::OsStr;
use std::io::Write;
use std::ops::Deref;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use super::{ExitStatus, bin};

/// A command being built.
#[must_use = "a command does nothing until .run() or .spawn()"]
pub struct Cmd {
    command: Command,
    stdin: Option<Vec<u8>>,
}

impl Cmd {
    /// `ascvault` in `cwd`, with only PATH, HOME, TMPDIR and LANG kept from
    /// our environment, and no controlling terminal. Test vaults use a low
    /// work factor: `ASCVAULT_ALLOW_WEAK_VAULT` keeps the warning about it
    /// out of every stderr (tests of the warning remove it).
    pub fn new(cwd: &Path) -> Self {
        let mut command = Command::new(bin());
        command
            .current_dir(cwd)
            .env_clear()
            .env("ASCVAULT_ALLOW_WEAK_VAULT", "1");
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

    /// The command line as a shell would show it (arguments only).
    pub fn line(&self) -> String {
        let mut line = String::from("ascvault");
        for arg in self.command.get_args() {
            let arg = arg.to_string_lossy();
            line.push(' ');
            if arg.is_empty() || arg.contains(|c: char| c.is_whitespace() || c == '\'') {
                line.push_str(&format!("{arg:?}"));
            } else {
                line.push_str(&arg);
            }
        }
        line
    }

    /// Runs the command to the end and collects what it did.
    pub fn run(self) -> Outcome {
        let running = self.spawn();
        let output = running.child.wait_with_output().expect("wait for ascvault");
        Outcome::new(output, running.line)
    }

    /// Starts the command without waiting (stdout and stderr piped, stdin
    /// written and closed), for tests that kill or watch the process.
    pub fn spawn(mut self) -> Running {
        let line = self.line();
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
        Running { child, line }
    }

    /// Runs the command, killing it (SIGKILL) if it outlives `timeout`;
    /// `None` then. Output is drained on a thread so a chatty child cannot
    /// block.
    pub fn run_with_timeout(self, timeout: Duration) -> Option<Outcome> {
        let Running { child, line } = self.spawn();
        let pid = child.id();
        let (tx, rx) = mpsc::channel();
        thread::spawn(move || {
            let _ = tx.send(child.wait_with_output());
        });
        match rx.recv_timeout(timeout) {
            Ok(out) => Some(Outcome::new(out.expect("wait for ascvault"), line)),
            Err(_) => {
                sigkill(pid);
                None
            }
        }
    }
}

/// A started command.
#[must_use = "a started command should be waited for or killed"]
pub struct Running {
    pub child: Child,
    line: String,
}

impl Running {
    /// Waits for the end and collects what it did.
    pub fn wait(self) -> Outcome {
        let output = self.child.wait_with_output().expect("wait for ascvault");
        Outcome::new(output, self.line)
    }
}

fn sigkill(pid: u32) {
    let pid = i32::try_from(pid)
        .ok()
        .and_then(rustix::process::Pid::from_raw)
        .expect("child pid");
    let _ = rustix::process::kill_process(pid, rustix::process::Signal::KILL);
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

/// What a finished command did, before anything was checked.
#[must_use = "check the outcome: .success(), .fails(…), or read its output"]
pub struct Outcome {
    output: Output,
    line: String,
}

/// An outcome that passed at least one assertion: the value the assertion
/// chain hands on, free to drop at the end of a statement.
pub struct Checked(Outcome);

impl Checked {
    /// The outcome itself, to keep (say, in a table of outcomes).
    pub fn into_outcome(self) -> Outcome {
        self.0
    }
}

impl Deref for Checked {
    type Target = Outcome;
    fn deref(&self) -> &Outcome {
        &self.0
    }
}

impl Outcome {
    pub fn new(output: Output, line: String) -> Outcome {
        Outcome { output, line }
    }

    /// The exit code; -1 when a signal ended the process.
    pub fn code(&self) -> i32 {
        self.output.status.code().unwrap_or(-1)
    }

    /// The exit code as a documented status.
    pub fn status(&self) -> ExitStatus {
        ExitStatus::of(self.code())
    }

    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.output.stdout).into_owned()
    }

    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }

    /// The command line that ran (arguments only, never the environment).
    pub fn line(&self) -> &str {
        &self.line
    }

    /// The command, its status and both streams, for a failure message.
    pub fn describe(&self) -> String {
        format!(
            "\n$ {}\n{}\n--- stdout\n{}--- stderr\n{}",
            self.line,
            self.status(),
            self.stdout(),
            self.stderr()
        )
    }

    #[track_caller]
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.output.stdout)
            .unwrap_or_else(|e| panic!("bad JSON ({e}): {}", self.describe()))
    }
}

/// Each assertion exists once, on [`Checked`]; an unchecked [`Outcome`]
/// gets the same method, which starts the chain.
macro_rules! assertions {
    ($($(#[$doc:meta])* fn $name:ident(&$self:ident $(, $arg:ident: $ty:ty)*) $body:block)*) => {
        impl Checked {
            $(
                $(#[$doc])*
                #[track_caller]
                pub fn $name(self $(, $arg: $ty)*) -> Checked {
                    let $self = &self.0;
                    $body
                    self
                }
            )*
        }

        impl Outcome {
            $(
                $(#[$doc])*
                #[track_caller]
                pub fn $name(self $(, $arg: $ty)*) -> Checked {
                    Checked(self).$name($($arg),*)
                }
            )*
        }
    };
}

assertions! {
    /// Asserts exit 0.
    fn success(&o) {
        assert_eq!(o.code(), 0, "expected success:{}", o.describe());
    }

    /// Asserts the exit status, one clean `error:` line, and no panic.
    fn fails(&o, status: ExitStatus) {
        assert_eq!(o.code(), status.code(), "expected {status}:{}", o.describe());
        let err = o.stderr();
        assert!(!err.contains("panicked"), "panic:{}", o.describe());
        assert_eq!(
            err.lines().filter(|l| l.starts_with("error:")).count(),
            1,
            "expected one error line:{}",
            o.describe()
        );
    }

    /// Asserts the exit status alone: for outcomes that are not errors of
    /// ours (clap's usage errors, `check` finding problems).
    fn exits(&o, status: ExitStatus) {
        assert_eq!(o.code(), status.code(), "expected {status}:{}", o.describe());
    }

    fn stdout_has(&o, needle: &str) {
        assert!(o.stdout().contains(needle), "stdout lacks {needle:?}:{}", o.describe());
    }

    fn stdout_lacks(&o, needle: &str) {
        assert!(!o.stdout().contains(needle), "stdout has {needle:?}:{}", o.describe());
    }

    fn stderr_has(&o, needle: &str) {
        assert!(o.stderr().contains(needle), "stderr lacks {needle:?}:{}", o.describe());
    }

    /// Asserts all of stderr, for an error and its hint: every line, and
    /// nothing else.
    fn stderr_is(&o, expected: &str) {
        assert_eq!(o.stderr(), expected, "stderr differs:{}", o.describe());
    }
}
