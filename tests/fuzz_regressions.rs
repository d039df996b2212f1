//! Replays `fixtures/fuzz-regressions/<target>/*` through the same checks as
//! the fuzz targets in `fuzz/` (their own `properties.rs`, included below),
//! so an input that once crashed (or that the fuzzer found to reach deep
//! paths) is tried on every `cargo test`.

use std::fs;
use std::path::PathBuf;

use crate::support::fixtures;

// The targets' own property checks, so a replay checks exactly what fuzzing did.
#[path = "../fuzz/fuzz_targets/properties.rs"]
mod properties;

use properties::Merged;

fn inputs(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = fixtures().join("fuzz-regressions").join(target);
    let mut all: Vec<_> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_none_or(|e| e != "md"))
        .map(|p| {
            let bytes = fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect();
    all.sort();
    all
}

#[test]
fn open_vault_regressions_do_not_panic() {
    let all = inputs("open_vault");
    assert!(!all.is_empty());
    let mut opened = 0;
    for (path, data) in &all {
        let r = std::panic::catch_unwind(|| properties::open_vault(data));
        assert!(r.is_ok(), "{} panics", path.display());
        opened += usize::from(r.unwrap_or(false));
    }
    // The seed vault opens, so the whole path (decrypt + parse) is exercised.
    assert!(opened > 0, "no regression input opens");
}

#[test]
fn parse_toml_regressions_keep_the_canonical_round_trip() {
    let all = inputs("parse_toml");
    assert!(!all.is_empty());
    let mut parsed = 0;
    for (path, data) in &all {
        match std::panic::catch_unwind(|| properties::parse_toml(data)) {
            Ok(true) => parsed += 1,
            Ok(false) => {}
            Err(_) => panic!("{} breaks the round trip", path.display()),
        }
    }
    // Some inputs are valid documents, so the round trip is really exercised.
    assert!(parsed > 0, "no regression input parses");
}

#[test]
fn merge_regressions_keep_the_merge_properties() {
    let all = inputs("merge");
    assert!(!all.is_empty());
    let mut seen = Vec::new();
    for (path, data) in &all {
        match std::panic::catch_unwind(|| properties::merge(data)) {
            Ok(outcome) => seen.push(outcome),
            Err(_) => panic!("{} breaks a merge property", path.display()),
        }
    }
    // Both a clean merge and a conflict are replayed, so neither branch of
    // the properties goes untested.
    assert!(seen.contains(&Merged::Clean), "no regression input merges");
    assert!(
        seen.contains(&Merged::Conflict),
        "no regression input conflicts"
    );
}
