//! Arguments of the git-related and migration commands: `git setup`,
//! `textconv`, `merge`, `check`, `import p8`, `export`.
// The doc comments here are clap's --help text, where `AuthKey_<KEYID>.p8`
// reads right; rustdoc would take `<KEYID>` for an HTML tag.
#![allow(rustdoc::invalid_html_tags)]

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::asc::NetArgs;
use super::values::ApiBase;
use crate::asc::verify::{CONTENT_DELIVERY_ENV, DEFAULT_CONTENT_DELIVERY_BASE};

#[derive(Debug, Subcommand)]
pub enum GitCommand {
    /// Set up the current repository: diff and merge attributes for the
    /// vault, textconv and merge driver config, the lock file ignored,
    /// hooks keeping the vault and member identity files 0600. With
    /// `--member NAME` (a team vault), this clone opens it as NAME (git
    /// config `ascvault.member`).
    Setup,
}

#[derive(Debug, Args)]
pub struct TextconvArgs {
    /// The vault file (git passes a temporary copy). Never prompts: the
    /// passphrase comes from --passphrase-file or ASCVAULT_PASSPHRASE only.
    pub file: PathBuf,
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The common ancestor (git's %O).
    pub base: PathBuf,
    /// Our version (git's %A); the result is written here.
    pub ours: PathBuf,
    /// Their version (git's %B).
    pub theirs: PathBuf,
    /// The file's path in the repository (git's %P), for messages only.
    pub path: Option<String>,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Report active entries older than this many days.
    #[arg(long, value_name = "DAYS", default_value_t = crate::vault::hygiene::DEFAULT_MAX_AGE_DAYS)]
    pub max_age: u32,
    /// Also ask Apple whether every active entry still works (as `verify`).
    #[arg(long)]
    pub online: bool,
    /// JSON output (stable field names).
    #[arg(long)]
    pub json: bool,
    /// With --online: base URL of Apple's content-delivery service.
    #[arg(long, env = CONTENT_DELIVERY_ENV, default_value = DEFAULT_CONTENT_DELIVERY_BASE, value_name = "URL")]
    pub content_delivery_base: ApiBase,
    /// With --online: API base URL and timeout.
    #[command(flatten)]
    pub net: NetArgs,
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Every AuthKey_<KEYID>.p8 in a directory (altool's layout).
    P8(ImportP8Args),
}

/// `import p8`
#[derive(Debug, Args)]
pub struct ImportP8Args {
    /// The directory holding AuthKey_<KEYID>.p8 files.
    pub dir: PathBuf,
    /// The issuer id of every key imported (leave out for individual keys).
    #[arg(long, value_name = "UUID")]
    pub issuer_id: Option<String>,
    /// Label each key PREFIX<KEYID> instead of just <KEYID>.
    #[arg(long, value_name = "PREFIX", default_value = "")]
    pub label_prefix: String,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Print the decrypted vault (canonical TOML) to stdout.
    #[arg(long)]
    pub plaintext: bool,
    /// Write it to this new file (created 0600; an existing file is never
    /// overwritten) instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Confirm that the secrets may be printed.
    #[arg(long, short)]
    pub yes: bool,
}
