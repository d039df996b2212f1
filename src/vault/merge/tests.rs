//! The merge rules of spec/MERGE.md §1, one test each, on documents.

use super::{Conflict, merge};
use crate::vault::{Document, Entry, Kind, Secret, Timestamp};

const PW1: &str = "abcd-efgh-ijkl-mnop";
const PW2: &str = "qrst-uvwx-yzab-cdef";
const PW3: &str = "ghij-klmn-opqr-stuv";

/// A password entry created `secs` after a fixed moment.
pub(in crate::vault) fn pw_entry(label: &str, secs: i64) -> Entry {
    let mut e = Entry::new(label.to_owned(), Kind::AppSpecificPassword);
    e.created = Timestamp::from_unix(1_700_000_000 + secs);
    e.apple_id = Some("dev@example.com".into());
    e.password = Some(Secret::from(PW1));
    e
}

/// A document holding copies of `entries`.
pub(in crate::vault) fn doc(entries: &[&Entry]) -> Document {
    Document {
        entries: entries.iter().map(|e| (*e).clone()).collect(),
        ..Document::default()
    }
}

fn by_id<'a>(d: &'a Document, e: &Entry) -> Option<&'a Entry> {
    d.entries.iter().find(|x| x.id == e.id)
}

fn conflicts(base: &Document, ours: &Document, theirs: &Document) -> Vec<Conflict> {
    merge(base, ours, theirs).expect_err("expected a conflict")
}

#[test]
fn merge_keeps_entries_added_on_either_side() {
    let a = pw_entry("a", 0);
    let ours_new = pw_entry("ours-new", 1);
    let theirs_new = pw_entry("theirs-new", 2);
    let base = doc(&[&a]);
    let m = merge(&base, &doc(&[&a, &ours_new]), &doc(&[&a, &theirs_new])).unwrap();
    assert_eq!(m.entries.len(), 3);
    assert!(by_id(&m, &ours_new).is_some() && by_id(&m, &theirs_new).is_some());
}

#[test]
fn merge_removes_an_entry_removed_on_one_side_and_untouched_on_the_other() {
    let a = pw_entry("a", 0);
    let b = pw_entry("b", 1);
    let base = doc(&[&a, &b]);
    let m = merge(&base, &doc(&[&a]), &base).unwrap();
    assert!(by_id(&m, &b).is_none());
    let m = merge(&base, &base, &doc(&[&a])).unwrap();
    assert!(by_id(&m, &b).is_none());
    assert!(by_id(&m, &a).is_some());
}

#[test]
fn merge_removes_an_entry_removed_on_both_sides() {
    let a = pw_entry("a", 0);
    let m = merge(&doc(&[&a]), &doc(&[]), &doc(&[])).unwrap();
    assert!(m.entries.is_empty());
}

#[test]
fn merge_lets_a_removal_win_over_a_revocation() {
    let a = pw_entry("a", 0);
    let mut revoked = a.clone();
    revoked.revoke(Timestamp::from_unix(1_800_000_000));
    let m = merge(&doc(&[&a]), &doc(&[]), &doc(&[&revoked])).unwrap();
    assert!(m.entries.is_empty());
}

#[test]
fn merge_conflicts_when_removed_on_one_side_and_changed_on_the_other() {
    let a = pw_entry("a", 0);
    let mut noted = a.clone();
    noted.note = Some("still used by CI".into());
    let c = conflicts(&doc(&[&a]), &doc(&[&noted]), &doc(&[]));
    assert_eq!(c.len(), 1);
    let text = c[0].to_string();
    assert!(
        text.contains("\"a\"") && text.contains("removed on their side") && text.contains("note"),
        "{text}"
    );
}

#[test]
fn merge_revocation_only_moves_forward_with_the_earliest_date() {
    let a = pw_entry("a", 0);
    let mut early = a.clone();
    early.revoke(Timestamp::from_unix(1_750_000_000));
    let mut late = a.clone();
    late.revoke(Timestamp::from_unix(1_760_000_000));
    // Revoked on one side only: revoked.
    let m = merge(&doc(&[&a]), &doc(&[&a]), &doc(&[&late])).unwrap();
    assert!(m.entries[0].revoked);
    // Revoked on both: the earliest date, whichever side it is on.
    for (o, t) in [(&early, &late), (&late, &early)] {
        let m = merge(&doc(&[&a]), &doc(&[o]), &doc(&[t])).unwrap();
        assert_eq!(m.entries[0].revoked_at, early.revoked_at);
    }
    // Never un-revoked, even if a side somehow shows it active again.
    let m = merge(&doc(&[&early]), &doc(&[&early]), &doc(&[&a])).unwrap();
    assert!(m.entries[0].revoked);
    assert_eq!(m.entries[0].revoked_at, early.revoked_at);
}

#[test]
fn merge_combines_changes_to_different_fields() {
    let a = pw_entry("a", 0);
    let mut relabelled = a.clone();
    relabelled.label = "a-renamed".into();
    let mut noted = a.clone();
    noted.note = Some("CI".into());
    noted.revoke(Timestamp::from_unix(1_750_000_000));
    let m = merge(&doc(&[&a]), &doc(&[&relabelled]), &doc(&[&noted])).unwrap();
    let e = &m.entries[0];
    assert_eq!(e.label, "a-renamed");
    assert_eq!(e.note.as_deref(), Some("CI"));
    assert!(e.revoked);
}

#[test]
fn merge_accepts_the_same_change_made_on_both_sides() {
    let a = pw_entry("a", 0);
    let mut x = a.clone();
    x.note = Some("same".into());
    let m = merge(&doc(&[&a]), &doc(&[&x]), &doc(&[&x])).unwrap();
    assert_eq!(m.entries[0].note.as_deref(), Some("same"));
}

#[test]
fn merge_conflicts_when_one_field_changes_differently_on_both_sides() {
    let a = pw_entry("a", 0);
    let mut o = a.clone();
    o.label = "ours".into();
    o.note = Some("ours".into());
    let mut t = a.clone();
    t.label = "theirs".into();
    t.note = Some("theirs".into());
    let c = conflicts(&doc(&[&a]), &doc(&[&o]), &doc(&[&t]));
    let fields: Vec<String> = c
        .iter()
        .map(|c| match c {
            Conflict::Field { field, id, .. } => {
                assert_eq!(id, &a.id);
                field.clone()
            }
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(fields, ["label", "note"]);
    assert!(c[1].to_string().contains(&a.id[..8]));
}

#[test]
fn merge_conflict_on_a_secret_names_the_field_never_the_value() {
    let a = pw_entry("a", 0);
    let mut o = a.clone();
    o.password = Some(Secret::from(PW2));
    let mut t = a.clone();
    t.password = Some(Secret::from(PW3));
    let c = conflicts(&doc(&[&a]), &doc(&[&o]), &doc(&[&t]));
    let text = format!("{} {:?}", c[0], c[0]);
    assert!(text.contains("password"), "{text}");
    for secret in [PW1, PW2, PW3] {
        assert!(!text.contains(secret), "{text}");
    }
}

#[test]
fn merge_conflicts_when_two_entries_claim_one_label() {
    let a = pw_entry("a", 0);
    let mut relabelled = a.clone();
    relabelled.label = "Prod".into();
    let new_prod = pw_entry("prod", 5);
    let c = conflicts(&doc(&[&a]), &doc(&[&relabelled]), &doc(&[&a, &new_prod]));
    assert_eq!(c.len(), 1);
    let text = c[0].to_string();
    assert!(
        text.contains(&a.id[..8]) && text.contains(&new_prod.id[..8]),
        "{text}"
    );
}

#[test]
fn merge_without_a_base_keeps_identical_entries_and_conflicts_on_differences() {
    let a = pw_entry("a", 0);
    let m = merge(&Document::default(), &doc(&[&a]), &doc(&[&a])).unwrap();
    assert_eq!(m.entries.len(), 1);
    let mut other = a.clone();
    other.note = Some("x".into());
    let c = conflicts(&Document::default(), &doc(&[&a]), &doc(&[&other]));
    assert!(matches!(&c[0], Conflict::Field { field, .. } if field == "note"));
}

#[test]
fn merge_keeps_unknown_fields_and_the_newest_version() {
    let text = |version: &str, color: &str| {
        format!(
            "format = \"ascvault\"\nversion = \"{version}\"\nsync = \"on\"\n\n[[entry]]\n\
             id = \"0b0c6a2e-7c53-4d1e-9f1d-1c0f0e6d2a11\"\nlabel = \"fl\"\n\
             kind = \"app-specific-password\"\ncreated = 2026-01-02T03:04:05Z\nrevoked = false\n\
             apple_id = \"dev@example.com\"\npassword = \"{PW1}\"\n{color}"
        )
    };
    let base = Document::parse(&text("1.0", "")).unwrap();
    let ours = Document::parse(&text("1.0", "")).unwrap();
    let theirs = Document::parse(&text("1.2", "color = \"blue\"\n")).unwrap();
    let m = merge(&base, &ours, &theirs).unwrap();
    let out = m.to_canonical();
    assert!(out.contains("version = \"1.2\""), "{}", out.as_str());
    assert!(out.contains("color = \"blue\""));
    assert!(out.contains("sync = \"on\""));
    // Both sides setting one unknown key differently is a conflict.
    let ours = Document::parse(&text("1.2", "color = \"red\"\n")).unwrap();
    let c = conflicts(&base, &ours, &theirs);
    assert!(matches!(&c[0], Conflict::Field { field, .. } if field == "color"));
}
