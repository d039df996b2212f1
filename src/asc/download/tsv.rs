//! The TSV side of segments: one header row for many segments, whether
//! streamed ([`HeaderFilter`]) or merged from files ([`merge`]).

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::PathBuf;

use super::{DownloadError, READ_BUF};

/// The longest header row accepted (merged or streamed): far above any
/// real one, and all that is ever held in memory of a segment.
const MAX_HEADER: u64 = 1 << 20;

/// Writes the TSV `files` one after another into `out`, keeping only the
/// first file's header row; every other file must start with the same row.
/// Returns the data rows written. Rows are copied in blocks, never held
/// whole: a segment that is one endless line costs no memory.
pub fn merge(files: &[PathBuf], out: &mut dyn Write) -> Result<u64, DownloadError> {
    let mut header: Option<Vec<u8>> = None;
    let mut rows = 0u64;
    for path in files {
        let io_err = |source| DownloadError::Io {
            path: path.clone(),
            source,
        };
        let mut reader = BufReader::with_capacity(READ_BUF, File::open(path).map_err(io_err)?);
        let mut first = Vec::new();
        (&mut reader)
            .take(MAX_HEADER + 1)
            .read_until(b'\n', &mut first)
            .map_err(io_err)?;
        if first.is_empty() {
            continue;
        }
        if first.len() as u64 > MAX_HEADER {
            return Err(io_err(io::Error::other("header row longer than 1 MiB")));
        }
        if !first.ends_with(b"\n") {
            first.push(b'\n');
        }
        match &header {
            None => {
                out.write_all(&first).map_err(io_err)?;
                header = Some(first);
            }
            Some(h) if trim_eol(h) == trim_eol(&first) => {}
            Some(_) => {
                return Err(DownloadError::HeaderMismatch {
                    segment: path.display().to_string(),
                });
            }
        }
        // Every row ends with a newline in the output, the last one too.
        let mut last = b'\n';
        loop {
            let block = reader.fill_buf().map_err(io_err)?;
            if block.is_empty() {
                break;
            }
            rows += block.iter().filter(|b| **b == b'\n').count() as u64;
            last = block[block.len() - 1];
            out.write_all(block).map_err(io_err)?;
            let n = block.len();
            reader.consume(n);
        }
        if last != b'\n' {
            out.write_all(b"\n").map_err(io_err)?;
            rows += 1;
        }
    }
    out.flush().map_err(|source| DownloadError::Io {
        path: PathBuf::from("(output)"),
        source,
    })?;
    Ok(rows)
}

/// A writer that passes through everything but the first line, which it
/// compares with (or records as) the shared header row: used to stream
/// several segments to one output with a single header.
pub struct HeaderFilter<'a> {
    inner: &'a mut dyn Write,
    header: &'a mut Option<Vec<u8>>,
    line: Vec<u8>,
    in_header: bool,
    mismatch: bool,
}

impl<'a> HeaderFilter<'a> {
    /// Filters one segment's bytes into `inner`; `header` carries the
    /// header row from segment to segment.
    pub fn new(inner: &'a mut dyn Write, header: &'a mut Option<Vec<u8>>) -> Self {
        HeaderFilter {
            inner,
            header,
            line: Vec::new(),
            in_header: true,
            mismatch: false,
        }
    }

    /// True when this segment's header differed from the first one's.
    pub fn mismatched(&self) -> bool {
        self.mismatch
    }
}

impl Write for HeaderFilter<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if !self.in_header {
            return self.inner.write(buf);
        }
        let (head, rest) = match buf.iter().position(|b| *b == b'\n') {
            Some(i) => (&buf[..=i], Some(&buf[i + 1..])),
            None => (buf, None),
        };
        if (self.line.len() + head.len()) as u64 > MAX_HEADER {
            return Err(io::Error::other("header row longer than 1 MiB"));
        }
        self.line.extend_from_slice(head);
        if let Some(rest) = rest {
            self.in_header = false;
            match self.header.as_ref() {
                None => {
                    self.inner.write_all(&self.line)?;
                    *self.header = Some(std::mem::take(&mut self.line));
                }
                Some(h) => {
                    if trim_eol(h) != trim_eol(&self.line) {
                        self.mismatch = true;
                        return Err(io::Error::other("header row differs"));
                    }
                }
            }
            self.inner.write_all(rest)?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

fn trim_eol(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_filter_keeps_one_header() {
        let mut out = Vec::new();
        let mut header = None;
        {
            let mut f = HeaderFilter::new(&mut out, &mut header);
            f.write_all(b"a\tb\n1\t2\n").unwrap();
        }
        {
            let mut f = HeaderFilter::new(&mut out, &mut header);
            // The header arrives split across writes.
            f.write_all(b"a\t").unwrap();
            f.write_all(b"b\n3\t4\n").unwrap();
        }
        assert_eq!(out, b"a\tb\n1\t2\n3\t4\n");
        let mut f = HeaderFilter::new(&mut out, &mut header);
        assert!(f.write_all(b"x\ty\n5\t6\n").is_err());
        assert!(f.mismatched());
    }

    #[test]
    fn merge_keeps_one_header_and_refuses_a_different_one() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.tsv");
        let b = dir.path().join("b.tsv");
        let c = dir.path().join("c.tsv");
        std::fs::write(&a, "h1\th2\n1\t2\n").unwrap();
        std::fs::write(&b, "h1\th2\r\n3\t4").unwrap();
        std::fs::write(&c, "x\ty\n5\t6\n").unwrap();
        let mut out = Vec::new();
        assert_eq!(merge(&[a.clone(), b.clone()], &mut out).unwrap(), 2);
        assert_eq!(out, b"h1\th2\n1\t2\n3\t4\n");
        let err = merge(&[a, c], &mut Vec::new()).unwrap_err();
        assert!(matches!(err, DownloadError::HeaderMismatch { .. }), "{err}");
    }

    #[test]
    fn merge_refuses_a_header_row_longer_than_a_mebibyte() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.tsv");
        std::fs::write(&a, vec![b'h'; 2 << 20]).unwrap();
        let err = merge(&[a], &mut Vec::new()).unwrap_err();
        assert!(err.to_string().contains("longer than 1 MiB"), "{err}");
    }
}
