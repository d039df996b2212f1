//! New entries as a command collects them ([`NewPassword`], [`NewApiKey`]),
//! validated and normalized into an [`Entry`] before
//! [`Document::add`](super::Document::add) takes them; and changes to the
//! non-secret fields of an entry ([`EntryEdit`], for
//! [`Document::edit`](super::Document::edit)).

use super::credential;
use super::error::{InvalidInput, VaultError};
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

/// A change to an entry's non-secret fields: `None` leaves a field alone,
/// an empty text clears an optional one. Every value is validated as `add`
/// validates it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EntryEdit {
    /// Password entries: the Apple ID.
    pub apple_id: Option<String>,
    /// Key entries: the issuer id; empty makes it an individual key.
    pub issuer_id: Option<String>,
    /// Key entries: the key id.
    pub key_id: Option<String>,
    /// Key entries: the vendor number; empty clears it.
    pub vendor_number: Option<String>,
    /// The team id; empty clears it.
    pub team_id: Option<String>,
    /// The provider short name; empty clears it.
    pub provider: Option<String>,
    /// The note; empty clears it.
    pub note: Option<String>,
}

impl EntryEdit {
    /// True when it changes nothing.
    pub fn is_empty(&self) -> bool {
        *self == EntryEdit::default()
    }

    /// The edit with every value checked and normalized; what does not
    /// depend on the entry fails here, before the vault is opened.
    pub fn normalized(&self) -> Result<EntryEdit, InvalidInput> {
        fn optional(
            value: &Option<String>,
            check: impl Fn(&str) -> Result<String, InvalidInput>,
        ) -> Result<Option<String>, InvalidInput> {
            value
                .as_deref()
                .map(|v| {
                    if v.is_empty() {
                        Ok(String::new())
                    } else {
                        check(v)
                    }
                })
                .transpose()
        }
        Ok(EntryEdit {
            apple_id: self
                .apple_id
                .as_deref()
                .map(|a| {
                    let a = a.trim();
                    credential::check_apple_id(a).map(|()| a.to_owned())
                })
                .transpose()?,
            issuer_id: optional(&self.issuer_id, credential::normalize_issuer_id)?,
            key_id: self
                .key_id
                .as_deref()
                .map(credential::normalize_key_id)
                .transpose()?,
            vendor_number: optional(&self.vendor_number, |v| {
                credential::check_vendor_number(v).map(|()| v.to_owned())
            })?,
            team_id: optional(&self.team_id, credential::normalize_team_id)?,
            provider: optional(&self.provider, |p| {
                credential::check_provider(p).map(|()| p.to_owned())
            })?,
            note: self.note.clone(),
        })
    }

    /// Applies the edit to `entry` (all or nothing); returns the names of
    /// the fields whose value changed, as in the file.
    pub(crate) fn apply(&self, entry: &mut Entry) -> Result<Vec<&'static str>, VaultError> {
        let edit = self.normalized()?;
        let wrong = |why: &'static str| InvalidInput::WrongKind {
            label: entry.label.clone(),
            kind: entry.kind.to_string(),
            why,
        };
        let is_key = entry.kind == Kind::ApiKey;
        if edit.apple_id.is_some() && entry.kind != Kind::AppSpecificPassword {
            return Err(wrong("an Apple ID belongs to app-specific-password entries").into());
        }
        if !is_key
            && (edit.issuer_id.is_some() || edit.key_id.is_some() || edit.vendor_number.is_some())
        {
            return Err(
                wrong("issuer ids, key ids and vendor numbers belong to api-key entries").into(),
            );
        }
        let mut changed = Vec::new();
        let mut set = |name: &'static str, field: &mut Option<String>, value: Option<String>| {
            if let Some(v) = value {
                let v = (!v.is_empty()).then_some(v);
                if *field != v {
                    *field = v;
                    changed.push(name);
                }
            }
        };
        set("apple_id", &mut entry.apple_id, edit.apple_id);
        set("issuer_id", &mut entry.issuer_id, edit.issuer_id);
        set("key_id", &mut entry.key_id, edit.key_id);
        set(
            "vendor_number",
            &mut entry.vendor_number,
            edit.vendor_number,
        );
        set("team_id", &mut entry.team_id, edit.team_id);
        set("provider", &mut entry.provider, edit.provider);
        set("note", &mut entry.note, edit.note);
        Ok(changed)
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
