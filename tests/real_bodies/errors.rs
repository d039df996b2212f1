//! Error bodies public clients recorded from App Store Connect
//! (`recorded/error_403_codemagic.json`, `…404…`, `…409…`) served through
//! the stand-in, and what ascvault prints for each, with its exit code. The
//! expected text is read from the bodies themselves: none of it is copied.

use asc_standin::Fault;
use asc_standin::metrics::BUILD_ID;
use serde_json::Value;

use crate::support::standin::AscWorld;
use crate::support::{ExitStatus, real};

const APP: &str = asc_standin::seed::NOTES_APP_ID;

/// A recorded body served as Apple's answer with this status.
fn answer(status: u16, body: &Value) -> Fault {
    Fault::json_status(status, body)
}

#[test]
fn a_403_for_a_missing_agreement_gets_the_agreement_advice_in_every_command() {
    let Some(doc) = real::json("recorded/error_403_codemagic.json") else {
        return;
    };
    let error = &doc["errors"][0];
    let code = error["code"].as_str().unwrap();
    let see = error["links"]["see"].as_str().unwrap();
    let w = AscWorld::new();
    w.server.fault("/v1/", answer(403, &doc), u32::MAX);
    let commands: [&[&str]; 4] = [
        &["apps"],
        &["reviews", "list", "--app", APP],
        &["metrics", "perf", "--build", BUILD_ID],
        &["metrics", "reports", "--app", APP],
    ];
    for args in commands {
        let out = w.cmd(args).run();
        let stderr = out.stderr();
        out.fails(ExitStatus::Refused)
            .stderr_has(&format!("403 {code}: "))
            .stderr_has(error["detail"].as_str().unwrap())
            .stderr_has(&format!("(see {see})"))
            .stderr_has("hint: a required agreement is missing or has expired");
        assert!(
            !stderr.contains("lacks access"),
            "{args:?} blames the key's role:\n{stderr}"
        );
    }
}

#[test]
fn a_404_names_what_apple_did_not_find() {
    let Some(doc) = real::json("recorded/error_404_codemagic.json") else {
        return;
    };
    let detail = doc["errors"][0]["detail"].as_str().unwrap();
    // "There is no resource of type 'KIND' with id '…'": the kind, as
    // Apple names it, is what the hint speaks of.
    let kind = detail.split('\'').nth(1).unwrap();
    let w = AscWorld::new();
    let id = asc_standin::seed::review_id(0, 1);
    w.server
        .fault(&format!("/v1/customerReviews/{id}"), answer(404, &doc), 1);
    w.cmd(&["reviews", "show", &id])
        .run()
        .fails(ExitStatus::Refused)
        .stderr_has("404 NOT_FOUND: ")
        .stderr_has(detail)
        .stderr_has(&format!(
            "hint: App Store Connect has no {kind} with that id; check it"
        ));
    assert_eq!(w.count("/v1/customerReviews/"), 1, "a 404 is not retried");
}

#[test]
fn a_409_shows_apples_associated_errors() {
    let Some(doc) = real::json("recorded/error_409_codemagic.json") else {
        return;
    };
    let error = &doc["errors"][0];
    let w = AscWorld::new();
    w.server
        .fault("/v1/customerReviewResponses", answer(409, &doc), 1);
    let out = w
        .cmd(&[
            "reviews",
            "respond",
            &asc_standin::seed::review_id(0, 1),
            "--body",
            "Thanks",
        ])
        .run();
    let stderr = out.stderr();
    out.fails(ExitStatus::Refused)
        .stderr_has(&format!("409 {}: ", error["code"].as_str().unwrap()))
        .stderr_has("; associated errors: ");
    let associated = error["meta"]["associatedErrors"].as_object().unwrap();
    let mut shown = 0;
    for (resource, errors) in associated {
        for e in errors.as_array().unwrap() {
            let line = format!(
                "{resource}: {}: {}",
                e["code"].as_str().unwrap(),
                e["detail"].as_str().unwrap()
            );
            assert!(stderr.contains(&line), "lacks {line:?}:\n{stderr}");
            shown += 1;
        }
    }
    assert!(shown >= 2, "the recorded body lists several");
    assert_eq!(
        w.count("/v1/customerReviewResponses"),
        1,
        "a 409 on a POST is not retried"
    );
}
