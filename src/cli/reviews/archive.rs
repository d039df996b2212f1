//! The reviews commands that read the local archive instead of Apple:
//! `reviews list --archive` (same filters and outputs, offline: no vault,
//! no network) and `reviews stats`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::figures::{Figures, duration};
use crate::archive::Archive;
use crate::asc::apps::AppInfo;
use crate::asc::flag;
use crate::asc::reviews::{Query, ResponseInfo, Review, Sort};
use crate::cli::args::asc::{FilterArgs, StatsArgs, StatsPeriod};
use crate::cli::context::Context;
use crate::cli::error::{CliError, CliResult};
use crate::cli::output::{Table, print, print_json, sanitize, say, truncate};
use crate::cli::sync::archive_path;

/// Opens the archive and finds the app `--app` names in it.
pub(crate) fn open(
    ctx: &Context,
    given: Option<&Path>,
    app: &str,
) -> CliResult<(Archive, AppInfo)> {
    let path = archive_path(ctx, given);
    let archive = Archive::open_existing(&path)?;
    let mut found = archive.find_app(app)?;
    match found.len() {
        0 => Err(CliError::new(format!(
            "no app {:?} in the archive {}",
            sanitize(&truncate(app, 80)),
            path.display()
        ))
        .hint("run `ascvault sync --app APP` first (it archives every app the key sees without --app)")),
        1 => Ok((archive, found.remove(0))),
        n => Err(CliError::usage(format!(
            "{n} archived apps are called {:?}: {}",
            sanitize(&truncate(app, 80)),
            found
                .iter()
                .map(|a| format!("{} ({})", sanitize(&a.id), sanitize(&a.bundle_id)))
                .collect::<Vec<_>>()
                .join(", ")
        ))
        .hint("pass the app id or bundle id")),
    }
}

/// `reviews list --archive`: the reviews the filters select, as Apple
/// would list them.
pub fn list(ctx: &Context, filter: &FilterArgs, given: Option<&Path>) -> CliResult<Vec<Review>> {
    let (archive, app) = open(ctx, given, &filter.app)?;
    ctx.verbose(format!(
        "app {} ({}) from {}",
        sanitize(&app.id),
        sanitize(&app.name),
        archive.path().display()
    ));
    Ok(archive.reviews(&app.id, &filter.query())?)
}

impl Figures {
    fn json(&self) -> Value {
        let round = |x: f64| (x * 1000.0).round() / 1000.0;
        json!({
            "count": self.count,
            "average": self.average().map(round),
            "stars": {
                "1": self.stars[0], "2": self.stars[1], "3": self.stars[2],
                "4": self.stars[3], "5": self.stars[4],
            },
            "answered_share": round(self.share(self.answered)),
            "median_hours_to_answer": self.median_hours().map(round),
            "flagged_share": round(self.share(self.flagged)),
        })
    }

    fn row(&self, period: &str) -> Vec<String> {
        let pct = |n| format!("{:.0}%", self.share(n) * 100.0);
        let mut row = vec![
            period.to_owned(),
            self.count.to_string(),
            self.average().map_or("-".into(), |a| format!("{a:.2}")),
        ];
        row.extend(self.stars.iter().map(usize::to_string));
        row.push(pct(self.answered));
        row.push(self.median_hours().map_or("-".into(), duration));
        row.push(pct(self.flagged));
        row
    }
}

/// The period a review falls in (UTC), `None` without a readable date.
fn period_of(r: &Review, by: StatsPeriod) -> Option<String> {
    let t = r.created()?.to_offset(time::UtcOffset::UTC);
    Some(match by {
        StatsPeriod::Week => {
            let (year, week, _) = t.to_iso_week_date();
            format!("{year}-W{week:02}")
        }
        StatsPeriod::Month => format!("{}-{:02}", t.year(), u8::from(t.month())),
    })
}

/// `reviews stats --app APP [--by week|month] [--json]`
pub fn stats(ctx: &Context, args: &StatsArgs) -> CliResult {
    let (mut archive, app) = open(ctx, args.archive.as_deref(), &args.app)?;
    let flags = archive.flags(&app.id, |r| !flag::check(&r.text(), &[]).is_empty())?;
    let all = archive.reviews(
        &app.id,
        &Query {
            sort: Sort::Newest,
            ..Query::default()
        },
    )?;
    let mut total = Figures::default();
    let mut periods: BTreeMap<String, Figures> = BTreeMap::new();
    for r in &all {
        let flagged = flags.get(&r.id).copied().unwrap_or(false);
        total.add(r, flagged);
        if let Some(p) = args.by.and_then(|by| period_of(r, by)) {
            periods.entry(p).or_default().add(r, flagged);
        }
    }
    if args.json {
        let rows: Vec<Value> = periods
            .iter()
            .rev()
            .map(|(p, f)| {
                let mut v = f.json();
                v["period"] = json!(p);
                v
            })
            .collect();
        return print_json(&json!({
            "app": {"id": app.id, "name": app.name, "bundle_id": app.bundle_id},
            "total": total.json(),
            "periods": rows,
        }));
    }
    let mut table = Table::new(&[
        "PERIOD",
        "REVIEWS",
        "AVERAGE",
        "1★",
        "2★",
        "3★",
        "4★",
        "5★",
        "ANSWERED",
        "MEDIAN ANSWER",
        "FLAGGED",
    ]);
    table.row(total.row("all"));
    for (p, f) in periods.iter().rev() {
        table.row(f.row(p));
    }
    print(&table.render())
}

/// After `reviews respond` or `delete-response`: the archive beside the
/// vault, if there is one and it holds the review, takes the new state, so
/// the next sync re-checks a pending response until it is published. A
/// failure here is a warning: the response itself was sent.
pub fn record_response(ctx: &Context, review_id: &str, resp: Option<&ResponseInfo>) {
    let path = archive_path(
        ctx,
        std::env::var_os("ASCVAULT_ARCHIVE")
            .map(PathBuf::from)
            .as_deref(),
    );
    if !path.exists() {
        return;
    }
    let result = Archive::open_existing(&path).and_then(|a| a.put_response(review_id, resp));
    match result {
        Ok(true) => ctx.verbose(format!("archive {} updated", path.display())),
        Ok(false) => {}
        Err(e) => say(&format!("warning: the archive was not updated: {e}")),
    }
}
