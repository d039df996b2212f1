//! Serializes syncs: `<archive>.lock` beside the archive, held with an
//! advisory lock for the whole sync. A second sync waits for the first.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

use super::ArchiveError;

/// Held while a sync writes the archive; released when dropped (or when
/// the process dies, killed or not: the kernel drops the lock).
#[derive(Debug)]
pub struct SyncLock {
    _file: File,
}

/// The lock file of an archive.
pub fn lock_path(archive: &Path) -> PathBuf {
    let mut name = archive
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(".lock");
    archive.with_file_name(name)
}

impl SyncLock {
    /// Takes the lock of the archive at `archive`; when another sync holds
    /// it, calls `waiting` once and waits until it is released.
    pub fn take(archive: &Path, waiting: impl FnOnce()) -> Result<SyncLock, ArchiveError> {
        let path = lock_path(archive);
        let mut options = OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let file = options.open(&path).map_err(|e| ArchiveError::Io {
            what: "open the lock file",
            path: path.clone(),
            source: e,
        })?;
        let failed = |e: std::io::Error| ArchiveError::Io {
            what: "lock",
            path: path.clone(),
            source: e,
        };
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                waiting();
                file.lock().map_err(failed)?;
            }
            Err(TryLockError::Error(e)) => return Err(failed(e)),
        }
        Ok(SyncLock { _file: file })
    }
}
