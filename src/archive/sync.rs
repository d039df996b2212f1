//! Fetching what is new into the archive (spec/ARCHIVE.md §3): an app's
//! reviews newest first, one page per transaction, stopping at the first
//! review already archived once the history is complete; the first
//! (backfilling) pass records where it is after every page, so a killed
//! sync resumes there instead of starting over.

use std::collections::HashSet;

use url::Url;

use super::reviews::Progress;
use super::{Archive, ArchiveError};
use crate::asc::client::Paged;
use crate::asc::model::{CustomerReview, ListDocument};
use crate::asc::reviews::{self, Query};
use crate::asc::{AscError, Client};

/// The longest `links.next` kept as a resume point; a longer one is a
/// server fault.
const MAX_LINK: usize = 4096;

mod answers;
mod snapshots;

pub use snapshots::{SnapshotReport, Taken, snapshots};

/// A sync failure: App Store Connect's or the archive's.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SyncError {
    /// App Store Connect failed (after the client's retries).
    #[error(transparent)]
    Asc(#[from] AscError),
    /// The archive failed.
    #[error(transparent)]
    Archive(#[from] ArchiveError),
    /// A sales report could not be read.
    #[error(transparent)]
    Report(#[from] crate::asc::sales::ReportError),
    /// Analytics reports, instances or segments could not be listed.
    #[error(transparent)]
    Plan(#[from] crate::asc::analytics::PlanError),
    /// An analytics segment could not be downloaded.
    #[error(transparent)]
    Download(#[from] crate::asc::download::DownloadError),
}

/// What a sync of an analytics report did for an app.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AnalyticsReport {
    /// Instances of the report Apple lists.
    pub instances: usize,
    /// Segments archived now.
    pub new_segments: usize,
    /// Rows archived now.
    pub rows: usize,
}

/// Archives every segment of `report` (name or id, as `metrics download
/// --report`) of `app_id` not archived yet (by segment id), each segment
/// and its rows in one transaction; verified by the downloader (size,
/// checksum, gzip) before anything is stored.
pub fn analytics(
    client: &Client,
    archive: &mut Archive,
    app_id: &str,
    report: &str,
    downloader: &crate::asc::download::Downloader,
) -> Result<AnalyticsReport, SyncError> {
    use crate::asc::analytics::{PlanError, Wanted, plan};
    let wanted = Wanted {
        report: report.to_owned(),
        ..Wanted::default()
    };
    let planned = match plan(client, app_id, &wanted) {
        Ok(p) => p,
        Err(PlanError::NoInstances { .. }) => return Ok(AnalyticsReport::default()),
        Err(e) => return Err(e.into()),
    };
    let mut out = AnalyticsReport {
        instances: planned.instances,
        ..AnalyticsReport::default()
    };
    let have = archive.analytics_segment_ids()?;
    for p in &planned.segments {
        if have.contains(&p.segment.id) {
            continue;
        }
        let mut bytes = Vec::new();
        downloader.fetch_into(&p.segment, &mut bytes, &|_| {})?;
        let text = String::from_utf8_lossy(&bytes);
        out.rows += archive.put_analytics_segment(app_id, report, p, &text)?;
        out.new_segments += 1;
    }
    Ok(out)
}

/// Days of daily sales summaries Apple offers (about a year).
pub const SALES_DAYS: u32 = 365;

/// What a sync of sales summaries did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SalesReport {
    /// Days archived now (with sales or without).
    pub new_days: usize,
    /// Of those, days Apple had no sales.
    pub empty_days: usize,
    /// Days Apple did not offer (refused with something else than "no
    /// sales"): not archived, asked again next time.
    pub refused_days: usize,
    /// Requests made.
    pub requests: usize,
}

/// Archives each daily sales summary (`SALES`/`SUMMARY`/`DAILY`, version
/// `1_0`) of `vendor` not archived yet, from the day before `today` back
/// [`SALES_DAYS`] days, one transaction per day. A day Apple refuses other
/// than with "no sales" is left out (asked again next time); three refused
/// days in a row end the walk back (what Apple offers ends there).
pub fn sales(
    client: &Client,
    archive: &mut Archive,
    vendor: &str,
    today: time::Date,
    max_bytes: u64,
) -> Result<SalesReport, SyncError> {
    use crate::asc::sales::{self as report, ProductSummary, SalesQuery};
    let mut out = SalesReport::default();
    let have = archive.sales_days()?;
    let mut refused_in_a_row = 0;
    for back in 1..=SALES_DAYS {
        let Some(day) = today.checked_sub(time::Duration::days(back.into())) else {
            break;
        };
        let date = super::ymd(day);
        if have.contains(&date) {
            refused_in_a_row = 0;
            continue;
        }
        let query = SalesQuery {
            report_type: "SALES".into(),
            sub_type: "SUMMARY".into(),
            frequency: "DAILY".into(),
            date: date.clone(),
            vendor: vendor.to_owned(),
            version: Some("1_0".into()),
        };
        out.requests += 1;
        let mut summary: Option<ProductSummary> = None;
        let fetched = report::fetch_rows(client, &query.path(), max_bytes, |header, row| {
            let s = match &mut summary {
                Some(s) => s,
                None => summary.insert(ProductSummary::new(header)?),
            };
            s.add(&row);
            Ok(())
        });
        match fetched {
            Ok(_) => {}
            Err(e) if report::is_no_sales(&e) => out.empty_days += 1,
            Err(report::ReportError::Asc(AscError::Refused {
                status: 400 | 404 | 410,
                ..
            })) => {
                out.refused_days += 1;
                refused_in_a_row += 1;
                if refused_in_a_row >= 3 {
                    break;
                }
                continue;
            }
            Err(e) => return Err(e.into()),
        }
        refused_in_a_row = 0;
        let rows = summary.map(ProductSummary::finish).unwrap_or_default();
        archive.put_sales_day(&date, &rows)?;
        out.new_days += 1;
    }
    Ok(out)
}

/// What a sync of an app's reviews did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReviewReport {
    /// Reviews archived for the first time.
    pub new: usize,
    /// Pages of reviews fetched.
    pub pages: u32,
    /// Archived reviews whose response changed (seen on a page or
    /// re-checked).
    pub responses_changed: usize,
    /// Pending responses re-checked one by one.
    pub rechecked: usize,
    /// Requests of the daily reconciliation of answers (§5c): 0, 1 when
    /// Apple's count agrees, more when it does not.
    pub answer_requests: usize,
    /// Whether the app's whole history is now archived.
    pub complete: bool,
}

/// `next` (a `links.next`) as a path and query under `base`: only a link
/// to the same server, under the base's path, is kept.
fn relative(base: &Url, next: &str) -> Result<String, AscError> {
    let bad = |why: &str| AscError::BadLink(format!("links.next {why}"));
    if next.len() > MAX_LINK {
        return Err(bad("is too long to keep"));
    }
    let url = base.join(next).map_err(|_| bad("is not a URL"))?;
    if url.scheme() != base.scheme()
        || url.host() != base.host()
        || url.port_or_known_default() != base.port_or_known_default()
    {
        return Err(bad("points to another server"));
    }
    let prefix = base.path().trim_end_matches('/');
    let path = url
        .path()
        .strip_prefix(prefix)
        .filter(|p| p.starts_with('/'))
        .ok_or_else(|| bad("is outside the API"))?;
    Ok(match url.query() {
        Some(q) => format!("{path}?{q}"),
        None => path.to_owned(),
    })
}

/// One sync of an app's reviews in progress.
struct Run<'a> {
    client: &'a Client,
    archive: &'a mut Archive,
    app_id: &'a str,
    notify: Option<&'a [u8]>,
    report: ReviewReport,
    /// Reviews a page of this sync showed (their responses are current).
    seen: HashSet<String>,
}

impl Run<'_> {
    /// One paging pass from `first`. `backfill`: record progress after
    /// every page and never stop early; otherwise stop after the first page
    /// holding an archived review. Returns whether it stopped on one.
    fn pass(&mut self, first: &str, backfill: bool) -> Result<bool, SyncError> {
        let mut failure: Option<SyncError> = None;
        let mut hit = false;
        let client = self.client;
        client.for_each_page(first, |doc: ListDocument<CustomerReview>| {
            let next = doc.next_link().map(str::to_owned);
            let page = reviews::from_page(doc);
            self.report.pages += 1;
            let progress = match (&next, backfill) {
                (None, _) => Progress::Complete,
                (Some(n), true) => match relative(client.base(), n) {
                    Ok(p) => Progress::Next(p),
                    Err(e) => {
                        failure = Some(e.into());
                        return false;
                    }
                },
                (Some(_), false) => Progress::Unchanged,
            };
            match self
                .archive
                .store_page(self.app_id, &page, self.notify, &progress)
            {
                Ok(s) => {
                    self.report.new += s.new;
                    self.report.responses_changed += s.responses_changed;
                    self.report.complete |= progress == Progress::Complete;
                    self.seen.extend(page.into_iter().map(|r| r.id));
                    if s.known > 0 && !backfill {
                        hit = true;
                        return false;
                    }
                    true
                }
                Err(e) => {
                    failure = Some(e.into());
                    false
                }
            }
        })?;
        match failure {
            Some(f) => Err(f),
            None => Ok(hit),
        }
    }

    /// Re-checks the archived responses still pending that no page showed.
    fn recheck(&mut self) -> Result<(), SyncError> {
        for id in self.archive.pending_responses(self.app_id)? {
            if self.seen.contains(&id) {
                continue;
            }
            let review = match reviews::get(self.client, &id) {
                Ok(r) => r,
                // Apple deleted the review: the archive keeps it as it was.
                Err(AscError::Refused { status: 404, .. }) => continue,
                Err(e) => return Err(e.into()),
            };
            self.report.rechecked += 1;
            let before = self.archive.reviews_by_id(&id)?;
            if before.as_ref().map(|r| &r.response) != Some(&review.response) {
                self.archive.put_response(&id, review.response.as_ref())?;
                self.report.responses_changed += 1;
            }
        }
        Ok(())
    }
}

/// Archives `app_id`'s new reviews (see the module's description) and
/// re-checks responses still pending. New reviews with stars in `notify`
/// (all, when empty) are queued for a notification; `None`: none are.
pub fn reviews(
    client: &Client,
    archive: &mut Archive,
    app_id: &str,
    notify: Option<&[u8]>,
) -> Result<ReviewReport, SyncError> {
    crate::asc::path_id("app id", app_id)?;
    let state = archive.review_state(app_id)?;
    let mut run = Run {
        client,
        archive,
        app_id,
        notify,
        report: ReviewReport {
            complete: state.complete,
            ..ReviewReport::default()
        },
        seen: HashSet::new(),
    };
    let first = reviews::list_path(app_id, &Query::default());
    let was_complete = state.complete;
    let whole_history_now = !state.complete && state.resume.is_none();
    match (state.complete, state.resume) {
        (true, _) => {
            run.pass(&first, false)?;
        }
        (false, None) => {
            run.pass(&first, true)?;
        }
        (false, Some(resume)) => {
            // What is new since, then the rest of the history from where
            // the killed sync stopped.
            if run.pass(&first, false)? {
                match run.pass(&resume, true) {
                    Err(SyncError::Asc(AscError::Refused {
                        status: 400 | 404 | 410,
                        ..
                    })) => {
                        // The resume link expired: page the history again,
                        // skipping what is archived.
                        run.archive.restart_backfill(app_id)?;
                        run.pass(&first, true)?;
                    }
                    other => {
                        other?;
                    }
                }
            }
        }
    }
    run.recheck()?;
    if run.report.complete {
        let day = super::utc_today();
        if whole_history_now {
            // Every review was just paged with its response: current.
            run.archive.set_answers_checked(app_id, &day)?;
        } else if was_complete && run.archive.answers_checked(app_id)?.as_deref() != Some(&day) {
            run.reconcile_answers(&day)?;
        }
    }
    Ok(run.report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_links_under_the_api_are_kept_as_resume_points() {
        let base = Url::parse("http://127.0.0.1:9/api").unwrap();
        assert_eq!(
            relative(
                &base,
                "http://127.0.0.1:9/api/v1/apps/1/customerReviews?cursor=x"
            )
            .unwrap(),
            "/v1/apps/1/customerReviews?cursor=x"
        );
        for bad in [
            "http://evil.example/api/v1/x",
            "https://127.0.0.1:9/api/v1/x",
            "http://127.0.0.1:9/other/v1/x",
            "http://127.0.0.1:9/apix/v1",
        ] {
            assert!(relative(&base, bad).is_err(), "{bad}");
        }
        assert!(relative(&base, &"a".repeat(MAX_LINK + 1)).is_err());
    }
}
