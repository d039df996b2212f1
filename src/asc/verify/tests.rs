//! Verdicts from sign-in replies and 401s, without a server.

use super::*;

#[test]
fn a_verdict_reads_as_one_line() {
    let line = |v: Verdict| v.to_string();
    assert_eq!(line(Verdict::Valid { detail: None }), "");
    assert_eq!(
        line(Verdict::Valid {
            detail: Some("authenticated".into())
        }),
        "authenticated"
    );
    assert_eq!(
        line(Verdict::Rejected {
            code: Some("-20101".into()),
            message: "wrong password".into()
        }),
        "-20101: wrong password"
    );
    assert_eq!(
        line(Verdict::Rejected {
            code: None,
            message: "sign-in refused".into()
        }),
        "sign-in refused"
    );
    assert_eq!(
        line(Verdict::Unreachable {
            code: None,
            message: "timed out".into()
        }),
        "timed out"
    );
    assert_eq!(
        line(Verdict::NotAccepted {
            code: Some("NOT_AUTHORIZED".into()),
            message: "Authentication credentials are missing or invalid.".into()
        }),
        "wrong key id or issuer id, or revoked at Apple \
         (NOT_AUTHORIZED: Authentication credentials are missing or invalid.)"
    );
}

fn reply(v: serde_json::Value) -> Verdict {
    sign_in_verdict(serde_json::from_value(v).unwrap())
}

#[test]
fn a_session_id_and_nothing_else_makes_a_password_valid() {
    let valid = Verdict::Valid { detail: None };
    // The public clients' success: no `Success` key at all.
    assert_eq!(
        reply(serde_json::json!({"result": {"SessionId": "s", "SharedSecret": "x"}})),
        valid
    );
    assert_eq!(
        reply(serde_json::json!({"result": {"Success": true, "SessionId": "s"}})),
        valid
    );
    assert_eq!(
        reply(serde_json::json!({"result": {"Success": true}})).name(),
        "unreachable"
    );
}

#[test]
fn only_credential_codes_reject_a_password() {
    for code in [
        serde_json::json!(-20101),
        serde_json::json!("-22938"),
        serde_json::json!(-22910),
    ] {
        for with_success in [true, false] {
            let mut result = serde_json::json!({"ErrorCode": code, "ErrorMessage": "no"});
            if with_success {
                result["Success"] = false.into();
            }
            assert_eq!(
                reply(serde_json::json!({ "result": result })).name(),
                "rejected"
            );
        }
    }
    for result in [
        serde_json::json!({"Success": false, "ErrorCode": -22014, "ErrorMessage": "no session"}),
        serde_json::json!({"ErrorCode": -22020, "ErrorMessage": "account"}),
        serde_json::json!({"Success": false}),
    ] {
        assert_eq!(
            reply(serde_json::json!({ "result": result })).name(),
            "unreachable"
        );
    }
    let v = reply(serde_json::json!({"error": {"code": -32601, "message": "Method not found"}}));
    assert_eq!(v.name(), "unreachable");
    assert_eq!(
        v.to_string(),
        "-32601: the sign-in service could not check it: Method not found"
    );
    assert_eq!(
        reply(serde_json::json!({"error": {"code": -20101, "message": "bad"}})).name(),
        "rejected"
    );
}

#[test]
fn a_401_blames_the_clock_only_when_apples_date_says_so() {
    let err = || ApiError {
        code: Some("NOT_AUTHORIZED".into()),
        ..ApiError::default()
    };
    let (iat, exp) = (10_000, 10_000 + 1200);
    assert_eq!(not_accepted(err(), iat, exp, None).name(), "not_accepted");
    assert_eq!(
        not_accepted(err(), iat, exp, Some(iat + 5)).name(),
        "not_accepted"
    );
    assert_eq!(
        not_accepted(err(), iat, exp, Some(iat - 60)).name(),
        "not_accepted"
    );
    let ahead = not_accepted(err(), iat, exp, Some(iat - 7200));
    assert_eq!(
        ahead,
        Verdict::ClockOff {
            offset_seconds: 7200,
            message: "this computer's clock is 2 h ahead of Apple's (by the Date of its \
                      401), so Apple sees a token issued in the future; set the clock and \
                      verify again"
                .into()
        }
    );
    let behind = not_accepted(err(), iat, exp, Some(exp + 300));
    assert_eq!(behind.name(), "clock_off");
    assert!(behind.to_string().contains("25 min behind"), "{behind}");
}
