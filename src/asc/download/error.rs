//! Why a segment download failed: every variant names the segment, and says
//! whether the network (exit 7), the server's answer or the disk is at fault.

use std::io;
use std::path::PathBuf;
use std::time::Duration;

use crate::asc::transport::human_bytes;
use thiserror::Error;

/// Why a segment could not be fetched. Every variant names the segment.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum DownloadError {
    /// No answer, or the connection broke, after the retries.
    #[error("segment {segment}: download failed after {attempts} attempt(s): {message}")]
    Network {
        /// The segment id.
        segment: String,
        /// Attempts made.
        attempts: u32,
        /// What went wrong last.
        message: String,
    },
    /// The storage host answered with an error status.
    #[error("segment {segment}: the download URL answered HTTP {status} (it may have expired)")]
    Status {
        /// The segment id.
        segment: String,
        /// The status.
        status: u16,
    },
    /// Fewer or more compressed bytes than `sizeInBytes`.
    #[error("segment {segment}: got {found} bytes, App Store Connect announced {expected}")]
    Size {
        /// The segment id.
        segment: String,
        /// `sizeInBytes`.
        expected: u64,
        /// What arrived.
        found: u64,
    },
    /// The MD5 of the compressed bytes differs from `checksum`.
    #[error("segment {segment}: checksum mismatch: expected MD5 {expected}, got {found}")]
    Checksum {
        /// The segment id.
        segment: String,
        /// `checksum`.
        expected: String,
        /// The MD5 of what arrived.
        found: String,
    },
    /// The bytes are not a whole gzip stream (truncated or corrupt).
    #[error("segment {segment}: not a complete gzip stream: {message}")]
    Gzip {
        /// The segment id.
        segment: String,
        /// The decoder's complaint.
        message: String,
    },
    /// Reading or writing a local file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: io::Error,
    },
    /// The segments of a merge do not share one header row.
    #[error("segment {segment}: its header row differs from the first segment's; not merging")]
    HeaderMismatch {
        /// The segment id (or file).
        segment: String,
    },
    /// The segment's URL, or a redirect from it, is not one we fetch (not
    /// https, plain http to a host that is not loopback, too many
    /// redirects…; see `guard`).
    #[error("segment {segment}: not fetched: {message}")]
    BadUrl {
        /// The segment id.
        segment: String,
        /// Why (never the URL itself: its query is a credential).
        message: String,
    },
    /// The segment decompresses to more than the limit.
    #[error(
        "segment {segment}: decompresses to more than {}, the per-segment limit (--max-segment-bytes, ASCVAULT_MAX_SEGMENT_BYTES)",
        human_bytes(*limit)
    )]
    TooLarge {
        /// The segment id.
        segment: String,
        /// The limit, in bytes.
        limit: u64,
    },
    /// The segments of this run decompress to more than the run's limit.
    #[error(
        "segment {segment}: the download would exceed {} in all, the per-run limit (--max-download-bytes, ASCVAULT_MAX_DOWNLOAD_BYTES)",
        human_bytes(*limit)
    )]
    RunTooLarge {
        /// The segment that went past it.
        segment: String,
        /// The limit, in bytes.
        limit: u64,
    },
    /// One attempt took longer than the per-segment deadline.
    #[error(
        "segment {segment}: not complete within the per-segment deadline of {} s (--segment-deadline, ASCVAULT_SEGMENT_DEADLINE)",
        limit.as_secs_f64()
    )]
    Deadline {
        /// The segment id.
        segment: String,
        /// The deadline.
        limit: Duration,
    },
    /// The file name built from what the server sent would not be a plain
    /// file name inside the destination folder.
    #[error("segment {segment}: its file name would not stay inside the destination folder")]
    UnsafeName {
        /// The segment id.
        segment: String,
    },
    /// The HTTP client could not be set up.
    #[error("cannot set up the downloader: {0}")]
    Setup(String),
}

impl DownloadError {
    /// True for failures of the network (exit code 7 at the CLI).
    pub fn is_network(&self) -> bool {
        matches!(
            self,
            DownloadError::Network { .. } | DownloadError::Deadline { .. }
        )
    }
}
