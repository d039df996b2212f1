//! The commands git runs and the hygiene report: `textconv` (redacted
//! rendering for diffs), `merge` (three-way merge driver) and `check`
//! (spec/MERGE.md §1, §2, §4); `history` reads the vault's older committed
//! versions for `check`.

use std::fs;
use std::path::Path;

use serde_json::json;

use super::args::asc::NetArgs;
use super::args::git::{CheckArgs, MergeArgs, TextconvArgs};
use super::context::Context;
use super::error::{CliError, CliResult, ExitStatus};
use super::output::{print, print_json, sanitize, say};
use super::secrets::{self, Prompt, SourceError};
use crate::vault::hygiene::{self, Facts};
use crate::vault::merge::Side;
use crate::vault::render;
use crate::vault::team::{LoadedIdentity, identity_file};
use crate::vault::{
    self, Document, FormatError, Header, Identity, Kind, MergeFiles, MergeFilesError, MergeInput,
    OpenError, Secret, Timestamp, Unlock, UnlockError, Unlocked, check_member_name, crypto,
};

mod history;

/// The passphrase without ever prompting: textconv runs once per side of
/// every diff, often while a pager holds the terminal. `Ok(None)` when there
/// is no source (or it is empty); `Err` gives the words for the summary.
fn passphrase_without_prompt(ctx: &Context) -> Result<Option<Secret>, &'static str> {
    match secrets::resolve(ctx.passphrase_file.as_deref(), true, Prompt::Never) {
        Ok(secret) => Ok(Some(secret).filter(|s| !s.is_empty())),
        Err(SourceError::NoSource) => Ok(None),
        Err(e) => Err(e.brief()),
    }
}

/// `textconv FILE`: never prompts, never fails a diff because the file
/// cannot be decrypted (it prints a one-line summary instead). One KDF for
/// a 1.1 file (its fingerprint key is inside), two for a 1.0 file holding a
/// password (spec/MERGE.md §2.2).
pub fn textconv(ctx: &Context, args: &TextconvArgs) -> CliResult {
    let bytes = fs::read(&args.file)
        .map_err(|e| CliError::new(format!("cannot read {}: {e}", args.file.display())))?;
    if let Ok(Header::Team(_)) = crypto::header(&bytes) {
        return textconv_team(ctx, args, &bytes);
    }
    let pass = match passphrase_without_prompt(ctx) {
        Ok(Some(p)) => p,
        Ok(None) => return print(&render::summary(&bytes, "no passphrase source")),
        Err(why) => return print(&render::summary(&bytes, why)),
    };
    let conversion = render::convert(&bytes, &pass);
    if let Some(container) = conversion.decrypted {
        super::context::warn_weak_work_factor(container.work_factor);
    }
    ctx.verbose(format!(
        "textconv {}: {} scrypt run{}",
        sanitize(&args.file.display().to_string()),
        conversion.kdfs,
        if conversion.kdfs == 1 { "" } else { "s" }
    ));
    print(&conversion.text)
}

/// `textconv` of a team vault: the identities from `--identity` /
/// `ASCVAULT_IDENTITY`, else the member's identity file (`--member`,
/// `ASCVAULT_MEMBER`, git config `ascvault.member`) — one KDF when the
/// identity has a passphrase (from a file or the environment, never a
/// prompt), none for a plain identity.
fn textconv_team(ctx: &Context, args: &TextconvArgs, bytes: &[u8]) -> CliResult {
    let (key, kdfs) = match team_key_without_prompt(ctx) {
        Ok(found) => found,
        Err(why) => return print(&render::summary(bytes, &why)),
    };
    let conversion = render::convert_team(bytes, &key);
    ctx.verbose(format!(
        "textconv {}: {kdfs} scrypt run{} (team vault)",
        sanitize(&args.file.display().to_string()),
        if kdfs == 1 { "" } else { "s" }
    ));
    print(&conversion.text)
}

/// A team vault's key for `textconv`, never prompting, and how many KDFs
/// it cost; `Err` gives the words for the summary line.
fn team_key_without_prompt(ctx: &Context) -> Result<(Unlock, u32), String> {
    let passphrase = || match passphrase_without_prompt(ctx) {
        Ok(Some(p)) => Ok(p),
        Ok(None) => Err("no passphrase source for the identity".to_owned()),
        Err(why) => Err(why.to_owned()),
    };
    if let Some(path) = &ctx.identity {
        let bytes = fs::read(path).map_err(|_| "cannot read the identity file".to_owned())?;
        return match Identity::load(&bytes, path).map_err(|e| e.to_string())? {
            LoadedIdentity::Ready(list) => Ok((Unlock::Identities(list), 0)),
            LoadedIdentity::Locked(locked) => {
                let list = locked
                    .unlock(&passphrase()?)
                    .map_err(|e| format!("identity: {e}"))?;
                Ok((Unlock::Identities(list), 1))
            }
        };
    }
    let Some(name) = ctx.member_name() else {
        return Err(
            "no identity: set ASCVAULT_MEMBER, ASCVAULT_IDENTITY or `ascvault git setup --member NAME`"
                .to_owned(),
        );
    };
    if check_member_name(&name).is_err() {
        return Err("the member name is not valid".to_owned());
    }
    let path = identity_file::path_for(ctx.vault.path(), &name);
    if !path.exists() {
        return Err(format!("member {name} has no identity file here"));
    }
    let list = identity_file::open_path(&path, &passphrase()?).map_err(|e| match e {
        vault::VaultError::Unlock { source, .. } => format!("member {name}'s identity: {source}"),
        other => format!("member {name}'s identity: {other}"),
    })?;
    Ok((Unlock::Identities(list), 1))
}

/// The passphrase for the merge driver: like every command's, but the
/// prompt, which comes in the middle of git's output, names the file.
/// Returns whether it was typed at the terminal (only then is a wrong one
/// asked again).
fn merge_passphrase(ctx: &Context, shown: &str) -> CliResult<(Secret, bool)> {
    let (secret, typed) =
        match secrets::resolve(ctx.passphrase_file.as_deref(), true, Prompt::Never) {
            Err(SourceError::NoSource) => (
                super::source::prompt_hidden(&format!(
                    "ascvault merge driver: vault passphrase to merge {}: ",
                    sanitize(shown)
                ))?,
                true,
            ),
            other => (other?, false),
        };
    if secret.is_empty() {
        return Err(CliError::new("the passphrase is empty").code(ExitStatus::Unlock));
    }
    Ok((secret, typed))
}

/// Whether a merge failed because the passphrase does not open our
/// version: the one failure that another try at the prompt can mend.
fn wrong_for_ours(error: &MergeFilesError) -> bool {
    matches!(
        error,
        MergeFilesError::Open {
            input: MergeInput::Ours,
            source: OpenError::Unlock(UnlockError::WrongPassphrase),
        }
    )
}

fn read_side(path: &Path, which: MergeInput) -> CliResult<Vec<u8>> {
    fs::read(path)
        .map_err(|e| CliError::new(format!("cannot read {which} ({}): {e}", path.display())))
}

/// The message, hint and exit status of a merge that did not produce a file.
fn merge_error(error: MergeFilesError, shown: &str) -> CliError {
    match error {
        MergeFilesError::Open {
            input: which,
            source: OpenError::Unlock(e),
        } => {
            let wrong_passphrase = matches!(e, UnlockError::WrongPassphrase);
            let hint = match which {
                MergeInput::Ours if wrong_passphrase => {
                    "check the passphrase (ASCVAULT_PASSPHRASE, --passphrase-file or the prompt)"
                }
                _ if wrong_passphrase => {
                    "the passphrase was changed on one branch only: run `ascvault passwd` so both \
                     branches use one passphrase, commit, and merge again"
                }
                _ => "restore the file from another commit, then merge again",
            };
            let message = if wrong_passphrase && which != MergeInput::Ours {
                format!(
                    "{which} of {shown} does not open with the passphrase that opens our version"
                )
            } else {
                format!("cannot unlock {which} of {shown}: {e}")
            };
            CliError::new(message).hint(hint).code(ExitStatus::Unlock)
        }
        MergeFilesError::Open {
            input: which,
            source: OpenError::Format(FormatError::NotUtf8),
        } => {
            CliError::new(format!("{which} of {shown} is not UTF-8 text")).code(ExitStatus::Unlock)
        }
        MergeFilesError::Open {
            input: which,
            source: OpenError::Format(e),
        } => CliError::new(format!("cannot read {which} of {shown}: {e}"))
            .hint("a newer ascvault may have written it: upgrade ascvault and merge again")
            .code(ExitStatus::Unlock),
        MergeFilesError::Panicked(what) => CliError::new(what),
        MergeFilesError::Encrypt(e) => CliError::from(e),
        MergeFilesError::Conflicts(conflicts) => {
            for c in &conflicts {
                say(&format!("conflict: {}", sanitize(&c.to_string())));
            }
            CliError::new(format!(
                "cannot merge {shown}: {} conflict{}; our version was left as it was",
                conflicts.len(),
                if conflicts.len() == 1 { "" } else { "s" }
            ))
            .hint(
                "apply their changes by hand with ascvault commands (`git show MERGE_HEAD:<path>` is \
                 their file), then `git add` the vault and commit",
            )
        }
        MergeFilesError::Invalid(e) => CliError::new(format!(
            "the merged {shown} would not be a valid vault: {e}"
        ))
        .hint("merge by hand with ascvault commands"),
    }
}

/// `merge BASE OURS THEIRS [PATH]`: writes the merged vault over OURS, or
/// exits 1 leaving OURS untouched.
pub fn merge(ctx: &Context, args: &MergeArgs) -> CliResult {
    let shown = args
        .path
        .clone()
        .unwrap_or_else(|| args.ours.display().to_string());
    let base_bytes = read_side(&args.base, MergeInput::Base)?;
    let ours_bytes = read_side(&args.ours, MergeInput::Ours)?;
    let theirs_bytes = read_side(&args.theirs, MergeInput::Theirs)?;
    let files = MergeFiles::new(&base_bytes, &ours_bytes, &theirs_bytes).map_err(|e| {
        CliError::new(format!("cannot unlock our version of {shown}: {e}")).code(ExitStatus::Unlock)
    })?;
    if let Header::Team(team) = files.header() {
        return merge_team(ctx, args, &files, team.recipients, &shown);
    }
    // The result is written with our side's work factor: warn about that one.
    if let Some(container) = files.container() {
        super::context::warn_weak_work_factor(container.work_factor);
    }
    // A passphrase typed at the prompt that does not open our version is
    // asked again, up to three times in all, like every command's.
    let mut tries = 1;
    let merged = loop {
        let (pass, typed) = merge_passphrase(ctx, &shown)?;
        match files.merge(&pass.into()) {
            Err(e) if typed && tries < secrets::TRIES && wrong_for_ours(&e) => {
                secrets::try_again("wrong passphrase");
                tries += 1;
            }
            result => break result.map_err(|e| merge_error(e, &shown))?,
        }
    };
    finish_merge(&merged, args, &shown)
}

/// The merge driver on a team vault: the key is chosen as every command
/// chooses it (`--identity`, else the member from `--member`,
/// `ASCVAULT_MEMBER` or git config `ascvault.member`, their identity file
/// beside the vault at git's path `%P`), the prompt naming the member; the
/// result is encrypted to the merged member list (spec/MERGE.md §1.8).
fn merge_team(
    ctx: &Context,
    args: &MergeArgs,
    files: &MergeFiles,
    recipients: usize,
    shown: &str,
) -> CliResult {
    // Identity files are looked up beside the vault git is merging.
    let at = Context {
        vault: vault::Vault::new(args.path.as_deref().map_or(ctx.vault.path(), Path::new)),
        passphrase_file: ctx.passphrase_file.clone(),
        identity: ctx.identity.clone(),
        member: ctx.member.clone(),
        verbose: ctx.verbose,
    };
    let key = at.team_key(recipients)?;
    let merged = files.merge(&key).map_err(|e| match e {
        MergeFilesError::Open {
            input,
            source: OpenError::Unlock(UnlockError::NotAMember { .. }),
        } if input != MergeInput::Ours => CliError::new(format!(
            "{input} of {shown} is not encrypted to your identity"
        ))
        .hint(
            "you may have been removed on their branch: ask a member who is in both versions to merge",
        )
        .code(ExitStatus::Unlock),
        MergeFilesError::Open {
            input,
            source: OpenError::Unlock(UnlockError::PassphraseVault),
        } => CliError::new(format!(
            "{input} of {shown} is a passphrase vault and our version is a team vault"
        ))
        .hint(
            "one branch converted the vault: run the same `ascvault convert` on the other, commit, and merge again",
        )
        .code(ExitStatus::Unlock),
        other => merge_error(other, shown),
    })?;
    finish_merge(&merged, args, shown)?;
    // Who can read the result, whichever side removed or added whom.
    let names: Vec<&str> = merged
        .document
        .members
        .iter()
        .map(|m| m.name.as_str())
        .collect();
    say(&format!(
        "ascvault: {shown} is now encrypted to {} member{}: {}",
        names.len(),
        if names.len() == 1 { "" } else { "s" },
        sanitize(&names.join(", "))
    ));
    Ok(())
}

/// Writes the merged file over ours and says what happened.
fn finish_merge(merged: &vault::Merged, args: &MergeArgs, shown: &str) -> CliResult {
    merged.write(&args.ours)?;
    for notice in &merged.notices {
        say(&format!("ascvault: {}", sanitize(&notice.to_string())));
    }
    let (added, removed) = summary_counts(&merged.ours, &merged.document);
    say(&format!(
        "ascvault: merged {shown}: {} entries ({added} from {} side, {removed} removed)",
        merged.document.entries.len(),
        Side::Theirs
    ));
    Ok(())
}

fn summary_counts(ours: &Document, merged: &Document) -> (usize, usize) {
    let has = |d: &Document, id: &str| d.entries.iter().any(|e| e.id == id);
    let added = merged.entries.iter().filter(|e| !has(ours, &e.id)).count();
    let removed = ours.entries.iter().filter(|e| !has(merged, &e.id)).count();
    (added, removed)
}

/// `check`: exit 0 when clean, 1 when something was found.
pub fn check(ctx: &Context, args: &CheckArgs) -> CliResult<ExitStatus> {
    // With --online, check both bases before asking for the passphrase.
    let content_delivery = if args.online {
        args.net.api_base.url()?;
        Some(args.content_delivery_base.url()?)
    } else {
        None
    };
    let history_limit = history_limit()?;
    let pass = ctx.key()?;
    let current = ctx.vault.read_bytes()?;
    let Unlocked { document, header } =
        vault::open_bytes(&current, &pass).map_err(|e| e.at(ctx.vault.path()))?;
    if let Some(container) = header.passphrase() {
        super::context::warn_weak_work_factor(container.work_factor);
    }
    let facts = Facts {
        work_factor: header.passphrase().map(|c| c.work_factor),
        mode: file_mode(ctx.vault.path()),
        git: super::git::facts(ctx.vault.path()),
        now: Timestamp::now(),
        max_age_days: args.max_age,
    };
    let mut findings = hygiene::check(&document, &facts);
    if facts.git.as_ref().is_some_and(|g| g.tracked) && history_limit > 0 {
        let older = history::older_versions(ctx, &pass, &current, history_limit);
        findings.extend(hygiene::revocations_undone(&document, &older));
    }
    if let Some(content_delivery) = &content_delivery {
        findings.extend(online(ctx, &args.net, content_delivery, &document)?);
    }
    if args.json {
        let list: Vec<_> = findings
            .iter()
            .map(|f| {
                json!({
                    "check": f.check,
                    "labels": f.labels,
                    "message": f.message,
                    "advice": f.advice,
                })
            })
            .collect();
        print_json(&json!({ "clean": findings.is_empty(), "findings": list }))?;
    } else if findings.is_empty() {
        say("no findings: the vault looks healthy");
    } else {
        let mut out = String::new();
        for f in &findings {
            out.push_str(&format!(
                "{}: {}\n  fix: {}\n",
                f.check,
                sanitize(&f.message),
                f.advice
            ));
        }
        print(&out)?;
    }
    Ok(if findings.is_empty() {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    })
}

/// How many older committed versions `check` compares the vault with
/// (`ASCVAULT_CHECK_HISTORY`, spec/MERGE.md §4).
fn history_limit() -> CliResult<usize> {
    match std::env::var(history::LIMIT_ENV) {
        Err(_) => Ok(history::DEFAULT_LIMIT),
        Ok(v) => v
            .trim()
            .parse::<usize>()
            .ok()
            .filter(|n| *n <= history::MAX_LIMIT)
            .ok_or_else(|| {
                CliError::usage(format!(
                    "{} must be a number of versions from 0 to {}",
                    history::LIMIT_ENV,
                    history::MAX_LIMIT
                ))
                .hint("0 turns the history check off; the default is 10")
            }),
    }
}

/// `verify` for every active entry of a known kind; the problems as findings.
fn online(
    ctx: &Context,
    net: &NetArgs,
    content_delivery: &url::Url,
    doc: &Document,
) -> CliResult<Vec<hygiene::Finding>> {
    use crate::asc::verify::Verdict;
    let mut out = Vec::new();
    for e in doc
        .entries
        .iter()
        .filter(|e| !e.revoked && !matches!(e.kind, Kind::Other(_)))
    {
        ctx.verbose(format!("asking Apple about {}", sanitize(&e.label)));
        let verdict = super::verify::check(ctx, net, content_delivery, e)?;
        let result = match verdict {
            Verdict::Valid { .. } => hygiene::Online::Valid,
            Verdict::Rejected { .. } => hygiene::Online::Rejected(verdict.to_string()),
            Verdict::Unreachable { .. } => hygiene::Online::Unreachable(verdict.to_string()),
            Verdict::ClockOff { .. } => hygiene::Online::ClockOff(verdict.to_string()),
            // Not proof of revocation: never the advice to mark it revoked.
            Verdict::NotAccepted { .. } => hygiene::Online::NotAccepted(verdict.to_string()),
        };
        out.extend(hygiene::online(&e.label, &result));
    }
    Ok(out)
}

#[cfg(unix)]
fn file_mode(path: &Path) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(path).ok().map(|m| m.permissions().mode())
}

#[cfg(not(unix))]
fn file_mode(_path: &Path) -> Option<u32> {
    None
}
