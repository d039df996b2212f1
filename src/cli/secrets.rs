//! Where secrets come from: the passphrase (file, environment, terminal
//! prompt), new passphrases (asked twice), passwords being added, and yes/no
//! confirmations. Never argv. Without a terminal and without another source
//! every function fails at once with a message naming the flag to use.

use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::Path;

use zeroize::Zeroizing;

use super::error::{CliError, CliResult, ExitStatus};
use crate::vault::Secret;

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

/// Reads a secret file, stripping one trailing newline.
pub fn read_secret_file(path: &Path) -> CliResult<Secret> {
    let mut bytes = Zeroizing::new(Vec::new());
    File::open(path)
        .and_then(|mut f| f.read_to_end(&mut bytes))
        .map_err(|e| CliError::new(format!("cannot read {}: {e}", path.display())))?;
    let text = std::str::from_utf8(&bytes)
        .map_err(|_| CliError::new(format!("{} is not UTF-8 text", path.display())))?;
    Ok(Secret::from(strip_newline(text)))
}

fn strip_newline(text: &str) -> &str {
    text.strip_suffix("\r\n")
        .or_else(|| text.strip_suffix('\n'))
        .unwrap_or(text)
}

/// The vault passphrase: `--passphrase-file`, then `ASCVAULT_PASSPHRASE`,
/// then a hidden prompt on the terminal.
pub fn passphrase(file: Option<&Path>) -> CliResult<Secret> {
    let secret = if let Some(path) = file {
        read_secret_file(path)?
    } else if let Some(value) = std::env::var_os(PASSPHRASE_ENV) {
        let value = value
            .into_string()
            .map_err(|_| CliError::new(format!("{PASSPHRASE_ENV} is not valid UTF-8")))?;
        Secret::new(value)
    } else {
        prompt_hidden("Vault passphrase: ")?
    };
    if secret.is_empty() {
        return Err(CliError::new("the passphrase is empty").code(ExitStatus::Unlock));
    }
    Ok(secret)
}

/// A new passphrase: from the given file or environment when set (scripted
/// use), otherwise asked twice at the terminal.
pub fn new_passphrase(file: Option<&Path>, from_env: bool) -> CliResult<Secret> {
    let secret = if let Some(path) = file {
        read_secret_file(path)?
    } else if let Some(value) = std::env::var_os(PASSPHRASE_ENV).filter(|_| from_env) {
        Secret::new(
            value
                .into_string()
                .map_err(|_| CliError::new(format!("{PASSPHRASE_ENV} is not valid UTF-8")))?,
        )
    } else {
        let first = prompt_hidden("New vault passphrase: ")?;
        if first.is_empty() {
            return Err(CliError::new("the passphrase is empty")
                .hint("choose a long passphrase: it is all that protects the file"));
        }
        let second = prompt_hidden("Repeat the passphrase: ")?;
        if first != second {
            return Err(CliError::new("the passphrases do not match"));
        }
        first
    };
    if secret.is_empty() {
        return Err(CliError::new("the passphrase is empty"));
    }
    Ok(secret)
}

/// Reads a hidden line at the terminal.
pub fn prompt_hidden(prompt: &str) -> CliResult<Secret> {
    if terminal().is_none() {
        return Err(no_terminal());
    }
    rpassword::prompt_password(prompt)
        .map(Secret::new)
        .map_err(|e| CliError::new(format!("cannot read from the terminal: {e}")))
}

fn no_terminal() -> CliError {
    CliError::usage("no terminal to ask for the passphrase").hint(format!(
        "pass --passphrase-file PATH or set {PASSPHRASE_ENV} (meant for CI)"
    ))
}

/// A password being added: from stdin with `--password-stdin`, else a
/// hidden prompt.
pub fn password_input(from_stdin: bool) -> CliResult<Secret> {
    if from_stdin {
        let mut line = Zeroizing::new(String::new());
        io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| CliError::new(format!("cannot read standard input: {e}")))?;
        return Ok(Secret::from(strip_newline(&line)));
    }
    if terminal().is_none() {
        return Err(CliError::usage("no terminal to ask for the password")
            .hint("pipe it in with --password-stdin"));
    }
    prompt_hidden("App-specific password (xxxx-xxxx-xxxx-xxxx): ")
}

/// Asks a yes/no question at the terminal; `--yes` answers for the user.
pub fn confirm(question: &str, yes: bool) -> CliResult<bool> {
    if yes {
        return Ok(true);
    }
    let Some(tty) = terminal() else {
        return Err(CliError::usage("no terminal to confirm this")
            .hint("pass --yes to go ahead without asking"));
    };
    let mut out = &tty;
    write!(out, "{question} [y/N] ")
        .and_then(|()| out.flush())
        .map_err(|e| CliError::new(e.to_string()))?;
    let mut answer = String::new();
    BufReader::new(&tty)
        .read_line(&mut answer)
        .map_err(|e| CliError::new(e.to_string()))?;
    Ok(matches!(
        answer.trim().to_ascii_lowercase().as_str(),
        "y" | "yes"
    ))
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
