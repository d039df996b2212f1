//! [`Unlock`]: what opens a vault — its passphrase (a passphrase vault) or
//! member identities (a team vault). Every read and write of the library
//! takes one.

use std::fmt;

use crate::secret::Secret;
use crate::vault::team::Identity;

/// The key a vault is opened with.
#[derive(Clone)]
pub enum Unlock {
    /// A passphrase vault's passphrase (one scrypt per open; a write runs
    /// the new file's scrypt while the old file is decrypted).
    Passphrase(Secret),
    /// Identities of a team vault's member (or of a CI runner listed as
    /// one): any that opens one of the file's stanzas will do. No KDF.
    Identities(Vec<Identity>),
}

impl Unlock {
    /// The passphrase, if this is one.
    pub fn passphrase(&self) -> Option<&Secret> {
        match self {
            Unlock::Passphrase(p) => Some(p),
            Unlock::Identities(_) => None,
        }
    }
}

impl From<Secret> for Unlock {
    fn from(passphrase: Secret) -> Self {
        Unlock::Passphrase(passphrase)
    }
}

impl From<&Secret> for Unlock {
    fn from(passphrase: &Secret) -> Self {
        Unlock::Passphrase(passphrase.clone())
    }
}

impl From<Vec<Identity>> for Unlock {
    fn from(identities: Vec<Identity>) -> Self {
        Unlock::Identities(identities)
    }
}

impl fmt::Debug for Unlock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unlock::Passphrase(_) => f.write_str("Unlock::Passphrase(..)"),
            Unlock::Identities(list) => f.debug_tuple("Unlock::Identities").field(list).finish(),
        }
    }
}
