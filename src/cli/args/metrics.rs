//! Arguments of `ascvault metrics …`: the subcommands, their flags, and the
//! value enums with the API value each one stands for (an explicit `api()`,
//! never a `Debug` string).
//!
//! `--since`/`--until` are [`Day`]s and finance `--date` a [`Month`],
//! checked at parse time. Sales `--date` stays a string: its form depends
//! on `--frequency`, so the handler checks the pair.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Subcommand, ValueEnum};

use super::asc::AscArgs;
use super::values::{Day, Month};

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
    /// An app's builds, newest first: the ids `perf --build` and `diagnostics --build` take.
    Builds(BuildsArgs),
    /// Power and performance metrics: a table per metric, insights first.
    Perf(PerfArgs),
    /// Hang, launch and disk-write diagnostics of a build, heaviest first.
    Diagnostics(DiagnosticsArgs),
    /// Chart a column of a TSV file or of the archive (PNG/SVG, or a sparkline in the terminal).
    Chart(ChartArgs),
}

#[derive(Debug, Args)]
pub struct RequestArgs {
    /// Which key, which server, how long to wait.
    #[command(flatten)]
    pub asc: AscArgs,
    /// The app: numeric id, bundle id or exact name.
    #[arg(long)]
    pub app: String,
    /// A one-time snapshot of past data instead of ongoing reports.
    #[arg(long)]
    pub snapshot: bool,
}

#[derive(Debug, Args)]
pub struct ReportsArgs {
    /// Which key, which server, how long to wait.
    #[command(flatten)]
    pub asc: AscArgs,
    /// The app: numeric id, bundle id or exact name.
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
    /// The API's value (`filter[category]`).
    pub fn api(self) -> &'static str {
        match self {
            Category::AppUsage => "APP_USAGE",
            Category::AppStoreEngagement => "APP_STORE_ENGAGEMENT",
            Category::Commerce => "COMMERCE",
            Category::FrameworkUsage => "FRAMEWORK_USAGE",
            Category::Performance => "PERFORMANCE",
        }
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
    /// The API's value (`filter[granularity]`).
    pub fn api(self) -> &'static str {
        match self {
            Granularity::Daily => "DAILY",
            Granularity::Weekly => "WEEKLY",
            Granularity::Monthly => "MONTHLY",
        }
    }
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("dest").required(true).args(["out", "stdout"])))]
pub struct DownloadArgs {
    /// Which key, which server, how long to wait.
    #[command(flatten)]
    pub asc: AscArgs,
    /// The app: numeric id, bundle id or exact name.
    #[arg(long)]
    pub app: String,
    /// The report's name or id, as `metrics reports` shows them.
    #[arg(long, value_name = "NAME|ID")]
    pub report: String,
    /// Only instances of this granularity.
    #[arg(long, value_enum)]
    pub granularity: Option<Granularity>,
    /// Only instances processed on or after this date (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub since: Option<Day>,
    /// Only instances processed on or before this date (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub until: Option<Day>,
    /// Write segments (and the merged file) into this folder.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Stream the rows to standard output, one header row, one segment after another.
    #[arg(long)]
    pub stdout: bool,
    /// Also write one TSV with a single header row (`DIR/<report>.tsv`).
    #[arg(long, conflicts_with = "stdout")]
    pub merge: bool,
    /// Segments fetched at a time.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=32), value_name = "N")]
    pub jobs: u16,
    /// Seconds one attempt at one segment may take, start to end (a slow
    /// drip is stopped; fractions allowed).
    #[arg(long, env = "ASCVAULT_SEGMENT_DEADLINE", default_value = "3600", value_name = "SECS", value_parser = parse_deadline)]
    pub segment_deadline: Duration,
    /// Decompressed bytes one segment may produce (a gzip bomb is stopped).
    #[arg(long, env = "ASCVAULT_MAX_SEGMENT_BYTES", default_value_t = crate::asc::download::DEFAULT_MAX_SEGMENT_BYTES, value_parser = clap::value_parser!(u64).range(1..), value_name = "BYTES")]
    pub max_segment_bytes: u64,
    /// Decompressed bytes the whole download may produce.
    #[arg(long, env = "ASCVAULT_MAX_DOWNLOAD_BYTES", default_value_t = crate::asc::download::DEFAULT_MAX_RUN_BYTES, value_parser = clap::value_parser!(u64).range(1..), value_name = "BYTES")]
    pub max_download_bytes: u64,
}

/// Parses `--segment-deadline`: positive seconds, at most a week.
fn parse_deadline(text: &str) -> Result<Duration, String> {
    super::values::seconds_up_to(text, 604_800.0, " (a week)")
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

impl Frequency {
    /// The API's value (`filter[frequency]`).
    pub fn api(self) -> &'static str {
        match self {
            Frequency::Daily => "DAILY",
            Frequency::Weekly => "WEEKLY",
            Frequency::Monthly => "MONTHLY",
            Frequency::Yearly => "YEARLY",
        }
    }

    /// The flag's value, for messages.
    pub fn name(self) -> &'static str {
        match self {
            Frequency::Daily => "daily",
            Frequency::Weekly => "weekly",
            Frequency::Monthly => "monthly",
            Frequency::Yearly => "yearly",
        }
    }
}

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
    /// Report format version (default: the newest Apple lists for the type, sub-type and frequency).
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
    pub date: Month,
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

#[derive(Debug, Args)]
pub struct BuildsArgs {
    /// Which key, which server, how long to wait.
    #[command(flatten)]
    pub asc: AscArgs,
    /// The app: numeric id, bundle id or exact name.
    #[arg(long)]
    pub app: String,
    /// Only builds of this version (as users see it, e.g. 2.3).
    #[arg(long, value_name = "V", value_parser = parse_version)]
    pub version: Option<String>,
    /// At most this many builds, newest first.
    #[arg(long, value_name = "N", default_value_t = 200, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub max: u32,
    /// JSON output: [{id, version, build_number, platform, uploaded, processing_state, expired}].
    #[arg(long)]
    pub json: bool,
}

/// Parses `builds --version`: what can go into a query unescaped.
fn parse_version(text: &str) -> Result<String, String> {
    let text = text.trim();
    if crate::asc::builds::is_version(text) {
        Ok(text.to_owned())
    } else {
        Err("a version is 1 to 64 letters, digits, '.', '-' or '_' (e.g. 2.3)".into())
    }
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
    /// Storage (a `filter[metricType]` in Apple's documentation, newer
    /// than the 3.7 description).
    Storage,
}

impl MetricKind {
    /// The API's value (`filter[metricType]`).
    pub fn api(self) -> &'static str {
        match self {
            MetricKind::Launch => "LAUNCH",
            MetricKind::Hang => "HANG",
            MetricKind::Memory => "MEMORY",
            MetricKind::Disk => "DISK",
            MetricKind::Battery => "BATTERY",
            MetricKind::Termination => "TERMINATION",
            MetricKind::Animation => "ANIMATION",
            MetricKind::Storage => "STORAGE",
        }
    }
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("target").required(true).args(["app", "build"])))]
pub struct PerfArgs {
    /// Which key, which server, how long to wait.
    #[command(flatten)]
    pub asc: AscArgs,
    /// The app: numeric id, bundle id or exact name.
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

impl DiagnosticKind {
    /// The API's value (`filter[diagnosticType]`).
    pub fn api(self) -> &'static str {
        match self {
            DiagnosticKind::Hangs => "HANGS",
            DiagnosticKind::Launches => "LAUNCHES",
            DiagnosticKind::DiskWrites => "DISK_WRITES",
        }
    }
}

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

/// `metrics chart`: a file, or `--archive` with `--analytics` or `--sales`.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("kind").args(["analytics", "sales"])))]
pub struct ChartArgs {
    /// A TSV or CSV file (a downloaded analytics report, a sales report).
    #[arg(required_unless_present = "archive", conflicts_with = "archive")]
    pub input: Option<PathBuf>,
    /// Read the series from the archive `ascvault sync` keeps instead of a
    /// file (default: beside the vault; `--archive=PATH` for another).
    /// Needs --analytics or --sales; opens neither the vault nor the network.
    #[arg(long, value_name = "PATH", num_args = 0..=1, require_equals = true, requires = "kind")]
    pub archive: Option<Option<PathBuf>>,
    /// With --archive: the archived rows of this analytics report (as
    /// `sync --analytics` was given it), one granularity, segments in
    /// order of processing date, rows repeated by another instance once.
    #[arg(long, value_name = "REPORT", requires_all = ["archive", "app"])]
    pub analytics: Option<String>,
    /// With --analytics: this granularity (default: the finest archived).
    #[arg(long, value_enum, requires = "analytics")]
    pub granularity: Option<Granularity>,
    /// With --archive: archived daily sales, `--column units` or
    /// `--column proceeds` (one line per proceeds currency) per day.
    #[arg(long, requires = "archive", conflicts_with = "by")]
    pub sales: bool,
    /// With --archive: the app (numeric id, bundle id or exact name, as
    /// archived); needed with --analytics, with --sales only its rows.
    #[arg(long, value_name = "APP", requires = "archive")]
    pub app: Option<String>,
    /// The column to chart (with --sales: units or proceeds).
    #[arg(long, value_name = "NAME")]
    pub column: String,
    /// The column on the x axis (rows with the same value are summed;
    /// with --analytics, default Date when the report has one).
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
    /// The chart's title (default: the column and the file name or report).
    #[arg(long)]
    pub title: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each `api()` is the flag's value in Apple's spelling, so a new
    /// variant cannot get a wire value that drifts from its name.
    fn same_as_flag<T: ValueEnum>(api: impl Fn(&T) -> &'static str, uppercase: bool) {
        for v in T::value_variants() {
            let flag = v.to_possible_value().unwrap().get_name().replace('-', "_");
            let flag = if uppercase {
                flag.to_ascii_uppercase()
            } else {
                flag
            };
            assert_eq!(api(v), flag);
        }
    }

    #[test]
    fn api_values_follow_the_flag_values() {
        same_as_flag::<Category>(|c| c.api(), false);
        same_as_flag::<Granularity>(|g| g.api(), true);
        same_as_flag::<Frequency>(|f| f.api(), true);
        same_as_flag::<MetricKind>(|m| m.api(), true);
        same_as_flag::<DiagnosticKind>(|d| d.api(), true);
        for f in Frequency::value_variants() {
            assert_eq!(f.name(), f.to_possible_value().unwrap().get_name());
        }
    }
}
