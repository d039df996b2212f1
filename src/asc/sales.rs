//! Sales and finance reports (`GET /v1/salesReports`, `GET /v1/financeReports`):
//! Apple answers with a gzip-compressed tab-separated file
//! (`application/a-gzip`). This module builds the queries, decompresses the
//! answer as a stream into any writer, parses the TSV into rows, and totals
//! units and proceeds per app and territory.

use std::collections::BTreeMap;
use std::io::{self, BufRead, Read, Write};

use flate2::read::MultiGzDecoder;
use serde::Serialize;
use thiserror::Error;

use super::client::Client;
use super::error::AscError;

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

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// Fetches a report (compressed; these files are small) and writes it
/// decompressed to `out`; returns the decompressed size.
pub fn fetch(client: &Client, path: &str, out: &mut dyn Write) -> Result<u64, ReportError> {
    let gz = client.get_raw(path, GZIP)?;
    gunzip(&gz[..], out)
}

/// Decompresses a gzip stream into `out`, streaming.
pub fn gunzip(input: impl Read, out: &mut dyn Write) -> Result<u64, ReportError> {
    let mut decoder = MultiGzDecoder::new(io::BufReader::new(input));
    let mut buf = vec![0u8; 64 * 1024];
    let mut total = 0u64;
    loop {
        let n = match decoder.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(ReportError::Gzip(e.to_string())),
        };
        out.write_all(&buf[..n]).map_err(ReportError::Write)?;
        total += n as u64;
    }
    out.flush().map_err(ReportError::Write)?;
    Ok(total)
}

/// A parsed TSV: the header row and the data rows. Finance reports end
/// with a blank line and totals; parsing stops at the first blank line.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tsv {
    /// Column names.
    pub header: Vec<String>,
    /// Rows, each as long as the header (padded or cut).
    pub rows: Vec<Vec<String>>,
}

impl Tsv {
    /// Parses tab-separated text.
    pub fn parse(input: impl BufRead) -> io::Result<Tsv> {
        let mut lines = input.lines();
        let header: Vec<String> = match lines.next() {
            Some(l) => l?
                .trim_end_matches('\r')
                .split('\t')
                .map(str::to_owned)
                .collect(),
            None => return Ok(Tsv::default()),
        };
        let mut rows = Vec::new();
        for line in lines {
            let line = line?;
            let line = line.trim_end_matches('\r');
            if line.trim().is_empty() {
                break;
            }
            let mut cells: Vec<String> = line.split('\t').map(str::to_owned).collect();
            cells.resize(header.len(), String::new());
            rows.push(cells);
        }
        Ok(Tsv { header, rows })
    }

    /// The index of a column, ignoring case.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.header
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name.trim()))
    }

    /// The rows as JSON objects keyed by column name.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::Value::Array(
            self.rows
                .iter()
                .map(|row| {
                    let mut obj = serde_json::Map::new();
                    for (h, v) in self.header.iter().zip(row) {
                        obj.insert(h.clone(), serde_json::Value::String(v.clone()));
                    }
                    serde_json::Value::Object(obj)
                })
                .collect(),
        )
    }
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
    let col = |name: &str| {
        tsv.column(name)
            .ok_or_else(|| ReportError::MissingColumn(name.to_owned()))
    };
    let (app, title, territory, units, proceeds, currency) = (
        col("Apple Identifier")?,
        col("Title")?,
        col("Country Code")?,
        col("Units")?,
        col("Developer Proceeds")?,
        col("Currency of Proceeds")?,
    );
    let mut totals: BTreeMap<(String, String, String), SummaryRow> = BTreeMap::new();
    for row in &tsv.rows {
        let u: f64 = row[units].trim().parse().unwrap_or(0.0);
        let p: f64 = row[proceeds].trim().parse().unwrap_or(0.0);
        let key = (
            row[app].clone(),
            row[territory].clone(),
            row[currency].clone(),
        );
        let entry = totals.entry(key).or_insert_with(|| SummaryRow {
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
    let mut rows: Vec<SummaryRow> = totals.into_values().collect();
    for r in &mut rows {
        r.proceeds = (r.proceeds * 100.0).round() / 100.0;
    }
    Ok(rows)
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
