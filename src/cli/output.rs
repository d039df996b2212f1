//! Data to stdout, talk to stderr. Tables are aligned plain text; `--json` is
//! a contract (field names documented in the README). A closed stdout (e.g.
//! `| head`) is not an error.

use std::io::{self, Write};

use super::error::{CliError, CliResult};
use super::sanitize::is_unsafe;
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

/// Prints a JSON value, pretty, with a trailing newline.
pub fn print_json(value: &serde_json::Value) -> CliResult {
    let mut text = serde_json::to_string_pretty(value)?;
    text.push('\n');
    print(&text)
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
    /// A table with these column titles.
    pub fn new(header: &[&str]) -> Self {
        Table {
            header: header.iter().map(|h| (*h).to_owned()).collect(),
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
    fn truncate_marks_the_cut() {
        assert_eq!(truncate("hello", 10), "hello");
        assert_eq!(truncate("hello world", 6), "hello…");
    }
}
