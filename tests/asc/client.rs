//! The client's behaviour when Apple misbehaves or is away: which statuses
//! are refusals, what is retried and how often (429 after Retry-After, 500,
//! a dropped connection, never a POST), timeouts, plain http, the rate-limit
//! warning, and no secret in any output on the way.

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
             hint: check the id; `ascvault apps` lists the apps this key can see\n"
        );
    w.cmd(&["reviews", "list", "--app", "999"])
        .run()
        .fails(ExitStatus::Refused)
        .stderr_has("404");
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
