//! Daily snapshots of what Apple only ever shows as "the latest": its
//! review summaries and an app's power and performance metrics. One per
//! app, kind and UTC day, kept as JSON; a later day adds a row, the same
//! day replaces it.

use rusqlite::{OptionalExtension, params};

use super::{Archive, ArchiveError};
use crate::asc::perf::XcodeMetrics;
use crate::asc::summaries::Summary;

/// The most bytes one snapshot's JSON may take (Apple's perf documents are
/// tens of kilobytes): a larger one is refused rather than stored.
pub const MAX_SNAPSHOT_BYTES: usize = 16 << 20;

/// What a snapshot holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SnapshotKind {
    /// Apple's review summaries (`reviews summary`), as a JSON array of
    /// [`Summary`].
    Summaries,
    /// Apple's `xcodeMetrics` document for the app (`metrics perf --app`),
    /// as received.
    Perf,
}

impl SnapshotKind {
    /// The `kind` column.
    pub fn as_str(self) -> &'static str {
        match self {
            SnapshotKind::Summaries => "summaries",
            SnapshotKind::Perf => "perf",
        }
    }
}

/// One stored snapshot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snapshot {
    /// The UTC day it was fetched, `YYYY-MM-DD`.
    pub day: String,
    /// When it was fetched, Unix seconds.
    pub fetched_unix: i64,
    /// The JSON.
    pub body: String,
}

impl Snapshot {
    /// The summaries it holds (none when it is not a summaries snapshot or
    /// does not parse).
    pub fn summaries(&self) -> Vec<Summary> {
        serde_json::from_str(&self.body).unwrap_or_default()
    }

    /// The perf document it holds, when it is one and parses.
    pub fn perf(&self) -> Option<XcodeMetrics> {
        serde_json::from_str(&self.body).ok()
    }
}

impl Archive {
    /// Whether `app_id` has a `kind` snapshot of `day`.
    pub fn has_snapshot(
        &self,
        app_id: &str,
        kind: SnapshotKind,
        day: &str,
    ) -> Result<bool, ArchiveError> {
        self.conn
            .query_row(
                "SELECT 1 FROM snapshots WHERE app_id = ?1 AND kind = ?2 AND day = ?3",
                params![app_id, kind.as_str(), day],
                |_| Ok(()),
            )
            .optional()
            .map(|found| found.is_some())
            .map_err(|e| self.sql(e))
    }

    /// Stores (or replaces) `app_id`'s `kind` snapshot of `day`, in one
    /// statement. A body over `MAX_SNAPSHOT_BYTES` (16 MiB) is refused.
    pub fn put_snapshot(
        &self,
        app_id: &str,
        kind: SnapshotKind,
        day: &str,
        body: &str,
    ) -> Result<(), ArchiveError> {
        if body.len() > MAX_SNAPSHOT_BYTES {
            return Err(ArchiveError::TooLarge {
                what: kind.as_str(),
                bytes: body.len(),
                limit: MAX_SNAPSHOT_BYTES,
            });
        }
        self.conn
            .execute(
                "INSERT OR REPLACE INTO snapshots (app_id, kind, day, fetched_unix, body)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    app_id,
                    kind.as_str(),
                    day,
                    time::OffsetDateTime::now_utc().unix_timestamp(),
                    body
                ],
            )
            .map_err(|e| self.sql(e))?;
        Ok(())
    }

    /// `app_id`'s latest `kind` snapshot.
    pub fn snapshot(
        &self,
        app_id: &str,
        kind: SnapshotKind,
    ) -> Result<Option<Snapshot>, ArchiveError> {
        self.conn
            .query_row(
                "SELECT day, fetched_unix, body FROM snapshots WHERE app_id = ?1 AND kind = ?2
                 ORDER BY day DESC LIMIT 1",
                params![app_id, kind.as_str()],
                |r| {
                    Ok(Snapshot {
                        day: r.get(0)?,
                        fetched_unix: r.get(1)?,
                        body: r.get(2)?,
                    })
                },
            )
            .optional()
            .map_err(|e| self.sql(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_latest_day_wins_and_the_same_day_is_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let a = Archive::create_or_open(&dir.path().join("a.sqlite")).unwrap();
        assert_eq!(a.snapshot("1", SnapshotKind::Perf).unwrap(), None);
        a.put_snapshot("1", SnapshotKind::Perf, "2026-11-28", "{\"a\":1}")
            .unwrap();
        a.put_snapshot("1", SnapshotKind::Perf, "2026-11-29", "{\"a\":2}")
            .unwrap();
        a.put_snapshot("1", SnapshotKind::Perf, "2026-11-29", "{\"a\":3}")
            .unwrap();
        a.put_snapshot("1", SnapshotKind::Summaries, "2026-11-30", "[]")
            .unwrap();
        let s = a.snapshot("1", SnapshotKind::Perf).unwrap().unwrap();
        assert_eq!(
            (s.day.as_str(), s.body.as_str()),
            ("2026-11-29", "{\"a\":3}")
        );
        assert!(
            a.has_snapshot("1", SnapshotKind::Perf, "2026-11-28")
                .unwrap()
        );
        assert!(
            !a.has_snapshot("2", SnapshotKind::Perf, "2026-11-28")
                .unwrap()
        );
        let big = "x".repeat(MAX_SNAPSHOT_BYTES + 1);
        assert!(
            a.put_snapshot("1", SnapshotKind::Perf, "2026-11-30", &big)
                .is_err()
        );
    }
}
