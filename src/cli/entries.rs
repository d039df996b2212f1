//! Commands that manage entries: init, add, list, show, revoke, remove,
//! relabel, note, edit, default, passwd.

use serde_json::{Value, json};

use super::args::asc::NetArgs;
use super::args::entries::{
    AddApiKeyArgs, AddPasswordArgs, DefaultArgs, EditArgs, InitArgs, ListArgs, NoteArgs,
    PasswdArgs, RelabelArgs, RemoveArgs, RevokeArgs, ShowArgs, TeamArgs,
};
use super::context::{Context, suggest};
use super::error::{CliError, CliResult, ExitStatus};
use super::output::{Table, print, print_json, sanitize, say};
use super::secrets;
use crate::asc::verify::Verdict;
use crate::vault::{
    Container, Document, Entry, EntryEdit, Kind, NewApiKey, NewPassword, Timestamp, VaultError,
    WARN_WORK_FACTOR,
};

pub fn init(ctx: &Context, args: &InitArgs) -> CliResult {
    if args.work_factor < WARN_WORK_FACTOR {
        say(&format!(
            "warning: work factor {} is for test vaults only; the default is {}",
            args.work_factor,
            crate::vault::DEFAULT_WORK_FACTOR
        ));
    }
    // A file or a directory already there, or a missing folder: said
    // before any passphrase is asked.
    ctx.vault.check_new()?;
    let pass = secrets::strong_new_passphrase(
        ctx.passphrase_file.as_deref(),
        true,
        secrets::Strength::new(
            secrets::passphrase_is_typed(ctx.passphrase_file.as_deref()),
            args.weak_passphrase_ok,
        ),
    )?;
    let container = Container {
        armored: !args.binary,
        work_factor: args.work_factor,
    };
    ctx.vault.create(&pass, container)?;
    say(&format!(
        "created {} (work factor {})",
        ctx.vault.path().display(),
        args.work_factor
    ));
    advise_git_setup(ctx.vault.path());
    Ok(())
}

/// A vault created inside a git work tree that `git setup` has not
/// prepared: its lock file (`<vault>.lock`, beside it) is not ignored yet,
/// so `git add -A` would commit it, and git would diff and merge the vault
/// as text. Says so, once, at `init` (README "Git").
fn advise_git_setup(vault: &std::path::Path) {
    let Some(git) = super::git::facts(vault) else {
        return;
    };
    let ours = Some("ascvault");
    if git.diff_attr.as_deref() == ours && git.merge_attr.as_deref() == ours {
        return;
    }
    let name = vault
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    say(&format!(
        "note: this is a git work tree: run `ascvault git setup` before the first commit, so that git \
         ignores the lock file {}.lock beside the vault and diffs and merges the vault entry by entry",
        sanitize(&name)
    ));
}

/// The team fields of `add`, checked before anything is asked.
fn team_edit(team: &TeamArgs) -> Result<EntryEdit, VaultError> {
    Ok(EntryEdit {
        team_id: team.team_id.clone(),
        provider: team.provider.clone(),
        ..EntryEdit::default()
    }
    .normalized()?)
}

pub fn add_password(ctx: &Context, args: &AddPasswordArgs) -> CliResult {
    // Check what can be checked before asking for anything secret.
    crate::vault::credential::check_label(&args.label).map_err(crate::vault::VaultError::from)?;
    crate::vault::credential::check_apple_id(args.apple_id.trim())
        .map_err(crate::vault::VaultError::from)?;
    let team = team_edit(&args.team)?;
    // Unlock and check the label is free before the password is asked.
    let (_, draft) = ctx.unlock(|pass| ctx.vault.draft(pass))?;
    if let Some(taken) = draft.document().find(&args.label) {
        return Err(VaultError::LabelTaken {
            label: taken.label.clone(),
        }
        .into());
    }
    let entry = secrets::checked_password_input(args.password_stdin, |password| {
        let mut entry = NewPassword {
            label: args.label.clone(),
            apple_id: args.apple_id.clone(),
            password,
            note: args.note.clone(),
            skip_format_check: args.no_format_check,
        }
        .into_entry()?;
        team.apply(&mut entry)?;
        Ok(entry)
    })?;
    ctx.vault.commit(draft, |doc| doc.add(entry).map(|_| ()))?;
    say(&format!("added {}", sanitize(&args.label)));
    Ok(())
}

pub fn add_api_key(ctx: &Context, args: &AddApiKeyArgs) -> CliResult {
    // Everything that can be checked before the passphrase is asked.
    crate::vault::credential::check_label(&args.label).map_err(VaultError::from)?;
    let key_id =
        crate::vault::credential::normalize_key_id(&args.key_id).map_err(VaultError::from)?;
    let team = team_edit(&args.team)?;
    if args.verify {
        args.net.api_base.url()?;
    }
    let pem = secrets::read_secret_file(&args.private_key)?;
    confirm_key_id(args, &key_id)?;
    let mut entry = NewApiKey {
        label: args.label.clone(),
        key_id,
        issuer_id: args.issuer_id.clone(),
        private_key: pem,
        vendor_number: args.vendor_number.clone(),
        note: args.note.clone(),
    }
    .into_entry()?;
    team.apply(&mut entry)?;
    if !args.verify {
        ctx.update(|doc| doc.add(entry).map(|_| ()))?;
        say(&format!("added {}", sanitize(&args.label)));
        return Ok(());
    }
    // Unlock and check the vault would take the entry before asking Apple.
    let (_, draft) = ctx.unlock(|pass| ctx.vault.draft(pass))?;
    draft.document().clone().add(entry.clone())?;
    verify_new_key(ctx, &args.net, &entry)?;
    ctx.vault.commit(draft, |doc| doc.add(entry).map(|_| ()))?;
    say(&format!("added {}", sanitize(&args.label)));
    Ok(())
}

/// A `--key-id` that contradicts the `AuthKey_<KEYID>.p8` file name is
/// stored only when the user says so (or `--yes`): the name is the id App
/// Store Connect gave the key.
fn confirm_key_id(args: &AddApiKeyArgs, key_id: &str) -> CliResult {
    let Some(in_name) = args
        .private_key
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(crate::vault::credential::key_id_from_file_name)
    else {
        return Ok(());
    };
    if in_name == key_id || args.yes {
        return Ok(());
    }
    let what = format!("--key-id {key_id} contradicts the file name AuthKey_{in_name}.p8");
    let hint = format!(
        "App Store Connect names the file after the key's id: use --key-id {in_name}, or --yes to store it as {key_id} anyway"
    );
    if super::source::terminal().is_none() {
        return Err(CliError::usage(what).hint(hint));
    }
    say(&format!("{what}."));
    if !secrets::confirm(&format!("Store the key with key id {key_id}?"), false)? {
        return Err(CliError::declined("nothing added").hint(hint));
    }
    Ok(())
}

/// `add api-key --verify`: asks App Store Connect about the key; anything
/// but an acceptance stops the command before anything is stored — a
/// refusal with exit 6, no answer with exit 7.
fn verify_new_key(ctx: &Context, net: &NetArgs, entry: &Entry) -> CliResult {
    let key = super::asc::api_key_of(entry)?;
    let observer = super::asc::observer(ctx.verbose);
    let verdict =
        crate::asc::verify::api_key(&net.api_base.url()?, &key, &net.settings(), Some(&observer));
    let said = sanitize(&verdict.to_string());
    match verdict {
        Verdict::Valid { .. } => {
            say(&if said.is_empty() {
                "App Store Connect accepted the key".to_owned()
            } else {
                format!("App Store Connect accepted the key ({said})")
            });
            Ok(())
        }
        Verdict::Unreachable { .. } => Err(CliError::new(format!(
            "could not ask App Store Connect about the key ({said}): nothing stored"
        ))
        .code(ExitStatus::Network)
        .hint("try again later, or add it without --verify and run `ascvault verify LABEL` once Apple answers")),
        Verdict::Rejected { .. } | Verdict::NotAccepted { .. } | Verdict::ClockOff { .. } => {
            Err(CliError::new(format!(
                "App Store Connect did not accept the key ({said}): nothing stored"
            ))
            .code(ExitStatus::Refused)
            .hint("check --key-id and --issuer-id against App Store Connect → Users and Access → Integrations"))
        }
    }
}

fn status(e: &Entry) -> String {
    match e.revoked_at {
        Some(at) if e.revoked => format!("revoked {}", at.date()),
        _ => "active".into(),
    }
}

/// Whether `e` is the vault's default api-key entry.
fn is_default(doc: &Document, e: &Entry) -> bool {
    doc.default_api_key().is_some_and(|d| d.id == e.id)
}

/// The `--json` record of an entry (no secret). Field names are a contract.
fn entry_json(doc: &Document, e: &Entry) -> Value {
    json!({
        "id": e.id,
        "label": e.label,
        "kind": e.kind.as_str(),
        "account": e.account(),
        "created": e.created.rfc3339(),
        "revoked": e.revoked,
        "revoked_at": e.revoked_at.map(|t| t.rfc3339()),
        "note": e.note,
        "default": is_default(doc, e),
    })
}

pub fn list(ctx: &Context, args: &ListArgs) -> CliResult {
    let doc = ctx.open()?.document;
    let shown = doc.entries.iter().filter(|e| args.all || !e.revoked);
    if args.json {
        return print_json(&Value::Array(shown.map(|e| entry_json(&doc, e)).collect()));
    }
    let mut table = Table::new(&["LABEL", "KIND", "ACCOUNT", "CREATED", "STATUS"]);
    for e in shown {
        table.row(vec![
            e.label.clone(),
            e.kind.to_string(),
            e.account().to_owned(),
            e.created.date(),
            if is_default(&doc, e) {
                format!("{} (default)", status(e))
            } else {
                status(e)
            },
        ]);
    }
    if table.is_empty() {
        let hidden = doc.entries.iter().filter(|e| e.revoked).count();
        say(&if hidden > 0 {
            format!("no active entries ({hidden} revoked: --all shows them)")
        } else {
            "the vault is empty: `ascvault add password` or `ascvault add api-key` adds one".into()
        });
        return Ok(());
    }
    print(&table.render())
}

pub fn show(ctx: &Context, args: &ShowArgs) -> CliResult {
    let doc = ctx.open()?.document;
    let e = doc.get(&args.label).map_err(|e| suggest(e, &doc))?;
    if args.json {
        let mut v = entry_json(&doc, e);
        if let Value::Object(map) = &mut v {
            let extra: [(&str, Option<&String>); 6] = [
                ("apple_id", e.apple_id.as_ref()),
                ("key_id", e.key_id.as_ref()),
                ("issuer_id", e.issuer_id.as_ref()),
                ("vendor_number", e.vendor_number.as_ref()),
                ("team_id", e.team_id.as_ref()),
                ("provider", e.provider.as_ref()),
            ];
            for (k, val) in extra {
                if let Some(val) = val {
                    map.insert(k.into(), json!(val));
                }
            }
            if args.reveal {
                map.insert("secret".into(), json!(e.secret().map(|s| s.expose())));
            }
        }
        if !args.reveal {
            return print_json(&v);
        }
        // The record holds the secret: wipe the rendered text and the value.
        let mut text = zeroize::Zeroizing::new(super::output::json_text(&v)?);
        text.push('\n');
        let printed = print(&text);
        if let Some(Value::String(secret)) = v.get_mut("secret") {
            zeroize::Zeroize::zeroize(secret);
        }
        return printed;
    }
    if args.reveal {
        let secret = e.secret().ok_or_else(|| {
            CliError::new(format!(
                "entry {:?} holds no secret this version knows",
                e.label
            ))
        })?;
        let mut text = zeroize::Zeroizing::new(secret.expose().to_owned());
        if !text.ends_with('\n') {
            text.push('\n');
        }
        return print(&text);
    }
    let mut lines = vec![
        ("label", e.label.clone()),
        ("kind", e.kind.to_string()),
        ("id", e.id.clone()),
    ];
    match e.kind {
        Kind::AppSpecificPassword => {
            lines.push(("apple id", e.apple_id.clone().unwrap_or_default()))
        }
        Kind::ApiKey => {
            lines.push(("key id", e.key_id.clone().unwrap_or_default()));
            lines.push((
                "issuer id",
                e.issuer_id
                    .clone()
                    .unwrap_or_else(|| "(individual key)".into()),
            ));
            if let Some(v) = &e.vendor_number {
                lines.push(("vendor number", v.clone()));
            }
        }
        Kind::Other(_) => {}
    }
    if let Some(t) = &e.team_id {
        lines.push(("team id", t.clone()));
    }
    if let Some(p) = &e.provider {
        lines.push(("provider", p.clone()));
    }
    lines.push(("created", e.created.rfc3339()));
    lines.push(("status", status(e)));
    if is_default(&doc, e) {
        lines.push((
            "default",
            "yes (App Store Connect commands use it without --entry)".into(),
        ));
    }
    if let Some(n) = &e.note {
        lines.push(("note", n.clone()));
    }
    // The longest name ("vendor number:") still gets its space.
    let mut out = String::new();
    for (k, v) in lines {
        out.push_str(&format!("{:<15}{}\n", format!("{k}:"), sanitize(&v)));
    }
    print(&out)
}

/// Where a credential of this kind is revoked at Apple: `revoke` and the
/// offboarding list of `member remove` say it in the same words.
pub(super) fn where_to_revoke(kind: &Kind) -> &'static str {
    match kind {
        Kind::ApiKey => {
            "App Store Connect → Users and Access → Integrations → App Store Connect API"
        }
        Kind::AppSpecificPassword => {
            "Apple Account (account.apple.com) → Sign-In and Security → App-Specific Passwords"
        }
        Kind::Other(_) => "wherever it was issued (a kind this version does not know)",
    }
}

/// Where the entry the user confirmed a change to is now: found by id, not
/// label, so a relabel by another writer while the question waited cannot
/// redirect the change (spec/FORMAT.md §6). Gone, or holding another
/// credential by now: an error, and nothing changes.
fn confirmed(doc: &Document, asked: &Entry) -> Result<usize, VaultError> {
    let short: String = asked.id.chars().take(8).collect();
    let i = doc
        .entries
        .iter()
        .position(|e| e.id == asked.id)
        .ok_or_else(|| VaultError::EntryGone {
            label: asked.label.clone(),
            id: short.clone(),
        })?;
    let now = &doc.entries[i];
    if now.kind != asked.kind || now.account() != asked.account() || now.secret() != asked.secret()
    {
        return Err(VaultError::EntryChanged {
            label: asked.label.clone(),
            id: short,
        });
    }
    Ok(i)
}

pub fn revoke(ctx: &Context, args: &RevokeArgs) -> CliResult {
    let now = Timestamp::now();
    if args.all {
        return revoke_all(ctx, args.yes, now);
    }
    let label = args.label.as_deref().unwrap_or_default();
    let (changed, kind, label) = if args.yes {
        ctx.update(|doc| {
            // A team vault's tombstone (spec/FORMAT.md §3.9).
            if let Some(done) = super::team::revoke_removed(doc, label, now) {
                return Ok(done);
            }
            let kind = doc.get(label)?.kind.clone();
            Ok((doc.revoke(label, now)?, kind, label.to_owned()))
        })?
    } else {
        // Look the entry up before asking, so a typo fails without a
        // question; the answer applies to the entry asked about, by id.
        let (_, draft) = ctx.unlock(|pass| ctx.vault.draft(pass))?;
        if let Some(found) = super::team::removed_label(draft.document(), label) {
            if !secrets::confirm(
                &format!(
                    "Record {} (removed from the vault) as revoked?",
                    sanitize(&found)
                ),
                false,
            )? {
                return Err(CliError::declined("nothing revoked"));
            }
            let done = ctx.vault.commit(draft, |doc| {
                super::team::revoke_removed(doc, label, now)
                    .ok_or(VaultError::NoSuchEntry { label: found })
            })?;
            return revoked(done);
        }
        let asked = draft
            .document()
            .get(label)
            .map_err(|e| suggest(e, draft.document()))?
            .clone();
        if !asked.revoked
            && !secrets::confirm(&format!("Revoke {}?", sanitize(&asked.label)), false)?
        {
            return Err(CliError::declined("nothing revoked"));
        }
        ctx.vault.commit(draft, |doc| {
            let i = confirmed(doc, &asked)?;
            let e = &mut doc.entries[i];
            let was = e.revoked;
            e.revoke(now);
            Ok((!was, e.kind.clone(), e.label.clone()))
        })?
    };
    revoked((changed, kind, label))
}

/// What `revoke LABEL` says: done, and where to revoke it at Apple too.
fn revoked((changed, kind, label): (bool, Kind, String)) -> CliResult {
    if !changed {
        say(&format!("{} was already revoked", sanitize(&label)));
        return Ok(());
    }
    say(&format!("revoked {}", sanitize(&label)));
    say(&format!(
        "revoke it at Apple too: {}",
        where_to_revoke(&kind)
    ));
    Ok(())
}

/// `revoke --all`: says how many active entries there are and which,
/// then asks (unless `--yes`); the answer applies to those entries, by id,
/// not to any another writer adds meanwhile.
fn revoke_all(ctx: &Context, yes: bool, now: Timestamp) -> CliResult {
    // Without a terminal to ask at, fail before unlocking and listing.
    secrets::can_confirm(yes)?;
    let (_, draft) = ctx.unlock(|pass| ctx.vault.draft(pass))?;
    let asked: Vec<Entry> = draft
        .document()
        .entries
        .iter()
        .filter(|e| !e.revoked)
        .cloned()
        .collect();
    if asked.is_empty() {
        say("no active entries: nothing to revoke");
        return Ok(());
    }
    let labels = asked
        .iter()
        .map(|e| sanitize(&e.label))
        .collect::<Vec<_>>()
        .join(", ");
    let count = match asked.len() {
        1 => "1 active entry".to_owned(),
        n => format!("{n} active entries"),
    };
    if !yes {
        say(&format!("{count}: {labels}"));
        let question = if asked.len() == 1 {
            format!("Revoke {count}?")
        } else {
            format!("Revoke all {count}?")
        };
        if !secrets::confirm(&question, false)? {
            return Err(CliError::declined("nothing revoked"));
        }
    }
    let kinds = ctx.vault.commit(draft, |doc| {
        let mut kinds = Vec::new();
        for e in &asked {
            let i = confirmed(doc, e)?;
            let now_entry = &mut doc.entries[i];
            if !now_entry.revoked {
                now_entry.revoke(now);
                kinds.push(now_entry.kind.clone());
            }
        }
        Ok(kinds)
    })?;
    say(&format!(
        "revoked {}: {labels}",
        match kinds.len() {
            1 => "1 entry".to_owned(),
            n => format!("{n} entries"),
        }
    ));
    if kinds.contains(&Kind::AppSpecificPassword) {
        say(&format!(
            "revoke it at Apple too: {} (\"Revoke All\" there as well)",
            where_to_revoke(&Kind::AppSpecificPassword)
        ));
    }
    if kinds.contains(&Kind::ApiKey) {
        say(&format!(
            "revoke it at Apple too: {}",
            where_to_revoke(&Kind::ApiKey)
        ));
    }
    Ok(())
}

pub fn remove(ctx: &Context, args: &RemoveArgs) -> CliResult {
    let removed = if args.yes {
        ctx.update(|doc| doc.remove(&args.label))?
    } else {
        let (_, draft) = ctx.unlock(|pass| ctx.vault.draft(pass))?;
        let asked = draft
            .document()
            .get(&args.label)
            .map_err(|e| suggest(e, draft.document()))?
            .clone();
        if !secrets::confirm(
            &format!("Delete {} for good?", sanitize(&asked.label)),
            false,
        )? {
            return Err(CliError::declined("nothing removed"));
        }
        ctx.vault.commit(draft, |doc| {
            let i = confirmed(doc, &asked)?;
            // Through `Document::remove`: a team vault keeps a tombstone.
            let label = doc.entries[i].label.clone();
            doc.remove(&label)
        })?
    };
    say(&format!("removed {}", sanitize(&removed.label)));
    if !removed.revoked {
        say("removing it here does not revoke it at Apple: `ascvault revoke` records that you did");
    }
    Ok(())
}

pub fn relabel(ctx: &Context, args: &RelabelArgs) -> CliResult {
    ctx.update(|doc| doc.relabel(&args.old, &args.new))?;
    say(&format!(
        "relabelled {} as {}",
        sanitize(&args.old),
        sanitize(&args.new)
    ));
    Ok(())
}

pub fn note(ctx: &Context, args: &NoteArgs) -> CliResult {
    ctx.update(|doc| doc.set_note(&args.label, &args.text))
}

pub fn edit(ctx: &Context, args: &EditArgs) -> CliResult {
    let edit = EntryEdit {
        apple_id: args.apple_id.clone(),
        issuer_id: args.issuer_id.clone(),
        key_id: args.key_id.clone(),
        vendor_number: args.vendor_number.clone(),
        team_id: args.team_id.clone(),
        provider: args.provider.clone(),
        note: args.note.clone(),
    };
    if edit.is_empty() {
        return Err(CliError::usage("nothing to change").hint(
            "name a field: --apple-id, --issuer-id, --key-id, --vendor-number, --team-id, --provider or --note",
        ));
    }
    // Bad values fail before the passphrase is asked.
    let edit = edit.normalized().map_err(VaultError::from)?;
    let (changed, label) = ctx.update(|doc| {
        let changed = doc.edit(&args.label, &edit)?;
        Ok((changed, doc.get(&args.label)?.label.clone()))
    })?;
    say(&if changed.is_empty() {
        format!("{} already had those values", sanitize(&label))
    } else {
        format!("edited {}: {}", sanitize(&label), changed.join(", "))
    });
    Ok(())
}

pub fn default(ctx: &Context, args: &DefaultArgs) -> CliResult {
    if let Some(label) = &args.label {
        let label = ctx.update(|doc| Ok(doc.set_default_api_key(label)?.label.clone()))?;
        say(&format!(
            "{} is the default api-key entry",
            sanitize(&label)
        ));
        return Ok(());
    }
    if args.clear {
        match ctx.update(|doc| Ok(doc.clear_default_api_key()))? {
            Some(was) => say(&format!(
                "cleared the default api-key entry (was {})",
                sanitize(&was.label)
            )),
            None => say("there was no default api-key entry"),
        }
        return Ok(());
    }
    let doc = ctx.open()?.document;
    match doc.default_api_key() {
        Some(e) => print(&format!("{}\n", sanitize(&e.label))),
        None => {
            say("no default api-key entry: `ascvault default LABEL` sets one");
            Ok(())
        }
    }
}

pub fn passwd(ctx: &Context, args: &PasswdArgs) -> CliResult {
    // Raising the work factor is what the weak-vault warning advises: no
    // need to say it while doing it.
    let vault = match args.work_factor {
        Some(wf) if wf >= WARN_WORK_FACTOR => ctx.vault.clone().on_unlock(|_| {}),
        _ => ctx.vault.clone(),
    };
    // Check the old passphrase before asking for a new one.
    let (old, unlocked) = ctx.unlock(|pass| vault.open(pass))?;
    let Some(before) = unlocked.container() else {
        return Err(VaultError::NotTeam(
            "a team vault has no vault passphrase: each member changes their own with `ascvault identity passwd NAME`",
        )
        .into());
    };
    // `--work-factor` alone keeps the passphrase: it is the advice of the
    // weak-vault warning, and needs no new secret.
    let new = match (args.work_factor, &args.new_passphrase_file) {
        (Some(_), None) => None,
        _ => Some(secrets::strong_new_passphrase(
            args.new_passphrase_file.as_deref(),
            false,
            secrets::Strength::new(args.new_passphrase_file.is_none(), args.weak_passphrase_ok),
        )?),
    };
    if let Some(wf) = args.work_factor.filter(|wf| *wf < WARN_WORK_FACTOR) {
        say(&format!(
            "warning: work factor {wf} is for test vaults only; the default is {}",
            crate::vault::DEFAULT_WORK_FACTOR
        ));
    }
    vault.rekey(&old, new.as_ref(), args.work_factor)?;
    if let Some(wf) = args.work_factor {
        say(&format!(
            "work factor changed from {} to {wf}",
            before.work_factor
        ));
    }
    if new.is_some() {
        say("passphrase changed");
        say("old copies of the vault (git history, backups) still open with the old passphrase");
    } else {
        say("old copies of the vault (git history, backups) keep their old work factor");
    }
    Ok(())
}
