//! The content-delivery sign-in call Apple's upload tools make:
//! JSON-RPC 2.0 `POST /WebObjects/MZLabelService.woa/json/MZITunesSoftwareService`
//! with method `authenticateForSession`. Refusals arrive as HTTP 200 with
//! `result.Success: false` and Apple's `ErrorCode`/`ErrorMessage`; a success
//! has `SessionId` and `SharedSecret` and no `Success` key (the public
//! clients of this call read only those two).

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::post;
use serde_json::{Value, json};

use crate::apple::json_status;
use crate::state::Shared;
use crate::{ACCOUNT_PASSWORD, TEST_APPLE_ID, VALID_APP_PASSWORD};

/// The endpoint's path.
pub const PATH: &str = "/WebObjects/MZLabelService.woa/json/MZITunesSoftwareService";

/// This area's routes.
pub fn routes() -> Router<Arc<Shared>> {
    Router::new().route(PATH, post(sign_in))
}

fn refusal(id: &Value, code: i64, message: &str) -> Response {
    json_status(
        StatusCode::OK,
        json!({
            "id": id,
            "jsonrpc": "2.0",
            "result": { "Success": false, "ErrorCode": code, "ErrorMessage": message, "Errors": [message] },
        }),
    )
}

async fn sign_in(body: Bytes) -> Response {
    let Ok(req) = serde_json::from_slice::<Value>(&body) else {
        return json_status(
            StatusCode::OK,
            json!({"jsonrpc": "2.0", "id": null, "error": {"code": -32700, "message": "Parse error"}}),
        );
    };
    let id = req["id"].clone();
    if req["method"] != "authenticateForSession" {
        return json_status(
            StatusCode::OK,
            json!({"jsonrpc": "2.0", "id": id, "error": {"code": -32601, "message": "Method not found"}}),
        );
    }
    let user = req["params"]["Username"].as_str().unwrap_or("");
    let pass = req["params"]["Password"].as_str().unwrap_or("");
    if user.eq_ignore_ascii_case(TEST_APPLE_ID) && pass == VALID_APP_PASSWORD {
        return json_status(
            StatusCode::OK,
            json!({
                "id": id,
                "jsonrpc": "2.0",
                "result": {
                    "SessionId": "standin-session-0001",
                    "SharedSecret": "standin-shared-secret",
                },
            }),
        );
    }
    if user.eq_ignore_ascii_case(TEST_APPLE_ID) && pass == ACCOUNT_PASSWORD {
        return refusal(
            &id,
            -22938,
            "Sign in with the app-specific password you generated. If you have not generated one, go to appleid.apple.com. (-22938)",
        );
    }
    refusal(
        &id,
        -20101,
        "Your Apple ID or password was entered incorrectly. (-20101)",
    )
}
