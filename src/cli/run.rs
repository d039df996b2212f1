//! `ascvault run LABEL [LABEL…] -- COMMAND`: hands entries' credentials to a
//! child process through its environment, unlocking the vault once. An API
//! key is also written to `AuthKey_<KEYID>.p8` in a fresh private directory
//! (RAM-backed where the OS has one) that is removed when the child exits,
//! when ascvault is interrupted or terminated (the signal is forwarded to the
//! child, whose exit status is ours), and when the child cannot start. The
//! vault passphrase variable is removed from the child's environment.

use std::ffi::OsString;
use std::process::Command;

use zeroize::Zeroizing;

use super::args::entries::RunArgs;
use super::context::{Context, suggest};
use super::error::{CliError, CliResult, ExitStatus};
use super::secrets::PASSPHRASE_ENV;
use crate::vault::{Entry, Kind};

mod keydir;
#[cfg(unix)]
mod signals;

use keydir::KeyDir;

/// One variable for the child: its name, its value, and the label that set it.
struct Var {
    name: &'static str,
    value: Value,
    label: String,
}

/// A variable's value: text from the vault (wiped when dropped) or the path
/// of the written key.
enum Value {
    Text(Zeroizing<String>),
    Path(OsString),
}

impl AsRef<std::ffi::OsStr> for Value {
    fn as_ref(&self) -> &std::ffi::OsStr {
        match self {
            Value::Text(text) => text.as_str().as_ref(),
            Value::Path(path) => path,
        }
    }
}

/// What one entry hands over: variables, plus the key to write for an API
/// key (the path variables are added once it is on disk).
struct Credentials {
    vars: Vec<(&'static str, Zeroizing<String>)>,
    key_file: Option<(String, Zeroizing<String>)>,
}

/// The variables set for each kind of entry (documented in the README).
fn credentials(entry: &Entry) -> Credentials {
    let secret = || {
        Zeroizing::new(
            entry
                .secret()
                .map(|s| s.expose().to_owned())
                .unwrap_or_default(),
        )
    };
    let plain = |s: &Option<String>| Zeroizing::new(s.clone().unwrap_or_default());
    let mut found = match entry.kind {
        Kind::AppSpecificPassword => Credentials {
            vars: vec![
                ("ASC_APPLE_ID", plain(&entry.apple_id)),
                ("ASC_APP_SPECIFIC_PASSWORD", secret()),
                ("FASTLANE_USER", plain(&entry.apple_id)),
                ("FASTLANE_APPLE_APPLICATION_SPECIFIC_PASSWORD", secret()),
            ],
            key_file: None,
        },
        Kind::ApiKey => Credentials {
            vars: vec![
                ("ASC_KEY_ID", plain(&entry.key_id)),
                ("ASC_ISSUER_ID", plain(&entry.issuer_id)),
                ("ASC_PRIVATE_KEY", secret()),
                ("APP_STORE_CONNECT_API_KEY_KEY_ID", plain(&entry.key_id)),
                (
                    "APP_STORE_CONNECT_API_KEY_ISSUER_ID",
                    plain(&entry.issuer_id),
                ),
                ("APP_STORE_CONNECT_API_KEY_KEY", secret()),
            ],
            key_file: Some((entry.key_id.clone().unwrap_or_default(), secret())),
        },
        Kind::Other(_) => Credentials {
            vars: Vec::new(),
            key_file: None,
        },
    };
    // Format 1.1: the team fields, set only when the entry has them.
    if let Some(team) = &entry.team_id {
        found
            .vars
            .push(("ASC_TEAM_ID", Zeroizing::new(team.clone())));
        found
            .vars
            .push(("FASTLANE_TEAM_ID", Zeroizing::new(team.clone())));
    }
    if let Some(provider) = &entry.provider {
        found
            .vars
            .push(("ASC_PROVIDER", Zeroizing::new(provider.clone())));
    }
    found
}

/// Variables two entries may both set when they agree on the value (a
/// password and a key of one team).
const SHARED: [&str; 3] = ["ASC_TEAM_ID", "FASTLANE_TEAM_ID", "ASC_PROVIDER"];

/// The variables naming the written key file.
fn key_file_vars(dir: &KeyDir) -> [(&'static str, OsString); 3] {
    [
        ("ASC_PRIVATE_KEY_PATH", dir.file().into()),
        ("API_PRIVATE_KEYS_DIR", dir.dir().into()),
        ("APP_STORE_CONNECT_API_KEY_KEY_FILEPATH", dir.file().into()),
    ]
}

/// Adds `name`, refusing a variable another entry already sets.
fn push(vars: &mut Vec<Var>, name: &'static str, value: Value, label: &str) -> CliResult {
    if let Some(earlier) = vars.iter().find(|v| v.name == name) {
        if SHARED.contains(&name) && earlier.value.as_ref() == value.as_ref() {
            return Ok(());
        }
        return Err(CliError::usage(format!(
            "entries \"{}\" and \"{label}\" both set {name}",
            earlier.label
        ))
        .hint("run them in separate `ascvault run` commands"));
    }
    vars.push(Var {
        name,
        value,
        label: label.to_owned(),
    });
    Ok(())
}

/// Runs the child and returns its exit status as ours.
pub fn run(ctx: &Context, args: &RunArgs) -> CliResult<ExitStatus> {
    let (program, rest) = args
        .command
        .split_first()
        .ok_or_else(|| CliError::usage("no command given after --"))?;
    let doc = ctx.open()?.document;
    let mut vars = Vec::new();
    let mut key = None;
    for label in &args.labels {
        let mut found = credentials(doc.usable(label).map_err(|e| suggest(e, &doc))?);
        for (name, value) in found.vars.drain(..) {
            push(&mut vars, name, Value::Text(value), label)?;
        }
        // Two API keys already clash on ASC_KEY_ID: at most one key file.
        if let Some(file) = found.key_file.take() {
            key = Some((label.clone(), file));
        }
    }
    // The child may run for an hour: keep only what it is handed, not every
    // secret of the vault, in this waiting process.
    drop(doc);

    // From here until the child is reaped, a signal must not end ascvault
    // with the key left on disk.
    #[cfg(unix)]
    let forwarder = signals::Forwarder::start()
        .map_err(|e| CliError::new(format!("cannot catch signals: {e}")))?;
    let dir = match key {
        Some((label, (key_id, pem))) => {
            let dir = KeyDir::write(&key_id, &pem)
                .map_err(|e| CliError::new(format!("cannot write the key file: {e}")))?;
            for (name, value) in key_file_vars(&dir) {
                push(&mut vars, name, Value::Path(value), &label)?;
            }
            Some(dir)
        }
        None => None,
    };
    ctx.verbose(format!(
        "running {} with {}",
        program.to_string_lossy(),
        vars.iter().map(|v| v.name).collect::<Vec<_>>().join(", ")
    ));
    let mut command = Command::new(program);
    command.args(rest).env_remove(PASSPHRASE_ENV);
    for var in &vars {
        command.env(var.name, &var.value);
    }
    let status = command.spawn().and_then(|mut child| {
        #[cfg(unix)]
        forwarder.forward_to(&child);
        child.wait()
    });
    #[cfg(unix)]
    forwarder.stop();
    drop(command);
    drop(vars);
    drop(dir);
    let status = status
        .map_err(|e| CliError::new(format!("cannot run {}: {e}", program.to_string_lossy())))?;
    Ok(ExitStatus::of_child(status))
}
