//! Apps: listing them, and turning what the user typed after `--app` (a
//! numeric app id, a bundle id or an exact app name) into an app.

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

/// Why `--app` found nothing, or more than one app.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ResolveError {
    /// No app has that bundle id or that name.
    #[error("no app has the bundle id or the name {0:?}")]
    Unknown(String),
    /// Several apps have that name.
    #[error("{count} apps are named {name:?}: {}", listing(apps, *count))]
    Ambiguous {
        /// The name given.
        name: String,
        /// How many apps have it.
        count: usize,
        /// The apps with exactly that name (at most [`MAX_LISTED`]).
        apps: Vec<AppInfo>,
    },
    /// Empty, too long, or holding control characters.
    #[error("{0:?} is neither a numeric app id, a bundle id nor an app name")]
    Malformed(String),
    /// App Store Connect failed.
    #[error(transparent)]
    Asc(#[from] AscError),
}

/// Apps named in one error at most (the rest are counted, not listed).
pub const MAX_LISTED: usize = 10;

/// Characters of a server's app name or bundle id kept in an error.
const MAX_SHOWN: usize = 60;

/// `1234567890 (com.example.a), 1234567891 (com.example.b)`: id and bundle
/// id, each cut to [`MAX_SHOWN`] characters (they come from the server),
/// and how many more there are than listed.
fn listing(apps: &[AppInfo], count: usize) -> String {
    let mut text = apps
        .iter()
        .map(|a| format!("{} ({})", cut(&a.id), cut(&a.bundle_id)))
        .collect::<Vec<_>>()
        .join(", ");
    if count > apps.len() {
        text.push_str(&format!(" and {} more", count - apps.len()));
    }
    text
}

fn cut(text: &str) -> String {
    match text.char_indices().nth(MAX_SHOWN) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}

/// Characters an app name may have (Apple's limit is 30; room to spare).
const MAX_NAME: usize = 200;

/// True for what looks like a numeric app id.
pub fn is_app_id(text: &str) -> bool {
    !text.is_empty() && text.len() <= 20 && text.bytes().all(|b| b.is_ascii_digit())
}

/// True for what may be a bundle id (letters, digits, `.`, `-`, `_`).
fn is_bundle_id(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= MAX_NAME
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
}

/// Resolves `--app`: a numeric id is fetched (`GET /v1/apps/{id}`); other
/// text is first looked up as a bundle id with `filter[bundleId]` (exact
/// match only), then as an app name: every app the key sees is listed and
/// compared exactly (case and spaces count, surrounding spaces aside), so
/// how Apple's `filter[name]` matches does not matter. Several apps with
/// that name are [`ResolveError::Ambiguous`].
pub fn resolve(client: &Client, app: &str) -> Result<AppInfo, ResolveError> {
    let app = app.trim();
    if is_app_id(app) {
        let doc: SingleDocument<App> = client.get(&format!("/v1/apps/{app}?{APP_FIELDS}"))?;
        return Ok(doc.data.into());
    }
    if app.is_empty() || app.chars().count() > MAX_NAME || app.chars().any(char::is_control) {
        return Err(ResolveError::Malformed(app.to_owned()));
    }
    if is_bundle_id(app) {
        let doc: ListDocument<App> = client.get(&format!(
            "/v1/apps?filter[bundleId]={app}&{APP_FIELDS}&limit={PAGE_LIMIT}"
        ))?;
        if let Some(found) = doc
            .data
            .into_iter()
            .map(AppInfo::from)
            .find(|a| a.bundle_id == app)
        {
            return Ok(found);
        }
    }
    by_name(list(client)?, app)
}

/// The one app called `name` among `apps`.
fn by_name(apps: Vec<AppInfo>, name: &str) -> Result<AppInfo, ResolveError> {
    let mut named: Vec<AppInfo> = apps.into_iter().filter(|a| a.name.trim() == name).collect();
    match named.len() {
        0 => Err(ResolveError::Unknown(name.to_owned())),
        1 => Ok(named.remove(0)),
        count => {
            named.truncate(MAX_LISTED);
            Err(ResolveError::Ambiguous {
                name: name.to_owned(),
                count,
                apps: named,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app(id: &str, name: &str, bundle: &str) -> AppInfo {
        AppInfo {
            id: id.into(),
            name: name.into(),
            bundle_id: bundle.into(),
            sku: String::new(),
        }
    }

    #[test]
    fn a_name_matches_exactly_once() {
        let apps = vec![app("1", "Notes", "a.b"), app("2", "notes", "a.c")];
        assert_eq!(by_name(apps.clone(), "Notes").unwrap().id, "1");
        assert!(matches!(
            by_name(apps, "NOTES"),
            Err(ResolveError::Unknown(n)) if n == "NOTES"
        ));
    }

    #[test]
    fn several_apps_of_one_name_are_listed_with_server_text_cut() {
        let long = "x".repeat(500);
        let apps: Vec<AppInfo> = (0..15)
            .map(|i| app(&i.to_string(), "Same", &long))
            .collect();
        let err = by_name(apps, "Same").unwrap_err();
        let text = err.to_string();
        assert!(
            text.starts_with("15 apps are named \"Same\": 0 ("),
            "{text}"
        );
        assert!(text.ends_with(" and 5 more"), "{text}");
        assert!(text.len() < 1000, "{}", text.len());
        assert!(
            text.contains(&format!("{}…", "x".repeat(MAX_SHOWN))),
            "{text}"
        );
    }
}
