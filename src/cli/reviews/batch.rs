//! `ascvault reviews respond --from FILE [--dry-run]`: sends the replies of a
//! file `reviews draft` wrote. The whole file is checked before anything is
//! sent (ids, duplicates, Apple's 5,970-character limit); then each review is
//! fetched just before its reply goes out, and skipped if it has a response
//! by then, so a batch interrupted anywhere — killed, a lost answer, a
//! failed request — can be run again and sends nothing twice. It ends with
//! what was sent, skipped and not sent, and why.

use std::path::Path;

use serde::Serialize;
use serde_json::json;

use super::super::args::asc::RespondArgs;
use super::super::asc::AscSession;
use super::super::context::Context;
use super::super::error::{CliError, CliResult, ExitStatus};
use super::super::output::{Table, print, print_json, sanitize, say, truncate};
use super::MAX_RESPONSE_CHARS;
use super::draft::{FORMAT, RepliesFile};
use crate::asc::AscError;
use crate::asc::reviews;

/// The largest replies file read (bytes).
const MAX_FILE_BYTES: u64 = 16 << 20;

/// One reply that passed the file's checks (empty: nothing to send).
struct Planned {
    review_id: String,
    reply: String,
}

/// A reply sent.
#[derive(Serialize)]
struct Sent {
    review_id: String,
    response_id: String,
    state: Option<String>,
}

/// A review not answered by this run, and why.
#[derive(Serialize)]
struct Why {
    review_id: String,
    reason: String,
}

/// What the run did.
#[derive(Default, Serialize)]
struct Outcome {
    dry_run: bool,
    sent: Vec<Sent>,
    would_send: Vec<String>,
    skipped: Vec<Why>,
    failed: Vec<Why>,
    not_attempted: Vec<String>,
}

/// Reads and checks the file: every problem is listed, and any problem
/// means nothing is sent (exit 2).
fn plan(path: &Path) -> CliResult<Vec<Planned>> {
    let unreadable =
        |e: std::io::Error| CliError::new(format!("cannot read {}: {e}", path.display()));
    if std::fs::metadata(path).map_err(unreadable)?.len() > MAX_FILE_BYTES {
        return Err(CliError::usage(format!(
            "{} is larger than 16 MiB; not a replies file",
            path.display()
        )));
    }
    let text = std::fs::read_to_string(path).map_err(unreadable)?;
    let file: RepliesFile = toml::from_str(&text).map_err(|e| {
        // The message quotes the file, which quotes reviewers: one clean line.
        let why = sanitize(&e.to_string().split_whitespace().collect::<Vec<_>>().join(" "));
        CliError::usage(format!(
            "{} is not a replies file: {}; nothing sent",
            path.display(),
            truncate(&why, 400)
        ))
        .hint("`reviews draft --out FILE` writes one; fields: review_id, reply (and the review's, which are not read)")
    })?;
    if file.format != FORMAT {
        return Err(CliError::usage(format!(
            "{} has format {}; this version reads format {FORMAT}; nothing sent",
            path.display(),
            file.format
        )));
    }
    let mut problems: Vec<String> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut planned = Vec::new();
    for (i, rec) in file.reply.iter().enumerate() {
        let n = i + 1;
        let id = sanitize(&truncate(&rec.review_id, 60));
        if let Err(e) = crate::asc::path_id("review id", &rec.review_id) {
            problems.push(format!("reply {n}: {e}"));
            continue;
        }
        if !seen.insert(rec.review_id.clone()) {
            problems.push(format!("reply {n}: review {id} is listed twice"));
            continue;
        }
        let reply = rec.reply.trim();
        let chars = reply.chars().count();
        if chars > MAX_RESPONSE_CHARS {
            problems.push(format!(
                "reply {n} (review {id}) has {chars} characters; App Store Connect takes at most {MAX_RESPONSE_CHARS}"
            ));
            continue;
        }
        planned.push(Planned {
            review_id: rec.review_id.clone(),
            reply: reply.to_owned(),
        });
    }
    if !problems.is_empty() {
        for p in problems.iter().take(20) {
            say(&format!("  {p}"));
        }
        if problems.len() > 20 {
            say(&format!("  and {} more", problems.len() - 20));
        }
        return Err(CliError::usage(format!(
            "{} has {} problem{}; nothing sent",
            path.display(),
            problems.len(),
            if problems.len() == 1 { "" } else { "s" }
        ))
        .hint("fix them (shorten, remove the duplicate) and run the same command again"));
    }
    Ok(planned)
}

/// True when the refusal is about this review only (it is gone, or Apple
/// will not take this reply), so the batch goes on with the next.
fn this_review_only(e: &AscError) -> bool {
    matches!(e, AscError::Refused { status, .. } if matches!(status, 404 | 409 | 422))
}

/// One line for a reason (the error's text is the server's in part).
fn reason(e: &AscError) -> String {
    sanitize(&truncate(&e.to_string(), 300))
}

/// `reviews respond --from FILE [--dry-run]`
pub fn run(ctx: &Context, args: &RespondArgs, from: &Path) -> CliResult {
    let planned = plan(from)?;
    let mut out = Outcome {
        dry_run: args.dry_run,
        ..Outcome::default()
    };
    let mut stop: Option<AscError> = None;
    if planned.iter().any(|p| !p.reply.is_empty()) {
        let client = AscSession::open(ctx, &args.asc)?.client;
        for item in &planned {
            if item.reply.is_empty() {
                out.skipped.push(Why {
                    review_id: item.review_id.clone(),
                    reason: "empty reply".into(),
                });
                continue;
            }
            if stop.is_some() {
                out.not_attempted.push(item.review_id.clone());
                continue;
            }
            // Checked just before sending: answered meanwhile (by someone
            // else, or by an earlier run whose answer was lost) is skipped.
            let review = match reviews::get(&client, &item.review_id) {
                Ok(r) => r,
                Err(e) if this_review_only(&e) => {
                    out.failed.push(Why {
                        review_id: item.review_id.clone(),
                        reason: reason(&e),
                    });
                    continue;
                }
                Err(e) => {
                    out.not_attempted.push(item.review_id.clone());
                    stop = Some(e);
                    continue;
                }
            };
            if let Some(resp) = &review.response {
                out.skipped.push(Why {
                    review_id: item.review_id.clone(),
                    reason: format!(
                        "answered since ({}, {})",
                        sanitize(&truncate(resp.state.as_deref().unwrap_or("?"), 30)),
                        sanitize(&truncate(
                            resp.last_modified_date.as_deref().unwrap_or("?"),
                            30
                        ))
                    ),
                });
                continue;
            }
            if args.dry_run {
                out.would_send.push(item.review_id.clone());
                continue;
            }
            ctx.verbose(format!("sending the reply to review {}", item.review_id));
            match reviews::respond(&client, &item.review_id, &item.reply) {
                Ok(resp) => {
                    // The archive (if any) re-checks the pending reply at the next sync.
                    super::archive::record_response(ctx, &item.review_id, Some(&resp));
                    out.sent.push(Sent {
                        review_id: item.review_id.clone(),
                        response_id: resp.id,
                        state: resp.state,
                    })
                }
                Err(e) if this_review_only(&e) => out.failed.push(Why {
                    review_id: item.review_id.clone(),
                    reason: reason(&e),
                }),
                Err(e) => {
                    let lost = matches!(e, AscError::Network { .. } | AscError::Decode { .. });
                    out.failed.push(Why {
                        review_id: item.review_id.clone(),
                        reason: if lost {
                            format!(
                                "{} (it may have been published: a run again checks first)",
                                reason(&e)
                            )
                        } else {
                            reason(&e)
                        },
                    });
                    stop = Some(e);
                }
            }
        }
    } else {
        out.skipped = planned
            .iter()
            .map(|p| Why {
                review_id: p.review_id.clone(),
                reason: "empty reply".into(),
            })
            .collect();
    }
    report(args.json, &out)?;
    finish(&out, stop)
}

/// The summary: a table and a count line (or the JSON document).
fn report(json: bool, out: &Outcome) -> CliResult {
    if json {
        return print_json(&json!(out));
    }
    let mut table = Table::new(&["RESULT", "REVIEW", "DETAIL"]);
    for s in &out.sent {
        table.row(vec![
            "sent".into(),
            s.review_id.clone(),
            format!(
                "response {} ({})",
                s.response_id,
                s.state.as_deref().unwrap_or("?")
            ),
        ]);
    }
    for id in &out.would_send {
        table.row(vec!["would send".into(), id.clone(), String::new()]);
    }
    for w in &out.skipped {
        table.row(vec![
            "skipped".into(),
            w.review_id.clone(),
            w.reason.clone(),
        ]);
    }
    for w in &out.failed {
        table.row(vec!["failed".into(), w.review_id.clone(), w.reason.clone()]);
    }
    for id in &out.not_attempted {
        table.row(vec![
            "not sent".into(),
            id.clone(),
            "stopped after the failure above".into(),
        ]);
    }
    let mut text = if table.is_empty() {
        String::new()
    } else {
        table.render()
    };
    text.push_str(&counts(out));
    text.push('\n');
    print(&text)
}

fn counts(out: &Outcome) -> String {
    let mut parts = Vec::new();
    if out.dry_run {
        parts.push(format!("would send {}", out.would_send.len()));
    } else {
        parts.push(format!("sent {}", out.sent.len()));
    }
    parts.push(format!("skipped {}", out.skipped.len()));
    parts.push(format!("failed {}", out.failed.len()));
    if !out.not_attempted.is_empty() {
        parts.push(format!("not attempted {}", out.not_attempted.len()));
    }
    parts.join(", ")
}

/// The exit status: 0 when every reply was sent or skipped; the stopping
/// error's (7 network, 6 refused, 1 other) when the batch stopped; 6 when
/// Apple refused some replies and the rest went out.
fn finish(out: &Outcome, stop: Option<AscError>) -> CliResult {
    const AGAIN: &str = "run the same command again: replies already sent are skipped";
    if let Some(e) = stop {
        let done = out.sent.len() + out.skipped.len() + out.failed.len() + out.would_send.len();
        let err = CliError::from(e);
        let total = done + out.not_attempted.len();
        let hint = match &err.hint {
            Some(h) => format!("{h}; then {AGAIN}"),
            None => AGAIN.to_owned(),
        };
        return Err(CliError::new(format!(
            "stopped after {done} of {total} replies: {}",
            err.message
        ))
        .code(err.code)
        .hint(hint));
    }
    if !out.failed.is_empty() {
        return Err(CliError::new(format!(
            "{} repl{} not sent: App Store Connect refused {}",
            out.failed.len(),
            if out.failed.len() == 1 { "y" } else { "ies" },
            if out.failed.len() == 1 { "it" } else { "them" }
        ))
        .code(ExitStatus::Refused)
        .hint("the reasons are in the table above; fix the file and run it again"));
    }
    Ok(())
}
