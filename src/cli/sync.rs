//! `ascvault sync`: fetches what is new from App Store Connect into the
//! local archive (spec/ARCHIVE.md), serialized by the archive's lock, and
//! optionally posts each newly archived review to a webhook.

mod args;
mod notify;

use std::path::{Path, PathBuf};

pub use args::SyncArgs;

use super::asc::AscSession;
use super::context::Context;
use super::error::{CliError, CliResult};
use super::output::{Table, print, sanitize, say};
use crate::archive::sync::{self as archive_sync, SyncError};
use crate::archive::{self, Archive, ArchiveError, SyncLock};
use crate::asc::apps::{self, AppInfo};

impl From<ArchiveError> for CliError {
    fn from(e: ArchiveError) -> CliError {
        let hint = match &e {
            ArchiveError::Missing(_) => {
                "run `ascvault sync` first, or pass --archive PATH to the archive"
            }
            ArchiveError::Newer { .. } => "use the newer ascvault that wrote it",
            _ => "what was archived before stays; run the command again",
        };
        CliError::new(e.to_string()).hint(hint)
    }
}

impl From<SyncError> for CliError {
    fn from(e: SyncError) -> CliError {
        match e {
            SyncError::Asc(e) => CliError::from(e),
            SyncError::Archive(e) => CliError::from(e),
            SyncError::Report(e) => CliError::from(e),
            SyncError::Plan(e) => CliError::from(e),
            SyncError::Download(e) => CliError::from(e),
        }
    }
}

/// The archive `--archive` names, or the one beside the vault.
pub fn archive_path(ctx: &Context, given: Option<&Path>) -> PathBuf {
    given.map_or_else(|| archive::default_path(ctx.vault.path()), Path::to_owned)
}

/// `sync …`
pub fn run(ctx: &Context, args: &SyncArgs) -> CliResult {
    let every = !args.reviews && !args.sales && !args.snapshots && args.analytics.is_empty();
    let path = archive_path(ctx, args.archive.as_deref());
    // Check the base before waiting for a lock or asking for the passphrase.
    args.asc.net.api_base.url()?;
    let _lock = SyncLock::take(&path, || {
        say("waiting for another `ascvault sync` of this archive to finish…")
    })?;
    let session = AscSession::open(ctx, &args.asc)?;
    let vendor = match (&session.vendor_number, args.sales) {
        (Some(v), _) => Some(v.clone()),
        (None, true) => {
            return Err(CliError::usage(format!(
                "entry {} has no vendor number: sales reports need one",
                sanitize(&session.label)
            ))
            .hint("set it with `ascvault edit LABEL --vendor-number N` (App Store Connect → Payments and Financial Reports)"));
        }
        (None, false) => {
            if every {
                say(&format!(
                    "sales skipped: entry {} has no vendor number",
                    sanitize(&session.label)
                ));
            }
            None
        }
    };
    let client = session.client;
    let mut archive = Archive::create_or_open(&path)?;
    ctx.verbose(format!("archive {}", path.display()));
    let apps: Vec<AppInfo> =
        if !(args.reviews || args.snapshots || every || !args.analytics.is_empty()) {
            Vec::new()
        } else if args.app.is_empty() {
            apps::list(&client)?
        } else {
            args.app
                .iter()
                .map(|a| apps::resolve(&client, a))
                .collect::<Result<_, _>>()?
        };
    if args.reviews || every {
        sync_reviews(args, &apps, &client, &mut archive)?;
    }
    if args.snapshots || every {
        sync_snapshots(&apps, &client, &archive)?;
    }
    // Without kind flags: the reports archived before for these apps.
    let plan: Vec<(&AppInfo, String)> = if every {
        let before = archive.analytics_reports()?;
        apps.iter()
            .flat_map(|app| {
                before
                    .iter()
                    .filter(move |(id, _)| *id == app.id)
                    .map(move |(_, report)| (app, report.clone()))
            })
            .collect()
    } else {
        apps.iter()
            .flat_map(|app| args.analytics.iter().map(move |r| (app, r.clone())))
            .collect()
    };
    if !plan.is_empty() {
        sync_analytics(args, &plan, &client, &mut archive)?;
    }
    if let Some(vendor) = vendor {
        let today = time::OffsetDateTime::now_utc().date();
        let r = archive_sync::sales(
            &client,
            &mut archive,
            &vendor,
            today,
            crate::asc::sales::MAX_REPORT_BYTES,
        )?;
        let mut table = Table::new(&[
            "SALES",
            "NEW DAYS",
            "NO SALES",
            "NOT OFFERED",
            "REQUESTS",
            "ARCHIVED DAYS",
        ]);
        table.row(vec![
            "daily summary".into(),
            r.new_days.to_string(),
            r.empty_days.to_string(),
            r.refused_days.to_string(),
            r.requests.to_string(),
            archive.sales_days()?.len().to_string(),
        ]);
        print(&table.render())?;
    }
    Ok(())
}

/// The reviews part of `sync`: every app (or `--app`), then the queued
/// notifications.
fn sync_reviews(
    args: &SyncArgs,
    apps: &[AppInfo],
    client: &crate::asc::Client,
    archive: &mut Archive,
) -> CliResult {
    let notify = args.notify.as_ref().map(|_| args.notify_stars.as_slice());
    let mut table = Table::new(&["APP", "NAME", "NEW", "ARCHIVED", "REQUESTS", "HISTORY"]);
    let mut failure = None;
    for app in apps {
        archive.put_app(app)?;
        let result = archive_sync::reviews(client, archive, &app.id, notify);
        let state = archive.review_state(&app.id)?;
        let (new, requests) = match &result {
            Ok(r) => (r.new, r.pages as usize + r.rechecked + r.answer_requests),
            Err(_) => (0, 0),
        };
        table.row(vec![
            sanitize(&app.id),
            sanitize(&app.name),
            if result.is_ok() {
                new.to_string()
            } else {
                "failed".into()
            },
            state.archived.to_string(),
            requests.to_string(),
            if state.complete {
                "complete"
            } else {
                "partial"
            }
            .into(),
        ]);
        if let Err(e) = result {
            failure = Some((app.clone(), e));
            break;
        }
    }
    let mut notify_failed = Vec::new();
    if let Some(url) = &args.notify {
        let sent = notify::send_queue(archive, url, args.asc.net.settings().retry_base)?;
        if sent.sent > 0 {
            say(&format!("notified {} review(s)", sent.sent));
        }
        notify_failed = sent.failed;
    }
    print(&table.render())?;
    if let Some((app, e)) = failure {
        say(&format!(
            "sync of {} stopped; what it archived is kept and the next sync resumes",
            sanitize(&app.name)
        ));
        return Err(e.into());
    }
    if let Some((_, why)) = notify_failed.first() {
        return Err(CliError::new(format!(
            "{} notification(s) could not be sent: {}",
            notify_failed.len(),
            sanitize(why)
        ))
        .hint("the reviews are archived; they are posted at the next `ascvault sync --notify`"));
    }
    Ok(())
}

/// The snapshot part of `sync`: today's review summaries and perf
/// metrics of every app not taken yet today (UTC).
fn sync_snapshots(apps: &[AppInfo], client: &crate::asc::Client, archive: &Archive) -> CliResult {
    let day = archive::utc_today();
    let mut table = Table::new(&["APP", "NAME", "SUMMARIES", "PERF"]);
    // `counted`: say how many were stored (summaries; perf is one document).
    let show = |t: archive_sync::Taken, counted: bool| match t {
        archive_sync::Taken::Skipped => "-".to_owned(),
        archive_sync::Taken::Stored(n) if counted => format!("{n} stored"),
        archive_sync::Taken::Stored(_) => "stored".to_owned(),
        archive_sync::Taken::AlreadyToday => "taken today".to_owned(),
        archive_sync::Taken::NotOffered(status) => format!("not offered ({status})"),
    };
    for app in apps {
        archive.put_app(app)?;
        match archive_sync::snapshots(client, archive, &app.id, &day) {
            Ok(r) => table.row(vec![
                sanitize(&app.id),
                sanitize(&app.name),
                show(r.summaries, true),
                show(r.perf, false),
            ]),
            Err(e) => {
                print(&table.render())?;
                return Err(e.into());
            }
        }
    }
    print(&table.render())
}

/// The analytics part of `sync`: each (app, report) of the plan. An app
/// that has no report of that name is noted and skipped.
fn sync_analytics(
    args: &SyncArgs,
    plan: &[(&AppInfo, String)],
    client: &crate::asc::Client,
    archive: &mut Archive,
) -> CliResult {
    let downloader = crate::asc::download::Downloader::new(
        args.asc.net.timeout,
        3,
        args.asc.net.settings().backoff(),
    )?;
    let mut table = Table::new(&["APP", "REPORT", "INSTANCES", "NEW SEGMENTS", "NEW ROWS"]);
    for (app, report) in plan {
        archive.put_app(app)?;
        match archive_sync::analytics(client, archive, &app.id, report, &downloader) {
            Ok(r) => table.row(vec![
                sanitize(&app.id),
                sanitize(report),
                r.instances.to_string(),
                r.new_segments.to_string(),
                r.rows.to_string(),
            ]),
            Err(SyncError::Plan(crate::asc::analytics::PlanError::NoSuchReport { .. })) => {
                say(&format!(
                    "{}: no report {:?} (ask for reports with `ascvault metrics request`)",
                    sanitize(&app.name),
                    sanitize(report)
                ));
            }
            Err(e) => {
                print(&table.render())?;
                return Err(e.into());
            }
        }
    }
    print(&table.render())
}
