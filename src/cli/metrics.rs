//! `ascvault metrics …`: analytics report requests, reports and streaming
//! downloads; sales and finance reports; power and performance metrics;
//! diagnostics; charts of any of them.

use std::collections::{BTreeMap, HashSet};
use std::fs::File;
use std::io::{self, BufReader, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::{Args, Subcommand, ValueEnum};

use super::asc::{AscArgs, AscSession};
use super::chart::{self, Chart, Series};
use super::context::Context;
use super::error::{CliError, CliResult, ExitStatus};
use super::output::{self, Table, print, print_json, sanitize, say};
use crate::asc::analytics::{self, Access, Created, ReportInfo, SegmentInfo};
use crate::asc::download::{self, DownloadError, Downloader, Event, HeaderFilter, Job};
use crate::asc::perf::{self, Target, XcodeMetrics};
use crate::asc::sales::{self, FinanceQuery, ReportError, SalesQuery, Tsv};
use crate::asc::{AscError, apps};

/// `metrics`
#[derive(Debug, Args)]
pub struct MetricsArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: MetricsCommand,
}

/// `metrics` subcommands.
#[derive(Debug, Subcommand)]
pub enum MetricsCommand {
    /// Create the app's analytics report request (needs an Admin key the first time).
    Request(RequestArgs),
    /// List the analytics reports on offer for an app.
    Reports(ReportsArgs),
    /// Download a report's segments, streaming, verified, resumable.
    Download(DownloadArgs),
    /// A sales report (gzip TSV from Apple, written decompressed).
    Sales(SalesArgs),
    /// A finance report.
    Finance(FinanceArgs),
    /// Power and performance metrics: a table per metric, insights first.
    Perf(PerfArgs),
    /// Hang, launch and disk-write diagnostics of a build, heaviest first.
    Diagnostics(DiagnosticsArgs),
    /// Chart a column of a TSV file (PNG/SVG, or a sparkline in the terminal).
    Chart(ChartArgs),
}

/// `metrics request`
#[derive(Debug, Args)]
pub struct RequestArgs {
    /// Which key, which server, how long to wait.
    #[command(flatten)]
    pub asc: AscArgs,
    /// The app: numeric id or bundle id.
    #[arg(long)]
    pub app: String,
    /// A one-time snapshot of past data instead of ongoing reports.
    #[arg(long)]
    pub snapshot: bool,
}

/// `metrics reports`
#[derive(Debug, Args)]
pub struct ReportsArgs {
    /// Which key, which server, how long to wait.
    #[command(flatten)]
    pub asc: AscArgs,
    /// The app: numeric id or bundle id.
    #[arg(long)]
    pub app: String,
    /// Only this category.
    #[arg(long, value_enum, ignore_case = true)]
    pub category: Option<Category>,
    /// JSON output.
    #[arg(long)]
    pub json: bool,
}

/// Report categories.
#[derive(Clone, Copy, Debug, ValueEnum)]
#[value(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Category {
    /// App usage.
    AppUsage,
    /// App Store engagement.
    AppStoreEngagement,
    /// Commerce.
    Commerce,
    /// Framework usage.
    FrameworkUsage,
    /// Performance.
    Performance,
}

impl Category {
    fn api(self) -> &'static str {
        analytics::CATEGORIES[self as usize]
    }
}

/// Report granularities.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Granularity {
    /// `DAILY`
    Daily,
    /// `WEEKLY`
    Weekly,
    /// `MONTHLY`
    Monthly,
}

impl Granularity {
    fn api(self) -> &'static str {
        match self {
            Granularity::Daily => "DAILY",
            Granularity::Weekly => "WEEKLY",
            Granularity::Monthly => "MONTHLY",
        }
    }
}

/// `metrics download`
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("dest").required(true).args(["out", "stdout"])))]
pub struct DownloadArgs {
    /// Which key, which server, how long to wait.
    #[command(flatten)]
    pub asc: AscArgs,
    /// The app: numeric id or bundle id.
    #[arg(long)]
    pub app: String,
    /// The report's name, as `metrics reports` shows it.
    #[arg(long, value_name = "NAME")]
    pub report: String,
    /// Only instances of this granularity.
    #[arg(long, value_enum)]
    pub granularity: Option<Granularity>,
    /// Only instances processed on or after this date (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Only instances processed on or before this date (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,
    /// Write segments (and the merged file) into this folder.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Stream the rows to standard output, one header row, one segment after another.
    #[arg(long)]
    pub stdout: bool,
    /// Also write one TSV with a single header row (`DIR/<report>.tsv`).
    #[arg(long)]
    pub merge: bool,
    /// Segments fetched at a time.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=32), value_name = "N")]
    pub jobs: u16,
}

/// Sales report frequencies.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Frequency {
    /// `DAILY` (date YYYY-MM-DD)
    Daily,
    /// `WEEKLY` (date YYYY-MM-DD, a Sunday)
    Weekly,
    /// `MONTHLY` (date YYYY-MM)
    Monthly,
    /// `YEARLY` (date YYYY)
    Yearly,
}

/// `metrics sales`
#[derive(Debug, Args)]
pub struct SalesArgs {
    /// Which key, which server, how long to wait.
    #[command(flatten)]
    pub asc: AscArgs,
    /// Report type (SALES, SUBSCRIPTION, SUBSCRIPTION_EVENT, …).
    #[arg(long = "type", default_value = "SALES", value_name = "TYPE")]
    pub report_type: String,
    /// Report subtype (SUMMARY, DETAILED, …).
    #[arg(long, default_value = "SUMMARY", value_name = "SUBTYPE")]
    pub subtype: String,
    /// How much time the report covers.
    #[arg(long, value_enum)]
    pub frequency: Frequency,
    /// The report date: YYYY-MM-DD (daily, weekly), YYYY-MM (monthly), YYYY (yearly).
    #[arg(long, value_name = "DATE")]
    pub date: String,
    /// Vendor number (default: the entry's vendor_number).
    #[arg(long, value_name = "N")]
    pub vendor: Option<String>,
    /// Report format version (default 1_0 for SALES).
    #[arg(long = "report-version", value_name = "V")]
    pub version: Option<String>,
    /// Write the TSV to this file.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["json", "summary"])]
    pub out: Option<PathBuf>,
    /// Rows (or, with --summary, totals) as JSON.
    #[arg(long)]
    pub json: bool,
    /// Units and proceeds per app and territory.
    #[arg(long)]
    pub summary: bool,
}

/// `metrics finance`
#[derive(Debug, Args)]
pub struct FinanceArgs {
    /// Which key, which server, how long to wait.
    #[command(flatten)]
    pub asc: AscArgs,
    /// Region code (US, EU, JP, … or ZZ for all).
    #[arg(long, value_name = "CODE")]
    pub region: String,
    /// Fiscal month, YYYY-MM.
    #[arg(long, value_name = "YYYY-MM")]
    pub date: String,
    /// Vendor number (default: the entry's vendor_number).
    #[arg(long, value_name = "N")]
    pub vendor: Option<String>,
    /// FINANCIAL or FINANCE_DETAIL.
    #[arg(long = "type", default_value = "FINANCIAL", value_name = "TYPE")]
    pub report_type: String,
    /// Write the TSV to this file.
    #[arg(long, value_name = "FILE", conflicts_with = "json")]
    pub out: Option<PathBuf>,
    /// Rows as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Metric categories.
#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum MetricKind {
    /// Launch time.
    Launch,
    /// Hang rate.
    Hang,
    /// Memory.
    Memory,
    /// Disk writes.
    Disk,
    /// Battery.
    Battery,
    /// Terminations.
    Termination,
    /// Animation hitches.
    Animation,
}

/// `metrics perf`
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("target").required(true).args(["app", "build"])))]
pub struct PerfArgs {
    /// Which key, which server, how long to wait.
    #[command(flatten)]
    pub asc: AscArgs,
    /// The app: numeric id or bundle id.
    #[arg(long)]
    pub app: Option<String>,
    /// The build id.
    #[arg(long, value_name = "BUILD")]
    pub build: Option<String>,
    /// Only these metrics.
    #[arg(long, value_enum, value_delimiter = ',')]
    pub metric: Vec<MetricKind>,
    /// Only this device type (e.g. all_iphones, iPhone15,2).
    #[arg(long)]
    pub device: Option<String>,
    /// Apple's document as JSON.
    #[arg(long)]
    pub json: bool,
    /// Also chart the first metric across versions (PNG or SVG).
    #[arg(long, value_name = "FILE")]
    pub chart: Option<PathBuf>,
}

/// Diagnostic types.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum DiagnosticKind {
    /// `HANGS`
    Hangs,
    /// `LAUNCHES`
    Launches,
    /// `DISK_WRITES`
    DiskWrites,
}

/// `metrics diagnostics`
#[derive(Debug, Args)]
pub struct DiagnosticsArgs {
    /// Which key, which server, how long to wait.
    #[command(flatten)]
    pub asc: AscArgs,
    /// The build id.
    #[arg(long, value_name = "BUILD")]
    pub build: String,
    /// Only this type.
    #[arg(long = "type", value_enum)]
    pub kind: Option<DiagnosticKind>,
    /// Add the call-stack summary of each signature.
    #[arg(long)]
    pub logs: bool,
    /// JSON output.
    #[arg(long)]
    pub json: bool,
}

/// `metrics chart`
#[derive(Debug, Args)]
pub struct ChartArgs {
    /// A TSV file (a downloaded analytics report, a sales report).
    pub input: PathBuf,
    /// The column to chart.
    #[arg(long, value_name = "NAME")]
    pub column: String,
    /// The column on the x axis (rows with the same value are summed).
    #[arg(long, value_name = "DATE_COLUMN")]
    pub by: Option<String>,
    /// Write a chart here (.png or .svg); without it, a sparkline.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Chart width in pixels.
    #[arg(long, default_value_t = 960)]
    pub width: u32,
    /// Chart height in pixels.
    #[arg(long, default_value_t = 540)]
    pub height: u32,
    /// The chart's title (default: the column and the file name).
    #[arg(long)]
    pub title: Option<String>,
}

/// Runs a `metrics` subcommand.
pub fn run(ctx: &Context, args: &MetricsArgs) -> CliResult {
    match &args.command {
        MetricsCommand::Request(a) => request(ctx, a),
        MetricsCommand::Reports(a) => reports(ctx, a),
        MetricsCommand::Download(a) => download(ctx, a),
        MetricsCommand::Sales(a) => sales_cmd(ctx, a),
        MetricsCommand::Finance(a) => finance_cmd(ctx, a),
        MetricsCommand::Perf(a) => perf_cmd(ctx, a),
        MetricsCommand::Diagnostics(a) => diagnostics(ctx, a),
        MetricsCommand::Chart(a) => chart_cmd(a),
    }
}

/// An App Store Connect error, with a hint about the roles reports need.
fn asc_error(err: AscError) -> CliError {
    let forbidden = err.status() == Some(403);
    let e = CliError::from(err);
    if forbidden {
        e.hint("the key's role lacks access: reports need Admin, Finance or Sales and Reports; check it under Users and Access → Integrations")
    } else {
        e
    }
}

fn resolve_app(session: &AscSession, app: &str) -> CliResult<String> {
    if apps::is_app_id(app.trim()) {
        return Ok(app.trim().to_owned());
    }
    Ok(apps::resolve(&session.client, app)?.id)
}

fn request(ctx: &Context, args: &RequestArgs) -> CliResult {
    let session = AscSession::open(ctx, &args.asc)?;
    let app = resolve_app(&session, &args.app)?;
    let access = if args.snapshot {
        Access::Snapshot
    } else {
        Access::Ongoing
    };
    match analytics::create_request(&session.client, &app, access) {
        Ok(Created::New(r)) => print(&format!(
            "created {} analytics report request {} for app {app}\n",
            r.access_type,
            sanitize(&r.id)
        )),
        Ok(Created::Existing(r)) => {
            say(&format!(
                "an {} analytics report request already exists for app {app}; not creating another",
                r.access_type
            ));
            print(&format!(
                "{}\t{}\t{}\n",
                sanitize(&r.id),
                r.access_type,
                if r.stopped_due_to_inactivity {
                    "stopped (inactivity)"
                } else {
                    "active"
                }
            ))
        }
        Err(e) if e.status() == Some(403) => Err(CliError::new(e.to_string())
            .code(ExitStatus::Refused)
            .hint(format!(
                "creating the first analytics report request needs a key with the Admin role; entry {:?} lacks it. Once a request exists, keys with the Sales and Reports or Finance role can download",
                sanitize(&session.label)
            ))),
        Err(e) => Err(asc_error(e)),
    }
}

fn reports(ctx: &Context, args: &ReportsArgs) -> CliResult {
    let session = AscSession::open(ctx, &args.asc)?;
    let app = resolve_app(&session, &args.app)?;
    let list = analytics::reports(&session.client, &app, args.category.map(Category::api))
        .map_err(asc_error)?;
    if args.json {
        return print_json(&serde_json::to_value(&list).map_err(|e| CliError::new(e.to_string()))?);
    }
    if list.is_empty() {
        say("no reports (has a report request been made? `ascvault metrics request --app …`)");
        return Ok(());
    }
    let mut t = Table::new(&["NAME", "CATEGORY", "ACCESS", "ID"]);
    for r in &list {
        t.row(vec![
            r.name.clone(),
            r.category.clone(),
            r.access_type.clone(),
            r.id.clone(),
        ]);
    }
    print(&t.render())
}

fn check_date(flag: &str, date: &str) -> CliResult<()> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(date, &format).map(|_| ()).map_err(|_| {
        CliError::usage(format!("{flag} {:?} is not a date", sanitize(date)))
            .hint("write dates as YYYY-MM-DD")
    })
}

/// A file-name-safe form of a report name.
fn slug(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let parts: Vec<&str> = s.split('-').filter(|p| !p.is_empty()).collect();
    if parts.is_empty() {
        "report".into()
    } else {
        parts.join("-")
    }
}

fn download_error(err: DownloadError) -> CliError {
    let network = err.is_network();
    let e = CliError::new(err.to_string());
    match err {
        DownloadError::Checksum { .. } | DownloadError::Size { .. } | DownloadError::Gzip { .. } => e.hint(
            "nothing was kept under the final name; run the command again (complete segments are skipped)",
        ),
        DownloadError::Status { .. } => e
            .code(ExitStatus::Refused)
            .hint("segment URLs expire after a few minutes; run the command again to get fresh ones"),
        _ if network => e
            .code(ExitStatus::Network)
            .hint("run the command again: complete segments are skipped"),
        _ => e,
    }
}

/// Draws a progress bar on stderr when it is a terminal.
fn progress_bar(total: u64, segments: usize) -> Option<indicatif::ProgressBar> {
    if !io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(total),
        indicatif::ProgressDrawTarget::stderr(),
    );
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{bar:30} {bytes}/{total_bytes} {bytes_per_sec} segments {msg} {eta}",
    ) {
        bar.set_style(style);
    }
    bar.set_message(format!("0/{segments}"));
    Some(bar)
}

fn download(ctx: &Context, args: &DownloadArgs) -> CliResult {
    for (flag, d) in [("--since", &args.since), ("--until", &args.until)] {
        if let Some(d) = d {
            check_date(flag, d)?;
        }
    }
    if args.stdout && args.merge {
        return Err(CliError::usage(
            "--merge goes with --out; --stdout always writes one header row",
        ));
    }
    let session = AscSession::open(ctx, &args.asc)?;
    let app = resolve_app(&session, &args.app)?;
    let all = analytics::reports(&session.client, &app, None).map_err(asc_error)?;
    let wanted: Vec<&ReportInfo> = all
        .iter()
        .filter(|r| r.name.trim().eq_ignore_ascii_case(args.report.trim()))
        .collect();
    if wanted.is_empty() {
        let mut names: Vec<&str> = all.iter().map(|r| r.name.as_str()).collect();
        names.sort();
        names.dedup();
        return Err(CliError::new(format!(
            "app {app} has no report named {:?}",
            sanitize(&args.report)
        ))
        .code(ExitStatus::Failure)
        .hint(if names.is_empty() {
            "it has no reports at all: `ascvault metrics request --app …` first".to_owned()
        } else {
            format!("`ascvault metrics reports --app {app}` lists them")
        }));
    }
    // Instances of every matching report (ongoing and snapshot), by date.
    let mut instances = Vec::new();
    for r in &wanted {
        let list = analytics::instances(
            &session.client,
            &r.id,
            args.granularity.map(Granularity::api),
        )
        .map_err(asc_error)?;
        instances.extend(list.into_iter().filter(|i| {
            args.since
                .as_deref()
                .is_none_or(|s| i.processing_date.as_str() >= s)
                && args
                    .until
                    .as_deref()
                    .is_none_or(|u| i.processing_date.as_str() <= u)
        }));
    }
    instances.sort_by(|a, b| {
        (&a.processing_date, &a.granularity).cmp(&(&b.processing_date, &b.granularity))
    });
    if instances.is_empty() {
        return Err(CliError::new(format!(
            "no instances of {:?} match",
            sanitize(&args.report)
        ))
        .hint("instances are kept about 35 days; widen --since/--until or drop --granularity"));
    }
    let mut seen = HashSet::new();
    let mut segments: Vec<(analytics::InstanceInfo, SegmentInfo)> = Vec::new();
    for inst in &instances {
        for s in analytics::segments(&session.client, &inst.id).map_err(asc_error)? {
            if seen.insert(s.id.clone()) {
                segments.push((inst.clone(), s));
            }
        }
    }
    ctx.verbose(format!(
        "{} instance(s), {} segment(s) of {:?}",
        instances.len(),
        segments.len(),
        args.report
    ));
    let downloader = Downloader::new(
        args.asc.net.timeout,
        3,
        // The same first delay as API retries (ASCVAULT_RETRY_BASE_MS).
        args.asc.net.settings().retry_base,
    )
    .map_err(download_error)?;
    let out = args.out.as_deref().unwrap_or(Path::new("."));
    let dir = out.join(slug(&args.report));
    let dest = |inst: &analytics::InstanceInfo, seg: &SegmentInfo| {
        dir.join(format!(
            "{}_{}_{}.tsv",
            inst.processing_date,
            inst.granularity.to_ascii_lowercase(),
            slug(&seg.id)
        ))
    };
    // Segments complete from an earlier run are skipped: not counted.
    let total: u64 = segments
        .iter()
        .filter(|(inst, seg)| args.stdout || !dest(inst, seg).is_file())
        .map(|(_, s)| s.size_in_bytes)
        .sum();
    let bar = progress_bar(total, segments.len());
    let done = std::sync::atomic::AtomicUsize::new(0);
    let n_segments = segments.len();
    let observe = |e: Event| {
        if let Some(bar) = &bar {
            match e {
                Event::Bytes(n) => bar.inc(n),
                Event::Rewind(n) => bar.set_position(bar.position().saturating_sub(n)),
                Event::Done { .. } => {
                    let d = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                    bar.set_message(format!("{d}/{n_segments}"));
                }
                Event::Retry { segment, why } => {
                    bar.println(format!("retrying segment {segment}: {}", sanitize(&why)))
                }
            }
        } else if let Event::Retry { segment, why } = e {
            ctx.verbose(format!("retrying segment {segment}: {}", sanitize(&why)));
        }
    };
    let start = Instant::now();
    if args.stdout {
        let stdout = io::stdout();
        let mut out = BufWriter::with_capacity(256 * 1024, stdout.lock());
        let mut header = None;
        let mut bytes = 0u64;
        for (_, seg) in &segments {
            let mut filter = HeaderFilter::new(&mut out, &mut header);
            match downloader.fetch_into(seg, &mut filter, &observe) {
                Ok(n) => bytes += n,
                Err(DownloadError::Io { source, .. })
                    if source.kind() == io::ErrorKind::BrokenPipe =>
                {
                    return Ok(());
                }
                Err(e) => {
                    if filter.mismatched() {
                        return Err(download_error(DownloadError::HeaderMismatch {
                            segment: seg.id.clone(),
                        }));
                    }
                    let _ = out.flush();
                    return Err(download_error(e));
                }
            }
            observe(Event::Done {
                segment: seg.id.clone(),
                skipped: false,
            });
        }
        match out.flush() {
            Err(e) if e.kind() != io::ErrorKind::BrokenPipe => {
                return Err(CliError::new(format!(
                    "cannot write to standard output: {e}"
                )));
            }
            _ => {}
        }
        if let Some(bar) = &bar {
            bar.finish_and_clear();
        }
        ctx.verbose(format!(
            "streamed {} segment(s), {bytes} bytes, in {:.1} s",
            n_segments,
            start.elapsed().as_secs_f64()
        ));
        return Ok(());
    }
    std::fs::create_dir_all(&dir)
        .map_err(|e| CliError::new(format!("cannot create {}: {e}", dir.display())))?;
    let jobs: Vec<Job> = segments
        .iter()
        .map(|(inst, seg)| Job {
            segment: seg.clone(),
            dest: dest(inst, seg),
        })
        .collect();
    let files: Vec<PathBuf> = jobs.iter().map(|j| j.dest.clone()).collect();
    let result = downloader.fetch_all(jobs, usize::from(args.jobs), &observe);
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let summary = result.map_err(download_error)?;
    let elapsed = start.elapsed().as_secs_f64();
    let line = format!(
        "{} segment(s) downloaded, {} already complete, into {} ({:.1} MB in {:.1} s)",
        summary.fetched,
        summary.skipped,
        dir.display(),
        summary.bytes_written as f64 / 1e6,
        elapsed
    );
    if bar.is_some() {
        say(&line);
    } else {
        ctx.verbose(&line);
    }
    if args.merge {
        let target = out.join(format!("{}.tsv", slug(&args.report)));
        let tmp = tempfile::Builder::new()
            .prefix(".ascvault-merge-")
            .tempfile_in(out)
            .map_err(|e| CliError::new(format!("cannot write in {}: {e}", out.display())))?;
        let mut w = BufWriter::with_capacity(256 * 1024, tmp);
        let rows = download::merge(&files, &mut w).map_err(download_error)?;
        let tmp = w
            .into_inner()
            .map_err(|e| CliError::new(format!("cannot write the merged file: {}", e.error())))?;
        tmp.persist(&target).map_err(|e| {
            CliError::new(format!("cannot write {}: {}", target.display(), e.error))
        })?;
        ctx.verbose(format!("merged {rows} row(s) into {}", target.display()));
        print(&format!("{}\n", target.display()))?;
    } else {
        print(&format!("{}\n", dir.display()))?;
    }
    Ok(())
}

fn vendor(session: &AscSession, flag: &Option<String>) -> CliResult<String> {
    let v = flag
        .clone()
        .or_else(|| session.vendor_number.clone())
        .ok_or_else(|| {
            CliError::usage("no vendor number").hint(format!(
                "pass --vendor N, or store it with the key: entry {:?} has none (`ascvault add api-key … --vendor-number N`)",
                sanitize(&session.label)
            ))
        })?;
    crate::vault::credential::check_vendor_number(&v)
        .map_err(|e| CliError::usage(e.to_string()))?;
    Ok(v)
}

fn report_error(err: ReportError) -> CliError {
    match err {
        ReportError::Asc(e) => asc_error(e),
        other => CliError::new(other.to_string()),
    }
}

/// Writes through a temporary file in the same folder; renamed when whole.
fn write_atomically(path: &Path, fill: impl FnOnce(&mut dyn Write) -> CliResult<()>) -> CliResult {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let tmp = tempfile::Builder::new()
        .prefix(".ascvault-report-")
        .tempfile_in(dir)
        .map_err(|e| CliError::new(format!("cannot write in {}: {e}", dir.display())))?;
    let mut w = BufWriter::new(tmp);
    fill(&mut w)?;
    let tmp = w
        .into_inner()
        .map_err(|e| CliError::new(format!("cannot write {}: {}", path.display(), e.error())))?;
    tmp.persist(path)
        .map_err(|e| CliError::new(format!("cannot write {}: {}", path.display(), e.error)))?;
    Ok(())
}

fn check_sales_date(freq: Frequency, date: &str) -> CliResult<()> {
    let ok = match freq {
        Frequency::Daily | Frequency::Weekly => check_date("--date", date).is_ok(),
        Frequency::Monthly => is_month(date),
        Frequency::Yearly => date.len() == 4 && date.bytes().all(|b| b.is_ascii_digit()),
    };
    if ok {
        Ok(())
    } else {
        Err(CliError::usage(format!(
            "--date {:?} does not fit --frequency {}",
            sanitize(date),
            format!("{freq:?}").to_ascii_lowercase()
        ))
        .hint("daily and weekly take YYYY-MM-DD, monthly YYYY-MM, yearly YYYY"))
    }
}

fn is_month(date: &str) -> bool {
    let b = date.as_bytes();
    b.len() == 7
        && b[4] == b'-'
        && b[..4].iter().chain(&b[5..]).all(u8::is_ascii_digit)
        && matches!(date[5..].parse::<u8>(), Ok(1..=12))
}

fn fetch_tsv(session: &AscSession, path: &str, out: &Option<PathBuf>) -> CliResult<Option<Tsv>> {
    if let Some(file) = out {
        write_atomically(file, |w| {
            sales::fetch(&session.client, path, w)
                .map(|_| ())
                .map_err(report_error)
        })?;
        print(&format!("{}\n", file.display()))?;
        return Ok(None);
    }
    let mut text = Vec::new();
    sales::fetch(&session.client, path, &mut text).map_err(report_error)?;
    let tsv =
        Tsv::parse(&text[..]).map_err(|e| CliError::new(format!("cannot read the report: {e}")))?;
    Ok(Some(tsv))
}

fn sales_cmd(ctx: &Context, args: &SalesArgs) -> CliResult {
    check_sales_date(args.frequency, &args.date)?;
    let session = AscSession::open(ctx, &args.asc)?;
    let vendor = vendor(&session, &args.vendor)?;
    let report_type = args.report_type.trim().to_ascii_uppercase();
    let query = SalesQuery {
        version: args
            .version
            .clone()
            .or_else(|| (report_type == "SALES").then(|| "1_0".to_owned())),
        report_type,
        sub_type: args.subtype.trim().to_ascii_uppercase(),
        frequency: format!("{:?}", args.frequency).to_ascii_uppercase(),
        date: args.date.clone(),
        vendor,
    };
    if !args.json && !args.summary && args.out.is_none() {
        // Plain TSV to stdout, streamed.
        let stdout = io::stdout();
        let mut lock = stdout.lock();
        return match sales::fetch(&session.client, &query.path(), &mut lock) {
            Err(ReportError::Write(e)) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
            other => other.map(|_| ()).map_err(report_error),
        };
    }
    let Some(tsv) = fetch_tsv(&session, &query.path(), &args.out)? else {
        return Ok(());
    };
    if args.summary {
        let rows = sales::summarize(&tsv).map_err(report_error)?;
        if args.json {
            return print_json(
                &serde_json::to_value(&rows).map_err(|e| CliError::new(e.to_string()))?,
            );
        }
        let mut t = Table::new(&["APP", "TITLE", "TERRITORY", "UNITS", "PROCEEDS", "CURRENCY"]);
        for r in &rows {
            t.row(vec![
                r.apple_identifier.clone(),
                r.title.clone(),
                r.territory.clone(),
                chart::short_number(r.units),
                format!("{:.2}", r.proceeds),
                r.currency.clone(),
            ]);
        }
        return print(&t.render());
    }
    print_json(&tsv.to_json())
}

fn finance_cmd(ctx: &Context, args: &FinanceArgs) -> CliResult {
    if !is_month(&args.date) {
        return Err(
            CliError::usage(format!("--date {:?} is not a month", sanitize(&args.date)))
                .hint("finance reports are monthly: --date YYYY-MM (Apple's fiscal month)"),
        );
    }
    let session = AscSession::open(ctx, &args.asc)?;
    let query = FinanceQuery {
        region: args.region.trim().to_ascii_uppercase(),
        date: args.date.clone(),
        vendor: vendor(&session, &args.vendor)?,
        report_type: args.report_type.trim().to_ascii_uppercase(),
    };
    if !args.json && args.out.is_none() {
        let stdout = io::stdout();
        let mut lock = stdout.lock();
        return match sales::fetch(&session.client, &query.path(), &mut lock) {
            Err(ReportError::Write(e)) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
            other => other.map(|_| ()).map_err(report_error),
        };
    }
    match fetch_tsv(&session, &query.path(), &args.out)? {
        Some(tsv) => print_json(&tsv.to_json()),
        None => Ok(()),
    }
}

fn percentile_name(p: &str) -> String {
    match p {
        "percentile.fifty" => "p50".into(),
        "percentile.ninety" => "p90".into(),
        "percentile.ninety-five" | "percentile.ninetyfive" => "p95".into(),
        other => other.trim_start_matches("percentile.").to_owned(),
    }
}

fn perf_cmd(ctx: &Context, args: &PerfArgs) -> CliResult {
    if let Some(c) = &args.chart {
        chart::Format::of(c)?;
    }
    let session = AscSession::open(ctx, &args.asc)?;
    let target = match (&args.app, &args.build) {
        (Some(app), _) => Target::App(resolve_app(&session, app)?),
        (None, Some(b)) => Target::Build(b.trim().to_owned()),
        (None, None) => return Err(CliError::usage("give --app or --build")),
    };
    let categories: Vec<String> = args
        .metric
        .iter()
        .map(|m| format!("{m:?}").to_ascii_uppercase())
        .collect();
    let doc = perf::metrics(
        &session.client,
        &target,
        &categories,
        args.device.as_deref(),
    )
    .map_err(asc_error)?;
    if let Some(path) = &args.chart {
        chart::draw(&perf_chart(&doc)?, path, 960, 540)?;
        ctx.verbose(format!("chart written to {}", path.display()));
    }
    if args.json {
        return print_json(&serde_json::to_value(&doc).map_err(|e| CliError::new(e.to_string()))?);
    }
    print(&render_perf(&doc))
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
            out.push_str(&format!("{}\n", sanitize(&insight_line(i))));
        }
    }
    if !doc.insights.trending_up.is_empty() {
        out.push_str("Trending up:\n");
        for i in &doc.insights.trending_up {
            out.push_str(&format!("{}\n", sanitize(&insight_line(i))));
        }
    }
    for product in &doc.product_data {
        for cat in &product.metric_categories {
            for m in &cat.metrics {
                let unit = m
                    .unit
                    .as_ref()
                    .and_then(|u| u.identifier.clone())
                    .unwrap_or_default();
                let unit_name = m
                    .unit
                    .as_ref()
                    .and_then(|u| u.display_name.clone())
                    .unwrap_or_default();
                if !out.is_empty() {
                    out.push('\n');
                }
                out.push_str(&sanitize(&format!(
                    "{} {} — {} ({unit_name}){}",
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
                g.lower_bound.map(|v| v.to_string()).unwrap_or_default(),
                g.upper_bound.map(|v| v.to_string()).unwrap_or_default()
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
    let unit = m.unit.clone().unwrap_or_default();
    Ok(Chart {
        title: format!(
            "{} {}",
            cat.identifier.as_deref().unwrap_or(""),
            m.identifier.as_deref().unwrap_or("")
        ),
        x_caption: "version".into(),
        y_caption: format!(
            "{} ({})",
            unit.display_name.as_deref().unwrap_or(""),
            unit.identifier.as_deref().unwrap_or("")
        ),
        x_labels: versions,
        x_days: None,
        series,
    })
}

fn diagnostics(ctx: &Context, args: &DiagnosticsArgs) -> CliResult {
    let session = AscSession::open(ctx, &args.asc)?;
    let kind = args.kind.map(|k| match k {
        DiagnosticKind::Hangs => "HANGS",
        DiagnosticKind::Launches => "LAUNCHES",
        DiagnosticKind::DiskWrites => "DISK_WRITES",
    });
    let mut sigs = perf::signatures(&session.client, args.build.trim(), kind).map_err(asc_error)?;
    if args.logs {
        for s in &mut sigs {
            s.logs = Some(perf::logs(&session.client, &s.id).map_err(asc_error)?);
        }
    }
    if args.json {
        return print_json(&serde_json::to_value(&sigs).map_err(|e| CliError::new(e.to_string()))?);
    }
    if sigs.is_empty() {
        say("no diagnostic signatures for this build");
        return Ok(());
    }
    let mut out = String::new();
    let mut t = Table::new(&["WEIGHT", "TYPE", "SIGNATURE", "ID"]);
    for s in &sigs {
        t.row(vec![
            format!("{:.1}%", s.weight),
            s.diagnostic_type.clone(),
            output::truncate(&s.signature, 70),
            s.id.clone(),
        ]);
    }
    out.push_str(&t.render());
    if args.logs {
        for s in &sigs {
            out.push_str(&format!(
                "\n{}\n",
                sanitize(&format!("{} ({})", s.signature, s.id))
            ));
            for log in s.logs.iter().flatten() {
                out.push_str(&format!(
                    "{}\n",
                    sanitize(&format!("  {} on {}", log.version, log.device))
                ));
                for (depth, f) in log.frames.iter().enumerate() {
                    out.push_str(&format!(
                        "{}\n",
                        sanitize(&format!("    {}{f}", "  ".repeat(depth.min(10))))
                    ));
                }
            }
        }
    }
    print(&out)
}

fn chart_cmd(args: &ChartArgs) -> CliResult {
    let file = File::open(&args.input)
        .map_err(|e| CliError::new(format!("cannot read {}: {e}", args.input.display())))?;
    let tsv = Tsv::parse(BufReader::new(file))
        .map_err(|e| CliError::new(format!("cannot read {}: {e}", args.input.display())))?;
    let col = tsv.column(&args.column).ok_or_else(|| {
        CliError::usage(format!(
            "{} has no column {:?}",
            args.input.display(),
            sanitize(&args.column)
        ))
        .hint(format!("its columns: {}", sanitize(&tsv.header.join(", "))))
    })?;
    let by = match &args.by {
        Some(b) => Some(tsv.column(b).ok_or_else(|| {
            CliError::usage(format!(
                "{} has no column {:?}",
                args.input.display(),
                sanitize(b)
            ))
            .hint(format!("its columns: {}", sanitize(&tsv.header.join(", "))))
        })?),
        None => None,
    };
    let (labels, values): (Vec<String>, Vec<f64>) = match by {
        Some(b) => {
            // Rows sharing an x value (a date across territories, say) are summed.
            let mut sums: BTreeMap<String, f64> = BTreeMap::new();
            for row in &tsv.rows {
                if let Ok(v) = row[col].trim().parse::<f64>() {
                    *sums.entry(row[b].trim().to_owned()).or_default() += v;
                }
            }
            sums.into_iter().unzip()
        }
        None => tsv
            .rows
            .iter()
            .enumerate()
            .filter_map(|(i, row)| {
                Some(((i + 1).to_string(), row[col].trim().parse::<f64>().ok()?))
            })
            .unzip(),
    };
    if values.is_empty() {
        return Err(CliError::new(format!(
            "column {:?} has no numeric values",
            sanitize(&args.column)
        )));
    }
    let column = tsv.header[col].clone();
    let x_caption = by
        .map(|b| tsv.header[b].clone())
        .unwrap_or_else(|| "row".into());
    let Some(out) = &args.out else {
        let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let last = values.last().copied().unwrap_or_default();
        return print(&format!(
            "{} {}  min {} max {} last {} ({} points)\n",
            sanitize(&column),
            chart::sparkline(&values, 60),
            chart::short_number(lo),
            chart::short_number(hi),
            chart::short_number(last),
            values.len()
        ));
    };
    let title = args.title.clone().unwrap_or_else(|| {
        format!(
            "{column} by {x_caption} — {}",
            args.input
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        )
    });
    // Dates (as analytics and sales reports have) get a real time axis.
    let days: Option<Vec<i64>> = labels.iter().map(|l| chart::day_of_date(l)).collect();
    let x_days = days.filter(|d| d.windows(2).all(|w| w[0] < w[1]));
    let chart = Chart {
        title: sanitize(&title),
        x_caption: sanitize(&x_caption),
        y_caption: sanitize(&column),
        series: vec![Series {
            name: sanitize(&column),
            points: values.iter().copied().enumerate().collect(),
        }],
        x_labels: labels,
        x_days,
    };
    chart::draw(&chart, out, args.width, args.height)?;
    print(&format!("{}\n", out.display()))
}
