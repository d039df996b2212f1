//! `ascvault verify`: asks Apple whether each active credential still works,
//! and with `--mark-revoked` records the rejected ones as revoked — and the
//! API keys Apple did not accept (a 401 cannot tell a revoked key from a
//! mistyped key id or issuer id) only when the user confirms each one.

use serde_json::{Value, json};
use url::Url;

use super::args::asc::{NetArgs, VerifyArgs};
use super::asc::{api_key_of, observer};
use super::context::Context;
use super::entries::where_to_revoke;
use super::error::{CliError, CliResult, ExitStatus};
use super::output::{Table, print, print_json, sanitize, say};
use super::secrets::confirm;
use super::source::terminal;
use crate::asc::verify::{self, Verdict};
use crate::vault::{Entry, Kind, Timestamp};

#[derive(Clone)]
struct Checked {
    label: String,
    revoked: bool,
    kind: Kind,
    account: String,
    verdict: Verdict,
    marked: bool,
}

/// Asks Apple about one entry (also used by `check --online`), with the
/// content-delivery base the caller has checked.
pub fn check(
    ctx: &Context,
    net: &NetArgs,
    content_delivery: &Url,
    e: &Entry,
) -> CliResult<Verdict> {
    let settings = net.settings();
    let observer = observer(ctx.verbose);
    Ok(match e.kind {
        Kind::ApiKey => {
            let key = api_key_of(e)?;
            verify::api_key(&net.api_base.url()?, &key, &settings, Some(&observer))
        }
        Kind::AppSpecificPassword => {
            let (Some(apple_id), Some(password)) = (&e.apple_id, &e.password) else {
                return Err(CliError::new(format!(
                    "entry {:?} lacks its Apple ID or password",
                    sanitize(&e.label)
                )));
            };
            verify::app_password(
                &settings,
                Some(&observer),
                content_delivery,
                apple_id,
                password,
            )
        }
        Kind::Other(_) => Verdict::Unreachable {
            code: None,
            message: "this version cannot check this kind".into(),
        },
    })
}

pub fn run(ctx: &Context, args: &VerifyArgs) -> CliResult {
    // Check both bases before asking for the passphrase.
    args.net.api_base.url()?;
    let content_delivery = args.content_delivery_base.url()?;
    let pass = ctx.key()?;
    let doc = ctx.vault.open(&pass)?.document;
    let entries: Vec<&Entry> = match &args.label {
        Some(label) => vec![doc.usable(label)?],
        // Revoked ones too: a revocation recorded here may not have been
        // made at Apple.
        None if args.exposed => doc
            .entries
            .iter()
            .filter(|e| !e.exposed.is_empty() && !matches!(e.kind, Kind::Other(_)))
            .collect(),
        None => doc
            .entries
            .iter()
            .filter(|e| !e.revoked && !matches!(e.kind, Kind::Other(_)))
            .collect(),
    };
    if args.exposed {
        unverifiable_removed(&doc);
    }
    if entries.is_empty() {
        say(if args.exposed {
            "no exposed entries to verify"
        } else {
            "no active entries to verify"
        });
        return Ok(());
    }
    let mut results = Vec::new();
    for e in entries {
        ctx.verbose(format!("checking {}", sanitize(&e.label)));
        let verdict = check(ctx, &args.net, &content_delivery, e)?;
        results.push(Checked {
            label: e.label.clone(),
            revoked: e.revoked,
            kind: e.kind.clone(),
            account: e.account().to_owned(),
            verdict,
            marked: false,
        });
    }
    drop(doc);
    // A refusal to mark still shows what Apple said first.
    let (to_mark, refusal) = match args.mark_revoked.then(|| choose(&results, args.yes)) {
        Some(Ok(labels)) => (labels, None),
        Some(Err(e)) => (Vec::new(), Some(e)),
        None => (Vec::new(), None),
    };
    if !to_mark.is_empty() {
        let now = Timestamp::now();
        let reasons: Vec<(String, &str, String)> = results
            .iter()
            .filter(|c| to_mark.contains(&c.label))
            // Apple's words, stored in the vault and later shown by
            // `list`/`show` and in git diffs: sanitized before storing.
            .map(|c| {
                let what = match c.verdict {
                    Verdict::NotAccepted { .. } => "Apple did not accept it (confirmed revoked)",
                    _ => "Apple rejected it",
                };
                (c.label.clone(), what, sanitize(&c.verdict.to_string()))
            })
            .collect();
        ctx.vault.update(&pass, |doc| {
            for (label, what, why) in &reasons {
                if let Some(entry) = doc.find_mut(label) {
                    entry.revoke(now);
                    let line = format!(
                        "{what} on {} ({})",
                        now.rfc3339(),
                        why.chars().take(200).collect::<String>()
                    );
                    entry.note = Some(match entry.note.take() {
                        Some(old) if !old.is_empty() => format!("{old}; {line}"),
                        _ => line,
                    });
                }
            }
            Ok(())
        })?;
        for c in results.iter_mut() {
            c.marked = to_mark.contains(&c.label);
        }
    }
    if args.json {
        let rows: Vec<Value> = results
            .iter()
            .map(|c| {
                let (code, message) = match &c.verdict {
                    Verdict::Valid { detail } => (None, detail.clone()),
                    Verdict::Rejected { code, message } => (code.clone(), Some(message.clone())),
                    Verdict::NotAccepted { code, .. } => {
                        (code.clone(), Some(c.verdict.to_string()))
                    }
                    Verdict::Unreachable { code, message } => (code.clone(), Some(message.clone())),
                    Verdict::ClockOff { message, .. } => (None, Some(message.clone())),
                };
                json!({
                    "label": c.label,
                    "kind": c.kind.as_str(),
                    "account": c.account,
                    "result": c.verdict.name(),
                    "code": code,
                    "message": message,
                    "marked_revoked": c.marked,
                })
            })
            .collect();
        print_json(&Value::Array(rows))?;
    } else {
        let mut table = Table::new(&["LABEL", "KIND", "ACCOUNT", "RESULT", "DETAIL"]);
        for c in &results {
            let detail = c.verdict.to_string();
            let name = c.verdict.name().replace('_', " ");
            let result = if c.marked {
                format!("{name} (marked revoked)")
            } else {
                name
            };
            table.row(vec![
                c.label.clone(),
                c.kind.to_string(),
                c.account.clone(),
                result,
                detail,
            ]);
        }
        print(&table.render())?;
    }
    if let Some(e) = refusal {
        return Err(e);
    }
    if args.exposed {
        return finish_exposed(&results);
    }
    finish(&results, args.mark_revoked)
}

/// Exposed tombstones never recorded revoked: their secret is gone from the
/// vault, so only the user can say they were revoked at Apple.
fn unverifiable_removed(doc: &crate::vault::Document) {
    for t in doc
        .removed
        .iter()
        .filter(|t| !t.revoked && !t.exposed.is_empty())
    {
        say(&format!(
            "cannot ask Apple about {} ({} {}): it was removed from the vault with its secret; \
             revoke it at Apple too: {}, then `ascvault revoke {}` records that",
            sanitize(&t.label),
            t.kind,
            sanitize(&t.account),
            where_to_revoke(&t.kind),
            sanitize(&t.label)
        ));
    }
}

/// `verify --exposed`: 0 when Apple accepts none of the exposed credentials
/// (rejected, or — for an API key — not accepted: the removed member holds
/// the same key id and issuer id, so a key Apple does not accept is useless
/// to them too); 1 when Apple still accepts any; else as [`finish`].
fn finish_exposed(results: &[Checked]) -> CliResult {
    let live: Vec<&Checked> = results
        .iter()
        .filter(|c| matches!(c.verdict, Verdict::Valid { .. }))
        .collect();
    if !live.is_empty() {
        let labels: Vec<String> = live
            .iter()
            .map(|c| {
                let recorded = if c.revoked {
                    " (recorded revoked here)"
                } else {
                    ""
                };
                format!("{}{recorded}", sanitize(&c.label))
            })
            .collect();
        let mut places: Vec<&str> = live.iter().map(|c| where_to_revoke(&c.kind)).collect();
        places.dedup();
        return Err(CliError::new(format!(
            "Apple still accepts {} of {} exposed credential(s): {}",
            live.len(),
            results.len(),
            labels.join(", ")
        ))
        .hint(format!("revoke it at Apple too: {}", places.join("; "))));
    }
    let done = results
        .iter()
        .filter(|c| {
            matches!(
                c.verdict,
                Verdict::Rejected { .. } | Verdict::NotAccepted { .. }
            )
        })
        .count();
    if done == results.len() {
        say(&format!(
            "Apple accepts none of the {done} exposed credential(s): revoked at Apple"
        ));
        return Ok(());
    }
    finish(
        &results
            .iter()
            .filter(|c| {
                !matches!(
                    c.verdict,
                    Verdict::Rejected { .. } | Verdict::NotAccepted { .. }
                )
            })
            .cloned()
            .collect::<Vec<_>>(),
        false,
    )
}

/// The labels `--mark-revoked` revokes: every rejected entry, and each
/// entry Apple did not accept that the user confirms at the terminal (or
/// all of them with `--yes`). Without a terminal or `--yes`, nothing at all
/// is marked and the command stops: a 401 is no proof of revocation, and a
/// revocation cannot be undone by any command.
fn choose(results: &[Checked], yes: bool) -> CliResult<Vec<String>> {
    let mut out: Vec<String> = results
        .iter()
        .filter(|c| !c.revoked && matches!(c.verdict, Verdict::Rejected { .. }))
        .map(|c| c.label.clone())
        .collect();
    // Entries recorded revoked already (`verify --exposed`) stay as they are.
    for c in results
        .iter()
        .filter(|c| !c.revoked && matches!(c.verdict, Verdict::NotAccepted { .. }))
    {
        let question = format!(
            "Apple did not accept {} {:?} ({}). Mark it revoked for good?",
            c.kind,
            sanitize(&c.label),
            sanitize(&c.verdict.to_string())
        );
        if !yes && terminal().is_none() {
            return Err(CliError::usage(format!(
                "--mark-revoked asks before revoking {:?}: Apple did not accept it, which may be a \
                 wrong key id or issuer id rather than a revoked key; there is no terminal to ask",
                sanitize(&c.label)
            ))
            .hint("check the key id and issuer id; pass --yes to mark it revoked without asking"));
        }
        let sure = confirm(&question, yes)?;
        if sure {
            out.push(c.label.clone());
        }
    }
    Ok(out)
}

/// The exit status: 6 if Apple rejected or did not accept any (even when
/// marked), else 1 for a clock far off, else 7 if any was unreachable.
fn finish(results: &[Checked], mark_revoked: bool) -> CliResult {
    let count = |f: fn(&Verdict) -> bool| results.iter().filter(|c| f(&c.verdict)).count();
    let labels = |f: fn(&Verdict) -> bool| {
        results
            .iter()
            .filter(|c| f(&c.verdict))
            .map(|c| sanitize(&c.label))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let is_rejected = |v: &Verdict| matches!(v, Verdict::Rejected { .. });
    let is_not_accepted = |v: &Verdict| matches!(v, Verdict::NotAccepted { .. });
    let (rejected, not_accepted) = (count(is_rejected), count(is_not_accepted));
    if rejected + not_accepted > 0 {
        let n = results.len();
        let rejected_part = format!(
            "rejected {rejected} of {n} credential(s): {}",
            labels(is_rejected)
        );
        let not_accepted_part = format!(
            "did not accept {not_accepted} of {n} credential(s): {}",
            labels(is_not_accepted)
        );
        let line = match (rejected > 0, not_accepted > 0) {
            (true, true) => format!("Apple {rejected_part}; {not_accepted_part}"),
            (true, false) => format!("Apple {rejected_part}"),
            _ => format!("Apple {not_accepted_part}"),
        };
        let mut err = CliError::new(line).code(ExitStatus::Refused);
        if not_accepted > 0 {
            // Never `--mark-revoked` here: a typo in the issuer id gets the
            // same 401 as a revoked key.
            err = err.hint(
                "an API key Apple does not accept has a wrong key id or issuer id, or was \
                 revoked at Apple: compare them with App Store Connect (Users and Access → \
                 Integrations)",
            );
        } else if !mark_revoked {
            err = err.hint("`ascvault verify --mark-revoked` records that in the vault");
        }
        return Err(err);
    }
    if results
        .iter()
        .any(|c| matches!(c.verdict, Verdict::ClockOff { .. }))
    {
        return Err(CliError::new(
            "this computer's clock is off Apple's: API keys cannot be checked until it is set",
        )
        .hint("set the clock (turn on network time), then verify again"));
    }
    let unreachable = results
        .iter()
        .filter(|c| matches!(c.verdict, Verdict::Unreachable { .. }))
        .count();
    if unreachable > 0 {
        return Err(CliError::new(format!(
            "could not check {unreachable} of {} credential(s)",
            results.len()
        ))
        .code(ExitStatus::Network)
        .hint("check the network connection, --api-base and ASCVAULT_CONTENT_DELIVERY_BASE"));
    }
    Ok(())
}
