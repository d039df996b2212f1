//! The merge of the top-level `default_api_key` (spec/MERGE.md §1.6): a
//! three-way pick of the sides' defaults, where a side that revoked or
//! removed the default entry counts as leaving the default alone, and a
//! default naming no active api-key entry of the result is dropped.

use super::{Conflict, Document, Entry, pick};
use crate::vault::Kind;

/// The default a side shows for the merge: its own, or the base's when the
/// side lost it only by revoking or removing that entry.
fn side(base: Option<&str>, side: &Document) -> Option<String> {
    if let Some(e) = side.default_api_key() {
        return Some(e.id.clone());
    }
    let id = base?;
    let active = side
        .entries
        .iter()
        .any(|e| e.id == id && e.kind == Kind::ApiKey && !e.revoked);
    // Still active there: the side cleared the default on purpose.
    (!active).then(|| id.to_owned())
}

/// The merged default, `None` when there is none; a conflict when both
/// sides changed it differently.
pub(super) fn merge_default(
    base: &Document,
    ours: &Document,
    theirs: &Document,
    merged: &[Entry],
) -> Result<Option<String>, Conflict> {
    let b = base.default_api_key().map(|e| e.id.clone());
    let o = side(b.as_deref(), ours);
    let t = side(b.as_deref(), theirs);
    let chosen = pick(Some(&b), &o, &t).ok_or_else(|| Conflict::TopLevel {
        key: "default_api_key".into(),
    })?;
    Ok(chosen.filter(|id| {
        merged
            .iter()
            .any(|e| &e.id == id && e.kind == Kind::ApiKey && !e.revoked)
    }))
}
