//! `ascvault run LABEL -- COMMAND`: hands an entry's credentials to a child
//! process through its environment. Nothing is written to disk, and the
//! vault passphrase variable is removed from the child's environment.

use std::process::Command;

use super::args::entries::RunArgs;
use super::context::Context;
use super::error::{CliError, CliResult, ExitStatus};
use super::secrets::PASSPHRASE_ENV;
use crate::vault::{Entry, Kind};

/// The variables set for each kind of entry (documented in the README).
fn credential_env(entry: &Entry) -> Vec<(&'static str, String)> {
    let secret = entry
        .secret()
        .map(|s| s.expose().to_owned())
        .unwrap_or_default();
    match entry.kind {
        Kind::AppSpecificPassword => {
            let apple_id = entry.apple_id.clone().unwrap_or_default();
            vec![
                ("ASC_APPLE_ID", apple_id.clone()),
                ("ASC_APP_SPECIFIC_PASSWORD", secret.clone()),
                ("FASTLANE_USER", apple_id),
                ("FASTLANE_APPLE_APPLICATION_SPECIFIC_PASSWORD", secret),
            ]
        }
        Kind::ApiKey => vec![
            ("ASC_KEY_ID", entry.key_id.clone().unwrap_or_default()),
            ("ASC_ISSUER_ID", entry.issuer_id.clone().unwrap_or_default()),
            ("ASC_PRIVATE_KEY", secret),
        ],
        Kind::Other(_) => Vec::new(),
    }
}

/// Runs the child and returns its exit status as ours.
pub fn run(ctx: &Context, args: &RunArgs) -> CliResult<ExitStatus> {
    let doc = ctx.open()?.document;
    let mut env = credential_env(doc.usable(&args.label)?);
    // The child may run for an hour: keep only what it is handed, not every
    // secret of the vault, in this waiting process.
    drop(doc);
    let (program, rest) = args
        .command
        .split_first()
        .ok_or_else(|| CliError::usage("no command given after --"))?;
    ctx.verbose(format!(
        "running {} with {}",
        program.to_string_lossy(),
        env.iter().map(|(k, _)| *k).collect::<Vec<_>>().join(", ")
    ));
    let mut command = Command::new(program);
    command.args(rest).env_remove(PASSPHRASE_ENV);
    for (key, value) in env.iter() {
        command.env(key, value);
    }
    let status = command.status();
    for (_, value) in env.iter_mut() {
        zeroize::Zeroize::zeroize(value);
    }
    let status = status
        .map_err(|e| CliError::new(format!("cannot run {}: {e}", program.to_string_lossy())))?;
    Ok(ExitStatus::of_child(status))
}
