//! Credential hygiene findings for `ascvault check` (spec/MERGE.md §4).
//!
//! Pure: the caller gathers the facts about the file and the repository
//! (mode bits, git attributes) and this module decides what is wrong and
//! what to do about it.

use std::collections::{BTreeMap, HashMap};

use super::format::{Document, Entry, Kind, SecretId, Timestamp};

/// Apple's limit of active app-specific passwords per Apple ID.
pub const APPLE_PASSWORD_LIMIT: usize = 25;
/// Work factors below this are reported (the default).
pub const MIN_HEALTHY_WORK_FACTOR: u8 = 18;
/// `--max-age` default, in days.
pub const DEFAULT_MAX_AGE_DAYS: u32 = 365;

/// What git says about the vault file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GitFacts {
    /// The file is tracked in a repository.
    pub tracked: bool,
    /// The `diff` attribute's value (`ascvault` when set up).
    pub diff_attr: Option<String>,
    /// The `merge` attribute's value.
    pub merge_attr: Option<String>,
    /// `diff.ascvault.textconv`.
    pub textconv: Option<String>,
    /// `merge.ascvault.driver`.
    pub driver: Option<String>,
    /// `diff.ascvault.cachetextconv` is on.
    pub cachetextconv: bool,
    /// `refs/notes/textconv/ascvault` (a cache of renderings) exists.
    pub textconv_cache: bool,
}

/// Everything besides the document that the checks look at.
#[derive(Clone, Debug)]
pub struct Facts {
    /// The vault's scrypt work factor; `None` for a team vault (no scrypt).
    pub work_factor: Option<u8>,
    /// Unix permission bits of the file, when known.
    pub mode: Option<u32>,
    /// Git's view, when the vault is in a repository and git is installed.
    pub git: Option<GitFacts>,
    /// The current time.
    pub now: Timestamp,
    /// Active entries older than this many days are reported.
    pub max_age_days: u32,
}

/// One problem found, with what to do about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// A stable id (`old-entry`, `password-limit`, ...), the `check` field in `--json`.
    pub check: &'static str,
    /// The entries concerned (may be empty).
    pub labels: Vec<String>,
    /// What is wrong.
    pub message: String,
    /// What to do.
    pub advice: String,
}

/// Runs every offline check.
pub fn check(doc: &Document, facts: &Facts) -> Vec<Finding> {
    let mut out = Vec::new();
    old_entries(doc, facts, &mut out);
    password_limit(doc, &mut out);
    duplicate_secrets(doc, &mut out);
    exposure::findings(doc, &mut out);
    if let Some(work_factor) = facts.work_factor
        && work_factor < MIN_HEALTHY_WORK_FACTOR
    {
        out.push(Finding {
            check: "weak-work-factor",
            labels: Vec::new(),
            message: format!(
                "the vault's work factor is {work_factor}, below {MIN_HEALTHY_WORK_FACTOR}"
            ),
            advice: "re-create the vault at the default work factor: `ascvault init` a new file, \
                     move the entries over, and replace the old one"
                .into(),
        });
    }
    if let Some(mode) = facts.mode
        && mode & 0o077 != 0
    {
        out.push(Finding {
            check: "file-permissions",
            labels: Vec::new(),
            message: format!(
                "the vault file is accessible by group or others (mode {:03o})",
                mode & 0o777
            ),
            advice: "chmod 600 the vault file".into(),
        });
    }
    if let Some(git) = &facts.git {
        git_checks(git, &mut out);
    }
    out
}

fn old_entries(doc: &Document, facts: &Facts, out: &mut Vec<Finding>) {
    let limit = i64::from(facts.max_age_days) * 86_400;
    for e in doc.entries.iter().filter(|e| !e.revoked) {
        let age = facts.now.unix() - e.created.unix();
        if age > limit {
            out.push(Finding {
                check: "old-entry",
                labels: vec![e.label.clone()],
                message: format!(
                    "{:?} was created {} days ago (more than {})",
                    e.label,
                    age / 86_400,
                    facts.max_age_days
                ),
                advice: "rotate it: create a new credential, add it, then `ascvault revoke` \
                         this one and revoke it at Apple too"
                    .into(),
            });
        }
    }
}

fn password_limit(doc: &Document, out: &mut Vec<Finding>) {
    let mut by_account: BTreeMap<String, Vec<&Entry>> = BTreeMap::new();
    for e in doc
        .entries
        .iter()
        .filter(|e| !e.revoked && e.kind == Kind::AppSpecificPassword)
    {
        by_account
            .entry(e.account().to_lowercase())
            .or_default()
            .push(e);
    }
    for (account, entries) in by_account {
        if entries.len() > APPLE_PASSWORD_LIMIT {
            out.push(Finding {
                check: "password-limit",
                labels: entries.iter().map(|e| e.label.clone()).collect(),
                message: format!(
                    "{} active app-specific passwords for {account}; Apple allows {APPLE_PASSWORD_LIMIT}",
                    entries.len()
                ),
                advice: "some of them no longer work at Apple: revoke the unused ones with \
                         `ascvault revoke`"
                    .into(),
            });
        }
    }
}

fn duplicate_secrets(doc: &Document, out: &mut Vec<Finding>) {
    let mut groups: HashMap<SecretId, Vec<&Entry>> = HashMap::new();
    let mut order = Vec::new();
    for e in &doc.entries {
        // The secret itself (password or key material; spec/MERGE.md §1.4.1).
        if let Some(&d) = e.secret_ids().first() {
            let group = groups.entry(d).or_default();
            if group.is_empty() {
                order.push(d);
            }
            group.push(e);
        }
    }
    for d in order {
        let entries = &groups[&d];
        if entries.len() < 2 {
            continue;
        }
        let names: Vec<String> = entries
            .iter()
            .map(|e| {
                if e.revoked {
                    format!("{:?} (revoked)", e.label)
                } else {
                    format!("{:?}", e.label)
                }
            })
            .collect();
        out.push(Finding {
            check: "duplicate-secret",
            labels: entries.iter().map(|e| e.label.clone()).collect(),
            message: format!("one secret is stored in {}", names.join(", ")),
            advice: if entries.iter().any(|e| e.revoked) {
                "a revoked credential must not live on under another label: revoke the others too"
                    .into()
            } else {
                "keep one entry and `ascvault remove` the others (or give each use its own credential)"
                    .into()
            },
        });
    }
}

fn git_checks(git: &GitFacts, out: &mut Vec<Finding>) {
    if git.tracked {
        let mut missing = Vec::new();
        if git.diff_attr.as_deref() != Some("ascvault") {
            missing.push("the diff=ascvault attribute");
        }
        if git.merge_attr.as_deref() != Some("ascvault") {
            missing.push("the merge=ascvault attribute");
        }
        if git.textconv.is_none() {
            missing.push("diff.ascvault.textconv");
        }
        if git.driver.is_none() {
            missing.push("merge.ascvault.driver");
        }
        if !missing.is_empty() {
            out.push(Finding {
                check: "git-attributes",
                labels: Vec::new(),
                message: format!("the vault is tracked by git without {}", missing.join(", ")),
                advice: "run `ascvault git setup` in the repository (on every clone: git config \
                         is not shared)"
                    .into(),
            });
        }
    }
    if git.cachetextconv || git.textconv_cache {
        let what = match (git.cachetextconv, git.textconv_cache) {
            (true, true) => {
                "diff.ascvault.cachetextconv is on and refs/notes/textconv/ascvault exists"
            }
            (true, false) => "diff.ascvault.cachetextconv is on",
            _ => "refs/notes/textconv/ascvault exists",
        };
        out.push(Finding {
            check: "git-cachetextconv",
            labels: Vec::new(),
            message: format!(
                "{what}: git keeps decrypted renderings of the vault outside the encrypted file"
            ),
            advice: "run `ascvault git setup`: it turns the setting off and deletes the cache"
                .into(),
        });
    }
}

/// What Apple said about one entry, for `check --online`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Online {
    /// Apple accepted it.
    Valid,
    /// Apple refused it (Apple's code and message).
    Rejected(String),
    /// No answer either way (what went wrong).
    Unreachable(String),
    /// Apple did not accept an API key: a wrong key id or issuer id looks
    /// the same as a key revoked at Apple, so this is no proof of
    /// revocation (what Apple said).
    NotAccepted(String),
    /// This machine's clock is too far from Apple's for a token to work.
    ClockOff(String),
}

/// The finding for one entry checked online, if any.
pub fn online(label: &str, result: &Online) -> Option<Finding> {
    match result {
        Online::Valid => None,
        Online::Rejected(why) => Some(Finding {
            check: "rejected-by-apple",
            labels: vec![label.to_owned()],
            message: format!("Apple rejects {label:?}: {why}"),
            advice: "it no longer works: `ascvault verify --mark-revoked` records that, then \
                     add a new credential"
                .into(),
        }),
        Online::Unreachable(why) => Some(Finding {
            check: "not-verified",
            labels: vec![label.to_owned()],
            message: format!("could not ask Apple about {label:?}: {why}"),
            advice: "check the network (and --api-base, ASCVAULT_CONTENT_DELIVERY_BASE), then \
                     run `ascvault check --online` again"
                .into(),
        }),
        Online::NotAccepted(why) => Some(Finding {
            check: "not-accepted-by-apple",
            labels: vec![label.to_owned()],
            message: format!("Apple did not accept {label:?}: {why}"),
            advice: "compare its key id and issuer id with App Store Connect (Users and Access → \
                     Integrations); only if the key was revoked there, `ascvault revoke` it"
                .into(),
        }),
        Online::ClockOff(why) => Some(Finding {
            check: "clock-off",
            labels: vec![label.to_owned()],
            message: format!("could not check {label:?}: {why}"),
            advice: "set this computer's clock right (automatic time), then run \
                     `ascvault check --online` again"
                .into(),
        }),
    }
}

mod exposure;
mod history;
pub use exposure::{Readable, readable_by};
pub use history::{Older, revocations_undone};

#[cfg(test)]
mod tests;
