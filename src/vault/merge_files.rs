//! git's merge driver on files (spec/MERGE.md §1): the three versions'
//! bytes opened with one passphrase through the vault's read path,
//! merged by entry id ([`merge`]), and the result encrypted
//! like our version, ready to replace it.
//!
//! The messages, and when to ask for the passphrase, are the caller's
//! (`ascvault merge`): each failure says which version it concerns.

use std::fmt;
use std::path::Path;
use std::thread;

use thiserror::Error;

use super::crypto::{self, Container, Header, Prepared};
use super::error::{FormatError, UnlockError, VaultError};
use super::format::Document;
use super::merge::{self, Conflict, Notice};
use super::open::{OpenError, open_bytes};
use super::store::{team_encryptor, write_atomic};
use super::unlock::Unlock;

/// One of the three versions a merge reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MergeInput {
    /// The common ancestor (`%O`); empty when both branches added the vault.
    Base,
    /// The current branch's version (`%A`), which the result replaces.
    Ours,
    /// The version being merged in (`%B`).
    Theirs,
}

impl fmt::Display for MergeInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            MergeInput::Base => "the common ancestor (base)",
            MergeInput::Ours => "our version",
            MergeInput::Theirs => "their version",
        })
    }
}

/// Why the three versions did not merge into a new file.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum MergeFilesError {
    /// One version did not open.
    #[error("cannot open {input}: {source}")]
    Open {
        /// Which version.
        input: MergeInput,
        /// Why.
        #[source]
        source: OpenError,
    },
    /// A worker thread panicked; what it was doing.
    #[error("{0}")]
    Panicked(&'static str),
    /// The new file's encryption (or its KDF) failed.
    #[error(transparent)]
    Encrypt(VaultError),
    /// The two sides' changes conflict; every conflict found.
    #[error("{} conflicts", .0.len())]
    Conflicts(Vec<Conflict>),
    /// The merged document would not be a valid vault.
    #[error("the merged vault would not be valid: {0}")]
    Invalid(FormatError),
}

/// The three versions' bytes, with our version's header already read.
#[derive(Clone, Copy, Debug)]
pub struct MergeFiles<'a> {
    base: &'a [u8],
    ours: &'a [u8],
    theirs: &'a [u8],
    header: Header,
}

impl<'a> MergeFiles<'a> {
    /// Our version's container (armor, work factor), which the result
    /// keeps; `None` for a team vault.
    pub fn container(&self) -> Option<Container> {
        self.header.passphrase()
    }

    /// Our version's header: the result is of the same kind.
    pub fn header(&self) -> Header {
        self.header
    }

    /// Reads our version's header, which the result's armor and work factor
    /// follow. No KDF runs and no passphrase is needed yet, so a file that
    /// can never open is refused before anyone is asked for one.
    pub fn new(base: &'a [u8], ours: &'a [u8], theirs: &'a [u8]) -> Result<Self, UnlockError> {
        let header = crypto::header(ours)?;
        Ok(MergeFiles {
            base,
            ours,
            theirs,
            header,
        })
    }

    /// Opens the three versions with `key`, merges them and encrypts the
    /// result like our version: a passphrase vault with its armor and work
    /// factor, a team vault to the merged document's members.
    ///
    /// For a passphrase vault, four KDFs (three opens, one for the new
    /// file) run two at a time; a team vault needs none.
    pub fn merge(&self, key: &Unlock) -> Result<Merged, MergeFilesError> {
        let (ours, prepared) = thread::scope(|s| {
            let prepared = s.spawn(|| match (self.header, key) {
                (Header::Passphrase(container), Unlock::Passphrase(passphrase)) => {
                    Prepared::new(passphrase, container).map(Some)
                }
                _ => Ok(None),
            });
            let ours = open_input(self.ours, key, MergeInput::Ours);
            (ours, prepared.join())
        });
        let ours = ours?;
        let (base, theirs) = thread::scope(|s| {
            let theirs = s.spawn(|| open_input(self.theirs, key, MergeInput::Theirs));
            let base = open_input(self.base, key, MergeInput::Base);
            (base, theirs.join())
        });
        let theirs =
            theirs.map_err(|_| MergeFilesError::Panicked("the decryption thread panicked"))??;
        let base = base?;
        let prepared = prepared
            .map_err(|_| MergeFilesError::Panicked("the key derivation thread panicked"))?
            .map_err(MergeFilesError::Encrypt)?;

        let merge::Outcome {
            mut document,
            notices,
        } = merge::merge_explained(&base, &ours, &theirs).map_err(MergeFilesError::Conflicts)?;
        document.ensure_fingerprint_key();
        let text = document.to_canonical();
        // Validate before writing: the result must be a vault we can read back.
        Document::parse(&text).map_err(MergeFilesError::Invalid)?;
        let prepared = match prepared {
            Some(prepared) => prepared,
            None => team_encryptor(&document, self.header.armored())
                .map_err(MergeFilesError::Encrypt)?,
        };
        let bytes = prepared
            .encrypt(text.as_bytes())
            .map_err(MergeFilesError::Encrypt)?;
        Ok(Merged {
            ours,
            document,
            notices,
            bytes,
        })
    }
}

fn open_input(bytes: &[u8], key: &Unlock, input: MergeInput) -> Result<Document, MergeFilesError> {
    if input == MergeInput::Base && bytes.is_empty() {
        // Both branches added the vault: there is no ancestor.
        return Ok(Document::default());
    }
    open_bytes(bytes, key)
        .map(|unlocked| unlocked.document)
        .map_err(|source| MergeFilesError::Open { input, source })
}

/// The result of a merge: the new file, and the documents to describe it.
#[derive(Debug)]
pub struct Merged {
    /// Our version as it was.
    pub ours: Document,
    /// The merged document.
    pub document: Document,
    /// Entries the merge kept or made revoked (spec/MERGE.md §1.4), for
    /// stderr.
    pub notices: Vec<Notice>,
    /// The encrypted merged file.
    bytes: Vec<u8>,
}

impl Merged {
    /// The encrypted merged file.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Writes the merged file over `path` atomically (where a symlink
    /// points, if it is one). No vault lock is taken: git gives the driver
    /// files of its own.
    pub fn write(&self, path: &Path) -> Result<(), VaultError> {
        write_atomic(path, &self.bytes, true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::Secret;
    use crate::vault::Entry;

    const PASS: &str = "merge files test passphrase";

    fn entry(label: &str) -> Entry {
        crate::vault::new_entry::test_password_entry(label)
    }

    fn file(doc: &Document, pass: &str, armored: bool) -> Vec<u8> {
        let container = Container {
            armored,
            work_factor: 10,
        };
        Prepared::new(&Secret::from(pass), container)
            .unwrap()
            .encrypt(doc.to_canonical().as_bytes())
            .unwrap()
    }

    fn with(labels: &[&str]) -> Document {
        let mut doc = Document::default();
        for label in labels {
            doc.add(entry(label)).unwrap();
        }
        doc
    }

    #[test]
    fn an_empty_base_merges_two_additions_into_a_file_like_ours() {
        let ours = file(&with(&["a"]), PASS, true);
        let theirs = file(&with(&["b"]), PASS, false);
        let files = MergeFiles::new(b"", &ours, &theirs).unwrap();
        let merged = files.merge(&Secret::from(PASS).into()).unwrap();
        assert_eq!(merged.ours.entries.len(), 1);
        let labels: Vec<&str> = merged
            .document
            .entries
            .iter()
            .map(|e| e.label.as_str())
            .collect();
        assert_eq!(labels, ["a", "b"]);
        let reopened = open_bytes(merged.bytes(), &Secret::from(PASS).into()).unwrap();
        assert_eq!(reopened.document, merged.document);
        assert_eq!(reopened.header, crypto::header(&ours).unwrap());
    }

    #[test]
    fn a_side_that_does_not_open_is_named() {
        let ours = file(&with(&["a"]), PASS, true);
        let theirs = file(&with(&["b"]), "another passphrase", true);
        let files = MergeFiles::new(b"", &ours, &theirs).unwrap();
        let err = files.merge(&Secret::from(PASS).into()).unwrap_err();
        assert!(matches!(
            err,
            MergeFilesError::Open {
                input: MergeInput::Theirs,
                source: OpenError::Unlock(UnlockError::WrongPassphrase)
            }
        ));
        assert!(
            MergeFiles::new(b"", b"", &theirs).is_err(),
            "ours is checked first"
        );
    }

    #[test]
    fn conflicts_are_all_returned() {
        let base = with(&["a"]);
        let mut ours = base.clone();
        ours.set_note("a", "ours").unwrap();
        let mut theirs = base.clone();
        theirs.set_note("a", "theirs").unwrap();
        let (base, ours, theirs) = (
            file(&base, PASS, true),
            file(&ours, PASS, true),
            file(&theirs, PASS, true),
        );
        let files = MergeFiles::new(&base, &ours, &theirs).unwrap();
        match files.merge(&Secret::from(PASS).into()) {
            Err(MergeFilesError::Conflicts(conflicts)) => assert_eq!(conflicts.len(), 1),
            other => panic!("{other:?}"),
        }
    }
}
