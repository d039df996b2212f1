//! Arguments of the App Store Connect commands: the network options every
//! one of them shares, `apps`, `reviews …` and `verify`.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Subcommand, ValueEnum};
use time::OffsetDateTime;

use super::values::{self, ApiBase};
use crate::asc::Settings;
use crate::asc::client::DEFAULT_API_BASE;
use crate::asc::verify::{CONTENT_DELIVERY_ENV, DEFAULT_CONTENT_DELIVERY_BASE};

/// Where App Store Connect is and how long to wait for it.
#[derive(Debug, Args, Clone)]
pub struct NetArgs {
    /// App Store Connect API base URL (http:// only for loopback).
    #[arg(long, env = "ASCVAULT_API_BASE", default_value = DEFAULT_API_BASE, value_name = "URL")]
    pub api_base: ApiBase,
    /// Seconds to wait for each request (fractions allowed).
    #[arg(long, default_value = "30", value_name = "SECS", value_parser = parse_secs)]
    pub timeout: Duration,
}

impl NetArgs {
    /// The client settings these options ask for, with the first retry's
    /// delay from `ASCVAULT_RETRY_BASE_MS` when it is a number of
    /// milliseconds (tests make it short; the library never reads the
    /// environment).
    pub fn settings(&self) -> Settings {
        let mut settings = Settings::with_timeout(self.timeout);
        if let Some(ms) = std::env::var("ASCVAULT_RETRY_BASE_MS")
            .ok()
            .and_then(|v| v.trim().parse::<u64>().ok())
        {
            settings.retry_base = Duration::from_millis(ms);
        }
        settings
    }
}

/// Options of every command that calls the API with a key.
#[derive(Debug, Args, Clone)]
pub struct AscArgs {
    /// Base URL and timeout.
    #[command(flatten)]
    pub net: NetArgs,
    /// The api-key entry to use; default: the only active one, else the
    /// default entry (`ascvault default`).
    #[arg(long, env = "ASCVAULT_ENTRY", value_name = "LABEL")]
    pub entry: Option<String>,
}

/// Parses `--timeout`: positive seconds, at most a day.
fn parse_secs(text: &str) -> Result<Duration, String> {
    super::values::seconds_up_to(text, 86_400.0, "")
}

// apps

#[derive(Debug, Args)]
pub struct AppsArgs {
    /// JSON output: [{id, name, bundle_id, sku}].
    #[arg(long)]
    pub json: bool,
    /// App Store Connect options.
    #[command(flatten)]
    pub asc: AscArgs,
}

// reviews

#[derive(Debug, Subcommand)]
pub enum ReviewsCommand {
    /// List an app's reviews, newest first.
    List(ListArgs),
    /// Show one review and its developer response.
    Show(ShowArgs),
    /// Create or replace the developer response to a review, or send the
    /// replies of a file `reviews draft` wrote (--from).
    Respond(RespondArgs),
    /// Delete the developer response to a review.
    DeleteResponse(DeleteResponseArgs),
    /// Find reviews that are likely inappropriate, and say why.
    Flag(FlagArgs),
    /// Prepare a "Report a Concern" in App Store Connect (the API cannot file one).
    Report(ReportArgs),
    /// Show Apple's AI-generated summaries of an app's reviews.
    Summary(SummaryArgs),
    /// Write replies to unanswered reviews into a TOML file to edit, then
    /// send with `reviews respond --from`.
    Draft(DraftArgs),
    /// Stars, answered share, time to answer and flagged share, from the archive.
    Stats(StatsArgs),
}

/// The order of `reviews list`.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum SortArg {
    /// Newest first.
    Newest,
    /// Oldest first.
    Oldest,
    /// Most stars first.
    Best,
    /// Fewest stars first.
    Worst,
}

/// Which reviews.
#[derive(Debug, Args)]
pub struct FilterArgs {
    /// The app: numeric app id, bundle id or exact name.
    #[arg(long, value_name = "APP")]
    pub app: String,
    /// Only these star ratings, e.g. 1,2.
    #[arg(long, value_delimiter = ',', value_name = "STARS", value_parser = clap::value_parser!(u8).range(1..=5))]
    pub rating: Vec<u8>,
    /// Only these territories (ISO 3166 alpha-3), e.g. USA,GBR.
    #[arg(long, value_delimiter = ',', value_name = "CODES", value_parser = values::parse_territory)]
    pub territory: Vec<String>,
    /// Only reviews written on or after this date (YYYY-MM-DD, UTC) or instant (RFC 3339).
    #[arg(long, value_name = "DATE", value_parser = values::parse_since)]
    pub since: Option<OffsetDateTime>,
    /// Only reviews without a published response.
    #[arg(long)]
    pub unanswered: bool,
    /// The order.
    #[arg(long, value_enum, default_value = "newest")]
    pub sort: SortArg,
    /// At most this many reviews.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub max: Option<u32>,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Which reviews.
    #[command(flatten)]
    pub filter: FilterArgs,
    /// JSON output: whole records, with any developer response.
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    /// CSV output.
    #[arg(long)]
    pub csv: bool,
    /// Answer offline from the archive `ascvault sync` keeps (default:
    /// beside the vault; `--archive=PATH` for another).
    #[arg(long, value_name = "PATH", num_args = 0..=1, require_equals = true)]
    pub archive: Option<Option<PathBuf>>,
    /// App Store Connect options.
    #[command(flatten)]
    pub asc: AscArgs,
}

/// `reviews stats` periods.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum StatsPeriod {
    /// ISO weeks (Monday to Sunday, UTC).
    Week,
    /// Calendar months (UTC).
    Month,
}

/// `reviews stats --app APP [--by week|month] [--json]`
#[derive(Debug, Args)]
pub struct StatsArgs {
    /// The app: numeric app id, bundle id or exact name, as archived.
    #[arg(long, value_name = "APP")]
    pub app: String,
    /// One row per week or month, newest first, after the total.
    #[arg(long, value_enum, value_name = "PERIOD")]
    pub by: Option<StatsPeriod>,
    /// JSON output: {app, total, periods}.
    #[arg(long)]
    pub json: bool,
    /// The archive (default: beside the vault).
    #[arg(long, value_name = "PATH", env = "ASCVAULT_ARCHIVE")]
    pub archive: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The review id.
    pub review_id: String,
    /// JSON output.
    #[arg(long)]
    pub json: bool,
    /// App Store Connect options.
    #[command(flatten)]
    pub asc: AscArgs,
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("text").required(true).args(["body", "body_file", "from"])))]
pub struct RespondArgs {
    /// The review id (not with --from).
    #[arg(required_unless_present = "from", conflicts_with = "from")]
    pub review_id: Option<String>,
    /// The response text.
    #[arg(long, value_name = "TEXT")]
    pub body: Option<String>,
    /// Read the response text from a file (`-`: standard input).
    #[arg(long, value_name = "FILE")]
    pub body_file: Option<PathBuf>,
    /// Send the replies of a file `reviews draft` wrote (and a person
    /// edited): each reply that is not empty, to a review not answered since.
    #[arg(long, value_name = "FILE")]
    pub from: Option<PathBuf>,
    /// With --from: check the file and the reviews, send nothing.
    #[arg(long, requires = "from")]
    pub dry_run: bool,
    /// JSON output (with --from: {sent, skipped, failed, not_attempted}).
    #[arg(long)]
    pub json: bool,
    /// App Store Connect options.
    #[command(flatten)]
    pub asc: AscArgs,
}

#[derive(Debug, Args)]
pub struct DeleteResponseArgs {
    /// The review id.
    pub review_id: String,
    /// App Store Connect options.
    #[command(flatten)]
    pub asc: AscArgs,
}

#[derive(Debug, Args)]
pub struct FlagArgs {
    /// Which reviews.
    #[command(flatten)]
    pub filter: FilterArgs,
    /// A competitor's name to look for (repeatable).
    #[arg(long, value_name = "NAME")]
    pub competitor: Vec<String>,
    /// JSON output: [{review, findings: [{reason, detail}]}].
    #[arg(long)]
    pub json: bool,
    /// App Store Connect options.
    #[command(flatten)]
    pub asc: AscArgs,
}

/// Why a review is reported.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ReportReason {
    /// Offensive or abusive language.
    Offensive,
    /// Spam or advertising.
    Spam,
    /// Not about the app.
    OffTopic,
    /// Personal information.
    PersonalInfo,
    /// Anything else.
    Other,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The review id.
    pub review_id: String,
    /// The app the review belongs to (id, bundle id or exact name); needed when the key
    /// sees several apps: the API links no review to its app, and the web
    /// page is per app.
    #[arg(long, value_name = "APP")]
    pub app: Option<String>,
    /// Why.
    #[arg(long, value_enum)]
    pub reason: ReportReason,
    /// More words for Apple, added to the text to paste.
    #[arg(long, value_name = "TEXT")]
    pub details: Option<String>,
    /// Print the address instead of opening the browser.
    #[arg(long)]
    pub print: bool,
    /// App Store Connect options.
    #[command(flatten)]
    pub asc: AscArgs,
}

/// A platform of `reviews summary`.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum PlatformArg {
    /// iPhone and iPad (`IOS`).
    Ios,
    /// Mac (`MAC_OS`).
    MacOs,
    /// Apple TV (`TV_OS`).
    TvOs,
    /// Apple Vision Pro (`VISION_OS`).
    VisionOs,
}

#[derive(Debug, Args)]
pub struct SummaryArgs {
    /// The app: numeric app id, bundle id or exact name.
    #[arg(long, value_name = "APP")]
    pub app: String,
    /// Only these territories (ISO 3166 alpha-3), e.g. USA,GBR.
    #[arg(long, value_delimiter = ',', value_name = "CODES", value_parser = values::parse_territory)]
    pub territory: Vec<String>,
    /// The platforms summarized (Apple requires one at least).
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "ios",
        value_name = "PLATFORM"
    )]
    pub platform: Vec<PlatformArg>,
    /// JSON output: [{id, territory, platform, locale, created_date, currency, text}].
    #[arg(long)]
    pub json: bool,
    /// App Store Connect options.
    #[command(flatten)]
    pub asc: AscArgs,
}

#[derive(Debug, Args)]
pub struct DraftArgs {
    /// Which reviews (only those without any developer response are drafted).
    #[command(flatten)]
    pub filter: FilterArgs,
    /// A minijinja template for the replies (default: a short thank-you);
    /// placeholders: nickname, app, territory, rating, title.
    #[arg(long, value_name = "FILE")]
    pub template: Option<PathBuf>,
    /// The file to write (TOML); never overwritten without --force.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Replace --out if it exists.
    #[arg(long)]
    pub force: bool,
    /// App Store Connect options.
    #[command(flatten)]
    pub asc: AscArgs,
}

// verify

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The entry to check; default: every active entry.
    #[arg(conflicts_with_all = ["all", "exposed"])]
    pub label: Option<String>,
    /// Check every active entry (the default without LABEL).
    #[arg(long, conflicts_with = "exposed")]
    pub all: bool,
    /// Check every entry a removed member could read (team vaults), revoked
    /// ones included: succeeds when Apple accepts none of them.
    #[arg(long)]
    pub exposed: bool,
    /// Mark every entry Apple rejects as revoked (with a note saying when);
    /// an API key Apple does not accept (maybe a wrong key id or issuer id)
    /// only after asking at the terminal.
    #[arg(long)]
    pub mark_revoked: bool,
    /// With --mark-revoked: also mark API keys Apple did not accept, without
    /// asking (required for them without a terminal).
    #[arg(long, short, requires = "mark_revoked")]
    pub yes: bool,
    /// JSON output: [{label, kind, account, result, code, message, marked_revoked}].
    #[arg(long)]
    pub json: bool,
    /// Base URL of Apple's content-delivery service (app-specific passwords).
    #[arg(long, env = CONTENT_DELIVERY_ENV, default_value = DEFAULT_CONTENT_DELIVERY_BASE, value_name = "URL")]
    pub content_delivery_base: ApiBase,
    /// Base URL and timeout.
    #[command(flatten)]
    pub net: NetArgs,
}
