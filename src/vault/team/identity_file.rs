//! Members' identity files (spec/FORMAT.md §10): `.ascvault/identities/NAME.age`
//! in the vault's folder, an age X25519 identity encrypted with the
//! member's passphrase (age's scrypt, armored), created 0600 and meant to
//! be committed. `age -d NAME.age` shows the identity; `age -d -i <(age -d
//! NAME.age) vault.age` opens the vault.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::{Identity, LoadedIdentity};
use crate::atomic;
use crate::secret::Secret;
use crate::vault::crypto::{self, Container, Prepared};
use crate::vault::error::{InvalidInput, UnlockError, VaultError};
use crate::vault::format::check_member_name;
use crate::vault::store::write_atomic;

/// The folder of identity files, relative to the vault's folder.
pub const IDENTITIES_DIR: &str = ".ascvault/identities";

/// Where member `name`'s identity file is, for the vault at `vault`.
pub fn path_for(vault: &Path, name: &str) -> PathBuf {
    atomic::parent_dir(vault)
        .join(IDENTITIES_DIR)
        .join(format!("{name}.age"))
}

/// The public recipient file written beside an identity file
/// (`NAME.pub` for `NAME.age`), so that a member can be added without their
/// passphrase.
pub fn public_path(identity_file: &Path) -> PathBuf {
    identity_file.with_extension("pub")
}

/// The members whose identity files are beside the vault at `vault`
/// (sorted), for messages: the member list itself is inside the ciphertext.
pub fn present(vault: &Path) -> Vec<String> {
    let dir = atomic::parent_dir(vault).join(IDENTITIES_DIR);
    let mut names: Vec<String> = fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            let stem = name.strip_suffix(".age")?;
            check_member_name(stem).ok()?;
            Some(stem.to_owned())
        })
        .collect();
    names.sort();
    names
}

/// Creates member `name`'s identity file beside the vault: a fresh X25519
/// identity encrypted with `passphrase` at `work_factor`. Never overwrites.
/// Returns the identity (its recipient is what the member is added with).
pub fn create(
    vault: &Path,
    name: &str,
    passphrase: &Secret,
    work_factor: u8,
) -> Result<(Identity, PathBuf), VaultError> {
    check_member_name(name)?;
    if passphrase.is_empty() {
        return Err(InvalidInput::EmptyPassphrase.into());
    }
    if !(crypto::MIN_WORK_FACTOR..=crypto::MAX_WORK_FACTOR).contains(&work_factor) {
        return Err(InvalidInput::WorkFactor(work_factor).into());
    }
    let path = path_for(vault, name);
    if path.exists() {
        return Err(VaultError::AlreadyExists { path });
    }
    let dir = atomic::parent_dir(&path);
    fs::create_dir_all(&dir).map_err(|e| VaultError::io("creating", &dir, e))?;
    let identity = Identity::generate();
    let text = identity
        .to_identity_file()
        .expect("a generated identity is X25519");
    let container = Container {
        armored: true,
        work_factor,
    };
    let bytes = Prepared::new(passphrase, container)?.encrypt(text.as_bytes())?;
    write_atomic(&path, &bytes, false)?;
    Ok((identity, path))
}

/// Opens member `name`'s identity file with their passphrase (one scrypt).
pub fn open(vault: &Path, name: &str, passphrase: &Secret) -> Result<Vec<Identity>, VaultError> {
    let path = path_for(vault, name);
    open_path(&path, passphrase)
}

/// Reads an identity file that must be passphrase-protected.
fn read_locked(path: &Path) -> Result<super::LockedIdentity, VaultError> {
    let bytes = fs::read(path).map_err(|e| VaultError::io("reading", path, e))?;
    match Identity::load(&bytes, path)? {
        LoadedIdentity::Locked(l) => Ok(l),
        LoadedIdentity::Ready(_) => Err(InvalidInput::Identity {
            path: path.to_owned(),
            why: "not passphrase-protected".into(),
        }
        .into()),
    }
}

/// Opens the passphrase-protected identity file at `path`.
pub fn open_path(path: &Path, passphrase: &Secret) -> Result<Vec<Identity>, VaultError> {
    read_locked(path)?
        .unlock(passphrase)
        .map_err(|source| unlock_error(path, source))
}

fn unlock_error(path: &Path, source: UnlockError) -> VaultError {
    VaultError::Unlock {
        path: path.to_owned(),
        source,
    }
}

/// Changes member `name`'s passphrase: the same identity, encrypted anew
/// (work factor `work_factor`, or the file's own), replacing the file
/// atomically. The vault is not touched.
pub fn passwd(
    vault: &Path,
    name: &str,
    old: &Secret,
    new: &Secret,
    work_factor: Option<u8>,
) -> Result<(), VaultError> {
    if new.is_empty() {
        return Err(InvalidInput::EmptyPassphrase.into());
    }
    let path = path_for(vault, name);
    let bytes = fs::read(&path).map_err(|e| match e.kind() {
        io::ErrorKind::NotFound => VaultError::NoSuchMember {
            name: name.to_owned(),
        },
        _ => VaultError::io("reading", &path, e),
    })?;
    let found = crypto::inspect(&bytes).map_err(|e| unlock_error(&path, e))?;
    let work_factor = work_factor.unwrap_or(found.work_factor);
    if !(crypto::MIN_WORK_FACTOR..=crypto::MAX_WORK_FACTOR).contains(&work_factor) {
        return Err(InvalidInput::WorkFactor(work_factor).into());
    }
    let (_, plain) = crypto::decrypt(&bytes, old).map_err(|e| unlock_error(&path, e))?;
    let container = Container {
        armored: true,
        work_factor,
    };
    let bytes = Prepared::new(new, container)?.encrypt(&plain)?;
    write_atomic(&path, &bytes, true)
}
