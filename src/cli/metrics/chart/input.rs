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

/// Reads a TSV or CSV table (see the module doc).
pub(super) fn read(input: impl Read) -> io::Result<Tsv> {
    let mut reader = BufReader::new(input.take(MAX_INPUT_BYTES));
    let mut first = String::new();
    reader.read_line(&mut first)?;
    // A byte-order mark would stick to the first column's name.
    if let Some(rest) = first.strip_prefix('\u{feff}') {
        first = rest.to_owned();
    }
    let head = first.trim_end_matches(['\r', '\n']);
    if head.contains('\t') || !head.contains(',') {
        return Tsv::parse(io::Cursor::new(first.clone()).chain(reader));
    }
    let mut text = first;
    reader.read_to_string(&mut text)?;
    Ok(parse_csv(&text))
}

/// RFC 4180 records: fields separated by commas, a field in double quotes
/// may hold commas, line breaks and `""` (one quote); `""` alone is an
/// empty cell. As for a TSV, reading stops at the first blank line and each
/// row is padded or cut to the header's length.
fn parse_csv(text: &str) -> Tsv {
    let mut records = Vec::new();
    let mut record: Vec<String> = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut field)),
            (false, '\r') if chars.peek() == Some(&'\n') => {}
            (false, '\n') => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            (false, c) => field.push(c),
        }
    }
    if !field.is_empty() || !record.is_empty() {
        record.push(field);
        records.push(record);
    }
    let mut records = records.into_iter();
    let Some(header) = records.next() else {
        return Tsv::default();
    };
    let mut rows = Vec::new();
    for mut row in records {
        if row.len() == 1 && row[0].trim().is_empty() {
            break;
        }
        row.resize(header.len(), String::new());
        rows.push(row);
    }
    Tsv { header, rows }
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
