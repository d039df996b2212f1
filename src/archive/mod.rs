//! The local archive (spec/ARCHIVE.md): an SQLite database that keeps what
//! `ascvault sync` fetched from App Store Connect — apps, customer reviews
//! with their developer responses, daily sales summaries, analytics report
//! segments — after Apple stops offering it.
//! Business data only: no credential, token or key is ever written here.
//!
//! Every unit of work (a page of reviews, one re-checked response, one
//! notification sent) commits in its own transaction, so a sync killed at
//! any moment leaves a consistent archive that the next sync resumes. Two
//! syncs are serialized by a lock file beside the archive ([`SyncLock`]).

mod analytics;
mod answers;
pub mod chart;
mod error;
mod lock;
mod reviews;
mod sales;
mod snapshots;
pub mod sync;

use std::fs::OpenOptions;
use std::path::{Path, PathBuf};

use rusqlite::Connection;

pub use error::ArchiveError;
pub use lock::SyncLock;
pub use reviews::{ReviewState, Stored};
pub use sales::SalesDay;
pub use snapshots::{Snapshot, SnapshotKind};

/// The schema version this build writes (`PRAGMA user_version`).
pub const SCHEMA_VERSION: i64 = 2;

/// The archive's file name beside a vault named `ascvault.age`.
pub const DEFAULT_FILE: &str = "ascvault.archive.sqlite";

/// Version 1: the tables as first written.
const SCHEMA_1: &str = "
CREATE TABLE IF NOT EXISTS apps (
    id        TEXT PRIMARY KEY,
    name      TEXT NOT NULL,
    bundle_id TEXT NOT NULL,
    sku       TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS reviews (
    id                TEXT PRIMARY KEY,
    app_id            TEXT NOT NULL,
    rating            INTEGER,
    title             TEXT,
    body              TEXT,
    nickname          TEXT,
    created_date      TEXT,
    created_unix      INTEGER,
    territory         TEXT,
    response_id       TEXT,
    response_body     TEXT,
    response_state    TEXT,
    response_modified TEXT,
    archived_unix     INTEGER NOT NULL,
    notify            TEXT,
    flagged           INTEGER
);
CREATE INDEX IF NOT EXISTS reviews_by_date ON reviews (app_id, created_unix DESC, id DESC);
CREATE INDEX IF NOT EXISTS reviews_by_rating ON reviews (app_id, rating, created_unix DESC, id DESC);
CREATE INDEX IF NOT EXISTS reviews_pending ON reviews (app_id, response_state)
    WHERE response_state = 'PENDING_PUBLISH';
CREATE INDEX IF NOT EXISTS reviews_notify ON reviews (notify) WHERE notify = 'pending';
CREATE TABLE IF NOT EXISTS sales_days (
    date          TEXT PRIMARY KEY,
    rows          INTEGER NOT NULL,
    archived_unix INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS sales_rows (
    date             TEXT NOT NULL REFERENCES sales_days (date),
    apple_identifier TEXT NOT NULL,
    title            TEXT NOT NULL,
    territory        TEXT NOT NULL,
    units            REAL NOT NULL,
    proceeds         REAL NOT NULL,
    currency         TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sales_rows_by_date ON sales_rows (date);
CREATE TABLE IF NOT EXISTS analytics_segments (
    id              TEXT PRIMARY KEY,
    app_id          TEXT NOT NULL,
    report          TEXT NOT NULL,
    instance_id     TEXT NOT NULL,
    granularity     TEXT NOT NULL,
    processing_date TEXT NOT NULL,
    header          TEXT NOT NULL,
    rows            INTEGER NOT NULL,
    archived_unix   INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS analytics_rows (
    segment_id TEXT NOT NULL REFERENCES analytics_segments (id),
    line       INTEGER NOT NULL,
    row        TEXT NOT NULL,
    PRIMARY KEY (segment_id, line)
);
CREATE TABLE IF NOT EXISTS review_sync (
    app_id   TEXT PRIMARY KEY,
    complete INTEGER NOT NULL,
    resume   TEXT
);
";

/// Version 2: sales rows keep their product type and parent identifier
/// (NULL in rows archived by version 1), the day each app's answers were
/// last reconciled with Apple's count, and the daily snapshots of Apple's
/// review summaries and performance metrics.
const MIGRATE_TO_2: &str = "
ALTER TABLE sales_rows ADD COLUMN product_type TEXT;
ALTER TABLE sales_rows ADD COLUMN parent_identifier TEXT;
ALTER TABLE review_sync ADD COLUMN answers_checked TEXT;
CREATE TABLE IF NOT EXISTS snapshots (
    app_id       TEXT NOT NULL,
    kind         TEXT NOT NULL,
    day          TEXT NOT NULL,
    fetched_unix INTEGER NOT NULL,
    body         TEXT NOT NULL,
    PRIMARY KEY (app_id, kind, day)
);
";

/// The archive beside a vault: `NAME.archive.sqlite` for a vault
/// `NAME.age` (so `ascvault.age` gets [`DEFAULT_FILE`]).
pub fn default_path(vault: &Path) -> PathBuf {
    let name = vault
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = name.strip_suffix(".age").unwrap_or(&name);
    let stem = if stem.is_empty() { "ascvault" } else { stem };
    vault.with_file_name(format!("{stem}.archive.sqlite"))
}

/// `YYYY-MM-DD`, the form every date in the archive takes.
pub fn ymd(d: time::Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// Today (UTC) as [`ymd`]: the day snapshots and reconciliations are
/// keyed by.
pub fn utc_today() -> String {
    ymd(time::OffsetDateTime::now_utc().date())
}

/// An open archive.
#[derive(Debug)]
pub struct Archive {
    conn: Connection,
    path: PathBuf,
}

impl Archive {
    /// Opens the archive at `path`, creating it (mode 0600, never through
    /// an existing file) and its tables when missing.
    pub fn create_or_open(path: &Path) -> Result<Archive, ArchiveError> {
        if !path.exists() {
            let mut options = OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                options.mode(0o600);
            }
            match options.open(path) {
                Ok(_) => {}
                // Another process created it a moment ago: use it.
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(ArchiveError::io(path, e)),
            }
        }
        Self::open_with(path, true)
    }

    /// Opens an existing archive for reading; [`ArchiveError::Missing`]
    /// when there is none.
    pub fn open_existing(path: &Path) -> Result<Archive, ArchiveError> {
        if !path.exists() {
            return Err(ArchiveError::Missing(path.to_owned()));
        }
        Self::open_with(path, false)
    }

    fn open_with(path: &Path, create_tables: bool) -> Result<Archive, ArchiveError> {
        let sql = |e| ArchiveError::sql(path, e);
        let conn = Connection::open(path).map_err(sql)?;
        conn.busy_timeout(std::time::Duration::from_secs(30))
            .map_err(sql)?;
        // WAL: readers never wait for a sync, and a killed writer's
        // half-done transaction is rolled back on the next open. NORMAL
        // loses nothing when only the process dies (spec/ARCHIVE.md §4).
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(sql)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(sql)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(sql)?;
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(sql)?;
        if version > SCHEMA_VERSION {
            return Err(ArchiveError::Newer {
                path: path.to_owned(),
                found: version,
            });
        }
        if version == 0 && !create_tables {
            return Err(ArchiveError::Missing(path.to_owned()));
        }
        if version < SCHEMA_VERSION {
            // An older archive is brought up to date even when opened only
            // for reading: the steps add, never remove, and run in one
            // transaction (a concurrent opener waits on the busy timeout
            // and then sees the new version).
            let tx = rusqlite::Transaction::new_unchecked(
                &conn,
                rusqlite::TransactionBehavior::Immediate,
            )
            .map_err(sql)?;
            let now: i64 = tx
                .pragma_query_value(None, "user_version", |r| r.get(0))
                .map_err(sql)?;
            if now < 1 {
                tx.execute_batch(SCHEMA_1).map_err(sql)?;
            }
            if now < 2 {
                tx.execute_batch(MIGRATE_TO_2).map_err(sql)?;
            }
            if now < SCHEMA_VERSION {
                tx.pragma_update(None, "user_version", SCHEMA_VERSION)
                    .map_err(sql)?;
            }
            tx.commit().map_err(sql)?;
        }
        Ok(Archive {
            conn,
            path: path.to_owned(),
        })
    }

    /// Where it is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn sql(&self, e: rusqlite::Error) -> ArchiveError {
        ArchiveError::sql(&self.path, e)
    }

    /// Records (or renames) an app.
    pub fn put_app(&self, app: &crate::asc::apps::AppInfo) -> Result<(), ArchiveError> {
        self.conn
            .execute(
                "INSERT INTO apps (id, name, bundle_id, sku) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT(id) DO UPDATE SET name = ?2, bundle_id = ?3, sku = ?4",
                (&app.id, &app.name, &app.bundle_id, &app.sku),
            )
            .map_err(|e| self.sql(e))?;
        Ok(())
    }

    /// The archived apps, by id.
    pub fn apps(&self) -> Result<Vec<crate::asc::apps::AppInfo>, ArchiveError> {
        let mut st = self
            .conn
            .prepare("SELECT id, name, bundle_id, sku FROM apps ORDER BY id")
            .map_err(|e| self.sql(e))?;
        let rows = st
            .query_map([], |r| {
                Ok(crate::asc::apps::AppInfo {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    bundle_id: r.get(2)?,
                    sku: r.get(3)?,
                })
            })
            .map_err(|e| self.sql(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.sql(e))
    }

    /// The archived app that `app` names: its numeric id, bundle id or
    /// exact name (as `--app` everywhere). `None` when none matches.
    pub fn find_app(&self, app: &str) -> Result<Vec<crate::asc::apps::AppInfo>, ArchiveError> {
        let app = app.trim();
        let apps = self.apps()?;
        for pick in [
            |a: &crate::asc::apps::AppInfo, s: &str| a.id == s,
            |a: &crate::asc::apps::AppInfo, s: &str| a.bundle_id == s,
            |a: &crate::asc::apps::AppInfo, s: &str| a.name.trim() == s,
        ] {
            let found: Vec<_> = apps.iter().filter(|a| pick(a, app)).cloned().collect();
            if !found.is_empty() {
                return Ok(found);
            }
        }
        Ok(Vec::new())
    }

    /// `PRAGMA integrity_check`: `ok`, or what is wrong.
    pub fn integrity_check(&self) -> Result<String, ArchiveError> {
        self.conn
            .pragma_query_value(None, "integrity_check", |r| r.get(0))
            .map_err(|e| self.sql(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_archive_sits_beside_the_vault() {
        assert_eq!(
            default_path(Path::new("/x/ascvault.age")),
            Path::new("/x/ascvault.archive.sqlite")
        );
        assert_eq!(
            default_path(Path::new("team.age")),
            Path::new("team.archive.sqlite")
        );
        assert_eq!(
            default_path(Path::new("/x/vault")),
            Path::new("/x/vault.archive.sqlite")
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_new_archive_is_private_and_reopens() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.sqlite");
        drop(Archive::create_or_open(&path).unwrap());
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let a = Archive::open_existing(&path).unwrap();
        assert_eq!(a.integrity_check().unwrap(), "ok");
    }

    #[test]
    fn a_version_1_archive_is_brought_up_to_date_when_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.sqlite");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(SCHEMA_1).unwrap();
            conn.execute_batch(
                "INSERT INTO sales_days VALUES ('2026-11-01', 1, 0);
                 INSERT INTO sales_rows VALUES ('2026-11-01', '1', 'A', 'US', 3, 2.1, 'USD');
                 PRAGMA user_version = 1;",
            )
            .unwrap();
        }
        let a = Archive::open_existing(&path).unwrap();
        let version: i64 = a
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(version, SCHEMA_VERSION);
        let (units, kind): (f64, Option<String>) = a
            .conn
            .query_row("SELECT units, product_type FROM sales_rows", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap();
        assert_eq!((units, kind), (3.0, None));
        assert_eq!(a.snapshot("1", SnapshotKind::Perf).unwrap(), None);
        drop(a);
        // An empty file is still no archive.
        let empty = dir.path().join("empty.sqlite");
        std::fs::write(&empty, b"").unwrap();
        assert!(matches!(
            Archive::open_existing(&empty),
            Err(ArchiveError::Missing(_))
        ));
    }
}
