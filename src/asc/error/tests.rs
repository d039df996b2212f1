//! Unit tests of refusals: Apple's error bodies become one line, with
//! `links.see`, `source.parameter` and associated errors, capped; a 403 is
//! told apart by its code, a 404 by the kind of resource.

use super::*;

#[test]
fn apple_error_bodies_become_one_line() {
    let body = br#"{"errors":[{"id":"x","status":"401","code":"NOT_AUTHORIZED","title":"Authentication credentials are missing or invalid.","detail":"Provide a properly configured and signed bearer token, and make sure that it has not expired."}]}"#;
    let e = refusal("GET /v1/apps".into(), 401, body);
    assert_eq!(
        e.to_string(),
        "App Store Connect refused GET /v1/apps: 401 NOT_AUTHORIZED: Authentication credentials are missing or invalid. — Provide a properly configured and signed bearer token, and make sure that it has not expired."
    );
}

#[test]
fn other_bodies_fall_back_to_raw_text() {
    let e = refusal("GET /v1/apps".into(), 502, b"<html>\n Bad   gateway</html>");
    assert_eq!(
        e.to_string(),
        "App Store Connect refused GET /v1/apps: 502: <html> Bad gateway</html>"
    );
    let e = refusal("GET /v1/apps".into(), 500, b"");
    assert_eq!(e.to_string(), "App Store Connect refused GET /v1/apps: 500");
}

#[test]
fn links_see_parameter_and_associated_errors_are_kept() {
    let body = br#"{"errors":[{"status":"403","code":"FORBIDDEN.REQUIRED_AGREEMENTS_MISSING_OR_EXPIRED","title":"A required agreement is missing or has expired.","detail":"This request requires an in-effect agreement that has not been signed or has expired.","links":{"see":"/agreements"}}]}"#;
    let e = refusal("GET /v1/apps".into(), 403, body);
    assert_eq!(e.forbidden(), Some(Forbidden::Agreement));
    assert!(e.to_string().ends_with("(see /agreements)"), "{e}");
    let body = br#"{"errors":[{"status":"400","code":"PARAMETER_ERROR.INVALID","title":"A parameter has an invalid value","detail":"must be 1 to 5","source":{"parameter":"filter[rating]"}},{"code":"X"}]}"#;
    let e = refusal("GET /v1/x".into(), 400, body);
    assert_eq!(
        e.to_string(),
        "App Store Connect refused GET /v1/x: 400 PARAMETER_ERROR.INVALID: A parameter has an invalid value — must be 1 to 5 (parameter filter[rating]) (and 1 more error(s))"
    );
    let items: Vec<String> = (0..7)
        .map(|i| format!(r#"{{"code":"C{i}","title":"t{i}"}}"#))
        .collect();
    let body = format!(
        r#"{{"errors":[{{"status":"409","code":"STATE_ERROR","title":"T","detail":"D","meta":{{"associatedErrors":{{"/v1/r/1":[{}]}}}}}}]}}"#,
        items.join(",")
    );
    let e = refusal("POST /v1/x".into(), 409, body.as_bytes());
    let AscError::Refused { more, .. } = &e else {
        panic!("{e:?}")
    };
    assert_eq!(more.associated.len(), MAX_ASSOCIATED);
    assert_eq!(more.more_associated, 2);
    assert!(
        e.to_string()
            .ends_with("T — D; associated errors: /v1/r/1: C0: t0; /v1/r/1: C1: t1; /v1/r/1: C2: t2; /v1/r/1: C3: t3; /v1/r/1: C4: t4; and 2 more"),
        "{e}"
    );
}

#[test]
fn server_text_is_capped() {
    let long = "x".repeat(10_000);
    let body = format!(
        r#"{{"errors":[{{"code":"{long}","title":"{long}","detail":"{long}","links":{{"see":"{long}"}}}}]}}"#
    );
    let e = refusal("GET /v1/apps".into(), 403, body.as_bytes());
    assert!(e.to_string().chars().count() < 5 * MAX_TEXT, "{e}");
}

#[test]
fn a_403_says_why() {
    let with = |code: &str, detail: &str| {
        let body = serde_json::json!({"errors": [{"code": code, "title": "t", "detail": detail}]});
        refusal("GET /v1/apps".into(), 403, body.to_string().as_bytes()).forbidden()
    };
    assert_eq!(
        with(
            "FORBIDDEN_ERROR",
            "The API key in use does not allow this request"
        ),
        Some(Forbidden::Role)
    );
    assert_eq!(
        with("FORBIDDEN.REQUIRED_AGREEMENTS_MISSING_OR_EXPIRED", "x"),
        Some(Forbidden::Agreement)
    );
    assert_eq!(
        with(
            "FORBIDDEN",
            "the Account Holder must agree to the latest Program License Agreement"
        ),
        Some(Forbidden::Agreement)
    );
    assert_eq!(with("FORBIDDEN.SOMETHING_NEW", "x"), Some(Forbidden::Other));
    assert_eq!(
        refusal("GET /v1/apps".into(), 403, b"<html>").forbidden(),
        Some(Forbidden::Role)
    );
    assert_eq!(refusal("GET /v1/apps".into(), 404, b"").forbidden(), None);
}

#[test]
fn a_404_names_the_kind_of_resource() {
    let apple = br#"{"errors":[{"code":"NOT_FOUND","title":"The specified resource does not exist","detail":"There is no resource of type 'customerReviews' with id 'r1'"}]}"#;
    let e = refusal("POST /v1/customerReviewResponses".into(), 404, apple);
    assert_eq!(e.missing_kind().as_deref(), Some("customerReviews"));
    for (request, kind) in [
        ("GET /v1/builds/b1/perfPowerMetrics", Some("builds")),
        ("GET /prefix/v1/apps/1/customerReviews", Some("apps")),
        ("GET /v1/customerReviews/r1", Some("customerReviews")),
        ("GET /v1/salesReports", None),
    ] {
        let e = refusal(request.into(), 404, b"");
        assert_eq!(e.missing_kind().as_deref(), kind, "{request}");
    }
    let hostile = br#"{"errors":[{"detail":"no resource of type '[2J' with id"}]}"#;
    let e = refusal("GET /v1/apps/1".into(), 404, hostile);
    assert_eq!(e.missing_kind().as_deref(), Some("apps"));
}
