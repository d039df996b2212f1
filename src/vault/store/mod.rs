//! The vault file on disk: reading, creating, and read-modify-write under an
//! advisory lock with atomic replacement.
//!
//! Every write goes to a temp file in the vault's directory (mode 0600), is
//! fsynced, renamed over the vault, and the directory is fsynced, so a crash
//! leaves either the old or the new file, never a mix. Writers serialize on a
//! sidecar lock file (`<vault>.lock`); readers need no lock because the
//! rename is atomic.

mod lock;

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::crypto::{self, Container, Header, Prepared};
use super::error::{InvalidInput, UnlockError, VaultError};
use super::format::{Document, Member};
use super::open::{Unlocked, open_bytes};
use super::unlock::Unlock;
use crate::atomic::{self, Replace, Step};
use crate::secret::Secret;
pub use lock::LockGuard;
use lock::remove_stale_temp_files;

/// How long a writer waits for another writer by default.
pub const DEFAULT_LOCK_TIMEOUT: Duration = Duration::from_secs(10);

/// A vault file at a path. Cheap to create; nothing is read until asked.
#[derive(Clone, Debug)]
pub struct Vault {
    path: PathBuf,
    lock_timeout: Duration,
    on_unlock: Option<fn(Container)>,
}

impl Vault {
    /// A vault at `path`.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Vault {
            path: path.into(),
            lock_timeout: DEFAULT_LOCK_TIMEOUT,
            on_unlock: None,
        }
    }

    /// Calls `hook` with the header of every file this vault decrypts:
    /// [`Vault::open`], and the reads of [`Vault::update`],
    /// [`Vault::draft`] and [`Vault::commit`]. The CLI warns there about a
    /// weak work factor, whichever command opened the vault (every write
    /// keeps the factor it found).
    pub fn on_unlock(mut self, hook: fn(Container)) -> Self {
        self.on_unlock = Some(hook);
        self
    }

    /// Sets how long writers wait for the lock.
    pub fn with_lock_timeout(mut self, timeout: Duration) -> Self {
        self.lock_timeout = timeout;
        self
    }

    /// The path given.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Reads the raw file.
    pub fn read_bytes(&self) -> Result<Vec<u8>, VaultError> {
        match fs::read(&self.path) {
            Ok(b) => Ok(b),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Err(VaultError::Missing {
                path: self.path.clone(),
            }),
            Err(e) => Err(VaultError::io("reading", &self.path, e)),
        }
    }

    /// Whether [`Vault::create`] could make a vault at this path: nothing is
    /// there yet (a directory gets its own error), and its folder exists.
    /// `init` asks this before it asks for a passphrase.
    pub fn check_new(&self) -> Result<(), VaultError> {
        match fs::symlink_metadata(&self.path) {
            Ok(m) if m.is_dir() => {
                return Err(VaultError::IsDirectory {
                    path: self.path.clone(),
                });
            }
            Ok(_) => {
                return Err(VaultError::AlreadyExists {
                    path: self.path.clone(),
                });
            }
            Err(_) => {}
        }
        let folder = atomic::parent_dir(&self.path);
        match fs::metadata(&folder) {
            Ok(m) if m.is_dir() => Ok(()),
            Ok(_) => Err(VaultError::NoFolder {
                vault: self.path.clone(),
                folder,
            }),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Err(VaultError::NoFolder {
                vault: self.path.clone(),
                folder,
            }),
            Err(e) => Err(VaultError::io("reading", folder, e)),
        }
    }

    /// Creates a new empty vault. Never overwrites an existing file.
    pub fn create(&self, passphrase: &Secret, container: Container) -> Result<(), VaultError> {
        if passphrase.is_empty() {
            return Err(InvalidInput::EmptyPassphrase.into());
        }
        if !(crypto::MIN_WORK_FACTOR..=crypto::MAX_WORK_FACTOR).contains(&container.work_factor) {
            return Err(InvalidInput::WorkFactor(container.work_factor).into());
        }
        self.check_new()?;
        let mut document = Document::default();
        document.ensure_fingerprint_key();
        let text = document.to_canonical();
        let bytes = Prepared::new(passphrase, container)?.encrypt(text.as_bytes())?;
        let _lock = self.lock()?;
        write_atomic(&self.path, &bytes, false)
    }

    /// Creates a new team vault (format 1.2) with one member, `founder`,
    /// encrypted to their recipient. Never overwrites an existing file.
    pub fn create_team(&self, founder: Member, armored: bool) -> Result<(), VaultError> {
        self.check_new()?;
        let mut document = Document::default();
        document.add_member(founder)?;
        document.ensure_fingerprint_key();
        let text = document.to_canonical();
        let bytes = team_encryptor(&document, armored)?.encrypt(text.as_bytes())?;
        let _lock = self.lock()?;
        write_atomic(&self.path, &bytes, false)
    }

    /// Decrypts and parses the vault with `key`.
    pub fn open(&self, key: &Unlock) -> Result<Unlocked, VaultError> {
        let bytes = self.read_bytes()?;
        self.decrypt(&bytes, key)
    }

    fn decrypt(&self, bytes: &[u8], key: &Unlock) -> Result<Unlocked, VaultError> {
        let unlocked = open_bytes(bytes, key).map_err(|e| e.at(&self.path))?;
        if let (Some(hook), Some(container)) = (self.on_unlock, unlocked.container()) {
            hook(container);
        }
        Ok(unlocked)
    }

    fn unlock_error(&self, source: UnlockError) -> VaultError {
        VaultError::Unlock {
            path: self.path.clone(),
            source,
        }
    }

    /// Read-modify-write under the lock. `change` sees the decrypted document;
    /// if it returns an error nothing is written.
    ///
    /// A passphrase vault's new KDF runs on a second thread while the old
    /// file is decrypted, so this costs about one KDF of wall time; a team
    /// vault's write is encrypted to the members the changed document lists
    /// (no KDF at all).
    pub fn update<T>(
        &self,
        key: &Unlock,
        change: impl FnOnce(&mut Document) -> Result<T, VaultError>,
    ) -> Result<T, VaultError> {
        self.update_inner(key, Rekey::default(), change)
    }

    /// Re-encrypts a passphrase vault under a new passphrase (same work
    /// factor and armor).
    pub fn change_passphrase(&self, old: &Unlock, new: &Secret) -> Result<(), VaultError> {
        self.rekey(old, Some(new), None)
    }

    /// Re-encrypts a passphrase vault under a new passphrase, a new work
    /// factor, or both (`None` keeps what the file has; the armor is kept).
    pub fn rekey(
        &self,
        old: &Unlock,
        new: Option<&Secret>,
        work_factor: Option<u8>,
    ) -> Result<(), VaultError> {
        if new.is_some_and(|n| n.is_empty()) {
            return Err(InvalidInput::EmptyPassphrase.into());
        }
        if let Some(wf) = work_factor
            && !(crypto::MIN_WORK_FACTOR..=crypto::MAX_WORK_FACTOR).contains(&wf)
        {
            return Err(InvalidInput::WorkFactor(wf).into());
        }
        if !matches!(
            crypto::header(&self.read_bytes()?),
            Ok(Header::Passphrase(_)) | Err(_)
        ) {
            return Err(VaultError::NotTeam(
                "a team vault has no vault passphrase: each member changes their own (`ascvault identity passwd`)",
            ));
        }
        let rekey = Rekey {
            passphrase: new,
            work_factor,
            to_team: false,
        };
        self.update_inner(old, rekey, |_| Ok(()))
    }

    /// Converts a passphrase vault into a team vault whose one member is
    /// `founder`, keeping every entry (and the armor).
    pub fn convert_to_team(&self, key: &Unlock, founder: Member) -> Result<(), VaultError> {
        let rekey = Rekey {
            to_team: true,
            ..Rekey::default()
        };
        self.update_inner(key, rekey, |doc| {
            if doc.is_team() {
                return Err(VaultError::NotTeam("the vault is already a team vault"));
            }
            doc.add_member(founder)
        })
    }

    /// Converts a team vault into a passphrase vault (`work_factor`, armor
    /// kept), keeping every entry and its exposure records; the member
    /// list and the tombstones go.
    pub fn convert_to_passphrase(
        &self,
        key: &Unlock,
        new: &Secret,
        work_factor: u8,
    ) -> Result<(), VaultError> {
        if new.is_empty() {
            return Err(InvalidInput::EmptyPassphrase.into());
        }
        if !(crypto::MIN_WORK_FACTOR..=crypto::MAX_WORK_FACTOR).contains(&work_factor) {
            return Err(InvalidInput::WorkFactor(work_factor).into());
        }
        let rekey = Rekey {
            passphrase: Some(new),
            work_factor: Some(work_factor),
            to_team: false,
        };
        self.update_inner(key, rekey, |doc| {
            if !doc.is_team() {
                return Err(VaultError::NotTeam(
                    "the vault is already a passphrase vault",
                ));
            }
            doc.members.clear();
            doc.removed.clear();
            Ok(())
        })
    }

    /// Unlocks the vault for a change that must wait for something, such as
    /// the user's confirmation, without holding the lock meanwhile. A
    /// passphrase vault's new KDF starts at once on a second thread, so that
    /// [`Vault::commit`] after the wait costs no KDF at all when the file is
    /// unchanged by then.
    pub fn draft(&self, key: &Unlock) -> Result<Draft, VaultError> {
        let bytes = self.read_bytes()?;
        let (opened, pending) = self.begin_write(&bytes, key, Rekey::default())?;
        match opened {
            Ok(document) => Ok(Draft {
                document,
                bytes,
                key: key.clone(),
                pending: Some(pending),
            }),
            Err(e) => {
                let _ = pending.join();
                Err(e)
            }
        }
    }

    /// Applies `change` to a draft's document and writes it, under the lock.
    /// If another writer changed the file since the draft was taken, the
    /// file is unlocked again and `change` applies to what is there now.
    pub fn commit<T>(
        &self,
        mut draft: Draft,
        change: impl FnOnce(&mut Document) -> Result<T, VaultError>,
    ) -> Result<T, VaultError> {
        let _lock = self.lock()?;
        remove_stale_temp_files(&self.path);
        let bytes = self.read_bytes()?;
        let ready = draft.join_pending();
        let (document, ready) = match ready {
            Some(ready) if bytes == draft.bytes => (std::mem::take(&mut draft.document), ready?),
            _ => self.unlock_for_write(&bytes, &draft.key, Rekey::default())?,
        };
        self.finish(document, ready, change)
    }

    fn update_inner<T>(
        &self,
        key: &Unlock,
        rekey: Rekey<'_>,
        change: impl FnOnce(&mut Document) -> Result<T, VaultError>,
    ) -> Result<T, VaultError> {
        let _lock = self.lock()?;
        remove_stale_temp_files(&self.path);
        let bytes = self.read_bytes()?;
        let (document, ready) = self.unlock_for_write(&bytes, key, rekey)?;
        self.finish(document, ready, change)
    }

    /// Decides what the new file is encrypted to and, for a passphrase,
    /// starts its KDF on a second thread while `bytes` are decrypted. The
    /// caller joins the thread, even when decryption failed.
    fn begin_write(
        &self,
        bytes: &[u8],
        key: &Unlock,
        rekey: Rekey<'_>,
    ) -> Result<(Result<Document, VaultError>, Pending), VaultError> {
        let found = crypto::header(bytes).map_err(|e| self.unlock_error(e))?;
        let new_passphrase = rekey.passphrase.or(match found {
            Header::Passphrase(_) => key.passphrase(),
            Header::Team(_) => None,
        });
        let pending = match new_passphrase {
            Some(passphrase) if !rekey.to_team => {
                let container = Container {
                    armored: found.armored(),
                    work_factor: rekey.work_factor.unwrap_or(match found {
                        Header::Passphrase(c) => c.work_factor,
                        Header::Team(_) => crypto::DEFAULT_WORK_FACTOR,
                    }),
                };
                Pending::Kdf(Prepared::spawn(passphrase, container))
            }
            _ => Pending::Team {
                armored: found.armored(),
            },
        };
        let opened = self.decrypt(bytes, key).map(|u| u.document);
        Ok((opened, pending))
    }

    /// [`Vault::begin_write`], waiting for both halves.
    fn unlock_for_write(
        &self,
        bytes: &[u8],
        key: &Unlock,
        rekey: Rekey<'_>,
    ) -> Result<(Document, Ready), VaultError> {
        let (opened, pending) = self.begin_write(bytes, key, rekey)?;
        // Wait for the KDF thread even on failure, so no work outlives the call.
        let ready = pending.join()?;
        Ok((opened?, ready?))
    }

    /// Changes the document, encrypts and writes it (the lock is held). A
    /// team vault is encrypted to exactly the members the changed document
    /// lists.
    fn finish<T>(
        &self,
        mut document: Document,
        ready: Ready,
        change: impl FnOnce(&mut Document) -> Result<T, VaultError>,
    ) -> Result<T, VaultError> {
        let result = change(&mut document)?;
        document.ensure_fingerprint_key();
        let prepared = match ready {
            Ready::Passphrase(prepared) => {
                if document.is_team() {
                    return Err(VaultError::NotTeam(
                        "a passphrase vault cannot list members: convert it with `ascvault convert --to-team`",
                    ));
                }
                prepared
            }
            Ready::Team { armored } => team_encryptor(&document, armored)?,
        };
        let text = document.to_canonical();
        let encrypted = prepared.encrypt(text.as_bytes())?;
        write_atomic(&self.path, &encrypted, true)?;
        Ok(result)
    }

    /// Takes the writer lock, waiting up to the timeout.
    pub fn lock(&self) -> Result<LockGuard, VaultError> {
        lock::take(&self.path, self.lock_timeout)
    }
}

/// The encryptor of a team vault's document: to its members' recipients.
pub(crate) fn team_encryptor(document: &Document, armored: bool) -> Result<Prepared, VaultError> {
    if !document.is_team() {
        return Err(VaultError::NotTeam(
            "a team vault must list at least one member",
        ));
    }
    let recipients = document
        .members
        .iter()
        .map(Member::recipient)
        .collect::<Result<Vec<_>, _>>()?;
    Prepared::to_recipients(&recipients, armored)
}

/// What a write changes besides the document: `None` keeps the file's own.
#[derive(Clone, Copy, Default)]
struct Rekey<'a> {
    passphrase: Option<&'a Secret>,
    work_factor: Option<u8>,
    /// Encrypt to the document's members from now on.
    to_team: bool,
}

type KdfThread = std::thread::JoinHandle<Result<Prepared, VaultError>>;

/// The new file's encryption while the old file is being decrypted.
enum Pending {
    /// A passphrase's KDF, running on its thread.
    Kdf(KdfThread),
    /// To the members of the changed document (known only after the change).
    Team { armored: bool },
}

/// [`Pending`], done.
enum Ready {
    Passphrase(Prepared),
    Team { armored: bool },
}

impl Pending {
    fn join(self) -> Result<Result<Ready, VaultError>, VaultError> {
        match self {
            Pending::Kdf(thread) => thread
                .join()
                .map(|r| r.map(Ready::Passphrase))
                .map_err(|_| VaultError::Encrypt("the key derivation thread panicked".into())),
            Pending::Team { armored } => Ok(Ok(Ready::Team { armored })),
        }
    }
}

/// A vault unlocked for a later [`Vault::commit`] ([`Vault::draft`]).
/// Dropping it without committing changes nothing (it waits for its KDF
/// thread, so no work outlives it).
pub struct Draft {
    document: Document,
    /// The file as it was read, to tell at commit whether it changed.
    bytes: Vec<u8>,
    /// To unlock the file again if it did.
    key: Unlock,
    pending: Option<Pending>,
}

impl Draft {
    /// The document as it was when the draft was taken.
    pub fn document(&self) -> &Document {
        &self.document
    }

    /// The new file's encryption, once ready; `None` if already taken or
    /// if its thread panicked.
    fn join_pending(&mut self) -> Option<Result<Ready, VaultError>> {
        self.pending.take()?.join().ok()
    }
}

impl std::fmt::Debug for Draft {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Draft")
            .field("entries", &self.document.entries.len())
            .finish_non_exhaustive()
    }
}

impl Drop for Draft {
    fn drop(&mut self) {
        let _ = self.join_pending();
    }
}

/// A vault reached through a symlink is written where the link points, so
/// the link survives the rename.
fn resolve_symlink(path: &Path) -> PathBuf {
    match fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => {
            fs::canonicalize(path).unwrap_or_else(|_| path.to_owned())
        }
        _ => path.to_owned(),
    }
}

/// Writes `bytes` to `path` atomically (see [`crate::atomic`]); a vault
/// reached through a symlink is written where the link points.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8], replace: bool) -> Result<(), VaultError> {
    let target = resolve_symlink(path);
    let replace = if replace { Replace::Yes } else { Replace::No };
    atomic::write(&target, bytes, replace).map_err(|e| {
        if e.step == Step::Replace && e.source.kind() == io::ErrorKind::AlreadyExists {
            VaultError::AlreadyExists {
                path: path.to_owned(),
            }
        } else {
            VaultError::io(e.step.action(), &e.path, e.source)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vault::Entry;

    const PASS: &str = "store test passphrase";

    fn vault_with(labels: &[&str]) -> (tempfile::TempDir, Vault) {
        let dir = tempfile::tempdir().unwrap();
        let vault = Vault::new(dir.path().join("v.age"));
        let pass = Unlock::from(Secret::from(PASS));
        let container = Container {
            armored: true,
            work_factor: 10,
        };
        vault.create(&Secret::from(PASS), container).unwrap();
        vault
            .update(&pass, |doc| {
                for label in labels {
                    doc.add(entry(label))?;
                }
                Ok(())
            })
            .unwrap();
        (dir, vault)
    }

    fn entry(label: &str) -> Entry {
        crate::vault::new_entry::test_password_entry(label)
    }

    fn labels(vault: &Vault) -> Vec<String> {
        let doc = vault
            .open(&Unlock::from(Secret::from(PASS)))
            .unwrap()
            .document;
        doc.entries.iter().map(|e| e.label.clone()).collect()
    }

    #[test]
    fn a_draft_commits_its_change() {
        let (_dir, vault) = vault_with(&["a", "b"]);
        let pass = Unlock::from(Secret::from(PASS));
        let draft = vault.draft(&pass).unwrap();
        assert_eq!(draft.document().entries.len(), 2);
        let removed = vault.commit(draft, |doc| doc.remove("a")).unwrap();
        assert_eq!(removed.label, "a");
        assert_eq!(labels(&vault), ["b"]);
    }

    #[test]
    fn a_write_between_draft_and_commit_is_kept() {
        let (_dir, vault) = vault_with(&["a", "b"]);
        let pass = Unlock::from(Secret::from(PASS));
        let draft = vault.draft(&pass).unwrap();
        vault
            .update(&pass, |doc| {
                doc.add(entry("c"))?;
                Ok(())
            })
            .unwrap();
        vault.commit(draft, |doc| doc.remove("a")).unwrap();
        assert_eq!(labels(&vault), ["b", "c"]);
    }

    #[test]
    fn a_dropped_draft_changes_nothing() {
        let (_dir, vault) = vault_with(&["a"]);
        let before = vault.read_bytes().unwrap();
        drop(vault.draft(&Unlock::from(Secret::from(PASS))).unwrap());
        assert_eq!(vault.read_bytes().unwrap(), before);
    }

    #[test]
    fn rekey_raises_the_work_factor_and_keeps_passphrase_and_entries() {
        let (_dir, vault) = vault_with(&["a"]);
        let pass = Unlock::from(Secret::from(PASS));
        vault.rekey(&pass, None, Some(11)).unwrap();
        let unlocked = vault.open(&pass).unwrap();
        assert_eq!(unlocked.container().unwrap().work_factor, 11);
        assert!(unlocked.header.armored());
        assert_eq!(labels(&vault), ["a"]);
        let err = vault.rekey(&pass, None, Some(23)).unwrap_err();
        assert!(matches!(
            err,
            VaultError::Invalid(InvalidInput::WorkFactor(23))
        ));
    }

    #[test]
    fn the_unlock_hook_sees_every_read_for_writing() {
        use std::sync::atomic::{AtomicU8, Ordering};
        static SEEN: AtomicU8 = AtomicU8::new(0);
        let (_dir, vault) = vault_with(&["a"]);
        let vault = vault.on_unlock(|c| {
            SEEN.store(c.work_factor, Ordering::Relaxed);
        });
        vault
            .update(&Unlock::from(Secret::from(PASS)), |_| Ok(()))
            .unwrap();
        assert_eq!(SEEN.load(Ordering::Relaxed), 10);
    }

    #[test]
    fn a_draft_with_the_wrong_passphrase_fails() {
        let (_dir, vault) = vault_with(&["a"]);
        let err = vault
            .draft(&Unlock::from(Secret::from("wrong")))
            .unwrap_err();
        assert!(matches!(
            err,
            VaultError::Unlock {
                source: UnlockError::WrongPassphrase,
                ..
            }
        ));
    }
}
