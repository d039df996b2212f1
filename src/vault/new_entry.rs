//! New entries as a command collects them ([`NewPassword`], [`NewApiKey`]),
//! validated and normalized into an [`Entry`] before
//! [`Document::add`](super::Document::add) takes them.

use super::credential;
use super::error::VaultError;
use super::format::{Entry, Kind};
use crate::secret::Secret;

/// A new app-specific password entry, before it is added.
#[derive(Debug)]
pub struct NewPassword {
    /// The label.
    pub label: String,
    /// The Apple ID.
    pub apple_id: String,
    /// The password as typed.
    pub password: Secret,
    /// Optional note.
    pub note: Option<String>,
    /// Store the password as typed, without Apple's format check.
    pub skip_format_check: bool,
}

/// A new API key entry, before it is added.
#[derive(Debug)]
pub struct NewApiKey {
    /// The label.
    pub label: String,
    /// The key id.
    pub key_id: String,
    /// The issuer id; `None` for an individual key.
    pub issuer_id: Option<String>,
    /// The `.p8` PEM text.
    pub private_key: Secret,
    /// Vendor number for reports.
    pub vendor_number: Option<String>,
    /// Optional note.
    pub note: Option<String>,
}

impl NewPassword {
    /// Validates and normalizes into an entry.
    pub fn into_entry(self) -> Result<Entry, VaultError> {
        credential::check_label(&self.label)?;
        let apple_id = self.apple_id.trim().to_owned();
        credential::check_apple_id(&apple_id)?;
        let password = if self.skip_format_check {
            if self.password.expose().trim().is_empty() {
                return Err(super::error::InvalidInput::PasswordFormat.into());
            }
            self.password
        } else {
            credential::normalize_app_password(&self.password)?
        };
        let mut entry = Entry::new(self.label, Kind::AppSpecificPassword);
        entry.apple_id = Some(apple_id);
        entry.password = Some(password);
        entry.format_check = !self.skip_format_check;
        entry.note = self.note.filter(|n| !n.is_empty());
        Ok(entry)
    }
}

impl NewApiKey {
    /// Validates and normalizes into an entry.
    pub fn into_entry(self) -> Result<Entry, VaultError> {
        credential::check_label(&self.label)?;
        let key_id = credential::normalize_key_id(&self.key_id)?;
        let issuer_id = self
            .issuer_id
            .as_deref()
            .map(credential::normalize_issuer_id)
            .transpose()?;
        let private_key = credential::normalize_private_key(&self.private_key)?;
        if let Some(v) = &self.vendor_number {
            credential::check_vendor_number(v)?;
        }
        let mut entry = Entry::new(self.label, Kind::ApiKey);
        entry.key_id = Some(key_id);
        entry.issuer_id = issuer_id;
        entry.private_key = Some(private_key);
        entry.vendor_number = self.vendor_number;
        entry.note = self.note.filter(|n| !n.is_empty());
        Ok(entry)
    }
}

/// A valid app-specific-password entry, for the vault's unit tests.
#[cfg(test)]
pub(crate) fn test_password_entry(label: &str) -> Entry {
    NewPassword {
        label: label.into(),
        apple_id: "dev@example.com".into(),
        password: Secret::from("abcd-efgh-ijkl-mnop"),
        note: None,
        skip_format_check: false,
    }
    .into_entry()
    .expect("a valid entry")
}
