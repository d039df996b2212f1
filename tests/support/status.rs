//! The exit statuses the README and spec/FORMAT.md §8 promise, written out
//! here rather than imported: the tests check the documented contract, not
//! whatever the implementation's own enum says.

use std::fmt;

/// One documented exit status (or, for a child's code handed back by `run`,
/// any other number).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExitStatus {
    /// 0.
    Success,
    /// 1: any other failure (bad input, I/O error, a failed check).
    Failure,
    /// 2: usage (unknown flag, missing argument, no prompt possible).
    Usage,
    /// 3: the vault cannot be unlocked.
    Unlock,
    /// 4: no entry with that label.
    NoEntry,
    /// 5: the entry is revoked.
    Revoked,
    /// 6: App Store Connect refused the request.
    Refused,
    /// 7: network failure after retries.
    Network,
    /// Any other code (a child's, passed on by `run`), or -1 for a signal.
    Other(i32),
}

impl ExitStatus {
    /// The process exit code of this status.
    pub fn code(self) -> i32 {
        match self {
            ExitStatus::Success => 0,
            ExitStatus::Failure => 1,
            ExitStatus::Usage => 2,
            ExitStatus::Unlock => 3,
            ExitStatus::NoEntry => 4,
            ExitStatus::Revoked => 5,
            ExitStatus::Refused => 6,
            ExitStatus::Network => 7,
            ExitStatus::Other(code) => code,
        }
    }

    /// The status a process exit code stands for.
    pub fn of(code: i32) -> ExitStatus {
        match code {
            0 => ExitStatus::Success,
            1 => ExitStatus::Failure,
            2 => ExitStatus::Usage,
            3 => ExitStatus::Unlock,
            4 => ExitStatus::NoEntry,
            5 => ExitStatus::Revoked,
            6 => ExitStatus::Refused,
            7 => ExitStatus::Network,
            other => ExitStatus::Other(other),
        }
    }
}

impl fmt::Display for ExitStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "exit {} ({self:?})", self.code())
    }
}
