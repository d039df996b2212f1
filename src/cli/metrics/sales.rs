//! `metrics sales` and `metrics finance`: gzip TSV reports, streamed to
//! standard output, written atomically to `--out`, or parsed for `--json`
//! and `--summary`.

use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use super::{report_error, write_error};
use crate::asc::sales::{self, FinanceQuery, ReportError, SalesQuery, Tsv};
use crate::atomic::{AtomicFile, Replace};
use crate::cli::args::metrics::{FinanceArgs, Frequency, SalesArgs};
use crate::cli::args::values::{Day, Month};
use crate::cli::asc::AscSession;
use crate::cli::context::Context;
use crate::cli::error::{CliError, CliResult};
use crate::cli::output::{Table, print, print_json, sanitize};

/// `metrics sales`: the TSV streamed, written to `--out`, or as JSON rows
/// or a summary.
pub(super) fn sales(ctx: &Context, args: &SalesArgs) -> CliResult {
    check_sales_date(args.frequency, &args.date)?;
    let session = AscSession::open(ctx, &args.asc)?;
    let vendor = vendor(&session, &args.vendor)?;
    let report_type = args.report_type.trim().to_ascii_uppercase();
    let query = SalesQuery {
        version: args
            .version
            .clone()
            .or_else(|| (report_type == "SALES").then(|| "1_0".to_owned())),
        report_type,
        sub_type: args.subtype.trim().to_ascii_uppercase(),
        frequency: args.frequency.api().to_owned(),
        date: args.date.clone(),
        vendor,
    };
    if !args.json && !args.summary && args.out.is_none() {
        // Plain TSV to stdout, streamed.
        let stdout = io::stdout();
        let mut lock = stdout.lock();
        return match sales::fetch(&session.client, &query.path(), &mut lock) {
            Err(ReportError::Write(e)) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
            other => other.map(|_| ()).map_err(report_error),
        };
    }
    let Some(tsv) = fetch_tsv(&session, &query.path(), &args.out)? else {
        return Ok(());
    };
    if args.summary {
        let rows = sales::summarize(&tsv).map_err(report_error)?;
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
    print_json(&tsv.to_json())
}

/// `metrics finance`: a monthly report, streamed, written to `--out`, or
/// as JSON rows.
pub(super) fn finance(ctx: &Context, args: &FinanceArgs) -> CliResult {
    let session = AscSession::open(ctx, &args.asc)?;
    let query = FinanceQuery {
        region: args.region.trim().to_ascii_uppercase(),
        date: args.date.to_string(),
        vendor: vendor(&session, &args.vendor)?,
        report_type: args.report_type.trim().to_ascii_uppercase(),
    };
    if !args.json && args.out.is_none() {
        let stdout = io::stdout();
        let mut lock = stdout.lock();
        return match sales::fetch(&session.client, &query.path(), &mut lock) {
            Err(ReportError::Write(e)) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
            other => other.map(|_| ()).map_err(report_error),
        };
    }
    match fetch_tsv(&session, &query.path(), &args.out)? {
        Some(tsv) => print_json(&tsv.to_json()),
        None => Ok(()),
    }
}

/// Fetches a report into `out` (printing its path), or into memory, parsed.
fn fetch_tsv(session: &AscSession, path: &str, out: &Option<PathBuf>) -> CliResult<Option<Tsv>> {
    if let Some(file) = out {
        write_atomically(file, |w| {
            sales::fetch(&session.client, path, w)
                .map(|_| ())
                .map_err(report_error)
        })?;
        print(&format!("{}\n", file.display()))?;
        return Ok(None);
    }
    let mut text = Vec::new();
    sales::fetch(&session.client, path, &mut text).map_err(report_error)?;
    let tsv =
        Tsv::parse(&text[..]).map_err(|e| CliError::new(format!("cannot read the report: {e}")))?;
    Ok(Some(tsv))
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
