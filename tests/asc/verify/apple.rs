//! `verify` reading Apple's answers as Apple sends them (issue 12): the
//! sign-in reply without `Success`, sign-in codes that are not about the
//! password, a 401 that cannot tell a revoked key from a mistyped issuer id
//! (confirmed at a terminal before `--mark-revoked` revokes it), a clock far
//! off told by the 401's `Date`, and the 403 for agreements to accept.

use std::time::{Duration, SystemTime};

use asc_standin::Fault;
use serde_json::{Value, json};

use super::labelled;
use crate::support::standin::AscWorld;
use crate::support::{ExitStatus, PASSPHRASE};

const SIGN_IN: &str = ascvault::asc::verify::SIGN_IN_PATH;

/// A world whose sign-in service answers `result` (HTTP 200, JSON-RPC).
fn sign_in_answers(w: &AscWorld, reply: Value) {
    w.server.fault(SIGN_IN, Fault::json(&reply), u32::MAX);
}

#[test]
fn a_sign_in_reply_with_a_session_and_no_success_key_is_valid() {
    // The public clients of this call count SessionId + SharedSecret as
    // success and never read `Success`: today's main says "unreachable".
    let w = AscWorld::new();
    w.add_password_apple_accepts("good");
    w.server.fault(
        SIGN_IN,
        Fault::json(&json!({"id": "1", "jsonrpc": "2.0", "result": {"SessionId": "abc", "SharedSecret": "def"}})),
        1,
    );
    let v = w.cmd(&["verify", "good", "--json"]).run().success().json();
    assert_eq!(labelled(&v, "good")["result"], "valid");
    // And the stand-in's own success has no `Success` key either.
    w.cmd(&["verify", "good"])
        .run()
        .success()
        .stdout_has("valid");
}

#[test]
fn sign_in_codes_that_are_not_about_the_password_are_never_revoked() {
    // −22014/−22020 (the account cannot have a session) and a JSON-RPC
    // "method not found" say nothing about the password; today's main calls
    // them "rejected" and --mark-revoked revokes the password for good.
    for reply in [
        json!({"result": {"Success": false, "ErrorCode": -22014, "ErrorMessage": "Unable to create a session."}}),
        json!({"result": {"ErrorCode": "-22020", "ErrorMessage": "Account problem."}}),
        json!({"jsonrpc": "2.0", "error": {"code": -32601, "message": "Method not found"}}),
    ] {
        let w = AscWorld::new();
        w.add_password_apple_accepts("good");
        sign_in_answers(&w, reply.clone());
        let before = w.t.vault_bytes();
        let v = w
            .cmd(&["verify", "--json", "--mark-revoked"])
            .run()
            .fails(ExitStatus::Network)
            .json();
        let good = labelled(&v, "good");
        assert_eq!(good["result"], "unreachable", "{reply}");
        assert_eq!(good["marked_revoked"], false);
        assert_eq!(w.t.vault_bytes(), before, "nothing marked for {reply}");
    }
}

#[test]
fn credential_codes_reject_with_or_without_success() {
    for result in [
        json!({"ErrorCode": -20101, "ErrorMessage": "Your Apple ID or password was entered incorrectly. (-20101)"}),
        json!({"Success": false, "ErrorCode": -22910, "ErrorMessage": "Use an app-specific password. (-22910)"}),
    ] {
        let w = AscWorld::new();
        w.add_password_apple_accepts("pw");
        sign_in_answers(&w, json!({ "result": result }));
        let v = w
            .cmd(&["verify", "pw", "--json"])
            .run()
            .fails(ExitStatus::Refused)
            .json();
        assert_eq!(labelled(&v, "pw")["result"], "rejected", "{result}");
    }
}

#[test]
fn the_sign_in_call_sends_an_upload_tools_user_agent() {
    let w = AscWorld::new();
    w.add_password_apple_accepts("good");
    w.cmd(&["verify", "good"]).run().success();
    let sent = w.server.requests_to(SIGN_IN);
    assert_eq!(sent.len(), 1);
    let ua = sent[0].user_agent.clone().unwrap_or_default();
    assert!(ua.starts_with("iTMSTransporter/"), "{ua}");
}

/// A world with one more API key, `typo`: the fixture key under an issuer
/// id one character off, which Apple answers with 401 `NOT_AUTHORIZED`.
fn world_with_a_mistyped_issuer() -> AscWorld {
    let w = AscWorld::new();
    let p8 = crate::support::fixtures().join("keys/AuthKey_TESTKEY001.p8");
    w.t.cmd(&[
        "add",
        "api-key",
        "typo",
        "--key-id",
        "TESTKEY001",
        "--issuer-id",
        "57246542-96fe-1a63-e053-0824d011072b",
        "--private-key",
        p8.to_str().unwrap(),
    ])
    .run()
    .success();
    w
}

#[test]
fn a_401_for_an_api_key_is_not_accepted_and_never_suggests_mark_revoked() {
    let w = world_with_a_mistyped_issuer();
    let out = w
        .cmd(&["verify", "--json"])
        .run()
        .fails(ExitStatus::Refused);
    let v = out.json();
    let typo = labelled(&v, "typo");
    assert_eq!(typo["result"], "not_accepted");
    assert_eq!(typo["code"], "NOT_AUTHORIZED");
    assert!(
        typo["message"]
            .as_str()
            .unwrap()
            .starts_with("wrong key id or issuer id, or revoked at Apple"),
        "{typo}"
    );
    assert_eq!(labelled(&v, "asc")["result"], "valid");
    assert!(!out.stderr().contains("--mark-revoked"), "{}", out.stderr());
    out.stderr_has("issuer id");
    w.cmd(&["verify", "typo"])
        .run()
        .fails(ExitStatus::Refused)
        .stdout_has("not accepted");
}

#[test]
fn mark_revoked_refuses_without_a_terminal_and_revokes_with_yes() {
    let w = world_with_a_mistyped_issuer();
    let before = w.t.vault_bytes();
    w.cmd(&["verify", "--mark-revoked"])
        .run()
        .fails(ExitStatus::Usage)
        .stderr_has("--yes")
        .stdout_has("not accepted");
    assert_eq!(w.t.vault_bytes(), before, "nothing marked without asking");
    let v = w
        .cmd(&["verify", "--mark-revoked", "--yes", "--json"])
        .run()
        .fails(ExitStatus::Refused)
        .json();
    assert_eq!(labelled(&v, "typo")["marked_revoked"], true);
    let list = w.t.cmd(&["list", "--all", "--json"]).run().success().json();
    let typo = labelled(&list, "typo");
    assert_eq!(typo["revoked"], true);
    let note = typo["note"].as_str().unwrap();
    assert!(
        note.starts_with("Apple did not accept it (confirmed revoked) on 20"),
        "{note}"
    );
    assert_eq!(labelled(&list, "asc")["revoked"], false);
}

#[cfg(unix)]
#[test]
fn mark_revoked_asks_at_a_terminal_for_each_key_apple_did_not_accept() {
    use crate::support::pty::{ascvault, exit_status, spawn};
    let w = world_with_a_mistyped_issuer();
    let run = |answer: &str| {
        let mut c = ascvault(w.t.dir.path(), &w.t.vault());
        c.env("ASCVAULT_PASSPHRASE", PASSPHRASE)
            .env("ASCVAULT_API_BASE", w.server.url())
            .env("ASCVAULT_CONTENT_DELIVERY_BASE", w.server.url())
            .args(["verify", "--mark-revoked"]);
        let mut p = spawn(c);
        p.exp_string("Mark it revoked for good? [y/N]").unwrap();
        p.send_line(answer).unwrap();
        let rest = p.exp_eof().unwrap();
        (exit_status(&mut p), rest)
    };
    let (status, rest) = run("n");
    assert_eq!(status, ExitStatus::Refused, "{rest}");
    let list = w.t.cmd(&["list", "--all", "--json"]).run().success().json();
    assert_eq!(labelled(&list, "typo")["revoked"], false, "answered no");
    let (status, rest) = run("y");
    assert_eq!(status, ExitStatus::Refused, "{rest}");
    assert!(rest.contains("not accepted (marked revoked)"), "{rest}");
    let list = w.t.cmd(&["list", "--all", "--json"]).run().success().json();
    assert_eq!(labelled(&list, "typo")["revoked"], true, "answered yes");
}

/// Apple's 401 body for a token it does not take.
fn not_authorized() -> Vec<u8> {
    json!({"errors": [{
        "id": "1b6c3a2e-0000-0000-0000-000000000000",
        "status": "401",
        "code": "NOT_AUTHORIZED",
        "title": "Authentication credentials are missing or invalid.",
        "detail": "Provide a properly configured and signed bearer token, and make sure that it has not expired."
    }]})
    .to_string()
    .into_bytes()
}

#[test]
fn a_401_dated_far_from_our_clock_says_the_clock_is_off() {
    // Apple's clock two hours behind ours: our token's iat is in its future.
    let w = AscWorld::new();
    let apple_now = SystemTime::now() - Duration::from_secs(2 * 3600);
    w.server.fault(
        "/v1/apps",
        Fault::Answer {
            status: 401,
            headers: vec![
                ("content-type".into(), "application/json".into()),
                ("date".into(), httpdate::fmt_http_date(apple_now)),
            ],
            body: not_authorized(),
        },
        u32::MAX,
    );
    let out = w
        .cmd(&["verify", "--json", "--mark-revoked"])
        .run()
        .fails(ExitStatus::Failure);
    let v = out.json();
    let asc = labelled(&v, "asc");
    assert_eq!(asc["result"], "clock_off");
    assert!(
        asc["message"]
            .as_str()
            .unwrap()
            .contains("2 h ahead of Apple's"),
        "{asc}"
    );
    assert_eq!(asc["marked_revoked"], false);
    out.stderr_has("clock");
    // The same 401 dated now is the ambiguous one.
    let w = AscWorld::new();
    w.server.fault(
        "/v1/apps",
        Fault::Answer {
            status: 401,
            headers: vec![
                ("content-type".into(), "application/json".into()),
                ("date".into(), httpdate::fmt_http_date(SystemTime::now())),
            ],
            body: not_authorized(),
        },
        u32::MAX,
    );
    let v = w
        .cmd(&["verify", "--json"])
        .run()
        .fails(ExitStatus::Refused)
        .json();
    assert_eq!(labelled(&v, "asc")["result"], "not_accepted");
}

#[test]
fn a_403_for_agreements_says_so_and_shows_the_link() {
    // codemagic's recorded 403 when present, else one of the same shape.
    let body =
        crate::support::real::json("recorded/error_403_codemagic.json").unwrap_or_else(|| {
            json!({"errors": [{
                "status": "403",
                "code": "FORBIDDEN.REQUIRED_AGREEMENTS_MISSING_OR_EXPIRED",
                "title": "Stand-in: agreements to accept.",
                "links": {"see": "https://appstoreconnect.apple.com/agreements"}
            }]})
        });
    let see = body["errors"][0]["links"]["see"]
        .as_str()
        .expect("links.see")
        .to_owned();
    let w = AscWorld::new();
    w.server.fault(
        "/v1/apps",
        Fault::Answer {
            status: 403,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.to_string().into_bytes(),
        },
        u32::MAX,
    );
    let v = w.cmd(&["verify", "--json"]).run().success().json();
    let asc = labelled(&v, "asc");
    assert_eq!(asc["result"], "valid");
    let message = asc["message"].as_str().unwrap();
    assert!(message.contains("agreements"), "{message}");
    assert!(message.contains(&see), "{message}");
    assert!(!message.contains("role"), "{message}");
}
