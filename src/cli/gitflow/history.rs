//! The vault's older committed versions, for `check`'s `revocation-undone`
//! (spec/MERGE.md §4): read with `git log` and `git cat-file` in the vault's
//! directory, decrypted with the current passphrase.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;

use super::super::context::Context;
use crate::vault::hygiene::Older;
use crate::vault::{self, Unlock};

/// The environment variable that sets how many versions are compared.
pub const LIMIT_ENV: &str = "ASCVAULT_CHECK_HISTORY";
/// Versions compared by default: each costs one scrypt.
pub const DEFAULT_LIMIT: usize = 10;
/// The most versions one run compares.
pub const MAX_LIMIT: usize = 1000;

/// git in `dir`, without the passphrase in its environment.
fn git(dir: &Path, args: &[&str]) -> Option<Vec<u8>> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env_remove("ASCVAULT_PASSPHRASE")
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    out.status.success().then_some(out.stdout)
}

/// Up to `limit` distinct earlier versions of the vault on the current
/// branch, newest first, that open with `pass`; versions equal to the
/// current file are skipped. Failures (no git, a version that does not
/// open) leave versions out and are counted in a `--verbose` line.
pub fn older_versions(ctx: &Context, pass: &Unlock, current: &[u8], limit: usize) -> Vec<Older> {
    let path = ctx.vault.path();
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return Vec::new();
    };
    let spec = format!("./{name}");
    // Every parent of a merge: a conflict resolved by taking one side's
    // file must not hide the other side's revocation.
    let Some(log) = git(&dir, &["log", "--full-history", "--format=%H", "--", &spec]) else {
        return Vec::new();
    };
    let log = String::from_utf8_lossy(&log);
    let mut seen: Vec<Vec<u8>> = vec![current.to_vec()];
    let mut candidates: Vec<(String, Vec<u8>)> = Vec::new();
    for commit in log.lines().map(str::trim).filter(|c| !c.is_empty()) {
        if candidates.len() == limit {
            break;
        }
        // Deleted in that commit, or not a file there: nothing to compare.
        let Some(bytes) = git(&dir, &["cat-file", "blob", &format!("{commit}:{spec}")]) else {
            continue;
        };
        if !seen.contains(&bytes) {
            seen.push(bytes.clone());
            candidates.push((commit.to_owned(), bytes));
        }
    }
    // One scrypt each: two at a time (each may take 256 MiB at factor 18).
    let mut out = Vec::new();
    let mut skipped = 0;
    for pair in candidates.chunks(2) {
        let opened: Vec<_> = thread::scope(|s| {
            let handles: Vec<_> = pair
                .iter()
                .map(|(_, bytes)| s.spawn(|| vault::open_bytes(bytes, pass)))
                .collect();
            handles.into_iter().map(|h| h.join()).collect()
        });
        for ((commit, _), result) in pair.iter().zip(opened) {
            match result {
                Ok(Ok(unlocked)) => out.push(Older {
                    commit: commit.clone(),
                    document: unlocked.document,
                }),
                _ => skipped += 1,
            }
        }
    }
    ctx.verbose(format!(
        "compared with {} earlier committed version{} of the vault ({skipped} that did not open skipped)",
        out.len(),
        if out.len() == 1 { "" } else { "s" }
    ));
    out
}
