//! `ascvault reviews show`, `respond` and `delete-response`: the state
//! they leave on Apple's side, and server text made safe for a terminal.

use super::review;
use crate::support::ExitStatus;
use crate::support::standin::AscWorld;

#[test]
fn respond_show_and_delete_response_keep_state() {
    let w = AscWorld::new();
    let id = review(1);
    w.cmd(&["reviews", "show", &id])
        .run()
        .success()
        .stdout_has("Contact me at")
        .stdout_has("no developer response");
    w.cmd(&[
        "reviews",
        "respond",
        &id,
        "--body",
        "Sorry! Please write to support.",
    ])
    .run()
    .success()
    .stdout_has("PENDING_PUBLISH");
    let v = w
        .cmd(&["reviews", "show", &id, "--json"])
        .run()
        .success()
        .json();
    assert_eq!(v["response"]["body"], "Sorry! Please write to support.");
    assert_eq!(v["response"]["state"], "PENDING_PUBLISH");
    let first = v["response"]["id"].as_str().unwrap().to_owned();
    // A second response replaces the first: Apple keeps one per review.
    let file = w.t.path("reply.txt");
    std::fs::write(&file, "Fixed in 2.4, thanks.\n").unwrap();
    let v = w
        .cmd(&[
            "reviews",
            "respond",
            &id,
            "--body-file",
            file.to_str().unwrap(),
            "--json",
        ])
        .run()
        .success()
        .json();
    assert_eq!(v["body"], "Fixed in 2.4, thanks.");
    assert_eq!(v["review_id"], id.as_str());
    assert_ne!(v["id"], first.as_str());
    let v = w
        .cmd(&["reviews", "show", &id, "--json"])
        .run()
        .success()
        .json();
    assert_eq!(v["response"]["body"], "Fixed in 2.4, thanks.");
    w.cmd(&["reviews", "delete-response", &id])
        .run()
        .success()
        .stderr_has("deleted response");
    let v = w
        .cmd(&["reviews", "show", &id, "--json"])
        .run()
        .success()
        .json();
    assert!(v["response"].is_null());
    w.cmd(&["reviews", "delete-response", &id])
        .run()
        .fails(ExitStatus::Failure)
        .stderr_has("has no developer response");
}

#[test]
fn respond_needs_a_body() {
    let w = AscWorld::new();
    w.cmd(&["reviews", "respond", &review(1)])
        .run()
        .fails(ExitStatus::Usage);
    w.cmd(&["reviews", "respond", &review(1), "--body", "   "])
        .run()
        .fails(ExitStatus::Usage)
        .stderr_has("empty");
    let long = "x".repeat(5971);
    w.cmd(&["reviews", "respond", &review(1), "--body", &long])
        .run()
        .fails(ExitStatus::Usage)
        .stderr_has("5970");
    assert_eq!(w.count("/v1/customerReviewResponses"), 0);
}

#[test]
fn server_text_is_sanitized_before_the_terminal() {
    let w = AscWorld::new();
    let id = review(2);
    w.cmd(&["reviews", "respond", &id, "--body", "hi \u{1b}[2Jthere"])
        .run()
        .success();
    let out = w.cmd(&["reviews", "show", &id]).run().success().stdout();
    assert!(out.contains("hi  [2Jthere"), "{out}");
    assert!(!out.contains('\u{1b}'));
}
