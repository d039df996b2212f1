//! The stand-in's made-up data, the same on every start: three apps, 450
//! reviews of the first (three pages of 200), 30 of the second, none of the
//! third. The first app's newest reviews include one of each kind that
//! `reviews flag` looks for. Dates are written as Apple writes them (Pacific
//! offset, whole seconds: see [`crate::dates`]); the seed spans the end of
//! summer time, so both `-07:00` and `-08:00` occur. Like Apple's answers
//! (its description has no `nullable`, its servers send `null` anyway), one
//! review has a `null` title and every app `null` subscription URLs.

use time::macros::datetime;
use time::{Duration, OffsetDateTime};

use crate::state::{App, Data, ResponseRecord, Review};

/// Pocket Notes: many reviews.
pub const NOTES_APP_ID: &str = "1234567890";
/// Its bundle id.
pub const NOTES_BUNDLE_ID: &str = "com.example.pocketnotes";
/// Trail Weather: a few reviews.
pub const WEATHER_APP_ID: &str = "1234567891";
/// Its bundle id.
pub const WEATHER_BUNDLE_ID: &str = "com.example.trailweather";
/// Reviews of Pocket Notes.
pub const NOTES_REVIEWS: usize = 450;
/// The newest review's date; each older review is 4 hours before the last.
pub const NEWEST: OffsetDateTime = datetime!(2026-11-01 12:00:00 UTC);
/// Hours between consecutive reviews.
pub const STEP_HOURS: i64 = 4;

/// The id of review number `i` (0 = newest) of app number `app` (0 or 1).
pub fn review_id(app: usize, i: usize) -> String {
    format!("00000000-0000-4000-8000-{:012}", app * 100_000 + i)
}

/// The newest reviews of Pocket Notes, in order, each with what `flag` should say.
pub const FLAGGED: &[(&str, &str, &str)] = &[
    (
        "Terrible",
        "This app is shit, it crashes every single time.",
        "profanity",
    ),
    (
        "Help",
        "Lost my notes. Contact me at jane.doe@example.com please.",
        "personal-info",
    ),
    (
        "Free gems",
        "Get free premium at www.free-premium.xyz today!",
        "spam",
    ),
    (
        "Switching",
        "Rival Notes does all of this better and cheaper.",
        "competitor",
    ),
    (
        "Deal",
        "Use code SAVE50 for a discount on the pro plan.",
        "spam",
    ),
    (
        "Call me",
        "Call me on +44 20 7946 0958 for a better app.",
        "personal-info",
    ),
    ("Nul", "Quelle merde, rien ne se synchronise.", "profanity"),
];

const CLEAN: &[(&str, &str)] = &[
    (
        "Love it",
        "Simple and fast. Sync works across all my devices.",
    ),
    ("Good but", "Would like a dark mode for the widget."),
    (
        "Crashes",
        "Crashes when I open a long note since the last update.",
    ),
    ("Perfect", "Exactly what I needed for shopping lists."),
    ("Meh", "Too many taps to create a checklist."),
    ("Solid", "Reliable for years. The search could be better."),
    ("Slow", "Takes a few seconds to open on my older phone."),
];

const TERRITORIES: &[&str] = &["USA", "GBR", "DEU", "FRA", "JPN", "CAN", "AUS"];

fn rfc3339(t: OffsetDateTime) -> String {
    crate::dates::pacific(t)
}

/// The review of Pocket Notes (number 20, first page) sent with a `null`
/// title.
pub const UNTITLED_REVIEW: usize = 20;

/// The seed data.
pub fn data() -> Data {
    let apps = vec![
        App {
            id: NOTES_APP_ID.into(),
            name: "Pocket Notes".into(),
            bundle_id: NOTES_BUNDLE_ID.into(),
            sku: "POCKETNOTES1".into(),
        },
        App {
            id: WEATHER_APP_ID.into(),
            name: "Trail Weather".into(),
            bundle_id: WEATHER_BUNDLE_ID.into(),
            sku: "TRAILWX".into(),
        },
        App {
            id: "1234567892".into(),
            name: "Pocket Notes Pro".into(),
            bundle_id: "com.example.pocketnotes.pro".into(),
            sku: "POCKETNOTESPRO".into(),
        },
    ];
    let mut reviews = Vec::new();
    let mut responses = std::collections::BTreeMap::new();
    for (app_n, (app_id, count)) in [(NOTES_APP_ID, NOTES_REVIEWS), (WEATHER_APP_ID, 30)]
        .into_iter()
        .enumerate()
    {
        for i in 0..count {
            let created =
                NEWEST - Duration::hours(STEP_HOURS * i as i64) - Duration::minutes(app_n as i64);
            let (title, body, rating) = match FLAGGED.get(i).filter(|_| app_n == 0) {
                Some((t, b, _)) => (t.to_string(), b.to_string(), 1),
                None => {
                    let (t, b) = CLEAN[i % CLEAN.len()];
                    (t.to_string(), b.to_string(), (i * 3 % 5 + 1) as u8)
                }
            };
            let id = review_id(app_n, i);
            // Every third older review has a published answer.
            if i >= 10 && i % 3 == 0 {
                responses.insert(
                    id.clone(),
                    ResponseRecord {
                        id: format!("10000000-0000-4000-8000-{:012}", app_n * 100_000 + i),
                        review_id: id.clone(),
                        body: "Thanks for the feedback! We're on it.".into(),
                        last_modified: rfc3339(created + Duration::hours(2)),
                        state: "PUBLISHED".into(),
                    },
                );
            }
            reviews.push(Review {
                id,
                app_id: app_id.into(),
                rating,
                title: Some(title).filter(|_| !(app_n == 0 && i == UNTITLED_REVIEW)),
                body,
                nickname: format!("reviewer{:03}", i),
                created: rfc3339(created),
                territory: TERRITORIES[i % TERRITORIES.len()].into(),
            });
        }
    }
    Data {
        apps,
        reviews,
        responses,
        next_response: 1,
    }
}

/// Pocket Notes Pro: no reviews in the seed; volume tests and benchmarks
/// give it [`bulk_reviews`].
pub const PRO_APP_ID: &str = "1234567892";

/// The id of bulk review number `i` (0 = newest), distinct from the seed's.
pub fn bulk_review_id(i: usize) -> String {
    format!("00000000-0000-4000-9000-{i:012}")
}

/// `n` made-up reviews of `app_id`, newest first, one every ten minutes
/// back from [`NEWEST`], every seventh with a published answer: volume for
/// the archive's tests and `bench/archive.sh`. Append them to
/// `Shared::data`'s reviews and responses.
pub fn bulk_reviews(app_id: &str, n: usize) -> (Vec<Review>, Vec<ResponseRecord>) {
    let mut reviews = Vec::with_capacity(n);
    let mut responses = Vec::new();
    for i in 0..n {
        let created = NEWEST - Duration::minutes(10 * i as i64 + 7);
        let (title, body) = CLEAN[i % CLEAN.len()];
        let id = bulk_review_id(i);
        if i % 7 == 3 {
            responses.push(ResponseRecord {
                id: format!("10000000-0000-4000-9000-{i:012}"),
                review_id: id.clone(),
                body: "Thank you!".into(),
                last_modified: rfc3339(created + Duration::hours(5)),
                state: "PUBLISHED".into(),
            });
        }
        reviews.push(Review {
            id,
            app_id: app_id.into(),
            rating: (i * 7 % 5 + 1) as u8,
            title: Some(title.into()),
            body: body.into(),
            nickname: format!("bulk{i}"),
            created: rfc3339(created),
            territory: TERRITORIES[i % TERRITORIES.len()].into(),
        });
    }
    (reviews, responses)
}
