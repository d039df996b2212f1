//! Reviews in the archive: storing a page in one transaction with the
//! sync's progress, re-checked responses, queued notifications, and
//! reading them back with the same filters and order as `reviews list`.

use rusqlite::types::Value as SqlValue;
use rusqlite::{OptionalExtension, Row, params, params_from_iter};

use super::{Archive, ArchiveError};
use crate::asc::reviews::{Query, ResponseInfo, Review, Sort};

/// Where the sync of an app's reviews stands.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReviewState {
    /// The whole history has been archived once: a sync stops at the first
    /// review already archived.
    pub complete: bool,
    /// The next page of the first (backfilling) pass, when it was cut
    /// short: a path and query under the API base.
    pub resume: Option<String>,
    /// Reviews of the app in the archive.
    pub archived: u64,
}

/// What the progress of a sync becomes with a page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Progress {
    /// Leave it (a page before the first archived review, on a sync
    /// whose backfill continues from its resume point).
    Unchanged,
    /// The backfill continues at this path and query.
    Next(String),
    /// The backfill reached the oldest review.
    Complete,
}

/// What storing a page did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stored {
    /// Reviews archived for the first time.
    pub new: usize,
    /// Reviews that were already archived.
    pub known: usize,
    /// Of those, reviews whose response changed.
    pub responses_changed: usize,
}

const COLUMNS: &str = "id, rating, title, body, nickname, created_date, territory, \
     response_id, response_body, response_state, response_modified";

fn review_of(r: &Row<'_>) -> rusqlite::Result<Review> {
    let response_id: Option<String> = r.get(7)?;
    Ok(Review {
        id: r.get(0)?,
        rating: r
            .get::<_, Option<i64>>(1)?
            .and_then(|x| u8::try_from(x).ok()),
        title: r.get(2)?,
        body: r.get(3)?,
        reviewer_nickname: r.get(4)?,
        created_date: r.get(5)?,
        territory: r.get(6)?,
        response: match response_id {
            Some(id) => Some(ResponseInfo {
                id,
                body: r.get(8)?,
                state: r.get(9)?,
                last_modified_date: r.get(10)?,
            }),
            None => None,
        },
    })
}

fn now_unix() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

impl Archive {
    /// Where the sync of `app_id`'s reviews stands.
    pub fn review_state(&self, app_id: &str) -> Result<ReviewState, ArchiveError> {
        let row: Option<(i64, Option<String>)> = self
            .conn
            .query_row(
                "SELECT complete, resume FROM review_sync WHERE app_id = ?1",
                [app_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(|e| self.sql(e))?;
        let archived: i64 = self
            .conn
            .query_row(
                "SELECT count(*) FROM reviews WHERE app_id = ?1",
                [app_id],
                |r| r.get(0),
            )
            .map_err(|e| self.sql(e))?;
        let (complete, resume) = row.unwrap_or((0, None));
        Ok(ReviewState {
            complete: complete != 0,
            resume,
            archived: archived.max(0) as u64,
        })
    }

    /// Stores a page of `app_id`'s reviews and the sync's progress in one
    /// transaction. New reviews whose stars are in `notify` (all when it is
    /// empty) are queued for a notification; with `notify` `None`, none are.
    pub fn store_page(
        &mut self,
        app_id: &str,
        page: &[Review],
        notify: Option<&[u8]>,
        progress: &Progress,
    ) -> Result<Stored, ArchiveError> {
        let path = self.path.clone();
        let sql = |e| ArchiveError::sql(&path, e);
        let tx = self.conn.transaction().map_err(sql)?;
        let mut stored = Stored::default();
        {
            let mut insert = tx
                .prepare_cached(
                    "INSERT OR IGNORE INTO reviews (id, app_id, rating, title, body, nickname,
                     created_date, created_unix, territory, response_id, response_body,
                     response_state, response_modified, archived_unix, notify)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
                )
                .map_err(sql)?;
            let mut update = tx
                .prepare_cached(
                    "UPDATE reviews SET response_id = ?2, response_body = ?3,
                     response_state = ?4, response_modified = ?5
                     WHERE id = ?1 AND (response_id IS NOT ?2 OR response_body IS NOT ?3
                     OR response_state IS NOT ?4 OR response_modified IS NOT ?5)",
                )
                .map_err(sql)?;
            let now = now_unix();
            for r in page {
                let resp = r.response.as_ref();
                let wanted = notify.is_some_and(|stars| {
                    stars.is_empty() || r.rating.is_some_and(|x| stars.contains(&x))
                });
                let n = insert
                    .execute(params![
                        r.id,
                        app_id,
                        r.rating,
                        r.title,
                        r.body,
                        r.reviewer_nickname,
                        r.created_date,
                        r.created().map(|t| t.unix_timestamp()),
                        r.territory,
                        resp.map(|x| &x.id),
                        resp.and_then(|x| x.body.as_ref()),
                        resp.and_then(|x| x.state.as_ref()),
                        resp.and_then(|x| x.last_modified_date.as_ref()),
                        now,
                        wanted.then_some("pending"),
                    ])
                    .map_err(sql)?;
                if n == 1 {
                    stored.new += 1;
                    continue;
                }
                stored.known += 1;
                stored.responses_changed += update
                    .execute(params![
                        r.id,
                        resp.map(|x| &x.id),
                        resp.and_then(|x| x.body.as_ref()),
                        resp.and_then(|x| x.state.as_ref()),
                        resp.and_then(|x| x.last_modified_date.as_ref()),
                    ])
                    .map_err(sql)?;
            }
        }
        let (complete, resume) = match progress {
            Progress::Unchanged => (None, None),
            Progress::Next(next) => (Some(0), Some(next.as_str())),
            Progress::Complete => (Some(1), None),
        };
        if let Some(complete) = complete {
            tx.execute(
                "INSERT INTO review_sync (app_id, complete, resume) VALUES (?1, ?2, ?3)
                 ON CONFLICT(app_id) DO UPDATE SET complete = ?2, resume = ?3",
                params![app_id, complete, resume],
            )
            .map_err(sql)?;
        }
        tx.commit().map_err(sql)?;
        Ok(stored)
    }

    /// Forgets where the backfill of `app_id` was (its link was refused):
    /// the next pass pages from the newest review again, without stopping
    /// at archived ones.
    pub fn restart_backfill(&self, app_id: &str) -> Result<(), ArchiveError> {
        self.conn
            .execute(
                "INSERT INTO review_sync (app_id, complete, resume) VALUES (?1, 0, NULL)
                 ON CONFLICT(app_id) DO UPDATE SET complete = 0, resume = NULL",
                [app_id],
            )
            .map_err(|e| self.sql(e))?;
        Ok(())
    }

    /// The ids of `app_id`'s archived reviews whose response is still
    /// waiting to be published.
    pub fn pending_responses(&self, app_id: &str) -> Result<Vec<String>, ArchiveError> {
        let mut st = self
            .conn
            .prepare(
                "SELECT id FROM reviews WHERE app_id = ?1 AND response_state = 'PENDING_PUBLISH'
                 ORDER BY created_unix DESC",
            )
            .map_err(|e| self.sql(e))?;
        let rows = st
            .query_map([app_id], |r| r.get(0))
            .map_err(|e| self.sql(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.sql(e))
    }

    /// Replaces the response of an archived review (one re-checked, or
    /// one `reviews respond` just sent): false when the review is not in
    /// the archive.
    pub fn put_response(
        &self,
        review_id: &str,
        resp: Option<&ResponseInfo>,
    ) -> Result<bool, ArchiveError> {
        let n = self
            .conn
            .execute(
                "UPDATE reviews SET response_id = ?2, response_body = ?3,
                 response_state = ?4, response_modified = ?5 WHERE id = ?1",
                params![
                    review_id,
                    resp.map(|x| &x.id),
                    resp.and_then(|x| x.body.as_ref()),
                    resp.and_then(|x| x.state.as_ref()),
                    resp.and_then(|x| x.last_modified_date.as_ref()),
                ],
            )
            .map_err(|e| self.sql(e))?;
        Ok(n == 1)
    }

    /// Reviews queued for a notification, oldest first, with their app id.
    pub fn pending_notifications(&self) -> Result<Vec<(String, Review)>, ArchiveError> {
        let mut st = self
            .conn
            .prepare(&format!(
                "SELECT {COLUMNS}, app_id FROM reviews WHERE notify = 'pending'
                 ORDER BY created_unix ASC, id ASC"
            ))
            .map_err(|e| self.sql(e))?;
        let rows = st
            .query_map([], |r| Ok((r.get(11)?, review_of(r)?)))
            .map_err(|e| self.sql(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.sql(e))
    }

    /// Records that a review's notification was delivered: never sent again.
    pub fn mark_notified(&self, review_id: &str) -> Result<(), ArchiveError> {
        self.conn
            .execute(
                "UPDATE reviews SET notify = 'sent' WHERE id = ?1",
                [review_id],
            )
            .map_err(|e| self.sql(e))?;
        Ok(())
    }

    /// One archived review.
    pub fn reviews_by_id(&self, review_id: &str) -> Result<Option<Review>, ArchiveError> {
        self.conn
            .query_row(
                &format!("SELECT {COLUMNS} FROM reviews WHERE id = ?1"),
                [review_id],
                review_of,
            )
            .optional()
            .map_err(|e| self.sql(e))
    }

    /// Whether each of `app_id`'s reviews is flagged, by id: computed by
    /// `check` (title and body) for the reviews not checked yet, and kept
    /// (one transaction), so later calls cost a read.
    pub fn flags(
        &mut self,
        app_id: &str,
        check: impl Fn(&Review) -> bool,
    ) -> Result<std::collections::HashMap<String, bool>, ArchiveError> {
        let path = self.path.clone();
        let sql = |e| ArchiveError::sql(&path, e);
        let tx = self.conn.transaction().map_err(sql)?;
        let unknown: Vec<Review> = {
            let mut st = tx
                .prepare(&format!(
                    "SELECT {COLUMNS} FROM reviews WHERE app_id = ?1 AND flagged IS NULL"
                ))
                .map_err(sql)?;
            st.query_map([app_id], review_of)
                .map_err(sql)?
                .collect::<Result<_, _>>()
                .map_err(sql)?
        };
        {
            let mut set = tx
                .prepare("UPDATE reviews SET flagged = ?2 WHERE id = ?1")
                .map_err(sql)?;
            for r in &unknown {
                set.execute(params![r.id, check(r)]).map_err(sql)?;
            }
        }
        let out = {
            let mut st = tx
                .prepare("SELECT id, flagged FROM reviews WHERE app_id = ?1")
                .map_err(sql)?;
            st.query_map([app_id], |r| Ok((r.get(0)?, r.get::<_, bool>(1)?)))
                .map_err(sql)?
                .collect::<Result<_, _>>()
                .map_err(sql)?
        };
        tx.commit().map_err(sql)?;
        Ok(out)
    }

    /// `app_id`'s archived reviews that `q` selects, in its order: what
    /// `reviews list` would show, answered from the archive.
    pub fn reviews(&self, app_id: &str, q: &Query) -> Result<Vec<Review>, ArchiveError> {
        let mut sql = format!("SELECT {COLUMNS} FROM reviews WHERE app_id = ?");
        let mut args: Vec<SqlValue> = vec![SqlValue::Text(app_id.to_owned())];
        if !q.ratings.is_empty() {
            sql.push_str(&format!(
                " AND rating IN ({})",
                vec!["?"; q.ratings.len()].join(",")
            ));
            args.extend(q.ratings.iter().map(|&r| SqlValue::Integer(r.into())));
        }
        if !q.territories.is_empty() {
            sql.push_str(&format!(
                " AND territory IN ({})",
                vec!["?"; q.territories.len()].join(",")
            ));
            args.extend(q.territories.iter().map(|t| SqlValue::Text(t.clone())));
        }
        if let Some(since) = q.since {
            sql.push_str(" AND (created_unix IS NULL OR created_unix >= ?)");
            args.push(SqlValue::Integer(since.unix_timestamp()));
        }
        if q.unanswered {
            sql.push_str(" AND response_state IS NOT 'PUBLISHED'");
        }
        sql.push_str(match q.sort {
            Sort::Newest => " ORDER BY created_unix DESC, id DESC",
            Sort::Oldest => " ORDER BY created_unix ASC, id ASC",
            Sort::Best => " ORDER BY rating DESC, created_unix DESC, id DESC",
            Sort::Worst => " ORDER BY rating ASC, created_unix DESC, id DESC",
        });
        if let Some(max) = q.max {
            sql.push_str(" LIMIT ?");
            args.push(SqlValue::Integer(i64::try_from(max).unwrap_or(i64::MAX)));
        }
        let mut st = self.conn.prepare(&sql).map_err(|e| self.sql(e))?;
        let rows = st
            .query_map(params_from_iter(args), review_of)
            .map_err(|e| self.sql(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.sql(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn review(id: &str, rating: u8, day: u32) -> Review {
        Review {
            id: id.into(),
            rating: Some(rating),
            title: Some("t".into()),
            body: Some("b".into()),
            reviewer_nickname: Some("n".into()),
            created_date: Some(format!("2026-11-{day:02}T10:00:00-08:00")),
            territory: Some("USA".into()),
            response: None,
        }
    }

    #[test]
    fn a_page_is_stored_once_and_read_back_filtered_and_ordered() {
        let dir = tempfile::tempdir().unwrap();
        let mut a = Archive::create_or_open(&dir.path().join("a.sqlite")).unwrap();
        let page = [review("r3", 1, 3), review("r2", 5, 2), review("r1", 1, 1)];
        let s = a
            .store_page("1", &page, Some(&[1]), &Progress::Complete)
            .unwrap();
        assert_eq!((s.new, s.known), (3, 0));
        let again = a
            .store_page("1", &page, None, &Progress::Unchanged)
            .unwrap();
        assert_eq!((again.new, again.known), (0, 3));
        let q = Query {
            ratings: vec![1],
            sort: Sort::Oldest,
            ..Query::default()
        };
        let ids: Vec<String> = a
            .reviews("1", &q)
            .unwrap()
            .into_iter()
            .map(|r| r.id)
            .collect();
        assert_eq!(ids, ["r1", "r3"]);
        let queued: Vec<String> = a
            .pending_notifications()
            .unwrap()
            .into_iter()
            .map(|(_, r)| r.id)
            .collect();
        assert_eq!(queued, ["r1", "r3"], "only one-star reviews are queued");
        assert!(a.review_state("1").unwrap().complete);
    }
}
