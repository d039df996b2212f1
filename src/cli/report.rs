//! `ascvault report`: one self-contained HTML page about an app, built from
//! the archive alone (no vault, no network): rating trend and volume per
//! week, distribution of stars, answered share and time to answer, flagged
//! reviews with reasons, Apple's review summary, downloads and proceeds,
//! and the latest performance metrics. spec/REPORT.md says how each figure
//! is computed.
//!
//! The page makes no request: styles are inline, fonts are the system's,
//! charts are inline SVG drawn by `metrics chart`'s plotting code, and a
//! Content-Security-Policy (`default-src 'none'`) forbids anything else.
//! Every archived string is escaped ([`html::text`]).

mod html;
mod reviews;
mod store;

use std::collections::HashMap;
use std::io::Write;

use time::{OffsetDateTime, UtcOffset};

use super::args::report::ReportArgs;
use super::context::Context;
use super::error::CliResult;
use super::metrics::chart::{self, Chart, date_of_day, day_of, day_of_date};
use super::metrics::write_error;
use super::output::print;
use super::reviews::archive::open;
use crate::archive::{Archive, SnapshotKind};
use crate::asc::apps::AppInfo;
use crate::asc::flag;
use crate::asc::reviews::{Query, Sort};
use crate::atomic::{AtomicFile, Replace};

/// A chart's size on a wide screen and on paper, and on a phone.
const WIDE: (u32, u32) = (560, 360);
const NARROW: (u32, u32) = (400, 320);

/// The Monday (UTC) of an instant's ISO week, as days since 1970-01-01.
fn monday_of(t: OffsetDateTime) -> Option<i64> {
    let d = t.to_offset(UtcOffset::UTC).date();
    let monday = d.checked_sub(time::Duration::days(
        d.weekday().number_days_from_monday().into(),
    ))?;
    Some(day_of(monday))
}

/// The Monday of a `YYYY-MM-DD` date's week, as days since 1970-01-01.
fn monday_of_date(date: &str) -> Option<i64> {
    let day = day_of_date(date)?;
    // 1970-01-01 was a Thursday: day 0 is 3 days after Monday.
    Some(day - (day + 3).rem_euclid(7))
}

/// The most weeks an axis fills in (ten years): beyond, only weeks with
/// data get a place, so a hostile date far in the past cannot make a
/// chart of millions of points.
const MAX_FILLED_WEEKS: i64 = 520;

/// A weekly time axis over `mondays` (ascending): every week from the
/// first to the last, unless that is more than [`MAX_FILLED_WEEKS`].
/// Returns the labels, the day numbers, and each Monday's index.
fn week_axis(mondays: impl Iterator<Item = i64>) -> (Vec<String>, Vec<i64>, HashMap<i64, usize>) {
    let given: Vec<i64> = mondays.collect();
    let days: Vec<i64> = match (given.first(), given.last()) {
        (Some(&a), Some(&b)) if (b - a) / 7 <= MAX_FILLED_WEEKS => (a..=b).step_by(7).collect(),
        _ => given,
    };
    let labels = days.iter().map(|d| date_of_day(*d)).collect();
    let index = days.iter().enumerate().map(|(i, d)| (*d, i)).collect();
    (labels, days, index)
}

/// A chart as two inline SVGs, one for wide screens and paper, one for
/// phones (the CSS shows one); a chart that cannot be drawn says why.
fn chart_block(c: &Chart) -> String {
    let drawn = chart::svg(c, WIDE.0, WIDE.1)
        .and_then(|wide| Ok((wide, chart::svg(c, NARROW.0, NARROW.1)?)));
    match drawn {
        Ok((wide, narrow)) => format!(
            "<figure class=\"chart\" style=\"margin:0\" aria-label=\"{}\"><div class=\"wide\">{}</div><div class=\"narrow\">{}</div></figure>\n",
            html::text(&c.title, 200),
            svg_element(&wide),
            svg_element(&narrow)
        ),
        Err(e) => html::empty(&format!(
            "cannot chart {}: {}",
            html::text(&c.title, 200),
            html::text(&e.message, 300)
        )),
    }
}

/// The `<svg …>…</svg>` element of an SVG document (no XML declaration).
fn svg_element(doc: &str) -> &str {
    let start = doc.find("<svg").unwrap_or(0);
    doc[start..].trim_end()
}

/// Everything the page shows, read from the archive.
struct Data {
    app: AppInfo,
    since: Option<OffsetDateTime>,
    reviews: Vec<crate::asc::reviews::Review>,
    flags: HashMap<String, bool>,
    summaries: Option<(String, Vec<crate::asc::summaries::Summary>)>,
    perf: Option<(String, crate::asc::perf::XcodeMetrics)>,
    sales: Vec<crate::archive::SalesDay>,
}

/// Reads the reviews (and their flags), the latest snapshots and the sales
/// days of `app` on or after `since`.
fn read(archive: &mut Archive, app: AppInfo, since: Option<OffsetDateTime>) -> CliResult<Data> {
    let data_app_id = app.id.clone();
    let since_day = since.map(|s| date_of_day(day_of(s.to_offset(UtcOffset::UTC).date())));
    let sales: Vec<crate::archive::SalesDay> = archive
        .sales_days_of(&app)?
        .into_iter()
        .filter(|d| since_day.as_ref().is_none_or(|s| d.date >= *s))
        .collect();
    let flags = archive.flags(&app.id, |r| !flag::check(&r.text(), &[]).is_empty())?;
    let reviews = archive.reviews(
        &app.id,
        &Query {
            since,
            sort: Sort::Oldest,
            ..Query::default()
        },
    )?;
    Ok(Data {
        app,
        since,
        reviews,
        flags,
        summaries: archive
            .snapshot(&data_app_id, SnapshotKind::Summaries)?
            .map(|s| (s.summaries(), s.day))
            .map(|(list, day)| (day, list)),
        perf: archive
            .snapshot(&data_app_id, SnapshotKind::Perf)?
            .and_then(|s| Some((s.day.clone(), s.perf()?))),
        sales,
    })
}

/// The whole page.
fn render(data: &Data, generated: OffsetDateTime) -> String {
    let app = &data.app;
    let name = html::text(&app.name, 200);
    let period = match data.since {
        Some(s) => format!(
            "since {}",
            date_of_day(day_of(s.to_offset(UtcOffset::UTC).date()))
        ),
        None => "everything archived".into(),
    };
    let mut body = format!(
        "<header>\n<h1>{name}</h1>\n<p class=\"sub\">{} · app {} · {period} · generated {} UTC</p>\n</header>\n",
        html::text(&app.bundle_id, 200),
        html::text(&app.id, 40),
        date_of_day(day_of(generated.to_offset(UtcOffset::UTC).date())),
    );
    let (total, weeks) = reviews::figures(&data.reviews, &data.flags);
    body.push_str(&html::section(
        "ratings",
        "Rating trend and volume per week",
        &reviews::trend(&total, &weeks),
    ));
    body.push_str(&html::section(
        "stars",
        "Distribution of stars",
        &reviews::distribution(&total),
    ));
    body.push_str(&html::section(
        "answers",
        "Answered share and time to answer",
        &reviews::answered(&total, &weeks),
    ));
    body.push_str(&html::section(
        "flagged",
        "Flagged reviews",
        &reviews::flagged(&data.reviews, &data.flags),
    ));
    body.push_str(&html::section(
        "summary",
        "Apple’s review summary",
        &match &data.summaries {
            Some((day, list)) => store::summaries(Some(day), list),
            None => store::summaries(None, &[]),
        },
    ));
    body.push_str(&html::section(
        "sales",
        "Downloads and proceeds",
        &store::sales(&data.sales),
    ));
    body.push_str(&html::section(
        "performance",
        "Performance metrics",
        &match &data.perf {
            Some((day, doc)) => store::perf(Some(day), Some(doc)),
            None => store::perf(None, None),
        },
    ));
    body.push_str(
        "<footer>Built by ascvault from its local archive. No credentials, no external resources.</footer>\n",
    );
    html::page(&format!("{name} — ascvault report"), &body)
}

/// `report --app APP --out FILE [--since DATE] [--archive PATH]`
pub fn run(ctx: &Context, args: &ReportArgs) -> CliResult {
    let (mut archive, app) = open(ctx, args.archive.as_deref(), &args.app)?;
    let data = read(&mut archive, app, args.since)?;
    let page = render(&data, OffsetDateTime::now_utc());
    let out = &args.out;
    let mut tmp = AtomicFile::with_suffix(out, ".tmp.html").map_err(|e| write_error(out, e))?;
    tmp.file()
        .write_all(page.as_bytes())
        .map_err(|e| write_error(out, tmp.write_error(e)))?;
    tmp.commit(Replace::Yes).map_err(|e| write_error(out, e))?;
    print(&format!("{}\n", out.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_belongs_to_the_week_of_its_monday() {
        let monday = day_of_date("2026-11-23").unwrap();
        for d in ["2026-11-23", "2026-11-26", "2026-11-29"] {
            assert_eq!(monday_of_date(d), Some(monday), "{d}");
        }
        assert_eq!(monday_of_date("2026-11-30"), Some(monday + 7));
        let t = OffsetDateTime::parse(
            "2026-11-29T23:30:00-08:00",
            &time::format_description::well_known::Rfc3339,
        )
        .unwrap();
        assert_eq!(
            monday_of(t),
            Some(monday + 7),
            "UTC: already Monday the 30th"
        );
        assert_eq!(date_of_day(monday), "2026-11-23");
    }

    #[test]
    fn a_week_axis_fills_the_weeks_between_unless_they_are_too_many() {
        let (labels, days, index) = week_axis([0, 21].into_iter());
        assert_eq!(days, [0, 7, 14, 21]);
        assert_eq!(labels[0], "1970-01-01");
        assert_eq!(index[&21], 3);
        let far = 7 * (MAX_FILLED_WEEKS + 1);
        let (_, days, _) = week_axis([0, far].into_iter());
        assert_eq!(days, [0, far], "only the weeks with data");
    }

    #[test]
    fn a_chart_is_inline_svg_twice_and_an_undrawable_one_says_why() {
        let mut c = Chart {
            title: "<t>".into(),
            x_caption: "x".into(),
            y_caption: "y".into(),
            x_labels: vec!["a".into(), "b".into()],
            x_days: None,
            series: vec![chart::Series {
                name: "s".into(),
                points: vec![(0, 1.0), (1, 2.0)],
            }],
            y_range: None,
        };
        let block = chart_block(&c);
        assert_eq!(block.matches("<svg").count(), 2);
        assert!(!block.contains("<?xml") && !block.contains("<t>"));
        c.series[0].points[1].1 = f64::INFINITY;
        let block = chart_block(&c);
        assert!(
            block.starts_with("<p class=\"empty\">cannot chart &lt;t&gt;"),
            "{block}"
        );
    }
}
