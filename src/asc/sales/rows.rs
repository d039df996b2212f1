//! Reading a gzip report as a stream, with caps: [`gunzip`] into a writer,
//! [`for_each_row`] row by row. Nothing here holds the decompressed report:
//! at most `max_bytes` are decompressed and a line is at most
//! [`MAX_LINE_BYTES`], so a gzip bomb costs bounded memory and time.

use std::io::{self, BufRead, BufReader, Read, Write};

use flate2::read::MultiGzDecoder;

use super::{MAX_LINE_BYTES, ReportError, split};
use crate::asc::client::human_bytes;

/// The most totals lines kept after the rows (Apple writes three).
const MAX_TOTALS: usize = 32;

/// What is known once every row went by: the header, how many rows there
/// were, and the totals lines after them (`Total_Rows`, `Total_Amount`,
/// `Total_Units` in finance reports), as (name, value) in file order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Ending {
    /// Column names.
    pub header: Vec<String>,
    /// Data rows handed out.
    pub rows: u64,
    /// The totals lines, at most 32.
    pub totals: Vec<(String, String)>,
}

impl Ending {
    /// The value of a totals line (`Total_Rows`), ignoring case.
    pub fn total(&self, name: &str) -> Option<&str> {
        self.totals
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Whether a line is a totals line: its first cell is `Total_…` and it has
/// fewer cells than the header (a data row never starts that way: sales
/// rows start with the provider, finance rows with a date).
pub(super) fn is_totals_line(cells: &[String], header_len: usize) -> bool {
    cells.len() < header_len.max(3) && cells[0].trim().starts_with("Total_")
}

/// [`fetch_rows`](super::fetch_rows) on a gzip stream at hand.
pub fn for_each_row(
    gz: impl Read,
    max_bytes: u64,
    mut row: impl FnMut(&[String], Vec<String>) -> Result<(), ReportError>,
) -> Result<Ending, ReportError> {
    let mut rows = Rows::new(BufReader::new(Capped::new(gunzipper(gz), max_bytes)))?;
    let mut count = 0u64;
    while let Some(cells) = rows.next_row()? {
        row(&rows.header, cells)?;
        count += 1;
    }
    rows.read_totals()?;
    Ok(Ending {
        header: rows.header,
        rows: count,
        totals: rows.totals,
    })
}

fn gunzipper(input: impl Read) -> MultiGzDecoder<BufReader<impl Read>> {
    MultiGzDecoder::new(BufReader::new(input))
}

/// Decompresses a gzip stream into `out`, streaming, at most `max_bytes`.
pub fn gunzip(input: impl Read, max_bytes: u64, out: &mut dyn Write) -> Result<u64, ReportError> {
    let mut decoder = Capped::new(gunzipper(input), max_bytes);
    let mut buf = vec![0u8; 64 * 1024];
    let mut total = 0u64;
    loop {
        let n = match decoder.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(decoder.error(e)),
        };
        out.write_all(&buf[..n]).map_err(ReportError::Write)?;
        total += n as u64;
    }
    out.flush().map_err(ReportError::Write)?;
    Ok(total)
}

/// A reader that fails once more than `limit` bytes came through it.
struct Capped<R> {
    inner: R,
    limit: u64,
    read: u64,
    exceeded: bool,
}

impl<R: Read> Capped<R> {
    fn new(inner: R, limit: u64) -> Capped<R> {
        Capped {
            inner,
            limit,
            read: 0,
            exceeded: false,
        }
    }

    /// The report error for an io error that came out of this reader.
    fn error(&self, err: io::Error) -> ReportError {
        if self.exceeded {
            ReportError::TooLarge {
                limit: human_bytes(self.limit),
            }
        } else {
            ReportError::Gzip(err.to_string())
        }
    }
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        // One byte past the limit tells "exactly the limit" from "more".
        let room = self.limit.saturating_add(1).saturating_sub(self.read);
        let want = buf.len().min(usize::try_from(room).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..want])?;
        self.read += n as u64;
        if self.read > self.limit {
            self.exceeded = true;
            return Err(io::Error::other("the report is too large"));
        }
        Ok(n)
    }
}

/// The rows of a decompressed report, one at a time: the header first,
/// then each row, up to the first blank or totals line. A row with more or
/// fewer fields than the header is an error: its values would land under
/// the wrong names. No line may be longer than [`MAX_LINE_BYTES`].
struct Rows<R> {
    input: R,
    /// Column names.
    header: Vec<String>,
    line: Vec<u8>,
    number: u64,
    done: bool,
    /// The totals lines met so far.
    totals: Vec<(String, String)>,
}

impl<R: Read> Rows<BufReader<Capped<R>>> {
    fn failure(&self, err: io::Error) -> ReportError {
        self.input.get_ref().error(err)
    }
}

impl<R: Read> Rows<BufReader<Capped<R>>> {
    fn new(input: BufReader<Capped<R>>) -> Result<Self, ReportError> {
        let mut rows = Rows {
            input,
            header: Vec::new(),
            line: Vec::new(),
            number: 0,
            done: false,
            totals: Vec::new(),
        };
        match rows.next_line()? {
            Some(text) => rows.header = split(&text),
            None => rows.done = true,
        }
        Ok(rows)
    }

    /// The next row; `None` at the end or at the first blank or totals
    /// line (Apple's finance reports follow the rows straight away with
    /// `Total_Rows`, `Total_Amount` and `Total_Units`).
    fn next_row(&mut self) -> Result<Option<Vec<String>>, ReportError> {
        if self.done {
            return Ok(None);
        }
        match self.next_line()? {
            Some(text) if !text.trim().is_empty() => {
                let cells = split(&text);
                if is_totals_line(&cells, self.header.len()) {
                    self.total(cells);
                    self.done = true;
                    return Ok(None);
                }
                if cells.len() != self.header.len() {
                    return Err(ReportError::Malformed(format!(
                        "line {} has {} fields but the header has {}: its values would land under the wrong columns",
                        self.number,
                        cells.len(),
                        self.header.len()
                    )));
                }
                Ok(Some(cells))
            }
            _ => {
                self.done = true;
                Ok(None)
            }
        }
    }

    fn total(&mut self, mut cells: Vec<String>) {
        if self.totals.len() < MAX_TOTALS {
            let value = if cells.len() > 1 {
                cells.swap_remove(1)
            } else {
                String::new()
            };
            self.totals.push((
                cells.swap_remove(0).trim().to_owned(),
                value.trim().to_owned(),
            ));
        }
    }

    /// Reads what follows the rows: totals lines are kept and blank lines
    /// passed over, still within the caps. Anything else there (a second
    /// table?) is an error rather than rows silently left out.
    fn read_totals(&mut self) -> Result<(), ReportError> {
        if self.header.is_empty() {
            return Ok(());
        }
        while let Some(text) = self.next_line()? {
            if text.trim().is_empty() {
                continue;
            }
            let cells = split(&text);
            if !is_totals_line(&cells, self.header.len()) {
                return Err(ReportError::Malformed(format!(
                    "line {} follows the end of the rows but is not a totals line: the report has more than one table (read it without --json)",
                    self.number
                )));
            }
            self.total(cells);
        }
        Ok(())
    }

    fn next_line(&mut self) -> Result<Option<String>, ReportError> {
        self.line.clear();
        self.number += 1;
        let limit = MAX_LINE_BYTES as u64 + 1;
        let n = match (&mut self.input)
            .take(limit)
            .read_until(b'\n', &mut self.line)
        {
            Ok(n) => n,
            Err(e) => return Err(self.failure(e)),
        };
        if n == 0 {
            return Ok(None);
        }
        if self.line.last() == Some(&b'\n') {
            self.line.pop();
        } else if self.line.len() > MAX_LINE_BYTES {
            return Err(ReportError::Malformed(format!(
                "line {} is longer than {}",
                self.number,
                human_bytes(MAX_LINE_BYTES as u64)
            )));
        }
        if self.line.last() == Some(&b'\r') {
            self.line.pop();
        }
        String::from_utf8(std::mem::take(&mut self.line))
            .map(Some)
            .map_err(|_| ReportError::Malformed(format!("line {} is not UTF-8", self.number)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::asc::sales::Tsv;

    fn gz(text: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(text).unwrap();
        e.finish().unwrap()
    }

    fn rows_of(text: &[u8], max: u64) -> Result<(Vec<String>, Vec<Vec<String>>), ReportError> {
        let mut rows = Vec::new();
        let ending = for_each_row(&gz(text)[..], max, |_, r| {
            rows.push(r);
            Ok(())
        })?;
        assert_eq!(ending.rows, rows.len() as u64);
        Ok((ending.header, rows))
    }

    #[test]
    fn rows_stream_to_the_first_blank_line() {
        let text = b"A\tB\r\n1\t2\r\n3\t\n\nTotal_Units\t9\n";
        let (header, rows) = rows_of(text, 1 << 20).unwrap();
        assert_eq!(header, ["A", "B"]);
        assert_eq!(rows, [vec!["1", "2"], vec!["3", ""]]);
        assert_eq!(rows_of(b"", 10).unwrap(), (vec![], vec![]));
        // The same rows as the in-memory parse.
        let tsv = Tsv::parse(&text[..]).unwrap();
        assert_eq!((tsv.header, tsv.rows), (header, rows));
    }

    #[test]
    fn rows_stop_at_totals_that_follow_without_a_blank_line() {
        // Apple's finance layout: totals straight after the rows.
        let text = b"Start Date\tQuantity\tTitle\n10/01/2026\t3\tA\n10/01/2026\t-1\tB\nTotal_Rows\t2\nTotal_Amount\t1.40\nTotal_Units\t2\n";
        let mut rows = Vec::new();
        let ending = for_each_row(&gz(text)[..], 1 << 20, |_, r| {
            rows.push(r);
            Ok(())
        })
        .unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(ending.rows, 2);
        assert_eq!(ending.total("total_rows"), Some("2"));
        assert_eq!(ending.total("Total_Amount"), Some("1.40"));
        assert_eq!(ending.totals.len(), 3);
        let tsv = Tsv::parse(&text[..]).unwrap();
        assert_eq!(tsv.rows, rows);
    }

    #[test]
    fn rows_after_the_end_of_the_table_are_an_error_not_dropped() {
        for text in [
            &b"A\tB\n1\t2\n\n3\t4\n"[..],
            b"A\tB\n1\t2\nTotal_Rows\t1\nC\tD\n",
        ] {
            let err = rows_of(text, 1 << 20).unwrap_err();
            assert!(
                err.to_string().contains("follows the end of the rows"),
                "{err}"
            );
        }
    }

    #[test]
    fn a_row_with_another_number_of_fields_than_the_header_is_refused() {
        for text in [&b"A\tB\n1\t2\t3\n"[..], b"A\tB\tC\n1\t2\n"] {
            let err = rows_of(text, 1 << 20).unwrap_err();
            assert!(
                err.to_string().contains("line 2 has")
                    && err.to_string().contains("fields but the header has"),
                "{err}"
            );
        }
    }

    #[test]
    fn the_decompressed_cap_counts_every_byte() {
        let text = b"A\n1\n2\n";
        assert!(rows_of(text, text.len() as u64).is_ok());
        let err = rows_of(text, text.len() as u64 - 1).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the report is larger than 5 bytes decompressed, the most ascvault reads"
        );
        let mut out = Vec::new();
        assert_eq!(gunzip(&gz(text)[..], 6, &mut out).unwrap(), 6);
        assert!(matches!(
            gunzip(&gz(text)[..], 5, &mut Vec::new()),
            Err(ReportError::TooLarge { .. })
        ));
    }

    #[test]
    fn a_line_too_long_or_not_utf8_is_malformed() {
        let mut long = b"A\n".to_vec();
        long.resize(long.len() + MAX_LINE_BYTES + 1, b'x');
        let err = rows_of(&long, u64::MAX).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the report is not tab-separated text: line 2 is longer than 1 MiB"
        );
        // Exactly the limit, with or without its newline, is a line.
        let mut fits = b"A\n".to_vec();
        fits.resize(fits.len() + MAX_LINE_BYTES, b'x');
        assert_eq!(rows_of(&fits, u64::MAX).unwrap().1.len(), 1);
        let err = rows_of(b"A\n\xff\n", 100).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the report is not tab-separated text: line 2 is not UTF-8"
        );
        let truncated = &gz(b"A\n1\n")[..10];
        assert!(matches!(
            for_each_row(truncated, 100, |_, _| Ok(())),
            Err(ReportError::Gzip(_))
        ));
    }
}
