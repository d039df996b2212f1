//! The numbers and dates of a chart: dates (`YYYY-MM-DD` and Apple's
//! `MM/DD/YYYY`) as day numbers for a time axis, the runs of points a line
//! joins (none across a gap), short axis numbers and the terminal sparkline.

/// The index ranges of a series' points that a line joins: two
/// neighbouring points are joined when no x label lies between them and,
/// on a time axis, they are no further apart than the axis's usual step
/// (the smallest gap between two labels: a day, a week).
pub(super) fn runs(points: &[(usize, f64)], days: Option<&[i64]>) -> Vec<std::ops::Range<usize>> {
    let step = days.and_then(|d| d.windows(2).map(|w| w[1] - w[0]).filter(|g| *g > 0).min());
    let joined = |a: usize, b: usize| {
        b == a + 1
            && match (days, step) {
                (Some(d), Some(step)) => match (d.get(a), d.get(b)) {
                    (Some(x), Some(y)) => y - x <= step,
                    _ => true,
                },
                _ => true,
            }
    };
    let mut out = Vec::new();
    let mut start = 0;
    for i in 1..=points.len() {
        if i == points.len() || !joined(points[i - 1].0, points[i].0) {
            if start < i {
                out.push(start..i);
            }
            start = i;
        }
    }
    out
}

/// Days since 1970-01-01 of a date written `YYYY-MM-DD` or, as Apple's
/// sales and finance reports write it, `MM/DD/YYYY` (`None` otherwise).
pub fn day_of_date(text: &str) -> Option<i64> {
    let iso = time::macros::format_description!("[year]-[month]-[day]");
    let us = time::macros::format_description!("[month]/[day]/[year]");
    let text = text.trim();
    let date = time::Date::parse(text, &iso)
        .or_else(|_| time::Date::parse(text, &us))
        .ok()?;
    Some(day_of(date))
}

/// Days since 1970-01-01 of a date.
pub fn day_of(date: time::Date) -> i64 {
    i64::from(date.to_julian_day()) - i64::from(time::macros::date!(1970 - 01 - 01).to_julian_day())
}

/// The `YYYY-MM-DD` of a day number from [`day_of_date`].
pub fn date_of_day(day: i64) -> String {
    let epoch = i64::from(time::macros::date!(1970 - 01 - 01).to_julian_day());
    i32::try_from(day + epoch)
        .ok()
        .and_then(|j| time::Date::from_julian_day(j).ok())
        .map(crate::archive::ymd)
        .unwrap_or_default()
}

/// `1234567` → `1.2M`; small numbers keep up to two decimals.
pub fn short_number(v: f64) -> String {
    let a = v.abs();
    if a >= 1e9 {
        format!("{:.1}G", v / 1e9)
    } else if a >= 1e6 {
        format!("{:.1}M", v / 1e6)
    } else if a >= 1e4 {
        format!("{:.1}k", v / 1e3)
    } else if (v - v.round()).abs() < 1e-9 {
        format!("{v:.0}")
    } else {
        let s = format!("{v:.2}");
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    }
}

/// A one-line sparkline of at most `width` characters (values are averaged
/// into buckets when there are more).
pub fn sparkline(values: &[f64], width: usize) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    if values.is_empty() {
        return String::new();
    }
    let width = width.max(1);
    let buckets: Vec<f64> = if values.len() <= width {
        values.to_vec()
    } else {
        (0..width)
            .map(|b| {
                let start = b * values.len() / width;
                let end = ((b + 1) * values.len() / width).max(start + 1);
                let slice = &values[start..end];
                slice.iter().sum::<f64>() / slice.len() as f64
            })
            .collect()
    };
    let lo = buckets.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = buckets.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    buckets
        .iter()
        .map(|v| {
            if (hi - lo).abs() < f64::EPSILON {
                BARS[3]
            } else {
                BARS[(((v - lo) / (hi - lo)) * 7.0).round() as usize]
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparkline_spans_low_to_high() {
        assert_eq!(sparkline(&[1.0, 2.0, 3.0, 8.0], 80), "▁▂▃█");
        assert_eq!(sparkline(&[5.0, 5.0], 80), "▄▄");
        assert_eq!(
            sparkline(&(0..100).map(f64::from).collect::<Vec<_>>(), 10)
                .chars()
                .count(),
            10
        );
    }

    #[test]
    fn dates_map_to_days_and_back() {
        assert_eq!(day_of_date("1970-01-02"), Some(1));
        let d = day_of_date("2026-11-16").unwrap();
        assert_eq!(day_of_date("2026-11-20").unwrap() - d, 4);
        assert_eq!(date_of_day(d), "2026-11-16");
        assert_eq!(day_of_date("2.3"), None);
        // Apple's sales reports: MM/DD/YYYY.
        assert_eq!(day_of_date("11/20/2026"), day_of_date("2026-11-20"));
        assert_eq!(day_of_date("20/11/2026"), None);
    }

    #[test]
    fn lines_break_at_gaps() {
        let pts = |xs: &[usize]| xs.iter().map(|x| (*x, 1.0)).collect::<Vec<_>>();
        // A label with no value between two points breaks the line.
        assert_eq!(runs(&pts(&[0, 1, 3, 4]), None), [0..2, 2..4]);
        // Daily dates with a week missing: two lines.
        let days = [0, 1, 2, 9, 10];
        assert_eq!(runs(&pts(&[0, 1, 2, 3, 4]), Some(&days)), [0..3, 3..5]);
        // Weekly dates: one line.
        let weeks = [0, 7, 14];
        assert_eq!(
            runs(&pts(&[0, 1, 2]), Some(&weeks)),
            vec![std::ops::Range { start: 0, end: 3 }]
        );
        assert!(runs(&[], None).is_empty());
    }

    #[test]
    fn short_numbers() {
        assert_eq!(short_number(1_234_567.0), "1.2M");
        assert_eq!(short_number(12.0), "12");
        assert_eq!(short_number(0.5), "0.5");
    }
}
