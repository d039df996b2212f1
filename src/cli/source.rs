//! Where a passphrase comes from: the file given, `ASCVAULT_PASSPHRASE`, or
//! the terminal — one resolver, [`resolve`], for unlocking, for a new
//! passphrase and for textconv, which never prompts. Never argv. What a
//! failure means for the user (exit code, hint) is decided in `error.rs`;
//! this module knows nothing of the CLI's errors.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

use crate::secret::Secret;

/// The environment variable for CI; removed from every child's environment.
pub const PASSPHRASE_ENV: &str = "ASCVAULT_PASSPHRASE";

/// The controlling terminal, if there is one. Prompts go there, so stdin and
/// stdout stay free for data.
pub fn terminal() -> Option<File> {
    #[cfg(unix)]
    {
        OpenOptions::new()
            .read(true)
            .write(true)
            .open("/dev/tty")
            .ok()
    }
    #[cfg(not(unix))]
    {
        None
    }
}

/// Why a secret could not be had from its source: one sentence per source
/// that is set but unusable, or missing. Holds no secret. Exit codes and
/// hints are chosen in `error.rs`.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// The file given cannot be read.
    #[error("cannot read {}: {source}", path.display())]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: io::Error,
    },
    /// The file given is not text.
    #[error("{} is not UTF-8 text", path.display())]
    NotUtf8 {
        /// The file.
        path: PathBuf,
    },
    /// `ASCVAULT_PASSPHRASE` is set, but not to text.
    #[error("{PASSPHRASE_ENV} is not valid UTF-8")]
    EnvNotUtf8,
    /// Prompting was allowed, but there is no terminal.
    #[error("no terminal to ask for the passphrase")]
    NoTerminal,
    /// Neither a file nor the environment, and prompting is not allowed.
    #[error("no passphrase source")]
    NoSource,
    /// The terminal could not be read.
    #[error("cannot read from the terminal: {0}")]
    Terminal(io::Error),
    /// A new passphrase typed at the prompt is empty.
    #[error("the passphrase is empty")]
    EmptyNew,
    /// The new passphrase was typed differently the second time.
    #[error("the passphrases do not match")]
    Mismatch,
}

impl SourceError {
    /// A few words for textconv's one-line summary of a file it did not
    /// decrypt (it never fails a diff, so this is not an error message).
    pub fn brief(&self) -> &'static str {
        match self {
            SourceError::Unreadable { .. } | SourceError::NotUtf8 { .. } => {
                "cannot read the passphrase file"
            }
            SourceError::EnvNotUtf8 => "ASCVAULT_PASSPHRASE is not UTF-8",
            SourceError::NoTerminal
            | SourceError::NoSource
            | SourceError::Terminal(_)
            | SourceError::EmptyNew
            | SourceError::Mismatch => "no passphrase source",
        }
    }
}

/// Reads a secret file (a passphrase, a private key), stripping one
/// trailing newline.
pub fn read_secret_file(path: &Path) -> Result<Secret, SourceError> {
    let mut bytes = Zeroizing::new(Vec::new());
    File::open(path)
        .and_then(|mut f| f.read_to_end(&mut bytes))
        .map_err(|source| SourceError::Unreadable {
            path: path.to_owned(),
            source,
        })?;
    let text = std::str::from_utf8(&bytes).map_err(|_| SourceError::NotUtf8 {
        path: path.to_owned(),
    })?;
    Ok(Secret::from(strip_newline(text)))
}

pub fn strip_newline(text: &str) -> &str {
    text.strip_suffix("\r\n")
        .or_else(|| text.strip_suffix('\n'))
        .unwrap_or(text)
}

/// What to do when neither a file nor the environment gives the passphrase.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Prompt {
    /// Ask once at the terminal: unlocking a vault.
    Unlock,
    /// Ask twice at the terminal and compare: choosing a new passphrase.
    New,
    /// Never ask: textconv runs once per side of every diff, often while a
    /// pager holds the terminal.
    Never,
}

/// The one place that decides where a passphrase comes from: the file given
/// (`--passphrase-file`, `--new-passphrase-file`), else `ASCVAULT_PASSPHRASE`
/// when `from_env`, else the terminal as `prompt` says. A source that is set
/// but unusable is an error, not a reason to try the next one: the user
/// meant that one. Whether an empty passphrase is acceptable is the
/// caller's decision.
pub fn resolve(file: Option<&Path>, from_env: bool, prompt: Prompt) -> Result<Secret, SourceError> {
    if let Some(path) = file {
        return read_secret_file(path);
    }
    if from_env && let Some(value) = std::env::var_os(PASSPHRASE_ENV) {
        return value
            .into_string()
            .map(Secret::new)
            .map_err(|_| SourceError::EnvNotUtf8);
    }
    match prompt {
        Prompt::Unlock => prompt_hidden("Vault passphrase: "),
        Prompt::New => {
            // A mistyped repeat asks for both again, up to three times.
            let mut tries = 1;
            loop {
                let first = prompt_hidden("New passphrase: ")?;
                if first.is_empty() {
                    return Err(SourceError::EmptyNew);
                }
                let second = prompt_hidden("Repeat the passphrase: ")?;
                if first == second {
                    return Ok(first);
                }
                if tries == NEW_TRIES {
                    return Err(SourceError::Mismatch);
                }
                tell("the passphrases do not match; try again");
                tries += 1;
            }
        }
        Prompt::Never => Err(SourceError::NoSource),
    }
}

/// How many times a new passphrase is asked for when its repeat differs.
const NEW_TRIES: usize = 3;

/// Writes a line to the terminal, if there is one (best effort: it only
/// explains the next prompt).
pub fn tell(line: &str) {
    if let Some(tty) = terminal() {
        let mut out = &tty;
        let _ = writeln!(out, "{line}").and_then(|()| out.flush());
    }
}

/// Reads a hidden line at the terminal.
pub fn prompt_hidden(prompt: &str) -> Result<Secret, SourceError> {
    if terminal().is_none() {
        return Err(SourceError::NoTerminal);
    }
    rpassword::prompt_password(prompt)
        .map(Secret::new)
        .map_err(SourceError::Terminal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_trailing_newline_is_stripped() {
        assert_eq!(strip_newline("pass\n"), "pass");
        assert_eq!(strip_newline("pass\r\n"), "pass");
        assert_eq!(strip_newline("pass\n\n"), "pass\n");
        assert_eq!(strip_newline("pass "), "pass ");
    }
}
