//! One credential: its fields in canonical order, its TOML table, and the
//! rules a stored entry must keep (spec/FORMAT.md §3.2).

use serde::Deserialize;

use super::{Exposure, Kind, Timestamp, restore_datetimes};
use crate::secret::Secret;
use crate::vault::credential;
use crate::vault::error::FormatError;

/// One credential. Field order here is the canonical order in the file.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Entry {
    /// Stable unique id (a UUID); survives relabelling.
    pub id: String,
    /// Unique (case-insensitively) human name, 1–64 printable characters.
    pub label: String,
    /// What the entry holds.
    pub kind: Kind,
    /// When it was added.
    pub created: Timestamp,
    /// Whether it has been revoked. Revocation is final.
    #[serde(default)]
    pub revoked: bool,
    /// When it was revoked; present exactly when `revoked`.
    #[serde(default)]
    pub revoked_at: Option<Timestamp>,
    /// Free text.
    #[serde(default)]
    pub note: Option<String>,
    /// Format 1.1: the developer team id (10 upper-case letters or digits),
    /// for tools that ask for one (`notarytool --team-id`, fastlane).
    #[serde(default)]
    pub team_id: Option<String>,
    /// Format 1.1: the provider short name (altool's `--asc-provider`).
    #[serde(default)]
    pub provider: Option<String>,
    /// Password entries: the Apple ID (email).
    #[serde(default)]
    pub apple_id: Option<String>,
    /// Password entries: `xxxx-xxxx-xxxx-xxxx`.
    #[serde(default)]
    pub password: Option<Secret>,
    /// Password entries: `false` when the password was stored as typed
    /// (`--no-format-check`); written only when false.
    #[serde(default = "yes")]
    pub format_check: bool,
    /// Key entries: the issuer id (absent for an individual key).
    #[serde(default)]
    pub issuer_id: Option<String>,
    /// Key entries: the 10-character key id.
    #[serde(default)]
    pub key_id: Option<String>,
    /// Key entries: the PKCS#8 PEM text of the `.p8`.
    #[serde(default)]
    pub private_key: Option<Secret>,
    /// Key entries: the vendor number for sales and finance reports.
    #[serde(default)]
    pub vendor_number: Option<String>,
    /// Format 1.2: members removed while the entry was in the vault, who
    /// could read it (spec/FORMAT.md §3.8). Only ever grows.
    #[serde(default)]
    pub exposed: Vec<Exposure>,
    /// Keys written by a newer minor version, kept as they were.
    #[serde(flatten)]
    pub extra: toml::Table,
}

impl Entry {
    /// A new active entry with a fresh id, created now.
    pub fn new(label: String, kind: Kind) -> Self {
        Entry {
            id: uuid::Uuid::new_v4().to_string(),
            label,
            kind,
            created: Timestamp::now(),
            revoked: false,
            revoked_at: None,
            note: None,
            team_id: None,
            provider: None,
            apple_id: None,
            password: None,
            format_check: true,
            issuer_id: None,
            key_id: None,
            private_key: None,
            vendor_number: None,
            exposed: Vec::new(),
            extra: toml::Table::new(),
        }
    }

    /// The account the entry belongs to: the Apple ID, or the key id.
    pub fn account(&self) -> &str {
        match self.kind {
            Kind::AppSpecificPassword => self.apple_id.as_deref().unwrap_or(""),
            Kind::ApiKey => self.key_id.as_deref().unwrap_or(""),
            Kind::Other(_) => "",
        }
    }

    /// The entry's secret (password or private key PEM), if it has one.
    pub fn secret(&self) -> Option<&Secret> {
        match self.kind {
            Kind::AppSpecificPassword => self.password.as_ref(),
            Kind::ApiKey => self.private_key.as_ref(),
            Kind::Other(_) => None,
        }
    }

    /// Marks the entry revoked now; a revoked entry keeps its first date.
    pub fn revoke(&mut self, at: Timestamp) {
        if !self.revoked {
            self.revoked = true;
            self.revoked_at = Some(at);
        }
    }

    /// The entry as a TOML table in canonical field order (spec §3.2).
    pub(super) fn to_table(&self) -> toml::Table {
        fn put(t: &mut toml::Table, key: &str, value: Option<toml::Value>) {
            if let Some(v) = value {
                t.insert(key.to_owned(), v);
            }
        }
        let text = |s: &Option<String>| s.as_ref().map(|s| toml::Value::String(s.clone()));
        let secret = |s: &Option<Secret>| {
            s.as_ref()
                .map(|s| toml::Value::String(s.expose().to_owned()))
        };
        let mut t = toml::Table::new();
        put(&mut t, "id", Some(self.id.clone().into()));
        put(&mut t, "label", Some(self.label.clone().into()));
        put(&mut t, "kind", Some(self.kind.as_str().into()));
        put(&mut t, "created", Some(self.created.to_toml()));
        put(&mut t, "revoked", Some(self.revoked.into()));
        put(&mut t, "revoked_at", self.revoked_at.map(|at| at.to_toml()));
        put(&mut t, "note", text(&self.note));
        put(&mut t, "team_id", text(&self.team_id));
        put(&mut t, "provider", text(&self.provider));
        put(&mut t, "apple_id", text(&self.apple_id));
        put(&mut t, "password", secret(&self.password));
        put(
            &mut t,
            "format_check",
            (!self.format_check).then_some(false.into()),
        );
        put(&mut t, "issuer_id", text(&self.issuer_id));
        put(&mut t, "key_id", text(&self.key_id));
        put(&mut t, "private_key", secret(&self.private_key));
        put(&mut t, "vendor_number", text(&self.vendor_number));
        put(
            &mut t,
            "exposed",
            (!self.exposed.is_empty())
                .then(|| toml::Value::Array(self.exposed.iter().map(Exposure::to_value).collect())),
        );
        for (k, v) in &self.extra {
            t.insert(k.clone(), restore_datetimes(v.clone()));
        }
        t
    }

    pub(super) fn check(&self, allow_unknown_kind: bool) -> Result<(), FormatError> {
        let invalid = |why: &str| FormatError::InvalidEntry {
            label: self.label.clone(),
            why: why.to_owned(),
        };
        credential::check_label(&self.label).map_err(|e| invalid(&e.to_string()))?;
        if self.id.is_empty() {
            return Err(invalid("empty id"));
        }
        if self.revoked != self.revoked_at.is_some() {
            return Err(invalid(
                "revoked_at must be present exactly when revoked = true",
            ));
        }
        if let Some(team) = &self.team_id {
            credential::normalize_team_id(team).map_err(|e| invalid(&e.to_string()))?;
        }
        if let Some(provider) = &self.provider {
            credential::check_provider(provider).map_err(|e| invalid(&e.to_string()))?;
        }
        match &self.kind {
            Kind::AppSpecificPassword => {
                let apple_id = self
                    .apple_id
                    .as_deref()
                    .ok_or_else(|| invalid("missing apple_id"))?;
                credential::check_apple_id(apple_id).map_err(|e| invalid(&e.to_string()))?;
                let password = self
                    .password
                    .as_ref()
                    .ok_or_else(|| invalid("missing password"))?;
                if password.is_empty() {
                    return Err(invalid("empty password"));
                }
                if self.format_check && !credential::is_canonical_app_password(password) {
                    return Err(invalid(
                        "the password is not in Apple's form xxxx-xxxx-xxxx-xxxx (and format_check is not false)",
                    ));
                }
            }
            Kind::ApiKey => {
                let key_id = self
                    .key_id
                    .as_deref()
                    .ok_or_else(|| invalid("missing key_id"))?;
                credential::normalize_key_id(key_id).map_err(|e| invalid(&e.to_string()))?;
                if let Some(issuer) = &self.issuer_id {
                    credential::normalize_issuer_id(issuer).map_err(|e| invalid(&e.to_string()))?;
                }
                if self.private_key.as_ref().is_none_or(Secret::is_empty) {
                    return Err(invalid("missing private_key"));
                }
                if let Some(v) = &self.vendor_number {
                    credential::check_vendor_number(v).map_err(|e| invalid(&e.to_string()))?;
                }
            }
            Kind::Other(kind) if !allow_unknown_kind => {
                return Err(invalid(&format!("unknown kind {kind:?}")));
            }
            Kind::Other(_) => {}
        }
        Ok(())
    }
}

fn yes() -> bool {
    true
}
