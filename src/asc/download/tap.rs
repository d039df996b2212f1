//! The adapters a segment's bytes flow through: [`Tap`] counts and hashes
//! the compressed bytes and enforces the attempt's deadline; the
//! [`CountingWriter`] counts the decompressed bytes and enforces their cap.
//! Each limit fails with its own error type, recognized by [`is`].

use std::io::{self, Read, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use md5::{Digest, Md5};

use super::Event;

/// Counts and hashes the compressed bytes as the decoder pulls them, and
/// ends the transfer once the attempt's deadline has passed.
pub(super) struct Tap<'a, R> {
    pub(super) inner: R,
    pub(super) md5: Md5,
    pub(super) count: u64,
    pub(super) observe: &'a (dyn Fn(Event) + Sync),
    pub(super) deadline: Instant,
}

/// The error a [`Tap`] returns past its deadline (found again with [`is`]).
#[derive(Debug)]
pub(super) struct DeadlinePassed;

impl std::fmt::Display for DeadlinePassed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("segment deadline passed")
    }
}

impl std::error::Error for DeadlinePassed {}

/// The decompressed-size cap a [`CountingWriter`] hit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum TooLarge {
    /// This segment's own cap.
    Segment,
    /// The cap of the whole run.
    Run,
}

impl std::fmt::Display for TooLarge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            TooLarge::Segment => "segment larger than its limit",
            TooLarge::Run => "download larger than its limit",
        })
    }
}

impl std::error::Error for TooLarge {}

impl<R: Read> Read for Tap<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        // Checked before each read: one read is bounded by the per-read
        // timeout, so an attempt ends at most that long after its deadline.
        if Instant::now() >= self.deadline {
            return Err(io::Error::new(io::ErrorKind::TimedOut, DeadlinePassed));
        }
        let n = self.inner.read(buf)?;
        self.md5.update(&buf[..n]);
        self.count += n as u64;
        if n > 0 {
            (self.observe)(Event::Bytes(n as u64));
        }
        Ok(n)
    }
}

/// Counts what is written, and remembers whether writing failed (so a
/// local failure is not mistaken for a broken transfer).
pub(super) struct CountingWriter<'a> {
    pub(super) inner: &'a mut dyn Write,
    pub(super) n: u64,
    pub(super) failed: bool,
    /// Bytes this segment may produce; past them, writing fails with
    /// [`TooLarge::Segment`].
    pub(super) limit: u64,
    /// Bytes the segments completed so far in this run produced, and what
    /// the run may produce in all (past it: [`TooLarge::Run`]). Segments in
    /// flight at the same time do not see each other's bytes: the run may
    /// end up to `jobs - 1` segment caps past its own.
    pub(super) run: (&'a AtomicU64, u64),
}

impl Write for CountingWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let after = self.n.saturating_add(buf.len() as u64);
        if after > self.limit {
            return Err(io::Error::other(TooLarge::Segment));
        }
        let (done, run_limit) = self.run;
        if done.load(Ordering::Relaxed).saturating_add(after) > run_limit {
            return Err(io::Error::other(TooLarge::Run));
        }
        match self.inner.write(buf) {
            Ok(n) => {
                self.n += n as u64;
                Ok(n)
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => Err(e),
            Err(e) => {
                self.failed = true;
                Err(e)
            }
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// True when `e` wraps an error that `test` recognizes.
pub(super) fn is(
    e: &io::Error,
    test: impl Fn(&(dyn std::error::Error + Send + Sync + 'static)) -> bool,
) -> bool {
    e.get_ref().is_some_and(test)
}
