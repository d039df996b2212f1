//! Analytics report segments in the archive: each segment once (by id),
//! with its report, instance, granularity and processing date, and its rows
//! as Apple sent them (tab-separated lines), committed together.

use std::collections::HashSet;

use rusqlite::params;

use super::{Archive, ArchiveError};
use crate::asc::analytics::Planned;

impl Archive {
    /// The ids of the archived segments.
    pub fn analytics_segment_ids(&self) -> Result<HashSet<String>, ArchiveError> {
        let mut st = self
            .conn
            .prepare("SELECT id FROM analytics_segments")
            .map_err(|e| self.sql(e))?;
        let rows = st.query_map([], |r| r.get(0)).map_err(|e| self.sql(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.sql(e))
    }

    /// Each (app id, report as asked for) archived before, sorted: what a
    /// sync without kind flags keeps up to date.
    pub fn analytics_reports(&self) -> Result<Vec<(String, String)>, ArchiveError> {
        let mut st = self
            .conn
            .prepare(
                "SELECT DISTINCT app_id, report FROM analytics_segments ORDER BY app_id, report",
            )
            .map_err(|e| self.sql(e))?;
        let rows = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(|e| self.sql(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.sql(e))
    }

    /// Archives a segment of `report` (the name asked for) of `app_id`,
    /// decompressed `text`: its first line is the header, each other
    /// non-empty line a row. One transaction; returns the rows stored.
    pub fn put_analytics_segment(
        &mut self,
        app_id: &str,
        report: &str,
        planned: &Planned,
        text: &str,
    ) -> Result<usize, ArchiveError> {
        let path = self.path.clone();
        let sql = |e| ArchiveError::sql(&path, e);
        let mut lines = text.lines();
        let header = lines.next().unwrap_or("");
        let rows: Vec<&str> = lines.filter(|l| !l.trim().is_empty()).collect();
        let tx = self.conn.transaction().map_err(sql)?;
        tx.execute(
            "INSERT OR REPLACE INTO analytics_segments (id, app_id, report, instance_id,
             granularity, processing_date, header, rows, archived_unix)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                planned.segment.id,
                app_id,
                report,
                planned.instance.id,
                planned.instance.granularity,
                planned.instance.processing_date,
                header,
                rows.len() as i64,
                time::OffsetDateTime::now_utc().unix_timestamp()
            ],
        )
        .map_err(sql)?;
        tx.execute(
            "DELETE FROM analytics_rows WHERE segment_id = ?1",
            [&planned.segment.id],
        )
        .map_err(sql)?;
        {
            let mut st = tx
                .prepare("INSERT INTO analytics_rows (segment_id, line, row) VALUES (?1, ?2, ?3)")
                .map_err(sql)?;
            for (i, row) in rows.iter().enumerate() {
                st.execute(params![planned.segment.id, i as i64, row])
                    .map_err(sql)?;
            }
        }
        tx.commit().map_err(sql)?;
        Ok(rows.len())
    }
}
