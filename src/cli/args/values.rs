//! Typed option values: what clap turns an argument's text into, so that the
//! commands get a value of the right type instead of a string to check.

use std::convert::Infallible;
use std::fmt;
use std::str::FromStr;

use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime};
use url::Url;

use crate::asc::AscError;
use crate::asc::client::parse_base;

/// A base URL option (`--api-base`, `--content-delivery-base`), as given.
///
/// Clap accepts any text; [`ApiBase::url`] checks it when a command is about
/// to use it. Not at parse time, because a bad base is reported as a plain
/// `error: …` line (exit 2) rather than clap's usage error, and only by the
/// commands that go online: `check` without `--online` ignores a bad
/// `ASCVAULT_API_BASE`, and every command checks it before it asks for the
/// passphrase.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiBase(String);

impl ApiBase {
    /// The parsed URL: `https`, or `http` to a loopback host; no query or
    /// fragment.
    pub fn url(&self) -> Result<Url, AscError> {
        parse_base(&self.0)
    }

    /// The text as given.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for ApiBase {
    type Err = Infallible;

    fn from_str(text: &str) -> Result<Self, Infallible> {
        Ok(ApiBase(text.to_owned()))
    }
}

impl fmt::Display for ApiBase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A calendar day, written `YYYY-MM-DD` (`metrics download --since/--until`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Day(Date);

impl FromStr for Day {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let format = time::macros::format_description!("[year]-[month]-[day]");
        Date::parse(text, &format)
            .map(Day)
            .map_err(|_| format!("{text:?} is not a date: write dates as YYYY-MM-DD"))
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = (self.0.year(), u8::from(self.0.month()), self.0.day());
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

/// A calendar month, written `YYYY-MM` (`metrics finance --date`: finance
/// reports are monthly, by Apple's fiscal month).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Month {
    year: u16,
    month: u8,
}

impl FromStr for Month {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let bad = || format!("{text:?} is not a month: write YYYY-MM (Apple's fiscal month)");
        let b = text.as_bytes();
        if b.len() != 7 || b[4] != b'-' || !b[..4].iter().chain(&b[5..]).all(u8::is_ascii_digit) {
            return Err(bad());
        }
        let year = text[..4].parse().map_err(|_| bad())?;
        match text[5..].parse::<u8>() {
            Ok(month @ 1..=12) => Ok(Month { year, month }),
            _ => Err(bad()),
        }
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// Parses a territory: three letters (ISO 3166 alpha-3), upper-cased.
pub fn parse_territory(text: &str) -> Result<String, String> {
    let t = text.trim().to_ascii_uppercase();
    if t.len() == 3 && t.chars().all(|c| c.is_ascii_uppercase()) {
        Ok(t)
    } else {
        Err(format!(
            "{text:?} is not a three-letter territory code (USA, GBR, …)"
        ))
    }
}

/// Parses an instant: a date (`YYYY-MM-DD`, midnight UTC) or RFC 3339.
pub fn parse_since(text: &str) -> Result<OffsetDateTime, String> {
    let text = text.trim();
    if let Ok(t) = OffsetDateTime::parse(text, &Rfc3339) {
        return Ok(t);
    }
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(text, &format)
        .map(|d| d.midnight().assume_utc())
        .map_err(|_| format!("{text:?} is not a date (YYYY-MM-DD) or an RFC 3339 instant"))
}

/// A number of seconds, more than 0 and at most `max` (fractions allowed):
/// `--timeout`, `--segment-deadline`.
pub fn seconds_up_to(text: &str, max: f64, what: &str) -> Result<std::time::Duration, String> {
    let secs: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("{text:?} is not a number of seconds"))?;
    if !(secs > 0.0 && secs <= max) {
        return Err(format!(
            "must be more than 0 and at most {max} seconds{what}"
        ));
    }
    Ok(std::time::Duration::from_secs_f64(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_and_months_parse_and_print_back() {
        for text in ["2024-02-29", "1999-12-31", "2026-01-01"] {
            assert_eq!(text.parse::<Day>().unwrap().to_string(), text);
        }
        for bad in [
            "2023-02-29",
            "2024-1-01",
            "20240101",
            "2024-01-01T00:00:00Z",
            " 2024-01-01",
            "",
        ] {
            let err = bad.parse::<Day>().unwrap_err();
            assert!(err.contains("YYYY-MM-DD"), "{bad}: {err}");
        }
        for text in ["2024-12", "2024-01", "0999-07"] {
            assert_eq!(text.parse::<Month>().unwrap().to_string(), text);
        }
        for bad in [
            "2024-13",
            "2024-00",
            "2024-1",
            "202412",
            "2024-12-01",
            "+024-12",
            "２０２４-12",
        ] {
            let err = bad.parse::<Month>().unwrap_err();
            assert!(err.contains("YYYY-MM"), "{bad}: {err}");
        }
    }

    #[test]
    fn a_base_is_kept_as_given_and_checked_on_use() {
        let good: ApiBase = " https://api.example.com/v1".parse().unwrap();
        assert_eq!(good.as_str(), " https://api.example.com/v1");
        assert_eq!(good.url().unwrap().as_str(), "https://api.example.com/v1");
        let plain: ApiBase = "http://api.example.com".parse().unwrap();
        assert!(plain.url().unwrap_err().to_string().contains("plain http"));
        let local: ApiBase = "http://127.0.0.1:8080".parse().unwrap();
        assert!(local.url().is_ok());
    }

    #[test]
    fn territories_are_three_letters() {
        assert_eq!(parse_territory(" usa").unwrap(), "USA");
        assert!(parse_territory("US").is_err());
        assert!(parse_territory("U1A").is_err());
    }

    #[test]
    fn since_takes_a_date_or_an_instant() {
        let day = parse_since("2024-05-01").unwrap();
        assert_eq!(day.unix_timestamp(), 1_714_521_600);
        let instant = parse_since("2024-05-01T12:00:00+02:00").unwrap();
        assert_eq!(instant.unix_timestamp(), 1_714_557_600);
        assert!(parse_since("May 1").is_err());
    }
}
