//! `ascvault verify`: asks Apple whether each active credential still works,
//! and with `--mark-revoked` records the rejected ones as revoked.

use serde_json::{Value, json};
use url::Url;

use super::args::asc::{NetArgs, VerifyArgs};
use super::asc::{api_key_of, connect, observer};
use super::context::Context;
use super::error::{CliError, CliResult, ExitStatus};
use super::output::{Table, print, print_json, sanitize, say};
use crate::asc::Transport;
use crate::asc::verify::{self, Verdict};
use crate::vault::{Entry, Kind, Timestamp};

struct Checked {
    label: String,
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
    Ok(match e.kind {
        Kind::ApiKey => {
            let client = connect(ctx, net, api_key_of(e)?)?;
            verify::api_key(&client)
        }
        Kind::AppSpecificPassword => {
            let transport = Transport::new(net.settings(), Some(observer(ctx.verbose)))?;
            let (Some(apple_id), Some(password)) = (&e.apple_id, &e.password) else {
                return Err(CliError::new(format!(
                    "entry {:?} lacks its Apple ID or password",
                    sanitize(&e.label)
                )));
            };
            verify::app_password(&transport, content_delivery, apple_id, password)
        }
        Kind::Other(_) => Verdict::Unreachable {
            message: "this version cannot check this kind".into(),
        },
    })
}

pub fn run(ctx: &Context, args: &VerifyArgs) -> CliResult {
    // Check both bases before asking for the passphrase.
    args.net.api_base.url()?;
    let content_delivery = args.content_delivery_base.url()?;
    let pass = ctx.passphrase()?;
    let doc = ctx.vault.open(&pass)?.document;
    let entries: Vec<&Entry> = match &args.label {
        Some(label) => vec![doc.usable(label)?],
        None => doc
            .entries
            .iter()
            .filter(|e| !e.revoked && !matches!(e.kind, Kind::Other(_)))
            .collect(),
    };
    if entries.is_empty() {
        say("no active entries to verify");
        return Ok(());
    }
    let mut results = Vec::new();
    for e in entries {
        ctx.verbose(format!("checking {}", sanitize(&e.label)));
        let verdict = check(ctx, &args.net, &content_delivery, e)?;
        results.push(Checked {
            label: e.label.clone(),
            kind: e.kind.clone(),
            account: e.account().to_owned(),
            verdict,
            marked: false,
        });
    }
    drop(doc);
    let rejected: Vec<String> = results
        .iter()
        .filter(|c| matches!(c.verdict, Verdict::Rejected { .. }))
        .map(|c| c.label.clone())
        .collect();
    if args.mark_revoked && !rejected.is_empty() {
        let now = Timestamp::now();
        let reasons: Vec<(String, String)> = results
            .iter()
            .filter_map(|c| match &c.verdict {
                // Apple's words, stored in the vault and later shown by
                // `list`/`show` and in git diffs: sanitized before storing.
                Verdict::Rejected { .. } => {
                    Some((c.label.clone(), sanitize(&c.verdict.to_string())))
                }
                _ => None,
            })
            .collect();
        ctx.vault.update(&pass, |doc| {
            for (label, why) in &reasons {
                if let Some(entry) = doc.find_mut(label) {
                    entry.revoke(now);
                    let line = format!(
                        "Apple rejected it on {} ({})",
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
            c.marked = rejected.contains(&c.label);
        }
    }
    if args.json {
        let rows: Vec<Value> = results
            .iter()
            .map(|c| {
                let (code, message) = match &c.verdict {
                    Verdict::Valid { detail } => (None, detail.clone()),
                    Verdict::Rejected { code, message } => (code.clone(), Some(message.clone())),
                    Verdict::Unreachable { message } => (None, Some(message.clone())),
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
            let result = if c.marked {
                "rejected (marked revoked)".to_owned()
            } else {
                c.verdict.name().to_owned()
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
    let unreachable = results
        .iter()
        .filter(|c| matches!(c.verdict, Verdict::Unreachable { .. }))
        .count();
    if !rejected.is_empty() {
        let mut err = CliError::new(format!(
            "Apple rejected {} of {} credential(s): {}",
            rejected.len(),
            results.len(),
            rejected
                .iter()
                .map(|l| sanitize(l))
                .collect::<Vec<_>>()
                .join(", ")
        ))
        .code(ExitStatus::Refused);
        if !args.mark_revoked {
            err = err.hint("`ascvault verify --mark-revoked` records that in the vault");
        }
        return Err(err);
    }
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
