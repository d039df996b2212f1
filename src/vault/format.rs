//! The plaintext schema (spec/FORMAT.md §3): a TOML document with a format
//! tag, a MAJOR.MINOR version and an array of `[[entry]]` tables.
//!
//! Serialization is canonical: field order is fixed by the struct order below,
//! entries keep their order in the document (the order they were added in),
//! unknown keys follow the known ones in the order they were read. The same
//! content always gives the same bytes.

use std::collections::HashSet;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::OffsetDateTime;
use zeroize::Zeroizing;

use super::credential;
use super::error::FormatError;
use crate::secret::Secret;

/// The value of the top-level `format` key.
pub const FORMAT_TAG: &str = "ascvault";
/// The newest format version this build reads and writes.
pub const CURRENT_VERSION: Version = Version { major: 1, minor: 0 };

/// A `MAJOR.MINOR` format version.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version {
    /// Incompatible changes bump this; readers refuse a newer major.
    pub major: u32,
    /// Compatible additions bump this; readers keep unknown keys.
    pub minor: u32,
}

impl Version {
    fn parse(s: &str) -> Option<Version> {
        let (major, minor) = s.split_once('.')?;
        let digits =
            |p: &str| !p.is_empty() && p.len() <= 6 && p.bytes().all(|b| b.is_ascii_digit());
        if !digits(major) || !digits(minor) {
            return None;
        }
        Some(Version {
            major: major.parse().ok()?,
            minor: minor.parse().ok()?,
        })
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

impl Serialize for Version {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Version {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Version::parse(&s).ok_or_else(|| serde::de::Error::custom("version is not MAJOR.MINOR"))
    }
}

/// A UTC instant, stored as a TOML offset date-time with second precision.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(OffsetDateTime);

impl Timestamp {
    /// Now, truncated to the second.
    pub fn now() -> Self {
        Self::from_unix(OffsetDateTime::now_utc().unix_timestamp())
    }

    /// From seconds since the Unix epoch (clamped into the representable range).
    pub fn from_unix(secs: i64) -> Self {
        let t = OffsetDateTime::from_unix_timestamp(secs).unwrap_or(OffsetDateTime::UNIX_EPOCH);
        Timestamp(t)
    }

    /// Seconds since the Unix epoch.
    pub fn unix(&self) -> i64 {
        self.0.unix_timestamp()
    }

    /// The underlying date-time (UTC).
    pub fn datetime(&self) -> OffsetDateTime {
        self.0
    }

    /// RFC 3339, e.g. `2026-11-25T08:33:32Z`.
    pub fn rfc3339(&self) -> String {
        let t = self.0;
        format!(
            "{}T{:02}:{:02}:{:02}Z",
            self.date(),
            t.hour(),
            t.minute(),
            t.second()
        )
    }

    /// The date part, e.g. `2026-11-25`.
    pub fn date(&self) -> String {
        let t = self.0;
        format!("{:04}-{:02}-{:02}", t.year(), u8::from(t.month()), t.day())
    }
}

impl Timestamp {
    fn to_toml(self) -> toml::Value {
        match self.rfc3339().parse::<toml::value::Datetime>() {
            Ok(dt) => toml::Value::Datetime(dt),
            Err(_) => toml::Value::String(self.rfc3339()),
        }
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.rfc3339())
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let dt: toml::value::Datetime = self
            .rfc3339()
            .parse()
            .map_err(|_| serde::ser::Error::custom("unrepresentable timestamp"))?;
        dt.serialize(s)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let dt = toml::value::Datetime::deserialize(d)?;
        let (Some(date), Some(time), Some(offset)) = (dt.date, dt.time, dt.offset) else {
            return Err(D::Error::custom(
                "timestamps must be offset date-times, e.g. 2026-01-31T12:00:00Z",
            ));
        };
        let offset_minutes: i32 = match offset {
            toml::value::Offset::Z => 0,
            toml::value::Offset::Custom { minutes } => i32::from(minutes),
        };
        let month = time::Month::try_from(date.month).map_err(D::Error::custom)?;
        let date = time::Date::from_calendar_date(i32::from(date.year), month, date.day)
            .map_err(D::Error::custom)?;
        let time = time::Time::from_hms(time.hour, time.minute, time.second.unwrap_or(0))
            .map_err(D::Error::custom)?;
        let unix =
            date.with_time(time).assume_utc().unix_timestamp() - i64::from(offset_minutes) * 60;
        Ok(Timestamp::from_unix(unix))
    }
}

/// What an entry holds.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// An Apple ID app-specific password.
    AppSpecificPassword,
    /// An App Store Connect API key.
    ApiKey,
    /// A kind written by a newer minor version: kept, shown, never used.
    Other(String),
}

impl Kind {
    /// The name used in the file and in `--json`.
    pub fn as_str(&self) -> &str {
        match self {
            Kind::AppSpecificPassword => "app-specific-password",
            Kind::ApiKey => "api-key",
            Kind::Other(s) => s,
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Kind {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Kind {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(match s.as_str() {
            "app-specific-password" => Kind::AppSpecificPassword,
            "api-key" => Kind::ApiKey,
            _ => Kind::Other(s),
        })
    }
}

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
            apple_id: None,
            password: None,
            format_check: true,
            issuer_id: None,
            key_id: None,
            private_key: None,
            vendor_number: None,
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
    fn to_table(&self) -> toml::Table {
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
        for (k, v) in &self.extra {
            t.insert(k.clone(), restore_datetimes(v.clone()));
        }
        t
    }

    fn check(&self, allow_unknown_kind: bool) -> Result<(), FormatError> {
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

/// The whole plaintext document.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Document {
    /// Always `ascvault`.
    pub format: String,
    /// The format version the file was last written with.
    pub version: Version,
    /// Top-level keys written by a newer minor version, kept as they were.
    #[serde(flatten)]
    pub extra: toml::Table,
    /// The entries.
    #[serde(default, rename = "entry")]
    pub entries: Vec<Entry>,
}

impl Default for Document {
    fn default() -> Self {
        Document {
            format: FORMAT_TAG.to_owned(),
            version: CURRENT_VERSION,
            extra: toml::Table::new(),
            entries: Vec::new(),
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
        Ok(())
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
        top.insert(
            "version".into(),
            self.version.max(CURRENT_VERSION).to_string().into(),
        );
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
        let text = Zeroizing::new(toml::to_string(&top).unwrap_or_default());
        // The table held copies of the secrets: wipe them.
        wipe_strings(&mut top);
        text
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

    /// Index of the entry with this label (case-insensitive).
    pub fn position(&self, label: &str) -> Option<usize> {
        let wanted = label.to_lowercase();
        self.entries
            .iter()
            .position(|e| e.label.to_lowercase() == wanted)
    }
}

/// Serde's flatten buffers TOML datetimes as a one-key table; turn such
/// tables back into datetimes so unknown keys are written as they were read.
fn restore_datetimes(value: toml::Value) -> toml::Value {
    const MARKER: &str = "$__toml_private_datetime";
    match value {
        toml::Value::Table(t) if t.len() == 1 && t.contains_key(MARKER) => match t.get(MARKER) {
            Some(toml::Value::String(s)) => s
                .parse::<toml::value::Datetime>()
                .map(toml::Value::Datetime)
                .unwrap_or_else(|_| toml::Value::String(s.clone())),
            _ => toml::Value::Table(t),
        },
        toml::Value::Table(t) => toml::Value::Table(
            t.into_iter()
                .map(|(k, v)| (k, restore_datetimes(v)))
                .collect(),
        ),
        toml::Value::Array(a) => toml::Value::Array(a.into_iter().map(restore_datetimes).collect()),
        other => other,
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

fn check_head(format: &str, version: Version) -> Result<(), FormatError> {
    if format != FORMAT_TAG {
        return Err(FormatError::NotAscvault {
            found: format.to_owned(),
        });
    }
    if version.major != CURRENT_VERSION.major {
        return Err(FormatError::UnsupportedVersion {
            found: version.to_string(),
            supported: CURRENT_VERSION.to_string(),
        });
    }
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"format = "ascvault"
version = "1.0"

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

    #[test]
    fn unknown_keys_of_a_newer_minor_survive() {
        let text = SAMPLE.replace(
            "version = \"1.0\"",
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

    #[test]
    fn newer_major_is_refused_naming_both_versions() {
        let text = "format = \"ascvault\"\nversion = \"2.0\"\n[[entry]]\nwhatever = 1\n";
        let err = Document::parse(text).unwrap_err().to_string();
        assert!(err.contains("2.0") && err.contains("1.0"), "{err}");
    }

    #[test]
    fn toml_errors_never_quote_values() {
        let text = SAMPLE.replace("revoked = false", "revoked = \"abcd-efgh-ijkl-mnop\"");
        let err = Document::parse(&text).unwrap_err().to_string();
        assert!(!err.contains("abcd"), "{err}");
    }
}
