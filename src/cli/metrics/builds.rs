//! `metrics builds`: an app's builds, newest upload first, with the ids
//! `metrics perf --build` and `metrics diagnostics --build` take.

use super::{asc_error, resolve_app};
use crate::asc::builds::{self, BuildInfo, Query};
use crate::cli::args::metrics::BuildsArgs;
use crate::cli::asc::AscSession;
use crate::cli::context::Context;
use crate::cli::error::{CliError, CliResult};
use crate::cli::output::{Table, print, print_json, say, truncate};

/// Characters of a server string kept in a table cell.
const MAX_CELL: usize = 40;

/// `metrics builds`: a table (or JSON) of the app's builds.
pub(super) fn builds(ctx: &Context, args: &BuildsArgs) -> CliResult {
    let session = AscSession::open(ctx, &args.asc)?;
    let app = resolve_app(&session, &args.app)?;
    let query = Query {
        version: args.version.clone(),
        max: Some(args.max as usize),
    };
    let list = builds::list(&session.client, &app, &query).map_err(asc_error)?;
    if args.json {
        return print_json(&serde_json::to_value(&list).map_err(|e| CliError::new(e.to_string()))?);
    }
    if list.is_empty() {
        say(&match &args.version {
            Some(v) => format!("no builds of version {v}"),
            None => "no builds".to_owned(),
        });
        return Ok(());
    }
    print(&table(&list))
}

/// `ID  VERSION  BUILD  UPLOADED  STATE`, every server string sanitized
/// (by [`Table`]) and cut.
fn table(list: &[BuildInfo]) -> String {
    let mut t = Table::new(&["ID", "VERSION", "BUILD", "PLATFORM", "UPLOADED", "STATE"]);
    for b in list {
        let state = match (b.processing_state.as_str(), b.expired) {
            (s, Some(true)) => format!("{s} (expired)"),
            (s, _) => s.to_owned(),
        };
        t.row(
            [
                &b.id,
                &b.version,
                &b.build_number,
                &b.platform,
                &b.uploaded,
                &state,
            ]
            .map(|cell| truncate(cell, MAX_CELL))
            .to_vec(),
        );
    }
    t.render()
}
