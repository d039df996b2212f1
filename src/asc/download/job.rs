//! What the downloader is given (a [`Job`]: a segment and its file), what
//! it reports while it works ([`Event`]) and what a run did ([`Summary`]).

use std::path::PathBuf;

use crate::asc::analytics::SegmentInfo;

/// A segment and where it goes.
#[derive(Clone, Debug)]
pub struct Job {
    /// The segment.
    pub segment: SegmentInfo,
    /// Its final file.
    pub dest: PathBuf,
}

/// What the downloader reports while it works.
#[derive(Clone, Debug)]
pub enum Event {
    /// Compressed bytes received (may be taken back by [`Event::Rewind`]).
    Bytes(u64),
    /// An attempt failed after this many bytes; they will be fetched again.
    Rewind(u64),
    /// A segment is complete and verified (or was already there).
    Done {
        /// The segment id.
        segment: String,
        /// True when a previous run had completed it.
        skipped: bool,
    },
    /// A segment came comma-separated and was written as TSV.
    CommaSeparated {
        /// The segment id.
        segment: String,
    },
    /// A segment is tried again.
    Retry {
        /// The segment id.
        segment: String,
        /// Why.
        why: String,
    },
}

/// What a run did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Segments fetched in this run.
    pub fetched: usize,
    /// Segments already complete from a previous run.
    pub skipped: usize,
    /// Compressed bytes fetched in this run.
    pub compressed_bytes: u64,
    /// Decompressed bytes written in this run.
    pub bytes_written: u64,
}
