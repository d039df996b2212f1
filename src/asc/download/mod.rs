//! Streaming download of analytics report segments from their pre-signed
//! URLs: several at a time on plain threads, each decompressed as its bytes
//! arrive (a gzip decoder over the response reader) and written straight to
//! a temporary file beside its final name. The compressed bytes are counted
//! and hashed (MD5) on the way through; only when the size, the checksum and
//! the gzip stream are all whole is the file renamed to its final name. So a
//! failure never leaves a partial file under the final name, and a second
//! run skips every segment whose final name holds a regular file (resume).
//!
//! Segments streamed or merged into one TSV keep one header row
//! ([`HeaderFilter`], [`merge`]).
//!
//! Pre-signed URLs carry their own authorization in the query: they get no
//! `Authorization` header (the JWT must not leak to the storage host), no
//! `Referer`, and are checked (scheme, host, redirects, proxy) by `guard`.
//!
//! Everything about a segment comes from the server, so each is bounded:
//! a whole-transfer deadline per attempt ([`DEFAULT_SEGMENT_DEADLINE`]; the
//! per-read timeout alone lets a slow drip run for ever), a cap on the
//! decompressed bytes ([`DEFAULT_MAX_SEGMENT_BYTES`], and
//! [`DEFAULT_MAX_RUN_BYTES`] for a run; a gzip bomb fails instead of
//! filling the disk), and final paths that stay inside the
//! folder they were meant for ([`dest_in`]).

use std::collections::VecDeque;
use std::io::{self, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use flate2::bufread::MultiGzDecoder;
use md5::{Digest, Md5};

mod csv;
mod error;
mod guard;
mod job;
mod place;
mod tap;
mod tsv;

pub use csv::ToTsv;
pub use error::DownloadError;
pub use guard::{MAX_REDIRECTS, check_url};
pub use job::{Event, Job, Summary};
pub use place::{dest_in, is_complete};
use tap::{CountingWriter, DeadlinePassed, Tap, TooLarge, is};
pub use tsv::{HeaderFilter, merge};

use crate::asc::analytics::SegmentInfo;
use crate::asc::backoff::Backoff;
use crate::asc::client::chain;
use crate::atomic::{AtomicError, AtomicFile, Replace};

/// Read buffer: large reads keep the per-read overhead of the blocking
/// client small next to the cost of decompressing.
const READ_BUF: usize = 256 * 1024;
/// Write buffer of the decompressed output.
const WRITE_BUF: usize = 256 * 1024;

/// How long one attempt at one segment may take, start to end: far above
/// what a real segment needs (a 1 GiB segment at 1 MB/s takes 18 minutes).
pub const DEFAULT_SEGMENT_DEADLINE: Duration = Duration::from_secs(3600);

/// Decompressed bytes one segment may produce: far above real segments
/// (Apple splits large reports into segments of a few MiB), low enough
/// that a gzip bomb fails before it fills a disk.
pub const DEFAULT_MAX_SEGMENT_BYTES: u64 = 1 << 30;

/// Decompressed bytes one run (one [`Downloader`]) may produce in all: a
/// server listing thousands of segments at the per-segment cap still
/// cannot fill a disk. Far above a real report (a few GiB at most).
pub const DEFAULT_MAX_RUN_BYTES: u64 = 64 << 30;

/// Fetches segments from pre-signed URLs.
#[derive(Debug)]
pub struct Downloader {
    http: guard::Clients,
    retries: u32,
    backoff: Backoff,
    deadline: Duration,
    max_bytes: u64,
    max_run_bytes: u64,
    /// Decompressed bytes of the segments completed so far.
    run_bytes: std::sync::atomic::AtomicU64,
}

/// Failure of one attempt, before it is turned into a [`DownloadError`].
enum Attempt {
    /// Worth another try (connection refused, reset, cut short).
    Transient(String),
    /// Not worth another try.
    Fatal(DownloadError),
}

impl Downloader {
    /// A downloader: `timeout` bounds the connect and each read (a stalled
    /// transfer fails; a long healthy one does not); `retries` after the
    /// first attempt on connection failures, waiting as `backoff` says.
    /// The deadline of each attempt and the caps are the defaults
    /// ([`DEFAULT_SEGMENT_DEADLINE`], [`DEFAULT_MAX_SEGMENT_BYTES`],
    /// [`DEFAULT_MAX_RUN_BYTES`]) until changed by the methods below.
    pub fn new(
        timeout: Duration,
        retries: u32,
        backoff: Backoff,
    ) -> Result<Downloader, DownloadError> {
        Ok(Downloader {
            http: guard::Clients::new(timeout)?,
            retries,
            backoff,
            deadline: DEFAULT_SEGMENT_DEADLINE,
            max_bytes: DEFAULT_MAX_SEGMENT_BYTES,
            max_run_bytes: DEFAULT_MAX_RUN_BYTES,
            run_bytes: Default::default(),
        })
    }

    /// How long one attempt at one segment may take, start to end.
    pub fn deadline(mut self, deadline: Duration) -> Downloader {
        self.deadline = deadline;
        self
    }

    /// Decompressed bytes one segment may produce.
    pub fn max_bytes(mut self, max: u64) -> Downloader {
        self.max_bytes = max;
        self
    }

    /// Decompressed bytes all the segments of this downloader may produce.
    pub fn max_run_bytes(mut self, max: u64) -> Downloader {
        self.max_run_bytes = max;
        self
    }

    /// Streams one segment, decompressed, into `out`, verifying size,
    /// checksum and gzip integrity; returns the decompressed byte count.
    /// Connection failures are retried only while nothing was written to
    /// `out` (a rewindable sink is the caller's business: see
    /// [`Downloader::fetch_to_file`]).
    pub fn fetch_into(
        &self,
        segment: &SegmentInfo,
        out: &mut dyn Write,
        observe: &(dyn Fn(Event) + Sync),
    ) -> Result<u64, DownloadError> {
        match self.attempt(segment, out, observe) {
            Ok(n) => Ok(n),
            Err(Attempt::Fatal(e)) => Err(e),
            Err(Attempt::Transient(message)) => Err(DownloadError::Network {
                segment: segment.id.clone(),
                attempts: 1,
                message,
            }),
        }
    }

    fn attempt(
        &self,
        segment: &SegmentInfo,
        out: &mut dyn Write,
        observe: &(dyn Fn(Event) + Sync),
    ) -> Result<u64, Attempt> {
        let id = &segment.id;
        let deadline = Instant::now() + self.deadline;
        let url = check_url(&segment.url).map_err(|message| {
            Attempt::Fatal(DownloadError::BadUrl {
                segment: id.clone(),
                message,
            })
        })?;
        // No bearer_auth here, on purpose: see the module comment. No
        // request timeout either: in reqwest it would bound the whole body
        // (and every read) by one value; the client's `timeout` bounds the
        // head and each read, the Tap the whole transfer.
        let response = self
            .http
            .for_url(&url)
            .get(url)
            .header(reqwest::header::ACCEPT, "*/*")
            .send()
            .map_err(|e| match guard::refusal(&e) {
                Some(message) => Attempt::Fatal(DownloadError::BadUrl {
                    segment: id.clone(),
                    message,
                }),
                // The URL holds the signature: keep it out of messages.
                None => Attempt::Transient(chain(&e.without_url())),
            })?;
        let status = response.status();
        if !status.is_success() {
            let s = status.as_u16();
            if matches!(s, 500 | 502 | 503 | 504) {
                return Err(Attempt::Transient(format!("HTTP {s}")));
            }
            return Err(Attempt::Fatal(DownloadError::Status {
                segment: id.clone(),
                status: s,
            }));
        }
        let mut tap = Tap {
            inner: response,
            md5: Md5::new(),
            count: 0,
            observe,
            deadline,
        };
        let written;
        let comma_separated;
        {
            let reader = BufReader::with_capacity(READ_BUF, &mut tap);
            let mut decoder = MultiGzDecoder::new(reader);
            // Every segment leaves as TSV (csv.rs); the caps count what
            // Apple sent, before conversion (which never adds bytes).
            let mut to_tsv = ToTsv::new(out);
            let mut counter = CountingWriter {
                inner: &mut to_tsv,
                n: 0,
                failed: false,
                limit: self.max_bytes,
                run: (&self.run_bytes, self.max_run_bytes),
            };
            let copied = io::copy(&mut decoder, &mut counter);
            written = counter.n;
            if let Err(e) = copied {
                let too_large = e.get_ref().and_then(|i| i.downcast_ref::<TooLarge>());
                if let Some(which) = too_large.copied() {
                    return Err(Attempt::Fatal(match which {
                        TooLarge::Segment => DownloadError::TooLarge {
                            segment: id.clone(),
                            limit: self.max_bytes,
                        },
                        TooLarge::Run => DownloadError::RunTooLarge {
                            segment: id.clone(),
                            limit: self.max_run_bytes,
                        },
                    }));
                }
                if is(&e, |i| i.is::<DeadlinePassed>()) {
                    return Err(Attempt::Fatal(DownloadError::Deadline {
                        segment: id.clone(),
                        limit: self.deadline,
                    }));
                }
                if counter.failed {
                    // Our side (a full disk, a closed stdout), not the transfer.
                    return Err(Attempt::Fatal(DownloadError::Io {
                        path: PathBuf::from("(output)"),
                        source: e,
                    }));
                }
                return Err(classify(id, e));
            }
            if let Err(e) = to_tsv.finish() {
                return Err(Attempt::Fatal(DownloadError::Io {
                    path: PathBuf::from("(output)"),
                    source: e,
                }));
            }
            comma_separated = to_tsv.was_comma_separated();
            // Whatever follows the gzip members still counts for the checksum.
            let mut rest = decoder.into_inner();
            if let Err(e) = io::copy(&mut rest, &mut io::sink()) {
                if is(&e, |i| i.is::<DeadlinePassed>()) {
                    return Err(Attempt::Fatal(DownloadError::Deadline {
                        segment: id.clone(),
                        limit: self.deadline,
                    }));
                }
                return Err(Attempt::Transient(e.to_string()));
            }
        }
        if tap.count != segment.size_in_bytes {
            return Err(Attempt::Fatal(DownloadError::Size {
                segment: id.clone(),
                expected: segment.size_in_bytes,
                found: tap.count,
            }));
        }
        let found = hex::encode(tap.md5.finalize());
        if !found.eq_ignore_ascii_case(&segment.checksum) {
            return Err(Attempt::Fatal(DownloadError::Checksum {
                segment: id.clone(),
                expected: segment.checksum.clone(),
                found,
            }));
        }
        // Verified: from now on it counts against the run's cap.
        self.run_bytes.fetch_add(written, Ordering::Relaxed);
        if comma_separated {
            observe(Event::CommaSeparated {
                segment: id.clone(),
            });
        }
        Ok(written)
    }

    /// Downloads a segment to `dest` through a temporary file in the same
    /// folder, renamed only once verified. Skips it when `dest` is a
    /// regular file ([`is_complete`]).
    pub fn fetch_to_file(
        &self,
        job: &Job,
        observe: &(dyn Fn(Event) + Sync),
    ) -> Result<(bool, u64), DownloadError> {
        let id = &job.segment.id;
        if is_complete(&job.dest) {
            observe(Event::Done {
                segment: id.clone(),
                skipped: true,
            });
            return Ok((true, 0));
        }
        let dir = job.dest.parent().unwrap_or(Path::new("."));
        let io_err = |source| DownloadError::Io {
            path: dir.to_owned(),
            source,
        };
        let mut attempts = 0u32;
        loop {
            attempts += 1;
            // Dropped (and so deleted) on every way out but the commit.
            let mut tmp = AtomicFile::new(&job.dest).map_err(atomic_error)?;
            let tap_bytes = std::sync::atomic::AtomicU64::new(0);
            let counting = |e: Event| {
                if let Event::Bytes(n) = e {
                    tap_bytes.fetch_add(n, Ordering::Relaxed);
                }
                observe(e);
            };
            let fetched = {
                let mut writer = BufWriter::with_capacity(WRITE_BUF, tmp.file());
                self.attempt(&job.segment, &mut writer, &counting)
                    .and_then(|written| {
                        writer
                            .flush()
                            .map_err(|e| Attempt::Fatal(io_err(e)))
                            .map(|()| written)
                    })
            };
            match fetched {
                Ok(written) => {
                    tmp.commit(Replace::Yes).map_err(atomic_error)?;
                    observe(Event::Done {
                        segment: id.clone(),
                        skipped: false,
                    });
                    return Ok((false, written));
                }
                Err(Attempt::Fatal(e)) => return Err(e),
                Err(Attempt::Transient(message)) => {
                    observe(Event::Rewind(tap_bytes.load(Ordering::Relaxed)));
                    if attempts > self.retries {
                        return Err(DownloadError::Network {
                            segment: id.clone(),
                            attempts,
                            message,
                        });
                    }
                    observe(Event::Retry {
                        segment: id.clone(),
                        why: message,
                    });
                    std::thread::sleep(self.backoff.delay(attempts));
                }
            }
        }
    }

    /// Downloads every job, `jobs` at a time. On the first failure no new
    /// segment is started; the ones in flight finish (or fail) and the
    /// first error is returned.
    pub fn fetch_all(
        &self,
        jobs: Vec<Job>,
        parallel: usize,
        observe: &(dyn Fn(Event) + Sync),
    ) -> Result<Summary, DownloadError> {
        let queue = Mutex::new(jobs.into_iter().collect::<VecDeque<_>>());
        let failed = AtomicBool::new(false);
        let first_error: Mutex<Option<DownloadError>> = Mutex::new(None);
        let summary = Mutex::new(Summary::default());
        let compressed = std::sync::atomic::AtomicU64::new(0);
        let counting = |e: Event| {
            match &e {
                Event::Bytes(n) => {
                    compressed.fetch_add(*n, Ordering::Relaxed);
                }
                Event::Rewind(n) => {
                    compressed.fetch_sub(*n, Ordering::Relaxed);
                }
                _ => {}
            }
            observe(e);
        };
        std::thread::scope(|scope| {
            for _ in 0..parallel.max(1) {
                scope.spawn(|| {
                    loop {
                        if failed.load(Ordering::Relaxed) {
                            return;
                        }
                        let job = match queue.lock() {
                            Ok(mut q) => q.pop_front(),
                            Err(_) => None,
                        };
                        let Some(job) = job else { return };
                        match self.fetch_to_file(&job, &counting) {
                            Ok((skipped, written)) => {
                                if let Ok(mut s) = summary.lock() {
                                    if skipped {
                                        s.skipped += 1;
                                    } else {
                                        s.fetched += 1;
                                        s.bytes_written += written;
                                    }
                                }
                            }
                            Err(e) => {
                                failed.store(true, Ordering::Relaxed);
                                if let Ok(mut slot) = first_error.lock() {
                                    slot.get_or_insert(e);
                                }
                                return;
                            }
                        }
                    }
                });
            }
        });
        if let Some(e) = first_error.into_inner().ok().flatten() {
            return Err(e);
        }
        let mut s = summary.into_inner().unwrap_or_default();
        s.compressed_bytes = compressed.load(Ordering::Relaxed);
        Ok(s)
    }
}

/// A failed step of writing a segment's file, as the other local failures.
fn atomic_error(e: AtomicError) -> DownloadError {
    DownloadError::Io {
        path: e.path,
        source: e.source,
    }
}

/// Sorts a failed copy into a broken connection (worth retrying), a local
/// write failure, or a bad gzip stream.
fn classify(segment: &str, e: io::Error) -> Attempt {
    // Errors of the HTTP body arrive wrapped in io::Error with a reqwest
    // error inside; the decoder reports bad data and early ends itself.
    let from_http = e
        .get_ref()
        .is_some_and(|inner| inner.downcast_ref::<reqwest::Error>().is_some());
    if from_http {
        return Attempt::Transient(chain(&e));
    }
    match e.kind() {
        io::ErrorKind::UnexpectedEof | io::ErrorKind::InvalidInput | io::ErrorKind::InvalidData => {
            Attempt::Fatal(DownloadError::Gzip {
                segment: segment.to_owned(),
                message: e.to_string(),
            })
        }
        io::ErrorKind::ConnectionReset
        | io::ErrorKind::ConnectionAborted
        | io::ErrorKind::BrokenPipe
        | io::ErrorKind::TimedOut => Attempt::Transient(chain(&e)),
        _ => Attempt::Fatal(DownloadError::Io {
            path: PathBuf::from(format!("(segment {segment})")),
            source: e,
        }),
    }
}
