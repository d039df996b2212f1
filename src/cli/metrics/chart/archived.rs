//! `metrics chart --archive`: a series read straight from the archive —
//! an analytics report's archived rows, or daily sales — offline.

use std::collections::BTreeMap;
use std::path::Path;

use super::{Chart, Series, check_value, column_chart, day_of_date, input, show};
use crate::archive::Archive;
use crate::cli::args::metrics::{ChartArgs, Granularity};
use crate::cli::context::Context;
use crate::cli::error::{CliError, CliResult};
use crate::cli::output::{sanitize, say, truncate};
use crate::cli::sync::archive_path;

/// The granularities in the order `--analytics` prefers them: finest first.
const GRANULARITIES: [Granularity; 3] = [
    Granularity::Daily,
    Granularity::Weekly,
    Granularity::Monthly,
];

/// `metrics chart --archive …`: archived analytics rows or daily sales.
pub(super) fn archived(ctx: &Context, args: &ChartArgs, given: Option<&Path>) -> CliResult {
    if args.sales {
        let archive = Archive::open_existing(&archive_path(ctx, given))?;
        return sales(args, &archive);
    }
    let (Some(report), Some(app)) = (&args.analytics, &args.app) else {
        return Err(CliError::usage(
            "--archive needs --analytics REPORT --app APP, or --sales",
        ));
    };
    let (archive, app) = crate::cli::reviews::archive::open(ctx, given, app)?;
    let reports = archive.analytics_reports_of(&app.id)?;
    let Some((_, archived)) = reports.iter().find(|(r, _)| r == report) else {
        let listed = reports
            .iter()
            .map(|(r, g)| format!("{:?} ({})", sanitize(r), g.join(", ")))
            .collect::<Vec<_>>()
            .join(", ");
        return Err(CliError::new(format!(
            "no report {:?} of {} in the archive {}",
            sanitize(&truncate(report, 80)),
            sanitize(&app.name),
            archive.path().display()
        ))
        .hint(if listed.is_empty() {
            "archive it with `ascvault sync --analytics REPORT --app APP`".to_owned()
        } else {
            format!("archived: {listed}")
        }));
    };
    let granularity = match args.granularity {
        Some(g) => g.api(),
        None => GRANULARITIES
            .iter()
            .map(|g| g.api())
            .find(|g| archived.iter().any(|a| a == g))
            .unwrap_or(archived[0].as_str()),
    };
    let segments = archive.analytics_segments(&app.id, report, granularity)?;
    if segments.is_empty() {
        return Err(CliError::new(format!(
            "no {granularity} segments of {:?} in the archive",
            sanitize(&truncate(report, 80))
        ))
        .hint(format!("archived granularities: {}", archived.join(", "))));
    }
    let (tsv, repeated) = input::segments(&segments).map_err(|e| {
        CliError::new(format!(
            "cannot read {} from the archive: {e}",
            sanitize(report)
        ))
    })?;
    let others: Vec<&str> = archived
        .iter()
        .map(String::as_str)
        .filter(|g| *g != granularity)
        .collect();
    say(&format!(
        "{}: {} rows of {} {granularity} segment(s){}{}",
        sanitize(&truncate(report, 80)),
        tsv.rows.len(),
        segments.len(),
        match repeated {
            0 => String::new(),
            n => format!(", {n} repeated by a later instance left out"),
        },
        if others.is_empty() {
            String::new()
        } else {
            format!(" (also archived: {}; --granularity)", others.join(", "))
        }
    ));
    // Analytics reports have a Date column: the natural x axis.
    let by = match &args.by {
        Some(b) => Some(b.as_str()),
        None => tsv.column("Date").map(|_| "Date"),
    };
    let source = format!("the archived report {:?}", truncate(report, 80));
    let tail = format!("{report} ({})", granularity.to_ascii_lowercase());
    column_chart(args, &tsv, &source, &tail, by)
}

/// What `--sales` charts.
#[derive(Clone, Copy, PartialEq, Eq)]
enum SalesColumn {
    Units,
    Downloads,
    Proceeds,
}

/// `metrics chart --archive --sales --column units|downloads|proceeds
/// [--app APP]`: one point per archived day (a day archived without sales
/// is 0); proceeds one line per currency, never summed across currencies.
/// An archived app's days are [`Archive::sales_days_of`] (its units, its
/// first-time downloads, its and its in-app purchases' proceeds), as in
/// `ascvault report`; without `--app`, every row of the day.
fn sales(args: &ChartArgs, archive: &Archive) -> CliResult {
    let column = match args.column.trim().to_ascii_lowercase().as_str() {
        "units" => SalesColumn::Units,
        "downloads" => SalesColumn::Downloads,
        "proceeds" => SalesColumn::Proceeds,
        _ => {
            return Err(CliError::usage(format!(
                "--sales charts units, downloads or proceeds, not {:?}",
                sanitize(&truncate(&args.column, 80))
            ))
            .hint("--column units, --column downloads (with --app) or --column proceeds"));
        }
    };
    let (days, title_tail) = match &args.app {
        Some(wanted) => {
            let wanted = wanted.trim();
            let mut found = archive.find_app(wanted)?;
            let days = match found.len() {
                1 => archive.sales_days_of(&found.remove(0))?,
                0 if column == SalesColumn::Downloads => {
                    return Err(CliError::new(format!(
                        "no app {:?} in the archive: its first-time downloads are not known",
                        sanitize(&truncate(wanted, 80))
                    ))
                    .hint("`ascvault sync --app APP` archives the app (its SKU names its in-app purchases)"));
                }
                0 => {
                    // Sales archived without the app: the rows name it.
                    let days = archive.sales_days_matching(|r| {
                        r.apple_identifier == wanted || r.title.trim() == wanted
                    })?;
                    if days.iter().all(|d| d.units == 0.0 && d.proceeds.is_empty()) {
                        return Err(CliError::new(format!(
                            "no archived sales of {:?}",
                            sanitize(&truncate(wanted, 80))
                        ))
                        .hint("pass the app's Apple id, bundle id or name as archived"));
                    }
                    days
                }
                n => {
                    return Err(CliError::usage(format!(
                        "{n} archived apps are called {:?}",
                        sanitize(&truncate(wanted, 80))
                    ))
                    .hint("pass the app id or bundle id"));
                }
            };
            (days, format!("sales of {wanted}"))
        }
        None => (
            archive.sales_days_matching(|_| true)?,
            "sales, all apps".into(),
        ),
    };
    if days.is_empty() {
        return Err(CliError::new(format!(
            "no sales in the archive {}",
            archive.path().display()
        ))
        .hint("archive them with `ascvault sync --sales`"));
    }
    // Each line: a value per archived day (`None`: not known that day).
    let mut lines: BTreeMap<String, Vec<Option<f64>>> = BTreeMap::new();
    match column {
        SalesColumn::Units => {
            lines.insert("units".into(), days.iter().map(|d| Some(d.units)).collect());
        }
        SalesColumn::Downloads => {
            if args.app.is_none() {
                return Err(CliError::usage("--column downloads needs --app APP")
                    .hint("first-time downloads are counted per app"));
            }
            lines.insert(
                "downloads".into(),
                days.iter().map(|d| d.downloads).collect(),
            );
        }
        SalesColumn::Proceeds => {
            for (i, d) in days.iter().enumerate() {
                for (currency, value) in &d.proceeds {
                    lines
                        .entry(format!("proceeds {currency}"))
                        .or_insert_with(|| vec![Some(0.0); days.len()])[i] = Some(*value);
                }
            }
        }
    }
    let series: Vec<Series> = lines
        .into_iter()
        .map(|(name, values)| Series {
            name: sanitize(&name),
            points: values
                .into_iter()
                .enumerate()
                .filter_map(|(i, v)| Some((i, v?)))
                .collect(),
        })
        .filter(|s| !s.points.is_empty())
        .collect();
    if series.is_empty() {
        return Err(CliError::new(format!(
            "nothing to chart: no archived {}",
            args.column.trim().to_ascii_lowercase()
        ))
        .hint("days archived before product types were kept have no first-time downloads: chart units"));
    }
    for s in &series {
        for (i, v) in &s.points {
            check_value(&s.name, &days[*i].date, *v)?;
        }
    }
    let y_caption = match column {
        SalesColumn::Units => "units",
        SalesColumn::Downloads => "first-time downloads",
        SalesColumn::Proceeds => "proceeds (per currency)",
    };
    let labels: Vec<String> = days.into_iter().map(|d| d.date).collect();
    let x_days: Option<Vec<i64>> = labels.iter().map(|d| day_of_date(d)).collect();
    let title = args
        .title
        .clone()
        .unwrap_or_else(|| format!("{y_caption} by date — {title_tail}"));
    show(
        args,
        Chart {
            title: sanitize(&title),
            x_caption: "date".into(),
            y_caption: y_caption.into(),
            x_labels: labels,
            x_days,
            series,
            y_range: None,
        },
    )
}
