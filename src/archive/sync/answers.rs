//! The daily reconciliation of answers (spec/ARCHIVE.md §5c). A sync
//! with nothing new reads only the newest page, so a response written in
//! App Store Connect's web page to an older review, or deleted there,
//! would never reach the archive. Once a day per app, Apple's count of
//! answered reviews is compared with the archive's; when they differ,
//! every answered review is paged and each archived answer Apple no
//! longer lists is asked for by id, so nothing is cleared on a count
//! alone.

use std::collections::HashSet;

use super::{Progress, Run, SyncError};
use crate::asc::AscError;
use crate::asc::model::{CustomerReview, ListDocument};
use crate::asc::reviews;

impl Run<'_> {
    /// Reconciles the app's answers with Apple's, then records `day`.
    pub(super) fn reconcile_answers(&mut self, day: &str) -> Result<(), SyncError> {
        let app_id = self.app_id;
        let answered = format!("/v1/apps/{app_id}/customerReviews?exists[publishedResponse]=true");
        let doc: ListDocument<CustomerReview> = self.client.get(&format!("{answered}&limit=1"))?;
        self.report.answer_requests += 1;
        let archived = self.archive.answered_ids(app_id)?;
        let total = doc.meta.and_then(|m| m.paging).and_then(|p| p.total);
        if total.is_none_or(|t| t != archived.len() as u64) {
            let listed = self.page_answered(&format!(
                "{answered}&sort=-createdDate&limit=200&include=response"
            ))?;
            for id in archived.difference(&listed) {
                self.report.answer_requests += 1;
                let review = match reviews::get(self.client, id) {
                    Ok(r) => r,
                    // Apple deleted the review: the archive keeps it as it was.
                    Err(AscError::Refused { status: 404, .. }) => continue,
                    Err(e) => return Err(e.into()),
                };
                let before = self.archive.reviews_by_id(id)?;
                if before.as_ref().map(|r| &r.response) != Some(&review.response) {
                    self.archive.put_response(id, review.response.as_ref())?;
                    self.report.responses_changed += 1;
                }
            }
        }
        self.archive.set_answers_checked(app_id, day)?;
        Ok(())
    }

    /// Pages every answered review from `first`, storing each page (a
    /// known review takes the response it now has); the ids listed.
    fn page_answered(&mut self, first: &str) -> Result<HashSet<String>, SyncError> {
        let mut listed = HashSet::new();
        let mut failure: Option<SyncError> = None;
        let client = self.client;
        client.for_each_page(first, |doc: ListDocument<CustomerReview>| {
            self.report.answer_requests += 1;
            let page = reviews::from_page(doc);
            match self
                .archive
                .store_page(self.app_id, &page, self.notify, &Progress::Unchanged)
            {
                Ok(s) => {
                    self.report.new += s.new;
                    self.report.responses_changed += s.responses_changed;
                    listed.extend(page.into_iter().map(|r| r.id));
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
            None => Ok(listed),
        }
    }
}
