//! Daily sales summaries in the archive: one row per app, territory and
//! proceeds currency of each day, the day and its rows committed together.

use std::collections::HashSet;

use rusqlite::params;

use super::{Archive, ArchiveError};
use crate::asc::sales::SummaryRow;

impl Archive {
    /// The days (`YYYY-MM-DD`) whose summary is archived.
    pub fn sales_days(&self) -> Result<HashSet<String>, ArchiveError> {
        let mut st = self
            .conn
            .prepare("SELECT date FROM sales_days")
            .map_err(|e| self.sql(e))?;
        let rows = st.query_map([], |r| r.get(0)).map_err(|e| self.sql(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.sql(e))
    }

    /// Archives a day's summary (empty: Apple had no sales that day) in one
    /// transaction.
    pub fn put_sales_day(&mut self, date: &str, rows: &[SummaryRow]) -> Result<(), ArchiveError> {
        let path = self.path.clone();
        let sql = |e| ArchiveError::sql(&path, e);
        let tx = self.conn.transaction().map_err(sql)?;
        tx.execute(
            "INSERT OR REPLACE INTO sales_days (date, rows, archived_unix) VALUES (?1, ?2, ?3)",
            params![
                date,
                rows.len() as i64,
                time::OffsetDateTime::now_utc().unix_timestamp()
            ],
        )
        .map_err(sql)?;
        tx.execute("DELETE FROM sales_rows WHERE date = ?1", [date])
            .map_err(sql)?;
        {
            let mut st = tx
                .prepare(
                    "INSERT INTO sales_rows (date, apple_identifier, title, territory, units,
                     proceeds, currency) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )
                .map_err(sql)?;
            for r in rows {
                st.execute(params![
                    date,
                    r.apple_identifier,
                    r.title,
                    r.territory,
                    r.units,
                    r.proceeds,
                    r.currency
                ])
                .map_err(sql)?;
            }
        }
        tx.commit().map_err(sql)
    }

    /// The archived rows of every day, oldest first: (date, row).
    pub fn sales_rows(&self) -> Result<Vec<(String, SummaryRow)>, ArchiveError> {
        let mut st = self
            .conn
            .prepare(
                "SELECT date, apple_identifier, title, territory, units, proceeds, currency
                 FROM sales_rows ORDER BY date, rowid",
            )
            .map_err(|e| self.sql(e))?;
        let rows = st
            .query_map([], |r| {
                Ok((
                    r.get(0)?,
                    SummaryRow {
                        apple_identifier: r.get(1)?,
                        title: r.get(2)?,
                        territory: r.get(3)?,
                        units: r.get(4)?,
                        proceeds: r.get(5)?,
                        currency: r.get(6)?,
                    },
                ))
            })
            .map_err(|e| self.sql(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.sql(e))
    }
}
