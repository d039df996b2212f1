//! Timestamps as Apple writes them: in Pacific time with its offset
//! (`-08:00` in winter, `-07:00` in summer) and whole seconds, e.g.
//! `2017-11-15T08:10:34-08:00` in Apple's customer-review example. A
//! stand-in writing `Z` and nanoseconds would let a client that only reads
//! UTC pass its tests and fail on Apple's answers.

use time::format_description::well_known::Rfc3339;
use time::{Date, Month, OffsetDateTime, Time, UtcOffset, Weekday};

/// `t` in US Pacific time (daylight saving from the second Sunday of March
/// to the first Sunday of November, at 02:00 local), RFC 3339 with whole
/// seconds.
pub fn pacific(t: OffsetDateTime) -> String {
    let t = t.replace_nanosecond(0).unwrap_or(t);
    t.to_offset(pacific_offset(t))
        .format(&Rfc3339)
        .unwrap_or_default()
}

/// `-07:00` while daylight saving is on, else `-08:00`.
pub fn pacific_offset(t: OffsetDateTime) -> UtcOffset {
    let utc = t.to_offset(UtcOffset::UTC);
    let year = utc.year();
    // 02:00 PST is 10:00 UTC; 02:00 PDT is 09:00 UTC.
    let starts = at_utc(nth_sunday(year, Month::March, 2), 10);
    let ends = at_utc(nth_sunday(year, Month::November, 1), 9);
    let hours = if starts <= utc && utc < ends { -7 } else { -8 };
    UtcOffset::from_hms(hours, 0, 0).unwrap_or(UtcOffset::UTC)
}

fn nth_sunday(year: i32, month: Month, n: u8) -> Date {
    let first = Date::from_calendar_date(year, month, 1).unwrap_or(Date::MIN);
    let mut d = first;
    while d.weekday() != Weekday::Sunday {
        d = d.next_day().unwrap_or(d);
    }
    d.checked_add(time::Duration::weeks(i64::from(n) - 1))
        .unwrap_or(d)
}

fn at_utc(d: Date, hour: u8) -> OffsetDateTime {
    d.with_time(Time::from_hms(hour, 0, 0).unwrap_or(Time::MIDNIGHT))
        .assume_utc()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn winter_and_summer_offsets_and_whole_seconds() {
        assert_eq!(
            pacific(datetime!(2017-11-15 16:10:34.5 UTC)),
            "2017-11-15T08:10:34-08:00"
        );
        assert_eq!(
            pacific(datetime!(2026-07-01 19:00:00 UTC)),
            "2026-07-01T12:00:00-07:00"
        );
        // 2026: summer time from 8 March 10:00 UTC to 1 November 09:00 UTC.
        assert_eq!(
            pacific(datetime!(2026-11-01 08:59:59 UTC)),
            "2026-11-01T01:59:59-07:00"
        );
        assert_eq!(
            pacific(datetime!(2026-11-01 09:00:00 UTC)),
            "2026-11-01T01:00:00-08:00"
        );
        assert_eq!(
            pacific(datetime!(2026-03-08 10:00:00 UTC)),
            "2026-03-08T03:00:00-07:00"
        );
        assert_eq!(
            pacific(datetime!(2026-03-08 09:59:59 UTC)),
            "2026-03-08T01:59:59-08:00"
        );
    }
}
