//! Team vaults (format 1.2): `identity`, `member` and `convert`.

use std::path::PathBuf;

use clap::{Args, Subcommand};

/// `identity new|passwd`
#[derive(Debug, Subcommand)]
pub enum IdentityCommand {
    /// Create a member's identity file beside the vault
    /// (.ascvault/identities/NAME.age, encrypted with their new passphrase)
    /// and print its public recipient.
    New(IdentityNewArgs),
    /// Change a member's identity passphrase (the vault is not touched).
    Passwd(IdentityPasswdArgs),
}

#[derive(Debug, Args)]
pub struct IdentityNewArgs {
    /// The member's name (1 to 64 letters, digits, '.', '_' or '-').
    pub name: String,
    /// log2 of scrypt's N for the identity file (10 to 22).
    #[arg(long, default_value_t = crate::vault::DEFAULT_WORK_FACTOR, value_parser = clap::value_parser!(u8).range(10..=22))]
    pub work_factor: u8,
    /// Read the new passphrase from this file instead of asking twice.
    #[arg(long, value_name = "PATH")]
    pub new_passphrase_file: Option<PathBuf>,
    /// Accept a new passphrase the strength estimate calls weak.
    #[arg(long)]
    pub weak_passphrase_ok: bool,
}

#[derive(Debug, Args)]
pub struct IdentityPasswdArgs {
    /// The member's name.
    pub name: String,
    /// Re-encrypt the identity file with this work factor (10 to 22).
    #[arg(long, value_parser = clap::value_parser!(u8).range(10..=22))]
    pub work_factor: Option<u8>,
    /// Read the new passphrase from this file instead of asking twice.
    #[arg(long, value_name = "PATH")]
    pub new_passphrase_file: Option<PathBuf>,
    /// Accept a new passphrase the strength estimate calls weak.
    #[arg(long)]
    pub weak_passphrase_ok: bool,
}

/// `member add|list|remove`
#[derive(Debug, Subcommand)]
pub enum MemberCommand {
    /// Add a member: the vault is encrypted to their key from now on.
    Add(MemberAddArgs),
    /// List the members (name, key kind, fingerprint, added, added by).
    List(MemberListArgs),
    /// Remove a member: the vault is re-encrypted without them.
    Remove(MemberRemoveArgs),
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("key").required(true).args(["recipient", "ssh_key", "identity_file"])))]
pub struct MemberAddArgs {
    /// The new member's name (1 to 64 letters, digits, '.', '_' or '-').
    pub name: String,
    /// Their age recipient (age1…) or SSH public key line.
    #[arg(long, value_name = "KEY")]
    pub recipient: Option<String>,
    /// Their SSH public key file (ed25519 or RSA, e.g. id_ed25519.pub).
    #[arg(long, value_name = "FILE.pub")]
    pub ssh_key: Option<PathBuf>,
    /// The identity file they made with `ascvault identity new`: their
    /// recipient is read from the NAME.pub file written beside it (no
    /// passphrase needed).
    #[arg(long, value_name = "FILE.age")]
    pub identity_file: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct MemberListArgs {
    /// JSON: an array of {name, kind, recipient, fingerprint, added, added_by}.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct MemberRemoveArgs {
    /// The member to remove.
    pub name: String,
}

/// `convert --to-team --member NAME | --to-passphrase`
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("to").required(true).args(["to_team", "to_passphrase"])))]
pub struct ConvertArgs {
    /// Make a passphrase vault a team vault whose one member is the global
    /// --member NAME (their identity file is created, asking their new
    /// passphrase).
    #[arg(long)]
    pub to_team: bool,
    /// Make a team vault a passphrase vault (asks a new vault passphrase).
    #[arg(long)]
    pub to_passphrase: bool,
    /// Work factor of the new passphrase vault, or of the new member's
    /// identity file (10 to 22).
    #[arg(long, default_value_t = crate::vault::DEFAULT_WORK_FACTOR, value_parser = clap::value_parser!(u8).range(10..=22))]
    pub work_factor: u8,
    /// Read the new passphrase from this file instead of asking twice.
    #[arg(long, value_name = "PATH")]
    pub new_passphrase_file: Option<PathBuf>,
    /// Accept a new passphrase the strength estimate calls weak.
    #[arg(long)]
    pub weak_passphrase_ok: bool,
}
