//! Writing a file so that a reader, a crash or a kill sees the old content or
//! the new, never a mix: a temporary file beside the target (`O_EXCL`, mode
//! 0600, named `.<name>.<random>.tmp`), fsync, rename over the target, fsync
//! of the directory. Every file ascvault writes goes through here: the vault,
//! the merge driver's result, downloaded segments, merged and sales reports,
//! charts.
//!
//! A process killed by a signal leaves its temporary file behind;
//! [`sweep_stale`] removes such leftovers, and nothing else.

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use tempfile::NamedTempFile;

/// Length of the random part of a temporary file's name (tempfile's default).
const RANDOM_LEN: usize = 6;

/// The steps of an atomic write, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Step {
    /// Creating the temporary file (the path is the directory).
    CreateTemp,
    /// Writing or syncing the temporary file.
    Write,
    /// Renaming it over the target.
    Replace,
    /// Syncing the directory after the rename.
    SyncDir,
}

impl Step {
    /// The words for messages: `<action> <path>: <OS error>`.
    pub fn action(self) -> &'static str {
        match self {
            Step::CreateTemp => "creating a temporary file in",
            Step::Write => "writing",
            Step::Replace => "replacing",
            Step::SyncDir => "syncing directory",
        }
    }
}

/// A failed step of an atomic write; the target is unchanged.
#[derive(Debug, thiserror::Error)]
#[error("{} {}: {source}", step.action(), path.display())]
pub(crate) struct AtomicError {
    /// The step that failed.
    pub step: Step,
    /// The file or directory it was done to.
    pub path: PathBuf,
    /// The OS error (`AlreadyExists` when a no-clobber write found a file).
    pub source: io::Error,
}

/// Whether the rename may replace an existing file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Replace {
    /// Replace whatever is there.
    Yes,
    /// Fail with `AlreadyExists` if the target exists (`init`).
    No,
}

/// A file being written; becomes the target on [`AtomicFile::commit`], and
/// disappears if dropped before.
pub(crate) struct AtomicFile {
    temp: NamedTempFile,
    target: PathBuf,
    dir: PathBuf,
}

impl AtomicFile {
    /// Creates the temporary file beside `target`. A directory at `target`
    /// is refused here, before anything is written.
    pub fn new(target: &Path) -> Result<AtomicFile, AtomicError> {
        AtomicFile::with_suffix(target, ".tmp")
    }

    /// Like [`AtomicFile::new`], with the temporary file's name ending in
    /// `suffix` (plotters picks the image format from the extension).
    pub fn with_suffix(target: &Path, suffix: &str) -> Result<AtomicFile, AtomicError> {
        if std::fs::metadata(target).is_ok_and(|m| m.is_dir()) {
            return Err(AtomicError {
                step: Step::Write,
                path: target.to_owned(),
                source: io::Error::new(io::ErrorKind::IsADirectory, "is a directory"),
            });
        }
        let dir = parent_dir(target);
        // tempfile creates the file with O_EXCL and mode 0600 in one call,
        // so a planted symlink is never followed and no one else can read it.
        let temp = tempfile::Builder::new()
            .prefix(&temp_prefix(target))
            .rand_bytes(RANDOM_LEN)
            .suffix(suffix)
            .tempfile_in(&dir)
            .map_err(|source| AtomicError {
                step: Step::CreateTemp,
                path: dir.clone(),
                source,
            })?;
        Ok(AtomicFile {
            temp,
            target: target.to_owned(),
            dir,
        })
    }

    /// The temporary file's path, for tests: writers write through
    /// [`AtomicFile::file`], never by reopening a path.
    #[cfg(test)]
    pub fn temp_path(&self) -> &Path {
        self.temp.path()
    }

    /// The temporary file, to write into (wrap it in a `BufWriter` and flush).
    pub fn file(&mut self) -> &mut File {
        self.temp.as_file_mut()
    }

    /// An error while writing the content, in this module's terms.
    pub fn write_error(&self, source: io::Error) -> AtomicError {
        AtomicError {
            step: Step::Write,
            path: self.temp.path().to_owned(),
            source,
        }
    }

    /// fsync, rename over the target, fsync of the directory.
    pub fn commit(self, replace: Replace) -> Result<(), AtomicError> {
        self.temp
            .as_file()
            .sync_all()
            .map_err(|e| self.write_error(e))?;
        let persisted = match replace {
            Replace::Yes => self.temp.persist(&self.target).map_err(|e| e.error),
            Replace::No => self
                .temp
                .persist_noclobber(&self.target)
                .map_err(|e| e.error),
        };
        persisted.map_err(|source| AtomicError {
            step: Step::Replace,
            path: self.target.clone(),
            source,
        })?;
        sync_dir(&self.dir).map_err(|source| AtomicError {
            step: Step::SyncDir,
            path: self.dir.clone(),
            source,
        })
    }
}

/// Writes `bytes` to `target` atomically.
pub(crate) fn write(target: &Path, bytes: &[u8], replace: Replace) -> Result<(), AtomicError> {
    let mut file = AtomicFile::new(target)?;
    file.file()
        .write_all(bytes)
        .map_err(|e| file.write_error(e))?;
    file.commit(replace)
}

/// `.<name>.`: the start of every temporary file written for `target`
/// (`git setup` ignores `.<name>.*.tmp`; the vault deletes stale ones).
pub(crate) fn temp_prefix(target: &Path) -> String {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    format!(".{name}.")
}

/// Removes from `dir` the temporary files that an earlier, killed run left:
/// names `.<name>.<6 letters or digits>.tmp` for which `ours(name)` holds,
/// that are regular files (never a symlink, a FIFO or a folder), private
/// (mode 0600) and owned by this user (on Unix), last written more than
/// `older_than` ago (a run in progress writes its file all the time).
/// Best effort: returns how many were removed; anything unreadable is left.
pub(crate) fn sweep_stale(dir: &Path, ours: impl Fn(&str) -> bool, older_than: Duration) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let now = SystemTime::now();
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(target) = name.to_str().and_then(temp_target) else {
            continue;
        };
        if !ours(target) {
            continue;
        }
        // symlink_metadata: a planted link is judged as a link, not as its target.
        let Ok(meta) = std::fs::symlink_metadata(entry.path()) else {
            continue;
        };
        let old = meta
            .modified()
            .ok()
            .and_then(|m| now.duration_since(m).ok())
            .is_some_and(|age| age > older_than);
        if meta.file_type().is_file()
            && is_private_and_mine(&meta)
            && old
            && std::fs::remove_file(entry.path()).is_ok()
        {
            removed += 1;
        }
    }
    removed
}

/// The target's file name inside a temporary file's name
/// `.<name>.<random>.tmp`, if it has that shape.
fn temp_target(file_name: &str) -> Option<&str> {
    let inner = file_name.strip_prefix('.')?.strip_suffix(".tmp")?;
    let (target, random) = inner.rsplit_once('.')?;
    let random_ok = random.len() == RANDOM_LEN && random.bytes().all(|b| b.is_ascii_alphanumeric());
    (random_ok && !target.is_empty()).then_some(target)
}

#[cfg(unix)]
fn is_private_and_mine(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    meta.mode() & 0o777 == 0o600 && meta.uid() == rustix::process::getuid().as_raw()
}

#[cfg(not(unix))]
fn is_private_and_mine(_meta: &std::fs::Metadata) -> bool {
    true
}

/// The directory a file lives in (`.` for a bare name).
pub(crate) fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_owned(),
        _ => PathBuf::from("."),
    }
}

#[cfg(unix)]
fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> io::Result<()> {
    // Windows has no directory fsync; the rename is durable on NTFS commit.
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_replaces_whole_and_leaves_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.tsv");
        write(&target, b"old", Replace::Yes).unwrap();
        write(&target, b"new", Replace::Yes).unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"new");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("out.tsv")]);
    }

    #[test]
    fn no_clobber_refuses_an_existing_file_and_keeps_it() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("v.age");
        write(&target, b"first", Replace::No).unwrap();
        let err = write(&target, b"second", Replace::No).unwrap_err();
        assert_eq!(err.source.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(std::fs::read(&target).unwrap(), b"first");
    }

    #[test]
    fn a_dropped_file_leaves_the_target_alone() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("chart.png");
        let mut file = AtomicFile::new(&target).unwrap();
        assert!(
            file.temp_path()
                .file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with(".chart.png.")
        );
        file.file().write_all(b"half").unwrap();
        drop(file);
        assert!(!target.exists());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn a_directory_at_the_target_is_refused_before_writing() {
        let dir = tempfile::tempdir().unwrap();
        let err = write(dir.path(), b"x", Replace::Yes).unwrap_err();
        assert_eq!(err.source.kind(), io::ErrorKind::IsADirectory);
    }

    #[test]
    fn temporary_names_are_recognized_exactly() {
        assert_eq!(temp_target(".a.tsv.Ab12Z9.tmp"), Some("a.tsv"));
        assert_eq!(temp_target(".a.tsv.Ab12Z.tmp"), None, "5 random characters");
        assert_eq!(temp_target(".a.tsv.Ab-2Z9.tmp"), None);
        assert_eq!(temp_target("a.tsv.Ab12Z9.tmp"), None, "not hidden");
        assert_eq!(temp_target(".a.tsv.Ab12Z9.tmp.x"), None);
        assert_eq!(temp_target("..Ab12Z9.tmp"), None);
    }

    #[cfg(unix)]
    #[test]
    fn a_sweep_removes_only_old_private_regular_temporary_files_of_ours() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let hour_ago = SystemTime::now() - Duration::from_secs(3600);
        let make = |name: &str, mode: u32, old: bool| {
            let p = dir.path().join(name);
            let f = File::create(&p).unwrap();
            f.set_permissions(std::fs::Permissions::from_mode(mode))
                .unwrap();
            if old {
                f.set_modified(hour_ago).unwrap();
            }
            p
        };
        let stale = make(".a.tsv.abc123.tmp", 0o600, true);
        let fresh = make(".b.tsv.abc123.tmp", 0o600, false);
        let shared = make(".c.tsv.abc123.tmp", 0o644, true);
        let other = make(".x.txt.abc123.tmp", 0o600, true);
        let victim = make("victim", 0o600, true);
        let link = dir.path().join(".d.tsv.abc123.tmp");
        std::os::unix::fs::symlink(&victim, &link).unwrap();
        let n = sweep_stale(dir.path(), |t| t.ends_with(".tsv"), Duration::from_secs(60));
        assert_eq!(n, 1);
        assert!(!stale.exists());
        for kept in [&fresh, &shared, &other, &victim] {
            assert!(kept.exists(), "{}", kept.display());
        }
        assert!(std::fs::symlink_metadata(&link).is_ok());
    }

    #[cfg(unix)]
    #[test]
    fn the_file_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("secret");
        write(&target, b"x", Replace::Yes).unwrap();
        let mode = std::fs::metadata(&target).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
