//! `revocation-undone` (spec/MERGE.md §4, §6): the vault compared with its
//! older committed versions. One file cannot tell that it was rolled back;
//! its history can, when a version in it shows revoked what is active now.

use super::Finding;
use crate::vault::format::{Document, RevokedSecrets};

/// An older committed version of the vault.
#[derive(Debug)]
pub struct Older {
    /// The commit it was read from (as git names it).
    pub commit: String,
    /// Its document.
    pub document: Document,
}

/// The first 12 hex digits of a commit: enough to find it, short enough to read.
fn short_commit(commit: &str) -> &str {
    commit.get(..12).unwrap_or(commit)
}

/// One finding per active entry of `current` that a version of `older`
/// (newest first) shows revoked, by id or by secret. An entry whose secret a
/// revoked entry of `current` itself holds is left to `duplicate-secret`.
pub fn revocations_undone(current: &Document, older: &[Older]) -> Vec<Finding> {
    let mut here = RevokedSecrets::new();
    here.add(current, ());
    let indexes: Vec<RevokedSecrets<'_, ()>> = older
        .iter()
        .map(|v| {
            let mut r = RevokedSecrets::new();
            r.add(&v.document, ());
            r
        })
        .collect();
    let mut out = Vec::new();
    for e in current.entries.iter().filter(|e| !e.revoked) {
        let same_secret_here = here.holder(e).is_some();
        for (version, revoked) in older.iter().zip(&indexes) {
            let commit = short_commit(&version.commit);
            let by_id = version
                .document
                .entries
                .iter()
                .find(|o| o.id == e.id && o.revoked);
            let message = if let Some(o) = by_id {
                format!(
                    "{:?} is active, but the vault at commit {commit} shows it revoked{}",
                    e.label,
                    o.revoked_at
                        .map(|at| format!(" ({})", at.rfc3339()))
                        .unwrap_or_default()
                )
            } else if let Some(h) = revoked.holder(e).filter(|_| !same_secret_here) {
                format!(
                    "{:?} is active, but holds the secret of {:?} (id {}), revoked in the vault \
                     at commit {commit} ({})",
                    e.label,
                    h.entry.label,
                    h.entry.id.get(..8).unwrap_or(&h.entry.id),
                    h.at.rfc3339()
                )
            } else {
                continue;
            };
            out.push(Finding {
                check: "revocation-undone",
                labels: vec![e.label.clone()],
                message,
                // No label here: advice is printed as it is, labels only sanitized.
                advice: "the vault went backwards (an older version restored?): `ascvault \
                         revoke` it again, revoke it at Apple if it still works there, and find \
                         the commit that undid it with `git log -p` on the vault"
                    .into(),
            });
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vault::Timestamp;
    use crate::vault::merge::tests::{doc, pw_entry};

    fn older(commit: &str, document: Document) -> Older {
        Older {
            commit: commit.into(),
            document,
        }
    }

    #[test]
    fn an_entry_revoked_in_an_older_version_and_active_now_is_found() {
        let a = pw_entry("a", 0);
        let mut revoked = a.clone();
        revoked.revoke(Timestamp::from_unix(1_750_000_000));
        let now = doc(&[&a]);
        let history = [
            older("1111111111111111", doc(&[&a])),
            older("2222222222222222aaaa", doc(&[&revoked])),
        ];
        let found = revocations_undone(&now, &history);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].labels, ["a"]);
        assert!(
            found[0]
                .message
                .contains("commit 222222222222 shows it revoked"),
            "{}",
            found[0].message
        );
        // Nothing revoked anywhere: nothing found.
        assert!(revocations_undone(&now, &history[..1]).is_empty());
    }

    #[test]
    fn a_revoked_secret_re_added_under_a_new_id_is_found() {
        let mut old = pw_entry("old", 0);
        old.revoke(Timestamp::from_unix(1_750_000_000));
        let again = pw_entry("new", 5);
        let found = revocations_undone(&doc(&[&again]), &[older("abc", doc(&[&old]))]);
        assert_eq!(found.len(), 1);
        assert!(found[0].message.contains("holds the secret of \"old\""));
        // Still in the vault, revoked: that is duplicate-secret's to report.
        let found = revocations_undone(&doc(&[&old, &again]), &[older("abc", doc(&[&old]))]);
        assert!(found.is_empty(), "{found:?}");
    }
}
