//! The three-way merge (`ascvault::vault::merge`). The input is up to three
//! plaintexts separated by NUL bytes (a NUL cannot occur in TOML text): base,
//! ours, theirs; a missing part repeats the one before it, so one document
//! alone is merged with itself. Properties checked, beyond "no panic":
//! - merging X with itself over base X gives X, for each part that parses;
//! - a conflict comes with at least one reason (and so no result);
//! - a result, when there is one, serializes to text that parses back to
//!   the same document, and that text is a fixed point of canonicalization;
//! - revocation never moves backward: an entry revoked on either side and
//!   kept is revoked in the result, at or before that side's date.
#![no_main]

use ascvault::vault::{Document, merge};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut parts = data.splitn(3, |b| *b == 0);
    let Some(base) = parts.next().and_then(parse) else {
        return;
    };
    let ours = match parts.next() {
        Some(bytes) => match parse(bytes) {
            Some(doc) => doc,
            None => return,
        },
        None => base.clone(),
    };
    let theirs = match parts.next() {
        Some(bytes) => match parse(bytes) {
            Some(doc) => doc,
            None => return,
        },
        None => ours.clone(),
    };
    for x in [&base, &ours, &theirs] {
        match merge::merge(x, x, x) {
            Ok(m) => assert!(same(&m, x), "merge(X, X, X) != X"),
            Err(c) => panic!("merge(X, X, X) conflicts: {c:?}"),
        }
    }
    let merged = match merge::merge(&base, &ours, &theirs) {
        Ok(m) => m,
        Err(conflicts) => {
            assert!(!conflicts.is_empty(), "refused without a conflict");
            return;
        }
    };
    let canonical = merged.to_canonical();
    let again = Document::parse(&canonical)
        .unwrap_or_else(|e| panic!("the merged document does not parse back: {e}"));
    assert!(
        same(&again, &merged),
        "parse(to_canonical(merged)) != merged"
    );
    assert_eq!(
        again.to_canonical().as_str(),
        canonical.as_str(),
        "the merged text is not canonical"
    );
    for side in [&ours, &theirs] {
        for e in side.entries.iter().filter(|e| e.revoked) {
            if let Some(m) = merged.entries.iter().find(|m| m.id == e.id) {
                assert!(m.revoked, "a revocation was undone");
                assert!(
                    m.revoked_at.is_some() && m.revoked_at <= e.revoked_at,
                    "the revocation date moved later"
                );
            }
        }
    }
});

fn parse(bytes: &[u8]) -> Option<Document> {
    Document::parse(std::str::from_utf8(bytes).ok()?).ok()
}

/// Equality with NaN floats in unknown keys counted equal to themselves
/// (see parse_toml.rs: `NaN != NaN` would call any such document changed).
fn same(a: &Document, b: &Document) -> bool {
    nan_as_marker(a) == nan_as_marker(b)
}

fn nan_as_marker(doc: &Document) -> Document {
    fn fix(v: &mut toml::Value) {
        match v {
            toml::Value::Float(f) if f.is_nan() => *v = toml::Value::String("NaN".into()),
            toml::Value::Array(a) => a.iter_mut().for_each(fix),
            toml::Value::Table(t) => t.iter_mut().for_each(|(_, v)| fix(v)),
            _ => {}
        }
    }
    let mut doc = doc.clone();
    doc.extra.iter_mut().for_each(|(_, v)| fix(v));
    for e in &mut doc.entries {
        e.extra.iter_mut().for_each(|(_, v)| fix(v));
    }
    doc
}
