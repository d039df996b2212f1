//! App Store Connect commands against the stand-in server on loopback:
//! apps, reviews, verify, and every failure mode of the client.

use std::time::{Duration, Instant};

use asc_standin::{Fault, Standin, seed};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use p256::ecdsa::{Signature, SigningKey, signature::Signer};
use p256::pkcs8::DecodePrivateKey;
use serde_json::{Value, json};

use crate::support::fixtures;
use crate::support::standin::AscWorld;

const APP: &str = seed::NOTES_APP_ID;
const BUNDLE: &str = seed::NOTES_BUNDLE_ID;
const REVIEWS_PATH: &str = "/v1/apps/1234567890/customerReviews";

/// The shared vault-and-stand-in world, plus request counting.
struct World(AscWorld);

impl std::ops::Deref for World {
    type Target = AscWorld;
    fn deref(&self) -> &AscWorld {
        &self.0
    }
}

impl World {
    fn new() -> World {
        World(AscWorld::new())
    }

    fn count(&self, prefix: &str) -> usize {
        self.server.requests_to(prefix).len()
    }
}

/// A loopback port that was free a moment ago: nothing listens there.
fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn review(i: usize) -> String {
    seed::review_id(0, i)
}

// ---------------------------------------------------------------- apps

#[test]
fn apps_lists_id_name_bundle_id_and_sku() {
    let w = World::new();
    w.cmd(&["apps"])
        .run()
        .success()
        .stdout_has("Pocket Notes")
        .stdout_has(BUNDLE)
        .stdout_has("POCKETNOTES1")
        .stdout_has(APP);
    let v = w.cmd(&["apps", "--json"]).run().success().json();
    let rows = v.as_array().unwrap();
    assert_eq!(rows.len(), 3);
    assert_eq!(
        rows[0],
        json!({"id": APP, "name": "Pocket Notes", "bundle_id": BUNDLE, "sku": "POCKETNOTES1"})
    );
    let r = &w.server.requests_to("/v1/apps")[0];
    assert_eq!(r.param("limit").as_deref(), Some("200"));
}

#[test]
fn the_user_agent_and_token_are_apples_kind() {
    let w = World::new();
    w.cmd(&["apps"]).run().success();
    assert_eq!(
        w.server.requests()[0].user_agent.as_deref(),
        Some(concat!("ascvault/", env!("CARGO_PKG_VERSION")))
    );
    let token = w.server.requests()[0]
        .bearer
        .clone()
        .expect("a bearer token");
    let parts: Vec<&str> = token.split('.').collect();
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).unwrap()).unwrap();
    let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    assert_eq!(
        header,
        json!({"alg": "ES256", "kid": "TESTKEY001", "typ": "JWT"})
    );
    assert_eq!(claims["aud"], "appstoreconnect-v1");
    assert_eq!(claims["iss"], asc_standin::TEST_ISSUER_ID);
    let life = claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap();
    assert!(life > 0 && life <= 1200, "lifetime {life}");
}

// ---------------------------------------------------------------- reviews list

#[test]
fn reviews_list_is_newest_first_with_whole_records_in_json() {
    let w = World::new();
    let v = w
        .cmd(&["reviews", "list", "--app", BUNDLE, "--max", "15", "--json"])
        .run()
        .success()
        .json();
    let rows = v.as_array().unwrap();
    assert_eq!(rows.len(), 15);
    let keys: Vec<&str> = rows[0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "id",
            "rating",
            "title",
            "body",
            "reviewer_nickname",
            "created_date",
            "territory",
            "response"
        ]
    );
    assert_eq!(rows[0]["id"], review(0));
    let dates: Vec<&str> = rows
        .iter()
        .map(|r| r["created_date"].as_str().unwrap())
        .collect();
    let mut sorted = dates.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(dates, sorted, "newest first");
    // Review 12 has a published developer response.
    let answered = rows.iter().find(|r| r["id"] == review(12)).unwrap();
    assert_eq!(answered["response"]["state"], "PUBLISHED");
    assert!(
        answered["response"]["body"]
            .as_str()
            .unwrap()
            .contains("Thanks")
    );
    assert!(rows[0]["response"].is_null());
    // The bundle id was resolved, then one page fetched with the right sort.
    let r = &w.server.requests_to(REVIEWS_PATH)[0];
    assert_eq!(r.param("sort").as_deref(), Some("-createdDate"));
    assert_eq!(r.param("include").as_deref(), Some("response"));
}

#[test]
fn reviews_list_table_shows_date_stars_territory_nickname_title_body() {
    let w = World::new();
    w.cmd(&["reviews", "list", "--app", APP, "--max", "3"])
        .run()
        .success()
        .stdout_has("DATE")
        .stdout_has("2026-11-01")
        .stdout_has("★☆☆☆☆")
        .stdout_has("USA")
        .stdout_has("reviewer000")
        .stdout_has("Terrible")
        .stdout_has("This app is shit");
}

#[test]
fn all_pages_are_followed_through_links_next() {
    let w = World::new();
    let v = w
        .cmd(&["reviews", "list", "--app", APP, "--json"])
        .run()
        .success()
        .json();
    assert_eq!(v.as_array().unwrap().len(), seed::NOTES_REVIEWS);
    let pages = w.server.requests_to(REVIEWS_PATH);
    assert_eq!(pages.len(), 3, "450 reviews are three pages of 200");
    assert!(pages[0].param("cursor").is_none());
    assert!(pages[1].param("cursor").is_some());
}

#[test]
fn since_stops_paging_at_the_cutoff_without_wasted_requests() {
    let w = World::new();
    // Review 300 (on the second page of 200) is exactly at the cut-off.
    let cutoff = seed::NEWEST - time::Duration::hours(seed::STEP_HOURS * 300);
    let cutoff = cutoff
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let v = w
        .cmd(&[
            "reviews", "list", "--app", APP, "--since", &cutoff, "--json",
        ])
        .run()
        .success()
        .json();
    let rows = v.as_array().unwrap();
    assert_eq!(rows.len(), 301, "reviews 0..=300");
    assert_eq!(rows.last().unwrap()["id"], review(300));
    let pages = w.server.requests_to(REVIEWS_PATH);
    assert_eq!(pages.len(), 2, "no request for the third page: {pages:?}");
}

#[test]
fn since_takes_a_plain_date() {
    let w = World::new();
    let v = w
        .cmd(&[
            "reviews",
            "list",
            "--app",
            APP,
            "--since",
            "2026-11-01",
            "--json",
        ])
        .run()
        .success()
        .json();
    // 12:00, 08:00, 04:00 and 00:00 on the first of November.
    assert_eq!(v.as_array().unwrap().len(), 4);
    assert_eq!(w.count(REVIEWS_PATH), 1);
}

#[test]
fn filters_are_sent_to_apple_and_hold_in_the_results() {
    let w = World::new();
    let v = w
        .cmd(&[
            "reviews",
            "list",
            "--app",
            APP,
            "--rating",
            "1,2",
            "--territory",
            "usa,GBR",
            "--unanswered",
            "--json",
        ])
        .run()
        .success()
        .json();
    let rows = v.as_array().unwrap();
    assert!(!rows.is_empty());
    for r in rows {
        assert!([1, 2].contains(&r["rating"].as_u64().unwrap()), "{r}");
        assert!(
            ["USA", "GBR"].contains(&r["territory"].as_str().unwrap()),
            "{r}"
        );
        assert!(
            r["response"].is_null() || r["response"]["state"] != "PUBLISHED",
            "{r}"
        );
    }
    let req = &w.server.requests_to(REVIEWS_PATH)[0];
    assert_eq!(req.param("filter[rating]").as_deref(), Some("1,2"));
    assert_eq!(req.param("filter[territory]").as_deref(), Some("USA,GBR"));
    assert_eq!(
        req.param("exists[publishedResponse]").as_deref(),
        Some("false")
    );
}

#[test]
fn sort_and_max() {
    let w = World::new();
    let v = w
        .cmd(&[
            "reviews", "list", "--app", APP, "--sort", "best", "--max", "5", "--json",
        ])
        .run()
        .success()
        .json();
    let rows = v.as_array().unwrap();
    assert_eq!(rows.len(), 5);
    assert!(rows.iter().all(|r| r["rating"] == 5));
    assert_eq!(
        w.server.requests_to(REVIEWS_PATH)[0]
            .param("limit")
            .as_deref(),
        Some("5")
    );
    let v = w
        .cmd(&[
            "reviews", "list", "--app", APP, "--sort", "oldest", "--max", "1", "--json",
        ])
        .run()
        .success()
        .json();
    assert_eq!(v[0]["id"], review(seed::NOTES_REVIEWS - 1));
}

#[test]
fn csv_output_has_a_header_and_one_row_per_review() {
    let w = World::new();
    let out = w
        .cmd(&["reviews", "list", "--app", APP, "--max", "2", "--csv"])
        .run()
        .success()
        .stdout();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0],
        "id,created_date,rating,territory,reviewer_nickname,title,body,response_state,response_body"
    );
    assert_eq!(lines.len(), 3);
    assert!(lines[1].starts_with(&review(0)));
    // The body has a comma: quoted.
    assert!(lines[1].contains("\"This app is shit, it crashes every single time.\""));
}

#[test]
fn bad_filter_values_are_usage_errors() {
    let w = World::new();
    w.cmd(&["reviews", "list", "--app", APP, "--rating", "6"])
        .run()
        .fails(2);
    w.cmd(&["reviews", "list", "--app", APP, "--territory", "US"])
        .run()
        .fails(2);
    w.cmd(&["reviews", "list", "--app", APP, "--since", "yesterday"])
        .run()
        .fails(2);
    assert_eq!(w.server.requests().len(), 0);
}

// ---------------------------------------------------------------- show, respond, delete

#[test]
fn respond_show_and_delete_response_keep_state() {
    let w = World::new();
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
        .fails(1)
        .stderr_has("has no developer response");
}

#[test]
fn respond_needs_a_body() {
    let w = World::new();
    w.cmd(&["reviews", "respond", &review(1)]).run().fails(2);
    w.cmd(&["reviews", "respond", &review(1), "--body", "   "])
        .run()
        .fails(2)
        .stderr_has("empty");
    let long = "x".repeat(5971);
    w.cmd(&["reviews", "respond", &review(1), "--body", &long])
        .run()
        .fails(2)
        .stderr_has("5970");
    assert_eq!(w.count("/v1/customerReviewResponses"), 0);
}

#[test]
fn server_text_is_sanitized_before_the_terminal() {
    let w = World::new();
    let id = review(2);
    w.cmd(&["reviews", "respond", &id, "--body", "hi \u{1b}[2Jthere"])
        .run()
        .success();
    let out = w.cmd(&["reviews", "show", &id]).run().success().stdout();
    assert!(out.contains("hi  [2Jthere"), "{out}");
    assert!(!out.contains('\u{1b}'));
}

#[test]
fn a_post_is_not_retried() {
    let w = World::new();
    w.server
        .fault("/v1/customerReviewResponses", Fault::status(500), 1);
    w.cmd(&["reviews", "respond", &review(3), "--body", "Thanks"])
        .run()
        .fails(6)
        .stderr_has("500");
    assert_eq!(w.count("/v1/customerReviewResponses"), 1);
}

// ---------------------------------------------------------------- flag, report

#[test]
fn flag_names_each_reason() {
    let w = World::new();
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
    let w = World::new();
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

// ---------------------------------------------------------------- failure modes

/// Signs a token with the fixture key, with whatever header and claims.
fn sign(header: Value, claims: Value, pem_file: &str) -> String {
    let pem = std::fs::read_to_string(fixtures().join("keys").join(pem_file)).unwrap();
    let key = SigningKey::from(p256::SecretKey::from_pkcs8_pem(pem.trim()).unwrap());
    let msg = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let sig: Signature = key.sign(msg.as_bytes());
    format!("{msg}.{}", URL_SAFE_NO_PAD.encode(sig.to_bytes()))
}

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

#[test]
fn the_standin_refuses_bad_tokens_like_apple() {
    let server = Standin::start();
    let http = reqwest::blocking::Client::new();
    let header = json!({"alg": "ES256", "kid": "TESTKEY001", "typ": "JWT"});
    let claims = |iat: i64, exp: i64, aud: &str| json!({"iss": asc_standin::TEST_ISSUER_ID, "iat": iat, "exp": exp, "aud": aud});
    let t = now();
    let cases = [
        (
            "good",
            sign(
                header.clone(),
                claims(t, t + 600, "appstoreconnect-v1"),
                "AuthKey_TESTKEY001.p8",
            ),
        ),
        (
            "expired",
            sign(
                header.clone(),
                claims(t - 1800, t - 600, "appstoreconnect-v1"),
                "AuthKey_TESTKEY001.p8",
            ),
        ),
        (
            "lifetime over 20 minutes",
            sign(
                header.clone(),
                claims(t, t + 1201, "appstoreconnect-v1"),
                "AuthKey_TESTKEY001.p8",
            ),
        ),
        (
            "wrong audience",
            sign(
                header.clone(),
                claims(t, t + 600, "appstoreconnect-v2"),
                "AuthKey_TESTKEY001.p8",
            ),
        ),
        (
            "unknown kid",
            sign(
                json!({"alg": "ES256", "kid": "TESTKEY002", "typ": "JWT"}),
                claims(t, t + 600, "appstoreconnect-v1"),
                "AuthKey_TESTKEY002.p8",
            ),
        ),
        (
            "signature does not verify",
            sign(
                header.clone(),
                claims(t, t + 600, "appstoreconnect-v1"),
                "AuthKey_TESTKEY002.p8",
            ),
        ),
    ];
    for (why, token) in cases {
        let resp = http
            .get(format!("{}/v1/apps?limit=1", server.url()))
            .bearer_auth(&token)
            .send()
            .unwrap();
        if why == "good" {
            assert_eq!(resp.status().as_u16(), 200);
            continue;
        }
        assert_eq!(resp.status().as_u16(), 401, "{why}");
        assert_eq!(resp.headers()["x-standin-reason"], why);
        let body: Value = resp.json().unwrap();
        assert_eq!(body["errors"][0]["code"], "NOT_AUTHORIZED", "{why}");
        assert_eq!(body["errors"][0]["status"], "401");
    }
}

#[test]
fn tokens_are_reused_and_renewed_before_they_expire() {
    use ascvault::asc::{ApiKey, Client, Settings};
    use ascvault::vault::Secret;
    let server = Standin::start();
    let pem = std::fs::read_to_string(fixtures().join("keys/AuthKey_TESTKEY001.p8")).unwrap();
    let key = ApiKey::new(
        "TESTKEY001",
        Some(asc_standin::TEST_ISSUER_ID),
        &Secret::from(pem),
    )
    .unwrap();
    let settings = Settings {
        // The margin is half of it, 2 s: with whole-second iat/exp the
        // token stays fresh for at least 1 s, and is stale after 2.2 s.
        token_lifetime: Duration::from_secs(4),
        ..Settings::default()
    };
    let client = Client::new(&server.url(), key, settings, None).unwrap();
    client.get::<Value>("/v1/apps").unwrap();
    client.get::<Value>("/v1/apps").unwrap();
    assert_eq!(client.tokens_minted(), 1, "reused within its life");
    // Within the margin of expiry: a new one.
    std::thread::sleep(Duration::from_millis(2200));
    client.get::<Value>("/v1/apps").unwrap();
    assert_eq!(client.tokens_minted(), 2);
    let tokens: std::collections::HashSet<String> = server
        .requests()
        .into_iter()
        .filter_map(|r| r.bearer)
        .collect();
    assert_eq!(tokens.len(), 2);
}

#[test]
fn a_401_gets_one_fresh_token_and_one_more_try() {
    let w = World::new();
    w.server.fault("/v1/apps", Fault::status(401), 1);
    w.cmd(&["-v", "apps"])
        .run()
        .success()
        .stdout_has("Pocket Notes")
        .stderr_has("token refused; signing a new one");
    let reqs = w.server.requests_to("/v1/apps");
    assert_eq!(reqs.len(), 2);
    // (Signed in the same second, the new token may equal the old: ES256
    // signatures here are deterministic, RFC 6979.)
}

#[test]
fn a_401_that_persists_is_a_refusal_with_a_hint() {
    let w = World::new();
    w.server.fault("/v1/apps", Fault::status(401), u32::MAX);
    w.cmd(&["apps"])
        .run()
        .fails(6)
        .stderr_has("401 NOT_AUTHORIZED")
        .stderr_has("hint: check the entry's key id and issuer id");
    assert_eq!(w.count("/v1/apps"), 2);
}

#[test]
fn a_key_apple_does_not_know_is_refused() {
    let w = World::new();
    let p8 = fixtures().join("keys/AuthKey_TESTKEY002.p8");
    w.t.cmd(&[
        "add",
        "api-key",
        "other",
        "--key-id",
        "TESTKEY002",
        "--issuer-id",
        asc_standin::TEST_ISSUER_ID,
        "--private-key",
        p8.to_str().unwrap(),
    ])
    .run()
    .success();
    w.cmd(&["apps", "--entry", "other"])
        .run()
        .fails(6)
        .stderr_has("NOT_AUTHORIZED");
}

#[test]
fn a_403_says_the_role_lacks_access() {
    let w = World::new();
    w.server.fault(REVIEWS_PATH, Fault::status(403), u32::MAX);
    w.cmd(&["reviews", "list", "--app", APP])
        .run()
        .fails(6)
        .stderr_has("403 FORBIDDEN_ERROR")
        .stderr_has("hint: the key's role lacks access");
    assert_eq!(w.count(REVIEWS_PATH), 1, "a 403 is not retried");
}

#[test]
fn a_404_is_a_refusal() {
    let w = World::new();
    w.cmd(&["reviews", "show", "00000000-0000-4000-8000-999999999999"])
        .run()
        .fails(6)
        .stderr_has("404 NOT_FOUND")
        .stderr_has("There is no resource of type 'customerReviews'");
    w.cmd(&["reviews", "list", "--app", "999"])
        .run()
        .fails(6)
        .stderr_has("404");
}

#[test]
fn a_429_is_retried_after_retry_after() {
    let w = World::new();
    w.server.fault("/v1/apps", Fault::rate_limited(1), 1);
    w.cmd(&["apps"]).run().success().stdout_has("Pocket Notes");
    let reqs = w.server.requests_to("/v1/apps");
    assert_eq!(reqs.len(), 2);
    let gap = reqs[1].at.duration_since(reqs[0].at);
    assert!(gap >= Duration::from_millis(950), "waited only {gap:?}");
}

#[test]
fn a_500_once_is_retried() {
    let w = World::new();
    w.server.fault(REVIEWS_PATH, Fault::status(500), 1);
    w.cmd(&["-v", "reviews", "list", "--app", APP, "--max", "1"])
        .run()
        .success()
        .stderr_has("retrying");
    assert_eq!(w.count(REVIEWS_PATH), 2);
}

#[test]
fn a_500_forever_gives_up_after_a_few_tries() {
    let w = World::new();
    w.server.fault("/v1/apps", Fault::status(500), u32::MAX);
    w.cmd(&["apps"])
        .run()
        .fails(6)
        .stderr_has("500 UNEXPECTED_ERROR")
        .stderr_has("try again later");
    assert_eq!(w.count("/v1/apps"), 4, "the first try and three retries");
}

#[test]
fn malformed_json_names_where_it_broke() {
    let w = World::new();
    w.server.fault("/v1/apps", Fault::Malformed, 1);
    w.cmd(&["apps"])
        .run()
        .fails(1)
        .stderr_has("unexpected answer to GET /v1/apps");
}

#[test]
fn a_slow_server_times_out_as_a_network_failure() {
    let w = World::new();
    w.server
        .fault("/v1/apps", Fault::Slow(Duration::from_secs(5)), 1);
    let start = Instant::now();
    w.cmd(&["apps", "--timeout", "0.5"])
        .run()
        .fails(7)
        .stderr_has("hint: no answer within --timeout");
    assert!(
        start.elapsed() < Duration::from_secs(4),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn no_server_is_a_network_failure_after_retries() {
    let w = World::new();
    let port = closed_port();
    w.cmd(&["apps"])
        .env("ASCVAULT_API_BASE", format!("http://127.0.0.1:{port}"))
        .run()
        .fails(7)
        .stderr_has("after 4 attempt(s)");
}

#[test]
fn plain_http_is_refused_for_other_hosts() {
    let w = World::new();
    w.cmd(&["apps", "--api-base", "http://api.appstoreconnect.apple.com"])
        .run()
        .fails(2)
        .stderr_has("plain http");
}

#[test]
fn a_low_rate_limit_warns() {
    let w = World::new();
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

// ---------------------------------------------------------------- choosing the entry

#[test]
fn a_revoked_entry_is_never_used() {
    let w = World::new();
    w.t.cmd(&["revoke", "asc", "--yes"]).run().success();
    w.cmd(&["apps", "--entry", "asc"]).run().fails(5);
    w.cmd(&["apps"])
        .run()
        .fails(4)
        .stderr_has("no active api-key entry");
    assert_eq!(w.server.requests().len(), 0);
}

#[test]
fn several_keys_need_entry() {
    let w = World::new();
    w.t.add_key("second", "TESTKEY001");
    w.cmd(&["apps"])
        .run()
        .fails(2)
        .stderr_has("several active api-key entries: asc, second")
        .stderr_has("--entry");
    w.cmd(&["apps", "--entry", "second"]).run().success();
    w.cmd(&["apps"])
        .env("ASCVAULT_ENTRY", "asc")
        .run()
        .success();
}

#[test]
fn a_password_entry_cannot_call_the_api() {
    let w = World::new();
    w.t.add_password(
        "up",
        asc_standin::TEST_APPLE_ID,
        asc_standin::VALID_APP_PASSWORD,
    );
    w.cmd(&["apps", "--entry", "up"])
        .run()
        .fails(2)
        .stderr_has("not an api-key");
}

#[test]
fn an_unknown_bundle_id_says_so() {
    let w = World::new();
    w.cmd(&["reviews", "list", "--app", "com.example.nothing"])
        .run()
        .fails(1)
        .stderr_has("no app with bundle id \"com.example.nothing\"")
        .stderr_has("ascvault apps");
    w.cmd(&["reviews", "list", "--app", "not a bundle/id"])
        .run()
        .fails(2);
}

// ---------------------------------------------------------------- verify

fn add_raw_password(w: &World, label: &str, password: &str) {
    w.t.cmd(&[
        "add",
        "password",
        label,
        "--apple-id",
        asc_standin::TEST_APPLE_ID,
        "--password-stdin",
        "--no-format-check",
    ])
    .stdin(&format!("{password}\n"))
    .run()
    .success();
}

#[test]
fn verify_reports_valid_and_rejected_with_apples_reason() {
    let w = World::new();
    w.t.add_password(
        "good",
        asc_standin::TEST_APPLE_ID,
        asc_standin::VALID_APP_PASSWORD,
    );
    w.t.add_password(
        "old",
        asc_standin::TEST_APPLE_ID,
        asc_standin::REVOKED_APP_PASSWORD,
    );
    add_raw_password(&w, "account", asc_standin::ACCOUNT_PASSWORD);
    let out = w.cmd(&["verify", "--json"]).run().fails(6);
    let v = out.json();
    let by_label = |l: &str| {
        v.as_array()
            .unwrap()
            .iter()
            .find(|r| r["label"] == l)
            .unwrap()
            .clone()
    };
    assert_eq!(by_label("asc")["result"], "valid");
    assert_eq!(by_label("good")["result"], "valid");
    let old = by_label("old");
    assert_eq!(old["result"], "rejected");
    assert_eq!(old["code"], "-20101");
    assert!(old["message"].as_str().unwrap().contains("-20101"));
    assert_eq!(by_label("account")["code"], "-22938");
    assert_eq!(old["marked_revoked"], false);
    let keys: Vec<&str> = old
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "label",
            "kind",
            "account",
            "result",
            "code",
            "message",
            "marked_revoked"
        ]
    );
    out.stderr_has("Apple rejected 2 of 4")
        .stderr_has("--mark-revoked");
    // The key check was one GET /v1/apps?limit=1; nothing was written.
    let api = w.server.requests_to("/v1/");
    assert_eq!(api.len(), 1);
    assert_eq!(api[0].param("limit").as_deref(), Some("1"));
    // The vault is unchanged without --mark-revoked.
    w.t.cmd(&["list"]).run().success().stdout_has("old");
}

#[test]
fn verify_one_label_and_all_valid_is_success() {
    let w = World::new();
    w.t.add_password(
        "good",
        asc_standin::TEST_APPLE_ID,
        asc_standin::VALID_APP_PASSWORD,
    );
    w.cmd(&["verify", "good"])
        .run()
        .success()
        .stdout_has("valid");
    w.cmd(&["verify", "--all"]).run().success();
    w.t.cmd(&["revoke", "good", "--yes"]).run().success();
    w.cmd(&["verify", "good"]).run().fails(5);
}

#[test]
fn verify_mark_revoked_makes_the_vault_match_apple() {
    let w = World::new();
    w.t.add_password(
        "good",
        asc_standin::TEST_APPLE_ID,
        asc_standin::VALID_APP_PASSWORD,
    );
    w.t.add_password(
        "old",
        asc_standin::TEST_APPLE_ID,
        asc_standin::REVOKED_APP_PASSWORD,
    );
    w.cmd(&["verify", "--mark-revoked"])
        .run()
        .fails(6)
        .stdout_has("rejected (marked revoked)");
    let v = w.t.cmd(&["list", "--all", "--json"]).run().success().json();
    let old = v
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["label"] == "old")
        .unwrap();
    assert_eq!(old["revoked"], true);
    let note = old["note"].as_str().unwrap();
    assert!(note.starts_with("Apple rejected it on 20"), "{note}");
    assert!(note.contains("-20101"), "{note}");
    let good = v
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["label"] == "good")
        .unwrap();
    assert_eq!(good["revoked"], false);
    // Next time only the valid entries are checked.
    w.cmd(&["verify"]).run().success();
}

#[test]
fn verify_unreachable_is_a_network_failure() {
    let w = World::new();
    w.t.add_password(
        "good",
        asc_standin::TEST_APPLE_ID,
        asc_standin::VALID_APP_PASSWORD,
    );
    let port = closed_port();
    let before = w.t.vault_bytes();
    let v = w
        .cmd(&["verify", "--json", "--mark-revoked"])
        .env(
            "ASCVAULT_CONTENT_DELIVERY_BASE",
            format!("http://127.0.0.1:{port}"),
        )
        .run()
        .fails(7)
        .json();
    let good = v
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["label"] == "good")
        .unwrap();
    assert_eq!(good["result"], "unreachable");
    assert_eq!(
        v.as_array()
            .unwrap()
            .iter()
            .find(|e| e["label"] == "asc")
            .unwrap()["result"],
        "valid"
    );
    assert_eq!(w.t.vault_bytes(), before, "nothing marked");
}

#[test]
fn faults_can_be_queued_over_http_for_trying_by_hand() {
    let w = World::new();
    let http = reqwest::blocking::Client::new();
    let r = http
        .post(format!(
            "{}/_standin/fault?path=/v1/apps&status=503&times=forever",
            w.server.url()
        ))
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 201, "{:?}", r.text());
    w.cmd(&["apps"]).run().fails(6).stderr_has("503");
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
fn an_individual_key_signs_with_sub_user() {
    let w = World::new();
    let p8 = fixtures().join("keys/AuthKey_TESTKEY001.p8");
    w.t.cmd(&[
        "add",
        "api-key",
        "mine",
        "--key-id",
        asc_standin::TEST_INDIVIDUAL_KEY_ID,
        "--private-key",
        p8.to_str().unwrap(),
    ])
    .run()
    .success();
    w.cmd(&["apps", "--entry", "mine"])
        .run()
        .success()
        .stdout_has("Pocket Notes");
    let token = w.server.requests()[0].bearer.clone().unwrap();
    let claims: Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(token.split('.').nth(1).unwrap())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(claims["sub"], "user");
    assert!(claims.get("iss").is_none());
}

#[test]
fn since_with_another_order_filters_instead_of_stopping() {
    let w = World::new();
    let v = w
        .cmd(&[
            "reviews",
            "list",
            "--app",
            APP,
            "--since",
            "2026-11-01",
            "--sort",
            "oldest",
            "--json",
        ])
        .run()
        .success()
        .json();
    let rows = v.as_array().unwrap();
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[0]["id"], review(3), "oldest of the four first");
    assert_eq!(
        w.count(REVIEWS_PATH),
        3,
        "every page read: the cut-off is at the end"
    );
}

#[test]
fn no_secret_reaches_the_output_even_verbose_or_failing() {
    let w = World::new();
    w.t.add_password(
        "good",
        asc_standin::TEST_APPLE_ID,
        asc_standin::VALID_APP_PASSWORD,
    );
    w.t.add_password(
        "old",
        asc_standin::TEST_APPLE_ID,
        asc_standin::REVOKED_APP_PASSWORD,
    );
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

#[test]
fn report_needs_app_when_the_key_sees_several() {
    let w = World::new();
    w.cmd(&[
        "reviews",
        "report",
        &review(0),
        "--reason",
        "offensive",
        "--print",
    ])
    .run()
    .fails(2)
    .stderr_has("this key sees 3 apps")
    .stderr_has("--app");
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
    .fails(2);
}
