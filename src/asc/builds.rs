//! Builds of an app, newest upload first, with the version each belongs
//! to: the ids `metrics perf --build` and `metrics diagnostics --build`
//! take. One listing, `GET /v1/builds?filter[app]=…`, with each build's
//! `preReleaseVersion` included (a build's own `version` attribute is its
//! build number, `CFBundleVersion`; the version users see,
//! `CFBundleShortVersionString`, is the pre-release version's).

use serde::{Deserialize, Serialize};

use super::client::{Client, PAGE_LIMIT};
use super::error::AscError;
use super::model::{ListDocument, Resource, ToOne};
use super::path_id;

/// `Build.attributes` (the fields ascvault shows).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BuildAttributes {
    /// The build number (`CFBundleVersion`), e.g. `230`.
    #[serde(default)]
    pub version: Option<String>,
    /// When it was uploaded (RFC 3339).
    #[serde(default)]
    pub uploaded_date: Option<String>,
    /// `PROCESSING`, `FAILED`, `INVALID` or `VALID`.
    #[serde(default)]
    pub processing_state: Option<String>,
    /// Whether it expired (TestFlight builds expire after 90 days).
    #[serde(default)]
    pub expired: Option<bool>,
}

/// `Build.relationships` (the one ascvault reads).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BuildRelationships {
    /// The version the build belongs to (data only when included).
    #[serde(default)]
    pub pre_release_version: Option<ToOne>,
}

/// `PrereleaseVersion.attributes`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PreReleaseVersionAttributes {
    /// The version (`CFBundleShortVersionString`), e.g. `2.3`.
    #[serde(default)]
    pub version: Option<String>,
    /// `IOS`, `MAC_OS`, `TV_OS`, `VISION_OS`.
    #[serde(default)]
    pub platform: Option<String>,
}

/// A `builds` resource.
pub type Build = Resource<BuildAttributes, BuildRelationships>;

/// A build as ascvault shows it (`--json` field names are a contract).
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct BuildInfo {
    /// The build id (what `--build` takes).
    pub id: String,
    /// The version users see (`CFBundleShortVersionString`), empty when
    /// Apple did not say.
    pub version: String,
    /// The build number (`CFBundleVersion`).
    pub build_number: String,
    /// The platform of its version (`IOS`, `MAC_OS`, …), empty when unknown.
    pub platform: String,
    /// When it was uploaded, as Apple wrote it (RFC 3339).
    pub uploaded: String,
    /// `PROCESSING`, `FAILED`, `INVALID` or `VALID`, as Apple wrote it.
    pub processing_state: String,
    /// Whether it expired; `null` when Apple did not say.
    pub expired: Option<bool>,
}

/// Which builds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Query {
    /// Only builds of this version (`filter[preReleaseVersion.version]`).
    pub version: Option<String>,
    /// At most this many, newest first (`None`: every page).
    pub max: Option<usize>,
}

/// True for a version ascvault sends as `filter[preReleaseVersion.version]`:
/// 1 to 64 ASCII letters, digits, `.`, `-`, `_` (nothing to escape in a
/// query).
pub fn is_version(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 64
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
}

/// The first request of the listing of `app_id`'s builds.
pub fn first_page(app_id: &str, query: &Query) -> Result<String, AscError> {
    let app = path_id("app id", app_id)?;
    let limit = query.max.unwrap_or(PAGE_LIMIT).clamp(1, PAGE_LIMIT);
    let mut path = format!(
        "/v1/builds?filter[app]={app}&include=preReleaseVersion\
         &fields[builds]=version,uploadedDate,processingState,expired,preReleaseVersion\
         &fields[preReleaseVersions]=version,platform&sort=-uploadedDate&limit={limit}"
    );
    if let Some(v) = &query.version {
        if !is_version(v) {
            return Err(AscError::BadId(format!(
                "version {:?} is not a version (letters, digits, '.', '-', '_')",
                v.escape_debug().to_string()
            )));
        }
        path.push_str(&format!("&filter[preReleaseVersion.version]={v}"));
    }
    Ok(path)
}

/// The app's builds, newest upload first (Apple's order, `sort=-uploadedDate`).
pub fn list(client: &Client, app_id: &str, query: &Query) -> Result<Vec<BuildInfo>, AscError> {
    let first = first_page(app_id, query)?;
    let max = query.max.unwrap_or(usize::MAX);
    let mut out = Vec::new();
    client.for_each_page(
        &first,
        |page: ListDocument<Build, Resource<PreReleaseVersionAttributes>>| {
            out.extend(of_page(page).into_iter().take(max - out.len()));
            out.len() < max
        },
    )?;
    Ok(out)
}

/// The builds of one page, each with its included version.
fn of_page(page: ListDocument<Build, Resource<PreReleaseVersionAttributes>>) -> Vec<BuildInfo> {
    let versions = page.included;
    page.data
        .into_iter()
        .map(|b| {
            let related = b
                .relationships
                .as_ref()
                .and_then(|r| r.pre_release_version.as_ref())
                .and_then(|r| r.data.as_ref())
                .and_then(|d| {
                    versions
                        .iter()
                        .find(|v| v.kind == "preReleaseVersions" && v.id == d.id)
                });
            let a = b.attributes;
            BuildInfo {
                id: b.id,
                version: related
                    .and_then(|v| v.attributes.version.clone())
                    .unwrap_or_default(),
                platform: related
                    .and_then(|v| v.attributes.platform.clone())
                    .unwrap_or_default(),
                build_number: a.version.unwrap_or_default(),
                uploaded: a.uploaded_date.unwrap_or_default(),
                processing_state: a.processing_state.unwrap_or_default(),
                expired: a.expired,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// fastlane's recorded `GET /v1/builds` body (two builds, relationships
    /// with links only, an extra `qcState`, `-07:00` dates), cut down, plus
    /// an included version for the first build only.
    const RECORDED: &str = r#"{
      "data": [
        {"type": "builds", "id": "123456789",
         "attributes": {"version": "225", "uploadedDate": "2019-04-30T17:16:21-07:00",
                        "expired": false, "processingState": "VALID", "qcState": "BETA_INTERNAL_TESTING"},
         "relationships": {"preReleaseVersion": {"data": {"type": "preReleaseVersions", "id": "pv1"},
                           "links": {"self": "https://x/v1/builds/123456789/relationships/preReleaseVersion"}}},
         "links": {"self": "https://x/v1/builds/123456789"}},
        {"type": "builds", "id": "987654321",
         "attributes": {"version": "221", "uploadedDate": "2019-04-10T20:55:48-07:00", "processingState": "VALID"},
         "relationships": {"preReleaseVersion": {"links": {"related": "https://x/v1/builds/987654321/preReleaseVersion"}}}}
      ],
      "included": [{"type": "preReleaseVersions", "id": "pv1", "attributes": {"version": "2.0", "platform": "IOS"}}],
      "links": {"self": "https://x/v1/builds?limit=2", "next": "https://x/v1/builds?cursor=Ag&limit=2"},
      "meta": {"paging": {"total": 157, "limit": 2}}
    }"#;

    #[test]
    fn a_recorded_page_reads_with_and_without_its_version() {
        let page = serde_json::from_str(RECORDED).unwrap();
        let builds = of_page(page);
        assert_eq!(builds.len(), 2);
        assert_eq!(builds[0].id, "123456789");
        assert_eq!(builds[0].version, "2.0");
        assert_eq!(builds[0].platform, "IOS");
        assert_eq!(builds[0].build_number, "225");
        assert_eq!(builds[0].uploaded, "2019-04-30T17:16:21-07:00");
        assert_eq!(builds[0].expired, Some(false));
        // No included version: shown empty, the build still listed.
        assert_eq!(builds[1].version, "");
        assert_eq!(builds[1].expired, None);
    }

    #[test]
    fn the_first_request_checks_the_app_and_the_version() {
        let q = Query {
            version: Some("2.3".into()),
            max: Some(5),
        };
        let path = first_page("1234567890", &q).unwrap();
        assert!(
            path.starts_with("/v1/builds?filter[app]=1234567890&"),
            "{path}"
        );
        assert!(path.contains("&limit=5"), "{path}");
        assert!(
            path.ends_with("&filter[preReleaseVersion.version]=2.3"),
            "{path}"
        );
        assert!(first_page("../x", &Query::default()).is_err());
        let bad = Query {
            version: Some("2.3&filter[app]=1".into()),
            max: None,
        };
        assert!(first_page("1", &bad).is_err());
        assert!(
            first_page("1", &Query::default())
                .unwrap()
                .contains("limit=200")
        );
    }
}
