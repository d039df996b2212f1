//! `ascvault metrics …`: analytics report requests, reports and streaming
//! downloads (`analytics.rs`); sales and finance reports (`sales.rs`); an
//! app's builds (`builds.rs`); power and performance metrics (`perf.rs`);
//! diagnostics (`diagnostics.rs`); charts of any of them ([`chart`]). The arguments are in `cli/args/metrics.rs`.

mod analytics;
mod builds;
pub mod chart;
mod diagnostics;
mod perf;
mod sales;

use std::path::Path;

use super::args::metrics::{MetricsArgs, MetricsCommand};
use super::asc::AscSession;
use super::context::Context;
use super::error::{CliError, CliResult};
use crate::asc::sales::ReportError;
use crate::asc::{AscError, Forbidden, apps};
use crate::atomic::{AtomicError, Step};

/// Runs a `metrics` subcommand.
pub fn run(ctx: &Context, args: &MetricsArgs) -> CliResult {
    match &args.command {
        MetricsCommand::Request(a) => analytics::request(ctx, a),
        MetricsCommand::Reports(a) => analytics::reports(ctx, a),
        MetricsCommand::Download(a) => analytics::download(ctx, a),
        MetricsCommand::Sales(a) => sales::sales(ctx, a),
        MetricsCommand::Finance(a) => sales::finance(ctx, a),
        MetricsCommand::Builds(a) => builds::builds(ctx, a),
        MetricsCommand::Perf(a) => perf::perf(ctx, a),
        MetricsCommand::Diagnostics(a) => diagnostics::diagnostics(ctx, a),
        MetricsCommand::Chart(a) => chart::chart(ctx, a),
    }
}

/// An App Store Connect error, with a hint about the roles reports need
/// when a 403 is about the key's role (the generic hint speaks of reviews);
/// a 403 for a missing agreement keeps its own hint: no role would help.
fn asc_error(err: AscError) -> CliError {
    let role = err.forbidden() == Some(Forbidden::Role);
    let e = CliError::from(err);
    if role {
        e.hint("the key's role lacks access: reports need Admin, Finance or Sales and Reports; check it under Users and Access → Integrations")
    } else {
        e
    }
}

/// A sales or finance report error, with the metrics 403 hint.
fn report_error(err: ReportError) -> CliError {
    match err {
        ReportError::Asc(e) => asc_error(e),
        other => other.into(),
    }
}

/// A failed atomic write of `target` (merged TSV, sales or finance report,
/// chart). The temporary file is never named: it is ours, not the user's, and a
/// missing folder is said to be missing.
pub(crate) fn write_error(target: &Path, err: AtomicError) -> CliError {
    if err.step == Step::CreateTemp {
        // tempfile's message ends with the temporary file's path: keep
        // only the OS error.
        let why = match err.source.raw_os_error() {
            Some(code) => std::io::Error::from_raw_os_error(code).to_string(),
            None => err.source.kind().to_string(),
        };
        if err.source.kind() == std::io::ErrorKind::NotFound && !err.path.exists() {
            return CliError::new(format!(
                "cannot write {}: the folder {} does not exist",
                target.display(),
                err.path.display()
            ))
            .hint("create the folder first, or give a path in one that exists");
        }
        CliError::new(format!("cannot write in {}: {why}", err.path.display()))
    } else {
        CliError::new(format!("cannot write {}: {}", target.display(), err.source))
    }
}

/// The app id of `--app`: a numeric id as is, a bundle id or a name looked up.
fn resolve_app(session: &AscSession, app: &str) -> CliResult<String> {
    if apps::is_app_id(app.trim()) {
        return Ok(app.trim().to_owned());
    }
    Ok(apps::resolve(&session.client, app)?.id)
}
