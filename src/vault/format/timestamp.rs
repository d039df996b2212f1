//! Timestamps: UTC instants stored as TOML offset date-times, to the second.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::OffsetDateTime;

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

    /// As a TOML datetime value, for the canonical table of an entry.
    pub(super) fn to_toml(self) -> toml::Value {
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
