//! The private directory that holds an API key's `.p8` while the child runs:
//! 0700, the file 0600, on a RAM-backed filesystem where the OS has one, and
//! removed when dropped (the child exited, a signal ended the wait, or the
//! spawn failed).

use std::io::Write;
use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

/// A fresh private directory holding `AuthKey_<KEYID>.p8`.
pub struct KeyDir {
    dir: tempfile::TempDir,
    file: PathBuf,
}

impl KeyDir {
    /// Writes `pem` to `AuthKey_<key_id>.p8` in a new private directory.
    pub fn write(key_id: &str, pem: &str) -> std::io::Result<KeyDir> {
        let dir = tempfile::Builder::new()
            .prefix("ascvault-run-")
            .tempdir_in(base())?;
        restrict(dir.path(), 0o700)?;
        let file = dir.path().join(format!("AuthKey_{key_id}.p8"));
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut out = options.open(&file)?;
        out.write_all(pem.as_bytes())?;
        out.sync_all()?;
        Ok(KeyDir { dir, file })
    }

    /// The directory (`API_PRIVATE_KEYS_DIR`).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The key file (`ASC_PRIVATE_KEY_PATH`).
    pub fn file(&self) -> &Path {
        &self.file
    }
}

impl Drop for KeyDir {
    /// Overwrites the key before the directory goes (a RAM-backed file is
    /// freed with it; on disk this is the best a process can do).
    fn drop(&mut self) {
        if let Ok(len) = std::fs::metadata(&self.file).map(|m| m.len()) {
            let zeros = Zeroizing::new(vec![0u8; usize::try_from(len).unwrap_or(0)]);
            let _ = std::fs::write(&self.file, &*zeros);
        }
        // `TempDir` removes the directory and the file when it drops.
    }
}

/// Where the directory goes: a RAM-backed place where the OS has one
/// (`$XDG_RUNTIME_DIR`, then `/dev/shm` on Linux), else the temp dir
/// (macOS has no RAM-backed filesystem by default).
fn base() -> PathBuf {
    #[cfg(target_os = "linux")]
    {
        let runtime = std::env::var_os("XDG_RUNTIME_DIR").map(PathBuf::from);
        for place in runtime.into_iter().chain([PathBuf::from("/dev/shm")]) {
            if place.is_absolute() && writable_dir(&place) {
                return place;
            }
        }
    }
    std::env::temp_dir()
}

#[cfg(target_os = "linux")]
fn writable_dir(place: &Path) -> bool {
    place.is_dir() && rustix::fs::access(place, rustix::fs::Access::WRITE_OK).is_ok()
}

fn restrict(path: &Path, mode: u32) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))?;
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
    Ok(())
}
