//! The whole plaintext document: parsing and validation, canonical output,
//! lookup by label, and the changes that keep its invariants (unique labels,
//! revocation only moving forward, validated labels). Everything `Document`
//! does is here.

use std::collections::HashSet;

use serde::Deserialize;
use zeroize::Zeroizing;

use super::version::check_head;
use super::{
    BASE_VERSION, CURRENT_VERSION, Entry, FORMAT_TAG, FingerprintKey, Kind, Member, RevokedSecrets,
    TEAM_VERSION, Timestamp, Tombstone, Version, restore_datetimes,
};
use crate::vault::credential;
use crate::vault::error::{FormatError, InvalidInput, VaultError};
use crate::vault::new_entry::EntryEdit;

/// The whole plaintext document.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Document {
    /// Always `ascvault`.
    pub format: String,
    /// The format version the file was last written with.
    pub version: Version,
    /// The key of password fingerprints in diffs (format 1.1; spec/MERGE.md
    /// §2.2). Absent in a 1.0 file until its first rewrite.
    #[serde(default)]
    pub fingerprint_key: Option<FingerprintKey>,
    /// Format 1.1: the id of the api-key entry App Store Connect commands
    /// use when none is named; see [`Document::default_api_key`].
    #[serde(default)]
    pub default_api_key: Option<String>,
    /// Top-level keys written by a newer minor version, kept as they were.
    #[serde(flatten)]
    pub extra: toml::Table,
    /// The entries.
    #[serde(default, rename = "entry")]
    pub entries: Vec<Entry>,
    /// Format 1.2: a team vault's members, whose recipients the container
    /// is encrypted to (spec/FORMAT.md §3.7). Empty in a passphrase vault.
    #[serde(default, rename = "member")]
    pub members: Vec<Member>,
    /// Format 1.2: tombstones of entries removed from a team vault
    /// (spec/FORMAT.md §3.9).
    #[serde(default, rename = "removed")]
    pub removed: Vec<Tombstone>,
}

impl Default for Document {
    fn default() -> Self {
        Document {
            format: FORMAT_TAG.to_owned(),
            version: BASE_VERSION,
            fingerprint_key: None,
            default_api_key: None,
            extra: toml::Table::new(),
            entries: Vec::new(),
            members: Vec::new(),
            removed: Vec::new(),
        }
    }
}

/// Texts this long are parsed in pieces ([`super::split`]); below it a
/// single parse is as fast.
pub(super) const SPLIT_MIN_BYTES: usize = 64 * 1024;
/// About how much text each piece of a split parse holds.
const SPLIT_PIECE_BYTES: usize = 32 * 1024;

/// Just the keys needed to decide whether the rest can be read.
#[derive(Deserialize)]
struct Head {
    format: Option<toml::Value>,
    version: Option<toml::Value>,
}

impl Document {
    /// Parses and validates a plaintext.
    ///
    /// Texts of 64 KiB and more are cut at their `[[entry]]` lines and the
    /// pieces parsed on up to as many threads as there are cores (scoped:
    /// none outlives the call); the result is the same as one parse.
    pub fn parse(text: &str) -> Result<Document, FormatError> {
        if text.len() >= SPLIT_MIN_BYTES {
            let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
            if let Some(result) = Self::parse_split(text, SPLIT_PIECE_BYTES, threads) {
                return result;
            }
        }
        Self::parse_whole(text)
    }

    /// [`Document::parse`] of a text cut into pieces of about `piece_bytes`
    /// parsed on up to `threads` threads; `None` when the text cannot be cut
    /// safely. Public for the fuzz targets, which check it agrees with
    /// [`Document::parse_whole`].
    #[doc(hidden)]
    pub fn parse_split(
        text: &str,
        piece_bytes: usize,
        threads: usize,
    ) -> Option<Result<Document, FormatError>> {
        let doc = super::split::parse(text, piece_bytes, threads)?;
        Some(doc.checked())
    }

    /// [`Document::parse`] without the split: one `toml` parse of the whole
    /// text. Public for the fuzz targets, which compare the two.
    #[doc(hidden)]
    pub fn parse_whole(text: &str) -> Result<Document, FormatError> {
        match toml::from_str::<Document>(text) {
            Ok(doc) => doc.checked(),
            Err(err) => {
                // Say "newer version" rather than a schema error when that is the cause.
                if let Ok(head) = toml::from_str::<Head>(text) {
                    let format = match head.format {
                        Some(toml::Value::String(s)) => s,
                        Some(_) => String::from("(not a string)"),
                        None => String::from("(missing)"),
                    };
                    if format != FORMAT_TAG {
                        return Err(FormatError::NotAscvault { found: format });
                    }
                    if let Some(toml::Value::String(v)) = head.version {
                        match Version::parse(&v) {
                            None => return Err(FormatError::BadVersion { found: v }),
                            Some(found) => check_head(FORMAT_TAG, found)?,
                        }
                    }
                }
                Err(toml_error(text, &err))
            }
        }
    }

    fn checked(self) -> Result<Document, FormatError> {
        check_head(&self.format, self.version)?;
        self.check()?;
        Ok(self)
    }

    fn check(&self) -> Result<(), FormatError> {
        let allow_unknown_kind = self.version > CURRENT_VERSION;
        let mut labels = HashSet::with_capacity(self.entries.len());
        let mut ids = HashSet::with_capacity(self.entries.len());
        for e in &self.entries {
            e.check(allow_unknown_kind)?;
            if !labels.insert(e.label.to_lowercase()) {
                return Err(FormatError::DuplicateLabel {
                    label: e.label.clone(),
                });
            }
            if !ids.insert(e.id.as_str()) {
                return Err(FormatError::DuplicateId { id: e.id.clone() });
            }
        }
        let mut names = HashSet::with_capacity(self.members.len());
        let mut recipients = HashSet::with_capacity(self.members.len());
        for m in &self.members {
            m.check()?;
            if !names.insert(m.name.to_lowercase()) || !recipients.insert(m.recipient.as_str()) {
                return Err(FormatError::DuplicateMember {
                    name: m.name.clone(),
                });
            }
        }
        for t in &self.removed {
            t.check()?;
        }
        Ok(())
    }

    /// Whether the document uses anything of format 1.2: members,
    /// tombstones or exposure records.
    fn uses_team_format(&self) -> bool {
        !self.members.is_empty()
            || !self.removed.is_empty()
            || self.entries.iter().any(|e| !e.exposed.is_empty())
    }

    /// Canonical plaintext bytes (zeroized on drop).
    ///
    /// The version written is ours, or the file's when that is a newer minor:
    /// writers never downgrade.
    pub fn to_canonical(&self) -> Zeroizing<String> {
        // Built as a table rather than through `#[derive(Serialize)]`: with
        // the flattened `extra`, toml's serializer does not keep the order of
        // `[[entry]]` tables (seen with toml 1.2; pinned by a test below).
        let mut top = toml::Table::new();
        top.insert("format".into(), FORMAT_TAG.into());
        let needed = if self.uses_team_format() {
            TEAM_VERSION
        } else {
            BASE_VERSION
        };
        top.insert(
            "version".into(),
            self.version.max(needed).to_string().into(),
        );
        if let Some(key) = &self.fingerprint_key {
            top.insert("fingerprint_key".into(), key.to_base64().into());
        }
        // A default that names no active api-key entry is not written.
        if let Some(e) = self.default_api_key() {
            top.insert("default_api_key".into(), e.id.clone().into());
        }
        for (k, v) in &self.extra {
            top.insert(k.clone(), restore_datetimes(v.clone()));
        }
        if !self.entries.is_empty() {
            let entries = self
                .entries
                .iter()
                .map(|e| toml::Value::Table(e.to_table()))
                .collect();
            top.insert("entry".into(), toml::Value::Array(entries));
        }
        if !self.members.is_empty() {
            let members = self
                .members
                .iter()
                .map(|m| toml::Value::Table(m.to_table()))
                .collect();
            top.insert("member".into(), toml::Value::Array(members));
        }
        if !self.removed.is_empty() {
            let removed = self
                .removed
                .iter()
                .map(|t| toml::Value::Table(t.to_table()))
                .collect();
            top.insert("removed".into(), toml::Value::Array(removed));
        }
        let text = Zeroizing::new(toml::to_string(&top).unwrap_or_default());
        // The table held copies of the secrets: wipe them.
        wipe_strings(&mut top);
        text
    }

    /// Gives the document a fresh fingerprint key unless it has one. Every
    /// write calls it, so a 1.0 file gets its key on its first rewrite.
    pub fn ensure_fingerprint_key(&mut self) {
        self.fingerprint_key
            .get_or_insert_with(FingerprintKey::generate);
    }

    /// The entry with this label (case-insensitive).
    pub fn find(&self, label: &str) -> Option<&Entry> {
        let i = self.position(label)?;
        Some(&self.entries[i])
    }

    /// Mutable access to the entry with this label (case-insensitive).
    pub fn find_mut(&mut self, label: &str) -> Option<&mut Entry> {
        let i = self.position(label)?;
        Some(&mut self.entries[i])
    }

    /// Whether this is a team vault's document: it lists members.
    pub fn is_team(&self) -> bool {
        !self.members.is_empty()
    }

    /// The member with this name (ignoring case).
    pub fn member(&self, name: &str) -> Option<&Member> {
        self.members
            .iter()
            .find(|m| m.name.eq_ignore_ascii_case(name))
    }

    /// Adds a member. Its name must be new (ignoring case) and its recipient
    /// must not be another member's. The next write encrypts to it too.
    pub fn add_member(&mut self, member: Member) -> Result<(), VaultError> {
        super::check_member_name(&member.name)?;
        member.recipient()?;
        if let Some(m) = self.member(&member.name) {
            return Err(VaultError::MemberExists {
                name: m.name.clone(),
            });
        }
        if let Some(m) = self
            .members
            .iter()
            .find(|m| m.recipient == member.recipient)
        {
            return Err(VaultError::RecipientTaken {
                name: m.name.clone(),
            });
        }
        self.members.push(member);
        Ok(())
    }

    /// Removes a member; the last one is refused (a team vault nobody can
    /// open). Marking what they could read exposed is the caller's choice
    /// ([`Document::mark_exposed`]).
    pub fn remove_member(&mut self, name: &str) -> Result<Member, VaultError> {
        let i = self
            .members
            .iter()
            .position(|m| m.name.eq_ignore_ascii_case(name))
            .ok_or_else(|| VaultError::NoSuchMember {
                name: name.to_owned(),
            })?;
        if self.members.len() == 1 {
            return Err(VaultError::LastMember {
                name: self.members[i].name.clone(),
            });
        }
        Ok(self.members.remove(i))
    }

    /// Records that `member` (removed at `at`) could read the entry or
    /// tombstone with this id. Returns whether the id was found. A member
    /// already recorded keeps their earliest date.
    pub fn mark_exposed(&mut self, id: &str, member: &str, at: Timestamp) -> bool {
        let record = super::Exposure {
            member: member.to_owned(),
            at,
        };
        let list = if let Some(e) = self.entries.iter_mut().find(|e| e.id == id) {
            &mut e.exposed
        } else if let Some(t) = self.removed.iter_mut().find(|t| t.id == id) {
            &mut t.exposed
        } else {
            return false;
        };
        list.push(record);
        super::normalize_exposures(list);
        true
    }

    /// Index of the entry with this label (case-insensitive).
    pub fn position(&self, label: &str) -> Option<usize> {
        let wanted = label.to_lowercase();
        self.entries
            .iter()
            .position(|e| e.label.to_lowercase() == wanted)
    }
}

fn wipe_strings(table: &mut toml::Table) {
    fn wipe(value: &mut toml::Value) {
        match value {
            toml::Value::String(s) => zeroize::Zeroize::zeroize(s),
            toml::Value::Array(items) => items.iter_mut().for_each(wipe),
            toml::Value::Table(t) => wipe_strings(t),
            _ => {}
        }
    }
    table.iter_mut().for_each(|(_, v)| wipe(v));
}

/// Turns a TOML error into a line number and a message with every quoted
/// value removed: the plaintext holds secrets, and parser messages quote input.
fn toml_error(text: &str, err: &toml::de::Error) -> FormatError {
    let line = err
        .span()
        .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1)
        .unwrap_or(0);
    let mut message = String::new();
    let mut quote: Option<char> = None;
    for c in err.message().chars() {
        match quote {
            Some(q) if c == q => {
                message.push('…');
                message.push(c);
                quote = None;
            }
            Some(_) => {}
            None if matches!(c, '"' | '`' | '\'') => {
                message.push(c);
                quote = Some(c);
            }
            None if c == '\n' => message.push(' '),
            None => message.push(c),
        }
    }
    FormatError::Toml {
        line,
        message: message.trim().to_owned(),
    }
}

// Changes: each keeps the document's invariants or changes nothing.

impl Document {
    /// Adds an entry; its label must be free, and its secret must not be
    /// one a revoked entry holds (spec/MERGE.md §1.4.1).
    pub fn add(&mut self, entry: Entry) -> Result<&Entry, VaultError> {
        credential::check_label(&entry.label)?;
        if self.position(&entry.label).is_some() {
            return Err(VaultError::LabelTaken { label: entry.label });
        }
        let mut revoked = RevokedSecrets::new();
        revoked.add(self, ());
        if let Some(holder) = revoked.holder(&entry) {
            return Err(VaultError::SecretRevoked {
                what: match entry.kind {
                    Kind::ApiKey => "API key",
                    _ => "password",
                },
                label: holder.entry.label.clone(),
                id: holder.entry.id.chars().take(8).collect(),
                revoked_at: holder.at,
            });
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
        let entry = self.entries.remove(i);
        if self.is_team() {
            self.removed.push(Tombstone::of(&entry, Timestamp::now()));
        }
        Ok(entry)
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

    /// The default api-key entry: the active api-key entry that
    /// `default_api_key` names. A default naming an entry that is gone,
    /// revoked or not an api-key counts as none (spec/FORMAT.md §3.1), so
    /// revoking or removing the entry clears it.
    pub fn default_api_key(&self) -> Option<&Entry> {
        let id = self.default_api_key.as_deref()?;
        self.entries
            .iter()
            .find(|e| e.id == id && e.kind == Kind::ApiKey && !e.revoked)
    }

    /// Makes the usable api-key entry with this label the default; returns
    /// it.
    pub fn set_default_api_key(&mut self, label: &str) -> Result<&Entry, VaultError> {
        let entry = self.usable(label)?;
        if entry.kind != Kind::ApiKey {
            return Err(InvalidInput::WrongKind {
                label: entry.label.clone(),
                kind: entry.kind.to_string(),
                why: "only an api-key entry can be the default",
            }
            .into());
        }
        let id = entry.id.clone();
        self.default_api_key = Some(id);
        self.default_api_key()
            .ok_or_else(|| VaultError::NoSuchEntry {
                label: label.to_owned(),
            })
    }

    /// Clears the default api-key entry; returns the one it was.
    pub fn clear_default_api_key(&mut self) -> Option<Entry> {
        let was = self.default_api_key().cloned();
        self.default_api_key = None;
        was
    }

    /// Applies an [`EntryEdit`] to the usable entry with this label,
    /// validating everything before changing anything; returns the names of
    /// the fields that changed. A new key id must not be one a revoked
    /// entry holds (spec/MERGE.md §1.4.1).
    pub fn edit(&mut self, label: &str, edit: &EntryEdit) -> Result<Vec<&'static str>, VaultError> {
        let i = self
            .position(label)
            .ok_or_else(|| VaultError::NoSuchEntry {
                label: label.to_owned(),
            })?;
        let mut entry = self.usable(label)?.clone();
        let changed = edit.apply(&mut entry)?;
        if changed.contains(&"key_id") {
            let mut revoked = RevokedSecrets::new();
            revoked.add(self, ());
            if let Some(holder) = revoked.holder(&entry) {
                return Err(VaultError::SecretRevoked {
                    what: "API key",
                    label: holder.entry.label.clone(),
                    id: holder.entry.id.chars().take(8).collect(),
                    revoked_at: holder.at,
                });
            }
        }
        self.entries[i] = entry;
        Ok(changed)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::Secret;

    const SAMPLE: &str = r#"format = "ascvault"
version = "1.1"

[[entry]]
id = "0b0c6a2e-7c53-4d1e-9f1d-1c0f0e6d2a11"
label = "fastlane"
kind = "app-specific-password"
created = 2026-01-02T03:04:05Z
revoked = false
apple_id = "dev@example.com"
password = "abcd-efgh-ijkl-mnop"
"#;

    #[test]
    fn canonical_round_trip_is_byte_identical() {
        let doc = Document::parse(SAMPLE).unwrap();
        let out = doc.to_canonical();
        assert_eq!(out.as_str(), SAMPLE);
        assert_eq!(
            Document::parse(&out).unwrap().to_canonical().as_str(),
            out.as_str()
        );
    }

    /// spec/FORMAT.md §4: writers write max(file version, own version), so
    /// a 1.0 vault is rewritten as 1.1, its content unchanged.
    #[test]
    fn a_1_0_document_is_rewritten_as_1_1() {
        let old = SAMPLE.replace("version = \"1.1\"", "version = \"1.0\"");
        let doc = Document::parse(&old).unwrap();
        assert_eq!(doc.version.to_string(), "1.0");
        assert_eq!(doc.to_canonical().as_str(), SAMPLE);
    }

    /// Format 1.1: `team_id` and `provider` follow `note`; `default_api_key`
    /// follows `version`, and is written only while it names an active
    /// api-key entry.
    #[test]
    fn format_1_1_keys_round_trip_in_canonical_order() {
        let key = r#"
[[entry]]
id = "5d1e77a0-0000-4000-8000-000000000001"
label = "ci"
kind = "api-key"
created = 2026-01-02T03:04:05Z
revoked = false
team_id = "A1B2C3D4E5"
provider = "ACME_Corp"
key_id = "TESTKEY001"
private_key = "k"
"#;
        let text = SAMPLE.replace(
            "version = \"1.1\"\n",
            "version = \"1.1\"\ndefault_api_key = \"5d1e77a0-0000-4000-8000-000000000001\"\n",
        ) + key;
        let mut doc = Document::parse(&text).unwrap();
        assert_eq!(doc.to_canonical().as_str(), text);
        assert_eq!(doc.default_api_key().unwrap().label, "ci");
        let e = doc.find("ci").unwrap();
        assert_eq!(e.team_id.as_deref(), Some("A1B2C3D4E5"));
        assert_eq!(e.provider.as_deref(), Some("ACME_Corp"));
        // Revoked: the default is gone, and not written.
        doc.revoke("ci", Timestamp::from_unix(1_800_000_000))
            .unwrap();
        assert!(doc.default_api_key().is_none());
        assert!(!doc.to_canonical().contains("default_api_key"));
    }

    #[test]
    fn bad_team_ids_and_providers_make_the_file_invalid() {
        for (line, why) in [
            ("team_id = \"A1B2\"", "team id"),
            ("provider = \"two words\"", "provider"),
        ] {
            let text = SAMPLE.replace("revoked = false", &format!("revoked = false\n{line}"));
            let err = Document::parse(&text).unwrap_err().to_string();
            assert!(err.contains("fastlane") && err.contains(why), "{err}");
        }
    }

    #[test]
    fn only_an_active_api_key_entry_can_be_the_default() {
        let mut doc = Document::parse(SAMPLE).unwrap();
        let before = doc.clone();
        let err = doc.set_default_api_key("fastlane").unwrap_err();
        assert!(err.to_string().contains("only an api-key entry"), "{err}");
        assert!(matches!(
            doc.set_default_api_key("nope"),
            Err(VaultError::NoSuchEntry { .. })
        ));
        assert_eq!(doc, before);
    }

    #[test]
    fn edit_changes_only_what_it_names_and_nothing_on_bad_input() {
        let mut doc = Document::parse(SAMPLE).unwrap();
        let edit = EntryEdit {
            team_id: Some("a1b2c3d4e5".into()),
            note: Some("release".into()),
            ..EntryEdit::default()
        };
        assert_eq!(doc.edit("FASTLANE", &edit).unwrap(), ["team_id", "note"]);
        let e = doc.find("fastlane").unwrap();
        assert_eq!(e.team_id.as_deref(), Some("A1B2C3D4E5"));
        assert_eq!(e.apple_id.as_deref(), Some("dev@example.com"));
        let before = doc.clone();
        for bad in [
            EntryEdit {
                key_id: Some("TESTKEY001".into()),
                ..EntryEdit::default()
            },
            EntryEdit {
                note: Some("x".into()),
                apple_id: Some("not-an-email".into()),
                ..EntryEdit::default()
            },
        ] {
            assert!(doc.edit("fastlane", &bad).is_err());
            assert_eq!(doc, before);
        }
        // An empty text clears an optional field.
        let clear = EntryEdit {
            team_id: Some(String::new()),
            ..EntryEdit::default()
        };
        assert_eq!(doc.edit("fastlane", &clear).unwrap(), ["team_id"]);
        assert_eq!(doc.find("fastlane").unwrap().team_id, None);
    }

    #[test]
    fn unknown_keys_of_a_newer_minor_survive() {
        let text = SAMPLE.replace(
            "version = \"1.1\"",
            "version = \"1.3\"\nsync = { peer = \"x\" }",
        ) + "color = \"blue\"\nseen = 2026-02-02T00:00:00Z\n";
        let doc = Document::parse(&text).unwrap();
        let out = doc.to_canonical();
        assert!(out.contains("version = \"1.3\""), "{}", out.as_str());
        assert!(out.contains("color = \"blue\""));
        assert!(out.contains("seen = 2026-02-02T00:00:00Z"));
        assert!(out.contains("peer = \"x\""));
    }

    #[test]
    fn entries_keep_their_order_through_serialization() {
        // Regression: toml's derive path shuffled [[entry]] tables at random.
        let mut doc = Document::default();
        for i in 0..12 {
            let kind = if i % 2 == 0 {
                Kind::AppSpecificPassword
            } else {
                Kind::ApiKey
            };
            let mut e = Entry::new(format!("e{i:02}"), kind);
            e.apple_id = Some("dev@example.com".into());
            e.password = Some(Secret::from("abcd-efgh-ijkl-mnop"));
            e.key_id = Some("TESTKEY001".into());
            e.private_key = Some(Secret::from(
                "-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----\n",
            ));
            doc.entries.push(e);
        }
        for _ in 0..20 {
            let parsed = Document::parse(&doc.to_canonical()).unwrap();
            let labels: Vec<&str> = parsed.entries.iter().map(|e| e.label.as_str()).collect();
            let expected: Vec<String> = (0..12).map(|i| format!("e{i:02}")).collect();
            assert_eq!(labels, expected);
        }
    }

    /// Finding 8 of issue 11, locally: a revoked secret is never added
    /// again, whatever its label or spelling; the error names the entry.
    #[test]
    fn add_refuses_a_secret_a_revoked_entry_holds() {
        let mut doc = Document::parse(SAMPLE).unwrap();
        doc.revoke("fastlane", Timestamp::from_unix(1_750_000_000))
            .unwrap();
        let mut again = Entry::new("fastlane-2".into(), Kind::AppSpecificPassword);
        again.apple_id = Some("other@example.com".into());
        again.password = Some(Secret::from("ABCD-EFGH-IJKL-MNOP"));
        let before = doc.clone();
        let err = doc.add(again).unwrap_err();
        assert!(matches!(err, VaultError::SecretRevoked { .. }), "{err:?}");
        assert_eq!(
            err.to_string(),
            "that password belongs to \"fastlane\" (id 0b0c6a2e), revoked 2025-06-15T15:06:40Z"
        );
        assert_eq!(doc, before);
        // Another password is fine.
        let mut other = Entry::new("other".into(), Kind::AppSpecificPassword);
        other.apple_id = Some("dev@example.com".into());
        other.password = Some(Secret::from("qrst-uvwx-yzab-cdef"));
        doc.add(other).unwrap();
    }

    /// Format 1.1: the fingerprint key is written after `version`, read
    /// back as it was, created once and kept by every later write.
    #[test]
    fn the_fingerprint_key_is_created_once_and_kept() {
        let mut doc = Document::parse(SAMPLE).unwrap();
        assert!(doc.fingerprint_key.is_none());
        doc.ensure_fingerprint_key();
        let key = doc.fingerprint_key.clone().unwrap();
        doc.ensure_fingerprint_key();
        assert_eq!(doc.fingerprint_key.as_ref(), Some(&key));
        let text = doc.to_canonical();
        let line = format!(
            "version = \"1.1\"\nfingerprint_key = \"{}\"\n",
            key.to_base64()
        );
        assert!(text.contains(&line), "{}", text.as_str());
        let back = Document::parse(&text).unwrap();
        assert_eq!(back, doc);
        assert!(back.extra.is_empty());
        assert_eq!(back.to_canonical().as_str(), text.as_str());
    }

    #[test]
    fn a_malformed_fingerprint_key_is_refused_without_quoting_it() {
        for bad in ["\"c2hvcnQ=\"", "\"not base64 at all\"", "42"] {
            let text = SAMPLE.replace(
                "version = \"1.1\"\n",
                &format!("version = \"1.1\"\nfingerprint_key = {bad}\n"),
            );
            let err = Document::parse(&text).unwrap_err().to_string();
            assert!(err.contains("(line 3)"), "{err}");
            assert!(bad == "42" || err.contains("fingerprint_key"), "{err}");
            assert!(!err.contains("c2hvcnQ") && !err.contains("at all"), "{err}");
        }
    }

    #[test]
    fn newer_major_is_refused_naming_both_versions() {
        let text = "format = \"ascvault\"\nversion = \"2.0\"\n[[entry]]\nwhatever = 1\n";
        let err = Document::parse(text).unwrap_err().to_string();
        assert!(err.contains("2.0") && err.contains("1.2"), "{err}");
    }

    #[test]
    fn toml_errors_never_quote_values() {
        let text = SAMPLE.replace("revoked = false", "revoked = \"abcd-efgh-ijkl-mnop\"");
        let err = Document::parse(&text).unwrap_err().to_string();
        assert!(!err.contains("abcd"), "{err}");
    }
}
