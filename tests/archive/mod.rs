//! `ascvault sync` and the commands that read its archive
//! (spec/ARCHIVE.md), against the stand-in on loopback: paging costs,
//! offline listing equal to the live one, pending responses re-checked,
//! stats, webhook notifications once per review, and SIGKILL at random
//! moments during a sync.

mod analytics;
mod answers;
mod chart;
mod kill;
mod notify;
mod reviews;
mod sales;
mod snapshots;

use std::path::PathBuf;

use asc_standin::{Standin, seed};

use crate::support::standin::AscWorld;

/// Pocket Notes (450 reviews in the seed).
const APP: &str = seed::NOTES_APP_ID;
const BUNDLE: &str = seed::NOTES_BUNDLE_ID;
const NOTES_REVIEWS: &str = "/v1/apps/1234567890/customerReviews";
const PRO_REVIEWS: &str = "/v1/apps/1234567892/customerReviews";

/// The archive beside the test's vault.
fn archive(w: &AscWorld) -> PathBuf {
    w.t.path("ascvault.archive.sqlite")
}

/// Gives Pocket Notes Pro `n` reviews.
fn add_bulk(server: &Standin, n: usize) {
    let (reviews, responses) = seed::bulk_reviews(seed::PRO_APP_ID, n);
    let mut data = server.shared().data.lock().unwrap();
    data.reviews.extend(reviews);
    for r in responses {
        data.responses.insert(r.review_id.clone(), r);
    }
}

/// A new review of `app_id`, newer than every seeded one.
fn add_review(server: &Standin, app_id: &str, id: &str, rating: u8, title: &str) {
    let mut data = server.shared().data.lock().unwrap();
    data.reviews.push(asc_standin::state::Review {
        id: id.into(),
        app_id: app_id.into(),
        rating,
        title: Some(title.into()),
        body: "Fresh off the press.".into(),
        nickname: "newcomer".into(),
        created: "2026-11-20T09:00:00-08:00".into(),
        territory: "GBR".into(),
    });
}

/// `PRAGMA integrity_check` and the number of reviews, read directly.
fn inspect(path: &std::path::Path) -> (String, i64) {
    let conn = rusqlite::Connection::open(path).unwrap();
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    let n: i64 = conn
        .query_row("SELECT count(*) FROM reviews", [], |r| r.get(0))
        .unwrap_or(0);
    (check, n)
}
