//! An app's builds (`GET /v1/builds`), in the shape fastlane recorded from
//! Apple: a build's `version` is its build number, attributes beyond the
//! ones ascvault reads (`minOsVersion`, `expirationDate`,
//! `usesNonExemptEncryption`), relationships with absolute `self` and
//! `related` links (and `data` only when included), Pacific dates, paged
//! with cursors, `meta.paging.total`. Filters: `filter[app]`,
//! `filter[preReleaseVersion.version]`, `filter[processingState]`,
//! `filter[expired]`; `sort` by `uploadedDate` either way (else oldest
//! first); `include=preReleaseVersion`; the sparse fieldsets
//! `fields[builds]` and `fields[preReleaseVersions]`.
//!
//! The seed: [`NOTES_BUILDS`] builds of Pocket Notes, `build-1` to
//! `build-230` (build `n` of version `(n-1)/10+1` written as `M.m`, so
//! `build-230` is version 2.3, build number 230, the build with metrics)
//! and `build-231` of 2.4, still `PROCESSING`; one build uploaded a day.

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use serde_json::{Map, Value, json};
use std::sync::Arc;
use time::Duration;
use time::macros::datetime;

use super::{APP_ID, MetricsState, Params};
use crate::apple::{self, json_status};

/// How many builds of Pocket Notes the stand-in starts with.
pub const NOTES_BUILDS: usize = 231;

/// A build the stand-in serves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuildRecord {
    /// The build id.
    pub id: String,
    /// The app's id.
    pub app: String,
    /// The version users see (`CFBundleShortVersionString`).
    pub version: String,
    /// The build number (`CFBundleVersion`, Apple's `version` attribute).
    pub number: String,
    /// `IOS`, `MAC_OS`…
    pub platform: String,
    /// Upload time (written in Pacific time).
    pub uploaded: time::OffsetDateTime,
    /// `PROCESSING`, `FAILED`, `INVALID` or `VALID`.
    pub state: String,
    /// Expired (TestFlight's 90 days).
    pub expired: bool,
}

/// The seeded builds.
pub(super) fn seed() -> Vec<BuildRecord> {
    let newest = datetime!(2026-11-18 10:00:00 UTC);
    (1..=NOTES_BUILDS)
        .map(|n| {
            let v = (n - 1) / 10 + 1;
            let (version, state) = if n == NOTES_BUILDS {
                ("2.4".to_owned(), "PROCESSING")
            } else {
                (
                    format!("{}.{}", v / 10, v % 10),
                    if n % 50 == 17 { "FAILED" } else { "VALID" },
                )
            };
            let age = (NOTES_BUILDS - n) as i64;
            BuildRecord {
                id: format!("build-{n}"),
                app: APP_ID.into(),
                version,
                number: n.to_string(),
                platform: "IOS".into(),
                uploaded: newest - Duration::days(age) - Duration::minutes(n as i64 % 60),
                state: state.into(),
                expired: age > 90,
            }
        })
        .collect()
}

/// `preReleaseVersions` id of a version of an app.
fn version_id(b: &BuildRecord) -> String {
    format!("prv-{}-{}", b.app, b.version.replace(['.', ' '], "-"))
}

/// The fields of `kind` a sparse fieldset keeps (`None`: all).
fn fieldset(q: &std::collections::BTreeMap<String, String>, kind: &str) -> Option<Vec<String>> {
    q.get(&format!("fields[{kind}]"))
        .map(|f| f.split(',').map(str::to_owned).collect())
}

fn sparse(mut v: Value, wanted: &Option<Vec<String>>) -> Value {
    let Some(wanted) = wanted else { return v };
    for part in ["attributes", "relationships"] {
        if let Some(obj) = v[part].as_object_mut() {
            obj.retain(|k, _| wanted.contains(k));
            if obj.is_empty()
                && let Some(o) = v.as_object_mut()
            {
                o.remove(part);
            }
        }
    }
    v
}

fn build_resource(host: &str, b: &BuildRecord, include_version: bool) -> Value {
    let me = format!("http://{host}/v1/builds/{}", b.id);
    let mut rel = Map::new();
    for name in [
        "preReleaseVersion",
        "individualTesters",
        "betaGroups",
        "betaBuildLocalizations",
        "appEncryptionDeclaration",
        "betaAppReviewSubmission",
        "app",
        "buildBetaDetail",
        "appStoreVersion",
    ] {
        rel.insert(
            name.into(),
            json!({"links": {
                "self": format!("{me}/relationships/{name}"),
                "related": format!("{me}/{name}"),
            }}),
        );
    }
    if include_version {
        rel["preReleaseVersion"]["data"] =
            json!({"type": "preReleaseVersions", "id": version_id(b)});
    }
    let expires = b.uploaded + Duration::days(90);
    json!({
        "type": "builds",
        "id": b.id,
        "attributes": {
            "version": b.number,
            "uploadedDate": crate::dates::pacific(b.uploaded),
            "expirationDate": crate::dates::pacific(expires),
            "expired": b.expired,
            "minOsVersion": "16.0",
            "processingState": b.state,
            "buildAudienceType": "APP_STORE_ELIGIBLE",
            "usesNonExemptEncryption": false,
        },
        "relationships": rel,
        "links": { "self": me },
    })
}

fn version_resource(host: &str, b: &BuildRecord) -> Value {
    let id = version_id(b);
    let me = format!("http://{host}/v1/preReleaseVersions/{id}");
    json!({
        "type": "preReleaseVersions",
        "id": id,
        "attributes": { "version": b.version, "platform": b.platform },
        "relationships": {
            "builds": {"links": {"self": format!("{me}/relationships/builds"), "related": format!("{me}/builds")}},
            "app": {"links": {"self": format!("{me}/relationships/app"), "related": format!("{me}/app")}},
        },
        "links": { "self": me },
    })
}

/// `GET /v1/builds`.
pub(super) async fn list(
    State(state): State<Arc<MetricsState>>,
    Query(q): Params,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let (offset, limit) = match apple::page_params(uri.query().unwrap_or("")) {
        Ok(page) => page,
        Err(answer) => return answer,
    };
    let any_of = |name: &str| -> Option<Vec<String>> {
        q.get(name)
            .map(|v| v.split(',').map(str::to_owned).collect())
    };
    let (apps, versions, states, expired) = (
        any_of("filter[app]"),
        any_of("filter[preReleaseVersion.version]"),
        any_of("filter[processingState]"),
        any_of("filter[expired]"),
    );
    let include = q
        .get("include")
        .map(|i| i.split(',').map(str::to_owned).collect::<Vec<_>>())
        .unwrap_or_default();
    if let Some(bad) = include.iter().find(|i| *i != "preReleaseVersion") {
        return apple::bad_parameter("include", &format!("'{bad}' is not included here"));
    }
    let mut builds: Vec<BuildRecord> = state
        .builds()
        .into_iter()
        .filter(|b| apps.as_ref().is_none_or(|a| a.contains(&b.app)))
        .filter(|b| versions.as_ref().is_none_or(|v| v.contains(&b.version)))
        .filter(|b| states.as_ref().is_none_or(|s| s.contains(&b.state)))
        .filter(|b| {
            expired
                .as_ref()
                .is_none_or(|e| e.contains(&b.expired.to_string()))
        })
        .collect();
    match q.get("sort").map(String::as_str) {
        None | Some("uploadedDate") => builds.sort_by_key(|b| b.uploaded),
        Some("-uploadedDate") => builds.sort_by_key(|b| std::cmp::Reverse(b.uploaded)),
        Some(other) => {
            return apple::bad_parameter(
                "sort",
                &format!("'{other}' is not a sort this stand-in knows"),
            );
        }
    }
    let total = builds.len();
    let page: Vec<&BuildRecord> = builds.iter().skip(offset).take(limit).collect();
    let h = apple::host(&headers);
    let with_version = include.iter().any(|i| i == "preReleaseVersion");
    let (build_fields, version_fields) =
        (fieldset(&q, "builds"), fieldset(&q, "preReleaseVersions"));
    let data: Vec<Value> = page
        .iter()
        .map(|b| sparse(build_resource(&h, b, with_version), &build_fields))
        .collect();
    let mut doc = json!({
        "data": data,
        "links": apple::page_links(&headers, &uri, offset, limit, total),
        "meta": { "paging": { "total": total, "limit": limit } },
    });
    if with_version {
        let mut included: Vec<Value> = Vec::new();
        for b in &page {
            let v = sparse(version_resource(&h, b), &version_fields);
            if !included.iter().any(|i| i["id"] == v["id"]) {
                included.push(v);
            }
        }
        doc["included"] = Value::Array(included);
    }
    json_status(StatusCode::OK, doc)
}
