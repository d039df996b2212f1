//! The vault: an age-encrypted TOML document of credentials (spec/FORMAT.md).
//!
//! - [`format`](mod@format): the plaintext schema and its canonical serialization (large
//!   texts parsed in pieces on several threads: `split`);
//! - [`crypto`]: the age container (header inspection, decrypt, prepared encrypt);
//! - [`store`]: the file on disk (lock, atomic write);
//! - [`credential`]: validation of what goes into an entry;
//! - [`ops`]: changes to a document that keep its invariants;
//! - [`merge`]: the three-way merge of documents by entry id (git's merge driver);
//! - [`render`]: the redacted text rendering for `git diff`;
//! - [`hygiene`]: the findings of `ascvault check`.

pub mod credential;
pub mod crypto;
mod error;
pub mod format;
pub mod hygiene;
pub mod merge;
pub mod ops;
pub mod render;

mod split;
pub mod store;

pub use crate::secret::Secret;
pub use crypto::{
    Container, DEFAULT_WORK_FACTOR, MAX_WORK_FACTOR, MIN_WORK_FACTOR, WARN_WORK_FACTOR,
};
pub use error::{FormatError, InvalidInput, UnlockError, VaultError};
pub use format::{CURRENT_VERSION, Document, Entry, Kind, Timestamp, Version};
pub use ops::{NewApiKey, NewPassword};
pub use store::{Draft, Unlocked, Vault};
