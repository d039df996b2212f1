//! Charts: valid SVG or PNG of the requested size with one point per
//! value, perf charts, and a time axis for date columns.

use std::fs;
use std::path::Path;

use asc_standin::metrics::APP_ID;

use super::{download, out_dir};
use crate::support::standin::AscWorld;
use crate::support::{Env, ExitStatus};

/// Width, height and the data points (`<circle>`s) of an SVG.
#[track_caller]
fn svg_facts(path: &Path) -> (u32, u32, usize) {
    let text = fs::read_to_string(path).unwrap();
    let start = text.find("<svg").expect("an <svg> element");
    let tag = &text[start..start + text[start..].find('>').unwrap()];
    let attr = |name: &str| -> u32 {
        let key = format!(" {name}=\"");
        let i = tag
            .find(&key)
            .unwrap_or_else(|| panic!("no {name} in {tag}"))
            + key.len();
        tag[i..i + tag[i..].find('"').unwrap()].parse().unwrap()
    };
    assert!(text.trim_end().ends_with("</svg>"));
    (
        attr("width"),
        attr("height"),
        text.matches("<circle").count(),
    )
}

#[test]
fn charts_are_svg_or_png_of_the_requested_size_with_every_point() {
    let w = AscWorld::new();
    download(&w, &["--merge"]).run().success();
    let merged = out_dir(&w).join("app-store-downloads-standard.tsv");
    let m = merged.to_str().unwrap();
    // `chart` of the merged download, drawn into `out`.
    let chart =
        |args: &[&str], out: &Path| w.metrics(&["chart", m]).args(args).arg("--out").arg(out);
    // Two dates: the rows of each are summed into one point.
    let svg = w.t.path("c.svg");
    chart(
        &[
            "--column", "Counts", "--by", "Date", "--width", "640", "--height", "400",
        ],
        &svg,
    )
    .run()
    .success();
    let (width, height, points) = svg_facts(&svg);
    assert_eq!((width, height, points), (640, 400, 2));
    assert!(fs::read_to_string(&svg).unwrap().contains("Counts by Date"));
    // Without --by: one point per row.
    chart(&["--column", "counts"], &svg).run().success();
    assert_eq!(svg_facts(&svg), (960, 540, 12));

    let png = w.t.path("c.png");
    chart(
        &[
            "--column", "Counts", "--by", "Date", "--width", "800", "--height", "300",
        ],
        &png,
    )
    .run()
    .success();
    let decoder = png::Decoder::new(std::io::BufReader::new(fs::File::open(&png).unwrap()));
    let mut reader = decoder.read_info().expect("a valid PNG");
    assert_eq!((reader.info().width, reader.info().height), (800, 300));
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    reader.next_frame(&mut buf).expect("the image decodes");
    assert!(buf.iter().any(|b| *b != 255), "not a blank image");

    w.metrics(&["chart", m, "--column", "Counts", "--by", "Date"])
        .run()
        .success()
        .stdout_has("(2 points)");
    w.metrics(&["chart", m, "--column", "Nope"])
        .run()
        .fails(ExitStatus::Usage)
        .stderr_has("Counts");
    w.metrics(&["chart", m, "--column", "Counts", "--out", "x.gif"])
        .run()
        .fails(ExitStatus::Usage);
}

#[test]
fn perf_chart_draws_every_version_of_each_dataset() {
    let w = AscWorld::new();
    let svg = w.t.path("perf.svg");
    w.metrics(&[
        "perf",
        "--app",
        APP_ID,
        "--metric",
        "launch",
        "--chart",
        svg.to_str().unwrap(),
    ])
    .run()
    .success();
    // Three datasets × three versions.
    assert_eq!(svg_facts(&svg), (960, 540, 9));
}

/// The `cx` of every `<circle>` of an SVG, in document order.
#[track_caller]
fn circle_xs(path: &Path) -> Vec<f64> {
    let text = fs::read_to_string(path).unwrap();
    text.split("<circle")
        .skip(1)
        .map(|c| {
            let i = c.find(" cx=\"").expect("cx") + 5;
            c[i..i + c[i..].find('"').unwrap()].parse().unwrap()
        })
        .collect()
}

/// The `cx` of each point when `column` is charted by `by` from a TSV.
#[track_caller]
fn chart_xs(t: &Env, tsv_text: &str, by: &str) -> Vec<f64> {
    let (tsv, svg) = (t.path("chart.tsv"), t.path("chart.svg"));
    fs::write(&tsv, tsv_text).unwrap();
    let (tsv, svg_arg) = (tsv.to_str().unwrap(), svg.to_str().unwrap());
    t.cmd(&[
        "metrics", "chart", tsv, "--column", "Counts", "--by", by, "--out", svg_arg,
    ])
    .run()
    .success();
    circle_xs(&svg)
}

#[test]
fn date_columns_get_a_time_axis() {
    let t = Env::new();
    // One day, then nine days: the second gap must be nine times the first.
    let xs = chart_xs(
        &t,
        "Date\tCounts\n2026-01-01\t5\n2026-01-02\t7\n2026-01-11\t6\n",
        "Date",
    );
    assert_eq!(xs.len(), 3);
    let (first, second) = (xs[1] - xs[0], xs[2] - xs[1]);
    assert!(
        (second / first - 9.0).abs() < 0.3,
        "gaps {first} and {second}"
    );
    // Labels that are not all dates stay evenly spaced.
    let xs = chart_xs(&t, "Version\tCounts\n2.1\t5\n2.2\t7\n2.3\t6\n", "Version");
    assert!(((xs[2] - xs[1]) - (xs[1] - xs[0])).abs() < 1.0, "{xs:?}");
}

/// Charts `text` (written to `name`) with `args`, into an SVG; its text.
#[track_caller]
fn chart_svg(t: &Env, name: &str, text: &str, args: &[&str]) -> String {
    let (input, svg) = (t.path(name), t.path("chart.svg"));
    fs::write(&input, text).unwrap();
    t.cmd(&["metrics", "chart"])
        .arg(&input)
        .args(args)
        .arg("--out")
        .arg(&svg)
        .run()
        .success();
    fs::read_to_string(&svg).unwrap()
}

#[test]
fn apples_sales_dates_get_a_time_axis() {
    let t = Env::new();
    // Sales reports write MM/DD/YYYY; across a new year they do not sort
    // as text. One day, then nine days.
    let xs = chart_xs(
        &t,
        "Begin Date\tCounts\n01/09/2026\t6\n12/30/2025\t5\n12/31/2025\t7\n",
        "Begin Date",
    );
    assert_eq!(xs.len(), 3);
    let (first, second) = (xs[1] - xs[0], xs[2] - xs[1]);
    assert!(
        first > 0.0 && (second / first - 9.0).abs() < 0.3,
        "gaps {first} and {second}"
    );
}

/// The series' lines of an SVG (the axes are thinner polylines).
fn lines(svg: &str) -> usize {
    svg.split("<polyline")
        .skip(1)
        .filter(|p| p[..p.find("/>").unwrap_or(p.len())].contains("stroke-width=\"2\""))
        .count()
}

#[test]
fn lines_are_not_drawn_across_gaps() {
    let t = Env::new();
    // Daily, with a week missing: two lines, five points.
    let svg = chart_svg(
        &t,
        "gaps.tsv",
        "Date\tCounts\n2026-01-01\t5\n2026-01-02\t7\n2026-01-03\t6\n2026-01-10\t4\n2026-01-11\t5\n",
        &["--column", "Counts", "--by", "Date"],
    );
    assert_eq!(svg.matches("<circle").count(), 5);
    assert_eq!(lines(&svg), 2, "{svg}");
    // Weekly: one line.
    let svg = chart_svg(
        &t,
        "weekly.tsv",
        "Date\tCounts\n2026-01-01\t5\n2026-01-08\t7\n2026-01-15\t6\n",
        &["--column", "Counts", "--by", "Date"],
    );
    assert_eq!(lines(&svg), 1, "{svg}");
}

#[test]
fn comma_separated_input_with_empty_quoted_cells() {
    let t = Env::new();
    // As Apple's "App Crashes Expanded" segments: commas, quotes, `""`.
    let svg = chart_svg(
        &t,
        "crashes.csv",
        "\"Date\",\"App Name\",\"Crashes\"\n\"2026-01-01\",\"Pocket, Notes\",\"5\"\n\"2026-01-02\",\"Pocket, Notes\",\"\"\n\"2026-01-03\",\"Pocket, Notes\",\"7\"\n",
        &["--column", "Crashes", "--by", "Date"],
    );
    // The empty day is a gap, not a zero.
    assert_eq!(svg.matches("<circle").count(), 2);
    assert_eq!(lines(&svg), 2, "{svg}");
    let input = t.path("crashes.csv");
    t.cmd(&["metrics", "chart"])
        .arg(&input)
        .args(&["--column", "crashes"])
        .run()
        .success()
        .stdout_has("(2 points)");
}

/// The x of each `<text>` whose content is a `YYYY-MM-DD` date.
fn date_label_xs(svg: &str) -> Vec<f64> {
    let mut xs: Vec<f64> = svg
        .split("<text")
        .skip(1)
        .filter_map(|t| {
            let content = t[t.find('>')? + 1..t.find("</text>")?].trim();
            let is_date = content.len() == 10
                && content.chars().enumerate().all(|(i, c)| {
                    if i == 4 || i == 7 {
                        c == '-'
                    } else {
                        c.is_ascii_digit()
                    }
                });
            let i = t.find(" x=\"")? + 4;
            let x = t[i..i + t[i..].find('"')?].parse().ok()?;
            is_date.then_some(x)
        })
        .collect();
    xs.sort_by(f64::total_cmp);
    xs
}

#[test]
fn date_labels_do_not_overlap_at_width_400() {
    let t = Env::new();
    let mut tsv = String::from("Date\tCounts\n");
    for day in 1..=31 {
        tsv.push_str(&format!("2026-01-{day:02}\t{day}\n"));
    }
    let svg = chart_svg(
        &t,
        "month.tsv",
        &tsv,
        &["--column", "Counts", "--by", "Date", "--width", "400"],
    );
    let xs = date_label_xs(&svg);
    assert!(xs.len() >= 2, "{xs:?}");
    // "2026-01-01" in DejaVu Sans is 5.8 em wide, centred on x: about 61 px
    // at the 10.5 px plotters draws; 76 px leaves room to spare.
    for pair in xs.windows(2) {
        assert!(pair[1] - pair[0] >= 76.0, "labels overlap: {xs:?}");
    }
}

#[test]
fn a_chart_into_a_missing_folder_names_the_folder_not_a_temporary_file() {
    let t = Env::new();
    let tsv = t.path("c.tsv");
    fs::write(&tsv, "Date\tCounts\n2026-01-01\t5\n2026-01-02\t7\n").unwrap();
    let missing = t.path("missing");
    let out = t
        .cmd(&["metrics", "chart"])
        .arg(&tsv)
        .args(&["--column", "Counts", "--out"])
        .arg(missing.join("x.png"))
        .run()
        .fails(ExitStatus::Failure)
        .stderr_is(&format!(
            "error: cannot write {}: the folder {} does not exist\n\
             hint: create the folder first, or give a path in one that exists\n",
            missing.join("x.png").display(),
            missing.display()
        ))
        .stderr();
    // The temporary file (`.x.png.<random>.png`) is ours, not the user's.
    assert!(!out.contains(".x.png."), "{out}");
    assert!(!missing.exists());
}
