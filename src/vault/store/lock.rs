//! The writer lock: a sidecar file (`<vault>.lock`) beside the vault, held
//! with an advisory lock while a writer reads, changes and replaces the
//! vault; and the clean-up of temp files that killed writers left, which is
//! safe only under that lock.

use std::fs::{self, File, OpenOptions, TryLockError};
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::resolve_symlink;
use crate::atomic::{self, parent_dir};
use crate::vault::error::VaultError;

/// Takes the writer lock of the vault at `vault`, waiting up to `timeout`.
pub(super) fn take(vault: &Path, timeout: Duration) -> Result<LockGuard, VaultError> {
    let lock_path = lock_path(vault);
    let file = open_private(&lock_path, false)
        .map_err(|e| VaultError::io("opening lock file", &lock_path, e))?;
    let start = Instant::now();
    let mut pause = Duration::from_millis(2);
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(LockGuard { _file: file }),
            Err(TryLockError::WouldBlock) if start.elapsed() < timeout => {
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(50));
            }
            Err(TryLockError::WouldBlock) => {
                return Err(VaultError::LockTimeout {
                    path: lock_path,
                    waited_secs: timeout.as_secs(),
                });
            }
            Err(TryLockError::Error(e)) => {
                return Err(VaultError::io("locking", &lock_path, e));
            }
        }
    }
}

/// Holds the writer lock until dropped.
#[derive(Debug)]
pub struct LockGuard {
    _file: File,
}

/// The sidecar lock file of a vault: `<vault>.lock`, beside it.
fn lock_path(vault: &Path) -> PathBuf {
    let target = resolve_symlink(vault);
    let mut name = target
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(".lock");
    target.with_file_name(name)
}

/// Opens (or creates, mode 0600) the lock file without following a
/// symlink: in a directory another user can write, a planted
/// `<vault>.lock` link would otherwise make us create or open a file of
/// their choosing. Only a regular file is accepted.
fn open_private(path: &Path, create_new: bool) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true).write(true);
    if create_new {
        options.create_new(true);
    } else {
        options.create(true).truncate(false);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // O_NONBLOCK: a planted FIFO must not hang the open.
        let flags = rustix::fs::OFlags::NOFOLLOW | rustix::fs::OFlags::NONBLOCK;
        options.mode(0o600).custom_flags(flags.bits().cast_signed());
    }
    let file = options.open(path).map_err(|e| {
        if is_symlink(path) {
            not_ours("a symbolic link")
        } else {
            e
        }
    })?;
    if !file.metadata()?.is_file() {
        return Err(not_ours("not a regular file"));
    }
    Ok(file)
}

fn is_symlink(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

/// The error for a lock file that ascvault did not make.
fn not_ours(what: &str) -> io::Error {
    io::Error::other(format!(
        "it is {what}, which a lock file never is; nothing was written \
         (remove it if you did not make it: another user may have planted it)"
    ))
}

/// Deletes temp files that killed writers left beside the vault
/// (`.<name>.<random>.tmp`). Call only under the writer lock: then no live
/// writer of this vault can own one.
pub(super) fn remove_stale_temp_files(path: &Path) {
    let target = resolve_symlink(path);
    let dir = parent_dir(&target);
    if target.file_name().is_none() {
        return;
    }
    let prefix = atomic::temp_prefix(&target);
    let Ok(entries) = fs::read_dir(&dir) else {
        return;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let file_name = file_name.to_string_lossy();
        if file_name.starts_with(&prefix) && file_name.ends_with(".tmp") {
            let _ = fs::remove_file(entry.path());
        }
    }
}
