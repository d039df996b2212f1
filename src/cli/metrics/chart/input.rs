//! The table `metrics chart` reads: tab-separated (sales and finance
//! reports, most analytics segments) or comma-separated (some analytics
//! segments, such as Apple's "App Crashes Expanded", where empty cells come
//! quoted as `""`). The delimiter is told from the header line: a tab makes
//! it TSV, else a comma makes it CSV.

use std::io::{self, BufRead, BufReader, Read};

use crate::asc::sales::Tsv;

/// The most a chart's input may hold: a chart of more is not readable
/// anyway, and the whole table is kept in memory.
const MAX_INPUT_BYTES: u64 = 1 << 30;

/// Reads a TSV or CSV table (see the module doc): the cap and the
/// byte-order mark are handled here, the delimiter and CSV quoting by
/// [`Tsv::parse`], the same reader that converts comma-separated segments.
pub(super) fn read(input: impl Read) -> io::Result<Tsv> {
    let mut reader = BufReader::new(input.take(MAX_INPUT_BYTES));
    let mut first = String::new();
    reader.read_line(&mut first)?;
    // A byte-order mark would stick to the first column's name.
    if let Some(rest) = first.strip_prefix('\u{feff}') {
        first = rest.to_owned();
    }
    Tsv::parse(io::Cursor::new(first).chain(reader))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_are_unquoted_and_empty_quotes_are_empty() {
        let t = read(
            "Date,App Name,Crashes\r\n\"2026-01-01\",\"Pocket, Notes\",\"5\"\n2026-01-02,\"say \"\"hi\"\"\",\"\"\n"
                .as_bytes(),
        )
        .unwrap();
        assert_eq!(t.header, ["Date", "App Name", "Crashes"]);
        assert_eq!(t.rows[0], ["2026-01-01", "Pocket, Notes", "5"]);
        assert_eq!(t.rows[1], ["2026-01-02", "say \"hi\"", ""]);
    }

    #[test]
    fn a_tab_in_the_header_means_tsv() {
        let t = read("\u{feff}Date\tCounts, total\n2026-01-01\t5\n".as_bytes()).unwrap();
        assert_eq!(t.header, ["Date", "Counts, total"]);
        assert_eq!(t.rows, [["2026-01-01", "5"]]);
    }
}
