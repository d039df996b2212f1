//! `metrics request`, `metrics reports` and `metrics download`: the
//! Analytics Reports API. What a download fetches is decided by
//! [`crate::asc::analytics::plan`]; this module shows progress, streams or
//! stores the segments, and merges them.

use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::{asc_error, resolve_app, write_error};
use crate::asc::analytics::{
    self, Access, Created, PlanError, Planned, Wanted, is_segment_file_name, slug,
};
use crate::asc::download::{
    self, DownloadError, Downloader, Event, HeaderFilter, Job, dest_in, is_complete,
};
use crate::atomic::{AtomicFile, Replace, sweep_stale};
use crate::cli::args::metrics::{Category, DownloadArgs, Granularity, ReportsArgs, RequestArgs};
use crate::cli::asc::AscSession;
use crate::cli::context::Context;
use crate::cli::error::{CliError, CliResult, ExitStatus};
use crate::cli::output::{Table, print, print_json, sanitize, say};

/// Temporary files older than this in a download's folders are leftovers of
/// a killed run (a run in progress writes its file all the time).
const STALE_TEMP: Duration = Duration::from_secs(3600);

/// `metrics request`: a 409 (one exists) is shown, not an error; a 403
/// says the first request needs an Admin key. The access type and the app
/// id (resolved by the server from a bundle id) are server text.
pub(super) fn request(ctx: &Context, args: &RequestArgs) -> CliResult {
    let session = AscSession::open(ctx, &args.asc)?;
    let app = resolve_app(&session, &args.app)?;
    let access = if args.snapshot {
        Access::Snapshot
    } else {
        Access::Ongoing
    };
    let shown_app = sanitize(&app);
    match analytics::create_request(&session.client, &app, access) {
        Ok(Created::New(r)) => print(&format!(
            "created {} analytics report request {} for app {shown_app}\n",
            sanitize(&r.access_type),
            sanitize(&r.id)
        )),
        Ok(Created::Existing(r)) => {
            say(&format!(
                "an {} analytics report request already exists for app {shown_app}; not creating another",
                sanitize(&r.access_type)
            ));
            print(&format!(
                "{}\t{}\t{}\n",
                sanitize(&r.id),
                sanitize(&r.access_type),
                if r.stopped_due_to_inactivity {
                    "stopped (inactivity)"
                } else {
                    "active"
                }
            ))
        }
        Err(e) if e.status() == Some(403) => Err(CliError::new(e.to_string())
            .code(ExitStatus::Refused)
            .hint(format!(
                "creating the first analytics report request needs a key with the Admin role; entry {:?} lacks it. Once a request exists, keys with the Sales and Reports or Finance role can download",
                sanitize(&session.label)
            ))),
        Err(e) => Err(asc_error(e)),
    }
}

/// `metrics reports`: the reports on offer, as a table or JSON.
pub(super) fn reports(ctx: &Context, args: &ReportsArgs) -> CliResult {
    let session = AscSession::open(ctx, &args.asc)?;
    let app = resolve_app(&session, &args.app)?;
    let list = analytics::reports(&session.client, &app, args.category.map(Category::api))
        .map_err(asc_error)?;
    if args.json {
        return print_json(&serde_json::to_value(&list).map_err(|e| CliError::new(e.to_string()))?);
    }
    if list.is_empty() {
        say("no reports (has a report request been made? `ascvault metrics request --app …`)");
        return Ok(());
    }
    let mut t = Table::new(&["NAME", "CATEGORY", "ACCESS", "ID"]);
    for r in &list {
        t.row(vec![
            r.name.clone(),
            r.category.clone(),
            r.access_type.clone(),
            r.id.clone(),
        ]);
    }
    print(&t.render())
}

/// What is said of a segment that came comma-separated (Apple's "App
/// Crashes Expanded" does): it is stored as TSV like every other.
fn comma_note(segment: &str) -> String {
    format!(
        "segment {} is comma-separated: written as tab-separated text, quotes removed",
        sanitize(segment)
    )
}

/// Draws a progress bar on stderr when it is a terminal.
fn progress_bar(total: u64, segments: usize) -> Option<indicatif::ProgressBar> {
    if !io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(total),
        indicatif::ProgressDrawTarget::stderr(),
    );
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{bar:30} {bytes}/{total_bytes} {bytes_per_sec} segments {msg} {eta}",
    ) {
        bar.set_style(style);
    }
    bar.set_message(format!("0/{segments}"));
    Some(bar)
}

/// `metrics download`: plans, then streams to stdout (one header row) or
/// fetches into `DIR/<slug>/` in parallel, optionally merging.
pub(super) fn download(ctx: &Context, args: &DownloadArgs) -> CliResult {
    let session = AscSession::open(ctx, &args.asc)?;
    let app = resolve_app(&session, &args.app)?;
    let wanted = Wanted {
        report: args.report.clone(),
        granularity: args.granularity.map(Granularity::api),
        since: args.since.map(|d| d.to_string()),
        until: args.until.map(|d| d.to_string()),
    };
    let plan = analytics::plan(&session.client, &app, &wanted).map_err(|e| match e {
        PlanError::Asc(e) => asc_error(e),
        other => other.into(),
    })?;
    let segments = &plan.segments;
    ctx.verbose(format!(
        "{} instance(s), {} segment(s) of {:?}",
        plan.instances,
        segments.len(),
        args.report
    ));
    let downloader = Downloader::new(
        args.asc.net.timeout,
        3,
        // The same waits as API retries (ASCVAULT_RETRY_BASE_MS).
        args.asc.net.settings().backoff(),
    )?
    .deadline(args.segment_deadline)
    .max_bytes(args.max_segment_bytes)
    .max_run_bytes(args.max_download_bytes);
    let out = args.out.as_deref().unwrap_or(Path::new("."));
    let dir = out.join(slug(&args.report));
    // Every final path, checked before anything is fetched.
    let dests = segments
        .iter()
        .map(|p| dest_in(&dir, &p.file_name, &p.segment.id))
        .collect::<Result<Vec<PathBuf>, _>>()?;
    // Segments complete from an earlier run are skipped: not counted.
    let total: u64 = segments
        .iter()
        .zip(&dests)
        .filter(|(_, dest)| args.stdout || !is_complete(dest))
        // The sizes are the server's: a forged one must not overflow.
        .fold(0u64, |sum, (p, _)| {
            sum.saturating_add(p.segment.size_in_bytes)
        });
    let bar = progress_bar(total, segments.len());
    let done = std::sync::atomic::AtomicUsize::new(0);
    let n_segments = segments.len();
    let observe = |e: Event| {
        if let Some(bar) = &bar {
            match e {
                Event::Bytes(n) => bar.inc(n),
                Event::Rewind(n) => bar.set_position(bar.position().saturating_sub(n)),
                Event::Done { .. } => {
                    let d = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                    bar.set_message(format!("{d}/{n_segments}"));
                }
                Event::Retry { segment, why } => bar.println(format!(
                    "retrying segment {}: {}",
                    sanitize(&segment),
                    sanitize(&why)
                )),
                Event::CommaSeparated { segment } => bar.println(comma_note(&segment)),
            }
        } else if let Event::CommaSeparated { segment } = e {
            say(&comma_note(&segment));
        } else if let Event::Retry { segment, why } = e {
            ctx.verbose(format!(
                "retrying segment {}: {}",
                sanitize(&segment),
                sanitize(&why)
            ));
        }
    };
    let start = Instant::now();
    if args.stdout {
        // A reader that went away (`| head`) ends the command quietly.
        let Some(bytes) = stream(&downloader, segments, &observe)? else {
            return Ok(());
        };
        if let Some(bar) = &bar {
            bar.finish_and_clear();
        }
        ctx.verbose(format!(
            "streamed {} segment(s), {bytes} bytes, in {:.1} s",
            n_segments,
            start.elapsed().as_secs_f64()
        ));
        return Ok(());
    }
    std::fs::create_dir_all(&dir)
        .map_err(|e| CliError::new(format!("cannot create {}: {e}", dir.display())))?;
    let report_slug = slug(&args.report);
    let swept = sweep_stale(&dir, is_segment_file_name, STALE_TEMP)
        + sweep_stale(out, |n| is_merged_name(&report_slug, n), STALE_TEMP);
    if swept > 0 {
        ctx.verbose(format!(
            "removed {swept} temporary file(s) left by an interrupted run"
        ));
    }
    let jobs: Vec<Job> = segments
        .iter()
        .zip(dests)
        .map(|(p, dest)| Job {
            segment: p.segment.clone(),
            dest,
        })
        .collect();
    let files: Vec<PathBuf> = jobs.iter().map(|j| j.dest.clone()).collect();
    let result = downloader.fetch_all(jobs, usize::from(args.jobs), &observe);
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let summary = result?;
    let elapsed = start.elapsed().as_secs_f64();
    let line = format!(
        "{} segment(s) downloaded, {} already complete, into {} ({:.1} MB in {:.1} s)",
        summary.fetched,
        summary.skipped,
        dir.display(),
        summary.bytes_written as f64 / 1e6,
        elapsed
    );
    if bar.is_some() {
        say(&line);
    } else {
        ctx.verbose(&line);
    }
    if args.merge {
        // One merged file per granularity: a weekly total among daily rows
        // would read as one more day.
        let mut groups: Vec<(String, Vec<PathBuf>)> = Vec::new();
        for (p, file) in segments.iter().zip(&files) {
            let g = granularity_slug(&p.file_name);
            match groups.iter_mut().find(|(name, _)| *name == g) {
                Some((_, list)) => list.push(file.clone()),
                None => groups.push((g, vec![file.clone()])),
            }
        }
        // Apple's three in their order, then any other (stable sort).
        groups.sort_by_key(|(g, _)| {
            ["daily", "weekly", "monthly"]
                .iter()
                .position(|k| k == g)
                .unwrap_or(3)
        });
        let mut printed = String::new();
        let single = groups.len() == 1;
        for (granularity, group) in &groups {
            // One granularity in all: `<slug>.tsv` as ever; else one
            // `<slug>_<granularity>.tsv` each.
            let target = if single {
                out.join(format!("{report_slug}.tsv"))
            } else {
                out.join(format!("{report_slug}_{granularity}.tsv"))
            };
            let mut tmp = AtomicFile::new(&target).map_err(|e| write_error(&target, e))?;
            let rows = {
                let mut w = BufWriter::with_capacity(256 * 1024, tmp.file());
                let rows = download::merge(group, &mut w)?;
                w.flush()
                    .map_err(|e| CliError::new(format!("cannot write the merged file: {e}")))?;
                rows
            };
            tmp.commit(Replace::Yes)
                .map_err(|e| write_error(&target, e))?;
            ctx.verbose(format!("merged {rows} row(s) into {}", target.display()));
            printed.push_str(&format!("{}\n", target.display()));
        }
        print(&printed)?;
    } else {
        print(&format!("{}\n", dir.display()))?;
    }
    Ok(())
}

/// The granularity part of a segment file name
/// (`<date>_<granularity>_<segment>.tsv`: a slug, so without `_`).
fn granularity_slug(file_name: &str) -> String {
    file_name
        .get(11..)
        .and_then(|rest| rest.split('_').next())
        .unwrap_or("report")
        .to_owned()
}

/// Whether `name` is a merged file of the report: `<slug>.tsv` or
/// `<slug>_<granularity>.tsv`.
fn is_merged_name(report_slug: &str, name: &str) -> bool {
    let Some(stem) = name.strip_suffix(".tsv") else {
        return false;
    };
    let Some(rest) = stem.strip_prefix(report_slug) else {
        return false;
    };
    rest.is_empty()
        || rest.strip_prefix('_').is_some_and(|g| {
            !g.is_empty()
                && g.bytes()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-')
        })
}

/// Streams the segments one after another to stdout with one header row;
/// the decompressed bytes written, or `None` when stdout was closed.
fn stream(
    downloader: &Downloader,
    segments: &[Planned],
    observe: &(dyn Fn(Event) + Sync),
) -> CliResult<Option<u64>> {
    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(256 * 1024, stdout.lock());
    let mut header = None;
    let mut bytes = 0u64;
    for seg in segments.iter().map(|p| &p.segment) {
        let mut filter = HeaderFilter::new(&mut out, &mut header);
        match downloader.fetch_into(seg, &mut filter, observe) {
            Ok(n) => bytes += n,
            Err(DownloadError::Io { source, .. }) if source.kind() == io::ErrorKind::BrokenPipe => {
                return Ok(None);
            }
            Err(e) => {
                if filter.mismatched() {
                    return Err(DownloadError::HeaderMismatch {
                        segment: seg.id.clone(),
                    }
                    .into());
                }
                let _ = out.flush();
                return Err(e.into());
            }
        }
        observe(Event::Done {
            segment: seg.id.clone(),
            skipped: false,
        });
    }
    match out.flush() {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => {
            return Err(CliError::new(format!(
                "cannot write to standard output: {e}"
            )));
        }
        _ => {}
    }
    Ok(Some(bytes))
}
