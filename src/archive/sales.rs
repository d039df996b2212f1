//! Daily sales summaries in the archive: one row per app (or in-app
//! purchase), product type, territory and proceeds currency of each day,
//! the day and its rows committed together.

use std::collections::HashSet;

use rusqlite::params;

use super::{Archive, ArchiveError};
use crate::asc::apps::AppInfo;
use crate::asc::sales::{ProductRow, SummaryRow, is_download};

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
    pub fn put_sales_day(&mut self, date: &str, rows: &[ProductRow]) -> Result<(), ArchiveError> {
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
                     proceeds, currency, product_type, parent_identifier)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                )
                .map_err(sql)?;
            for ProductRow {
                row: r,
                product_type,
                parent_identifier,
            } in rows
            {
                st.execute(params![
                    date,
                    r.apple_identifier,
                    r.title,
                    r.territory,
                    r.units,
                    r.proceeds,
                    r.currency,
                    product_type,
                    parent_identifier
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

    /// `app`'s sales per archived day, oldest first: its own rows (Apple
    /// identifier = the app's id) and its in-app purchases' (parent
    /// identifier = the app's SKU). A day with no sales of the app counts
    /// as zero.
    pub fn sales_days_of(&self, app: &AppInfo) -> Result<Vec<SalesDay>, ArchiveError> {
        let mut days = self.empty_sales_days(Some(0.0))?;
        let mut st = self
            .conn
            .prepare(
                "SELECT date, apple_identifier, units, proceeds, currency, product_type
                 FROM sales_rows
                 WHERE apple_identifier = ?1 OR (?2 <> '' AND parent_identifier = ?2)
                 ORDER BY date, rowid",
            )
            .map_err(|e| self.sql(e))?;
        let rows = st
            .query_map(params![app.id, app.sku.trim()], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, f64>(2)?,
                    r.get::<_, f64>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, Option<String>>(5)?,
                ))
            })
            .map_err(|e| self.sql(e))?;
        for row in rows {
            let (date, id, units, proceeds, currency, product_type) =
                row.map_err(|e| self.sql(e))?;
            let Ok(i) = days.binary_search_by(|d| d.date.as_str().cmp(&date)) else {
                continue;
            };
            let day = &mut days[i];
            if id == app.id {
                day.units += units;
                match product_type {
                    Some(t) if is_download(&t) => {
                        if let Some(d) = &mut day.downloads {
                            *d += units;
                        }
                    }
                    Some(_) => {}
                    // Archived before product types were kept: the
                    // downloads of that day are not known.
                    None => day.downloads = None,
                }
            }
            day.add_proceeds(currency, proceeds);
        }
        for day in &mut days {
            for (_, p) in &mut day.proceeds {
                *p = (*p * 100.0).round() / 100.0;
            }
            day.proceeds.sort_by(|a, b| a.0.cmp(&b.0));
        }
        Ok(days)
    }

    /// Every archived day (oldest first) with the rows `keep` keeps
    /// summed: units, and proceeds per currency in the order they first
    /// appear; downloads unknown. A day without such rows counts as zero.
    pub fn sales_days_matching(
        &self,
        keep: impl Fn(&SummaryRow) -> bool,
    ) -> Result<Vec<SalesDay>, ArchiveError> {
        let mut days = self.empty_sales_days(None)?;
        for (date, r) in self.sales_rows()? {
            let Ok(i) = days.binary_search_by(|d| d.date.as_str().cmp(&date)) else {
                continue;
            };
            if keep(&r) {
                days[i].units += r.units;
                days[i].add_proceeds(r.currency, r.proceeds);
            }
        }
        Ok(days)
    }

    /// A zero day for every archived date, oldest first.
    fn empty_sales_days(&self, downloads: Option<f64>) -> Result<Vec<SalesDay>, ArchiveError> {
        let mut st = self
            .conn
            .prepare("SELECT date FROM sales_days ORDER BY date")
            .map_err(|e| self.sql(e))?;
        let rows = st
            .query_map([], |r| r.get::<_, String>(0))
            .map_err(|e| self.sql(e))?;
        rows.map(|date| {
            date.map(|date| SalesDay {
                date,
                downloads,
                units: 0.0,
                proceeds: Vec::new(),
            })
        })
        .collect::<Result<_, _>>()
        .map_err(|e| self.sql(e))
    }
}

/// One archived day of an app's sales ([`Archive::sales_days_of`]).
#[derive(Clone, Debug, PartialEq)]
pub struct SalesDay {
    /// `YYYY-MM-DD`.
    pub date: String,
    /// First-time downloads, net of refunds (product types
    /// [`DOWNLOAD_TYPES`](crate::asc::sales::DOWNLOAD_TYPES)); `None` when
    /// the day was archived before product types were kept.
    pub downloads: Option<f64>,
    /// All units of the app itself: downloads, updates, re-downloads
    /// (not its in-app purchases).
    pub units: f64,
    /// Proceeds of the app and its in-app purchases, per currency (sorted
    /// by currency code), rounded to cents.
    pub proceeds: Vec<(String, f64)>,
}

impl SalesDay {
    fn add_proceeds(&mut self, currency: String, amount: f64) {
        match self.proceeds.iter_mut().find(|(c, _)| *c == currency) {
            Some((_, p)) => *p += amount,
            None => self.proceeds.push((currency, amount)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: &str, product_type: &str, parent: &str, units: f64, proceeds: f64) -> ProductRow {
        ProductRow {
            row: SummaryRow {
                apple_identifier: id.into(),
                title: "t".into(),
                territory: "US".into(),
                units,
                proceeds,
                currency: "USD".into(),
            },
            product_type: Some(product_type.into()),
            parent_identifier: Some(parent.into()),
        }
    }

    #[test]
    fn an_apps_day_counts_downloads_apart_from_updates_and_adds_its_in_app_purchases() {
        let dir = tempfile::tempdir().unwrap();
        let mut a = Archive::create_or_open(&dir.path().join("a.sqlite")).unwrap();
        let app = AppInfo {
            id: "1".into(),
            name: "App".into(),
            bundle_id: "com.example.app".into(),
            sku: "APPSKU".into(),
        };
        a.put_sales_day(
            "2026-11-02",
            &[
                row("1", "1F", "", 10.0, 7.0),
                row("1", "1F", "", -1.0, -0.7),
                row("1", "7F", "", 30.0, 0.0),
                row("9", "IA1", "APPSKU", 2.0, 1.0),
                row("5", "1F", "", 99.0, 50.0), // another app
            ],
        )
        .unwrap();
        a.put_sales_day("2026-11-01", &[]).unwrap();
        let days = a.sales_days_of(&app).unwrap();
        assert_eq!(days.len(), 2);
        assert_eq!(days[0].date, "2026-11-01");
        assert_eq!(days[0].downloads, Some(0.0));
        assert_eq!(days[1].downloads, Some(9.0));
        assert_eq!(days[1].units, 39.0);
        assert_eq!(days[1].proceeds, [("USD".to_owned(), 7.3)]);
    }

    #[test]
    fn a_day_archived_without_product_types_has_unknown_downloads() {
        let dir = tempfile::tempdir().unwrap();
        let mut a = Archive::create_or_open(&dir.path().join("a.sqlite")).unwrap();
        let mut old = row("1", "1F", "", 3.0, 2.1);
        old.product_type = None;
        old.parent_identifier = None;
        a.put_sales_day("2026-11-01", &[old]).unwrap();
        let app = AppInfo {
            id: "1".into(),
            name: "App".into(),
            bundle_id: "b".into(),
            sku: String::new(),
        };
        let days = a.sales_days_of(&app).unwrap();
        assert_eq!(days[0].downloads, None);
        assert_eq!(days[0].units, 3.0);
    }
}
