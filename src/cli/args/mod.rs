//! The command line as clap parses it: every option and subcommand of
//! `ascvault`, one file per command family. The command modules read these
//! types; nothing here imports a command module or touches the vault.
//!
//! The doc comments on these types are the `--help` text.

pub mod asc;
pub mod entries;
pub mod git;
pub mod metrics;
pub mod report;
pub mod team;
pub mod values;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Apple credentials in one portable age-encrypted vault.
#[derive(Debug, Parser)]
#[command(name = "ascvault", version, about, long_about = None, max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Options shared by every command.
#[derive(Debug, clap::Args, Clone)]
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
    /// A team vault: open it with this identity file — an age identity file
    /// (AGE-SECRET-KEY-1…), an SSH ed25519 or RSA private key, or an age
    /// identity file encrypted with a passphrase (its passphrase is asked
    /// like a vault passphrase).
    #[arg(long, global = true, env = "ASCVAULT_IDENTITY", value_name = "FILE")]
    pub identity: Option<PathBuf>,
    /// A team vault: open it as this member, with their identity file
    /// beside the vault (.ascvault/identities/NAME.age) and their
    /// passphrase. Otherwise git config `ascvault.member` of the vault's
    /// repository.
    #[arg(long, global = true, env = "ASCVAULT_MEMBER", value_name = "NAME")]
    pub member: Option<String>,
    /// Say more on stderr about what is happening (never secrets).
    #[arg(short, long, global = true)]
    pub verbose: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create an empty vault (never overwrites a file).
    Init(entries::InitArgs),
    /// Add a credential.
    #[command(subcommand)]
    Add(entries::AddCommand),
    /// List entries (never secrets).
    List(entries::ListArgs),
    /// Show one entry; the secret only with --reveal.
    Show(entries::ShowArgs),
    /// Mark an entry (or every entry) revoked.
    Revoke(entries::RevokeArgs),
    /// Delete an entry for good.
    Remove(entries::RemoveArgs),
    /// Rename an entry (its id stays).
    Relabel(entries::RelabelArgs),
    /// Set an entry's note (an empty TEXT clears it).
    Note(entries::NoteArgs),
    /// Change an entry's non-secret fields ("" clears an optional one).
    Edit(entries::EditArgs),
    /// Show, set or clear the default api-key entry.
    Default(entries::DefaultArgs),
    /// Change the vault passphrase.
    Passwd(entries::PasswdArgs),
    /// Team vaults: create or re-protect a member's identity file.
    #[command(subcommand)]
    Identity(team::IdentityCommand),
    /// Team vaults: add, list or remove members.
    #[command(subcommand)]
    Member(team::MemberCommand),
    /// Convert a passphrase vault into a team vault, or back.
    Convert(team::ConvertArgs),
    /// Run a program with an entry's credentials in its environment.
    Run(entries::RunArgs),
    /// Print a shell completion script.
    Completions(entries::CompletionsArgs),
    /// Print a man page (roff), or write every page with --out.
    Man(ManArgs),
    // App Store Connect
    /// List the apps the API key can see.
    Apps(asc::AppsArgs),
    /// Customer reviews: list, show, respond, delete-response, flag, report.
    #[command(subcommand)]
    Reviews(asc::ReviewsCommand),
    /// Ask Apple whether stored credentials still work.
    Verify(asc::VerifyArgs),
    /// Metrics: analytics reports, sales and finance, performance, diagnostics, charts.
    Metrics(metrics::MetricsArgs),
    // Git and migration
    /// Make the current git repository diff and merge the vault well.
    #[command(subcommand)]
    Git(git::GitCommand),
    /// Print a redacted text rendering of a vault (git's textconv).
    Textconv(git::TextconvArgs),
    /// Three-way merge of vault files by entry id (git's merge driver).
    Merge(git::MergeArgs),
    /// Report credential hygiene problems (exit 1 when there are any).
    Check(git::CheckArgs),
    /// Import credentials from other tools' files.
    #[command(subcommand)]
    Import(git::ImportCommand),
    /// Print the decrypted vault, for migration.
    Export(git::ExportArgs),
    /// Fetch what is new from App Store Connect into the local archive.
    Sync(crate::cli::sync::SyncArgs),
    /// Write an HTML report of an app from the archive (offline).
    Report(report::ReportArgs),
}

/// `man [SUBCOMMAND…] [--out DIR]`
#[derive(Debug, clap::Args)]
pub struct ManArgs {
    /// Whose page to print, e.g. `add password` (none: the main page,
    /// ascvault(1)).
    #[arg(value_name = "SUBCOMMAND", conflicts_with = "out")]
    pub command: Vec<String>,
    /// Write every page (ascvault.1, ascvault-init.1, ascvault-add-password.1,
    /// …) into this directory, creating it if needed.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}
