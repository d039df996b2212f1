//! Offboarding (spec/FORMAT.md §3.8): which credentials a member could read
//! while they were in the vault, and the `check` findings for exposed
//! credentials not yet revoked.

use super::Finding;
use crate::vault::format::{Document, Kind, Member, Timestamp};

/// One credential a removed member could read: an entry still in the vault
/// or a tombstone of one removed since they joined.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Readable {
    /// The entry's (or tombstone's) id.
    pub id: String,
    /// Its label.
    pub label: String,
    /// Its kind.
    pub kind: Kind,
    /// Its Apple ID or key id.
    pub account: String,
    /// When it was revoked, if it was.
    pub revoked_at: Option<Timestamp>,
    /// When it was removed from the vault (tombstones only).
    pub removed_at: Option<Timestamp>,
}

impl Readable {
    /// Whether the credential may still work at Apple (never recorded
    /// revoked).
    pub fn live(&self) -> bool {
        self.revoked_at.is_none()
    }
}

/// Every credential `member` could read: each entry or tombstone that was
/// still live (not revoked, not removed) at some instant from the moment
/// they were added. Timestamps are whole seconds, so a credential revoked
/// or removed in the very second the member was added counts as readable:
/// an offboarding list may say too much, never too little.
pub fn readable_by(doc: &Document, member: &Member) -> Vec<Readable> {
    let joined = member.added;
    let mut out = Vec::new();
    for e in &doc.entries {
        if e.revoked_at.is_none_or(|at| at >= joined) {
            out.push(Readable {
                id: e.id.clone(),
                label: e.label.clone(),
                kind: e.kind.clone(),
                account: e.account().to_owned(),
                revoked_at: e.revoked_at,
                removed_at: None,
            });
        }
    }
    for t in &doc.removed {
        let gone = t.revoked_at.map_or(t.removed_at, |r| r.min(t.removed_at));
        if gone >= joined {
            out.push(Readable {
                id: t.id.clone(),
                label: t.label.clone(),
                kind: t.kind.clone(),
                account: t.account.clone(),
                revoked_at: t.revoked_at,
                removed_at: Some(t.removed_at),
            });
        }
    }
    out
}

fn who(list: &[crate::vault::format::Exposure]) -> String {
    list.iter()
        .map(|x| format!("{} (removed {})", x.member, x.at.date()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `exposed-active`: an active entry a removed member could read;
/// `exposed-removed`: a tombstone of one never recorded revoked.
pub(super) fn findings(doc: &Document, out: &mut Vec<Finding>) {
    for e in doc
        .entries
        .iter()
        .filter(|e| !e.revoked && !e.exposed.is_empty())
    {
        out.push(Finding {
            check: "exposed-active",
            labels: vec![e.label.clone()],
            message: format!(
                "{:?} is still active, and removed member(s) could read it: {}",
                e.label,
                who(&e.exposed)
            ),
            advice: "rotate it: add a new credential, revoke this one at Apple, then \
                     `ascvault revoke` it here (`ascvault verify --exposed` asks Apple whether \
                     it still works)"
                .into(),
        });
    }
    for t in doc
        .removed
        .iter()
        .filter(|t| !t.revoked && !t.exposed.is_empty())
    {
        out.push(Finding {
            check: "exposed-removed",
            labels: vec![t.label.clone()],
            message: format!(
                "{:?} ({} {}) was removed from the vault but never recorded revoked, and removed \
                 member(s) could read it: {}",
                t.label,
                t.kind,
                t.account,
                who(&t.exposed)
            ),
            advice: "revoke it at Apple, then `ascvault revoke LABEL` records that on the \
                     tombstone"
                .into(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vault::format::Tombstone;
    use crate::vault::merge::tests::pw_entry;
    use crate::vault::team::Identity;

    fn at(secs: i64) -> Timestamp {
        Timestamp::from_unix(1_800_000_000 + secs)
    }

    #[test]
    fn a_member_could_read_what_was_live_at_any_time_since_they_joined() {
        let mut bob = Member::new("bob", &Identity::generate().recipient().unwrap(), "").unwrap();
        bob.added = at(100);
        let active = pw_entry("active", 0);
        let mut before = pw_entry("revoked-before", 1);
        before.revoke(at(99));
        let mut after = pw_entry("revoked-after", 2);
        after.revoke(at(150));
        let mut same_second = pw_entry("revoked-as-he-joined", 3);
        same_second.revoke(at(100));
        let mut gone_before = Tombstone::of(&pw_entry("removed-before", 4), at(50));
        gone_before.id = "t1".into();
        let gone_after = Tombstone::of(&pw_entry("removed-after", 5), at(120));
        let mut dead_then_gone = pw_entry("revoked-then-removed", 6);
        dead_then_gone.revoke(at(10));
        let dead_then_gone = Tombstone::of(&dead_then_gone, at(200));
        let doc = Document {
            entries: vec![active, before, after, same_second],
            removed: vec![gone_before, gone_after, dead_then_gone],
            ..Document::default()
        };
        let labels: Vec<String> = readable_by(&doc, &bob)
            .into_iter()
            .map(|r| r.label)
            .collect();
        assert_eq!(
            labels,
            [
                "active",
                "revoked-after",
                "revoked-as-he-joined",
                "removed-after"
            ]
        );
    }

    #[test]
    fn check_reports_exposed_credentials_until_they_are_revoked() {
        let mut doc = Document {
            entries: vec![pw_entry("a", 0), pw_entry("b", 1)],
            removed: vec![Tombstone::of(&pw_entry("c", 2), at(5))],
            ..Document::default()
        };
        let (a, c) = (doc.entries[0].id.clone(), doc.removed[0].id.clone());
        let mut out = Vec::new();
        findings(&doc, &mut out);
        assert!(out.is_empty());
        assert!(doc.mark_exposed(&a, "bob", at(10)));
        assert!(doc.mark_exposed(&c, "bob", at(10)));
        findings(&doc, &mut out);
        let checks: Vec<&str> = out.iter().map(|f| f.check).collect();
        assert_eq!(checks, ["exposed-active", "exposed-removed"]);
        assert!(
            out[0].message.contains("bob (removed"),
            "{}",
            out[0].message
        );
        doc.entries[0].revoke(at(20));
        doc.removed[0].revoked = true;
        doc.removed[0].revoked_at = Some(at(20));
        out.clear();
        findings(&doc, &mut out);
        assert!(out.is_empty(), "{out:?}");
    }
}
