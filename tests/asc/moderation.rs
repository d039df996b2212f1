//! `ascvault reviews flag` (each reason named) and `reviews report` (the
//! page, the review and the text to paste, since the API cannot file it).

use asc_standin::seed;

use super::{APP, BUNDLE, review};
use crate::support::ExitStatus;
use crate::support::standin::AscWorld;

#[test]
fn flag_names_each_reason() {
    let w = AscWorld::new();
    let v = w
        .cmd(&[
            "reviews",
            "flag",
            "--app",
            APP,
            "--max",
            "40",
            "--competitor",
            "Rival Notes",
            "--json",
        ])
        .run()
        .success()
        .json();
    let rows = v.as_array().unwrap();
    let mut got: Vec<(String, String)> = Vec::new();
    for r in rows {
        for f in r["findings"].as_array().unwrap() {
            assert!(!f["detail"].as_str().unwrap().is_empty());
            got.push((
                r["review"]["id"].as_str().unwrap().to_owned(),
                f["reason"].as_str().unwrap().to_owned(),
            ));
        }
    }
    let expected: Vec<(String, String)> = seed::FLAGGED
        .iter()
        .enumerate()
        .map(|(i, (_, _, reason))| (review(i), reason.to_string()))
        .collect();
    assert_eq!(
        got, expected,
        "only the seeded reviews, each with its reason"
    );
    // Without --competitor, that review is not flagged.
    let v = w
        .cmd(&["reviews", "flag", "--app", APP, "--max", "40", "--json"])
        .run()
        .success()
        .json();
    assert!(
        v.as_array()
            .unwrap()
            .iter()
            .all(|r| r["review"]["id"] != review(3))
    );
    w.cmd(&["reviews", "flag", "--app", APP, "--max", "10"])
        .run()
        .success()
        .stdout_has("personal-info")
        .stderr_has("6 of 10 reviews flagged");
}

#[test]
fn report_print_gives_the_page_the_review_and_the_text_to_paste() {
    let w = AscWorld::new();
    let id = review(2);
    w.cmd(&[
        "reviews",
        "report",
        &id,
        "--app",
        BUNDLE,
        "--reason",
        "spam",
        "--details",
        "Advertises another site.",
        "--print",
    ])
    .run()
    .success()
    .stderr_has("cannot file a concern")
    .stdout_has(&format!(
        "https://appstoreconnect.apple.com/apps/{APP}/distribution/activity/ios/ratingsResponses"
    ))
    .stdout_has(&id)
    .stdout_has("reviewer002")
    .stdout_has("spam or advertising")
    .stdout_has("Advertises another site.");
    // Nothing was posted: the API has no way to file it.
    assert!(w.server.requests().iter().all(|r| r.method == "GET"));
}

#[test]
fn report_needs_app_when_the_key_sees_several() {
    let w = AscWorld::new();
    w.cmd(&[
        "reviews",
        "report",
        &review(0),
        "--reason",
        "offensive",
        "--print",
    ])
    .run()
    .fails(ExitStatus::Usage)
    .stderr_is(concat!(
        "error: this key sees 3 apps: say which one the review belongs to\n",
        "hint: pass --app APP (id or bundle id); the API links no review to its app\n",
    ));
    w.cmd(&[
        "reviews",
        "report",
        "not/an/id",
        "--app",
        APP,
        "--reason",
        "other",
        "--print",
    ])
    .run()
    .fails(ExitStatus::Usage);
}
