//! What can go wrong with the archive.

use std::path::{Path, PathBuf};

/// An archive error. Paths are the user's own; SQLite's messages never
/// carry a server's text (values are bound, never spliced into SQL).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ArchiveError {
    /// There is no archive there yet.
    #[error("there is no archive at {}", .0.display())]
    Missing(PathBuf),
    /// A file operation failed.
    #[error("cannot {what} {}: {source}", path.display())]
    Io {
        /// What was being done.
        what: &'static str,
        /// Which file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// SQLite refused (a damaged or foreign file, a full disk, …).
    #[error("archive {}: {source}", path.display())]
    Sql {
        /// Which archive.
        path: PathBuf,
        /// SQLite's error.
        source: rusqlite::Error,
    },
    /// A newer ascvault wrote it.
    #[error("archive {} has schema version {found}; this ascvault knows {}", path.display(), super::SCHEMA_VERSION)]
    Newer {
        /// Which archive.
        path: PathBuf,
        /// Its `user_version`.
        found: i64,
    },
    /// Something from the server is larger than the archive keeps.
    #[error("the {what} answer is {bytes} bytes; the archive keeps at most {limit}")]
    TooLarge {
        /// What it was.
        what: &'static str,
        /// Its size.
        bytes: usize,
        /// The cap.
        limit: usize,
    },
}

impl ArchiveError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> ArchiveError {
        ArchiveError::Io {
            what: "create",
            path: path.to_owned(),
            source,
        }
    }

    pub(crate) fn sql(path: &Path, source: rusqlite::Error) -> ArchiveError {
        ArchiveError::Sql {
            path: path.to_owned(),
            source,
        }
    }
}
