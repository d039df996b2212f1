//! Reading archived analytics segments back, for `metrics chart --archive`:
//! which reports and granularities an app has, and the segments of one
//! report and granularity with their rows, oldest processing date first.

use super::{Archive, ArchiveError};

/// An archived analytics report segment, as `sync` stored it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArchivedSegment {
    /// The segment id.
    pub id: String,
    /// The report instance it belongs to.
    pub instance_id: String,
    /// The instance's granularity (`DAILY`, `WEEKLY`, `MONTHLY`).
    pub granularity: String,
    /// The instance's processing date (`YYYY-MM-DD`).
    pub processing_date: String,
    /// The header line, as Apple sent it.
    pub header: String,
    /// The rows, in order, as Apple sent them (one line each).
    pub rows: Vec<String>,
}

impl Archive {
    /// The reports (as `sync --analytics` was asked for them) archived for
    /// `app_id`, each with its granularities, by name.
    pub fn analytics_reports_of(
        &self,
        app_id: &str,
    ) -> Result<Vec<(String, Vec<String>)>, ArchiveError> {
        let mut st = self
            .conn
            .prepare(
                "SELECT DISTINCT report, granularity FROM analytics_segments
                 WHERE app_id = ?1 ORDER BY report, granularity",
            )
            .map_err(|e| self.sql(e))?;
        let pairs = st
            .query_map([app_id], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })
            .map_err(|e| self.sql(e))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.sql(e))?;
        let mut reports: Vec<(String, Vec<String>)> = Vec::new();
        for (report, granularity) in pairs {
            match reports.last_mut() {
                Some((r, g)) if *r == report => g.push(granularity),
                _ => reports.push((report, vec![granularity])),
            }
        }
        Ok(reports)
    }

    /// The archived segments of `report` of `app_id` with `granularity`:
    /// by processing date, then instance, then segment id; each with its
    /// rows in the order they were sent.
    pub fn analytics_segments(
        &self,
        app_id: &str,
        report: &str,
        granularity: &str,
    ) -> Result<Vec<ArchivedSegment>, ArchiveError> {
        let mut st = self
            .conn
            .prepare(
                "SELECT id, instance_id, granularity, processing_date, header
                 FROM analytics_segments
                 WHERE app_id = ?1 AND report = ?2 AND granularity = ?3
                 ORDER BY processing_date, instance_id, id",
            )
            .map_err(|e| self.sql(e))?;
        let mut segments = st
            .query_map([app_id, report, granularity], |r| {
                Ok(ArchivedSegment {
                    id: r.get(0)?,
                    instance_id: r.get(1)?,
                    granularity: r.get(2)?,
                    processing_date: r.get(3)?,
                    header: r.get(4)?,
                    rows: Vec::new(),
                })
            })
            .map_err(|e| self.sql(e))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.sql(e))?;
        let mut rows = self
            .conn
            .prepare("SELECT row FROM analytics_rows WHERE segment_id = ?1 ORDER BY line")
            .map_err(|e| self.sql(e))?;
        for s in &mut segments {
            s.rows = rows
                .query_map([&s.id], |r| r.get(0))
                .map_err(|e| self.sql(e))?
                .collect::<Result<_, _>>()
                .map_err(|e| self.sql(e))?;
        }
        Ok(segments)
    }
}
