//! Team vaults (format 1.2, spec/FORMAT.md §2, §10): the public keys a
//! team vault is encrypted to ([`Recipient`]), the private keys that open
//! it ([`Identity`]: age X25519, SSH ed25519 and RSA, plain or encrypted),
//! and members' passphrase-protected identity files beside the vault
//! ([`identity_file`]).

mod identity;
pub mod identity_file;
mod recipient;

pub use identity::{Identity, LoadedIdentity, LockedIdentity};
pub use recipient::{Recipient, RecipientKind};
