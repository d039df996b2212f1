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
