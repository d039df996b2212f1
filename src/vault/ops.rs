//! Changes to a document that keep its invariants: unique labels, revocation
//! only moving forward, validated credentials.

use super::credential;
use super::error::VaultError;
use super::format::{Document, Entry, Kind, Timestamp};
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

impl Document {
    /// Adds an entry; its label must be free.
    pub fn add(&mut self, entry: Entry) -> Result<&Entry, VaultError> {
        credential::check_label(&entry.label)?;
        if self.position(&entry.label).is_some() {
            return Err(VaultError::LabelTaken { label: entry.label });
        }
        // Entries are kept in the order they were added (spec/FORMAT.md §3).
        self.entries.push(entry);
        Ok(self.entries.last().expect("just pushed"))
    }

    /// The entry, or `NoSuchEntry`.
    pub fn get(&self, label: &str) -> Result<&Entry, VaultError> {
        self.find(label).ok_or_else(|| VaultError::NoSuchEntry {
            label: label.to_owned(),
        })
    }

    /// The entry if it may be used: exists, not revoked, of a known kind.
    pub fn usable(&self, label: &str) -> Result<&Entry, VaultError> {
        let entry = self.get(label)?;
        if entry.revoked {
            return Err(VaultError::Revoked {
                label: entry.label.clone(),
            });
        }
        if let Kind::Other(kind) = &entry.kind {
            return Err(VaultError::UnsupportedKind {
                label: entry.label.clone(),
                kind: kind.clone(),
            });
        }
        Ok(entry)
    }

    /// Revokes one entry. Returns false if it was revoked already.
    pub fn revoke(&mut self, label: &str, at: Timestamp) -> Result<bool, VaultError> {
        let entry = self
            .find_mut(label)
            .ok_or_else(|| VaultError::NoSuchEntry {
                label: label.to_owned(),
            })?;
        let was = entry.revoked;
        entry.revoke(at);
        Ok(!was)
    }

    /// Revokes every active entry; returns how many changed.
    pub fn revoke_all(&mut self, at: Timestamp) -> usize {
        let mut n = 0;
        for e in self.entries.iter_mut().filter(|e| !e.revoked) {
            e.revoke(at);
            n += 1;
        }
        n
    }

    /// Deletes an entry for good.
    pub fn remove(&mut self, label: &str) -> Result<Entry, VaultError> {
        let i = self
            .position(label)
            .ok_or_else(|| VaultError::NoSuchEntry {
                label: label.to_owned(),
            })?;
        Ok(self.entries.remove(i))
    }

    /// Renames an entry; its id stays.
    pub fn relabel(&mut self, old: &str, new: &str) -> Result<(), VaultError> {
        credential::check_label(new)?;
        let i = self.position(old).ok_or_else(|| VaultError::NoSuchEntry {
            label: old.to_owned(),
        })?;
        if let Some(j) = self.position(new)
            && j != i
        {
            return Err(VaultError::LabelTaken {
                label: new.to_owned(),
            });
        }
        self.entries[i].label = new.to_owned();
        Ok(())
    }

    /// Sets (or with an empty text, clears) an entry's note.
    pub fn set_note(&mut self, label: &str, note: &str) -> Result<(), VaultError> {
        let entry = self
            .find_mut(label)
            .ok_or_else(|| VaultError::NoSuchEntry {
                label: label.to_owned(),
            })?;
        entry.note = if note.is_empty() {
            None
        } else {
            Some(note.to_owned())
        };
        Ok(())
    }
}
