//! `ascvault reviews respond --from FILE [--dry-run]`: a batch of replies
//! checked whole before anything is sent, each review re-checked just before
//! its reply goes out, safe to run again after any interruption (nothing is
//! ever sent twice), and a summary with reasons and a documented exit code.

use std::path::{Path, PathBuf};
use std::time::Duration;

use asc_standin::Fault;

use super::{APP, review};
use crate::support::ExitStatus;
use crate::support::standin::AscWorld;

const RESPONSES: &str = "/v1/customerReviewResponses";

/// `reviews draft --max N` into `replies.toml`.
#[track_caller]
fn draft(w: &AscWorld, max: usize) -> PathBuf {
    let out = w.t.path("replies.toml");
    w.cmd(&["reviews", "draft", "--app", APP, "--max", &max.to_string()])
        .arg("--out")
        .arg(&out)
        .arg("--force")
        .run()
        .success();
    out
}

/// Changes the file as a person would: `edit(records)`, written back.
fn edit(path: &Path, change: impl FnOnce(&mut Vec<toml::Value>)) {
    let mut doc: toml::Table = toml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut recs = doc["reply"].as_array().unwrap().clone();
    change(&mut recs);
    doc.insert("reply".into(), toml::Value::Array(recs));
    std::fs::write(path, toml::to_string(&doc).unwrap()).unwrap();
}

fn set(rec: &mut toml::Value, key: &str, value: &str) {
    rec.as_table_mut()
        .unwrap()
        .insert(key.into(), toml::Value::String(value.into()));
}

/// POSTs of responses the stand-in saw.
fn posts(w: &AscWorld) -> usize {
    w.server
        .requests_to(RESPONSES)
        .iter()
        .filter(|r| r.method == "POST")
        .count()
}

/// The review's response text on the stand-in, if any.
fn response_of(w: &AscWorld, id: &str) -> Option<String> {
    let data = w.server.shared().data.lock().unwrap();
    data.responses.get(id).map(|r| r.body.clone())
}

fn respond_from(w: &AscWorld, file: &Path) -> crate::support::Cmd {
    w.cmd(&["reviews", "respond", "--from"]).arg(file)
}

#[test]
fn respond_from_sends_each_reply_skips_empty_ones_and_a_rerun_sends_nothing() {
    let w = AscWorld::new();
    let file = draft(&w, 4);
    edit(&file, |recs| {
        set(
            &mut recs[0],
            "reply",
            "Sorry about the crashes: fixed in 2.4.",
        );
        set(&mut recs[2], "reply", "   ");
    });
    let out = respond_from(&w, &file).run().success().stdout();
    assert!(out.contains("sent 3, skipped 1, failed 0"), "{out}");
    assert!(out.contains("empty reply"), "{out}");
    assert_eq!(posts(&w), 3);
    assert_eq!(
        response_of(&w, &review(0)).as_deref(),
        Some("Sorry about the crashes: fixed in 2.4.")
    );
    assert!(
        response_of(&w, &review(1))
            .unwrap()
            .starts_with("Hi reviewer001,")
    );
    assert_eq!(response_of(&w, &review(2)), None);
    // Again: every review is answered now (pending), so nothing is sent.
    let v = respond_from(&w, &file).arg("--json").run().success().json();
    assert_eq!(v["sent"].as_array().unwrap().len(), 0);
    assert_eq!(v["skipped"].as_array().unwrap().len(), 4);
    assert!(
        v["skipped"][0]["reason"]
            .as_str()
            .unwrap()
            .starts_with("answered since (PENDING_PUBLISH, "),
        "{v:#}"
    );
    assert_eq!(posts(&w), 3, "nothing sent twice");
}

#[test]
fn dry_run_checks_every_review_and_sends_nothing() {
    let w = AscWorld::new();
    let file = draft(&w, 3);
    w.cmd(&[
        "reviews",
        "respond",
        &review(1),
        "--body",
        "Already answered.",
    ])
    .run()
    .success();
    let before = posts(&w);
    let out = respond_from(&w, &file)
        .arg("--dry-run")
        .run()
        .success()
        .stdout();
    assert!(out.contains("would send 2, skipped 1, failed 0"), "{out}");
    assert_eq!(posts(&w), before);
    assert_eq!(w.count("/v1/customerReviews/"), 3, "each review checked");
}

#[test]
fn a_batch_interrupted_mid_way_runs_again_without_sending_anything_twice() {
    let w = AscWorld::new();
    let file = draft(&w, 5);
    // The first two replies go through; the third is published but its
    // answer is cut off mid-way (as when the connection or the process
    // dies after Apple took it).
    w.server.shared().add_fault(
        Some("POST"),
        RESPONSES,
        Fault::Slow(Duration::from_millis(1)),
        2,
    );
    w.server
        .shared()
        .add_fault(Some("POST"), RESPONSES, Fault::Cut, 1);
    let o = respond_from(&w, &file).run();
    assert_ne!(o.code(), 0, "{}", o.describe());
    let out = o.stdout();
    let err = o.stderr();
    assert!(
        out.contains("sent 2, skipped 0, failed 1, not attempted 2"),
        "{out}"
    );
    assert!(out.contains("it may have been published"), "{out}");
    assert!(err.contains("stopped after 3 of 5 replies"), "{err}");
    assert!(err.contains("run the same command again"), "{err}");
    assert_eq!(posts(&w), 3);
    assert!(
        response_of(&w, &review(2)).is_some(),
        "Apple took the third"
    );
    // Run again: the third is answered now and skipped; the rest are sent.
    let out = respond_from(&w, &file).run().success().stdout();
    assert!(out.contains("sent 2, skipped 3, failed 0"), "{out}");
    assert_eq!(posts(&w), 5, "five reviews, five replies: none sent twice");
    for i in 0..5 {
        assert!(response_of(&w, &review(i)).is_some(), "review {i}");
    }
    assert_eq!(w.server.shared().data.lock().unwrap().next_response, 6);
}

#[test]
fn a_batch_killed_mid_way_runs_again_and_each_review_gets_one_reply() {
    let w = AscWorld::new();
    let file = draft(&w, 4);
    // Two replies go through; the third hangs on its way to Apple, and the
    // process is killed (SIGKILL: no clean-up of any kind) while it waits.
    let shared = w.server.shared();
    shared.add_fault(
        Some("POST"),
        RESPONSES,
        Fault::Slow(Duration::from_millis(1)),
        2,
    );
    shared.add_fault(
        Some("POST"),
        RESPONSES,
        Fault::Slow(Duration::from_secs(60)),
        1,
    );
    let mut running = respond_from(&w, &file).spawn();
    let start = std::time::Instant::now();
    while posts(&w) < 3 {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "the third POST never came"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    running.child.kill().unwrap();
    let killed = running.wait();
    assert_ne!(killed.code(), 0);
    shared.clear_faults();
    assert!(response_of(&w, &review(1)).is_some());
    assert_eq!(
        response_of(&w, &review(2)),
        None,
        "Apple never took the third"
    );
    let out = respond_from(&w, &file).run().success().stdout();
    assert!(out.contains("sent 2, skipped 2, failed 0"), "{out}");
    for i in 0..4 {
        assert!(response_of(&w, &review(i)).is_some(), "review {i}");
    }
    // Four reviews, four responses created: none replaced by a second send.
    assert_eq!(shared.data.lock().unwrap().next_response, 5);
}

#[test]
fn a_server_error_stops_the_batch_and_a_rate_limit_is_waited_out() {
    let w = AscWorld::new();
    let file = draft(&w, 3);
    // 429 then a normal answer: the client waits and sends again.
    w.server
        .shared()
        .add_fault(Some("POST"), RESPONSES, Fault::rate_limited(0), 1);
    w.server.shared().add_fault(
        Some("POST"),
        RESPONSES,
        Fault::Slow(Duration::from_millis(1)),
        1,
    );
    // Then a 500 for the second reply: not sent, the batch stops (exit 6).
    w.server
        .shared()
        .add_fault(Some("POST"), RESPONSES, Fault::status(500), 1);
    respond_from(&w, &file)
        .run()
        .fails(ExitStatus::Refused)
        .stderr_has("stopped after 2 of 3 replies");
    assert_eq!(response_of(&w, &review(1)), None);
    assert!(response_of(&w, &review(0)).is_some());
    let out = respond_from(&w, &file).run().success().stdout();
    assert!(out.contains("sent 2, skipped 1, failed 0"), "{out}");
}

#[test]
fn a_review_answered_since_the_draft_is_skipped_and_its_answer_kept() {
    let w = AscWorld::new();
    let file = draft(&w, 2);
    w.cmd(&[
        "reviews",
        "respond",
        &review(0),
        "--body",
        "A colleague's answer.",
    ])
    .run()
    .success();
    let out = respond_from(&w, &file).run().success().stdout();
    assert!(out.contains("sent 1, skipped 1, failed 0"), "{out}");
    assert!(out.contains("answered since (PENDING_PUBLISH"), "{out}");
    assert_eq!(
        response_of(&w, &review(0)).as_deref(),
        Some("A colleague's answer.")
    );
}

#[test]
fn a_review_that_is_gone_fails_alone_and_the_others_are_sent() {
    let w = AscWorld::new();
    let file = draft(&w, 3);
    edit(&file, |recs| {
        set(
            &mut recs[1],
            "review_id",
            "00000000-0000-4000-8000-999999999999",
        );
    });
    let o = respond_from(&w, &file).arg("--json").run();
    let v = o.json();
    o.fails(ExitStatus::Refused).stderr_has("1 reply not sent");
    assert_eq!(v["sent"].as_array().unwrap().len(), 2);
    assert_eq!(
        v["failed"][0]["review_id"],
        "00000000-0000-4000-8000-999999999999"
    );
    assert!(
        v["failed"][0]["reason"].as_str().unwrap().contains("404"),
        "{v:#}"
    );
}

#[test]
fn the_whole_file_is_checked_before_anything_is_sent() {
    let w = AscWorld::new();
    let file = draft(&w, 4);
    edit(&file, |recs| {
        set(&mut recs[0], "reply", &"x".repeat(5971));
        let dup = recs[1].clone();
        recs.push(dup);
        set(&mut recs[2], "review_id", "../../v1/apps");
    });
    let before = w.count("/v1/");
    respond_from(&w, &file)
        .run()
        .fails(ExitStatus::Usage)
        .stderr_has("has 5971 characters; App Store Connect takes at most 5970")
        .stderr_has("is listed twice")
        .stderr_has("is not a valid id")
        .stderr_has("3 problems; nothing sent");
    assert_eq!(w.count("/v1/"), before, "not one request");
    // Exactly 5,970 characters is fine.
    edit(&file, |recs| {
        set(&mut recs[0], "reply", &"é".repeat(5970));
        recs.truncate(2);
    });
    respond_from(&w, &file).run().success().stdout_has("sent 2");
    assert_eq!(response_of(&w, &review(0)).unwrap().chars().count(), 5970);
}

#[test]
fn a_file_that_is_not_a_replies_file_is_refused() {
    let w = AscWorld::new();
    let file = w.t.path("replies.toml");
    std::fs::write(
        &file,
        "format = 1\n[[reply]]\nreview_id = \"00000000-0000-4000-8000-000000000000\"\nreplay = \"typo\"\n",
    )
    .unwrap();
    respond_from(&w, &file)
        .run()
        .fails(ExitStatus::Usage)
        .stderr_has("is not a replies file")
        .stderr_has("replay");
    std::fs::write(&file, "format = 9\n").unwrap();
    respond_from(&w, &file)
        .run()
        .fails(ExitStatus::Usage)
        .stderr_has("format 9");
    // --from takes no review id, --dry-run needs --from.
    w.cmd(&["reviews", "respond", &review(0), "--from", "x.toml"])
        .run()
        .exits(ExitStatus::Usage);
    w.cmd(&["reviews", "respond", &review(0), "--body", "x", "--dry-run"])
        .run()
        .exits(ExitStatus::Usage);
    assert_eq!(w.count("/v1/"), 0);
}
