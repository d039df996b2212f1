//! The client's behaviour when Apple misbehaves or is away: which statuses
//! are refusals and the advice each gets (a 403 by Apple's code, a 404 by
//! the kind of id, a 400's parameter, a 409's associated errors), what is
//! retried and how often (429 after Retry-After for any method, 500 and a
//! dropped connection never for a POST), timeouts, plain http, the
//! rate-limit warning, and no secret in any output on the way.

use std::time::{Duration, Instant};

use asc_standin::Fault;
use serde_json::Value;

use super::{APP, REVIEWS_PATH, review};
use crate::support::ExitStatus;
use crate::support::standin::{AscWorld, closed_port};

#[test]
fn a_403_says_the_role_lacks_access() {
    let w = AscWorld::new();
    w.server.fault(REVIEWS_PATH, Fault::status(403), u32::MAX);
    w.cmd(&["reviews", "list", "--app", APP])
        .run()
        .fails(ExitStatus::Refused)
        .stderr_is(
            "error: App Store Connect refused GET /v1/apps/1234567890/customerReviews: 403 FORBIDDEN_ERROR: This request is forbidden for security reasons — The API key in use does not allow this request\n\
             hint: the key's role lacks access to this; an Admin, App Manager or Customer Support key can work with reviews\n"
        );
    assert_eq!(w.count(REVIEWS_PATH), 1, "a 403 is not retried");
}

#[test]
fn a_404_is_a_refusal() {
    let w = AscWorld::new();
    w.cmd(&["reviews", "show", "00000000-0000-4000-8000-999999999999"])
        .run()
        .fails(ExitStatus::Refused)
        .stderr_is(
            "error: App Store Connect refused GET /v1/customerReviews/00000000-0000-4000-8000-999999999999: 404 NOT_FOUND: The specified resource does not exist — There is no resource of type 'customerReviews' with id '00000000-0000-4000-8000-999999999999'\n\
             hint: check the review id; `ascvault reviews list --app APP` shows the ids of an app's reviews\n"
        );
    w.cmd(&[
        "reviews",
        "respond",
        "00000000-0000-4000-8000-999999999999",
        "--body",
        "Thanks",
    ])
    .run()
    .fails(ExitStatus::Refused)
    .stderr_has("hint: check the review id");
    w.cmd(&["reviews", "list", "--app", "999"])
        .run()
        .fails(ExitStatus::Refused)
        .stderr_has("404")
        .stderr_has("hint: check the app id; `ascvault apps` lists the apps this key can see\n");
}

#[test]
fn an_unknown_build_id_gets_a_hint_about_build_ids() {
    let w = AscWorld::new();
    let out = w.metrics(&["perf", "--build", "nope"]).run();
    assert!(!out.stderr().contains("ascvault apps"), "{}", out.stderr());
    out.fails(ExitStatus::Refused).stderr_has(
        "hint: check the build id: App Store Connect's id of the build, not its version or build number; `ascvault metrics builds --app APP` lists them\n",
    );
}

#[test]
fn a_403_for_a_missing_agreement_does_not_blame_the_role() {
    let w = AscWorld::new();
    w.server
        .fault("/v1/", Fault::agreements_missing(), u32::MAX);
    w.cmd(&["reviews", "list", "--app", APP])
        .run()
        .fails(ExitStatus::Refused)
        .stderr_is(
            "error: App Store Connect refused GET /v1/apps/1234567890: 403 FORBIDDEN.REQUIRED_AGREEMENTS_MISSING_OR_EXPIRED: A required agreement is missing or has expired. — This request requires an in-effect agreement that has not been signed or has expired. (see /agreements)\n\
             hint: a required agreement is missing or has expired: the Account Holder must accept it in App Store Connect (Business → Agreements); until then no key works, whatever its role\n"
        );
    // The metrics commands replace only the role hint.
    w.metrics(&["reports", "--app", APP])
        .run()
        .fails(ExitStatus::Refused)
        .stderr_has("hint: a required agreement is missing or has expired");
    // A 403 with a code that is neither says so, without blaming the role.
    w.server.shared().clear_faults();
    let body =
        asc_standin::apple::error_body(403, "FORBIDDEN.OTHER", "T", "D", serde_json::json!({}));
    w.server
        .fault("/v1/", Fault::json_status(403, &body), u32::MAX);
    w.metrics(&["perf", "--build", "b"])
        .run()
        .fails(ExitStatus::Refused)
        .stderr_has("hint: App Store Connect forbids this for a reason other than the key's role");
}

#[test]
fn a_400_names_the_parameter_and_apples_links() {
    let w = AscWorld::new();
    // The stand-in says which parameter, as Apple does.
    let (status, body) = crate::support::standin::api_get(
        &w.server,
        "/v1/apps/1234567890/customerReviews?limit=500",
        "application/json",
    );
    assert_eq!(status, 400);
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["errors"][0]["source"]["parameter"], "limit");
    let body = asc_standin::apple::error_body(
        400,
        "PARAMETER_ERROR.INVALID",
        "A parameter has an invalid value",
        "not allowed here",
        serde_json::json!({"source": {"parameter": "filter[territory]"}}),
    );
    w.server
        .fault(REVIEWS_PATH, Fault::json_status(400, &body), 1);
    w.cmd(&["reviews", "list", "--app", APP])
        .run()
        .fails(ExitStatus::Refused)
        .stderr_is(
            "error: App Store Connect refused GET /v1/apps/1234567890/customerReviews: 400 PARAMETER_ERROR.INVALID: A parameter has an invalid value — not allowed here (parameter filter[territory])\n",
        );
}

#[test]
fn associated_errors_are_shown_capped_and_sanitized() {
    let w = AscWorld::new();
    let items: Vec<Value> = (0..8)
        .map(|i| {
            serde_json::json!({"code": format!("ENTITY_ERROR.{i}"), "title": "t",
                "detail": format!("field {i} \u{1b}]52;c;SGk=\u{7}\u{202e}txt")})
        })
        .collect();
    let body = asc_standin::apple::error_body(
        409,
        "STATE_ERROR",
        "Not in a valid state \u{1b}[2J",
        "see the associated errors",
        serde_json::json!({"meta": {"associatedErrors": {"/v1/things/1\u{9b}31m": items}}}),
    );
    w.server.fault(
        "/v1/customerReviewResponses",
        Fault::json_status(409, &body),
        1,
    );
    let out = w
        .cmd(&["reviews", "respond", &review(4), "--body", "Thanks"])
        .run();
    let stderr = out.stderr();
    for bad in ['\u{1b}', '\u{7}', '\u{9b}', '\u{202e}'] {
        assert!(
            !stderr.contains(bad),
            "{bad:?} reached the terminal: {stderr:?}"
        );
    }
    out.fails(ExitStatus::Refused)
        .stderr_has("409 STATE_ERROR: Not in a valid state  [2J — see the associated errors; associated errors: /v1/things/1 31m: ENTITY_ERROR.0: field 0  ]52;c;SGk= txt; ")
        .stderr_has("ENTITY_ERROR.4: field 4")
        .stderr_has("; and 3 more\n");
    assert!(!stderr.contains("ENTITY_ERROR.5"), "{stderr}");
}

#[test]
fn a_429_is_retried_after_retry_after() {
    let w = AscWorld::new();
    w.server.fault("/v1/apps", Fault::rate_limited(1), 1);
    w.cmd(&["apps"]).run().success().stdout_has("Pocket Notes");
    let reqs = w.server.requests_to("/v1/apps");
    assert_eq!(reqs.len(), 2);
    let gap = reqs[1].at.duration_since(reqs[0].at);
    assert!(gap >= Duration::from_millis(950), "waited only {gap:?}");
}

#[test]
fn a_500_once_is_retried() {
    let w = AscWorld::new();
    w.server.fault(REVIEWS_PATH, Fault::status(500), 1);
    w.cmd(&["-v", "reviews", "list", "--app", APP, "--max", "1"])
        .run()
        .success()
        .stderr_has("retrying");
    assert_eq!(w.count(REVIEWS_PATH), 2);
}

#[test]
fn a_500_forever_gives_up_after_a_few_tries() {
    let w = AscWorld::new();
    w.server.fault("/v1/apps", Fault::status(500), u32::MAX);
    w.cmd(&["apps"])
        .run()
        .fails(ExitStatus::Refused)
        .stderr_is(
            "error: App Store Connect refused GET /v1/apps: 500 UNEXPECTED_ERROR: An unexpected error occurred. — The server encountered an unexpected error. Please try again later.\n\
             hint: App Store Connect is failing; try again later\n"
        );
    assert_eq!(w.count("/v1/apps"), 4, "the first try and three retries");
}

#[test]
fn a_429_on_a_post_is_retried_after_retry_after() {
    // Apple did not process a request it answered 429: sending the
    // response again cannot post it twice.
    let w = AscWorld::new();
    let id = review(3);
    w.server
        .fault("/v1/customerReviewResponses", Fault::rate_limited(1), 1);
    w.cmd(&["reviews", "respond", &id, "--body", "Thanks"])
        .run()
        .success()
        .stdout_has("PENDING_PUBLISH");
    let reqs = w.server.requests_to("/v1/customerReviewResponses");
    assert_eq!(reqs.len(), 2);
    let gap = reqs[1].at.duration_since(reqs[0].at);
    assert!(gap >= Duration::from_millis(950), "waited only {gap:?}");
    let v = w
        .cmd(&["reviews", "show", &id, "--json"])
        .run()
        .success()
        .json();
    assert_eq!(v["response"]["body"], "Thanks");
}

#[test]
fn a_429_on_a_post_is_retried_within_the_retry_limit() {
    let w = AscWorld::new();
    w.server
        .fault("/v1/customerReviewResponses", Fault::status(429), u32::MAX);
    w.cmd(&["reviews", "respond", &review(3), "--body", "Thanks"])
        .run()
        .fails(ExitStatus::Refused)
        .stderr_has("429 RATE_LIMIT_EXCEEDED")
        .stderr_has("hint: the hourly request allowance is spent; wait and try again");
    assert_eq!(
        w.count("/v1/customerReviewResponses"),
        4,
        "the first try and three retries"
    );
}

#[test]
fn a_post_is_not_retried() {
    let w = AscWorld::new();
    w.server
        .fault("/v1/customerReviewResponses", Fault::status(500), 1);
    w.cmd(&["reviews", "respond", &review(3), "--body", "Thanks"])
        .run()
        .fails(ExitStatus::Refused)
        .stderr_has("500");
    assert_eq!(w.count("/v1/customerReviewResponses"), 1);
}

#[test]
fn a_connection_closed_without_an_answer_is_retried() {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        // First connection: read the request, then hang up without a word.
        let (mut s, _) = listener.accept().unwrap();
        let _ = s.read(&mut buf);
        drop(s);
        let (mut s, _) = listener.accept().unwrap();
        let _ = s.read(&mut buf);
        let body = r#"{"ok":true}"#;
        write!(
            s,
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
    });
    let settings = ascvault::asc::Settings {
        retry_base: Duration::from_millis(5),
        ..Default::default()
    };
    let transport = ascvault::asc::Transport::new(settings, None).unwrap();
    let url = reqwest::Url::parse(&format!("http://127.0.0.1:{port}/v1/apps")).unwrap();
    let reply = transport
        .execute(reqwest::Method::GET, url, None, true, None)
        .unwrap();
    assert_eq!(reply.body, br#"{"ok":true}"#);
    server.join().unwrap();
}

#[test]
fn an_answer_cut_off_midway_is_retried() {
    // The body is read through the size cap (issue 11): a reset while
    // reading it is still a dropped connection, retried.
    let w = AscWorld::new();
    w.server.fault("/v1/apps", Fault::Cut, 1);
    w.cmd(&["apps"]).run().success().stdout_has("Pocket Notes");
    assert_eq!(w.count("/v1/apps"), 2);
}

#[test]
fn malformed_json_names_where_it_broke() {
    let w = AscWorld::new();
    w.server.fault("/v1/apps", Fault::Malformed, 1);
    w.cmd(&["apps"])
        .run()
        .fails(ExitStatus::Failure)
        .stderr_has("unexpected answer to GET /v1/apps");
}

#[test]
fn a_slow_server_times_out_as_a_network_failure() {
    let w = AscWorld::new();
    w.server
        .fault("/v1/apps", Fault::Slow(Duration::from_secs(5)), 1);
    let start = Instant::now();
    w.cmd(&["apps", "--timeout", "0.5"])
        .run()
        .fails(ExitStatus::Network)
        .stderr_has("hint: no answer within --timeout");
    assert!(
        start.elapsed() < Duration::from_secs(4),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn no_server_is_a_network_failure_after_retries() {
    let w = AscWorld::new();
    let port = closed_port();
    w.cmd(&["apps"])
        .env("ASCVAULT_API_BASE", format!("http://127.0.0.1:{port}"))
        .run()
        .fails(ExitStatus::Network)
        .stderr_has("after 4 attempt(s)");
}

#[test]
fn plain_http_is_refused_for_other_hosts() {
    let w = AscWorld::new();
    w.cmd(&["apps", "--api-base", "http://api.appstoreconnect.apple.com"])
        .run()
        .fails(ExitStatus::Usage)
        .stderr_has("plain http");
}

#[test]
fn a_low_rate_limit_warns() {
    let w = AscWorld::new();
    w.server.shared().set_rate_remaining(100);
    w.cmd(&["apps"])
        .run()
        .success()
        .stderr_has("warning: only 99 of 3600 App Store Connect requests left this hour");
    w.cmd(&["-v", "apps"])
        .run()
        .success()
        .stderr_has("rate limit: 98 of 3600");
}

#[test]
fn faults_can_be_queued_over_http_for_trying_by_hand() {
    let w = AscWorld::new();
    let http = reqwest::blocking::Client::new();
    let r = http
        .post(format!(
            "{}/_standin/fault?path=/v1/apps&status=503&times=forever",
            w.server.url()
        ))
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 201, "{:?}", r.text());
    w.cmd(&["apps"])
        .run()
        .fails(ExitStatus::Refused)
        .stderr_has("503");
    let seen: Value = http
        .get(format!("{}/_standin/requests", w.server.url()))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(
        seen.as_array()
            .unwrap()
            .iter()
            .filter(|r| r["path"] == "/v1/apps")
            .count(),
        4
    );
    http.delete(format!("{}/_standin/fault", w.server.url()))
        .send()
        .unwrap();
    w.cmd(&["apps"]).run().success();
}

#[test]
fn no_secret_reaches_the_output_even_verbose_or_failing() {
    let w = AscWorld::new();
    w.add_password_apple_accepts("good");
    w.add_password_apple_rejects("old");
    let mut outs = vec![
        w.cmd(&["-v", "apps"]).run(),
        w.cmd(&["-v", "verify", "--json"]).run(),
        w.cmd(&[
            "-v", "reviews", "list", "--app", APP, "--max", "1", "--json",
        ])
        .run(),
    ];
    w.server.fault("/v1/apps", Fault::status(401), u32::MAX);
    outs.push(w.cmd(&["-v", "apps"]).run());
    outs.push(w.cmd(&["-v", "verify"]).run());
    let mut secrets: Vec<String> = w
        .server
        .requests()
        .into_iter()
        .filter_map(|r| r.bearer)
        .flat_map(|t| t.split('.').map(str::to_owned).collect::<Vec<_>>())
        .filter(|part| !part.starts_with("eyJhbGci")) // the header is public
        .collect();
    assert!(!secrets.is_empty());
    secrets.push(asc_standin::VALID_APP_PASSWORD.into());
    secrets.push(asc_standin::REVOKED_APP_PASSWORD.into());
    secrets.extend(
        asc_standin::TEST_KEY_PEM
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .map(str::to_owned),
    );
    for out in &outs {
        for s in &secrets {
            assert!(!out.stdout().contains(s.as_str()), "stdout shows a secret");
            assert!(!out.stderr().contains(s.as_str()), "stderr shows a secret");
        }
    }
}
