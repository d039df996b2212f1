//! `metrics perf`: power and performance metrics as a table per metric,
//! insights first, optionally charted across versions.

use std::collections::BTreeMap;

use super::asc_error;
use super::chart::{self, Chart, Series};
use super::resolve_app;
use crate::asc::perf::{self, Target, XcodeMetrics};
use crate::cli::args::metrics::PerfArgs;
use crate::cli::asc::AscSession;
use crate::cli::context::Context;
use crate::cli::error::{CliError, CliResult};
use crate::cli::output::{Table, print, print_json, sanitize, truncate};

/// `p50` for `percentile.fifty`, and so on.
fn percentile_name(p: &str) -> String {
    match p {
        "percentile.fifty" => "p50".into(),
        "percentile.ninety" => "p90".into(),
        "percentile.ninety-five" | "percentile.ninetyfive" => "p95".into(),
        other => other.trim_start_matches("percentile.").to_owned(),
    }
}

/// `metrics perf`: the chart's format is checked before any request.
pub(super) fn perf(ctx: &Context, args: &PerfArgs) -> CliResult {
    if let Some(c) = &args.chart {
        chart::Format::of(c)?;
    }
    let session = AscSession::open(ctx, &args.asc)?;
    let target = match (&args.app, &args.build) {
        (Some(app), _) => Target::App(resolve_app(&session, app)?),
        (None, Some(b)) => Target::Build(b.trim().to_owned()),
        (None, None) => return Err(CliError::usage("give --app or --build")),
    };
    let categories: Vec<String> = args.metric.iter().map(|m| m.api().to_owned()).collect();
    let device = args.device.as_deref().map(str::trim);
    let mut got =
        perf::metrics(&session.client, &target, &categories, device).map_err(asc_error)?;
    if let Some(device) = device
        && !got.doc.devices().iter().any(|d| d.id == device)
    {
        // Asked again without the device, to say which devices there are.
        let all = perf::metrics(&session.client, &target, &categories, None).map_err(asc_error)?;
        return Err(no_such_device(device, &all.doc.devices()));
    }
    got.keep_insights_of(&categories);
    if let Some(path) = &args.chart {
        chart::draw(&perf_chart(&got.doc)?, path, 960, 540)?;
        ctx.verbose(format!("chart written to {}", path.display()));
    }
    if args.json {
        // Apple's document as received (Apple applied the filters): fields
        // ascvault does not read (`populations`, `percentageBreakdown`…)
        // are kept, and none is added.
        return print_json(&got.raw);
    }
    print(&render_perf(&got.doc))
}

/// Characters of an insight line kept (Apple's summaries are one sentence).
const MAX_INSIGHT: usize = 300;

/// Devices listed in an error at most.
const MAX_DEVICES: usize = 30;

/// `--device X` with X not in the data: exit 1, naming the devices that are.
fn no_such_device(device: &str, present: &[perf::Device]) -> CliError {
    if present.is_empty() {
        return CliError::new(format!(
            "no data for device {device:?}: the data has no devices"
        ))
        .hint("try without --device (or without --metric)");
    }
    let mut names: Vec<String> = present
        .iter()
        .take(MAX_DEVICES)
        .map(|d| match &d.name {
            Some(n) if !n.trim().is_empty() && n != &d.id => {
                format!("{} ({})", truncate(&d.id, 40), truncate(n, 40))
            }
            _ => truncate(&d.id, 40),
        })
        .collect();
    if present.len() > MAX_DEVICES {
        names.push(format!("and {} more", present.len() - MAX_DEVICES));
    }
    CliError::new(format!(
        "no data for device {device:?}; the data has: {}",
        names.join(", ")
    ))
    .hint("--device takes a device identifier from that list, e.g. all_iphones")
}

/// Insights first (regressions, then trending up), then a table per metric.
fn render_perf(doc: &XcodeMetrics) -> String {
    let mut out = String::new();
    let insight_line = |i: &perf::Insight| {
        format!(
            "  {} {}: {}{}",
            i.metric_category.as_deref().unwrap_or("?"),
            i.metric.as_deref().unwrap_or("?"),
            i.summary_string.as_deref().unwrap_or(""),
            if i.high_impact == Some(true) {
                " [high impact]"
            } else {
                ""
            }
        )
    };
    if !doc.insights.regressions.is_empty() {
        out.push_str("Regressions:\n");
        for i in &doc.insights.regressions {
            out.push_str(&format!(
                "{}\n",
                sanitize(&truncate(&insight_line(i), MAX_INSIGHT))
            ));
        }
    }
    if !doc.insights.trending_up.is_empty() {
        out.push_str("Trending up:\n");
        for i in &doc.insights.trending_up {
            out.push_str(&format!(
                "{}\n",
                sanitize(&truncate(&insight_line(i), MAX_INSIGHT))
            ));
        }
    }
    for product in &doc.product_data {
        for cat in &product.metric_categories {
            for m in &cat.metrics {
                let unit = unit_name(m);
                if !out.is_empty() {
                    out.push('\n');
                }
                out.push_str(&sanitize(&format!(
                    "{} {} — {} ({unit}){}",
                    product.platform.as_deref().unwrap_or(""),
                    cat.identifier.as_deref().unwrap_or("?"),
                    m.identifier.as_deref().unwrap_or("?"),
                    goals(m)
                )));
                out.push('\n');
                let mut header = vec!["VERSION".to_owned()];
                let mut by_version: BTreeMap<String, Vec<String>> = BTreeMap::new();
                for ds in &m.datasets {
                    header.push(dataset_label(ds));
                }
                let versions = versions_of(m);
                for v in &versions {
                    let mut cells = Vec::new();
                    for ds in &m.datasets {
                        let cell = ds
                            .points
                            .iter()
                            .find(|p| p.version.as_deref() == Some(v))
                            .and_then(|p| {
                                p.value.map(|x| {
                                    let mut c = format!("{} {unit}", chart::short_number(x));
                                    if let Some(e) = p.error_margin {
                                        c.push_str(&format!(" ±{}", chart::short_number(e)));
                                    }
                                    if let Some(g) = &p.goal {
                                        c.push_str(&format!(" ({g})"));
                                    }
                                    c
                                })
                            })
                            .unwrap_or_else(|| "—".into());
                        cells.push(cell);
                    }
                    by_version.insert(v.clone(), cells);
                }
                let refs: Vec<&str> = header.iter().map(String::as_str).collect();
                let mut t = Table::new(&refs);
                for v in &versions {
                    let mut row = vec![v.clone()];
                    row.extend(by_version.remove(v).unwrap_or_default());
                    t.row(row);
                }
                out.push_str(&t.render());
            }
        }
    }
    if out.is_empty() {
        out.push_str("no metrics\n");
    }
    out
}

/// What a metric's values are in: Apple's `displayName` (`%`, `ms`), else
/// its `identifier`.
fn unit_name(m: &perf::Metric) -> String {
    m.unit
        .as_ref()
        .and_then(|u| {
            u.display_name
                .clone()
                .filter(|n| !n.trim().is_empty())
                .or_else(|| u.identifier.clone())
        })
        .unwrap_or_default()
}

/// `p50 All iPhones`: the percentile and the device of a dataset.
fn dataset_label(ds: &perf::Dataset) -> String {
    let f = &ds.filter_criteria;
    format!(
        "{} {}",
        percentile_name(f.percentile.as_deref().unwrap_or("")),
        f.device_marketing_name
            .as_deref()
            .or(f.device.as_deref())
            .unwrap_or("")
    )
}

/// The versions of a metric's points, in Apple's order.
fn versions_of(m: &perf::Metric) -> Vec<String> {
    let mut versions: Vec<String> = Vec::new();
    for p in m.datasets.iter().flat_map(|ds| &ds.points) {
        let v = p.version.clone().unwrap_or_default();
        if !versions.contains(&v) {
            versions.push(v);
        }
    }
    versions
}

/// `; goals: …` after a metric's title, when it has goals.
fn goals(m: &perf::Metric) -> String {
    if m.goal_keys.is_empty() {
        return String::new();
    }
    let parts: Vec<String> = m
        .goal_keys
        .iter()
        .map(|g| {
            format!(
                "{} {}–{}",
                g.goal_key.as_deref().unwrap_or("?"),
                g.lower_bound.map(chart::short_number).unwrap_or_default(),
                g.upper_bound.map(chart::short_number).unwrap_or_default()
            )
        })
        .collect();
    format!("; goals: {}", parts.join(", "))
}

/// The first metric across versions, a line per dataset.
fn perf_chart(doc: &XcodeMetrics) -> CliResult<Chart> {
    let Some((cat, m)) = doc
        .product_data
        .iter()
        .flat_map(|p| &p.metric_categories)
        .flat_map(|c| c.metrics.iter().map(move |m| (c, m)))
        .next()
    else {
        return Err(CliError::new("no metrics to chart"));
    };
    let versions = versions_of(m);
    let series = m
        .datasets
        .iter()
        .map(|ds| Series {
            name: dataset_label(ds),
            points: ds
                .points
                .iter()
                .filter_map(|p| {
                    let x = versions
                        .iter()
                        .position(|v| Some(v) == p.version.as_ref())?;
                    Some((x, p.value?))
                })
                .collect(),
        })
        .collect();
    Ok(Chart {
        title: format!(
            "{} {}",
            cat.identifier.as_deref().unwrap_or(""),
            m.identifier.as_deref().unwrap_or("")
        ),
        x_caption: "version".into(),
        y_caption: unit_name(m),
        x_labels: versions,
        x_days: None,
        series,
        y_range: None,
    })
}
