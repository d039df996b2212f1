//! The merge of format 1.2's team data (spec/MERGE.md §1.8–§1.9): members
//! by name (an added member is kept; a removal wins over a concurrent
//! change, since it is a security decision; both sides changing a member
//! differently is a named conflict), and tombstones and exposure records,
//! which only grow (unions).

use std::collections::HashMap;

use super::{Conflict, Document, Entry, merge_tables, pick};
use crate::vault::format::{Exposure, Member, Tombstone, normalize_exposures};

/// Merges the member lists, or pushes the conflicts.
pub(super) fn merge_members(
    base: &Document,
    ours: &Document,
    theirs: &Document,
    conflicts: &mut Vec<Conflict>,
) -> Vec<Member> {
    fn index(d: &Document) -> HashMap<String, &Member> {
        d.members
            .iter()
            .map(|m| (m.name.to_lowercase(), m))
            .collect()
    }
    let (b, o, t) = (index(base), index(ours), index(theirs));
    let mut names: Vec<String> = Vec::new();
    for m in ours.members.iter().chain(&theirs.members) {
        let key = m.name.to_lowercase();
        if !names.contains(&key) {
            names.push(key);
        }
    }
    let mut out: Vec<Member> = Vec::new();
    for key in names {
        let merged = match (b.get(&key), o.get(&key), t.get(&key)) {
            (_, None, None) => None,
            // Added on one side: kept.
            (None, Some(x), None) | (None, None, Some(x)) => Some((*x).clone()),
            // Removed on one side: the removal wins, whatever the other did.
            (Some(_), None, Some(_)) | (Some(_), Some(_), None) => None,
            (b, Some(o), Some(t)) => Some(merge_member(b.copied(), o, t, conflicts)),
        };
        out.extend(merged);
    }
    // Recipients stay unique: two names for one key is a conflict.
    let mut seen: HashMap<&str, &str> = HashMap::new();
    for m in &out {
        if let Some(first) = seen.insert(m.recipient.as_str(), m.name.as_str()) {
            conflicts.push(Conflict::Member {
                name: m.name.clone(),
                why: format!("has the same recipient as member {first:?}"),
            });
        }
    }
    out
}

fn merge_member(
    base: Option<&Member>,
    ours: &Member,
    theirs: &Member,
    conflicts: &mut Vec<Conflict>,
) -> Member {
    let mut out = ours.clone();
    let mut bad: Vec<&str> = Vec::new();
    match pick(
        base.map(|b| &b.recipient),
        &ours.recipient,
        &theirs.recipient,
    ) {
        Some(v) => out.recipient = v,
        None => bad.push("recipient"),
    }
    match pick(base.map(|b| &b.added), &ours.added, &theirs.added) {
        Some(v) => out.added = v,
        // Both added the same name: the earlier date.
        None => out.added = ours.added.min(theirs.added),
    }
    match pick(base.map(|b| &b.added_by), &ours.added_by, &theirs.added_by) {
        Some(v) => out.added_by = v,
        None => bad.push("added_by"),
    }
    let (extra, extra_bad) = merge_tables(base.map(|b| &b.extra), &ours.extra, &theirs.extra);
    out.extra = extra;
    for field in bad.into_iter().map(str::to_owned).chain(extra_bad) {
        conflicts.push(Conflict::Member {
            name: ours.name.clone(),
            why: format!("{field} changed differently on both sides"),
        });
    }
    out
}

/// The union of the exposure records of every version given.
pub(super) fn union_exposures<'a>(
    lists: impl IntoIterator<Item = &'a [Exposure]>,
) -> Vec<Exposure> {
    let mut out: Vec<Exposure> = lists.into_iter().flatten().cloned().collect();
    normalize_exposures(&mut out);
    out
}

/// The union of the tombstones by id. Where both sides have one, revocation
/// and exposure only grow and the earliest dates win. A tombstone also takes
/// the revocation and exposure any version's entry of the same id shows.
pub(super) fn merge_tombstones(
    base: &Document,
    ours: &Document,
    theirs: &Document,
) -> Vec<Tombstone> {
    let mut out: Vec<Tombstone> = Vec::new();
    for t in ours
        .removed
        .iter()
        .chain(&theirs.removed)
        .chain(&base.removed)
    {
        match out.iter_mut().find(|o| o.id == t.id) {
            Some(o) => absorb(o, t.revoked_at, &t.exposed, Some(t.removed_at)),
            None => out.push(t.clone()),
        }
    }
    let entries: Vec<&Entry> = [base, ours, theirs]
        .iter()
        .flat_map(|d| &d.entries)
        .collect();
    for t in &mut out {
        let id = t.id.clone();
        for e in entries.iter().filter(|e| e.id == id) {
            absorb(t, e.revoked_at, &e.exposed, None);
        }
    }
    out
}

fn absorb(
    into: &mut Tombstone,
    revoked_at: Option<crate::vault::Timestamp>,
    exposed: &[Exposure],
    removed_at: Option<crate::vault::Timestamp>,
) {
    if let Some(at) = revoked_at {
        into.revoked = true;
        into.revoked_at = Some(into.revoked_at.map_or(at, |r| r.min(at)));
    }
    if !exposed.is_empty() {
        into.exposed = union_exposures([into.exposed.as_slice(), exposed]);
    }
    if let Some(at) = removed_at {
        into.removed_at = into.removed_at.min(at);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vault::Timestamp;
    use crate::vault::merge::merge;
    use crate::vault::new_entry::test_password_entry as tests_support_entry;
    use crate::vault::team::Identity;

    fn member(name: &str) -> Member {
        let r = Identity::generate().recipient().unwrap();
        Member::new(name, &r, "").unwrap()
    }

    fn team(members: &[&Member]) -> Document {
        let mut d = Document::default();
        for m in members {
            d.add_member((*m).clone()).unwrap();
        }
        d
    }

    fn names(d: &Document) -> Vec<&str> {
        d.members.iter().map(|m| m.name.as_str()).collect()
    }

    #[test]
    fn added_members_are_kept_and_a_removal_wins_over_a_change() {
        let (a, b, c) = (member("alice"), member("bob"), member("carol"));
        let base = team(&[&a, &b]);
        // Ours adds carol; theirs removes bob.
        let ours = team(&[&a, &b, &c]);
        let theirs = team(&[&a]);
        let merged = merge(&base, &ours, &theirs).unwrap();
        assert_eq!(names(&merged), ["alice", "carol"]);
        // Ours changes bob's recipient, theirs removes bob: removed.
        let mut ours = base.clone();
        ours.members[1].recipient = member("bob").recipient;
        let merged = merge(&base, &ours, &theirs).unwrap();
        assert_eq!(names(&merged), ["alice"]);
        // And the other way round.
        let merged = merge(&base, &theirs, &ours).unwrap();
        assert_eq!(names(&merged), ["alice"]);
    }

    #[test]
    fn different_changes_to_one_member_are_a_named_conflict() {
        let a = member("alice");
        let base = team(&[&a]);
        let mut ours = base.clone();
        ours.members[0].recipient = member("x").recipient;
        let mut theirs = base.clone();
        theirs.members[0].recipient = member("y").recipient;
        let conflicts = merge(&base, &ours, &theirs).unwrap_err();
        assert_eq!(
            conflicts
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>(),
            ["member \"alice\": recipient changed differently on both sides"]
        );
        // Both adding one name with different keys is one too.
        let empty = Document::default();
        let err = merge(&empty, &team(&[&member("dave")]), &team(&[&member("dave")])).unwrap_err();
        assert!(matches!(&err[0], Conflict::Member { name, .. } if name == "dave"));
    }

    /// Ours removed carol (and marked what she could read); theirs, still
    /// listing her, added an entry meanwhile: she could read it there, so
    /// the result marks it exposed too, whichever side merges.
    #[test]
    fn a_member_removed_on_one_side_is_exposed_to_what_the_other_side_added() {
        let (a, c) = (member("alice"), member("carol"));
        let mut base = team(&[&a, &c]);
        base.add(tests_support_entry("p1")).unwrap();
        let p1 = base.entries[0].id.clone();
        let mut ours = base.clone();
        ours.remove_member("carol").unwrap();
        assert!(ours.mark_exposed(&p1, "carol", Timestamp::now()));
        let mut theirs = base.clone();
        theirs.add(tests_support_entry("p2")).unwrap();
        let p2 = theirs.entries[1].id.clone();
        for merged in [
            merge(&base, &ours, &theirs).unwrap(),
            merge(&base, &theirs, &ours).unwrap(),
        ] {
            assert_eq!(names(&merged), ["alice"]);
            for id in [&p1, &p2] {
                let e = merged.entries.iter().find(|e| &e.id == id).unwrap();
                let who: Vec<&str> = e.exposed.iter().map(|x| x.member.as_str()).collect();
                assert_eq!(who, ["carol"], "{}", e.label);
            }
        }
        // Nobody removed: nothing is marked.
        let merged = merge(&base, &base.clone(), &theirs).unwrap();
        assert!(merged.entries.iter().all(|e| e.exposed.is_empty()));
    }

    #[test]
    fn exposure_and_tombstones_are_unions() {
        let a = member("alice");
        let mut base = team(&[&a]);
        base.add(tests_support_entry("e1")).unwrap();
        base.add(tests_support_entry("e2")).unwrap();
        let id1 = base.entries[0].id.clone();
        let id2 = base.entries[1].id.clone();
        let t1 = Timestamp::from_unix(1_800_000_000);
        let t2 = Timestamp::from_unix(1_800_000_100);
        let mut ours = base.clone();
        assert!(ours.mark_exposed(&id1, "bob", t2));
        let mut theirs = base.clone();
        assert!(theirs.mark_exposed(&id1, "bob", t1));
        assert!(theirs.mark_exposed(&id1, "carol", t2));
        // Theirs also removes e2 (a tombstone) while ours revokes it.
        theirs.remove("e2").unwrap();
        ours.find_mut("e2").unwrap().revoke(t1);
        let merged = merge(&base, &ours, &theirs).unwrap();
        let e1 = merged.entries.iter().find(|e| e.id == id1).unwrap();
        let who: Vec<(&str, Timestamp)> = e1
            .exposed
            .iter()
            .map(|x| (x.member.as_str(), x.at))
            .collect();
        assert_eq!(who, [("bob", t1), ("carol", t2)]);
        assert!(merged.entries.iter().all(|e| e.id != id2));
        assert_eq!(merged.removed.len(), 1);
        assert_eq!(merged.removed[0].id, id2);
        assert!(
            merged.removed[0].revoked,
            "the revocation reaches the tombstone"
        );
        assert_eq!(merged.removed[0].revoked_at, Some(t1));
    }
}
