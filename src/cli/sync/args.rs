//! Arguments of `ascvault sync`.

use std::path::PathBuf;

use clap::Args;
use url::Url;

use crate::cli::args::asc::AscArgs;

/// `sync [--app APP]… [--reviews] [--analytics REPORT]… [--sales] [--snapshots] [--archive PATH] [--notify URL]`
#[derive(Debug, Args)]
pub struct SyncArgs {
    /// Only this app (numeric id, bundle id or exact name); repeat for
    /// several. Default: every app the key sees.
    #[arg(long, value_name = "APP")]
    pub app: Vec<String>,
    /// Archive customer reviews and their responses (no kind flag at all:
    /// reviews, snapshots, sales with a vendor number, and the analytics
    /// reports archived before).
    #[arg(long)]
    pub reviews: bool,
    /// Archive every segment of this analytics report (name or id) not
    /// archived yet; repeat for several. No kind flag at all: the reports
    /// archived before.
    #[arg(long, value_name = "REPORT")]
    pub analytics: Vec<String>,
    /// Archive each daily sales summary not archived yet, back a year
    /// (needs the entry's vendor number).
    #[arg(long)]
    pub sales: bool,
    /// Archive today's snapshot of Apple's review summaries and of each
    /// app's power and performance metrics (once per app and UTC day).
    #[arg(long)]
    pub snapshots: bool,
    /// The archive (default: beside the vault, NAME.archive.sqlite for
    /// NAME.age).
    #[arg(long, value_name = "PATH", env = "ASCVAULT_ARCHIVE")]
    pub archive: Option<PathBuf>,
    /// Post each newly archived review to this webhook as Slack-compatible
    /// JSON, once per review (https, or http to loopback).
    #[arg(long, value_name = "URL", value_parser = parse_webhook)]
    pub notify: Option<Url>,
    /// Only notify reviews with these stars, e.g. 1,2 (default: all).
    #[arg(long, value_delimiter = ',', value_name = "STARS", requires = "notify",
          value_parser = clap::value_parser!(u8).range(1..=5))]
    pub notify_stars: Vec<u8>,
    /// App Store Connect options.
    #[command(flatten)]
    pub asc: AscArgs,
}

/// A webhook address: `https`, or `http` to a loopback host (tests, a
/// local relay); never credentials in it that a log would show.
pub fn parse_webhook(text: &str) -> Result<Url, String> {
    let url = Url::parse(text.trim()).map_err(|e| format!("not a URL: {e}"))?;
    let loopback = match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    };
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        "http" => return Err("plain http only to a loopback host; use https".into()),
        other => return Err(format!("scheme {other:?}; use https")),
    }
    if url.host().is_none() {
        return Err("no host".into());
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("put no user name or password in the address".into());
    }
    Ok(url)
}
