//! The review sections: rating trend and volume per week, distribution of
//! stars, answered share and time to answer, flagged reviews with reasons.

use std::collections::{BTreeMap, HashMap};

use super::html::{self, text};
use super::{chart_block, monday_of, week_axis};
use crate::asc::flag;
use crate::asc::reviews::Review;
use crate::cli::metrics::chart::{Chart, Series};
pub(crate) use crate::cli::reviews::figures::{Figures, duration};

/// Flagged reviews shown at most (the newest); the count says how many more.
pub const MAX_FLAGGED: usize = 50;
/// Characters of a flagged review's title and body shown.
const MAX_TITLE: usize = 120;
const MAX_BODY: usize = 400;

/// The figures of all reviews and of each week (by its Monday, as a day
/// number), for reviews with a readable date.
pub fn figures(
    reviews: &[Review],
    flags: &HashMap<String, bool>,
) -> (Figures, BTreeMap<i64, Figures>) {
    let mut total = Figures::default();
    let mut weeks: BTreeMap<i64, Figures> = BTreeMap::new();
    for r in reviews {
        let flagged = flags.get(&r.id).copied().unwrap_or(false);
        total.add(r, flagged);
        if let Some(monday) = r.created().and_then(monday_of) {
            weeks.entry(monday).or_default().add(r, flagged);
        }
    }
    (total, weeks)
}

fn percent(n: usize, of: usize) -> String {
    if of == 0 {
        "—".into()
    } else {
        format!("{:.0}%", n as f64 * 100.0 / of as f64)
    }
}

/// Rating trend and volume per week.
pub fn trend(total: &Figures, weeks: &BTreeMap<i64, Figures>) -> String {
    if total.count == 0 {
        return html::empty(
            "no reviews archived for this period: run <code>ascvault sync --reviews</code>",
        );
    }
    let mut out = html::cards(&[
        (total.count.to_string(), "reviews"),
        (
            total.average().map_or("—".into(), |a| format!("{a:.2} ★")),
            "average rating",
        ),
        (weeks.len().to_string(), "weeks with reviews"),
    ]);
    if weeks.is_empty() {
        out.push_str(&html::empty("no review has a readable date"));
        return out;
    }
    let (labels, days, index) = week_axis(weeks.keys().copied());
    let average = Series {
        name: "average stars".into(),
        points: weeks
            .iter()
            .filter_map(|(w, f)| Some((index[w], f.average()?)))
            .collect(),
    };
    // Every week of the axis has a volume: a week without reviews is 0.
    let volume = Series {
        name: "reviews".into(),
        points: days
            .iter()
            .enumerate()
            .map(|(i, d)| (i, weeks.get(d).map_or(0.0, |f| f.count as f64)))
            .collect(),
    };
    out.push_str("<div class=\"charts\">\n");
    out.push_str(&chart_block(&Chart {
        title: "Average rating per week".into(),
        x_caption: "week (Monday, UTC)".into(),
        y_caption: "stars".into(),
        x_labels: labels.clone(),
        x_days: Some(days.clone()),
        series: vec![average],
        y_range: Some((1.0, 5.0)),
    }));
    out.push_str(&chart_block(&Chart {
        title: "Reviews per week".into(),
        x_caption: "week (Monday, UTC)".into(),
        y_caption: "reviews".into(),
        x_labels: labels,
        x_days: Some(days),
        series: vec![volume],
        y_range: Some((0.0, 0.0)),
    }));
    out.push_str("</div>\n");
    out
}

/// Distribution of stars: a bar per star count, 5 first.
pub fn distribution(total: &Figures) -> String {
    let rated: usize = total.stars.iter().sum();
    if rated == 0 {
        return html::empty(
            "no rated reviews archived for this period: run <code>ascvault sync --reviews</code>",
        );
    }
    let most = total.stars.iter().copied().max().unwrap_or(1).max(1);
    let mut out = String::from("<table class=\"dist\">\n");
    for s in (1..=5).rev() {
        let n = total.stars[s - 1];
        let width = n as f64 * 100.0 / most as f64;
        out.push_str(&format!(
            "<tr><td class=\"label\">{} {s}</td><td style=\"width:100%\"><div class=\"track\"><div class=\"bar\" style=\"width:{width:.1}%\"></div></div></td>\
             <td class=\"num\">{n}</td><td class=\"num\">{}</td></tr>\n",
            "★",
            percent(n, rated)
        ));
    }
    out.push_str("</table>\n");
    out
}

/// Answered share and median time to answer, overall and per week.
pub fn answered(total: &Figures, weeks: &BTreeMap<i64, Figures>) -> String {
    if total.count == 0 {
        return html::empty(
            "no reviews archived for this period: run <code>ascvault sync --reviews</code>",
        );
    }
    let mut out = html::cards(&[
        (percent(total.answered, total.count), "answered"),
        (total.answered.to_string(), "responses published"),
        (
            total.median_hours().map_or("—".into(), duration),
            "median time to answer",
        ),
    ]);
    let (labels, days, index) = week_axis(weeks.keys().copied());
    let share = Series {
        name: "answered".into(),
        points: weeks
            .iter()
            .filter(|(_, f)| f.count > 0)
            .map(|(w, f)| (index[w], f.answered as f64 * 100.0 / f.count as f64))
            .collect(),
    };
    let hours = Series {
        name: "median hours".into(),
        points: weeks
            .iter()
            .filter_map(|(w, f)| Some((index[w], f.median_hours()?)))
            .collect(),
    };
    if share.points.is_empty() {
        return out;
    }
    out.push_str("<div class=\"charts\">\n");
    out.push_str(&chart_block(&Chart {
        title: "Answered share per week".into(),
        x_caption: "week (Monday, UTC)".into(),
        y_caption: "% answered".into(),
        x_labels: labels.clone(),
        x_days: Some(days.clone()),
        series: vec![share],
        y_range: Some((0.0, 100.0)),
    }));
    if !hours.points.is_empty() {
        out.push_str(&chart_block(&Chart {
            title: "Median time to answer per week".into(),
            x_caption: "week (Monday, UTC)".into(),
            y_caption: "hours".into(),
            x_labels: labels,
            x_days: Some(days),
            series: vec![hours],
            y_range: Some((0.0, 0.0)),
        }));
    }
    out.push_str("</div>\n");
    out
}

/// Flagged reviews, newest first, each with the reasons `flag::check` gives.
pub fn flagged(reviews: &[Review], flags: &HashMap<String, bool>) -> String {
    let mut list: Vec<&Review> = reviews
        .iter()
        .filter(|r| flags.get(&r.id).copied().unwrap_or(false))
        .collect();
    if list.is_empty() {
        return html::empty("no flagged reviews in this period");
    }
    list.sort_by_key(|r| std::cmp::Reverse(r.created()));
    let mut out = format!(
        "<p>{} of {} reviews ({}) may break Apple's rules: hints for a person to read, never verdicts.</p>\n<div class=\"reviews\">\n",
        list.len(),
        reviews.len(),
        percent(list.len(), reviews.len())
    );
    for r in list.iter().take(MAX_FLAGGED) {
        let stars = r
            .rating
            .filter(|s| (1..=5).contains(s))
            .map_or(String::new(), |s| {
                format!("{}{}", "★".repeat(s.into()), "☆".repeat(5 - usize::from(s)))
            });
        let day = r.created_date.as_deref().map_or(String::new(), html::day);
        out.push_str(&format!(
            "<article class=\"review\"><div class=\"meta\"><span class=\"stars\">{stars}</span> · {day} · {} · {}</div>\n",
            text(r.territory.as_deref().unwrap_or(""), 8),
            text(r.reviewer_nickname.as_deref().unwrap_or(""), 60),
        ));
        if let Some(t) = r.title.as_deref().filter(|t| !t.trim().is_empty()) {
            out.push_str(&format!("<h3>{}</h3>\n", text(t, MAX_TITLE)));
        }
        out.push_str(&format!(
            "<p>{}</p>\n<div>",
            text(r.body.as_deref().unwrap_or(""), MAX_BODY)
        ));
        for f in flag::check(&r.text(), &[]) {
            out.push_str(&format!(
                "<span class=\"reason\">{}: {}</span>",
                f.reason.as_str(),
                text(&f.detail, 100)
            ));
        }
        out.push_str("</div></article>\n");
    }
    out.push_str("</div>\n");
    if list.len() > MAX_FLAGGED {
        out.push_str(&format!(
            "<p class=\"note\">and {} older flagged reviews (the newest are shown).</p>\n",
            list.len() - MAX_FLAGGED
        ));
    }
    out
}
