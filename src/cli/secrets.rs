//! Secrets and answers the commands ask for: the vault passphrase and a new
//! one (their sources resolved in `source.rs`), passwords being added, and
//! yes/no confirmations. Never argv. Without a terminal and without another
//! source every function fails at once with a message naming the flag to use.

use std::io::{self, BufRead, BufReader, Write};
use std::path::Path;

use zeroize::Zeroizing;

use super::error::{CliError, CliResult, ExitStatus};
pub use super::source::{PASSPHRASE_ENV, Prompt, SourceError, resolve};
use super::source::{prompt_hidden, strip_newline, tell, terminal};
use crate::secret::Secret;

/// The vault passphrase: `--passphrase-file`, then `ASCVAULT_PASSPHRASE`,
/// then a hidden prompt on the terminal. Empty is a failure to unlock.
pub fn passphrase(file: Option<&Path>) -> CliResult<Secret> {
    let secret = resolve(file, true, Prompt::Unlock)?;
    if secret.is_empty() {
        return Err(CliError::new("the passphrase is empty").code(ExitStatus::Unlock));
    }
    Ok(secret)
}

/// The passphrase of an identity (a member's identity file, an encrypted
/// SSH key): from the same sources as a vault passphrase, the prompt
/// naming `label`.
pub fn passphrase_for(file: Option<&Path>, label: &str) -> CliResult<Secret> {
    let secret = match resolve(file, true, Prompt::Never) {
        Err(SourceError::NoSource) => prompt_hidden(&format!(
            "Passphrase of {}: ",
            super::sanitize::sanitize(label)
        ))?,
        other => other?,
    };
    if secret.is_empty() {
        return Err(CliError::new("the passphrase is empty").code(ExitStatus::Unlock));
    }
    Ok(secret)
}

/// What a `.p8` file looks like, for the hints below.
const P8_LOOKS_LIKE: &str =
    "an App Store Connect .p8 key is a few lines of text starting with -----BEGIN PRIVATE KEY-----";

/// Reads the private key file `add api-key --private-key` names (one
/// trailing newline stripped). A file that cannot be read, is empty, or is
/// not text gets a message of its own naming the file — not the "not a
/// P-256 key" a key that does not parse gets — and nothing is written.
pub fn read_secret_file(path: &Path) -> CliResult<Secret> {
    let shown = path.display();
    match super::source::read_secret_file(path) {
        Ok(pem) if pem.expose().trim().is_empty() => {
            Err(CliError::new(format!("the private key file {shown} is empty")).hint(format!(
                "{P8_LOOKS_LIKE}; a shell redirect (> FILE) leaves an empty file when its command fails: write the file again"
            )))
        }
        Ok(pem) => Ok(pem),
        Err(SourceError::Unreadable { source, .. }) => {
            let hint = match source.kind() {
                io::ErrorKind::NotFound => {
                    "check the path: --private-key takes the AuthKey_<KEYID>.p8 file App Store Connect let you download"
                }
                io::ErrorKind::PermissionDenied => "you cannot read it: check its owner and mode",
                _ => "--private-key takes the AuthKey_<KEYID>.p8 file App Store Connect let you download",
            };
            Err(CliError::new(format!("cannot read the private key file {shown}: {source}")).hint(hint))
        }
        Err(SourceError::NotUtf8 { .. }) => {
            Err(CliError::new(format!("the private key file {shown} is not text")).hint(P8_LOOKS_LIKE))
        }
        Err(other) => Err(other.into()),
    }
}

/// How many times a secret typed at the terminal is asked for before
/// giving up: a wrong passphrase, a mismatched repeat, a malformed password.
pub const TRIES: usize = 3;

/// True when [`passphrase`] would ask at the terminal: no file given and no
/// `ASCVAULT_PASSPHRASE`. Only then is a wrong passphrase worth asking again.
pub fn passphrase_is_typed(file: Option<&Path>) -> bool {
    file.is_none() && std::env::var_os(PASSPHRASE_ENV).is_none()
}

/// Tells the user at the terminal why the secret is asked again.
pub fn try_again(why: &str) {
    tell(&format!("{why}; try again"));
}

/// A new passphrase: from the given file or (with `from_env`) the
/// environment when set (scripted use), otherwise asked twice at the
/// terminal.
pub fn new_passphrase(file: Option<&Path>, from_env: bool) -> CliResult<Secret> {
    let secret = resolve(file, from_env, Prompt::New)?;
    if secret.is_empty() {
        return Err(CliError::new("the passphrase is empty"));
    }
    Ok(secret)
}

/// Whether a new passphrase was typed at the terminal rather than read from
/// a file or the environment, and whether the user insisted on a weak one.
#[derive(Clone, Copy, Debug)]
pub struct Strength {
    /// Asked at the terminal: a weak one is explained and confirmed there.
    pub typed: bool,
    /// `--weak-passphrase-ok`, or `ASCVAULT_ALLOW_WEAK_VAULT=1`: taken
    /// without a word.
    pub weak_ok: bool,
}

impl Strength {
    /// `typed` as given; `weak_ok` from the flag or the environment.
    pub fn new(typed: bool, flag: bool) -> Self {
        Strength {
            typed,
            weak_ok: flag
                || std::env::var_os("ASCVAULT_ALLOW_WEAK_VAULT").is_some_and(|v| v == "1"),
        }
    }
}

/// What the `zxcvbn` estimate says against a passphrase it scores below 3
/// of 4 (under 10^10 guesses), or `None` when it is strong enough. The
/// advice names patterns, never the passphrase.
fn weakness(pass: &Secret) -> Option<String> {
    let estimate = zxcvbn::zxcvbn(pass.expose(), &["ascvault", "vault", "passphrase"]);
    if estimate.score() >= zxcvbn::Score::Three {
        return None;
    }
    let mut advice: Vec<String> = Vec::new();
    if let Some(feedback) = estimate.feedback() {
        advice.extend(feedback.warning().map(|w| w.to_string()));
        advice.extend(feedback.suggestions().iter().map(ToString::to_string));
    }
    advice.push("four or five random words make a strong one".into());
    Some(advice.join(" "))
}

/// The error for a weak new passphrase the user did not insist on.
fn weak_error(advice: &str) -> CliError {
    CliError::new(format!("the new passphrase is weak. {advice}"))
        .hint("choose a stronger one, or pass --weak-passphrase-ok to keep this one")
}

/// A new passphrase ([`new_passphrase`]) that is strong enough, or that
/// the user insisted on. From a file or the environment a weak one is
/// refused, unless `--weak-passphrase-ok`. Typed at the terminal, a weak
/// one is explained and the user asked "Use it anyway?": no asks for
/// another, up to [`TRIES`] in all.
pub fn strong_new_passphrase(
    file: Option<&Path>,
    from_env: bool,
    strength: Strength,
) -> CliResult<Secret> {
    let mut tries = 1;
    loop {
        let pass = new_passphrase(file, from_env)?;
        let Some(advice) = weakness(&pass) else {
            return Ok(pass);
        };
        if strength.weak_ok {
            return Ok(pass);
        }
        if !strength.typed {
            return Err(weak_error(&advice));
        }
        tell(&format!("This passphrase is weak. {advice}"));
        if confirm("Use it anyway?", false)? {
            return Ok(pass);
        }
        if tries == TRIES {
            return Err(weak_error(&advice));
        }
        tell("then choose another one");
        tries += 1;
    }
}

/// A password being added and checked by `check`: from stdin with
/// `--password-stdin` (checked once), else a hidden prompt, asked again up
/// to [`TRIES`] times in all while `check` refuses it.
pub fn checked_password_input<T>(
    from_stdin: bool,
    mut check: impl FnMut(Secret) -> CliResult<T>,
) -> CliResult<T> {
    let mut tries = 1;
    loop {
        let password = password_input(from_stdin)?;
        match check(password) {
            Err(e) if !from_stdin && tries < TRIES => {
                try_again(&e.to_string());
                tries += 1;
            }
            result => return result,
        }
    }
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
    Ok(prompt_hidden(
        "App-specific password (xxxx-xxxx-xxxx-xxxx): ",
    )?)
}

/// The error for a question that cannot be asked.
fn no_terminal_to_confirm() -> CliError {
    CliError::usage("no terminal to confirm this").hint("pass --yes to go ahead without asking")
}

/// Fails as [`confirm`] would when there is no terminal to ask at and no
/// `--yes`: for commands that would do work (unlock, list) before asking.
pub fn can_confirm(yes: bool) -> CliResult {
    if yes || terminal().is_some() {
        Ok(())
    } else {
        Err(no_terminal_to_confirm())
    }
}

/// Asks a yes/no question at the terminal; `--yes` answers for the user.
pub fn confirm(question: &str, yes: bool) -> CliResult<bool> {
    if yes {
        return Ok(true);
    }
    let Some(tty) = terminal() else {
        return Err(no_terminal_to_confirm());
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
