//! `ascvault report`: one self-contained HTML page built from the archive.

use std::path::PathBuf;

use clap::Args;
use time::OffsetDateTime;

use super::values;

/// `report --app APP --out FILE [--since DATE] [--archive PATH]`
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The app: numeric app id, bundle id or exact name, as archived.
    #[arg(long, value_name = "APP")]
    pub app: String,
    /// The HTML file to write (replaced if it exists; written 0600).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Only reviews and days on or after this date (YYYY-MM-DD, UTC) or
    /// instant (RFC 3339): limits the time series and the review figures.
    #[arg(long, value_name = "DATE", value_parser = values::parse_since)]
    pub since: Option<OffsetDateTime>,
    /// The archive (default: beside the vault).
    #[arg(long, value_name = "PATH", env = "ASCVAULT_ARCHIVE")]
    pub archive: Option<PathBuf>,
}
