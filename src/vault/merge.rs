//! Three-way merge of vault documents by entry id (spec/MERGE.md §1).
//!
//! Pure: it takes the three decrypted documents and returns either the
//! merged document (with [`Notice`]s for the caller to print) or every
//! conflict found. Opening files, passphrases and writing the result belong
//! to the caller (`ascvault merge`).
//!
//! Revocation moves forward only and follows the secret (§1.4, §1.4.1): the
//! last pass, `enforce_revocations`, makes sure no entry of the result is
//! active while any of the three versions shows it, or its secret, revoked.

use std::collections::{HashMap, HashSet};
use std::fmt;

use super::format::{Document, Entry};
use default_key::merge_default;
use members::{merge_members, merge_tombstones, union_exposures};
use revocation::enforce_revocations;
pub use revocation::{Found, Notice};

mod default_key;
mod members;
mod revocation;

/// Which side of a merge.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// The current branch (`%A`).
    Ours,
    /// The branch being merged in (`%B`).
    Theirs,
}

impl Side {
    fn other(self) -> Side {
        match self {
            Side::Ours => Side::Theirs,
            Side::Theirs => Side::Ours,
        }
    }
}

impl fmt::Display for Side {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Side::Ours => "our",
            Side::Theirs => "their",
        })
    }
}

/// A clean merge: the document, and what the user should hear about it.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// The merged document.
    pub document: Document,
    /// Entries kept or made revoked, for stderr.
    pub notices: Vec<Notice>,
}

/// Why two sides cannot be merged automatically. Messages name entries
/// (label and id) and fields, never values: fields may be secrets.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Conflict {
    /// Both sides changed one field of an entry, differently.
    Field {
        /// The entry's label (ours).
        label: String,
        /// The entry's id.
        id: String,
        /// The field's name as in the file, e.g. `note`.
        field: String,
    },
    /// One side removed an entry the other changed.
    RemovedAndChanged {
        /// The entry's label on the side that changed it.
        label: String,
        /// The entry's id.
        id: String,
        /// The side that removed it.
        removed_on: Side,
        /// The fields the other side changed.
        fields: Vec<String>,
    },
    /// Two different entries end up with the same label (ignoring case).
    SameLabel {
        /// The first entry's label.
        label: String,
        /// The first entry's id.
        id: String,
        /// The second entry's label.
        other_label: String,
        /// The second entry's id.
        other_id: String,
    },
    /// Both sides changed one unknown top-level key differently.
    TopLevel {
        /// The key.
        key: String,
    },
    /// Format 1.2: both sides changed a member differently (spec/MERGE.md
    /// §1.8), or two members would share a recipient.
    Member {
        /// The member's name.
        name: String,
        /// What conflicts.
        why: String,
    },
}

/// The first 8 characters of an id: enough to tell entries apart in a message.
pub(super) fn short(id: &str) -> &str {
    id.get(..8).unwrap_or(id)
}

impl fmt::Display for Conflict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Conflict::Field { label, id, field } => write!(
                f,
                "entry {label:?} (id {}): {field} changed differently on both sides",
                short(id)
            ),
            Conflict::RemovedAndChanged {
                label,
                id,
                removed_on,
                fields,
            } => write!(
                f,
                "entry {label:?} (id {}): removed on {removed_on} side but changed on {} side ({})",
                short(id),
                removed_on.other(),
                fields.join(", ")
            ),
            Conflict::SameLabel {
                label,
                id,
                other_label,
                other_id,
            } => write!(
                f,
                "entries {label:?} (id {}) and {other_label:?} (id {}) both claim the label {label:?}",
                short(id),
                short(other_id)
            ),
            Conflict::TopLevel { key } => {
                write!(f, "top-level key {key:?} changed differently on both sides")
            }
            Conflict::Member { name, why } => write!(f, "member {name:?}: {why}"),
        }
    }
}

/// The three-way choice for one value: `None` when both sides changed it
/// differently. Without a base (both sides added it) only equal values merge.
fn pick<T: PartialEq + Clone>(base: Option<&T>, ours: &T, theirs: &T) -> Option<T> {
    if ours == theirs {
        Some(ours.clone())
    } else if base == Some(ours) {
        Some(theirs.clone())
    } else if base == Some(theirs) {
        Some(ours.clone())
    } else {
        None
    }
}

/// Merges per-key maps of unknown fields; returns the merged map and the
/// keys in conflict.
fn merge_tables(
    base: Option<&toml::Table>,
    ours: &toml::Table,
    theirs: &toml::Table,
) -> (toml::Table, Vec<String>) {
    let mut keys: Vec<&String> = ours.keys().collect();
    for k in theirs.keys().chain(base.into_iter().flat_map(|b| b.keys())) {
        if !keys.contains(&k) {
            keys.push(k);
        }
    }
    let mut out = toml::Table::new();
    let mut conflicts = Vec::new();
    for k in keys {
        let b = base.map(|b| Unknown(b.get(k).cloned()));
        let o = Unknown(ours.get(k).cloned());
        let t = Unknown(theirs.get(k).cloned());
        match pick(b.as_ref(), &o, &t) {
            Some(Unknown(Some(v))) => {
                out.insert(k.clone(), v);
            }
            Some(Unknown(None)) => {}
            None => conflicts.push(k.clone()),
        }
    }
    (out, conflicts)
}

/// The value of an unknown key (or its absence), compared so that a NaN
/// float equals itself: `nan` is valid TOML, and with `toml::Value`'s `==` an
/// unchanged `nan` looked changed on both sides, a conflict on every merge
/// (found by the `merge` fuzz target,
/// fixtures/fuzz-regressions/merge/crash-nan-unchanged).
#[derive(Clone)]
struct Unknown(Option<toml::Value>);

impl PartialEq for Unknown {
    fn eq(&self, other: &Self) -> bool {
        fn same(a: &toml::Value, b: &toml::Value) -> bool {
            use toml::Value::{Array, Float, Table};
            match (a, b) {
                (Float(x), Float(y)) => {
                    x == y
                        || (x.is_nan()
                            && y.is_nan()
                            && x.is_sign_negative() == y.is_sign_negative())
                }
                (Array(x), Array(y)) => {
                    x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
                }
                (Table(x), Table(y)) => {
                    x.len() == y.len()
                        && x.iter().all(|(k, a)| y.get(k).is_some_and(|b| same(a, b)))
                }
                _ => a == b,
            }
        }
        match (&self.0, &other.0) {
            (Some(a), Some(b)) => same(a, b),
            (a, b) => a.is_none() && b.is_none(),
        }
    }
}

/// Calls `$m!` with every known entry field merged value by value: all but
/// `id` (the match key) and `revoked`/`revoked_at` (merged by §1.4).
/// One list, so a field added to `Entry` is added here once.
macro_rules! plain_fields {
    ($m:ident) => {
        $m!(
            label,
            kind,
            created,
            note,
            team_id,
            provider,
            apple_id,
            password,
            format_check,
            issuer_id,
            key_id,
            private_key,
            vendor_number
        )
    };
}

/// The names of the fields that differ between two versions of an entry.
fn changed_fields(a: &Entry, b: &Entry) -> Vec<String> {
    let mut out = Vec::new();
    macro_rules! cmp {
        ($($f:ident),*) => {$(
            if a.$f != b.$f {
                out.push(stringify!($f).to_owned());
            }
        )*};
    }
    cmp!(revoked, revoked_at, exposed);
    plain_fields!(cmp);
    let (_, extra) = merge_tables(None, &a.extra, &b.extra);
    out.extend(extra);
    out
}

/// Merges two versions of one entry field by field (§1.3, §1.4).
fn merge_entry(
    base: Option<&Entry>,
    ours: &Entry,
    theirs: &Entry,
    conflicts: &mut Vec<Conflict>,
) -> Entry {
    let mut out = ours.clone();
    let mut bad: Vec<String> = Vec::new();
    macro_rules! field {
        ($($f:ident),*) => {$(
            match pick(base.map(|b| &b.$f), &ours.$f, &theirs.$f) {
                Some(v) => out.$f = v,
                None => bad.push(stringify!($f).to_owned()),
            }
        )*};
    }
    plain_fields!(field);
    let (extra, extra_conflicts) = merge_tables(base.map(|b| &b.extra), &ours.extra, &theirs.extra);
    out.extra = extra;
    bad.extend(extra_conflicts);
    // Revocation only moves forward: a revocation in any version wins
    // (the base's too: a side showing it active went backwards), and the
    // credential died at the earliest date anyone recorded.
    let versions = [base, Some(ours), Some(theirs)];
    out.revoked = versions.iter().flatten().any(|e| e.revoked);
    out.revoked_at = versions
        .iter()
        .flatten()
        .filter(|e| e.revoked)
        .filter_map(|e| e.revoked_at)
        .min();
    // Exposure only grows (§1.9).
    out.exposed = union_exposures(versions.iter().flatten().map(|e| e.exposed.as_slice()));
    for field in bad {
        conflicts.push(Conflict::Field {
            label: ours.label.clone(),
            id: ours.id.clone(),
            field,
        });
    }
    out
}

/// One side removed the entry; `kept` is the other side's version. Returns
/// whether the removal stands (§1.2): the other side left it alone or only
/// revoked it.
fn removal(base: &Entry, kept: &Entry, removed_on: Side, conflicts: &mut Vec<Conflict>) -> bool {
    let fields: Vec<String> = changed_fields(base, kept)
        .into_iter()
        .filter(|f| f != "revoked" && f != "revoked_at" && f != "exposed")
        .collect();
    if fields.is_empty() {
        return true;
    }
    conflicts.push(Conflict::RemovedAndChanged {
        label: kept.label.clone(),
        id: kept.id.clone(),
        removed_on,
        fields,
    });
    false
}

/// Merges `ours` and `theirs` against their common ancestor `base`
/// (spec/MERGE.md §1). Returns the merged document, or every conflict.
/// [`merge_explained`] also says which entries were kept or made revoked.
///
/// The result is not yet validated against the schema; the caller
/// serializes and parses it back before writing.
pub fn merge(
    base: &Document,
    ours: &Document,
    theirs: &Document,
) -> Result<Document, Vec<Conflict>> {
    merge_explained(base, ours, theirs).map(|o| o.document)
}

/// [`merge`], with the [`Notice`]s the caller prints on a clean merge.
pub fn merge_explained(
    base: &Document,
    ours: &Document,
    theirs: &Document,
) -> Result<Outcome, Vec<Conflict>> {
    let index = |d: &Document| -> HashMap<String, Entry> {
        d.entries
            .iter()
            .map(|e| (e.id.clone(), e.clone()))
            .collect()
    };
    let b = index(base);
    let o = index(ours);
    let t = index(theirs);

    // The document order (spec/FORMAT.md §3.5 keeps it): ours, then the
    // entries only theirs has, in their order.
    let mut ids: Vec<&str> = Vec::new();
    let mut seen = HashSet::new();
    for e in ours
        .entries
        .iter()
        .chain(&theirs.entries)
        .chain(&base.entries)
    {
        if seen.insert(e.id.as_str()) {
            ids.push(e.id.as_str());
        }
    }

    let mut conflicts = Vec::new();
    let mut entries = Vec::new();
    for id in ids {
        let merged = match (b.get(id), o.get(id), t.get(id)) {
            (_, None, None) => None,
            (None, Some(x), None) | (None, None, Some(x)) => Some(x.clone()),
            (Some(b), None, Some(t)) => {
                (!removal(b, t, Side::Ours, &mut conflicts)).then(|| t.clone())
            }
            (Some(b), Some(o), None) => {
                (!removal(b, o, Side::Theirs, &mut conflicts)).then(|| o.clone())
            }
            (b, Some(o), Some(t)) => Some(merge_entry(b, o, t, &mut conflicts)),
        };
        entries.extend(merged);
    }
    let notices = enforce_revocations(base, ours, theirs, &mut entries);

    // Labels stay unique ignoring case (§1.5).
    let mut labels: HashMap<String, &Entry> = HashMap::new();
    for e in &entries {
        if let Some(first) = labels.insert(e.label.to_lowercase(), e) {
            conflicts.push(Conflict::SameLabel {
                label: first.label.clone(),
                id: first.id.clone(),
                other_label: e.label.clone(),
                other_id: e.id.clone(),
            });
        }
    }

    let (extra, top) = merge_tables(Some(&base.extra), &ours.extra, &theirs.extra);
    conflicts.extend(top.into_iter().map(|key| Conflict::TopLevel { key }));
    let members = merge_members(base, ours, theirs, &mut conflicts);
    let removed = merge_tombstones(base, ours, theirs);
    let default_api_key = merge_default(base, ours, theirs, &entries)
        .map_err(|c| conflicts.push(c))
        .unwrap_or_default();
    if !conflicts.is_empty() {
        return Err(conflicts);
    }
    let mut notices = notices;
    let mut document = Document {
        format: ours.format.clone(),
        version: base.version.max(ours.version).max(theirs.version),
        fingerprint_key: fingerprint_key(base, ours, theirs),
        default_api_key,
        extra,
        entries,
        members,
        removed,
    };
    expose_to_removed_members(ours, theirs, &mut document, &mut notices);
    Ok(Outcome { document, notices })
}

/// A member removed on one side stays listed on the other, where they
/// could read what that side holds — entries added there after the removal
/// was made included. Every such credential is marked exposed in the
/// result, as `member remove` marks its own side's (spec/MERGE.md §1.8):
/// the offboarding list must not miss what a concurrent branch gave them.
fn expose_to_removed_members(
    ours: &Document,
    theirs: &Document,
    result: &mut Document,
    notices: &mut Vec<Notice>,
) {
    let now = crate::vault::format::Timestamp::now();
    for side in [ours, theirs] {
        for member in &side.members {
            if result.member(&member.name).is_some() {
                continue;
            }
            for readable in crate::vault::hygiene::readable_by(side, member) {
                let already = result
                    .entries
                    .iter()
                    .find(|e| e.id == readable.id)
                    .map(|e| &e.exposed)
                    .or_else(|| {
                        result
                            .removed
                            .iter()
                            .find(|t| t.id == readable.id)
                            .map(|t| &t.exposed)
                    })
                    .is_some_and(|list| list.iter().any(|x| x.member == member.name));
                if !already && result.mark_exposed(&readable.id, &member.name, now) {
                    notices.push(Notice::Exposed {
                        label: readable.label,
                        id: readable.id,
                        member: member.name.clone(),
                    });
                }
            }
        }
    }
}

/// The result's fingerprint key (spec/MERGE.md §2.2): a side without one
/// never wins over a side (or, failing both, a base) with one; when both
/// sides have one and they differ, the side that changed the base's key
/// wins, and otherwise (both sides made their own, from a 1.0 base) the
/// smaller key, so both merge directions agree and a later merge does not
/// change it again. Never a conflict.
fn fingerprint_key(
    base: &Document,
    ours: &Document,
    theirs: &Document,
) -> Option<super::FingerprintKey> {
    match (&ours.fingerprint_key, &theirs.fingerprint_key) {
        (Some(o), Some(t)) if o != t => Some(if base.fingerprint_key.as_ref() == Some(o) {
            t.clone()
        } else if base.fingerprint_key.as_ref() == Some(t) {
            o.clone()
        } else {
            o.min(t).clone()
        }),
        (o, t) => o
            .as_ref()
            .or(t.as_ref())
            .or(base.fingerprint_key.as_ref())
            .cloned(),
    }
}

#[cfg(test)]
pub(super) mod tests;
