//! Errors at the edge: one line saying what went wrong, an optional hint
//! saying what to do, and the documented exit code.
//!
//! Every library error becomes a [`CliError`] here, and nowhere else: each
//! `From` below matches every variant by name, so a new variant does not
//! compile until someone chooses its exit code and hint. Commands that know
//! more context than the library (metrics' 403, the merge driver's three
//! files) replace the hint where they run. `error/tests.rs` is the
//! catalogue: every variant with its exit code, message and hint.

use std::fmt;
use std::io;
use std::path::Path;
use std::process::ExitCode;

use super::sanitize::sanitize;
use super::source::{PASSPHRASE_ENV, SourceError};
use crate::asc::AscError;
use crate::asc::apps::ResolveError;
use crate::vault::{InvalidInput, UnlockError, VaultError};
use refusal::refusal_hint;

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

    /// The status `run` passes on from its child: the child's exit code, or
    /// 128 + N when a signal N killed it (the shell convention); 1 when
    /// neither fits in an exit code.
    pub fn of_child(status: std::process::ExitStatus) -> ExitStatus {
        let external =
            |code: i32| u8::try_from(code).map_or(ExitStatus::Failure, ExitStatus::External);
        if let Some(code) = status.code() {
            return external(code);
        }
        #[cfg(unix)]
        {
            use std::os::unix::process::ExitStatusExt;
            if let Some(signal) = status.signal() {
                return external(128 + signal);
            }
        }
        ExitStatus::Failure
    }
}

/// Every documented exit status, in order, with what it means: the one
/// source of the man pages' EXIT STATUS section; README "Exit codes" and
/// spec/FORMAT.md §8 say the same (`tests/polish/man.rs` checks README's).
pub const DOCUMENTED: [(ExitStatus, &str); 9] = [
    (ExitStatus::Success, "success"),
    (
        ExitStatus::Failure,
        "other failure (bad input, I/O, label taken, check findings), or a confirmation answered no (nothing changed)",
    ),
    (
        ExitStatus::Usage,
        "usage error (also: an app name several apps share), or no terminal for a prompt and no other source",
    ),
    (
        ExitStatus::Unlock,
        "cannot unlock: wrong passphrase (the vault's or a member's), damaged or foreign file, an identity that is not a member, a team vault without a member chosen",
    ),
    (
        ExitStatus::NoEntry,
        "no such entry (also: the entry a confirmation was about was removed meanwhile)",
    ),
    (
        ExitStatus::Revoked,
        "entry revoked (also: `add` of a secret a revoked entry holds)",
    ),
    (
        ExitStatus::Refused,
        "App Store Connect refused the request (also: no app with that id, bundle id or name)",
    ),
    (ExitStatus::Network, "network failure after retries"),
    (
        ExitStatus::External(0),
        "the exit status of the program `run` started (128 + N when signal N ended it)",
    ),
];

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
    /// The user answered no to a question: nothing went wrong, so the
    /// message is printed as a plain line, without `error:`.
    pub declined: bool,
}

impl CliError {
    /// A failure with exit code 1.
    pub fn new(message: impl Into<String>) -> Self {
        CliError {
            message: message.into(),
            hint: None,
            code: ExitStatus::Failure,
            declined: false,
        }
    }

    /// A usage error (exit code 2).
    pub fn usage(message: impl Into<String>) -> Self {
        CliError {
            message: message.into(),
            hint: None,
            code: ExitStatus::Usage,
            declined: false,
        }
    }

    /// The user answered no to a confirmation: `message` (what was not
    /// done, e.g. `nothing revoked`) is printed as a plain line, and the
    /// command exits 1 — it did not do what it was asked to, so a script's
    /// `&&` stops (README "Exit codes", spec/FORMAT.md §8).
    pub fn declined(message: impl Into<String>) -> Self {
        CliError {
            declined: true,
            ..CliError::new(message)
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

/// Result of a command.
pub type CliResult<T = ()> = Result<T, CliError>;

// Vault errors

impl From<VaultError> for CliError {
    fn from(err: VaultError) -> Self {
        let message = err.to_string();
        let (code, hint): (ExitStatus, Option<&str>) = match &err {
            VaultError::Missing { .. } => (
                ExitStatus::Failure,
                Some(
                    "create one with `ascvault init`, or point --vault (or ASCVAULT_VAULT) at yours",
                ),
            ),
            VaultError::AlreadyExists { .. } => (
                ExitStatus::Failure,
                Some("init never overwrites a file; choose another --vault path"),
            ),
            VaultError::IsDirectory { path } => {
                let inside = path.join("ascvault.age");
                return CliError::new(message).hint(format!(
                    "init creates a file; to put the vault in that folder, pass --vault {}",
                    inside.display()
                ));
            }
            VaultError::NoFolder { folder, .. } => {
                let folder = folder.display();
                return CliError::new(message).hint(format!(
                    "create the folder first (mkdir -p {folder}), or choose another --vault path"
                ));
            }
            VaultError::Io {
                action,
                path,
                source,
            } => return io_error(action, path, source),
            VaultError::LockTimeout { .. } => (
                ExitStatus::Failure,
                Some("wait for the other process to finish, then try again"),
            ),
            VaultError::Unlock { source, .. } => (ExitStatus::Unlock, Some(unlock_hint(source))),
            VaultError::Format { .. } => (
                ExitStatus::Unlock,
                Some(
                    "the file decrypted, but its content is not a vault this version can read; `age -d` shows it",
                ),
            ),
            VaultError::Invalid(invalid) => (ExitStatus::Failure, invalid_hint(invalid)),
            VaultError::NoSuchEntry { .. } => (
                ExitStatus::NoEntry,
                Some("`ascvault list --all` shows every label"),
            ),
            VaultError::Revoked { .. } => (
                ExitStatus::Revoked,
                Some("a revoked entry is never used again; add a new one"),
            ),
            VaultError::LabelTaken { .. } => (
                ExitStatus::Failure,
                Some(
                    "labels are unique (ignoring case); pick another or `ascvault relabel` the old one",
                ),
            ),
            VaultError::SecretRevoked { .. } => (
                ExitStatus::Revoked,
                Some(
                    "a revoked credential is never used again: create a new one at Apple and add that",
                ),
            ),
            VaultError::EntryGone { .. } => (
                ExitStatus::NoEntry,
                Some("nothing was changed; `ascvault list --all` shows what is there now"),
            ),
            VaultError::EntryChanged { .. } => (
                ExitStatus::Failure,
                Some("nothing was changed; look at it again (`ascvault show LABEL`) and retry"),
            ),
            VaultError::UnsupportedKind { .. } => (
                ExitStatus::Failure,
                Some("upgrade ascvault to use this entry"),
            ),
            VaultError::Encrypt(_) => (ExitStatus::Failure, None),
            VaultError::MemberExists { .. } | VaultError::RecipientTaken { .. } => (
                ExitStatus::Failure,
                Some("`ascvault member list` shows the members"),
            ),
            VaultError::NoSuchMember { .. } => (
                ExitStatus::NoEntry,
                Some("`ascvault member list` shows the members"),
            ),
            VaultError::LastMember { .. } => (
                ExitStatus::Failure,
                Some(
                    "add another member first, or make it a passphrase vault with `ascvault convert --to-passphrase`",
                ),
            ),
            VaultError::NotTeam(_) => (ExitStatus::Failure, None),
        };
        CliError {
            message,
            hint: hint.map(str::to_owned),
            code,
            declined: false,
        }
    }
}

/// What to do when a vault does not unlock (always exit 3): users act
/// differently on a wrong passphrase, a foreign file and a damaged one.
fn unlock_hint(err: &UnlockError) -> &'static str {
    match err {
        UnlockError::WrongPassphrase => {
            "check the passphrase; if you are sure of it, the file's header may be damaged: restore it from git history"
        }
        UnlockError::NotAge | UnlockError::Empty => {
            "this file is not an ascvault vault; check --vault"
        }
        UnlockError::NotPassphrase { .. } => {
            "ascvault vaults are encrypted to a passphrase (`age -p`) or to members' X25519/SSH keys; decrypt this one with its identity file"
        }
        UnlockError::MixedWithPassphrase => {
            "age refuses a file encrypted to a passphrase and to keys at once; this is not an ascvault vault"
        }
        UnlockError::TeamVault { .. } => {
            "pass --member NAME (or ASCVAULT_MEMBER) or --identity FILE (or ASCVAULT_IDENTITY)"
        }
        UnlockError::PassphraseVault => "this vault opens with its passphrase: drop --identity",
        UnlockError::NotAMember { .. } => {
            "use the identity of a member: `ascvault member list` (run by a member) shows them"
        }
        UnlockError::WorkFactorTooHigh { .. } => {
            "refused before doing any work; a vault written by ascvault or `age -p` never asks for this much"
        }
        UnlockError::ConflictMarkers => {
            "nothing is lost: `git merge --abort` brings your version back; then run `ascvault git setup` in this clone \
             and pull again (the ascvault merge driver merges entry by entry); if the merge is already committed, \
             `git checkout HEAD^1 -- <vault>` restores your version"
        }
        UnlockError::Damaged { .. } => {
            "the file was altered or cut short; restore it from git history or a backup"
        }
    }
}

/// What to do about rejected input (always exit 1). Most messages already
/// say what the rule is; the two whose fix is not obvious get a hint.
fn invalid_hint(err: &InvalidInput) -> Option<&'static str> {
    match err {
        InvalidInput::PasswordFormat => Some(
            "copy it from appleid.apple.com exactly as shown; --no-format-check stores it as typed",
        ),
        InvalidInput::PrivateKey => {
            Some("use the AuthKey_<KEYID>.p8 file App Store Connect let you download")
        }
        InvalidInput::Recipient { .. } => Some(
            "give an age recipient (age1…, as `age-keygen -y` or `ascvault identity new` prints) or an SSH ed25519/RSA .pub line",
        ),
        InvalidInput::Identity { .. } => Some(
            "give an age identity file, an SSH ed25519/RSA private key, or an identity file encrypted with `age -p`",
        ),
        InvalidInput::MemberName(_)
        | InvalidInput::Label { .. }
        | InvalidInput::AppleId(_)
        | InvalidInput::KeyId(_)
        | InvalidInput::IssuerId(_)
        | InvalidInput::VendorNumber(_)
        | InvalidInput::EmptyPassphrase
        | InvalidInput::WorkFactor(_)
        | InvalidInput::TeamId(_)
        | InvalidInput::Provider(_)
        | InvalidInput::WrongKind { .. } => None,
    }
}

/// I/O failures the user can act on get their own words and a hint; the
/// rest keep the OS message. The atomic write means none of them changed
/// the vault, and the hints say so.
fn io_error(action: &str, path: &Path, source: &io::Error) -> CliError {
    use io::ErrorKind as K;
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
        // `ErrorKind` is std's and open-ended: every other kind keeps the
        // OS message, so a new kind needs no decision here.
        _ => return CliError::new(format!("{action} {path}: {source}")),
    };
    CliError::new(format!("{action} {path}: {what}")).hint(hint)
}

// App Store Connect errors

/// The hint for an answer from App Store Connect that we cannot use.
const UNREADABLE_ANSWER: &str = "App Store Connect sent an answer this version cannot read; try again, and report it if it persists";

/// The hint for an answer larger than ascvault reads.
const OVERSIZED_ANSWER: &str = "App Store Connect never sends so much; check --api-base (ASCVAULT_API_BASE), and report it if it persists";

impl From<AscError> for CliError {
    fn from(err: AscError) -> Self {
        let message = err.to_string();
        let (code, hint): (ExitStatus, Option<&str>) = match &err {
            AscError::Refused { .. } => {
                return CliError {
                    hint: refusal_hint(&err),
                    message,
                    code: ExitStatus::Refused,
                    declined: false,
                };
            }
            AscError::Network {
                timed_out: true, ..
            } => (
                ExitStatus::Network,
                Some("no answer within --timeout; raise it or try again later"),
            ),
            AscError::Network {
                timed_out: false, ..
            } => (
                ExitStatus::Network,
                Some("check the network connection and --api-base (ASCVAULT_API_BASE)"),
            ),
            AscError::Decode { .. } => (ExitStatus::Failure, Some(UNREADABLE_ANSWER)),
            AscError::Key(_) => (
                ExitStatus::Failure,
                Some("add the key again from its AuthKey_<KEYID>.p8 file"),
            ),
            AscError::BadBase(_) | AscError::BadId(_) => (ExitStatus::Usage, None),
            // A server fault, like Decode: not the user's usage.
            AscError::BadLink(_) | AscError::Paging { .. } => {
                (ExitStatus::Failure, Some(UNREADABLE_ANSWER))
            }
            AscError::TooLarge { .. } => (ExitStatus::Failure, Some(OVERSIZED_ANSWER)),
            // Our own set-up failed (TLS backend, token cache): not usage.
            AscError::Setup(_) => (ExitStatus::Failure, None),
        };
        CliError {
            message,
            hint: hint.map(str::to_owned),
            code,
            declined: false,
        }
    }
}

impl From<ResolveError> for CliError {
    fn from(err: ResolveError) -> Self {
        match err {
            ResolveError::Asc(e) => e.into(),
            // The exit code of an unknown app id (Apple's 404), so a
            // script need not care how the app was named.
            ResolveError::Unknown(_) => CliError::new(err.to_string())
                .code(ExitStatus::Refused)
                .hint("`ascvault apps` lists the apps this key can see, with their bundle ids and names (names match exactly, case included)"),
            ResolveError::Ambiguous { .. } => CliError::usage(err.to_string())
                .hint("pass the app id or the bundle id instead of the name"),
            ResolveError::Malformed(_) => CliError::usage(err.to_string())
                .hint("--app takes the numeric app id, the bundle id (com.example.app) or the app's exact name"),
        }
    }
}

// Secret sources

impl From<SourceError> for CliError {
    fn from(err: SourceError) -> Self {
        let message = err.to_string();
        match err {
            SourceError::Unreadable { .. }
            | SourceError::NotUtf8 { .. }
            | SourceError::EnvNotUtf8
            | SourceError::Terminal(_)
            | SourceError::Mismatch => CliError::new(message),
            SourceError::NoTerminal | SourceError::NoSource => {
                CliError::usage(message).hint(format!(
                    "pass --passphrase-file PATH or set {} (meant for CI)",
                    PASSPHRASE_ENV
                ))
            }
            SourceError::EmptyNew => CliError::new(message)
                .hint("choose a long passphrase: it is all that protects the file"),
        }
    }
}

// Serialization of our own values

impl From<serde_json::Error> for CliError {
    fn from(err: serde_json::Error) -> Self {
        CliError::new(err.to_string())
    }
}

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
            D::Deadline { .. } => e.code(ExitStatus::Network).hint(
                "a transfer this slow is stopped; on a slow link raise --segment-deadline (seconds), then run the command again",
            ),
            D::TooLarge { .. } => e.hint(
                "nothing was kept under the final name; if the report really is that large, raise --max-segment-bytes",
            ),
            D::RunTooLarge { .. } => e.hint(
                "complete segments were kept, nothing partial; if the report really is that large, raise --max-download-bytes and run the command again",
            ),
            D::BadUrl { .. } => e.hint(format!(
                "segment URLs must be https (plain http only to loopback), with at most {} redirects that stay https; the server sent something else, and nothing was fetched from it",
                crate::asc::download::MAX_REDIRECTS
            )),
            D::UnsafeName { .. } => e.hint("the server sent a segment id or date that cannot be a file name; nothing was written"),
            D::Io { .. } | D::HeaderMismatch { .. } | D::Setup(_) => e,
        }
    }
}

impl From<crate::asc::analytics::PlanError> for CliError {
    fn from(err: crate::asc::analytics::PlanError) -> Self {
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
            P::BadDate { .. } | P::SameFile { .. } => CliError::new(err.to_string()).hint(
                "App Store Connect sent a listing that cannot be turned into safe file names; nothing was downloaded",
            ),
        }
    }
}

/// Overrides the cap on a sales or finance report's decompressed size.
pub const MAX_REPORT_BYTES_ENV: &str = "ASCVAULT_MAX_REPORT_BYTES";

impl From<crate::asc::sales::ReportError> for CliError {
    fn from(err: crate::asc::sales::ReportError) -> Self {
        use crate::asc::sales::ReportError as R;
        match err {
            R::Asc(e) => e.into(),
            R::TooLarge { .. } => CliError::new(format!("{err} ({MAX_REPORT_BYTES_ENV})")).hint(
                "a small answer that decompresses to this much is a gzip bomb; if the report is genuine, set ASCVAULT_MAX_REPORT_BYTES to a larger number of bytes",
            ),
            R::Gzip(_) | R::Write(_) | R::MissingColumn(_) | R::Malformed(_) => {
                CliError::new(err.to_string())
            }
        }
    }
}

mod refusal;
#[cfg(test)]
mod tests;
