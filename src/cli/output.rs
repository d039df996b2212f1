//! Data to stdout, talk to stderr. Tables are aligned plain text; `--json` is
//! a contract (field names documented in the README). A closed stdout (e.g.
//! `| head`) is not an error.
//!
//! Everything here may carry text from a server or a reviewer, and may end
//! up in a terminal or a spreadsheet: table cells and headers are sanitized,
//! `--json` escapes C1 controls and invisible characters (the same JSON,
//! but inert when it is printed), and CSV cells cannot start a formula.

use std::fmt::Write as _;
use std::io::{self, Write};

use super::error::{CliError, CliResult};
use super::sanitize::{is_invisible, is_unsafe};
pub use super::sanitize::{sanitize, truncate};

/// Writes everything to stdout; a broken pipe counts as success.
pub fn print(text: &str) -> CliResult {
    let mut out = io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(CliError::new(format!(
            "cannot write to standard output: {e}"
        ))),
    }
}

/// Prints a JSON value, pretty, with a trailing newline (see [`json_text`]).
pub fn print_json(value: &serde_json::Value) -> CliResult {
    let mut text = json_text(value)?;
    text.push('\n');
    print(&text)
}

/// A JSON value as pretty text that is safe in a terminal: serde_json
/// escapes C0 controls but writes C1 (e.g. the one-byte CSI `U+009B`), DEL,
/// bidi overrides and zero-width characters as they are; these come out as
/// `\uXXXX` instead. A reader of the JSON gets the same strings back.
pub fn json_text(value: &serde_json::Value) -> CliResult<String> {
    let text = serde_json::to_string_pretty(value)?;
    Ok(escape_json_text(text))
}

/// Prints `value` as pretty JSON with a trailing newline, streamed to stdout
/// through one buffer: the same bytes as [`print_json`] of the value (the
/// escapes of [`json_text`] included), without building a `Value` or the
/// whole text first. For long lists (`reviews list --json` of an archive).
/// Not for secrets: nothing here is wiped.
pub fn print_json_of<T: serde::Serialize + ?Sized>(value: &T) -> CliResult {
    let mut out = io::BufWriter::with_capacity(1 << 16, io::stdout().lock());
    match write_json(&mut out, value).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(CliError::new(format!(
            "cannot write to standard output: {e}"
        ))),
    }
}

/// [`print_json_of`] into any writer.
fn write_json<W: Write, T: serde::Serialize + ?Sized>(out: &mut W, value: &T) -> io::Result<()> {
    let mut ser = serde_json::Serializer::with_formatter(
        &mut *out,
        SafeFormatter(serde_json::ser::PrettyFormatter::new()),
    );
    value.serialize(&mut ser).map_err(io::Error::from)?;
    out.write_all(b"\n")
}

/// serde_json's pretty layout, with [`needs_json_escape`] characters inside
/// strings written as `\uXXXX` as they go (what [`escape_json_text`] does
/// to the finished text).
struct SafeFormatter<'a>(serde_json::ser::PrettyFormatter<'a>);

impl serde_json::ser::Formatter for SafeFormatter<'_> {
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        // The common case: plain ASCII (DEL is the one ASCII to escape).
        if fragment.is_ascii() && !fragment.as_bytes().contains(&0x7f) {
            return writer.write_all(fragment.as_bytes());
        }
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            if needs_json_escape(c) {
                writer.write_all(&fragment.as_bytes()[start..i])?;
                write!(writer, "\\u{:04x}", c as u32)?;
                start = i + c.len_utf8();
            }
        }
        writer.write_all(&fragment.as_bytes()[start..])
    }

    fn begin_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.begin_array(writer)
    }

    fn end_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.end_array(writer)
    }

    fn begin_array_value<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.0.begin_array_value(writer, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.end_array_value(writer)
    }

    fn begin_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.begin_object(writer)
    }

    fn end_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.end_object(writer)
    }

    fn begin_object_key<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.0.begin_object_key(writer, first)
    }

    fn end_object_key<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.end_object_key(writer)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.begin_object_value(writer)
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.end_object_value(writer)
    }
}

/// True for what `--json` writes as `\uXXXX` on top of serde_json's escapes
/// (which cover C0: any C0 left in its output is layout, e.g. `\n`).
fn needs_json_escape(c: char) -> bool {
    matches!(c, '\u{7f}'..='\u{9f}') || is_invisible(c)
}

/// Escapes [`needs_json_escape`] characters in serialized JSON. They can
/// only occur inside string literals (the rest of JSON is ASCII punctuation,
/// digits and words), where `\uXXXX` means the same character; all of them
/// are in the Basic Multilingual Plane, so one escape each. The text may
/// hold a secret (`show --reveal --json`): the copy is made at its final
/// size and the original is wiped.
pub fn escape_json_text(mut text: String) -> String {
    let extra: usize = text
        .chars()
        .filter(|&c| needs_json_escape(c))
        .map(|c| 6 - c.len_utf8())
        .sum();
    if extra == 0 {
        return text;
    }
    let mut out = String::with_capacity(text.len() + extra);
    for c in text.chars() {
        if needs_json_escape(c) {
            // Infallible: writing to a String.
            let _ = write!(out, "\\u{:04x}", c as u32);
        } else {
            out.push(c);
        }
    }
    zeroize::Zeroize::zeroize(&mut text);
    out
}

/// A CSV cell from text someone else wrote (a reviewer, a server): sanitized,
/// and with OWASP's rule against formula injection applied — a cell that
/// starts with `=`, `+`, `-`, `@`, a tab or a carriage return (after any
/// leading spaces, which spreadsheets may skip) gets a leading `'`, so
/// Excel, LibreOffice and Sheets show it as text instead of running it.
/// Numbers ascvault computes itself (e.g. a rating) do not go through here.
pub fn csv_cell(text: &str) -> String {
    let clean = sanitize(text);
    let starts_formula = clean
        .trim_start_matches(' ')
        .starts_with(['=', '+', '-', '@', '\t', '\r']);
    if starts_formula {
        format!("'{clean}")
    } else {
        clean
    }
}

/// A message for the user on stderr.
pub fn say(text: &str) {
    let _ = writeln!(io::stderr(), "{text}");
}

/// An aligned plain-text table.
#[derive(Debug, Default)]
pub struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with these column titles (sanitized: some come from a
    /// server, e.g. the device names heading the perf table).
    pub fn new(header: &[&str]) -> Self {
        Table {
            header: header.iter().map(|h| sanitize(h)).collect(),
            rows: Vec::new(),
        }
    }

    /// Adds a row (cells are sanitized).
    pub fn row(&mut self, mut cells: Vec<String>) {
        for cell in &mut cells {
            // Most cells are clean: keep them rather than copy them.
            if cell.chars().any(is_unsafe) {
                *cell = sanitize(cell);
            }
        }
        self.rows.push(cells);
    }

    /// True when no rows were added.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Renders with two spaces between columns; the last column is not padded.
    pub fn render(&self) -> String {
        let columns = self.header.len();
        let mut widths: Vec<usize> = self.header.iter().map(|h| h.chars().count()).collect();
        for row in &self.rows {
            for (i, cell) in row.iter().enumerate().take(columns) {
                widths[i] = widths[i].max(cell.chars().count());
            }
        }
        let line_bytes: usize = widths.iter().map(|w| w + 2).sum();
        let mut out = String::with_capacity((self.rows.len() + 1) * line_bytes);
        for row in std::iter::once(&self.header).chain(&self.rows) {
            let start = out.len();
            for (i, cell) in row.iter().enumerate().take(columns) {
                out.push_str(cell);
                if i + 1 < columns {
                    let pad = widths[i] - cell.chars().count() + 2;
                    out.extend(std::iter::repeat_n(' ', pad));
                }
            }
            // No trailing blanks (an empty last cell, a cell ending in spaces).
            let end = start + out[start..].trim_end().len();
            out.truncate(end);
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_align_and_sanitize() {
        let mut t = Table::new(&["A", "LONGER"]);
        t.row(vec!["xyz\u{1b}[2J".into(), "1".into()]);
        t.row(vec!["é".into(), "".into()]);
        assert_eq!(t.render(), "A        LONGER\nxyz [2J  1\né\n");
    }

    #[test]
    fn headers_are_sanitized_too() {
        // The perf table's header holds device names from the server.
        let mut t = Table::new(&["DEVICE", "iPhone\u{1b}]52;c;cm0=\u{7}\u{202E}x\u{9b}2J"]);
        t.row(vec!["a".into(), "1".into()]);
        let out = t.render();
        assert!(!out.chars().any(|c| c != '\n' && is_unsafe(c)), "{out:?}");
        assert_eq!(out, "DEVICE  iPhone ]52;c;cm0= x 2J\na       1\n");
    }

    #[test]
    fn json_escapes_c1_and_invisible_characters_and_means_the_same() {
        let hostile = "a\u{9b}2J\u{1b}]52;c;eA==\u{7}\u{202E}\u{200B}\u{FEFF}\u{7f}b é😀";
        let v = serde_json::json!({ "name": hostile });
        let text = json_text(&v).unwrap();
        assert!(
            !text.chars().any(|c| c.is_control() && c != '\n'),
            "{text:?}"
        );
        assert!(!text.chars().any(is_invisible), "{text:?}");
        assert!(text.contains(r"\u009b"), "{text}");
        assert!(text.contains(r"\u202e"), "{text}");
        assert!(text.contains(r"\u001b"), "{text}");
        assert!(text.contains("é😀"), "ordinary text stays: {text}");
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, v, "the same JSON");
    }

    #[test]
    fn streamed_json_is_the_same_bytes_as_json_text() {
        let hostile = "a\u{9b}2J\u{1b}]52;c;eA==\u{7}\u{202E}\u{200B}\u{FEFF}\u{7f}b é😀\u{61c}\u{180e}\u{2069}";
        for v in [
            serde_json::json!([]),
            serde_json::json!({}),
            serde_json::json!([{ "name": hostile, "n": 1, "inner": { "x": [null, "\u{85}", {}] } }, { "e": [] }]),
            serde_json::json!("plain ascii \" \\ \n"),
            serde_json::json!({ "del": "\u{7f}", "c1": "\u{80}\u{9f}", "fine": "\u{a0}ü" }),
        ] {
            let mut streamed = Vec::new();
            write_json(&mut streamed, &v).unwrap();
            let mut expected = json_text(&v).unwrap();
            expected.push('\n');
            assert_eq!(String::from_utf8(streamed).unwrap(), expected);
        }
    }

    #[test]
    fn clean_json_is_what_serde_json_writes() {
        let v = serde_json::json!({ "a": [1, "x\ny", null], "b": "ünïcödé" });
        assert_eq!(
            json_text(&v).unwrap(),
            serde_json::to_string_pretty(&v).unwrap()
        );
    }

    #[test]
    fn csv_cells_cannot_start_a_formula() {
        for bad in [
            "=HYPERLINK(\"http://x\")",
            "+1+1",
            "-2+3",
            "@SUM(A1)",
            "\t=1",
            "  =1+1",
        ] {
            let cell = csv_cell(bad);
            assert!(cell.starts_with('\''), "{bad:?} → {cell:?}");
        }
        // A carriage return is a control: it becomes a space, then the rule holds.
        assert_eq!(csv_cell("\r=cmd|' /C calc'!A0"), "' =cmd|' /C calc'!A0");
        for fine in [
            "Great app",
            "2026-11-01T12:00:00Z",
            "5",
            "",
            "a=b",
            "e-mail",
        ] {
            assert_eq!(csv_cell(fine), fine);
        }
    }

    #[test]
    fn truncate_marks_the_cut() {
        assert_eq!(truncate("hello", 10), "hello");
        assert_eq!(truncate("hello world", 6), "hello…");
    }
}
