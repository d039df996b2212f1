//! Revocation moves forward only and follows the secret (spec/MERGE.md
//! §1.4, §1.4.1): the last pass of a merge, and the [`Notice`]s it leaves
//! for the user.

use std::fmt;

use super::{Side, short};
use crate::vault::format::{Document, Entry, RevokedSecrets, Timestamp};

/// Which of the three versions something was found in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Found {
    /// The common ancestor (`%O`).
    Base,
    /// The current branch (`%A`).
    Ours,
    /// The branch being merged in (`%B`).
    Theirs,
}

impl fmt::Display for Found {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Found::Base => "in the common ancestor",
            Found::Ours => "on our side",
            Found::Theirs => "on their side",
        })
    }
}

/// Something a clean merge did that the user should hear about (on
/// stderr): an entry kept or made revoked (spec/MERGE.md §1.4, §1.4.1).
/// Messages name entries, never secrets.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Notice {
    /// An entry revoked in the base is active again on a side: that side
    /// went backwards (an older version restored?). It stays revoked (or
    /// removed, when the result does not hold it).
    RevokedInBase {
        /// The entry's label on that side.
        label: String,
        /// The entry's id.
        id: String,
        /// The side that shows it active.
        active_on: Side,
        /// Whether the result holds the entry.
        kept: bool,
    },
    /// An entry of the result holds a secret a revoked entry holds: it is
    /// revoked in the result.
    SecretRevoked {
        /// The entry's label.
        label: String,
        /// The entry's id.
        id: String,
        /// The revoked entry's label.
        revoked_label: String,
        /// The revoked entry's id.
        revoked_id: String,
        /// Where the revoked entry was found.
        found: Found,
        /// When it was revoked (the result's `revoked_at`).
        at: Timestamp,
    },
    /// A member removed on one side could read this credential on the
    /// other side, which still listed them: it is marked exposed in the
    /// result (spec/MERGE.md §1.8).
    Exposed {
        /// The credential's label.
        label: String,
        /// Its id.
        id: String,
        /// The removed member.
        member: String,
    },
}

impl fmt::Display for Notice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Notice::RevokedInBase {
                label,
                id,
                active_on,
                kept,
            } => write!(
                f,
                "entry {label:?} (id {}) is revoked in the common ancestor but active again on \
                 {active_on} side (an older version of the vault restored?): it stays {}",
                short(id),
                if *kept { "revoked" } else { "removed" }
            ),
            Notice::SecretRevoked {
                label,
                id,
                revoked_label,
                revoked_id,
                found,
                at,
            } => write!(
                f,
                "entry {label:?} (id {}) holds the secret of {revoked_label:?} (id {}), revoked \
                 {found} on {}: it is revoked in the result",
                short(id),
                short(revoked_id),
                at.rfc3339()
            ),
            Notice::Exposed { label, id, member } => write!(
                f,
                "{label:?} (id {}) was readable by member {member:?}, removed on the other \
                 side: marked exposed; revoke it at Apple and replace it",
                short(id)
            ),
        }
    }
}

/// The last pass of a merge (§1.4, §1.4.1): notes every entry revoked in
/// the base but active on a side, and revokes every active entry of the
/// result whose secret an entry revoked in any version holds.
pub(super) fn enforce_revocations(
    base: &Document,
    ours: &Document,
    theirs: &Document,
    entries: &mut [Entry],
) -> Vec<Notice> {
    let mut notices = Vec::new();
    for b in base.entries.iter().filter(|e| e.revoked) {
        for (side, doc) in [(Side::Ours, ours), (Side::Theirs, theirs)] {
            if let Some(e) = doc.entries.iter().find(|e| e.id == b.id && !e.revoked) {
                notices.push(Notice::RevokedInBase {
                    label: e.label.clone(),
                    id: e.id.clone(),
                    active_on: side,
                    kept: entries.iter().any(|m| m.id == b.id),
                });
            }
        }
    }
    // Ours first: on a tie of dates, the message names our entry.
    let mut revoked = RevokedSecrets::new();
    revoked.add(ours, Found::Ours);
    revoked.add(theirs, Found::Theirs);
    revoked.add(base, Found::Base);
    for e in entries.iter_mut().filter(|e| !e.revoked) {
        if let Some(holder) = revoked.holder(e) {
            e.revoke(holder.at);
            notices.push(Notice::SecretRevoked {
                label: e.label.clone(),
                id: e.id.clone(),
                revoked_label: holder.entry.label.clone(),
                revoked_id: holder.entry.id.clone(),
                found: holder.found,
                at: holder.at,
            });
        }
    }
    notices
}
