//! The table `metrics chart` reads: tab-separated (sales and finance
//! reports, most analytics segments) or comma-separated (some analytics
//! segments, such as Apple's "App Crashes Expanded", where empty cells come
//! quoted as `""`). The delimiter is told from the header line: a tab makes
//! it TSV, else a comma makes it CSV.
//!
//! Or the same table from the archive (`--archive --analytics REPORT`):
//! the archived segments of one report and granularity, concatenated
//! ([`segments`]).

use std::collections::HashSet;
use std::io::{self, BufRead, BufReader, Read};

use crate::archive::chart::ArchivedSegment;
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

/// One table from archived segments (one report, one granularity, in
/// order of processing date): the first segment's header, and every
/// segment's rows under it, matched by column name when a segment's header
/// differs (a column it lacks is empty). A row that an earlier instance
/// already held, cell for cell, is left out: instances overlap (Apple
/// re-sends days), and a day counted twice would double. Rows repeated
/// within one instance stay. Returns the table and how many rows were left
/// out.
pub(super) fn segments(segments: &[ArchivedSegment]) -> io::Result<(Tsv, usize)> {
    let mut table = Tsv::default();
    let mut bytes = 0u64;
    let mut earlier: HashSet<Vec<String>> = HashSet::new();
    let mut this_instance: Vec<Vec<String>> = Vec::new();
    let mut instance: Option<&str> = None;
    let mut repeated = 0;
    for s in segments {
        let size = s.header.len() + s.rows.iter().map(|r| r.len() + 1).sum::<usize>();
        bytes += size as u64;
        if bytes > MAX_INPUT_BYTES {
            return Err(io::Error::other(format!(
                "the archived segments hold more than {} MiB",
                MAX_INPUT_BYTES >> 20
            )));
        }
        if instance != Some(s.instance_id.as_str()) {
            earlier.extend(this_instance.drain(..));
            instance = Some(&s.instance_id);
        }
        let mut text = String::with_capacity(size);
        text.push_str(&s.header);
        for row in &s.rows {
            text.push('\n');
            text.push_str(row);
        }
        let part = read(text.as_bytes())?;
        if table.header.is_empty() {
            table.header = part.header.clone();
        }
        // Where each of the table's columns is in this segment.
        let from: Vec<Option<usize>> = table.header.iter().map(|h| part.column(h)).collect();
        for row in part.rows {
            let row: Vec<String> = if part.header == table.header {
                row
            } else {
                from.iter()
                    .map(|i| i.map(|i| row[i].clone()).unwrap_or_default())
                    .collect()
            };
            if earlier.contains(&row) {
                repeated += 1;
                continue;
            }
            this_instance.push(row.clone());
            table.rows.push(row);
        }
    }
    Ok((table, repeated))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segment(instance: &str, header: &str, rows: &[&str]) -> ArchivedSegment {
        ArchivedSegment {
            id: format!("{instance}-{}", rows.len()),
            instance_id: instance.into(),
            granularity: "DAILY".into(),
            processing_date: "2026-11-20".into(),
            header: header.into(),
            rows: rows.iter().map(|r| (*r).to_owned()).collect(),
        }
    }

    #[test]
    fn segments_concatenate_and_rows_another_instance_repeats_count_once() {
        let (t, repeated) = segments(&[
            segment("i1", "Date\tCounts", &["2026-11-19\t5", "2026-11-20\t7"]),
            // The same instance may hold a row twice: both stay.
            segment("i1", "Date\tCounts", &["2026-11-20\t7"]),
            // The next instance repeats a day: left out.
            segment("i2", "Date\tCounts", &["2026-11-20\t7", "2026-11-21\t9"]),
        ])
        .unwrap();
        assert_eq!(t.header, ["Date", "Counts"]);
        assert_eq!(
            t.rows,
            [
                ["2026-11-19", "5"],
                ["2026-11-20", "7"],
                ["2026-11-20", "7"],
                ["2026-11-21", "9"]
            ]
        );
        assert_eq!(repeated, 1);
    }

    #[test]
    fn a_segment_with_other_columns_is_matched_by_name() {
        let (t, _) = segments(&[
            segment("i1", "Date\tCounts", &["2026-11-19\t5"]),
            segment(
                "i2",
                "\"Counts\",\"Extra\",\"Date\"",
                &["\"6\",\"x\",\"2026-11-20\""],
            ),
            segment("i3", "Date", &["2026-11-21"]),
        ])
        .unwrap();
        assert_eq!(
            t.rows,
            [["2026-11-19", "5"], ["2026-11-20", "6"], ["2026-11-21", ""]]
        );
    }

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
