//! Running a command on a real pseudo-terminal, for prompts (ours and the Go
//! age CLI's, which reads passphrases only from a terminal).

use std::process::Command;

use nix::sys::wait::WaitStatus;
use rexpect::session::PtySession;

use super::ExitStatus;

/// Spawns `command` on a new pty; every expectation times out after 30 s.
pub fn spawn(command: Command) -> PtySession {
    rexpect::session::spawn_command(command, Some(30_000)).expect("spawn on a pty")
}

/// Waits for the process and returns its exit status.
#[track_caller]
pub fn exit_status(session: &mut PtySession) -> ExitStatus {
    match session.process().wait().expect("wait for pty child") {
        WaitStatus::Exited(_, code) => ExitStatus::of(code),
        other => panic!("pty child did not exit normally: {other:?}"),
    }
}

/// A `Command` for the built ascvault with a scrubbed environment.
pub fn ascvault(cwd: &std::path::Path, vault: &std::path::Path) -> Command {
    let mut c = Command::new(super::bin());
    c.current_dir(cwd).env_clear().env("ASCVAULT_VAULT", vault);
    for keep in ["PATH", "HOME", "TMPDIR"] {
        if let Some(v) = std::env::var_os(keep) {
            c.env(keep, v);
        }
    }
    c
}

/// True when the Go age CLI is installed (CI installs it).
pub fn have_age() -> bool {
    Command::new("age")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}
