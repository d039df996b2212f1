//! Line charts of metrics: PNG (plotters' bitmap backend) or SVG by the
//! output's extension, and a one-line sparkline for the terminal.
//!
//! Text is drawn with DejaVu Sans, compiled into the binary
//! (`assets/fonts/`, Bitstream Vera licence) and handed to plotters'
//! `ab_glyph` renderer: charts come out the same on a headless CI with no
//! fonts installed, and nothing depends on fontconfig. PNG text is placed
//! glyph by glyph by [`glyphs`], which fixes plotters' uneven spacing.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::Write;
use std::path::Path;
use std::sync::Once;

use plotters::prelude::*;
use plotters::style::FontStyle;

mod archived;
mod glyphs;
mod input;
mod png;
mod scale;

use scale::runs;
pub use scale::{date_of_day, day_of, day_of_date, short_number, sparkline};

use crate::asc::sales::Tsv;
use crate::atomic::{AtomicFile, Replace};
use crate::cli::args::metrics::ChartArgs;
use crate::cli::context::Context;
use crate::cli::error::{CliError, CliResult};
use crate::cli::output::{print, sanitize};

static FONT: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");
/// The family name charts use.
const FAMILY: &str = "sans-serif";

/// The largest magnitude a chart takes: far above any real report (a
/// quadrillion), and far from `f64`'s limits, where plotters' axis
/// arithmetic overflows or stops advancing and never returns.
pub const MAX_VALUE: f64 = 1e15;

/// Refuses a value a chart cannot draw: not finite (`inf`, `NaN`), or
/// beyond [`MAX_VALUE`]. `what` names the series, `at` the point.
fn check_value(what: &str, at: &str, value: f64) -> CliResult {
    let problem = if !value.is_finite() {
        "is not a finite number"
    } else if value.abs() > MAX_VALUE {
        "is out of range"
    } else {
        return Ok(());
    };
    Err(CliError::new(format!(
        "cannot chart {} at {}: {value:e} {problem}",
        sanitize(what),
        sanitize(at)
    ))
    .hint(format!(
        "a chart takes finite values from -{MAX_VALUE:e} to {MAX_VALUE:e}; check the data"
    )))
}

/// One line of a chart.
#[derive(Clone, Debug)]
pub struct Series {
    /// The legend text.
    pub name: String,
    /// `(x index, value)`: x indexes [`Chart::x_labels`], in increasing
    /// order. An x with no point is a gap: the line is not drawn across it.
    pub points: Vec<(usize, f64)>,
}

/// What to draw.
#[derive(Clone, Debug)]
pub struct Chart {
    /// The title.
    pub title: String,
    /// The x axis caption.
    pub x_caption: String,
    /// The y axis caption, with its unit.
    pub y_caption: String,
    /// The x positions' labels (dates, versions, row numbers).
    pub x_labels: Vec<String>,
    /// When every label is a date (`YYYY-MM-DD` or Apple's `MM/DD/YYYY`):
    /// the axis is a time axis, points sit at their day, and days missing
    /// from a regular series (daily, weekly) show as gaps.
    pub x_days: Option<Vec<i64>>,
    /// The lines.
    pub series: Vec<Series>,
    /// The y range the axis always shows, widened to any value outside it:
    /// `(0, 5)` for stars, `(0, 100)` for a share in percent, `(0, 0)` for
    /// a count whose axis starts at zero. `None`: from the values alone.
    pub y_range: Option<(f64, f64)>,
}

/// The output format, from the file's extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// `.png`
    Png,
    /// `.svg`
    Svg,
}

impl Format {
    /// `.png` or `.svg` (any case); anything else is a usage error.
    pub fn of(path: &Path) -> CliResult<Format> {
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("png") => Ok(Format::Png),
            Some("svg") => Ok(Format::Svg),
            _ => Err(CliError::usage(format!(
                "cannot tell the chart format of {}",
                path.display()
            ))
            .hint("name the file .png or .svg")),
        }
    }
}

fn register_font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        for style in [FontStyle::Normal, FontStyle::Bold] {
            // The font is ours and known good; a failure would only lose text.
            let _ = plotters::style::register_font(FAMILY, style, FONT);
        }
    });
}

/// Draws the chart into `path` (PNG or SVG by extension), `width` × `height` pixels.
pub fn draw(chart: &Chart, path: &Path, width: u32, height: u32) -> CliResult {
    let format = Format::of(path)?;
    if !(100..=10_000).contains(&width) || !(100..=10_000).contains(&height) {
        return Err(CliError::usage(
            "chart size must be 100 to 10000 pixels each way",
        ));
    }
    if chart.series.iter().all(|s| s.points.is_empty()) {
        return Err(CliError::new("nothing to chart: no numeric values"));
    }
    for s in &chart.series {
        for (x, y) in &s.points {
            let at = chart.x_labels.get(*x).map_or("?", String::as_str);
            check_value(&s.name, at, *y)?;
        }
    }
    register_font();
    let bytes = render(chart, format, width, height)?;
    // Written through the temporary file's own handle, never reopened by
    // path: in a directory another user can write, a path can be swapped
    // between our create and a reopen.
    let suffix = match format {
        Format::Png => ".tmp.png",
        Format::Svg => ".tmp.svg",
    };
    let mut tmp = AtomicFile::with_suffix(path, suffix).map_err(|e| super::write_error(path, e))?;
    tmp.file()
        .write_all(&bytes)
        .map_err(|e| super::write_error(path, tmp.write_error(e)))?;
    tmp.commit(Replace::Yes)
        .map_err(|e| super::write_error(path, e))
}

/// The chart as an SVG document in a string, `width` × `height` pixels:
/// what [`draw`] would write to a `.svg` file, for pages that inline it
/// (`ascvault report`). Plotters escapes the text it writes.
pub fn svg(chart: &Chart, width: u32, height: u32) -> CliResult<String> {
    if chart.series.iter().all(|s| s.points.is_empty()) {
        return Err(CliError::new("nothing to chart: no numeric values"));
    }
    for s in &chart.series {
        for (x, y) in &s.points {
            let at = chart.x_labels.get(*x).map_or("?", String::as_str);
            check_value(&s.name, at, *y)?;
        }
    }
    register_font();
    let bytes = render(chart, Format::Svg, width, height)?;
    String::from_utf8(bytes).map_err(|e| CliError::new(format!("cannot draw the chart: {e}")))
}

/// The chart's file content, drawn in memory.
fn render(chart: &Chart, format: Format, width: u32, height: u32) -> CliResult<Vec<u8>> {
    let drawn = match format {
        Format::Png => {
            let pixels = usize::try_from(u64::from(width) * u64::from(height) * 3)
                .map_err(|_| CliError::new("the chart is too large for memory"))?;
            let mut rgb = vec![0u8; pixels];
            // plotters' own glyph placement spaces letters unevenly (see glyphs).
            let backend =
                glyphs::Glyphs::new(BitMapBackend::with_buffer(&mut rgb, (width, height)), FONT)
                    .map_err(|e| CliError::new(format!("cannot draw the chart: {e}")))?;
            plot(chart, backend.into_drawing_area())
                .and_then(|()| png::encode_rgb(&rgb, width, height).map_err(|e| e.to_string()))
        }
        Format::Svg => {
            let mut svg = String::new();
            let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
            // The backend writes the string when dropped, at the end of plot.
            plot(chart, root).map(|()| svg.into_bytes())
        }
    };
    drawn.map_err(|e| CliError::new(format!("cannot draw the chart: {e}")))
}

const COLORS: [RGBColor; 6] = [
    RGBColor(0x1f, 0x77, 0xb4),
    RGBColor(0xd6, 0x27, 0x28),
    RGBColor(0x2c, 0xa0, 0x2c),
    RGBColor(0xff, 0x7f, 0x0e),
    RGBColor(0x94, 0x67, 0xbd),
    RGBColor(0x8c, 0x56, 0x4b),
];

fn plot<DB: DrawingBackend>(
    chart: &Chart,
    root: DrawingArea<DB, plotters::coord::Shift>,
) -> Result<(), String>
where
    DB::ErrorType: 'static,
{
    let err = |e: &dyn std::fmt::Display| e.to_string();
    root.fill(&WHITE).map_err(|e| err(&e))?;
    let values = chart
        .series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.1));
    let (mut lo, mut hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    if let Some((from, to)) = chart.y_range {
        lo = lo.min(from);
        hi = hi.max(to);
    } else if lo > 0.0 && lo < hi * 0.5 {
        lo = 0.0;
    }
    // A span too small for the values' precision (say 1e15 and 1e15+0.2)
    // would make plotters step its ticks by less than one ulp, forever.
    if hi - lo <= (hi.abs().max(lo.abs()) * 1e-9).max(f64::EPSILON) {
        let widen = (hi.abs() * 0.01).max(1.0);
        lo -= widen;
        hi += widen;
    }
    let pad = (hi - lo) * 0.05;
    // A stated floor (zero, one star) is where the axis starts: no margin
    // below it.
    let pad_below = match chart.y_range {
        Some((from, _)) if lo == from => 0.0,
        _ => pad,
    };
    // A legend (several lines) sits in the upper left: room above the
    // highest value keeps it off the lines.
    let pad_above = if chart.series.len() > 1 {
        (hi - lo) * 0.3
    } else {
        pad
    };
    let n = chart.x_labels.len().max(1);
    // x of the point at index i: its day on a time axis, else i itself.
    let x_of = |i: usize| match &chart.x_days {
        Some(days) => days.get(i).map_or(i as f64, |d| (d - days[0]) as f64),
        None => i as f64,
    };
    let x_max = x_of(n - 1).max(1.0);
    // As many x labels as fit side by side: at `--width 400` ten dates
    // would overlap. A DejaVu Sans digit at 13 px is 8.3 px wide.
    let label_chars = match &chart.x_days {
        Some(_) => 10,
        None => chart
            .x_labels
            .iter()
            .map(|l| l.chars().count())
            .max()
            .unwrap_or(1),
    };
    let plot_width = f64::from(root.dim_in_pixel().0.saturating_sub(2 * 16 + 72));
    let fit = (plot_width / (label_chars as f64 * 8.3 + 16.0)).floor() as usize;
    let x_label_count = fit.clamp(1, 10).min(n);
    let mut ctx = ChartBuilder::on(&root)
        .caption(&chart.title, (FAMILY, 22).into_font())
        .margin(16)
        .x_label_area_size(48)
        .y_label_area_size(72)
        .build_cartesian_2d(
            -0.02 * x_max..x_max * 1.02,
            (lo - pad_below)..(hi + pad_above),
        )
        .map_err(|e| err(&e))?;
    let labels = chart.x_labels.clone();
    let first_day = chart.x_days.as_ref().and_then(|d| d.first().copied());
    ctx.configure_mesh()
        .x_desc(&chart.x_caption)
        .y_desc(&chart.y_caption)
        .x_labels(x_label_count)
        .x_label_formatter(&|x: &f64| {
            let i = x.round();
            if (x - i).abs() > 1e-6 || i < 0.0 {
                return String::new();
            }
            match first_day {
                Some(day0) => date_of_day(day0 + i as i64),
                None => labels.get(i as usize).cloned().unwrap_or_default(),
            }
        })
        .y_label_formatter(&|y: &f64| short_number(*y))
        .label_style((FAMILY, 13).into_font())
        .axis_desc_style((FAMILY, 15).into_font())
        .draw()
        .map_err(|e| err(&e))?;
    for (i, s) in chart.series.iter().enumerate() {
        let color = COLORS[i % COLORS.len()];
        let pts: Vec<(f64, f64)> = s.points.iter().map(|(x, y)| (x_of(*x), *y)).collect();
        // One line per run of adjacent points: none across a gap.
        let runs = runs(&s.points, chart.x_days.as_deref());
        for (k, run) in runs.into_iter().enumerate() {
            let line = pts[run].iter().copied();
            let drawn = ctx
                .draw_series(LineSeries::new(line, color.stroke_width(2)))
                .map_err(|e| err(&e))?;
            // One legend entry per series, not per run.
            if k == 0 {
                drawn.label(s.name.clone()).legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 16, y)], color.stroke_width(2))
                });
            }
        }
        if pts.len() <= 400 {
            ctx.draw_series(pts.iter().map(|p| Circle::new(*p, 3, color.filled())))
                .map_err(|e| err(&e))?;
        }
    }
    if chart.series.len() > 1 {
        ctx.configure_series_labels()
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK.mix(0.3))
            .label_font((FAMILY, 13).into_font())
            .position(SeriesLabelPosition::UpperLeft)
            .draw()
            .map_err(|e| err(&e))?;
    }
    root.present().map_err(|e| err(&e))?;
    Ok(())
}

/// `metrics chart`: a column of a TSV or CSV file, or a series from the
/// archive, as a chart or a sparkline.
pub(super) fn chart(ctx: &Context, args: &ChartArgs) -> CliResult {
    match (&args.input, &args.archive) {
        (Some(input), None) => {
            let cannot = |e| CliError::new(format!("cannot read {}: {e}", input.display()));
            let tsv = input::read(File::open(input).map_err(cannot)?).map_err(cannot)?;
            let file_name = input
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let source = input.display().to_string();
            column_chart(args, &tsv, &source, &file_name, args.by.as_deref())
        }
        (None, Some(given)) => archived::archived(ctx, args, given.as_deref()),
        // clap rules both out; kept for a caller that builds the arguments.
        _ => Err(CliError::usage("metrics chart reads a file or --archive")
            .hint("`metrics chart FILE --column C` or `metrics chart --archive --analytics REPORT --app APP --column C`")),
    }
}

/// A column of `tsv` (read from `source`, named so in messages; `tail`
/// ends the default title), by the column `by` or by row.
fn column_chart(
    args: &ChartArgs,
    tsv: &Tsv,
    source: &str,
    tail: &str,
    by: Option<&str>,
) -> CliResult {
    let no_column = |name: &str| {
        CliError::usage(format!(
            "{} has no column {:?}",
            sanitize(source),
            sanitize(name)
        ))
        .hint(format!("its columns: {}", sanitize(&tsv.header.join(", "))))
    };
    let col = tsv
        .column(&args.column)
        .ok_or_else(|| no_column(&args.column))?;
    let by = match by {
        Some(b) => Some(tsv.column(b).ok_or_else(|| no_column(b))?),
        None => None,
    };
    // Every x value gets a label; only numbers get a point, so an x whose
    // cells are all empty (`""`) or not numbers is a gap in the line.
    let (labels, cells): (Vec<String>, Vec<Option<f64>>) = match by {
        Some(b) => {
            // Rows sharing an x value (a date across territories, say) are summed.
            let mut sums: BTreeMap<String, Option<f64>> = BTreeMap::new();
            // A row without an x value (a totals line, say) has no place.
            for row in tsv.rows.iter().filter(|r| !r[b].trim().is_empty()) {
                let sum = sums.entry(row[b].trim().to_owned()).or_default();
                if let Ok(v) = row[col].trim().parse::<f64>() {
                    *sum = Some(sum.unwrap_or(0.0) + v);
                }
            }
            let mut sums: Vec<(String, Option<f64>)> = sums.into_iter().collect();
            // Dates in order of time: `MM/DD/YYYY` does not sort as text.
            if sums.iter().all(|(x, _)| day_of_date(x).is_some()) {
                sums.sort_by_key(|(x, _)| day_of_date(x));
            }
            sums.into_iter().unzip()
        }
        None => tsv
            .rows
            .iter()
            .enumerate()
            .map(|(i, row)| ((i + 1).to_string(), row[col].trim().parse::<f64>().ok()))
            .unzip(),
    };
    let points: Vec<(usize, f64)> = cells
        .iter()
        .enumerate()
        .filter_map(|(i, v)| Some((i, (*v)?)))
        .collect();
    let values: Vec<f64> = points.iter().map(|p| p.1).collect();
    if values.is_empty() {
        return Err(CliError::new(format!(
            "column {:?} has no numeric values",
            sanitize(&args.column)
        )));
    }
    // Before the sparkline too: `inf` parses as a number.
    for (label, value) in points.iter().map(|(i, v)| (&labels[*i], v)) {
        let at = match by {
            Some(_) => label.clone(),
            None => format!("row {label}"),
        };
        check_value(&args.column, &at, *value)?;
    }
    let column = tsv.header[col].clone();
    let x_caption = by
        .map(|b| tsv.header[b].clone())
        .unwrap_or_else(|| "row".into());
    let title = args
        .title
        .clone()
        .unwrap_or_else(|| format!("{column} by {x_caption} — {tail}"));
    // Dates (as analytics and sales reports have) get a real time axis.
    let days: Option<Vec<i64>> = labels.iter().map(|l| day_of_date(l)).collect();
    let x_days = days.filter(|d| d.windows(2).all(|w| w[0] < w[1]));
    let spec = Chart {
        title: sanitize(&title),
        x_caption: sanitize(&x_caption),
        y_caption: sanitize(&column),
        series: vec![Series {
            name: sanitize(&column),
            points,
        }],
        x_labels: labels,
        x_days,
        y_range: None,
    };
    show(args, spec)
}

/// Draws the chart into `--out`, or prints a sparkline per series.
fn show(args: &ChartArgs, chart: Chart) -> CliResult {
    let Some(out) = &args.out else {
        let mut text = String::new();
        for s in &chart.series {
            let values: Vec<f64> = s.points.iter().map(|p| p.1).collect();
            let Some(last) = values.last().copied() else {
                continue;
            };
            let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            text.push_str(&format!(
                "{} {}  min {} max {} last {} ({} points)\n",
                s.name,
                sparkline(&values, 60),
                short_number(lo),
                short_number(hi),
                short_number(last),
                values.len()
            ));
        }
        return print(&text);
    };
    draw(&chart, out, args.width, args.height)?;
    print(&format!("{}\n", out.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn weekly(y_range: Option<(f64, f64)>) -> Chart {
        Chart {
            title: "t".into(),
            x_caption: "x".into(),
            y_caption: "y".into(),
            x_labels: vec!["a".into(), "b".into(), "c".into()],
            x_days: None,
            series: vec![Series {
                name: "s".into(),
                points: vec![(0, 56.0), (1, 48.0), (2, 56.0)],
            }],
            y_range,
        }
    }

    /// The y labels of an SVG chart (the text of `<text>` elements that
    /// parse as numbers).
    fn y_labels(svg: &str) -> Vec<f64> {
        svg.split("<text")
            .filter_map(|t| t.split('>').nth(1)?.split('<').next())
            .filter_map(|t| t.trim().parse().ok())
            .collect()
    }

    #[test]
    fn a_stated_y_range_puts_the_axis_at_zero_and_widens_to_the_ceiling() {
        let free = y_labels(&svg(&weekly(None), 560, 360).unwrap());
        assert!(free.iter().all(|v| *v >= 47.0), "{free:?}");
        let zero = y_labels(&svg(&weekly(Some((0.0, 0.0))), 560, 360).unwrap());
        assert!(zero.contains(&0.0), "{zero:?}");
        assert!(
            zero.iter().all(|v| *v >= 0.0),
            "no margin below 0: {zero:?}"
        );
        let share = y_labels(&svg(&weekly(Some((0.0, 100.0))), 560, 360).unwrap());
        assert!(share.iter().any(|v| *v >= 100.0), "{share:?}");
    }
}
