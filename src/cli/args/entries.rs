//! Arguments of the commands that manage entries: `init`, `add`, `list`,
//! `show`, `revoke`, `remove`, `relabel`, `note`, `edit`, `default`,
//! `passwd`, `run`, `completions`.
// The doc comments here are clap's --help text, where `AuthKey_<KEYID>.p8`
// reads right; rustdoc would take `<KEYID>` for an HTML tag.
#![allow(rustdoc::invalid_html_tags)]

use std::path::PathBuf;

use clap::{Args, Subcommand};

#[derive(Debug, Args)]
pub struct InitArgs {
    /// log2 of scrypt's N (10 to 22). Below 16 is for tests only.
    #[arg(long, default_value_t = crate::vault::DEFAULT_WORK_FACTOR, value_parser = clap::value_parser!(u8).range(10..=22))]
    pub work_factor: u8,
    /// Write raw binary age instead of ASCII armor.
    #[arg(long)]
    pub binary: bool,
    /// Accept a new passphrase the strength estimate calls weak.
    #[arg(long)]
    pub weak_passphrase_ok: bool,
    /// Create a team vault instead (format 1.2), whose first member is the
    /// global --member NAME: their identity file is created beside the
    /// vault with their new passphrase (--work-factor applies to it).
    #[arg(long)]
    pub team: bool,
}

#[derive(Debug, Subcommand)]
pub enum AddCommand {
    /// An Apple ID app-specific password (asked for at a hidden prompt).
    Password(AddPasswordArgs),
    /// An App Store Connect API key (.p8 file).
    ApiKey(AddApiKeyArgs),
}

#[derive(Debug, Args)]
pub struct AddPasswordArgs {
    /// A unique name for the entry.
    pub label: String,
    /// The Apple ID (email) the password belongs to.
    #[arg(long, value_name = "EMAIL")]
    pub apple_id: String,
    /// Free text.
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
    /// Read the password from standard input instead of a prompt.
    #[arg(long)]
    pub password_stdin: bool,
    /// Store the password as given, without checking Apple's xxxx-xxxx-xxxx-xxxx form.
    #[arg(long)]
    pub no_format_check: bool,
    /// Team and provider.
    #[command(flatten)]
    pub team: TeamArgs,
}

/// The optional team fields every entry may carry (format 1.1).
#[derive(Debug, Args)]
pub struct TeamArgs {
    /// The developer team id (10 letters or digits); `run` exports it as
    /// ASC_TEAM_ID and FASTLANE_TEAM_ID.
    #[arg(long, value_name = "TEAM")]
    pub team_id: Option<String>,
    /// The provider short name (altool's --asc-provider); `run` exports it
    /// as ASC_PROVIDER.
    #[arg(long, value_name = "NAME")]
    pub provider: Option<String>,
}

#[derive(Debug, Args)]
pub struct AddApiKeyArgs {
    /// A unique name for the entry.
    pub label: String,
    /// The key id (10 characters, shown in App Store Connect).
    #[arg(long, value_name = "ID")]
    pub key_id: String,
    /// The issuer id (a UUID); leave out for an individual key.
    #[arg(long, value_name = "UUID")]
    pub issuer_id: Option<String>,
    /// The AuthKey_<KEYID>.p8 file.
    #[arg(long, value_name = "FILE.p8")]
    pub private_key: PathBuf,
    /// Vendor number, for sales and finance reports.
    #[arg(long, value_name = "N")]
    pub vendor_number: Option<String>,
    /// Free text.
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
    /// Team and provider.
    #[command(flatten)]
    pub team: TeamArgs,
    /// Ask App Store Connect whether the key works before storing it;
    /// nothing is stored when Apple refuses it or cannot be reached.
    #[arg(long)]
    pub verify: bool,
    /// Store a --key-id that differs from the AuthKey_<KEYID>.p8 file name
    /// without asking.
    #[arg(long, short)]
    pub yes: bool,
    /// Where --verify asks.
    #[command(flatten)]
    pub net: super::asc::NetArgs,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Include revoked entries.
    #[arg(long)]
    pub all: bool,
    /// JSON output (stable field names).
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The entry.
    pub label: String,
    /// Print the secret (alone on stdout, unless --json).
    #[arg(long)]
    pub reveal: bool,
    /// JSON output.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct RevokeArgs {
    /// The entry.
    #[arg(required_unless_present = "all", conflicts_with = "all")]
    pub label: Option<String>,
    /// Revoke every active entry.
    #[arg(long)]
    pub all: bool,
    /// Do not ask for confirmation (required without a terminal).
    #[arg(long, short)]
    pub yes: bool,
}

#[derive(Debug, Args)]
pub struct RemoveArgs {
    /// The entry.
    pub label: String,
    /// Do not ask for confirmation (required without a terminal).
    #[arg(long, short)]
    pub yes: bool,
}

#[derive(Debug, Args)]
pub struct RelabelArgs {
    /// The current label.
    pub old: String,
    /// The new label.
    pub new: String,
}

#[derive(Debug, Args)]
pub struct NoteArgs {
    /// The entry.
    pub label: String,
    /// The note.
    pub text: String,
}

#[derive(Debug, Args)]
pub struct EditArgs {
    /// The entry.
    pub label: String,
    /// Password entries: the Apple ID.
    #[arg(long, value_name = "EMAIL")]
    pub apple_id: Option<String>,
    /// Key entries: the issuer id ("" makes it an individual key).
    #[arg(long, value_name = "UUID")]
    pub issuer_id: Option<String>,
    /// Key entries: the key id.
    #[arg(long, value_name = "ID")]
    pub key_id: Option<String>,
    /// Key entries: the vendor number ("" clears it).
    #[arg(long, value_name = "N")]
    pub vendor_number: Option<String>,
    /// The developer team id ("" clears it).
    #[arg(long, value_name = "TEAM")]
    pub team_id: Option<String>,
    /// The provider short name ("" clears it).
    #[arg(long, value_name = "NAME")]
    pub provider: Option<String>,
    /// The note ("" clears it).
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
}

#[derive(Debug, Args)]
pub struct DefaultArgs {
    /// The api-key entry to make the default; without it, print the default.
    #[arg(conflicts_with = "clear")]
    pub label: Option<String>,
    /// Clear the default.
    #[arg(long)]
    pub clear: bool,
}

#[derive(Debug, Args)]
pub struct PasswdArgs {
    /// Read the new passphrase from this file when not at a terminal.
    #[arg(long, value_name = "PATH")]
    pub new_passphrase_file: Option<PathBuf>,
    /// Re-encrypt with this work factor (log2 of scrypt's N, 10 to 22),
    /// keeping the passphrase unless --new-passphrase-file gives one.
    #[arg(long, value_parser = clap::value_parser!(u8).range(10..=22))]
    pub work_factor: Option<u8>,
    /// Accept a new passphrase the strength estimate calls weak.
    #[arg(long)]
    pub weak_passphrase_ok: bool,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// The entries whose credentials the program gets (one unlock; two
    /// entries may not set the same variable).
    #[arg(required = true, num_args = 1.., value_name = "LABEL")]
    pub labels: Vec<String>,
    /// The program and its arguments (after `--`).
    #[arg(last = true, required = true, value_name = "COMMAND")]
    pub command: Vec<std::ffi::OsString>,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    pub shell: clap_complete::Shell,
}
