//! The commands git runs and the hygiene report: `textconv` (redacted
//! rendering for diffs), `merge` (three-way merge driver) and `check`
//! (spec/MERGE.md §1, §2, §4).

use std::fs;
use std::path::Path;
use std::thread;

use serde_json::json;

use super::args::asc::NetArgs;
use super::args::git::{CheckArgs, MergeArgs, TextconvArgs};
use super::context::Context;
use super::error::{CliError, CliResult, ExitStatus};
use super::output::{print, print_json, sanitize, say};
use super::secrets::{self, Prompt, SourceError};
use crate::vault::crypto::{self, Prepared};
use crate::vault::hygiene::{self, Facts};
use crate::vault::merge::{self, Side};
use crate::vault::render::{self, FingerprintKey};
use crate::vault::{Document, Kind, Secret, Timestamp, UnlockError, Unlocked};

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
/// cannot be decrypted (it prints a one-line summary instead).
pub fn textconv(ctx: &Context, args: &TextconvArgs) -> CliResult {
    let bytes = fs::read(&args.file)
        .map_err(|e| CliError::new(format!("cannot read {}: {e}", args.file.display())))?;
    let pass = match passphrase_without_prompt(ctx) {
        Ok(Some(p)) => p,
        Ok(None) => return print(&render::summary(&bytes, "no passphrase source")),
        Err(why) => return print(&render::summary(&bytes, why)),
    };
    let Ok(container) = crypto::inspect(&bytes) else {
        return print(&render::summary(&bytes, "unreadable header"));
    };
    // The fingerprint key costs one KDF, like the decryption: run both at once.
    let (opened, key) = thread::scope(|s| {
        let key = s.spawn(|| FingerprintKey::derive(&pass, container.work_factor));
        let opened = crypto::decrypt(&bytes, &pass);
        (opened, key.join())
    });
    let plain = match opened {
        Ok((_, plain)) => plain,
        Err(e) => return print(&render::summary(&bytes, &e.to_string())),
    };
    let document = match std::str::from_utf8(&plain).ok().map(Document::parse) {
        Some(Ok(doc)) => doc,
        _ => {
            return print(&render::summary(
                &bytes,
                "decrypted, but not a vault this version can read",
            ));
        }
    };
    let key = match key {
        Ok(Ok(k)) => Some(k),
        _ => None,
    };
    print(&render::render(&document, container, key.as_ref()))
}

/// Which file of a merge, for messages.
#[derive(Clone, Copy)]
enum Which {
    Base,
    Ours,
    Theirs,
}

impl Which {
    fn name(self) -> &'static str {
        match self {
            Which::Base => "the common ancestor (base)",
            Which::Ours => "our version",
            Which::Theirs => "their version",
        }
    }
}

fn read_side(path: &Path, which: Which) -> CliResult<Vec<u8>> {
    fs::read(path).map_err(|e| {
        CliError::new(format!(
            "cannot read {} ({}): {e}",
            which.name(),
            path.display()
        ))
    })
}

fn open_side(bytes: &[u8], pass: &Secret, which: Which, shown: &str) -> CliResult<Document> {
    if matches!(which, Which::Base) && bytes.is_empty() {
        // Both branches added the vault: there is no ancestor.
        return Ok(Document::default());
    }
    let (_, plain) = crypto::decrypt(bytes, pass).map_err(|e| {
        let hint = match (&e, which) {
            (UnlockError::WrongPassphrase, Which::Ours) => {
                "check the passphrase (ASCVAULT_PASSPHRASE, --passphrase-file or the prompt)"
            }
            (UnlockError::WrongPassphrase, _) => {
                "the passphrase was changed on one branch only: run `ascvault passwd` so both \
                 branches use one passphrase, commit, and merge again"
            }
            _ => "restore the file from another commit, then merge again",
        };
        let message = if matches!(e, UnlockError::WrongPassphrase) && !matches!(which, Which::Ours)
        {
            format!(
                "{} of {shown} does not open with the passphrase that opens our version",
                which.name()
            )
        } else {
            format!("cannot unlock {} of {shown}: {e}", which.name())
        };
        CliError::new(message).hint(hint).code(ExitStatus::Unlock)
    })?;
    let text = std::str::from_utf8(&plain).map_err(|_| {
        CliError::new(format!("{} of {shown} is not UTF-8 text", which.name()))
            .code(ExitStatus::Unlock)
    })?;
    Document::parse(text).map_err(|e| {
        CliError::new(format!("cannot read {} of {shown}: {e}", which.name()))
            .hint("a newer ascvault may have written it: upgrade ascvault and merge again")
            .code(ExitStatus::Unlock)
    })
}

/// `merge BASE OURS THEIRS [PATH]`: writes the merged vault over OURS, or
/// exits 1 leaving OURS untouched.
pub fn merge(ctx: &Context, args: &MergeArgs) -> CliResult {
    let shown = args
        .path
        .clone()
        .unwrap_or_else(|| args.ours.display().to_string());
    let base_bytes = read_side(&args.base, Which::Base)?;
    let ours_bytes = read_side(&args.ours, Which::Ours)?;
    let theirs_bytes = read_side(&args.theirs, Which::Theirs)?;
    let container = crypto::inspect(&ours_bytes).map_err(|e| {
        CliError::new(format!("cannot unlock our version of {shown}: {e}")).code(ExitStatus::Unlock)
    })?;
    let pass = secrets::passphrase(ctx.passphrase_file.as_deref())?;

    // Four KDFs (three opens, one for the new file), two at a time.
    let (ours, prepared) = thread::scope(|s| {
        let prepared = s.spawn(|| Prepared::new(&pass, container));
        let ours = open_side(&ours_bytes, &pass, Which::Ours, &shown);
        (ours, prepared.join())
    });
    let ours = ours?;
    let (base, theirs) = thread::scope(|s| {
        let theirs = s.spawn(|| open_side(&theirs_bytes, &pass, Which::Theirs, &shown));
        let base = open_side(&base_bytes, &pass, Which::Base, &shown);
        (base, theirs.join())
    });
    let theirs = theirs.map_err(|_| CliError::new("the decryption thread panicked"))??;
    let base = base?;
    let prepared = prepared
        .map_err(|_| CliError::new("the key derivation thread panicked"))?
        .map_err(CliError::from)?;

    let merged = match merge::merge(&base, &ours, &theirs) {
        Ok(doc) => doc,
        Err(conflicts) => {
            for c in &conflicts {
                say(&format!("conflict: {}", sanitize(&c.to_string())));
            }
            return Err(CliError::new(format!(
                "cannot merge {shown}: {} conflict{}; our version was left as it was",
                conflicts.len(),
                if conflicts.len() == 1 { "" } else { "s" }
            ))
            .hint(
                "apply their changes by hand with ascvault commands (`git show MERGE_HEAD:<path>` is \
                 their file), then `git add` the vault and commit",
            ));
        }
    };
    let text = merged.to_canonical();
    // Validate before writing: the result must be a vault we can read back.
    Document::parse(&text).map_err(|e| {
        CliError::new(format!(
            "the merged {shown} would not be a valid vault: {e}"
        ))
        .hint("merge by hand with ascvault commands")
    })?;
    let bytes = prepared.encrypt(text.as_bytes())?;
    crate::vault::store::write_atomic(&args.ours, &bytes, true)?;
    let (added, removed) = summary_counts(&ours, &merged);
    say(&format!(
        "ascvault: merged {shown}: {} entries ({added} from {} side, {removed} removed)",
        merged.entries.len(),
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
    let Unlocked {
        document,
        container,
    } = ctx.open()?;
    let facts = Facts {
        work_factor: container.work_factor,
        mode: file_mode(ctx.vault.path()),
        git: super::git::facts(ctx.vault.path()),
        now: Timestamp::now(),
        max_age_days: args.max_age,
    };
    let mut findings = hygiene::check(&document, &facts);
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
