//! Sales and finance reports (`GET /v1/salesReports`, `GET /v1/financeReports`):
//! Apple answers with a gzip-compressed tab-separated file
//! (`application/a-gzip`). This module builds the queries, decompresses the
//! answer as a stream into any writer, or row by row ([`for_each_row`]), and totals
//! units and proceeds per app and territory ([`Summary`]).
//!
//! A small answer can decompress to gigabytes (a gzip bomb), so nothing
//! here holds the decompressed report: the decompressed bytes are capped
//! ([`MAX_REPORT_BYTES`], or the caller's limit), and so is each line
//! ([`MAX_LINE_BYTES`]), which bounds the memory a row can take.

use std::collections::BTreeMap;
use std::io::{self, BufRead, Write};

use serde::Serialize;
use thiserror::Error;

use super::client::Client;
use super::error::AscError;

/// The most bytes a report may decompress to: 1 GiB (Apple's largest
/// reports are tens of megabytes decompressed). Callers may choose another
/// limit (the CLI reads `ASCVAULT_MAX_REPORT_BYTES`).
pub const MAX_REPORT_BYTES: u64 = 1 << 30;

/// The longest line of a report: 1 MiB (a real row is a few hundred bytes).
pub const MAX_LINE_BYTES: usize = 1 << 20;

mod products;
mod rows;
mod versions;

pub use products::{DOWNLOAD_TYPES, ProductRow, ProductSummary, is_download};
pub use rows::{Ending, for_each_row, gunzip};
pub use versions::{NotAllowed, default_version};

/// The media type of both reports.
pub const GZIP: &str = "application/a-gzip";

/// Why a report could not be had.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum ReportError {
    /// App Store Connect failed or refused.
    #[error(transparent)]
    Asc(#[from] AscError),
    /// The answer is not a whole gzip stream.
    #[error("the report is not a complete gzip stream: {0}")]
    Gzip(String),
    /// The report decompresses to more than the limit: a gzip bomb, or a
    /// report far larger than any Apple sends.
    #[error("the report is larger than {limit} decompressed, the most ascvault reads")]
    TooLarge {
        /// The limit, as people read it (`1 GiB`).
        limit: String,
    },
    /// The decompressed report is not tab-separated text (a line not
    /// UTF-8, or longer than [`MAX_LINE_BYTES`]).
    #[error("the report is not tab-separated text: {0}")]
    Malformed(String),
    /// Writing the report failed.
    #[error("cannot write the report: {0}")]
    Write(#[source] io::Error),
    /// The TSV lacks a column a summary needs.
    #[error("the report has no {0:?} column")]
    MissingColumn(String),
}

/// `GET /v1/salesReports` parameters.
#[derive(Clone, Debug)]
pub struct SalesQuery {
    /// `SALES`, `SUBSCRIPTION`, …
    pub report_type: String,
    /// `SUMMARY`, `DETAILED`, …
    pub sub_type: String,
    /// `DAILY`, `WEEKLY`, `MONTHLY` or `YEARLY`.
    pub frequency: String,
    /// `YYYY-MM-DD`, `YYYY-MM` or `YYYY` as the frequency needs.
    pub date: String,
    /// The vendor number.
    pub vendor: String,
    /// The report format version (`1_0` for SALES).
    pub version: Option<String>,
}

impl SalesQuery {
    /// The path and query.
    pub fn path(&self) -> String {
        let mut p = format!(
            "/v1/salesReports?filter[frequency]={}&filter[reportDate]={}&filter[reportSubType]={}&filter[reportType]={}&filter[vendorNumber]={}",
            enc(&self.frequency),
            enc(&self.date),
            enc(&self.sub_type),
            enc(&self.report_type),
            enc(&self.vendor)
        );
        if let Some(v) = &self.version {
            p.push_str(&format!("&filter[version]={}", enc(v)));
        }
        p
    }
}

/// `GET /v1/financeReports` parameters.
#[derive(Clone, Debug)]
pub struct FinanceQuery {
    /// The region code (`US`, `EU`, `ZZ` for all, …).
    pub region: String,
    /// `YYYY-MM` (Apple's fiscal month).
    pub date: String,
    /// The vendor number.
    pub vendor: String,
    /// `FINANCIAL` or `FINANCE_DETAIL`.
    pub report_type: String,
}

impl FinanceQuery {
    /// The path and query.
    pub fn path(&self) -> String {
        format!(
            "/v1/financeReports?filter[regionCode]={}&filter[reportDate]={}&filter[reportType]={}&filter[vendorNumber]={}",
            enc(&self.region),
            enc(&self.date),
            enc(&self.report_type),
            enc(&self.vendor)
        )
    }
}

/// Whether Apple's answer is its 404 for a report with nothing in it
/// ("There were no sales for the date specified."): not an error but an
/// empty report.
pub fn is_no_sales(err: &ReportError) -> bool {
    match err {
        ReportError::Asc(AscError::Refused {
            status: 404,
            detail: Some(detail),
            ..
        }) => detail.to_ascii_lowercase().contains("no sales"),
        _ => false,
    }
}

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// Fetches a report (compressed, at most the client's answer limit) and
/// writes it decompressed to `out`, at most `max_bytes` of it; returns the
/// decompressed size.
pub fn fetch(
    client: &Client,
    path: &str,
    max_bytes: u64,
    out: &mut dyn Write,
) -> Result<u64, ReportError> {
    let gz = client.get_raw(path, GZIP)?;
    gunzip(&gz[..], max_bytes, out)
}

/// Fetches a report and hands its header, then each row, to `row` as the
/// decompressed text streams by (at most `max_bytes` of it); stops at the
/// first blank line or totals line (finance reports end with `Total_Rows`,
/// `Total_Amount`, `Total_Units` straight after the rows), which come back
/// in the [`Ending`].
pub fn fetch_rows(
    client: &Client,
    path: &str,
    max_bytes: u64,
    row: impl FnMut(&[String], Vec<String>) -> Result<(), ReportError>,
) -> Result<Ending, ReportError> {
    let gz = client.get_raw(path, GZIP)?;
    for_each_row(&gz[..], max_bytes, row)
}

fn split(line: &str) -> Vec<String> {
    line.split('\t').map(str::to_owned).collect()
}

/// A parsed TSV: the header row and the data rows. Finance reports end
/// with totals lines (`Total_Rows`…, with or without a blank line before
/// them); parsing stops at the first blank or totals line.
/// Holds the whole report: for files the user chose (`metrics chart`);
/// reports from the server go through [`for_each_row`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tsv {
    /// Column names.
    pub header: Vec<String>,
    /// Rows, each as long as the header (padded or cut).
    pub rows: Vec<Vec<String>>,
}

impl Tsv {
    /// Parses tab- or comma-separated text (a downloaded segment, a sales
    /// report, a CSV export): the header row tells the delimiter, and CSV
    /// quoting (`""` for an empty cell) is undone, as for segments
    /// ([`ToTsv`](crate::asc::download::ToTsv)).
    pub fn parse(mut input: impl BufRead) -> io::Result<Tsv> {
        let mut raw = Vec::new();
        input.read_to_end(&mut raw)?;
        let mut text = Vec::with_capacity(raw.len());
        {
            let mut to_tsv = crate::asc::download::ToTsv::new(&mut text);
            to_tsv.write_all(&raw)?;
            to_tsv.finish()?;
        }
        let mut lines = text.lines();
        let header: Vec<String> = match lines.next() {
            Some(l) => split(l?.trim_end_matches('\r')),
            None => return Ok(Tsv::default()),
        };
        let mut rows = Vec::new();
        for line in lines {
            let line = line?;
            let line = line.trim_end_matches('\r');
            if line.trim().is_empty() {
                break;
            }
            let mut cells = split(line);
            if rows::is_totals_line(&cells, header.len()) {
                break;
            }
            cells.resize(header.len(), String::new());
            rows.push(cells);
        }
        Ok(Tsv { header, rows })
    }

    /// The index of a column, ignoring case.
    pub fn column(&self, name: &str) -> Option<usize> {
        column(&self.header, name)
    }

    /// The rows as JSON objects keyed by column name.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::Value::Array(
            self.rows
                .iter()
                .map(|row| row_json(&self.header, row))
                .collect(),
        )
    }
}

/// The index of a column, ignoring case.
fn column(header: &[String], name: &str) -> Option<usize> {
    header
        .iter()
        .position(|h| h.trim().eq_ignore_ascii_case(name.trim()))
}

/// One row as a JSON object keyed by column name.
pub fn row_json(header: &[String], row: &[String]) -> serde_json::Value {
    let mut obj = serde_json::Map::new();
    for (h, v) in header.iter().zip(row) {
        obj.insert(h.clone(), serde_json::Value::String(v.clone()));
    }
    serde_json::Value::Object(obj)
}

/// Units and proceeds of one app in one territory (`--json` names are a contract).
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct SummaryRow {
    /// The app's Apple identifier.
    pub apple_identifier: String,
    /// The title.
    pub title: String,
    /// The territory (`Country Code`).
    pub territory: String,
    /// Units.
    pub units: f64,
    /// Proceeds: units × `Developer Proceeds`, in `currency`.
    pub proceeds: f64,
    /// `Currency of Proceeds`.
    pub currency: String,
}

/// Totals units and proceeds per app, territory and proceeds currency of
/// a sales summary report. Proceeds are `Units × Developer Proceeds` (Apple
/// gives proceeds per unit); refunds carry negative units.
pub fn summarize(tsv: &Tsv) -> Result<Vec<SummaryRow>, ReportError> {
    let mut summary = Summary::new(&tsv.header)?;
    for row in &tsv.rows {
        summary.add(row);
    }
    Ok(summary.finish())
}

/// [`summarize`] one row at a time: memory grows with the number of
/// distinct (app, territory, currency), not with the report.
#[derive(Debug)]
pub struct Summary {
    columns: [usize; 6],
    totals: BTreeMap<(String, String, String), SummaryRow>,
}

impl Summary {
    /// A summary of rows under this header (which must have the columns).
    pub fn new(header: &[String]) -> Result<Summary, ReportError> {
        let col = |name: &str| {
            column(header, name).ok_or_else(|| ReportError::MissingColumn(name.to_owned()))
        };
        Ok(Summary {
            columns: [
                col("Apple Identifier")?,
                col("Title")?,
                col("Country Code")?,
                col("Units")?,
                col("Developer Proceeds")?,
                col("Currency of Proceeds")?,
            ],
            totals: BTreeMap::new(),
        })
    }

    /// Adds a row (as long as the header).
    pub fn add(&mut self, row: &[String]) {
        let [app, title, territory, units, proceeds, currency] = self.columns;
        let u: f64 = row[units].trim().parse().unwrap_or(0.0);
        let p: f64 = row[proceeds].trim().parse().unwrap_or(0.0);
        let key = (
            row[app].clone(),
            row[territory].clone(),
            row[currency].clone(),
        );
        let entry = self.totals.entry(key).or_insert_with(|| SummaryRow {
            apple_identifier: row[app].clone(),
            title: row[title].clone(),
            territory: row[territory].clone(),
            units: 0.0,
            proceeds: 0.0,
            currency: row[currency].clone(),
        });
        entry.units += u;
        entry.proceeds += u * p;
    }

    /// The totals, proceeds rounded to cents.
    pub fn finish(self) -> Vec<SummaryRow> {
        let mut rows: Vec<SummaryRow> = self.totals.into_values().collect();
        for r in &mut rows {
            r.proceeds = (r.proceeds * 100.0).round() / 100.0;
        }
        rows
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_multiplies_units_by_proceeds_per_unit() {
        let text = "Title\tUnits\tDeveloper Proceeds\tCountry Code\tCurrency of Proceeds\tApple Identifier\n\
                    A\t3\t0.70\tUS\tUSD\t1\n\
                    A\t-1\t0.70\tUS\tUSD\t1\n\
                    A\t2\t0.60\tGB\tGBP\t1\n\
                    \n\
                    Total\t4\n";
        let tsv = Tsv::parse(text.as_bytes()).unwrap();
        assert_eq!(tsv.rows.len(), 3);
        let s = summarize(&tsv).unwrap();
        assert_eq!(s.len(), 2);
        let us = s.iter().find(|r| r.territory == "US").unwrap();
        assert_eq!(us.units, 2.0);
        assert_eq!(us.proceeds, 1.4);
        let gb = s.iter().find(|r| r.territory == "GB").unwrap();
        assert_eq!(gb.proceeds, 1.2);
    }

    #[test]
    fn comma_separated_text_parses_like_tab_separated() {
        let csv = "\"Date\",\"Crashes\",\"Note\"\r\n\"01/02/2026\",\"3\",\"\"\r\n\"01/03/2026\",\"\",\"a, b\"\r\n";
        let tsv = Tsv::parse(csv.as_bytes()).unwrap();
        assert_eq!(tsv.header, ["Date", "Crashes", "Note"]);
        assert_eq!(
            tsv.rows,
            [vec!["01/02/2026", "3", ""], vec!["01/03/2026", "", "a, b"]]
        );
    }

    #[test]
    fn queries_use_apple_filter_names() {
        let q = SalesQuery {
            report_type: "SALES".into(),
            sub_type: "SUMMARY".into(),
            frequency: "DAILY".into(),
            date: "2026-11-20".into(),
            vendor: "85012345".into(),
            version: Some("1_0".into()),
        };
        assert_eq!(
            q.path(),
            "/v1/salesReports?filter[frequency]=DAILY&filter[reportDate]=2026-11-20&filter[reportSubType]=SUMMARY&filter[reportType]=SALES&filter[vendorNumber]=85012345&filter[version]=1_0"
        );
    }
}
