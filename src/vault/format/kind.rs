//! What an entry holds: a password, an API key, or a kind written by a newer
//! minor version.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

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
