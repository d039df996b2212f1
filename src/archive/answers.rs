//! What the daily reconciliation of answers reads and writes
//! (spec/ARCHIVE.md §5c): the reviews archived as answered, and the day
//! an app's answers were last checked against Apple's count.

use std::collections::HashSet;

use rusqlite::{OptionalExtension, params};

use super::{Archive, ArchiveError};

impl Archive {
    /// The ids of `app_id`'s reviews archived with a `PUBLISHED` response.
    pub fn answered_ids(&self, app_id: &str) -> Result<HashSet<String>, ArchiveError> {
        let mut st = self
            .conn
            .prepare("SELECT id FROM reviews WHERE app_id = ?1 AND response_state = 'PUBLISHED'")
            .map_err(|e| self.sql(e))?;
        let rows = st
            .query_map([app_id], |r| r.get(0))
            .map_err(|e| self.sql(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.sql(e))
    }

    /// The UTC day (`YYYY-MM-DD`) `app_id`'s answers were last found to
    /// agree with Apple's, if ever.
    pub fn answers_checked(&self, app_id: &str) -> Result<Option<String>, ArchiveError> {
        self.conn
            .query_row(
                "SELECT answers_checked FROM review_sync WHERE app_id = ?1",
                [app_id],
                |r| r.get::<_, Option<String>>(0),
            )
            .optional()
            .map(Option::flatten)
            .map_err(|e| self.sql(e))
    }

    /// Records that `app_id`'s answers agree with Apple's as of `day`
    /// (the app's history must be archived: its `review_sync` row exists).
    pub fn set_answers_checked(&self, app_id: &str, day: &str) -> Result<(), ArchiveError> {
        self.conn
            .execute(
                "UPDATE review_sync SET answers_checked = ?2 WHERE app_id = ?1",
                params![app_id, day],
            )
            .map_err(|e| self.sql(e))?;
        Ok(())
    }
}
