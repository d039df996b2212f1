//! App Store Connect commands against the stand-in server on loopback, by
//! feature: apps and the choice of entry, reviews (listing, responding,
//! flagging and reporting), verify, the token, the client's handling of
//! every failure, and Apple's shapes.

use asc_standin::seed;

mod apps;
mod batch;
mod client;
mod drafts;
mod moderation;
mod respond;
mod reviews;
mod shapes;
mod summary;
mod tokens;
mod verify;

/// Pocket Notes, the stand-in's app with 450 reviews.
const APP: &str = seed::NOTES_APP_ID;
const BUNDLE: &str = seed::NOTES_BUNDLE_ID;
const REVIEWS_PATH: &str = "/v1/apps/1234567890/customerReviews";

/// The id of the stand-in's `i`th newest review of Pocket Notes.
fn review(i: usize) -> String {
    seed::review_id(0, i)
}
