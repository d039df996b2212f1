//! Apple's answer shapes shared by every area: error bodies, fault answers,
//! JSON and other media types (with the `Accept` check), and paging
//! (`links.next` with an opaque cursor).

use std::sync::MutexGuard;

use axum::Json;
use axum::body::Body;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use crate::state::{Data, Fault, Shared, url_params};

/// A handler's answer; `Err` is an early refusal, so handlers can use `?`.
pub type Answer = Result<Response, Response>;

/// An error answer in Apple's shape: `{"errors":[{id,status,code,title,detail}]}`.
pub fn error(status: u16, code: &str, title: &str, detail: &str) -> Response {
    error_with(status, code, title, detail, json!({}))
}

/// An error answer whose one error also carries `extra`'s members: Apple's
/// `source` (`{"parameter": …}` on a 400, `{"pointer": …}` on an entity
/// error), `links` (`{"see": "/agreements"}`) or `meta`
/// (`{"associatedErrors": …}` on a 409).
pub fn error_with(status: u16, code: &str, title: &str, detail: &str, extra: Value) -> Response {
    let status_code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (
        status_code,
        Json(error_body(status, code, title, detail, extra)),
    )
        .into_response()
}

/// The body of [`error_with`], for faults that serve it as given.
pub fn error_body(status: u16, code: &str, title: &str, detail: &str, extra: Value) -> Value {
    let mut item = json!({
        "id": format!("standin-{status}"),
        "status": status.to_string(),
        "code": code,
        "title": title,
        "detail": detail,
    });
    if let (Some(item), Value::Object(extra)) = (item.as_object_mut(), extra) {
        item.extend(extra);
    }
    json!({ "errors": [item] })
}

/// Apple's 403 when the account has not accepted a required agreement (a
/// new Program License Agreement, say): every request is refused, whatever
/// the key's role, with `links.see` pointing at the agreements.
pub fn agreements_missing() -> Value {
    error_body(
        403,
        "FORBIDDEN.REQUIRED_AGREEMENTS_MISSING_OR_EXPIRED",
        "A required agreement is missing or has expired.",
        "This request requires an in-effect agreement that has not been signed or has expired.",
        json!({"links": {"see": "/agreements"}}),
    )
}

/// Apple's 409 `STATE_ERROR` for a resource whose state does not allow the
/// request, with the errors of the other resources that are the reason in
/// `meta.associatedErrors` (`{resource path: [error, …]}`).
pub fn state_error(title: &str, detail: &str, associated: Value) -> Response {
    error_with(
        409,
        "STATE_ERROR",
        title,
        detail,
        json!({"meta": {"associatedErrors": associated}}),
    )
}

/// Apple's 401.
pub fn not_authorized(why: &'static str) -> Response {
    let mut r = error(
        401,
        "NOT_AUTHORIZED",
        "Authentication credentials are missing or invalid.",
        "Provide a properly configured and signed bearer token, and make sure that it has not expired. Learn more about Generating Tokens for API Requests https://developer.apple.com/go/?id=api-generating-tokens",
    );
    if let Ok(v) = why.parse() {
        r.headers_mut().insert("x-standin-reason", v);
    }
    r
}

/// Apple's 404 for a resource.
pub fn not_found(kind: &str, id: &str) -> Response {
    error(
        404,
        "NOT_FOUND",
        "The specified resource does not exist",
        &format!("There is no resource of type '{kind}' with id '{id}'"),
    )
}

/// The item looked up, or Apple's 404 for a resource of type `kind` with id `id`.
pub fn found<T>(item: Option<T>, kind: &str, id: &str) -> Result<T, Response> {
    item.ok_or_else(|| not_found(kind, id))
}

/// Apple's 404 for a path it does not serve.
pub async fn not_found_route(uri: Uri) -> Response {
    error(
        404,
        "NOT_FOUND",
        "The specified resource does not exist",
        &format!(
            "The path provided does not match a defined resource type. ({})",
            uri.path()
        ),
    )
}

/// Apple's 400 for a bad parameter.
pub fn bad_parameter(name: &str, detail: &str) -> Response {
    error_with(
        400,
        "PARAMETER_ERROR.INVALID",
        "A parameter has an invalid value",
        &format!("'{name}': {detail}"),
        json!({"source": {"parameter": name}}),
    )
}

/// Apple's 400 for a missing parameter.
pub fn missing_parameter(name: &str) -> Response {
    error_with(
        400,
        "PARAMETER_ERROR.REQUIRED",
        "A required parameter is missing.",
        &format!("The parameter '{name}' is required."),
        json!({"source": {"parameter": name}}),
    )
}

/// Apple's 400 for a request body that is not JSON.
pub fn body_not_json() -> Response {
    error(
        400,
        "PARAMETER_ERROR.INVALID",
        "The request body is invalid",
        "The request body is not valid JSON",
    )
}

/// Apple's 403 for a key or account that may not do this.
pub fn forbidden(detail: &str) -> Response {
    error(
        403,
        "FORBIDDEN_ERROR",
        "This request is forbidden for security reasons",
        detail,
    )
}

/// Whether the request's `Accept` names `media`.
pub fn accepts(headers: &HeaderMap, media: &str) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|m| m.trim().starts_with(media)))
}

/// Apple's 406 for a resource served only as `media`.
pub fn not_acceptable(media: &str) -> Response {
    error(
        406,
        "NOT_ACCEPTABLE",
        "The requested media type is not available",
        &format!("This resource is served as {media}; send it in Accept."),
    )
}

/// A 200 answer in a media type other than JSON (reports, metrics, logs).
pub fn served_as(media: &'static str, body: impl Into<Body>) -> Response {
    (StatusCode::OK, [(header::CONTENT_TYPE, media)], body.into()).into_response()
}

/// The stand-in's data, or Apple's 500 if a handler panicked holding it.
pub fn data(s: &Shared) -> Result<MutexGuard<'_, Data>, Response> {
    s.data
        .lock()
        .map_err(|_| fault_response(&Fault::status(500)))
}

/// The answer for an injected fault.
pub fn fault_response(f: &Fault) -> Response {
    match f {
        Fault::Status {
            status,
            retry_after,
        } => {
            let mut r = match status {
                429 => error(
                    429,
                    "RATE_LIMIT_EXCEEDED",
                    "The request rate limit has been reached.",
                    "We've received too many requests for this API. Please wait and try again or slow down your request rate.",
                ),
                403 => forbidden("The API key in use does not allow this request"),
                401 => not_authorized("injected"),
                s if *s >= 500 => error(
                    *s,
                    "UNEXPECTED_ERROR",
                    "An unexpected error occurred.",
                    "The server encountered an unexpected error. Please try again later.",
                ),
                s => error(*s, "STANDIN_FAULT", "Injected fault", "Injected by a test"),
            };
            if let Some(secs) = retry_after
                && let Ok(v) = secs.to_string().parse()
            {
                r.headers_mut().insert("retry-after", v);
            }
            r
        }
        Fault::Malformed => (
            StatusCode::OK,
            [("content-type", "application/json")],
            "{\"data\": [{\"type\": \"apps\", \"id\": \"1\", \"attributes\": {\"name\": ",
        )
            .into_response(),
        // These change the normal answer rather than replace it:
        // `faults::answer` applies them.
        Fault::Slow(_) | Fault::Cut | Fault::Drip { .. } | Fault::Answer { .. } => {
            StatusCode::OK.into_response()
        }
    }
}

/// A JSON answer with a status.
pub fn json_status(status: StatusCode, v: Value) -> Response {
    (status, Json(v)).into_response()
}

/// The `Host` the client used, for absolute links back to this server.
pub fn host(headers: &HeaderMap) -> String {
    headers
        .get("host")
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1")
        .to_owned()
}

/// The page asked for: (offset, limit). Apple's limit is 1–200 (default 50).
pub fn page_params(query: &str) -> Result<(usize, usize), Response> {
    let mut offset = 0;
    let mut limit = 50;
    for (k, v) in url_params(query) {
        match k.as_str() {
            "limit" => {
                limit = v
                    .parse::<usize>()
                    .ok()
                    .filter(|l| (1..=200).contains(l))
                    .ok_or_else(|| bad_parameter("limit", "must be 1 to 200"))?;
            }
            "cursor" => {
                offset = URL_SAFE_NO_PAD
                    .decode(v.as_bytes())
                    .ok()
                    .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
                    .and_then(|j| j["offset"].as_str().and_then(|s| s.parse().ok()))
                    .ok_or_else(|| bad_parameter("cursor", "is not a cursor this server issued"))?;
            }
            _ => {}
        }
    }
    Ok((offset, limit))
}

/// `links` for a page: `self`, and `next` when more follow (the same query
/// with a new cursor), as absolute URLs on the host the client used.
pub fn page_links(
    headers: &HeaderMap,
    uri: &Uri,
    offset: usize,
    limit: usize,
    total: usize,
) -> Value {
    let base = format!("http://{}{}", host(headers), uri.path());
    let this = match uri.query() {
        Some(q) => format!("{base}?{q}"),
        None => base.clone(),
    };
    let mut links = json!({ "self": this });
    if offset + limit < total {
        let cursor =
            URL_SAFE_NO_PAD.encode(json!({"offset": (offset + limit).to_string()}).to_string());
        let mut parts: Vec<String> = uri
            .query()
            .unwrap_or("")
            .split('&')
            .filter(|p| !p.is_empty() && !p.starts_with("cursor="))
            .map(str::to_owned)
            .collect();
        parts.push(format!("cursor={cursor}"));
        links["next"] = json!(format!("{base}?{}", parts.join("&")));
    }
    links
}
