//! The properties the fuzz targets check, in one file shared by the targets
//! (`mod properties;`) and by `tests/fuzz_regressions.rs` (through
//! `#[path]`), so a regression input is replayed through exactly the checks
//! that found it. Each function panics when a property fails.
#![allow(dead_code)] // each includer uses only some of it

use ascvault::vault::{self, Document, Secret, crypto, merge};

/// `open_vault`: header inspection, then the vault's read path
/// (`vault::open_bytes`: age decryption with the passphrase of the CCTV
/// scrypt vectors and of the seed vault, `password`, then the plaintext
/// parse); must not panic. Returns whether a document came out.
///
/// The product accepts work factors up to 22 (4 GiB of scrypt memory) by
/// design; the fuzzer would spend its time there, so they are skipped.
/// Anything `inspect` refuses is still covered.
pub fn open_vault(data: &[u8]) -> bool {
    if let Ok(c) = crypto::inspect(data)
        && c.work_factor > 12
    {
        return false;
    }
    vault::open_bytes(data, &Secret::from("password").into()).is_ok()
}

/// `parse_toml`: whatever parses has a canonical form that parses back to
/// the same document, and canonicalization is a fixed point. Returns whether
/// the input parsed.
pub fn parse_toml(data: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(data) else {
        return false;
    };
    split_agrees(text);
    let Ok(doc) = Document::parse(text) else {
        return false;
    };
    let canonical = doc.to_canonical();
    let again = Document::parse(&canonical)
        .unwrap_or_else(|e| panic!("canonical form does not parse: {e}"));
    assert!(same(&again, &doc), "parse(to_canonical(doc)) != doc");
    assert_eq!(
        again.to_canonical().as_str(),
        canonical.as_str(),
        "to_canonical is not a fixed point"
    );
    true
}

/// The parse in pieces (cut at every `[[entry]]` line) either declines or
/// gives what the whole-text parse gives.
///
/// On one thread: with a helper thread per input, LeakSanitizer reports the
/// thread's destructor list (`__cxa_thread_atexit_impl`, 32 bytes) as a leak
/// and stops the fuzzer. That the pieces come back in order from several
/// threads is checked by the unit tests of `src/vault/format/split.rs`.
pub fn split_agrees(text: &str) {
    let Some(split) = Document::parse_split(text, 1, 1) else {
        return;
    };
    match (split, Document::parse_whole(text)) {
        (Ok(a), Ok(b)) => assert!(same(&a, &b), "split parse != whole parse"),
        (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
        (a, b) => panic!(
            "split parse {} but whole parse {}",
            if a.is_ok() { "accepts" } else { "refuses" },
            if b.is_ok() { "accepts" } else { "refuses" },
        ),
    }
}

/// What the `merge` properties concluded about one input.
#[derive(Debug, PartialEq)]
pub enum Merged {
    /// A part is not a document: nothing to merge.
    Skipped,
    /// The merge refused, with reasons.
    Conflict,
    /// The merge gave a document; every property held.
    Clean,
}

/// `merge`: up to three plaintexts separated by NUL bytes (a NUL cannot
/// occur in TOML text): base, ours, theirs; a missing part repeats the one
/// before it, so one document alone is merged with itself. Checks, beyond
/// "no panic":
/// - merging X with itself over base X gives X, for each part;
/// - a conflict comes with at least one reason (and so no result);
/// - a result serializes to text that parses back to the same document, and
///   that text is a fixed point of canonicalization;
/// - revocation never moves backward: an entry revoked on either side and
///   kept is revoked in the result, at or before that side's date.
pub fn merge(data: &[u8]) -> Merged {
    let mut parts = data.splitn(3, |b| *b == 0);
    let Some(base) = parts.next().and_then(parse) else {
        return Merged::Skipped;
    };
    let ours = match parts.next() {
        Some(bytes) => match parse(bytes) {
            Some(doc) => doc,
            None => return Merged::Skipped,
        },
        None => base.clone(),
    };
    let theirs = match parts.next() {
        Some(bytes) => match parse(bytes) {
            Some(doc) => doc,
            None => return Merged::Skipped,
        },
        None => ours.clone(),
    };
    for x in [&base, &ours, &theirs] {
        match merge::merge(x, x, x) {
            // X itself, except that an active entry holding the secret of a
            // revoked one comes out revoked (spec/MERGE.md §1.4.1); and that
            // result merges with itself to itself.
            Ok(m) => {
                assert!(same(&reactivated(&m, x), x), "merge(X, X, X) != X");
                match merge::merge(&m, &m, &m) {
                    Ok(again) => assert!(same(&again, &m), "merge(M, M, M) != M"),
                    Err(c) => panic!("merge(M, M, M) conflicts: {c:?}"),
                }
            }
            Err(c) => panic!("merge(X, X, X) conflicts: {c:?}"),
        }
    }
    let merged = match merge::merge(&base, &ours, &theirs) {
        Ok(m) => m,
        Err(conflicts) => {
            assert!(!conflicts.is_empty(), "refused without a conflict");
            return Merged::Conflict;
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
    Merged::Clean
}

/// `merged` with the entries `x` holds active made active again: what is
/// left to compare once the revocations of spec/MERGE.md §1.4.1 are set aside.
fn reactivated(merged: &Document, x: &Document) -> Document {
    let mut m = merged.clone();
    for e in &mut m.entries {
        if x.entries.iter().any(|o| o.id == e.id && !o.revoked) {
            e.revoked = false;
            e.revoked_at = None;
        }
    }
    m
}

fn parse(bytes: &[u8]) -> Option<Document> {
    Document::parse(std::str::from_utf8(bytes).ok()?).ok()
}

/// Equality with NaN floats in unknown keys counted equal to themselves, and
/// a version older than ours counted as ours (the one a rewrite writes).
fn same(a: &Document, b: &Document) -> bool {
    nan_as_marker(&as_written(a)) == nan_as_marker(&as_written(b))
}

/// What the canonical form of `doc` says (spec/FORMAT.md §3.1, §4): the
/// version written is never older than this build's, and a default api-key
/// entry is written only while it names an active api-key entry.
fn as_written(doc: &Document) -> Document {
    let mut doc = doc.clone();
    doc.version = doc.version.max(vault::CURRENT_VERSION);
    doc.default_api_key = doc.default_api_key().map(|e| e.id.clone());
    doc
}

/// The document with every NaN float in unknown keys replaced by a marker
/// string: a TOML `nan` survives the round trip, but NaN != NaN, so plain
/// `==` would call that a difference (fuzz crash of 2026-11-25,
/// fixtures/fuzz-regressions/parse_toml/crash-nan-in-unknown-key).
pub fn nan_as_marker(doc: &Document) -> Document {
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
