//! Apps: listing them, and turning what the user typed after `--app` (a
//! numeric app id or a bundle id) into an app.

use serde::Serialize;

use super::client::{Client, PAGE_LIMIT};
use super::error::AscError;
use super::model::{App, ListDocument, SingleDocument};

/// An app as ascvault shows it (`--json` field names are a contract).
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct AppInfo {
    /// The numeric app id (Apple ID of the app).
    pub id: String,
    /// The name.
    pub name: String,
    /// The bundle id.
    pub bundle_id: String,
    /// The SKU.
    pub sku: String,
}

impl From<App> for AppInfo {
    fn from(a: App) -> Self {
        AppInfo {
            id: a.id,
            name: a.attributes.name.unwrap_or_default(),
            bundle_id: a.attributes.bundle_id.unwrap_or_default(),
            sku: a.attributes.sku.unwrap_or_default(),
        }
    }
}

const APP_FIELDS: &str = "fields[apps]=name,bundleId,sku";

/// Every app the key can see, all pages.
pub fn list(client: &Client) -> Result<Vec<AppInfo>, AscError> {
    let mut apps = Vec::new();
    client.for_each_page(
        &format!("/v1/apps?{APP_FIELDS}&limit={PAGE_LIMIT}"),
        |page: ListDocument<App>| {
            apps.extend(page.data.into_iter().map(AppInfo::from));
            true
        },
    )?;
    Ok(apps)
}

/// Why `--app` found nothing.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ResolveError {
    /// No app has that bundle id.
    #[error("no app with bundle id {0:?}")]
    UnknownBundleId(String),
    /// Not a numeric id and not a bundle id.
    #[error("{0:?} is neither a numeric app id nor a bundle id")]
    Malformed(String),
    /// App Store Connect failed.
    #[error(transparent)]
    Asc(#[from] AscError),
}

/// True for what looks like a numeric app id.
pub fn is_app_id(text: &str) -> bool {
    !text.is_empty() && text.len() <= 20 && text.bytes().all(|b| b.is_ascii_digit())
}

/// Resolves `--app`: a numeric id is fetched (`GET /v1/apps/{id}`), a bundle
/// id looked up with `filter[bundleId]` (exact match only).
pub fn resolve(client: &Client, app: &str) -> Result<AppInfo, ResolveError> {
    let app = app.trim();
    if is_app_id(app) {
        let doc: SingleDocument<App> = client.get(&format!("/v1/apps/{app}?{APP_FIELDS}"))?;
        return Ok(doc.data.into());
    }
    let bundle_ok = !app.is_empty()
        && app
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
    if !bundle_ok {
        return Err(ResolveError::Malformed(app.to_owned()));
    }
    let doc: ListDocument<App> = client.get(&format!(
        "/v1/apps?filter[bundleId]={app}&{APP_FIELDS}&limit={PAGE_LIMIT}"
    ))?;
    doc.data
        .into_iter()
        .map(AppInfo::from)
        .find(|a| a.bundle_id == app)
        .ok_or_else(|| ResolveError::UnknownBundleId(app.to_owned()))
}
