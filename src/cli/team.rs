//! Team vaults (format 1.2; README "Team vaults"): `init --team`,
//! `identity new|passwd`, `member add|list|remove` and `convert`.

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::json;

use super::args::entries::InitArgs;
use super::args::team::{
    ConvertArgs, IdentityNewArgs, IdentityPasswdArgs, MemberAddArgs, MemberListArgs,
    MemberRemoveArgs,
};
use super::context::Context;
use super::entries::where_to_revoke;
use super::error::{CliError, CliResult};
use super::output::{Table, print, print_json, say};
use super::sanitize::sanitize;
use super::secrets::{self, Strength};
use crate::vault::hygiene::{Readable, readable_by};
use crate::vault::team::identity_file;
use crate::vault::{
    Document, Header, Identity, Kind, Member, Recipient, Timestamp, Unlock, VaultError,
    WARN_WORK_FACTOR, check_member_name, crypto,
};

/// The member name a command that creates one takes from the global
/// `--member` (or `ASCVAULT_MEMBER`).
fn new_member_name(ctx: &Context, what: &str) -> CliResult<String> {
    let name = ctx.member.clone().ok_or_else(|| {
        CliError::usage(format!("{what} needs the first member's name"))
            .hint("pass --member NAME (letters, digits, '.', '_' or '-')")
    })?;
    check_member_name(&name).map_err(VaultError::from)?;
    Ok(name)
}

fn warn_work_factor(work_factor: u8) {
    if work_factor < WARN_WORK_FACTOR {
        say(&format!(
            "warning: work factor {work_factor} is for test identity files only; the default is {}",
            crate::vault::DEFAULT_WORK_FACTOR
        ));
    }
}

/// A member's new identity passphrase, strong enough (or insisted on).
fn new_identity_passphrase(
    name: &str,
    file: Option<&Path>,
    from_env: bool,
    weak_ok: bool,
) -> CliResult<crate::vault::Secret> {
    let typed =
        file.is_none() && !(from_env && std::env::var_os(secrets::PASSPHRASE_ENV).is_some());
    if typed {
        super::source::tell(&format!(
            "Choose the passphrase of member {name}'s identity."
        ));
    }
    secrets::strong_new_passphrase(file, from_env, Strength::new(typed, weak_ok))
}

/// Creates `name`'s identity file (and its `.pub`) beside the vault.
fn create_identity(
    ctx: &Context,
    name: &str,
    pass: &crate::vault::Secret,
    work_factor: u8,
) -> CliResult<(Recipient, PathBuf)> {
    let (identity, path) = identity_file::create(ctx.vault.path(), name, pass, work_factor)?;
    let recipient = identity
        .recipient()
        .ok_or_else(|| CliError::new("the new identity has no recipient"))?;
    let public = identity_file::public_path(&path);
    fs::write(&public, format!("{recipient}\n"))
        .map_err(|e| VaultError::io("writing", &public, e))?;
    Ok((recipient, path))
}

/// Removes an identity file (and its `.pub`) made for a vault that was not
/// written after all.
fn undo_identity(path: &Path) {
    let _ = fs::remove_file(path);
    let _ = fs::remove_file(identity_file::public_path(path));
}

/// `init --team --member NAME`
pub fn init_team(ctx: &Context, args: &InitArgs) -> CliResult {
    ctx.vault.check_new()?;
    let name = new_member_name(ctx, "init --team")?;
    let id_path = identity_file::path_for(ctx.vault.path(), &name);
    if id_path.exists() {
        return Err(VaultError::AlreadyExists { path: id_path }.into());
    }
    warn_work_factor(args.work_factor);
    let pass = new_identity_passphrase(
        &name,
        ctx.passphrase_file.as_deref(),
        true,
        args.weak_passphrase_ok,
    )?;
    let (recipient, path) = create_identity(ctx, &name, &pass, args.work_factor)?;
    let member = Member::new(&name, &recipient, "").map_err(VaultError::from)?;
    if let Err(e) = ctx.vault.create_team(member, !args.binary) {
        undo_identity(&path);
        return Err(e.into());
    }
    say(&format!(
        "created team vault {} with member {name} (identity file {}, work factor {})",
        ctx.vault.path().display(),
        path.display(),
        args.work_factor
    ));
    say(&format!("{name}'s recipient: {recipient}"));
    Ok(())
}

/// `identity new NAME`: prints the recipient on stdout.
pub fn identity_new(ctx: &Context, args: &IdentityNewArgs) -> CliResult {
    check_member_name(&args.name).map_err(VaultError::from)?;
    let id_path = identity_file::path_for(ctx.vault.path(), &args.name);
    if id_path.exists() {
        return Err(CliError::from(VaultError::AlreadyExists { path: id_path })
            .hint("`ascvault identity passwd NAME` changes its passphrase"));
    }
    warn_work_factor(args.work_factor);
    let pass = new_identity_passphrase(
        &args.name,
        args.new_passphrase_file.as_deref(),
        true,
        args.weak_passphrase_ok,
    )?;
    let (recipient, path) = create_identity(ctx, &args.name, &pass, args.work_factor)?;
    say(&format!(
        "created {} (commit it); a member adds you with `ascvault member add {} --identity-file {}`",
        path.display(),
        args.name,
        path.display()
    ));
    print(&format!("{recipient}\n"))
}

/// `identity passwd NAME`
pub fn identity_passwd(ctx: &Context, args: &IdentityPasswdArgs) -> CliResult {
    check_member_name(&args.name).map_err(VaultError::from)?;
    let path = identity_file::path_for(ctx.vault.path(), &args.name);
    if !path.exists() {
        return Err(VaultError::NoSuchMember {
            name: args.name.clone(),
        }
        .into());
    }
    // Check the old passphrase before asking for a new one.
    let label = format!("member {}", args.name);
    let old = ctx.with_passphrase(&label, |pass| {
        identity_file::open_path(&path, pass).map(|_| pass.clone())
    })?;
    if let Some(wf) = args.work_factor {
        warn_work_factor(wf);
    }
    let new = new_identity_passphrase(
        &args.name,
        args.new_passphrase_file.as_deref(),
        false,
        args.weak_passphrase_ok,
    )?;
    identity_file::passwd(ctx.vault.path(), &args.name, &old, &new, args.work_factor)?;
    say(&format!(
        "passphrase of {} changed; the vault is unchanged",
        path.display()
    ));
    say("old copies of the identity file (git history) still open with the old passphrase");
    Ok(())
}

/// Fails unless the vault is a team vault (before any passphrase is asked).
fn require_team(ctx: &Context) -> CliResult {
    let bytes = ctx.vault.read_bytes()?;
    match crypto::header(&bytes) {
        Ok(Header::Team(_)) => Ok(()),
        Ok(Header::Passphrase(_)) => Err(CliError::new(format!(
            "{} is a passphrase vault: it has no members",
            ctx.vault.path().display()
        ))
        .hint("make it a team vault first: `ascvault convert --to-team --member NAME`")),
        Err(source) => Err(VaultError::Unlock {
            path: ctx.vault.path().to_owned(),
            source,
        }
        .into()),
    }
}

/// The member the key belongs to (their recipient is one of the key's), or
/// `""` when none is listed (a key not among the members cannot open the
/// vault, so that happens only for SSH keys whose public half age cannot
/// derive).
fn acting_member(doc: &Document, key: &Unlock) -> String {
    let Unlock::Identities(ids) = key else {
        return String::new();
    };
    let mine: Vec<String> = ids
        .iter()
        .filter_map(Identity::recipient)
        .map(|r| r.to_string())
        .collect();
    doc.members
        .iter()
        .find(|m| mine.contains(&m.recipient))
        .map(|m| m.name.clone())
        .unwrap_or_default()
}

/// The recipient `member add` was given, in one of its three forms.
fn recipient_of(args: &MemberAddArgs) -> CliResult<Recipient> {
    let read = |path: &Path| -> CliResult<String> {
        fs::read_to_string(path)
            .map_err(|e| CliError::new(format!("cannot read {}: {e}", path.display())))
    };
    let text = if let Some(r) = &args.recipient {
        r.clone()
    } else if let Some(path) = &args.ssh_key {
        let text = read(path)?;
        if text.contains("PRIVATE KEY") {
            return Err(CliError::new(format!(
                "{} is a private key: give the public key (the .pub file)",
                path.display()
            )));
        }
        text.lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or_default()
            .to_owned()
    } else if let Some(path) = &args.identity_file {
        let public = identity_file::public_path(path);
        read(&public).map_err(|e| {
            e.hint(format!(
                "`ascvault identity new` writes the recipient beside the identity file; \
                 else ask {} for it and pass --recipient",
                args.name
            ))
        })?
    } else {
        return Err(CliError::usage(
            "say which key: --recipient, --ssh-key or --identity-file",
        ));
    };
    Ok(text.trim().parse().map_err(VaultError::from)?)
}

/// `member add NAME --recipient R | --ssh-key FILE.pub | --identity-file FILE.age`
pub fn member_add(ctx: &Context, args: &MemberAddArgs) -> CliResult {
    check_member_name(&args.name).map_err(VaultError::from)?;
    let recipient = recipient_of(args)?;
    require_team(ctx)?;
    let (key, draft) = ctx.unlock(|k| ctx.vault.draft(k))?;
    let by = acting_member(draft.document(), &key);
    let count = ctx.vault.commit(draft, |doc| {
        doc.add_member(Member::new(&args.name, &recipient, &by)?)?;
        Ok(doc.members.len())
    })?;
    say(&format!(
        "added member {} ({} {}); the vault is now encrypted to {count} member(s)",
        args.name,
        recipient.kind().as_str(),
        recipient.fingerprint()
    ));
    Ok(())
}

/// `member list [--json]`
pub fn member_list(ctx: &Context, args: &MemberListArgs) -> CliResult {
    let doc = ctx.open()?.document;
    let rows: Vec<(&Member, Option<Recipient>)> = doc
        .members
        .iter()
        .map(|m| (m, m.recipient().ok()))
        .collect();
    if args.json {
        let list = rows
            .iter()
            .map(|(m, r)| {
                json!({
                    "name": m.name,
                    "kind": r.as_ref().map(|r| r.kind().as_str()),
                    "recipient": m.recipient,
                    "fingerprint": r.as_ref().map(Recipient::fingerprint),
                    "added": m.added.rfc3339(),
                    "added_by": m.added_by,
                })
            })
            .collect();
        return print_json(&serde_json::Value::Array(list));
    }
    if rows.is_empty() {
        say(
            "this is a passphrase vault: it has no members (`ascvault convert --to-team` makes it a team vault)",
        );
        return Ok(());
    }
    let mut table = Table::new(&["NAME", "KIND", "FINGERPRINT", "ADDED", "ADDED BY"]);
    for (m, r) in rows {
        table.row(vec![
            sanitize(&m.name),
            r.as_ref().map_or("?", |r| r.kind().as_str()).to_owned(),
            r.as_ref().map(Recipient::fingerprint).unwrap_or_default(),
            m.added.date(),
            if m.added_by.is_empty() {
                "-".into()
            } else {
                sanitize(&m.added_by)
            },
        ]);
    }
    print(&table.render())
}

/// `member remove NAME`: re-encrypts without the member, lists every
/// credential they could read (spec/FORMAT.md §3.8) with where to revoke
/// it at Apple, and marks those exposed.
pub fn member_remove(ctx: &Context, args: &MemberRemoveArgs) -> CliResult {
    require_team(ctx)?;
    let now = Timestamp::now();
    let (removed, count, readable) = ctx.update(|doc| {
        let removed = doc.remove_member(&args.name)?;
        let readable = readable_by(doc, &removed);
        for r in &readable {
            doc.mark_exposed(&r.id, &removed.name, now);
        }
        Ok((removed, doc.members.len(), readable))
    })?;
    let name = sanitize(&removed.name);
    say(&format!(
        "removed member {name}; the vault is now encrypted to {count} member(s)"
    ));
    print(&offboarding_list(&name, &removed, now, &readable))?;
    say(&format!(
        "{name} keeps whatever was in git history: every older version of the vault still          opens with their identity. Only revoking at Apple what they could read closes that."
    ));
    if readable.iter().any(Readable::live) {
        say(
            "these are marked exposed in the vault: `ascvault check` reports each one until it              is revoked (revoke it at Apple, then `ascvault revoke LABEL`;              `ascvault verify --exposed` asks Apple whether they still work)",
        );
    }
    Ok(())
}

/// The offboarding list on stdout: every credential the member could read,
/// with where to revoke it at Apple in the words `revoke` uses.
fn offboarding_list(name: &str, member: &Member, now: Timestamp, list: &[Readable]) -> String {
    let mut out = format!(
        "{name} could read {} credential(s) (a member from {} to {}):\n",
        list.len(),
        member.added.rfc3339(),
        now.rfc3339()
    );
    for r in list {
        let state = match (r.revoked_at, r.removed_at) {
            (None, None) => "active".to_owned(),
            (Some(at), None) => format!("revoked {}", at.rfc3339()),
            (None, Some(gone)) => format!("removed {}, never recorded revoked", gone.rfc3339()),
            (Some(at), Some(gone)) => {
                format!("revoked {}, removed {}", at.rfc3339(), gone.rfc3339())
            }
        };
        out.push_str(&format!(
            "- {} ({}, {}): {state}\n",
            sanitize(&r.label),
            r.kind,
            sanitize(&r.account)
        ));
        let what = if r.live() {
            "revoke it at Apple too"
        } else {
            "make sure it is revoked at Apple"
        };
        out.push_str(&format!("  {what}: {}\n", where_to_revoke(&r.kind)));
    }
    out
}

/// The label of a tombstone `revoke LABEL` means: no entry has that label
/// (case-insensitively) and a tombstone has (spec/FORMAT.md §3.9).
pub(super) fn removed_label(doc: &Document, label: &str) -> Option<String> {
    if doc.position(label).is_some() {
        return None;
    }
    doc.removed
        .iter()
        .rev()
        .find(|t| t.label.to_lowercase() == label.to_lowercase())
        .map(|t| t.label.clone())
}

/// `revoke LABEL` on a team vault's tombstone: records every tombstone with
/// that label revoked (the credential was revoked at Apple). `None` when
/// LABEL names an entry, or no tombstone. Returns whether one changed, its
/// kind and label.
pub(super) fn revoke_removed(
    doc: &mut Document,
    label: &str,
    at: Timestamp,
) -> Option<(bool, Kind, String)> {
    let found = removed_label(doc, label)?;
    let mut changed = false;
    let mut kind = Kind::AppSpecificPassword;
    for t in doc.removed.iter_mut().filter(|t| t.label == found) {
        kind = t.kind.clone();
        if !t.revoked {
            t.revoked = true;
            t.revoked_at = Some(at);
            changed = true;
        }
    }
    Some((changed, kind, found))
}

/// `convert --to-team --member NAME | --to-passphrase`
pub fn convert(ctx: &Context, args: &ConvertArgs) -> CliResult {
    let bytes = ctx.vault.read_bytes()?;
    let header = crypto::header(&bytes).map_err(|source| VaultError::Unlock {
        path: ctx.vault.path().to_owned(),
        source,
    })?;
    if args.to_team {
        let Header::Passphrase(_) = header else {
            return Err(CliError::new("the vault is already a team vault"));
        };
        let name = new_member_name(ctx, "convert --to-team")?;
        let id_path = identity_file::path_for(ctx.vault.path(), &name);
        if id_path.exists() {
            return Err(VaultError::AlreadyExists { path: id_path }.into());
        }
        // Check the vault passphrase before asking for a new one.
        let (key, ()) = ctx.unlock(|k| ctx.vault.open(k).map(|_| ()))?;
        warn_work_factor(args.work_factor);
        let pass = new_identity_passphrase(
            &name,
            args.new_passphrase_file.as_deref(),
            false,
            args.weak_passphrase_ok,
        )?;
        let (recipient, path) = create_identity(ctx, &name, &pass, args.work_factor)?;
        let member = Member::new(&name, &recipient, "").map_err(VaultError::from)?;
        if let Err(e) = ctx.vault.convert_to_team(&key, member) {
            undo_identity(&path);
            return Err(e.into());
        }
        say(&format!(
            "{} is now a team vault with member {name} (identity file {})",
            ctx.vault.path().display(),
            path.display()
        ));
        say("old copies of the vault (git history, backups) still open with the old passphrase");
        return Ok(());
    }
    let Header::Team(_) = header else {
        return Err(CliError::new("the vault is already a passphrase vault"));
    };
    let (key, ()) = ctx.unlock(|k| ctx.vault.open(k).map(|_| ()))?;
    let new = secrets::strong_new_passphrase(
        args.new_passphrase_file.as_deref(),
        false,
        Strength::new(args.new_passphrase_file.is_none(), args.weak_passphrase_ok),
    )?;
    ctx.vault
        .convert_to_passphrase(&key, &new, args.work_factor)?;
    say(&format!(
        "{} is now a passphrase vault (work factor {}); the member list and tombstones are gone",
        ctx.vault.path().display(),
        args.work_factor
    ));
    say("old copies of the vault (git history) still open with the members' identities");
    Ok(())
}
