//! Segments as tab-separated text, whatever Apple wrote: most analytics
//! reports are TSV, but some are comma-separated (Apple's "App Crashes
//! Expanded") and empty cells may come quoted as `""`. [`ToTsv`] sits
//! between the gzip decoder and the file: it reads the header row to tell
//! the delimiter (a tab in it: TSV; else a comma: CSV), then writes TSV —
//! CSV cells unquoted (RFC 4180: `""` inside quotes is one `"`) and joined
//! by tabs, a tab or line break inside a cell turned into a space; in TSV,
//! a cell wholly in quotes (`""`, `"x"`) unquoted, anything else as it
//! came. So every segment file is TSV, its `.tsv` name is honest, and
//! merging or streaming several keeps working. Memory stays bounded: only
//! the header row (at most 1 MiB) and one quoted TSV cell (at most 64 KiB,
//! longer ones are passed on as they are) are ever held.

use std::io::{self, Write};

/// The longest header row (as for merging).
const MAX_HEADER: usize = 1 << 20;
/// The longest quoted TSV cell held to see whether its quotes close it.
const MAX_QUOTED_CELL: usize = 64 << 10;

/// Where the reader is inside the text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// At the start of a cell.
    CellStart,
    /// Inside a cell that did not start with a quote.
    Plain,
    /// Inside a quoted cell (CSV), or holding one (TSV).
    Quoted,
    /// After a quote inside a quoted cell: the cell's end, or `""`.
    QuoteInQuoted,
}

/// A writer that turns a comma- or tab-separated segment into TSV on its
/// way to `inner`. Call [`ToTsv::finish`] after the last byte.
pub struct ToTsv<'a> {
    inner: &'a mut dyn Write,
    /// The header row while the delimiter is not known yet.
    head: Vec<u8>,
    /// `b'\t'` or `b','` once known.
    delimiter: Option<u8>,
    state: State,
    /// The quoted TSV cell being held (with its opening quote).
    cell: Vec<u8>,
    out: Vec<u8>,
}

impl<'a> ToTsv<'a> {
    /// A converter writing TSV into `inner`.
    pub fn new(inner: &'a mut dyn Write) -> Self {
        ToTsv {
            inner,
            head: Vec::new(),
            delimiter: None,
            state: State::CellStart,
            cell: Vec::new(),
            out: Vec::new(),
        }
    }

    /// True when the input was comma-separated (and so was converted).
    pub fn was_comma_separated(&self) -> bool {
        self.delimiter == Some(b',')
    }

    /// Writes what is still held (a header row without a line break, an
    /// unclosed TSV cell) and flushes.
    pub fn finish(&mut self) -> io::Result<()> {
        if self.delimiter.is_none() {
            self.decide();
            let head = std::mem::take(&mut self.head);
            self.convert(&head)?;
        }
        if self.state == State::Quoted && self.delimiter == Some(b'\t') {
            self.out.append(&mut self.cell);
            self.state = State::Plain;
        }
        self.inner.write_all(&self.out)?;
        self.out.clear();
        self.inner.flush()
    }

    /// The delimiter from the header row: a tab anywhere makes it TSV;
    /// else a comma outside quotes makes it CSV; else TSV (one column).
    fn decide(&mut self) {
        let mut quoted = false;
        let mut comma = false;
        for &b in &self.head {
            match b {
                b'\t' => {
                    self.delimiter = Some(b'\t');
                    return;
                }
                b'"' => quoted = !quoted,
                b',' if !quoted => comma = true,
                _ => {}
            }
        }
        self.delimiter = Some(if comma { b',' } else { b'\t' });
    }

    fn convert(&mut self, bytes: &[u8]) -> io::Result<()> {
        let tsv = self.delimiter != Some(b',');
        // Fast path: TSV without quotes passes through untouched.
        if tsv && self.state != State::Quoted && !bytes.contains(&b'"') {
            if let Some(&last) = bytes.last() {
                self.inner.write_all(bytes)?;
                self.state = if matches!(last, b'\t' | b'\n') {
                    State::CellStart
                } else {
                    State::Plain
                };
            }
            return Ok(());
        }
        for &b in bytes {
            if tsv {
                self.tsv_byte(b);
            } else {
                self.csv_byte(b);
            }
            if self.out.len() >= 64 << 10 {
                self.inner.write_all(&self.out)?;
                self.out.clear();
            }
        }
        self.inner.write_all(&self.out)?;
        self.out.clear();
        Ok(())
    }

    fn tsv_byte(&mut self, b: u8) {
        match (self.state, b) {
            (State::Quoted, b'\t' | b'\n') => {
                self.end_quoted_cell();
                self.out.push(b);
                self.state = State::CellStart;
            }
            (State::Quoted, _) => {
                self.cell.push(b);
                if self.cell.len() > MAX_QUOTED_CELL {
                    self.out.append(&mut self.cell);
                    self.state = State::Plain;
                }
            }
            (State::CellStart, b'"') => {
                self.cell.push(b);
                self.state = State::Quoted;
            }
            (_, b'\t' | b'\n') => {
                self.out.push(b);
                self.state = State::CellStart;
            }
            _ => {
                self.out.push(b);
                self.state = State::Plain;
            }
        }
    }

    /// A held TSV cell: unquoted when quotes close it (`"…"`, a CR after
    /// them allowed), else as it came.
    fn end_quoted_cell(&mut self) {
        let cell = std::mem::take(&mut self.cell);
        let (body, cr) = match cell.strip_suffix(b"\r") {
            Some(body) => (body, true),
            None => (&cell[..], false),
        };
        if body.len() >= 2 && body.ends_with(b"\"") {
            let inner = &body[1..body.len() - 1];
            let mut i = 0;
            while i < inner.len() {
                self.out.push(inner[i]);
                i += if inner[i] == b'"' && inner.get(i + 1) == Some(&b'"') {
                    2
                } else {
                    1
                };
            }
            if cr {
                self.out.push(b'\r');
            }
        } else {
            self.out.extend_from_slice(&cell);
        }
    }

    fn csv_byte(&mut self, b: u8) {
        let cell_break = |s: &mut Self, b: u8| {
            s.out.push(if b == b',' { b'\t' } else { b });
            s.state = State::CellStart;
        };
        match (self.state, b) {
            (State::CellStart, b'"') => self.state = State::Quoted,
            (State::CellStart | State::Plain, b',' | b'\n') => cell_break(self, b),
            (State::CellStart | State::Plain, b'\t') => {
                self.out.push(b' ');
                self.state = State::Plain;
            }
            (State::CellStart | State::Plain, _) => {
                self.out.push(b);
                self.state = State::Plain;
            }
            (State::Quoted, b'"') => self.state = State::QuoteInQuoted,
            (State::Quoted, b'\t' | b'\n' | b'\r') => self.out.push(b' '),
            (State::Quoted, _) => self.out.push(b),
            (State::QuoteInQuoted, b'"') => {
                self.out.push(b'"');
                self.state = State::Quoted;
            }
            (State::QuoteInQuoted, b',' | b'\n') => cell_break(self, b),
            // Text after the closing quote (not CSV): kept, leniently.
            (State::QuoteInQuoted, _) => {
                self.out.push(b);
                self.state = State::Plain;
            }
        }
    }
}

impl Write for ToTsv<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.delimiter.is_some() {
            self.convert(buf)?;
            return Ok(buf.len());
        }
        let (head, rest) = match buf.iter().position(|b| *b == b'\n') {
            Some(i) => (&buf[..=i], Some(&buf[i + 1..])),
            None => (buf, None),
        };
        if self.head.len() + head.len() > MAX_HEADER {
            return Err(io::Error::other("header row longer than 1 MiB"));
        }
        self.head.extend_from_slice(head);
        if let Some(rest) = rest {
            self.decide();
            let head = std::mem::take(&mut self.head);
            self.convert(&head)?;
            self.convert(rest)?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The input written in pieces of `step` bytes: the output and whether
    /// it was CSV.
    fn tsv(input: &str, step: usize) -> (String, bool) {
        let mut out = Vec::new();
        let csv = {
            let mut t = ToTsv::new(&mut out);
            for piece in input.as_bytes().chunks(step.max(1)) {
                t.write_all(piece).unwrap();
            }
            t.finish().unwrap();
            t.was_comma_separated()
        };
        (String::from_utf8(out).unwrap(), csv)
    }

    #[test]
    fn comma_separated_text_becomes_tab_separated() {
        let input = "\"Date\",\"App Name\",\"Crashes\",\"Note\"\r\n2024-01-23,\"Pocket, Notes\",\"\",\"say \"\"hi\"\"\"\n2024-01-24,\"two\nlines\",3,\"a\ttab\"\n";
        for step in [1, 2, 7, 1000] {
            let (out, csv) = tsv(input, step);
            assert!(csv);
            assert_eq!(
                out,
                "Date\tApp Name\tCrashes\tNote\r\n2024-01-23\tPocket, Notes\t\tsay \"hi\"\n2024-01-24\ttwo lines\t3\ta tab\n",
                "step {step}"
            );
        }
    }

    #[test]
    fn tab_separated_text_keeps_its_bytes_but_loses_quotes_around_cells() {
        let plain = "Date\tName\tCount\r\n2024-01-23\tPocket \"Notes\"\t5\n";
        for step in [1, 3, 1000] {
            assert_eq!(tsv(plain, step), (plain.to_owned(), false), "step {step}");
        }
        let quoted = "Date\tName\tCount\n2024-01-23\t\"\"\t\"5\"\n\"x\"\"y\"\t\"open\t2\n";
        for step in [1, 4, 1000] {
            assert_eq!(
                tsv(quoted, step).0,
                "Date\tName\tCount\n2024-01-23\t\t5\nx\"y\t\"open\t2\n",
                "step {step}"
            );
        }
        // One column, no line break at all.
        assert_eq!(tsv("Date", 1), ("Date".to_owned(), false));
        assert_eq!(tsv("", 1), (String::new(), false));
    }

    #[test]
    fn a_header_row_longer_than_a_mebibyte_is_refused() {
        let mut out = Vec::new();
        let mut t = ToTsv::new(&mut out);
        assert!(t.write_all(&vec![b'a'; MAX_HEADER + 1]).is_err());
    }
}
