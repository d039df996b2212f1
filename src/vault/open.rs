//! The read path: a vault file's bytes, decrypted and parsed into a
//! [`Document`]. [`Vault::open`](super::Vault::open) reads the file and comes
//! here; git's textconv and merge driver, which get the bytes from git, come
//! here directly.

use std::path::Path;

use thiserror::Error;

use super::crypto::{self, Container, Header};
use super::error::{FormatError, UnlockError, VaultError};
use super::format::Document;
use super::unlock::Unlock;

/// A decrypted vault.
#[derive(Debug)]
pub struct Unlocked {
    /// The plaintext document.
    pub document: Document,
    /// What the file's header says: a passphrase vault's armor and work
    /// factor, or a team vault's armor and recipient count.
    pub header: Header,
}

impl Unlocked {
    /// A passphrase vault's container; `None` for a team vault.
    pub fn container(&self) -> Option<Container> {
        self.header.passphrase()
    }
}

/// Why a vault file's bytes did not open: the container would not decrypt,
/// or what it holds is not a document this version reads.
#[derive(Debug, Error)]
pub enum OpenError {
    /// The age container would not decrypt.
    #[error(transparent)]
    Unlock(#[from] UnlockError),
    /// The plaintext is not a valid document.
    #[error(transparent)]
    Format(#[from] FormatError),
}

impl OpenError {
    /// The same failure, said of the file at `path`.
    pub(crate) fn at(self, path: &Path) -> VaultError {
        let path = path.to_owned();
        match self {
            OpenError::Unlock(source) => VaultError::Unlock { path, source },
            OpenError::Format(source) => VaultError::Format { path, source },
        }
    }
}

/// Decrypts a vault file's bytes with `key` and parses the plaintext.
pub fn open_bytes(bytes: &[u8], key: &Unlock) -> Result<Unlocked, OpenError> {
    let (header, plaintext) = crypto::decrypt_with(bytes, key)?;
    let text = std::str::from_utf8(&plaintext).map_err(|_| FormatError::NotUtf8)?;
    let document = Document::parse(text)?;
    Ok(Unlocked { document, header })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::Secret;
    use crate::vault::crypto::Prepared;

    fn pass(p: &str) -> Unlock {
        Unlock::Passphrase(Secret::from(p))
    }

    const PASS: &str = "open test passphrase";

    fn encrypt(plaintext: &[u8]) -> Vec<u8> {
        let container = Container {
            armored: false,
            work_factor: 10,
        };
        Prepared::new(&Secret::from(PASS), container)
            .unwrap()
            .encrypt(plaintext)
            .unwrap()
    }

    #[test]
    fn a_vault_opens_into_its_document_and_container() {
        let text = Document::default().to_canonical();
        let unlocked = open_bytes(&encrypt(text.as_bytes()), &pass(PASS)).unwrap();
        assert_eq!(unlocked.document, Document::default());
        assert_eq!(unlocked.container().unwrap().work_factor, 10);
        assert!(!unlocked.header.armored());
    }

    #[test]
    fn each_failure_says_which_stage_failed() {
        let bytes = encrypt(Document::default().to_canonical().as_bytes());
        assert!(matches!(
            open_bytes(&bytes, &pass("wrong")),
            Err(OpenError::Unlock(UnlockError::WrongPassphrase))
        ));
        assert!(matches!(
            open_bytes(&encrypt(b"\xff\xfe"), &pass(PASS)),
            Err(OpenError::Format(FormatError::NotUtf8))
        ));
        assert!(matches!(
            open_bytes(&encrypt(b"format = \"other\"\n"), &pass(PASS)),
            Err(OpenError::Format(FormatError::NotAscvault { .. }))
        ));
    }

    #[test]
    fn said_of_a_path_it_is_the_vault_error_of_that_file() {
        let path = Path::new("v.age");
        let err = OpenError::Unlock(UnlockError::Empty).at(path);
        assert!(matches!(err, VaultError::Unlock { ref path, .. } if path == Path::new("v.age")));
        let err = OpenError::Format(FormatError::NotUtf8).at(path);
        assert!(matches!(err, VaultError::Format { .. }));
    }
}
