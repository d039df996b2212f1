//! The vault: an age-encrypted TOML document of credentials (spec/FORMAT.md).
//!
//! The public surface is the items re-exported here, plus three modules
//! whose names say what they are for: [`crypto`] (the age container),
//! [`merge`] (the three-way merge of documents) and [`hygiene`] (the
//! findings of `ascvault check`). The other modules are private:
//!
//! - `format/`: the plaintext schema, one type per file — [`Document`]
//!   (parsing, canonical output, lookup and every change to it), [`Entry`],
//!   [`Kind`], [`Timestamp`], [`Version`]; its child `split` parses large
//!   texts in pieces on several threads;
//! - `open`: the read path, bytes → [`Unlocked`] ([`open_bytes`]), which
//!   [`Vault::open`] and git's textconv and merge driver share;
//! - `store`: the file on disk ([`Vault`]: read-modify-write, atomic
//!   replacement through `crate::atomic`), with its writer lock and the
//!   clean-up done under it in `store/lock`;
//! - `merge_files`: git's merge driver on files ([`MergeFiles`]): open the
//!   three versions, merge, encrypt like ours;
//! - `new_entry`: [`NewPassword`] and [`NewApiKey`], validated into entries;
//! - `credential`: the validation rules of labels, Apple IDs, passwords and
//!   key parts;
//! - `render`: the redacted text rendering for `git diff`;
//! - `error`: [`VaultError`] and the errors it carries;
//! - `unlock`: [`Unlock`], the key every read and write takes (a
//!   passphrase, or member identities);
//! - [`team`] (public): recipients, identities and members' identity files
//!   of team vaults (format 1.2).

pub(crate) mod credential;
pub mod crypto;
mod error;
mod format;
pub mod hygiene;
pub mod merge;
mod merge_files;
mod new_entry;
mod open;
pub(crate) mod render;
pub(crate) mod store;
pub mod team;
mod unlock;

pub use crate::secret::Secret;
pub use crypto::{
    Container, DEFAULT_WORK_FACTOR, Header, MAX_WORK_FACTOR, MIN_WORK_FACTOR, TeamContainer,
    WARN_WORK_FACTOR,
};
pub use error::{FormatError, InvalidInput, UnlockError, VaultError};
pub use format::{
    CURRENT_VERSION, Document, Entry, Exposure, FingerprintKey, Kind, Member, Timestamp, Tombstone,
    Version, check_member_name,
};
pub use merge_files::{MergeFiles, MergeFilesError, MergeInput, Merged};
pub use new_entry::{EntryEdit, NewApiKey, NewPassword};
pub use open::{OpenError, Unlocked, open_bytes};
pub use store::{DEFAULT_LOCK_TIMEOUT, Draft, LockGuard, Vault};
pub use team::{Identity, Recipient, RecipientKind};
pub use unlock::Unlock;
