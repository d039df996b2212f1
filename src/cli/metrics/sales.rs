//! `metrics sales` and `metrics finance`: gzip TSV reports, streamed to
//! standard output, written atomically to `--out`, or parsed row by row for
//! `--json` and `--summary`. The decompressed report is never held whole:
//! it is capped at [`MAX_REPORT_BYTES`] (or `ASCVAULT_MAX_REPORT_BYTES`),
//! and `--json` writes each row as it is read.

use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use super::{report_error, write_error};
use crate::asc::AscError;
use crate::asc::sales::{
    self, FinanceQuery, MAX_REPORT_BYTES, NotAllowed, ReportError, SalesQuery, Summary,
};
use crate::atomic::{AtomicFile, Replace};
use crate::cli::args::metrics::{FinanceArgs, Frequency, SalesArgs};
use crate::cli::args::values::{Day, Month};
use crate::cli::asc::AscSession;
use crate::cli::context::Context;
use crate::cli::error::{CliError, CliResult, MAX_REPORT_BYTES_ENV};
use crate::cli::output::{Table, print, print_json, sanitize, say};

/// `metrics sales`: the TSV streamed, written to `--out`, or as JSON rows
/// or a summary. A day without sales (Apple's 404 "There were no sales for
/// the date specified") is an empty report with a note on stderr, exit 0,
/// so a loop over dates goes on.
pub(super) fn sales(ctx: &Context, args: &SalesArgs) -> CliResult {
    let report_type = args.report_type.trim().to_ascii_uppercase();
    let sub_type = args.subtype.trim().to_ascii_uppercase();
    let frequency = args.frequency.api().to_owned();
    let version = sales_version(&report_type, &sub_type, &frequency, &args.version)?;
    check_sales_date(args.frequency, &args.date)?;
    let limit = max_report_bytes()?;
    let session = AscSession::open(ctx, &args.asc)?;
    let vendor = vendor(&session, &args.vendor)?;
    let note = format!(
        "no sales on {} ({report_type} {sub_type} {frequency}): Apple answered \"There were no sales for the date specified\"; the report is empty",
        sanitize(&args.date)
    );
    let query = SalesQuery {
        version,
        report_type,
        sub_type,
        frequency,
        date: args.date.clone(),
        vendor,
    };
    let path = query.path();
    if args.summary {
        let mut summary: Option<Summary> = None;
        let fetched = sales::fetch_rows(&session.client, &path, limit, |header, row| {
            let s = match &mut summary {
                Some(s) => s,
                None => summary.insert(Summary::new(header)?),
            };
            s.add(&row);
            Ok(())
        });
        match fetched {
            Err(e) if sales::is_no_sales(&e) => say(&note),
            other => {
                other.map_err(sales_error)?;
            }
        }
        let rows = summary.map(Summary::finish).unwrap_or_default();
        if args.json {
            return print_json(
                &serde_json::to_value(&rows).map_err(|e| CliError::new(e.to_string()))?,
            );
        }
        let mut t = Table::new(&["APP", "TITLE", "TERRITORY", "UNITS", "PROCEEDS", "CURRENCY"]);
        for r in &rows {
            t.row(vec![
                r.apple_identifier.clone(),
                r.title.clone(),
                r.territory.clone(),
                super::chart::short_number(r.units),
                format!("{:.2}", r.proceeds),
                r.currency.clone(),
            ]);
        }
        return print(&t.render());
    }
    report(&session, &path, limit, args.json, &args.out, Some(&note))
}

/// The `filter[version]` to send: `--report-version`, else the newest
/// version Apple's table lists for the type, sub-type and frequency. A
/// combination the table rules out is a usage error naming what it allows
/// (even with `--report-version`: the version does not change it).
fn sales_version(
    report_type: &str,
    sub_type: &str,
    frequency: &str,
    flag: &Option<String>,
) -> CliResult<Option<String>> {
    let found = sales::default_version(report_type, sub_type, frequency).map_err(|why| {
        let (what, allowed) = match why {
            NotAllowed::SubType(allowed) => (format!("--subtype {sub_type}"), allowed),
            NotAllowed::Frequency(allowed) => (
                format!("--frequency {}", frequency.to_ascii_lowercase()),
                allowed,
            ),
        };
        CliError::usage(format!(
            "{} reports do not come with {}",
            sanitize(report_type),
            sanitize(&what)
        ))
        .hint(format!(
            "Apple offers {} reports with {}",
            sanitize(report_type),
            allowed.join(", ").to_ascii_lowercase()
        ))
    })?;
    Ok(flag
        .as_ref()
        .map(|v| v.trim().to_owned())
        .or_else(|| found.map(str::to_owned)))
}

/// `metrics finance`: a monthly report, streamed, written to `--out`, or
/// as JSON rows.
pub(super) fn finance(ctx: &Context, args: &FinanceArgs) -> CliResult {
    let limit = max_report_bytes()?;
    let session = AscSession::open(ctx, &args.asc)?;
    let query = FinanceQuery {
        region: args.region.trim().to_ascii_uppercase(),
        date: args.date.to_string(),
        vendor: vendor(&session, &args.vendor)?,
        report_type: args.report_type.trim().to_ascii_uppercase(),
    };
    report(&session, &query.path(), limit, args.json, &args.out, None)
}

/// The report as JSON rows, into `out` (printing its path), or as TSV to
/// standard output; at most `limit` bytes decompressed either way. With
/// `no_sales`, Apple's 404 for a day without sales is an empty report (an
/// empty file, `[]`, or nothing) and that note goes to stderr.
fn report(
    session: &AscSession,
    path: &str,
    limit: u64,
    json: bool,
    out: &Option<PathBuf>,
    no_sales: Option<&str>,
) -> CliResult {
    let empty = |e: &ReportError| no_sales.filter(|_| sales::is_no_sales(e));
    if let Some(file) = out {
        write_atomically(file, |w| {
            match sales::fetch(&session.client, path, limit, w) {
                Err(e) if empty(&e).is_some() => {
                    say(empty(&e).unwrap_or_default());
                    Ok(())
                }
                other => other.map(|_| ()).map_err(sales_error),
            }
        })?;
        return print(&format!("{}\n", file.display()));
    }
    let stdout = io::stdout();
    let mut lock = BufWriter::new(stdout.lock());
    let done = if json {
        let mut rows = JsonRows::new(&mut lock);
        let fetched = sales::fetch_rows(&session.client, path, limit, |header, row| {
            rows.row(&sales::row_json(header, &row))
                .map_err(ReportError::Write)
        });
        match fetched {
            Err(e) if empty(&e).is_some() => {
                say(empty(&e).unwrap_or_default());
                Ok(())
            }
            Err(e) => Err(e),
            Ok(ending) => check_totals(&ending),
        }
        .and_then(|()| rows.end().map_err(ReportError::Write))
    } else {
        match sales::fetch(&session.client, path, limit, &mut lock) {
            Err(e) if empty(&e).is_some() => {
                say(empty(&e).unwrap_or_default());
                Ok(())
            }
            other => other.map(|_| ()),
        }
    };
    match done.and_then(|()| lock.flush().map_err(ReportError::Write)) {
        // A reader that stopped early (`| head`) is not a failure.
        Err(ReportError::Write(e)) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other.map_err(sales_error),
    }
}

/// [`report_error`], with a hint when Apple's 400 names the version it
/// wants ("The latest version for this report is 1_4"): Apple may move on
/// from the version its documentation lists.
fn sales_error(err: ReportError) -> CliError {
    let wanted = match &err {
        ReportError::Asc(AscError::Refused {
            status: 400,
            detail: Some(detail),
            ..
        }) => latest_version(detail),
        _ => None,
    };
    let cli = report_error(err);
    match wanted {
        Some(v) => cli.hint(format!(
            "Apple names {v} as this report's latest version: pass --report-version {v}"
        )),
        None => cli,
    }
}

/// The version in Apple's "… latest version for this report is 1_4".
fn latest_version(detail: &str) -> Option<String> {
    let lower = detail.to_ascii_lowercase();
    let at = lower.find("latest version for this report is ")? + 34;
    let v: String = detail[at..]
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '_')
        .collect();
    (!v.is_empty()).then_some(v)
}

/// Apple's `Total_Rows` (finance reports) must count the rows read: fewer
/// means the file lost rows (or a row looked like the totals), and the
/// array would be quietly short.
fn check_totals(ending: &sales::Ending) -> Result<(), ReportError> {
    match ending.total("Total_Rows").map(|t| t.parse::<u64>()) {
        None => Ok(()),
        Some(Ok(n)) if n == ending.rows => Ok(()),
        Some(Ok(n)) => Err(ReportError::Malformed(format!(
            "the report says Total_Rows {n} but has {} rows",
            ending.rows
        ))),
        Some(Err(_)) => Err(ReportError::Malformed(format!(
            "Total_Rows is {:?}, not a number",
            sanitize(ending.total("Total_Rows").unwrap_or_default())
        ))),
    }
}

/// The cap on a report's decompressed size: `ASCVAULT_MAX_REPORT_BYTES`
/// (bytes), else [`MAX_REPORT_BYTES`].
fn max_report_bytes() -> CliResult<u64> {
    match std::env::var(MAX_REPORT_BYTES_ENV) {
        Err(_) => Ok(MAX_REPORT_BYTES),
        Ok(v) => v
            .trim()
            .parse::<u64>()
            .ok()
            .filter(|&n| n > 0)
            .ok_or_else(|| {
                CliError::usage(format!(
                    "{MAX_REPORT_BYTES_ENV} is {:?}, not a number of bytes",
                    sanitize(&v)
                ))
                .hint(format!(
                    "unset it for the default ({MAX_REPORT_BYTES}), or give a positive whole number"
                ))
            }),
    }
}

/// A JSON array written one element at a time, laid out as
/// `serde_json::to_string_pretty` lays out the whole array.
struct JsonRows<W: Write> {
    out: W,
    count: u64,
}

impl<W: Write> JsonRows<W> {
    fn new(out: W) -> Self {
        JsonRows { out, count: 0 }
    }

    fn row(&mut self, value: &serde_json::Value) -> io::Result<()> {
        let text = crate::cli::output::escape_json_text(
            serde_json::to_string_pretty(value).map_err(io::Error::other)?,
        );
        self.out
            .write_all(if self.count == 0 { b"[\n" } else { b",\n" })?;
        for (i, line) in text.lines().enumerate() {
            if i > 0 {
                self.out.write_all(b"\n")?;
            }
            self.out.write_all(b"  ")?;
            self.out.write_all(line.as_bytes())?;
        }
        self.count += 1;
        Ok(())
    }

    fn end(mut self) -> io::Result<()> {
        self.out
            .write_all(if self.count == 0 { b"[]\n" } else { b"\n]\n" })
    }
}

/// Writes `path` atomically: a temporary file beside it, renamed over it
/// only when `fill` succeeded.
fn write_atomically(path: &Path, fill: impl FnOnce(&mut dyn Write) -> CliResult<()>) -> CliResult {
    let mut tmp = AtomicFile::new(path).map_err(|e| write_error(path, e))?;
    {
        let mut w = BufWriter::new(tmp.file());
        fill(&mut w)?;
        w.flush()
            .map_err(|e| CliError::new(format!("cannot write {}: {e}", path.display())))?;
    }
    tmp.commit(Replace::Yes).map_err(|e| write_error(path, e))
}

/// `--vendor`, else the entry's vendor number; checked either way.
fn vendor(session: &AscSession, flag: &Option<String>) -> CliResult<String> {
    let v = flag
        .clone()
        .or_else(|| session.vendor_number.clone())
        .ok_or_else(|| {
            CliError::usage("no vendor number").hint(format!(
                "pass --vendor N, or store it with the key: entry {:?} has none (`ascvault add api-key … --vendor-number N`)",
                sanitize(&session.label)
            ))
        })?;
    crate::vault::credential::check_vendor_number(&v)
        .map_err(|e| CliError::usage(e.to_string()))?;
    Ok(v)
}

/// Checks `--date` against `--frequency` (two flags: no value parser can).
fn check_sales_date(freq: Frequency, date: &str) -> CliResult<()> {
    let ok = match freq {
        Frequency::Daily | Frequency::Weekly => date.parse::<Day>().is_ok(),
        Frequency::Monthly => date.parse::<Month>().is_ok(),
        Frequency::Yearly => date.len() == 4 && date.bytes().all(|b| b.is_ascii_digit()),
    };
    if ok {
        Ok(())
    } else {
        Err(CliError::usage(format!(
            "--date {:?} does not fit --frequency {}",
            sanitize(date),
            freq.name()
        ))
        .hint("daily and weekly take YYYY-MM-DD, monthly YYYY-MM, yearly YYYY"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_rows_lay_out_as_a_pretty_array() {
        for values in [
            vec![],
            vec![serde_json::json!({"a": "1", "b": "x\ny"})],
            vec![serde_json::json!({"a": "1"}), serde_json::json!({})],
        ] {
            let mut out = Vec::new();
            let mut rows = JsonRows::new(&mut out);
            for v in &values {
                rows.row(v).unwrap();
            }
            rows.end().unwrap();
            let whole = serde_json::to_string_pretty(&values).unwrap() + "\n";
            assert_eq!(String::from_utf8(out).unwrap(), whole);
        }
    }

    #[test]
    fn apples_latest_version_is_read_from_its_400() {
        assert_eq!(
            latest_version(
                "The version parameter you have specified is invalid. The latest version for this report is 1_4."
            ),
            Some("1_4".to_owned())
        );
        assert_eq!(
            latest_version("There were no sales for the date specified."),
            None
        );
    }

    #[test]
    fn dates_fit_their_frequency() {
        for bad in ["2024-13", "2024-00", "2024-1", "202412", "2024-12-01"] {
            assert!(check_sales_date(Frequency::Monthly, bad).is_err(), "{bad}");
        }
        assert!(check_sales_date(Frequency::Daily, "2024-02-29").is_ok());
        assert!(check_sales_date(Frequency::Weekly, "2024-02-30").is_err());
        assert!(check_sales_date(Frequency::Monthly, "2024-02").is_ok());
        assert!(check_sales_date(Frequency::Yearly, "2024").is_ok());
        let e = check_sales_date(Frequency::Yearly, "24").unwrap_err();
        assert_eq!(e.message, r#"--date "24" does not fit --frequency yearly"#);
    }
}
