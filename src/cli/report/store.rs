//! The sections from what `sync` keeps besides reviews: Apple's review
//! summaries, downloads and proceeds per week, and the latest performance
//! metrics with Apple's regressions highlighted.

use std::collections::BTreeMap;

use super::html::{self, text};
use super::{chart_block, monday_of_date, week_axis};
use crate::archive::SalesDay as Day;
use crate::asc::perf::{self, XcodeMetrics};
use crate::asc::summaries::Summary;
use crate::cli::metrics::chart::{Chart, Series, short_number};
use crate::cli::output::{sanitize, truncate};

/// Summaries shown at most, and characters of each.
const MAX_SUMMARIES: usize = 20;
const MAX_SUMMARY: usize = 3000;
/// Currencies charted at most (the largest proceeds); the rest are listed.
const MAX_CURRENCIES: usize = 4;
/// Metric rows shown at most.
const MAX_METRIC_ROWS: usize = 200;
/// Characters of an identifier, a version or an insight from Apple.
const MAX_NAME: usize = 80;
const MAX_INSIGHT: usize = 300;

/// Apple's review summaries (the latest snapshot).
pub fn summaries(day: Option<&str>, list: &[Summary]) -> String {
    let Some(day) = day else {
        return html::empty(
            "no review summary archived: run <code>ascvault sync --snapshots</code> (Apple writes summaries only for apps with enough reviews)",
        );
    };
    if list.is_empty() {
        return html::empty(&format!(
            "Apple had no review summary for this app on {}",
            html::day(day)
        ));
    }
    let mut out = String::new();
    for s in list.iter().take(MAX_SUMMARIES) {
        let meta: Vec<String> = [&s.territory, &s.platform, &s.locale]
            .into_iter()
            .flatten()
            .map(|x| text(x, 20))
            .collect();
        let written = s
            .created_date
            .as_deref()
            .map_or(String::new(), |d| format!(" · written {}", html::day(d)));
        out.push_str(&format!(
            "<div class=\"summary\"><div class=\"note\">{}{written}</div><p>{}</p></div>\n",
            meta.join(" · "),
            text(s.text.as_deref().unwrap_or(""), MAX_SUMMARY)
        ));
    }
    if list.len() > MAX_SUMMARIES {
        out.push_str(&format!(
            "<p class=\"note\">and {} more summaries (see <code>ascvault reviews summary</code>).</p>\n",
            list.len() - MAX_SUMMARIES
        ));
    }
    out.push_str(&format!(
        "<p class=\"note\">Apple's AI-generated summary, as archived on {}.</p>\n",
        html::day(day)
    ));
    out
}

/// Downloads and proceeds per week, from `days` (ascending, already cut
/// to the period).
pub fn sales(days: &[Day]) -> String {
    if days.is_empty() {
        return html::empty(
            "no sales archived for this period: run <code>ascvault sync --sales</code> (the api-key entry needs a vendor number)",
        );
    }
    // Per week (by Monday): downloads (None when a day does not know
    // them), units and proceeds per currency.
    #[derive(Default)]
    struct Week {
        days: usize,
        downloads: Option<f64>,
        units: f64,
        proceeds: BTreeMap<String, f64>,
    }
    let mut weeks: BTreeMap<i64, Week> = BTreeMap::new();
    let mut totals: BTreeMap<String, f64> = BTreeMap::new();
    let (mut downloads, mut units, mut unknown_days) = (0.0, 0.0, 0usize);
    for d in days {
        let Some(monday) = monday_of_date(&d.date) else {
            continue;
        };
        let w = weeks.entry(monday).or_default();
        w.days += 1;
        match d.downloads {
            Some(n) => {
                w.downloads = Some(w.downloads.unwrap_or(0.0) + n);
                downloads += n;
            }
            None => unknown_days += 1,
        }
        w.units += d.units;
        units += d.units;
        for (currency, amount) in &d.proceeds {
            // Plain text here: the chart's legend escapes it itself, the
            // page's cards and notes with `text`.
            let c = truncate(&sanitize(currency), 8);
            *w.proceeds.entry(c.clone()).or_default() += amount;
            *totals.entry(c).or_default() += amount;
        }
    }
    let mut currencies: Vec<(String, f64)> = totals.into_iter().collect();
    currencies.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()).then(a.0.cmp(&b.0)));
    let mut cards = vec![
        (
            if unknown_days == days.len() {
                "—".into()
            } else {
                grouped(downloads, 0)
            },
            "first-time downloads",
        ),
        (grouped(units, 0), "units (with updates)"),
    ];
    for (c, amount) in currencies.iter().take(MAX_CURRENCIES) {
        cards.push((
            format!("{} {}", grouped(*amount, 2), text(c, 8)),
            "proceeds",
        ));
    }
    let mut out = html::cards(&cards);
    // A week at either end with fewer than 7 archived days would chart as
    // a fall (or rise) that is only the archive's edge: left out of the
    // charts, kept in the totals.
    let mut partial = 0;
    for edge in [
        weeks.keys().next().copied(),
        weeks.keys().next_back().copied(),
    ] {
        if let Some(m) = edge
            && weeks.len() > 1
            && weeks.get(&m).is_some_and(|w| w.days < 7)
        {
            weeks.remove(&m);
            partial += 1;
        }
    }
    let (labels, axis, index) = week_axis(weeks.keys().copied());
    let download_series = Series {
        name: "first-time downloads".into(),
        points: weeks
            .iter()
            .filter_map(|(m, w)| Some((index[m], w.downloads?)))
            .collect(),
    };
    let unit_series = Series {
        name: "units (with updates)".into(),
        points: weeks.iter().map(|(m, w)| (index[m], w.units)).collect(),
    };
    let mut volume = vec![unit_series];
    if !download_series.points.is_empty() {
        volume.insert(0, download_series);
    }
    let proceeds: Vec<Series> = currencies
        .iter()
        .take(MAX_CURRENCIES)
        .map(|(c, _)| Series {
            name: c.clone(),
            points: weeks
                .iter()
                .filter_map(|(m, w)| Some((index[m], *w.proceeds.get(c)?)))
                .collect(),
        })
        .collect();
    out.push_str("<div class=\"charts\">\n");
    out.push_str(&chart_block(&Chart {
        title: "Downloads per week".into(),
        x_caption: "week (Monday)".into(),
        y_caption: "units".into(),
        x_labels: labels.clone(),
        x_days: Some(axis.clone()),
        series: volume,
        y_range: Some((0.0, 0.0)),
    }));
    if !proceeds.is_empty() {
        out.push_str(&chart_block(&Chart {
            title: "Proceeds per week".into(),
            x_caption: "week (Monday)".into(),
            y_caption: "proceeds".into(),
            x_labels: labels,
            x_days: Some(axis),
            series: proceeds,
            y_range: Some((0.0, 0.0)),
        }));
    }
    out.push_str("</div>\n");
    let mut notes = vec![format!(
        "{} archived days, {} to {}.",
        days.len(),
        html::day(&days[0].date),
        html::day(&days[days.len() - 1].date)
    )];
    if partial > 0 {
        notes.push(format!(
            "The charts leave out {partial} partial week{} at the archive's edge.",
            if partial == 1 { "" } else { "s" }
        ));
    }
    if unknown_days > 0 && unknown_days < days.len() {
        notes.push(format!(
            "{unknown_days} days were archived before product types were kept: their downloads are not counted."
        ));
    }
    if currencies.len() > MAX_CURRENCIES {
        let rest: Vec<String> = currencies[MAX_CURRENCIES..]
            .iter()
            .map(|(c, a)| format!("{} {}", grouped(*a, 2), text(c, 8)))
            .collect();
        notes.push(format!("Other currencies: {}.", rest.join(", ")));
    }
    out.push_str(&format!("<p class=\"note\">{}</p>\n", notes.join(" ")));
    out
}

/// `p50` for `percentile.fifty`, and so on.
fn percentile(p: &str) -> String {
    match p {
        "percentile.fifty" => "p50".into(),
        "percentile.ninety" => "p90".into(),
        "percentile.ninety-five" | "percentile.ninetyfive" => "p95".into(),
        other => other.trim_start_matches("percentile.").to_owned(),
    }
}

/// The latest performance metrics: Apple's regressions first, then per
/// metric and dataset the latest version's value, regressed metrics
/// highlighted.
pub fn perf(day: Option<&str>, doc: Option<&XcodeMetrics>) -> String {
    let (Some(day), Some(doc)) = (day, doc) else {
        return html::empty(
            "no performance metrics archived: run <code>ascvault sync --snapshots</code> (it keeps Apple&#39;s latest metrics once a day)",
        );
    };
    let mut out = String::new();
    let regressed = |cat: Option<&str>, metric: Option<&str>| {
        doc.insights
            .regressions
            .iter()
            .any(|i| i.metric.as_deref() == metric && i.metric_category.as_deref() == cat)
    };
    if doc.insights.regressions.is_empty() {
        out.push_str("<p>No regressions reported by Apple.</p>\n");
    }
    for i in &doc.insights.regressions {
        out.push_str(&format!(
            "<div class=\"regression\"><b>Regression: {} {}</b>{}<br>{}{}</div>\n",
            text(i.metric_category.as_deref().unwrap_or("?"), MAX_NAME),
            text(i.metric.as_deref().unwrap_or("?"), MAX_NAME),
            if i.high_impact == Some(true) {
                " <span class=\"impact\">high impact</span>"
            } else {
                ""
            },
            text(i.summary_string.as_deref().unwrap_or(""), MAX_INSIGHT),
            match (&i.latest_version, &i.reference_versions) {
                (Some(l), Some(r)) => format!(
                    " <span class=\"note\">(version {} against {})</span>",
                    text(l, MAX_NAME),
                    text(r, MAX_NAME)
                ),
                _ => String::new(),
            }
        ));
    }
    let mut rows = Vec::new();
    for product in &doc.product_data {
        for cat in &product.metric_categories {
            for m in &cat.metrics {
                let unit = m
                    .unit
                    .as_ref()
                    .and_then(|u| u.display_name.clone().or_else(|| u.identifier.clone()))
                    .unwrap_or_default();
                let bad = regressed(cat.identifier.as_deref(), m.identifier.as_deref());
                for ds in &m.datasets {
                    let mut points = ds.points.iter().filter(|p| p.value.is_some());
                    let Some(latest) = points.next_back() else {
                        continue;
                    };
                    let before = points.next_back();
                    let f = &ds.filter_criteria;
                    let value = |p: &perf::Point| {
                        p.value
                            .map(|v| format!("{} {}", short_number(v), text(&unit, 20)))
                            .unwrap_or_default()
                    };
                    rows.push(format!(
                        "<tr{}><td data-label=\"category\">{}</td><td data-label=\"metric\">{}</td><td data-label=\"dataset\">{} {}</td><td data-label=\"version\">{}</td><td class=\"num\" data-label=\"value\">{}</td><td class=\"num\" data-label=\"before\">{}</td><td data-label=\"goal\">{}</td></tr>\n",
                        if bad { " class=\"regressed\"" } else { "" },
                        text(cat.identifier.as_deref().unwrap_or("?"), MAX_NAME),
                        text(m.identifier.as_deref().unwrap_or("?"), MAX_NAME),
                        text(&percentile(f.percentile.as_deref().unwrap_or("")), 20),
                        text(
                            f.device_marketing_name
                                .as_deref()
                                .or(f.device.as_deref())
                                .unwrap_or(""),
                            MAX_NAME
                        ),
                        text(latest.version.as_deref().unwrap_or(""), MAX_NAME),
                        value(latest),
                        before.map_or("—".into(), |p| format!(
                            "{} ({})",
                            value(p),
                            text(p.version.as_deref().unwrap_or(""), MAX_NAME)
                        )),
                        text(latest.goal.as_deref().unwrap_or(""), MAX_NAME),
                    ));
                }
            }
        }
    }
    if rows.is_empty() {
        out.push_str(&html::empty("the archived metrics hold no values"));
    } else {
        out.push_str(
            "<div class=\"wrap\"><table class=\"perf\">\n<tr><th>Category</th><th>Metric</th><th>Dataset</th><th>Version</th><th class=\"num\">Value</th><th class=\"num\">Before</th><th>Goal</th></tr>\n",
        );
        let n = rows.len();
        for r in rows.into_iter().take(MAX_METRIC_ROWS) {
            out.push_str(&r);
        }
        out.push_str("</table></div>\n");
        if n > MAX_METRIC_ROWS {
            out.push_str(&format!(
                "<p class=\"note\">and {} more rows (see <code>ascvault metrics perf</code>).</p>\n",
                n - MAX_METRIC_ROWS
            ));
        }
    }
    out.push_str(&format!(
        "<p class=\"note\">As archived on {}; highlighted rows are metrics Apple reports as regressed.</p>\n",
        html::day(day)
    ));
    out
}

/// `v` with `decimals` decimals and a thin space between thousands
/// (`1 019.20`): a total in a card is read, not estimated.
fn grouped(v: f64, decimals: usize) -> String {
    let text = format!("{:.*}", decimals, v.abs());
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push('\u{202f}');
        }
        out.push(c);
    }
    if !frac.is_empty() {
        out.push('.');
        out.push_str(frac);
    }
    if v < 0.0 && v.abs() >= 0.5 * 10f64.powi(-(decimals as i32)) {
        out.insert(0, '−');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::grouped;

    #[test]
    fn totals_are_grouped_by_thousands_with_fixed_decimals() {
        assert_eq!(grouped(1019.2, 2), "1\u{202f}019.20");
        assert_eq!(grouped(2912.0, 0), "2\u{202f}912");
        assert_eq!(grouped(1234567.891, 2), "1\u{202f}234\u{202f}567.89");
        assert_eq!(grouped(12.0, 2), "12.00");
        assert_eq!(grouped(-1500.0, 0), "−1\u{202f}500");
        assert_eq!(grouped(-0.001, 2), "0.00");
    }
}
