//! The daily reconciliation of answers (spec/ARCHIVE.md §5c): a response
//! written, or deleted, in App Store Connect's web page to a review older
//! than the newest page reaches the archive at the next day's sync.

use asc_standin::state::ResponseRecord;

use super::{APP, archive};
use crate::support::standin::AscWorld;

/// The archive's answer of a review: (state, body).
fn archived_answer(w: &AscWorld, id: &str) -> Option<(String, String)> {
    let conn = rusqlite::Connection::open(archive(w)).unwrap();
    conn.query_row(
        "SELECT response_state, response_body FROM reviews WHERE id = ?1",
        [id],
        |r| {
            Ok(r.get::<_, Option<String>>(0)?
                .zip(r.get::<_, Option<String>>(1)?))
        },
    )
    .unwrap()
}

/// Makes the archive believe its answers were last reconciled long ago:
/// the next sync is "the first of the day".
fn a_day_passes(w: &AscWorld) {
    let conn = rusqlite::Connection::open(archive(w)).unwrap();
    conn.execute("UPDATE review_sync SET answers_checked = '2000-01-01'", [])
        .unwrap();
}

/// Requests asking Apple about answered reviews.
fn answer_requests(w: &AscWorld) -> usize {
    w.server
        .requests()
        .iter()
        .filter(|r| r.query.contains("exists[publishedResponse]=true"))
        .count()
}

/// The oldest seeded review without a response: far past the newest page.
fn old_unanswered(w: &AscWorld) -> String {
    let data = w.server.shared().data.lock().unwrap();
    let mut old: Vec<_> = data
        .reviews
        .iter()
        .filter(|r| r.app_id == APP && !data.responses.contains_key(&r.id))
        .collect();
    old.sort_by(|a, b| a.created.cmp(&b.created));
    old[0].id.clone()
}

#[test]
fn a_reply_written_on_the_web_to_an_old_review_reaches_the_archive_the_next_day() {
    let w = AscWorld::new();
    w.cmd(&["sync", "--reviews", "--app", APP]).run().success();
    assert_eq!(answer_requests(&w), 0, "the first sync saw every answer");
    let old = old_unanswered(&w);
    assert_eq!(archived_answer(&w, &old), None);
    w.server.shared().data.lock().unwrap().responses.insert(
        old.clone(),
        ResponseRecord {
            id: "web-reply".into(),
            review_id: old.clone(),
            body: "Thanks, fixed in 2.4 (answered on the web).".into(),
            last_modified: "2026-11-02T09:00:00-08:00".into(),
            state: "PUBLISHED".into(),
        },
    );
    // The same day: one request, the newest page, which does not show it.
    w.cmd(&["sync", "--reviews", "--app", APP]).run().success();
    assert_eq!(archived_answer(&w, &old), None);
    assert_eq!(answer_requests(&w), 0);
    a_day_passes(&w);
    w.cmd(&["sync", "--reviews", "--app", APP]).run().success();
    assert_eq!(
        archived_answer(&w, &old),
        Some((
            "PUBLISHED".into(),
            "Thanks, fixed in 2.4 (answered on the web).".into()
        ))
    );
    let spent = answer_requests(&w);
    assert!(spent >= 2, "the count, then the answered pages: {spent}");
    // Reconciled today: the next sync does not ask again.
    w.cmd(&["sync", "--reviews", "--app", APP]).run().success();
    assert_eq!(answer_requests(&w), spent);
}

#[test]
fn counts_that_agree_cost_one_request_a_day() {
    let w = AscWorld::new();
    w.cmd(&["sync", "--reviews", "--app", APP]).run().success();
    a_day_passes(&w);
    w.cmd(&["sync", "--reviews", "--app", APP]).run().success();
    assert_eq!(answer_requests(&w), 1, "only the count");
}

#[test]
fn an_answer_deleted_on_the_web_is_cleared_after_apple_confirms_it() {
    let w = AscWorld::new();
    w.cmd(&["sync", "--reviews", "--app", APP]).run().success();
    // The oldest answered review: not on the newest page.
    let old = {
        let data = w.server.shared().data.lock().unwrap();
        let mut answered: Vec<_> = data
            .reviews
            .iter()
            .filter(|r| {
                r.app_id == APP
                    && data
                        .responses
                        .get(&r.id)
                        .is_some_and(|x| x.state == "PUBLISHED")
            })
            .collect();
        answered.sort_by(|a, b| a.created.cmp(&b.created));
        answered[0].id.clone()
    };
    assert!(archived_answer(&w, &old).is_some());
    w.server
        .shared()
        .data
        .lock()
        .unwrap()
        .responses
        .remove(&old);
    a_day_passes(&w);
    let before = w.count(&format!("/v1/customerReviews/{old}"));
    w.cmd(&["sync", "--reviews", "--app", APP]).run().success();
    assert_eq!(
        w.count(&format!("/v1/customerReviews/{old}")),
        before + 1,
        "asked about by id before anything is cleared"
    );
    assert_eq!(archived_answer(&w, &old), None);
}
