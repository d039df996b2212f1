//! The plaintext schema (spec/FORMAT.md §3): a TOML document with a format
//! tag, a MAJOR.MINOR version and an array of `[[entry]]` tables.
//!
//! Serialization is canonical: field order is fixed by the struct order of
//! [`Entry`], entries keep their order in the document (the order they were
//! added in), unknown keys follow the known ones in the order they were read.
//! The same content always gives the same bytes.
//!
//! One type per file: [`Document`] (parse, canonical output, lookup and
//! changes), [`Entry`], [`FingerprintKey`] (format 1.1's key of password
//! fingerprints), [`Kind`], [`Timestamp`], [`Version`]; `split` parses large
//! texts in pieces for [`Document::parse`]; `secret_id` tells which entries
//! hold the same credential (revocation follows the secret).

mod document;
mod entry;
mod fingerprint_key;
mod kind;
mod member;
mod secret_id;
mod split;
mod timestamp;
mod version;

pub use document::Document;
pub use entry::Entry;
pub use fingerprint_key::FingerprintKey;
pub use kind::Kind;
pub(crate) use member::normalize_exposures;
pub use member::{Exposure, Member, Tombstone, check_member_name};
pub(crate) use secret_id::{RevokedSecrets, SecretId};
pub use timestamp::Timestamp;
pub use version::{BASE_VERSION, CURRENT_VERSION, FORMAT_TAG, TEAM_VERSION, Version};

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
