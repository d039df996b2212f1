//! `metrics diagnostics`: hang, launch and disk-write signatures of a
//! build, heaviest first, with their call-stack summaries on request.

use super::asc_error;
use crate::asc::perf;
use crate::cli::args::metrics::{DiagnosticKind, DiagnosticsArgs};
use crate::cli::asc::AscSession;
use crate::cli::context::Context;
use crate::cli::error::{CliError, CliResult};
use crate::cli::output::{self, Table, print, print_json, sanitize, say};

/// `metrics diagnostics`: signatures as a table (or JSON), with `--logs`
/// each one's call paths.
pub(super) fn diagnostics(ctx: &Context, args: &DiagnosticsArgs) -> CliResult {
    let session = AscSession::open(ctx, &args.asc)?;
    let kind = args.kind.map(DiagnosticKind::api);
    let mut sigs = perf::signatures(&session.client, args.build.trim(), kind).map_err(asc_error)?;
    if args.logs {
        for s in &mut sigs {
            s.logs = Some(perf::logs(&session.client, &s.id).map_err(asc_error)?);
        }
    }
    if args.json {
        return print_json(&serde_json::to_value(&sigs).map_err(|e| CliError::new(e.to_string()))?);
    }
    if sigs.is_empty() {
        say("no diagnostic signatures for this build");
        return Ok(());
    }
    let mut out = String::new();
    let mut t = Table::new(&["WEIGHT", "TYPE", "SIGNATURE", "ID"]);
    for s in &sigs {
        t.row(vec![
            // Apple's weight is a fraction: 0.85 is 85 % of the events.
            format!("{:.1}%", s.weight * 100.0),
            s.diagnostic_type.clone(),
            output::truncate(&s.signature, 70),
            s.id.clone(),
        ]);
    }
    out.push_str(&t.render());
    if args.logs {
        for s in &sigs {
            out.push_str(&format!(
                "\n{}\n",
                sanitize(&format!("{} ({})", s.signature, s.id))
            ));
            for log in s.logs.iter().flatten() {
                out.push_str(&format!(
                    "{}\n",
                    sanitize(&format!("  {} on {}", log.version, log.device))
                ));
                for (depth, f) in log.frames.iter().enumerate() {
                    out.push_str(&format!(
                        "{}\n",
                        sanitize(&format!("    {}{f}", "  ".repeat(depth.min(10))))
                    ));
                }
            }
        }
    }
    print(&out)
}
