//! Errors at the edge: one line saying what went wrong, an optional hint
//! saying what to do, and the documented exit code.

use std::fmt;
use std::process::ExitCode;

use crate::vault::{InvalidInput, VaultError};

/// How the process ends: the documented exit codes (README, spec/FORMAT.md
/// §8), plus the child's own status for `run`. Turned into a process exit
/// code in one place, [`ExitStatus::code`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExitStatus {
    /// 0: success.
    Success,
    /// 1: any other failure.
    Failure,
    /// 2: wrong usage (unknown flag, missing argument, conflicting sources).
    Usage,
    /// 3: the vault cannot be unlocked (wrong passphrase, damaged or foreign file).
    Unlock,
    /// 4: no entry with that label.
    NoEntry,
    /// 5: the entry is revoked.
    Revoked,
    /// 6: App Store Connect refused the request.
    Refused,
    /// 7: network failure after retries.
    Network,
    /// The exit code of the program `run` started (128 + N for a signal).
    External(u8),
}

impl ExitStatus {
    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            ExitStatus::Success => 0,
            ExitStatus::Failure => 1,
            ExitStatus::Usage => 2,
            ExitStatus::Unlock => 3,
            ExitStatus::NoEntry => 4,
            ExitStatus::Revoked => 5,
            ExitStatus::Refused => 6,
            ExitStatus::Network => 7,
            ExitStatus::External(code) => code,
        }
    }
}

impl From<ExitStatus> for ExitCode {
    fn from(status: ExitStatus) -> ExitCode {
        ExitCode::from(status.code())
    }
}

/// A failure to report: message, hint, exit code.
#[derive(Debug)]
pub struct CliError {
    /// What went wrong, one line.
    pub message: String,
    /// What to do about it.
    pub hint: Option<String>,
    /// The exit code.
    pub code: ExitStatus,
}

impl CliError {
    /// A failure with exit code 1.
    pub fn new(message: impl Into<String>) -> Self {
        CliError {
            message: message.into(),
            hint: None,
            code: ExitStatus::Failure,
        }
    }

    /// A usage error (exit code 2).
    pub fn usage(message: impl Into<String>) -> Self {
        CliError {
            message: message.into(),
            hint: None,
            code: ExitStatus::Usage,
        }
    }

    /// Adds a hint.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Sets the exit code.
    pub fn code(mut self, code: ExitStatus) -> Self {
        self.code = code;
        self
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl From<VaultError> for CliError {
    fn from(err: VaultError) -> Self {
        use crate::vault::UnlockError as U;
        let message = err.to_string();
        let (code, hint): (ExitStatus, Option<String>) = match &err {
            VaultError::Missing { .. } => (
                ExitStatus::Failure,
                Some("create one with `ascvault init`, or point --vault (or ASCVAULT_VAULT) at yours".into()),
            ),
            VaultError::AlreadyExists { .. } => (ExitStatus::Failure, Some("init never overwrites a file; choose another --vault path".into())),
            VaultError::Unlock { source, .. } => (
                ExitStatus::Unlock,
                Some(match source {
                    U::WrongPassphrase => "check the passphrase; if you are sure of it, the file's header may be damaged: restore it from git history".into(),
                    U::NotAge | U::Empty => "this file is not an ascvault vault; check --vault".into(),
                    U::NotPassphrase { .. } => "ascvault vaults are encrypted to a passphrase (`age -p`); decrypt this one with its identity file".into(),
                    U::WorkFactorTooHigh { .. } => "refused before doing any work; a vault written by ascvault or `age -p` never asks for this much".into(),
                    _ => "the file was altered or cut short; restore it from git history or a backup".into(),
                }),
            ),
            VaultError::Format { .. } => (
                ExitStatus::Unlock,
                Some("the file decrypted, but its content is not a vault this version can read; `age -d` shows it".into()),
            ),
            VaultError::NoSuchEntry { .. } => (ExitStatus::NoEntry, Some("`ascvault list --all` shows every label".into())),
            VaultError::Revoked { .. } => (ExitStatus::Revoked, Some("a revoked entry is never used again; add a new one".into())),
            VaultError::LabelTaken { .. } => (ExitStatus::Failure, Some("labels are unique (ignoring case); pick another or `ascvault relabel` the old one".into())),
            VaultError::LockTimeout { .. } => (ExitStatus::Failure, Some("wait for the other process to finish, then try again".into())),
            VaultError::Invalid(InvalidInput::PasswordFormat) => (
                ExitStatus::Failure,
                Some("copy it from appleid.apple.com exactly as shown; --no-format-check stores it as typed".into()),
            ),
            VaultError::Invalid(InvalidInput::PrivateKey) => (
                ExitStatus::Failure,
                Some("use the AuthKey_<KEYID>.p8 file App Store Connect let you download".into()),
            ),
            VaultError::Io { action, path, source } => {
                return io_error(action, path, source);
            }
            VaultError::Invalid(_) => (ExitStatus::Failure, None),
            VaultError::UnsupportedKind { .. } => (ExitStatus::Failure, Some("upgrade ascvault to use this entry".into())),
            _ => (ExitStatus::Failure, None),
        };
        CliError {
            message,
            hint,
            code,
        }
    }
}

/// I/O failures the user can act on get their own words and a hint; the
/// rest keep the OS message. The atomic write means none of them changed
/// the vault, and the hints say so.
fn io_error(action: &str, path: &std::path::Path, source: &std::io::Error) -> CliError {
    use std::io::ErrorKind as K;
    let path = path.display();
    let (what, hint) = match source.kind() {
        K::StorageFull | K::QuotaExceeded => (
            "the disk is full",
            "the vault was not changed; free some space on the disk that holds it, then try again",
        ),
        K::ReadOnlyFilesystem => (
            "the file system is read-only",
            "writing needs a writable directory: ascvault writes a temporary file beside the vault, then renames it over the vault; the vault was not changed",
        ),
        K::PermissionDenied => (
            "permission denied",
            "writing needs a writable directory: ascvault writes a temporary file beside the vault, then renames it over the vault; the vault was not changed",
        ),
        K::IsADirectory => {
            return CliError::new(format!("{path} is a directory, not a vault file"))
                .hint("point --vault (or ASCVAULT_VAULT) at the vault file itself");
        }
        _ => return CliError::new(format!("{action} {path}: {source}")),
    };
    CliError::new(format!("{action} {path}: {what}")).hint(hint)
}

/// Result of a command.
pub type CliResult<T = ()> = Result<T, CliError>;

// Metrics errors

impl From<crate::asc::download::DownloadError> for CliError {
    fn from(err: crate::asc::download::DownloadError) -> Self {
        use crate::asc::download::DownloadError as D;
        let e = CliError::new(err.to_string());
        match err {
            D::Checksum { .. } | D::Size { .. } | D::Gzip { .. } => e.hint(
                "nothing was kept under the final name; run the command again (complete segments are skipped)",
            ),
            D::Status { .. } => e.code(ExitStatus::Refused).hint(
                "segment URLs expire after a few minutes; run the command again to get fresh ones",
            ),
            D::Network { .. } => e
                .code(ExitStatus::Network)
                .hint("run the command again: complete segments are skipped"),
            D::Io { .. } | D::HeaderMismatch { .. } | D::Setup(_) => e,
        }
    }
}

impl From<crate::asc::analytics::PlanError> for CliError {
    fn from(err: crate::asc::analytics::PlanError) -> Self {
        use super::output::sanitize;
        use crate::asc::analytics::PlanError as P;
        match err {
            P::Asc(e) => e.into(),
            P::NoSuchReport { app, report, names } => CliError::new(format!(
                "app {app} has no report named {:?}",
                sanitize(&report)
            ))
            .hint(if names.is_empty() {
                "it has no reports at all: `ascvault metrics request --app …` first".to_owned()
            } else {
                format!("`ascvault metrics reports --app {app}` lists them")
            }),
            P::NoInstances { report } => {
                CliError::new(format!("no instances of {:?} match", sanitize(&report))).hint(
                    "instances are kept about 35 days; widen --since/--until or drop --granularity",
                )
            }
        }
    }
}

impl From<crate::asc::sales::ReportError> for CliError {
    fn from(err: crate::asc::sales::ReportError) -> Self {
        use crate::asc::sales::ReportError as R;
        match err {
            R::Asc(e) => e.into(),
            R::Gzip(_) | R::Write(_) | R::MissingColumn(_) => CliError::new(err.to_string()),
        }
    }
}
