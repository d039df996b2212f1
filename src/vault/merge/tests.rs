//! The merge rules of spec/MERGE.md §1, one test each, on documents.

use super::{Conflict, Found, Notice, Side, merge, merge_explained};
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

/// Finding 8 of issue 11: one side revokes an entry, the other removes it
/// and adds the same password again under a new id. Before the fix the
/// merge was clean and the password active again.
#[test]
fn merge_revokes_a_re_added_entry_holding_a_revoked_secret() {
    let a = pw_entry("fastlane", 0);
    let mut revoked = a.clone();
    revoked.revoke(Timestamp::from_unix(1_750_000_000));
    let mut again = pw_entry("fastlane", 5);
    // The same password, written another way: still the same secret.
    again.password = Some(Secret::from("ABCD EFGH IJKL MNOP"));
    for (ours, theirs, found) in [
        (doc(&[&revoked]), doc(&[&again]), Found::Ours),
        (doc(&[&again]), doc(&[&revoked]), Found::Theirs),
    ] {
        let out = merge_explained(&doc(&[&a]), &ours, &theirs).unwrap();
        let m = &out.document;
        assert!(by_id(m, &a).is_none(), "the removal stands");
        let e = by_id(m, &again).expect("the re-added entry is kept");
        assert!(e.revoked, "a revoked secret came back active");
        assert_eq!(e.revoked_at, revoked.revoked_at);
        assert_eq!(out.notices.len(), 1, "{:?}", out.notices);
        assert!(matches!(
            &out.notices[0],
            Notice::SecretRevoked { id, revoked_id, found: f, .. }
                if id == &again.id && revoked_id == &a.id && *f == found
        ));
        let text = out.notices[0].to_string();
        assert!(
            text.contains(&again.id[..8]) && text.contains(&a.id[..8]),
            "{text}"
        );
        assert!(!text.contains(PW1) && !text.contains("ABCD"), "{text}");
    }
}

#[test]
fn merge_revokes_a_secret_revoked_only_in_the_base() {
    // Both sides dropped the revoked entry; one re-added its password.
    let mut a = pw_entry("a", 0);
    a.revoke(Timestamp::from_unix(1_750_000_000));
    let again = pw_entry("b", 5);
    let m = merge(&doc(&[&a]), &doc(&[]), &doc(&[&again])).unwrap();
    assert!(m.entries[0].revoked);
    // A password that differs is left alone.
    let mut other = pw_entry("c", 6);
    other.password = Some(Secret::from(PW2));
    let m = merge(&doc(&[&a]), &doc(&[]), &doc(&[&other])).unwrap();
    assert!(!m.entries[0].revoked);
}

#[test]
fn merge_matches_api_keys_by_key_material_or_key_id() {
    let key = |label: &str, key_id: &str, pem: &str| {
        let mut e = Entry::new(label.to_owned(), Kind::ApiKey);
        e.key_id = Some(key_id.into());
        e.private_key = Some(Secret::from(pem));
        e
    };
    let mut dead = key("k", "KEYID00001", "pem one");
    dead.revoke(Timestamp::from_unix(1_750_000_000));
    let same_id = key("k2", "keyid00001", "pem two");
    let same_key = key("k3", "KEYID00002", "pem one\n");
    let unrelated = key("k4", "KEYID00003", "pem three");
    let m = merge(
        &Document::default(),
        &doc(&[&dead, &same_id]),
        &doc(&[&same_key, &unrelated]),
    )
    .unwrap();
    let revoked: Vec<&str> = m
        .entries
        .iter()
        .filter(|e| e.revoked)
        .map(|e| e.label.as_str())
        .collect();
    assert_eq!(revoked, ["k", "k2", "k3"]);
}

/// Finding 10 of issue 11: an entry revoked in the base but active again
/// on a side (an older ciphertext restored) stays revoked, and is named.
#[test]
fn merge_keeps_an_entry_revoked_in_the_base_revoked_and_says_so() {
    let a = pw_entry("a", 0);
    let mut revoked = a.clone();
    revoked.revoke(Timestamp::from_unix(1_750_000_000));
    let mut noted = a.clone();
    noted.note = Some("rolled back, then edited".into());
    let out = merge_explained(&doc(&[&revoked]), &doc(&[&a]), &doc(&[&noted])).unwrap();
    let e = &out.document.entries[0];
    assert!(e.revoked, "the rollback undid a revocation");
    assert_eq!(e.revoked_at, revoked.revoked_at);
    let sides: Vec<Side> = out
        .notices
        .iter()
        .map(|n| match n {
            Notice::RevokedInBase {
                active_on, kept, ..
            } => {
                assert!(kept);
                *active_on
            }
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(sides, [Side::Ours, Side::Theirs]);
    assert!(
        out.notices[1]
            .to_string()
            .contains("active again on their side"),
        "{}",
        out.notices[1]
    );
    // Removed on the other side: it stays removed, and the line says so.
    let out = merge_explained(&doc(&[&revoked]), &doc(&[&a]), &doc(&[])).unwrap();
    assert!(out.document.entries.is_empty());
    assert!(
        matches!(
            &out.notices[..],
            [Notice::RevokedInBase { kept: false, .. }]
        ),
        "{:?}",
        out.notices
    );
    assert!(out.notices[0].to_string().ends_with("it stays removed"));
    // A clean merge of unrelated changes says nothing.
    let b = pw_entry("b", 1);
    let out = merge_explained(&doc(&[&a]), &doc(&[&a, &b]), &doc(&[&noted])).unwrap();
    assert!(out.notices.is_empty(), "{:?}", out.notices);
}

/// An api-key entry with its own key id (no real key: merges compare text).
fn key_entry(label: &str, n: u32) -> Entry {
    let mut e = Entry::new(label.to_owned(), Kind::ApiKey);
    e.key_id = Some(format!("KEYID{n:05}"));
    e.private_key = Some(Secret::from(format!("pem {n}").as_str()));
    e
}

/// `doc` with `default` as the default api-key entry.
fn doc_with_default(entries: &[&Entry], default: Option<&Entry>) -> Document {
    Document {
        default_api_key: default.map(|e| e.id.clone()),
        ..doc(entries)
    }
}

#[test]
fn merge_merges_team_id_and_provider_like_other_fields() {
    let a = pw_entry("a", 0);
    let mut ours = a.clone();
    ours.team_id = Some("A1B2C3D4E5".into());
    let mut theirs = a.clone();
    theirs.provider = Some("ACME".into());
    let m = merge(&doc(&[&a]), &doc(&[&ours]), &doc(&[&theirs])).unwrap();
    assert_eq!(m.entries[0].team_id.as_deref(), Some("A1B2C3D4E5"));
    assert_eq!(m.entries[0].provider.as_deref(), Some("ACME"));
    let mut other = a.clone();
    other.team_id = Some("Z9Y8X7W6V5".into());
    let c = conflicts(&doc(&[&a]), &doc(&[&ours]), &doc(&[&other]));
    assert_eq!(
        c,
        [Conflict::Field {
            label: "a".into(),
            id: a.id.clone(),
            field: "team_id".into()
        }]
    );
}

#[test]
fn merge_picks_the_default_api_key_three_ways() {
    let (k1, k2, k3) = (key_entry("k1", 1), key_entry("k2", 2), key_entry("k3", 3));
    let all = [&k1, &k2, &k3];
    let with = |d: Option<&Entry>| doc_with_default(&all, d);
    // One side set it: theirs wins over an unchanged ours.
    let m = merge(&with(None), &with(None), &with(Some(&k2))).unwrap();
    assert_eq!(m.default_api_key.as_deref(), Some(k2.id.as_str()));
    // One side changed it, the other cleared nothing: the change wins.
    let m = merge(&with(Some(&k1)), &with(Some(&k3)), &with(Some(&k1))).unwrap();
    assert_eq!(m.default_api_key.as_deref(), Some(k3.id.as_str()));
    // Both set the same: kept.
    let m = merge(&with(None), &with(Some(&k2)), &with(Some(&k2))).unwrap();
    assert_eq!(m.default_api_key.as_deref(), Some(k2.id.as_str()));
    // Both changed it differently (a clear is a change): a conflict.
    for (o, t) in [(Some(&k2), Some(&k3)), (None, Some(&k3))] {
        let c = conflicts(&with(Some(&k1)), &with(o), &with(t));
        assert_eq!(
            c,
            [Conflict::TopLevel {
                key: "default_api_key".into()
            }]
        );
        assert_eq!(
            c[0].to_string(),
            "top-level key \"default_api_key\" changed differently on both sides"
        );
    }
}

#[test]
fn merge_drops_a_default_that_names_a_revoked_or_removed_entry() {
    let (k1, k2) = (key_entry("k1", 1), key_entry("k2", 2));
    let mut k1_revoked = k1.clone();
    k1_revoked.revoke(Timestamp::from_unix(1_800_000_000));
    // Ours made k1 the default; theirs revoked k1: no default in the result.
    let m = merge(
        &doc(&[&k1, &k2]),
        &doc_with_default(&[&k1, &k2], Some(&k1)),
        &doc(&[&k1_revoked, &k2]),
    )
    .unwrap();
    assert_eq!(m.default_api_key, None);
    // Ours made k1 the default; theirs removed k1: none either.
    let m = merge(
        &doc(&[&k1, &k2]),
        &doc_with_default(&[&k1, &k2], Some(&k1)),
        &doc(&[&k2]),
    )
    .unwrap();
    assert_eq!(m.default_api_key, None);
    // k1 was the default; ours revoked it (which drops the default there),
    // theirs chose k2: a change on one side only, so k2, not a conflict.
    let m = merge(
        &doc_with_default(&[&k1, &k2], Some(&k1)),
        &doc(&[&k1_revoked, &k2]),
        &doc_with_default(&[&k1, &k2], Some(&k2)),
    )
    .unwrap();
    assert_eq!(m.default_api_key.as_deref(), Some(k2.id.as_str()));
}
