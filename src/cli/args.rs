//! The command line, as clap parses it. Validation beyond what clap does
//! happens in the command modules; nothing here touches the vault.
// The doc comments here are clap's --help text, where `AuthKey_<KEYID>.p8`
// reads right; rustdoc would take `<KEYID>` for an HTML tag.
#![allow(rustdoc::invalid_html_tags)]

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

pub mod metrics;
pub use metrics::*;

/// Apple credentials in one portable age-encrypted vault.
#[derive(Debug, Parser)]
#[command(name = "ascvault", version, about, long_about = None, max_term_width = 100)]
pub struct Cli {
    /// Options shared by every command.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Options shared by every command.
#[derive(Debug, Args, Clone)]
pub struct GlobalArgs {
    /// The vault file.
    #[arg(
        long,
        global = true,
        env = "ASCVAULT_VAULT",
        default_value = "ascvault.age",
        value_name = "PATH"
    )]
    pub vault: PathBuf,
    /// Read the vault passphrase from this file (trailing newline stripped).
    /// Otherwise ASCVAULT_PASSPHRASE, otherwise a prompt on the terminal.
    #[arg(long, global = true, value_name = "PATH")]
    pub passphrase_file: Option<PathBuf>,
    /// Say more on stderr about what is happening (never secrets).
    #[arg(short, long, global = true)]
    pub verbose: bool,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create an empty vault (never overwrites a file).
    Init(InitArgs),
    /// Add a credential.
    #[command(subcommand)]
    Add(AddCommand),
    /// List entries (never secrets).
    List(ListArgs),
    /// Show one entry; the secret only with --reveal.
    Show(ShowArgs),
    /// Mark an entry (or every entry) revoked.
    Revoke(RevokeArgs),
    /// Delete an entry for good.
    Remove(RemoveArgs),
    /// Rename an entry (its id stays).
    Relabel(RelabelArgs),
    /// Set an entry's note (an empty TEXT clears it).
    Note(NoteArgs),
    /// Change the vault passphrase.
    Passwd(PasswdArgs),
    /// Run a program with an entry's credentials in its environment.
    Run(RunArgs),
    /// Print a shell completion script.
    Completions(CompletionsArgs),
    /// Print the man page (roff).
    Man,
    // --- App Store Connect: apps, reviews, verify (issue 3) go below. ---
    /// List the apps the API key can see.
    Apps(super::apps::AppsArgs),
    /// Customer reviews: list, show, respond, delete-response, flag, report.
    #[command(subcommand)]
    Reviews(super::reviews::ReviewsCommand),
    /// Ask Apple whether stored credentials still work.
    Verify(super::verify::VerifyArgs),
    // --- Metrics (issue 4) go below. ---
    /// Metrics: analytics reports, sales and finance, performance, diagnostics, charts.
    Metrics(MetricsArgs),
    // --- Git: setup, textconv, merge, check, import, export (issue 5) go below. ---
    /// Make the current git repository diff and merge the vault well.
    #[command(subcommand)]
    Git(super::git_args::GitCommand),
    /// Print a redacted text rendering of a vault (git's textconv).
    Textconv(super::git_args::TextconvArgs),
    /// Three-way merge of vault files by entry id (git's merge driver).
    Merge(super::git_args::MergeArgs),
    /// Report credential hygiene problems (exit 1 when there are any).
    Check(super::git_args::CheckArgs),
    /// Import credentials from other tools' files.
    #[command(subcommand)]
    Import(super::git_args::ImportCommand),
    /// Print the decrypted vault, for migration.
    Export(super::git_args::ExportArgs),
}

/// `init`
#[derive(Debug, Args)]
pub struct InitArgs {
    /// log2 of scrypt's N (10 to 22). Below 16 is for tests only.
    #[arg(long, default_value_t = crate::vault::DEFAULT_WORK_FACTOR, value_parser = clap::value_parser!(u8).range(10..=22))]
    pub work_factor: u8,
    /// Write raw binary age instead of ASCII armor.
    #[arg(long)]
    pub binary: bool,
}

/// `add`
#[derive(Debug, Subcommand)]
pub enum AddCommand {
    /// An Apple ID app-specific password (asked for at a hidden prompt).
    Password(AddPasswordArgs),
    /// An App Store Connect API key (.p8 file).
    ApiKey(AddApiKeyArgs),
}

/// `add password`
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
}

/// `add api-key`
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
}

/// `list`
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Include revoked entries.
    #[arg(long)]
    pub all: bool,
    /// JSON output (stable field names).
    #[arg(long)]
    pub json: bool,
}

/// `show`
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

/// `revoke`
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

/// `remove`
#[derive(Debug, Args)]
pub struct RemoveArgs {
    /// The entry.
    pub label: String,
    /// Do not ask for confirmation (required without a terminal).
    #[arg(long, short)]
    pub yes: bool,
}

/// `relabel`
#[derive(Debug, Args)]
pub struct RelabelArgs {
    /// The current label.
    pub old: String,
    /// The new label.
    pub new: String,
}

/// `note`
#[derive(Debug, Args)]
pub struct NoteArgs {
    /// The entry.
    pub label: String,
    /// The note.
    pub text: String,
}

/// `passwd`
#[derive(Debug, Args)]
pub struct PasswdArgs {
    /// Read the new passphrase from this file when not at a terminal.
    #[arg(long, value_name = "PATH")]
    pub new_passphrase_file: Option<PathBuf>,
}

/// `run`
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The entry whose credentials the program gets.
    pub label: String,
    /// The program and its arguments (after `--`).
    #[arg(last = true, required = true, value_name = "COMMAND")]
    pub command: Vec<std::ffi::OsString>,
}

/// `completions`
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    pub shell: clap_complete::Shell,
}
