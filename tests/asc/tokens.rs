//! The ES256 token: Apple's header and claims, the stand-in refusing bad
//! ones like Apple does, reuse and renewal, one fresh token after a 401,
//! and individual keys.

use std::time::Duration;

use asc_standin::{Fault, Standin};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use p256::ecdsa::{Signature, SigningKey, signature::Signer};
use p256::pkcs8::DecodePrivateKey;
use serde_json::{Value, json};

use crate::support::standin::AscWorld;
use crate::support::{ExitStatus, fixtures};

#[test]
fn the_user_agent_and_token_are_apples_kind() {
    let w = AscWorld::new();
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
    let w = AscWorld::new();
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
    let w = AscWorld::new();
    w.server.fault("/v1/apps", Fault::status(401), u32::MAX);
    w.cmd(&["apps"])
        .run()
        .fails(ExitStatus::Refused)
        .stderr_is(
            "error: App Store Connect refused GET /v1/apps: 401 NOT_AUTHORIZED: Authentication credentials are missing or invalid. — Provide a properly configured and signed bearer token, and make sure that it has not expired. Learn more about Generating Tokens for API Requests https://developer.apple.com/go/?id=api-generating-tokens\n\
             hint: check the entry's key id and issuer id; the key may have been revoked in App Store Connect (Users and Access → Integrations)\n"
        );
    assert_eq!(w.count("/v1/apps"), 2);
}

#[test]
fn a_key_apple_does_not_know_is_refused() {
    let w = AscWorld::new();
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
        .fails(ExitStatus::Refused)
        .stderr_has("NOT_AUTHORIZED");
}

#[test]
fn an_individual_key_signs_with_sub_user() {
    let w = AscWorld::new();
    let p8 = fixtures().join("keys/AuthKey_TESTKEY001.p8");
    w.t.cmd(&[
        "add",
        "api-key",
        "mine",
        "--key-id",
        asc_standin::TEST_INDIVIDUAL_KEY_ID,
        "--private-key",
        p8.to_str().unwrap(),
        "--yes",
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
