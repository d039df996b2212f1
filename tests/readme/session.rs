//! A reader's terminal session: a folder, the variables they exported, a
//! stand-in App Store Connect, and each command run by `sh -c` on a real
//! pseudo-terminal, its prompts answered as the README says.
//!
//! What differs from a reader's machine, each printed when the README test
//! runs:
//! - `ascvault init` gets `--work-factor 10` (the vault's KDF at the
//!   default 18 would cost about a second per command); the line it prints
//!   is checked with "(work factor 10)" for the README's "(work factor
//!   18)", and `readme_init_line_at_the_default_work_factor` checks the
//!   README's line as written, at 18. The warning `init --work-factor 10`
//!   prints is dropped from its output. `ASCVAULT_ALLOW_WEAK_VAULT=1`
//!   silences the warning a work factor of 10 brings (it also lets a weak
//!   passphrase through, but the one typed here is strong).
//! - The stand-in listens on a free port: `127.0.0.1:8080` in commands
//!   becomes that address, and that address in the output becomes
//!   `127.0.0.1:8080` again.
//! - The README was written on 2026-11-25: today's date (UTC) in the
//!   output becomes that date.
//! - git commits as "Reader" (the session's `HOME` has no git config) and
//!   without the system's git config.
//! - `fastlane`, `xcrun` and `xcodebuild` are stand-ins that print nothing
//!   (`tests/run/recipes.rs` checks what they are given).

use std::path::{Path, PathBuf};
use std::process::Command as Process;

use std::io::{Read, Write};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use asc_standin::Standin;
use nix::sys::wait::WaitStatus;
use rexpect::process::PtyProcess;

use super::parse::Command;
use super::screen;

/// What differs from a reader's machine, one line each, printed by the
/// README test (the module comment says why).
pub const DIFFERENCES: [&str; 7] = [
    "`ascvault identity new` runs with --work-factor 10 too (the same comparison, its warning dropped), and every team member types the session's one passphrase at `Passphrase of member NAME:`",
    "`ascvault init` runs with --work-factor 10, and its \"(work factor 10)\" is compared with the README's \"(work factor 18)\" (readme_init_line_at_the_default_work_factor checks that line at 18); the warning --work-factor 10 prints is dropped",
    "ASCVAULT_ALLOW_WEAK_VAULT=1, so work factor 10 brings no warning",
    "the stand-in listens on a free port, shown as 127.0.0.1:8080",
    "today's date (UTC) is shown as the README's 2026-11-25",
    "git commits as Reader <reader@example.com> (GIT_AUTHOR_*, GIT_COMMITTER_*), without the system's git config",
    "fastlane, xcrun and xcodebuild are stand-ins that print nothing (tests/run/recipes.rs checks what they get)",
];

/// The passphrase typed at every passphrase prompt: one the strength
/// estimate accepts without a question.
pub const PASSPHRASE: &str = "plinth mozzarella quasar tundra 97";
/// The app-specific password pasted when the command's comment names none.
const DEFAULT_PASSWORD: &str = asc_standin::VALID_APP_PASSWORD;
/// The date the README's examples were written on.
pub const README_DATE: &str = "2026-11-25";
/// The work factor `init` gets here instead of the default.
pub const WORK_FACTOR: &str = "10";

/// Who commits: a reader's git knows, the session's empty `HOME` does not.
const GIT_IDENTITY: [(&str, &str); 4] = [
    ("GIT_AUTHOR_NAME", "Reader"),
    ("GIT_AUTHOR_EMAIL", "reader@example.com"),
    ("GIT_COMMITTER_NAME", "Reader"),
    ("GIT_COMMITTER_EMAIL", "reader@example.com"),
];

/// The tools the README runs through `ascvault run` that are not here.
const TOOL_STANDINS: [&str; 3] = ["fastlane", "xcrun", "xcodebuild"];

/// One reader's session.
pub struct Session {
    pub dir: tempfile::TempDir,
    /// `export`/`cd` lines run so far, run again before each command.
    prelude: String,
    pub server: Standin,
    /// The folder put first on PATH, outside the reader's folder:
    /// `ascvault` and the tool stand-ins.
    tools: tempfile::TempDir,
}

/// What one command did, as the reader's terminal shows it.
pub struct Ran {
    pub lines: Vec<String>,
    pub code: i32,
}

impl Session {
    pub fn new() -> Session {
        let dir = tempfile::tempdir().expect("temp dir");
        let tools = tempfile::tempdir().expect("temp dir");
        std::os::unix::fs::symlink(crate::support::bin(), tools.path().join("ascvault")).unwrap();
        for tool in TOOL_STANDINS {
            let path = tools.path().join(tool);
            std::fs::write(&path, "#!/bin/sh\nexit 0\n").unwrap();
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        Session {
            dir,
            prelude: String::new(),
            server: Standin::start(),
            tools,
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `host:port` of the stand-in.
    fn address(&self) -> String {
        self.server
            .url()
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_owned()
    }

    /// The command line as run here (see the module comment).
    pub fn adapt(&self, text: &str) -> String {
        let text = text.replace("127.0.0.1:8080", &self.address());
        with_work_factor(&text)
    }

    /// Runs `command` on a pty and returns what the terminal showed.
    pub fn run(&mut self, command: &Command) -> Ran {
        let line = self.adapt(&command.text);
        let mut process = Process::new("sh");
        process
            .arg("-c")
            .arg(format!("{}{line}", self.prelude))
            .current_dir(self.dir.path())
            .env_clear()
            .env("PATH", path_with(self.tools.path()))
            .env("HOME", self.dir.path())
            .env("ASCVAULT_ALLOW_WEAK_VAULT", "1")
            .env("GIT_CONFIG_NOSYSTEM", "1");
        for (key, value) in GIT_IDENTITY {
            process.env(key, value);
        }
        for keep in ["TMPDIR", "LANG"] {
            if let Some(v) = std::env::var_os(keep) {
                process.env(keep, v);
            }
        }
        let password = pasted(command.comment.as_deref());
        let (shown, code) = on_a_terminal(process, password)
            .unwrap_or_else(|why| panic!("README.md:{}: $ {line}\n{why}", command.line));
        if is_state(&line) {
            self.prelude.push_str(&line);
            self.prelude.push('\n');
        }
        let today = time::OffsetDateTime::now_utc().date().to_string();
        let lines = screen::render(&String::from_utf8_lossy(&shown))
            .into_iter()
            .map(|l| {
                l.replace(&self.address(), "127.0.0.1:8080")
                    .replace(&today, README_DATE)
            })
            .collect();
        Ran { lines, code }
    }
}

/// The prompts answered, and with what: the passphrase, the password to
/// paste, or `y`.
const PROMPTS: [(&str, Answer); 5] = [
    ("New passphrase: ", Answer::Passphrase),
    ("Repeat the passphrase: ", Answer::Passphrase),
    ("Vault passphrase: ", Answer::Passphrase),
    (
        "App-specific password (xxxx-xxxx-xxxx-xxxx): ",
        Answer::Password,
    ),
    ("[y/N] ", Answer::Yes),
];

/// Whether the terminal's last line is a team member's passphrase prompt
/// (`Passphrase of member bob: `): every member types the session's one
/// passphrase (their identities still differ).
fn asks_a_members_passphrase(pending: &[u8]) -> bool {
    let text = String::from_utf8_lossy(pending);
    let last = text.rsplit(['\n', '\r']).next().unwrap_or("");
    last.starts_with("Passphrase of member ") && last.ends_with(": ")
}

#[derive(Clone, Copy)]
enum Answer {
    Passphrase,
    Password,
    Yes,
}

/// How long one command may take, prompts included.
const PATIENCE: Duration = Duration::from_secs(60);

/// Runs `process` on a new pty, answering prompts as they appear at the
/// end of the output (the program is then waiting), until the terminal
/// closes. Returns the bytes the terminal got, with what a terminal would
/// echo of a visible answer (the pty itself does not echo: echo is off),
/// and the exit code; or why it could not.
fn on_a_terminal(process: Process, password: &str) -> Result<(Vec<u8>, i32), String> {
    let pty = PtyProcess::new(process).map_err(|e| format!("cannot start on a pty: {e}"))?;
    let mut input = pty.get_file_handle().map_err(|e| e.to_string())?;
    let mut output = pty.get_file_handle().map_err(|e| e.to_string())?;
    let (tx, rx) = mpsc::channel::<Vec<u8>>();
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        // Linux answers EIO, macOS 0, once the terminal's last user closed it.
        while let Ok(n @ 1..) = output.read(&mut buf) {
            if tx.send(buf[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    let deadline = Instant::now() + PATIENCE;
    let mut shown = Vec::new();
    let mut answered = 0;
    loop {
        let wait = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(wait) {
            Ok(bytes) => shown.extend(bytes),
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                return Err(format!(
                    "still running after {PATIENCE:?}; the terminal showed:\n{}",
                    String::from_utf8_lossy(&shown)
                ));
            }
        }
        let pending = &shown[answered..];
        let Some(answer) = PROMPTS
            .iter()
            .find(|(p, _)| pending.ends_with(p.as_bytes()))
            .map(|(_, answer)| *answer)
            .or_else(|| asks_a_members_passphrase(pending).then_some(Answer::Passphrase))
        else {
            continue;
        };
        let typed = match answer {
            Answer::Passphrase => PASSPHRASE,
            Answer::Password => password,
            Answer::Yes => {
                shown.extend(b"y\n");
                "y"
            }
        };
        input
            .write_all(format!("{typed}\n").as_bytes())
            .map_err(|e| format!("cannot type at the terminal: {e}"))?;
        answered = shown.len();
    }
    let code = match pty.wait().map_err(|e| e.to_string())? {
        WaitStatus::Exited(_, code) => code,
        other => return Err(format!("did not exit: {other:?}")),
    };
    Ok((shown, code))
}

/// The app-specific password a command's comment says to paste
/// (`# paste abcd-efgh-ijkl-mnop`), else one the stand-in accepts.
fn pasted(comment: Option<&str>) -> &str {
    comment
        .and_then(|c| c.split_once("paste "))
        .and_then(|(_, rest)| rest.split_whitespace().next())
        .filter(|word| word.len() == 19 && word.split('-').count() == 4)
        .unwrap_or(DEFAULT_PASSWORD)
}

/// The exit status a command's comment announces (`# exits 6`), else 0.
pub fn expected_code(comment: Option<&str>) -> i32 {
    comment
        .and_then(|c| c.split_once("exits "))
        .and_then(|(_, rest)| {
            rest.split(|c: char| !c.is_ascii_digit())
                .next()
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

/// Whether the session runs `text` at a lower work factor than the README
/// shows: an `ascvault init` or `ascvault identity new` that gives none.
pub fn lowers_work_factor(text: &str) -> bool {
    (text.contains("ascvault init") || text.contains(IDENTITY_NEW))
        && !text.contains("--work-factor")
}

/// A team member's new identity file (`ascvault identity new NAME`),
/// made at the test's work factor too.
const IDENTITY_NEW: &str = "ascvault identity new ";

/// `ascvault init` (and `identity new`) with the test's work factor,
/// unless the README gives one.
fn with_work_factor(text: &str) -> String {
    if !lowers_work_factor(text) {
        return text.to_owned();
    }
    text.replace(
        "ascvault init",
        &format!("ascvault init --work-factor {WORK_FACTOR}"),
    )
    .replace(
        IDENTITY_NEW,
        &format!("ascvault identity new --work-factor {WORK_FACTOR} "),
    )
}

/// True for a command whose effect later commands rely on: `export`, `cd`.
fn is_state(line: &str) -> bool {
    let first = line.split_whitespace().next().unwrap_or("");
    matches!(first, "export" | "cd" | "unset")
}

fn path_with(first: &Path) -> String {
    format!(
        "{}:{}",
        first.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

#[test]
fn comments_say_what_to_paste_and_which_exit_status_to_expect() {
    assert_eq!(
        pasted(Some("paste wxyz-wxyz-wxyz-wxyz (revoked)")),
        "wxyz-wxyz-wxyz-wxyz"
    );
    assert_eq!(pasted(Some("paste it; hidden")), DEFAULT_PASSWORD);
    assert_eq!(expected_code(Some("verify exits 6: Apple rejected one")), 6);
    assert_eq!(expected_code(None), 0);
    assert_eq!(
        with_work_factor("ascvault init   # asks"),
        "ascvault init --work-factor 10   # asks"
    );
}

#[test]
fn a_members_passphrase_prompt_is_answered_and_identity_new_runs_at_the_test_work_factor() {
    assert!(asks_a_members_passphrase(
        b"created x\nPassphrase of member bob: "
    ));
    assert!(!asks_a_members_passphrase(
        b"Passphrase of member bob: \nok\n"
    ));
    assert!(!asks_a_members_passphrase(b"Vault passphrase: "));
    assert_eq!(
        with_work_factor("ascvault identity new bob   # his file"),
        "ascvault identity new --work-factor 10 bob   # his file"
    );
    assert_eq!(
        with_work_factor("ascvault identity new bob --work-factor 12"),
        "ascvault identity new bob --work-factor 12"
    );
    assert!(!lowers_work_factor("ascvault identity passwd bob"));
}
