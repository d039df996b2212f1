//! The format version: the `format` tag and `MAJOR.MINOR` version every
//! plaintext starts with, and which of them this build reads (spec/FORMAT.md §3).

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::vault::error::FormatError;

/// The value of the top-level `format` key.
pub const FORMAT_TAG: &str = "ascvault";
/// The newest format version this build reads and writes.
pub const CURRENT_VERSION: Version = Version { major: 1, minor: 2 };
/// The version written for a document that uses nothing newer: a vault
/// without members, tombstones or exposure records is written exactly as a
/// 1.1 writer would (spec/FORMAT.md §4).
pub const BASE_VERSION: Version = Version { major: 1, minor: 1 };
/// The version a document that uses members, tombstones or exposure records
/// is written with.
pub const TEAM_VERSION: Version = Version { major: 1, minor: 2 };

/// A `MAJOR.MINOR` format version.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version {
    /// Incompatible changes bump this; readers refuse a newer major.
    pub major: u32,
    /// Compatible additions bump this; readers keep unknown keys.
    pub minor: u32,
}

impl Version {
    pub(super) fn parse(s: &str) -> Option<Version> {
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

/// Refuses a document that is not ours or has a newer major version.
pub(super) fn check_head(format: &str, version: Version) -> Result<(), FormatError> {
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
