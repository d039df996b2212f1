//! Password fingerprints in real `git log -p` (spec/MERGE.md §2.2, issue
//! 13 §5): a 1.1 vault keeps its fingerprint key inside, so each side of a
//! diff costs one scrypt run; a 1.0 vault renders with the passphrase-derived
//! key (two runs); the first rewrite upgrades it, and the fingerprints change
//! once; two clones that upgraded concurrently merge to one key, the same in
//! either direction.

use std::fs;
use std::path::Path;

use ascvault::vault::crypto::Prepared;
use ascvault::vault::{Container, Document, FingerprintKey, Secret, Vault, merge};

use crate::support::PASSPHRASE;
use crate::support::git::{Git, PW1, PW2, PW3, git_available};

/// textconv that says on stderr how many scrypt runs each side took.
const COUNTING_TEXTCONV: &str = "ascvault --verbose textconv";

/// A 1.0 plaintext, as ascvault wrote it before format 1.1: no fingerprint
/// key. Two passwords with fixed ids.
fn plain_1_0(p1: &str, p2: &str) -> String {
    format!(
        r#"format = "ascvault"
version = "1.0"

[[entry]]
id = "7b0c6a2e-7c53-4d1e-9f1d-1c0f0e6d2a01"
label = "p1"
kind = "app-specific-password"
created = 2026-01-02T03:04:05Z
revoked = false
apple_id = "dev@example.com"
password = "{p1}"

[[entry]]
id = "7b0c6a2e-7c53-4d1e-9f1d-1c0f0e6d2a02"
label = "p2"
kind = "app-specific-password"
created = 2026-01-02T03:04:06Z
revoked = false
apple_id = "dev@example.com"
password = "{p2}"
"#
    )
}

/// Writes `plain` encrypted as ascvault would (armored, work factor 10).
fn write_vault(path: &Path, plain: &str) {
    let container = Container {
        armored: true,
        work_factor: 10,
    };
    let bytes = Prepared::new(&Secret::from(PASSPHRASE), container)
        .unwrap()
        .encrypt(plain.as_bytes())
        .unwrap();
    fs::write(path, bytes).unwrap();
}

fn document(path: &Path) -> Document {
    Vault::new(path)
        .open(&Secret::from(PASSPHRASE).into())
        .unwrap()
        .document
}

fn commit(g: &Git, dir: &Path, message: &str) {
    g.git(dir, &["add", "-A"]);
    g.git(dir, &["commit", "-q", "-m", message]);
}

/// `git log -p` with the counting textconv: each commit's patch (newest
/// first, keyed by subject) and the scrypt runs textconv reported per side.
fn log_with_kdfs(g: &Git, dir: &Path) -> (Vec<(String, String)>, Vec<String>) {
    g.git(
        dir,
        &["config", "diff.ascvault.textconv", COUNTING_TEXTCONV],
    );
    let out = g.git_out(dir, &["log", "-p", "--format=COMMIT %s"], true);
    assert!(out.status.success(), "{out:?}");
    let log = String::from_utf8_lossy(&out.stdout).into_owned();
    let commits = log
        .split("COMMIT ")
        .filter(|c| !c.is_empty())
        .map(|c| {
            let (subject, patch) = c.split_once('\n').unwrap_or((c, ""));
            (subject.to_owned(), patch.to_owned())
        })
        .collect();
    let kdfs = String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter(|l| l.contains(" scrypt run"))
        .map(|l| l.rsplit(": ").next().unwrap_or(l).to_owned())
        .collect();
    (commits, kdfs)
}

fn patch<'a>(commits: &'a [(String, String)], subject: &str) -> &'a str {
    &commits
        .iter()
        .find(|(s, _)| s == subject)
        .unwrap_or_else(|| panic!("no commit {subject:?} in {commits:?}"))
        .1
}

/// The `-`/`+` fingerprint lines of a patch.
fn fingerprint_changes(patch: &str) -> (Vec<&str>, Vec<&str>) {
    let lines = |sign: &str| {
        patch
            .lines()
            .filter_map(|l| l.strip_prefix(sign)?.strip_prefix("fingerprint: "))
            .collect::<Vec<_>>()
    };
    (lines("-"), lines("+"))
}

/// Issue 13 §5: `git log -p` over 11 commits took 28 s, two scrypt runs per
/// side. A 1.1 vault costs one per side, and a changed password still
/// shows as a changed fingerprint.
#[test]
fn a_1_1_vault_costs_one_kdf_per_side_and_shows_a_password_change() {
    if !git_available() {
        return;
    }
    let g = Git::new();
    let a = g.origin_and_first_clone();
    let vault = a.join("ascvault.age");
    assert!(document(&vault).fingerprint_key.is_some());
    // The password of p2 changes (same entry, same id).
    Vault::new(&vault)
        .update(&Secret::from(PASSPHRASE).into(), |doc| {
            doc.find_mut("p2").unwrap().password = Some(Secret::from(PW1));
            Ok(())
        })
        .unwrap();
    commit(&g, &a, "new password for p2");
    g.av(&a, &["note", "p3", "rotated soon"]).run().success();
    commit(&g, &a, "note on p3");

    let (commits, kdfs) = log_with_kdfs(&g, &a);
    // Sides: the first commit's new file, then two per later commit.
    assert_eq!(kdfs.len(), 5, "{kdfs:?}");
    assert!(kdfs.iter().all(|k| k == "1 scrypt run"), "{kdfs:?}");

    let changed = patch(&commits, "new password for p2");
    let (old, new) = fingerprint_changes(changed);
    assert_eq!((old.len(), new.len()), (1, 1), "{changed}");
    assert!(old[0].starts_with("pw:") && new[0].starts_with("pw:"));
    assert_ne!(old, new, "{changed}");
    assert!(
        !changed.contains("-label:"),
        "only the fingerprint: {changed}"
    );
    // A note is not a secret: no fingerprint moves.
    let noted = patch(&commits, "note on p3");
    assert_eq!(fingerprint_changes(noted), (vec![], vec![]), "{noted}");
    for (_, p) in &commits {
        for secret in [PW1, PW2, PW3, PASSPHRASE] {
            assert!(!p.contains(secret), "secret in {p}");
        }
    }
}

/// A 1.0 vault (no key inside) renders with the passphrase-derived key:
/// its history diffs as it always did, at two scrypt runs a side. The first
/// rewrite adds the key; the fingerprints change in that commit and never
/// again.
#[test]
fn a_1_0_vault_diffs_as_before_and_its_upgrade_changes_fingerprints_once() {
    if !git_available() {
        return;
    }
    let g = Git::new();
    let dir = g.repo("old");
    let vault = dir.join("ascvault.age");
    write_vault(&vault, &plain_1_0(PW1, PW2));
    g.av(&dir, &["git", "setup"]).run().success();
    commit(&g, &dir, "a 1.0 vault");
    write_vault(&vault, &plain_1_0(PW3, PW2));
    commit(&g, &dir, "1.0: new password for p1");
    g.av(&dir, &["note", "p2", "upgraded"]).run().success();
    assert!(document(&vault).fingerprint_key.is_some());
    commit(&g, &dir, "first rewrite");
    g.av(&dir, &["note", "p2", "again"]).run().success();
    commit(&g, &dir, "second rewrite");

    let (commits, kdfs) = log_with_kdfs(&g, &dir);
    // Newest commit first, each diff's old side first: 1.1 and 1.1; 1.0
    // and 1.1; 1.0 and 1.0; the first commit's 1.0.
    assert_eq!(
        kdfs,
        [
            "1 scrypt run",
            "1 scrypt run",
            "2 scrypt runs",
            "1 scrypt run",
            "2 scrypt runs",
            "2 scrypt runs",
            "2 scrypt runs",
        ],
        "{commits:?}"
    );
    let changed = patch(&commits, "1.0: new password for p1");
    let (old, new) = fingerprint_changes(changed);
    assert_eq!((old.len(), new.len()), (1, 1), "{changed}");
    assert_ne!(old, new);
    let upgrade = patch(&commits, "first rewrite");
    assert!(
        upgrade.contains("-ascvault vault: format 1.0,")
            && upgrade.contains("+ascvault vault: format 1.1,"),
        "{upgrade}"
    );
    let (old, new) = fingerprint_changes(upgrade);
    assert_eq!(
        (old.len(), new.len()),
        (2, 2),
        "every password, once: {upgrade}"
    );
    let later = patch(&commits, "second rewrite");
    assert_eq!(fingerprint_changes(later), (vec![], vec![]), "{later}");
}

/// Two clones rewrite one 1.0 vault concurrently, so each makes its own
/// key. The merge driver keeps one of them, the same whichever side merges,
/// and merging the two merges changes nothing.
#[test]
fn concurrent_upgrades_merge_to_one_key_whichever_side_merges() {
    if !git_available() {
        return;
    }
    let g = Git::new();
    let a = g.origin_and_first_clone();
    // The history goes back to a 1.0 file (no key): the merge base below.
    write_vault(&a.join("ascvault.age"), &plain_1_0(PW1, PW2));
    commit(&g, &a, "a 1.0 vault");
    g.git(&a, &["push", "-q", "origin", "main"]);
    let b = g.clone("b");
    let c = g.clone("c");

    g.av(&a, &["note", "p1", "from a"]).run().success();
    commit(&g, &a, "a upgrades");
    g.git(&a, &["push", "-q", "origin", "main"]);
    g.av(&b, &["note", "p2", "from b"]).run().success();
    commit(&g, &b, "b upgrades");
    g.git(&b, &["branch", "b-upgrade"]);
    let key_a = document(&a.join("ascvault.age")).fingerprint_key.unwrap();
    let key_b = document(&b.join("ascvault.age")).fingerprint_key.unwrap();
    assert_ne!(key_a, key_b);

    // b merges a's commit; c (at a's commit) merges b's.
    let (ok, err) = g.pull(&b);
    assert!(ok, "{err}");
    let (ok, err) = g.pull(&c);
    assert!(ok, "{err}");
    g.git(&c, &["fetch", "-q", b.to_str().unwrap(), "b-upgrade"]);
    g.git(&c, &["merge", "-q", "--no-edit", "FETCH_HEAD"]);
    let merged_b = document(&b.join("ascvault.age"));
    let merged_c = document(&c.join("ascvault.age"));
    let kept = merged_b.fingerprint_key.clone().unwrap();
    assert_eq!(merged_c.fingerprint_key.as_ref(), Some(&kept));
    assert_eq!(kept, key_a.clone().min(key_b.clone()));
    // Both notes made it.
    assert_eq!(merged_b.find("p1").unwrap().note.as_deref(), Some("from a"));
    assert_eq!(merged_b.find("p2").unwrap().note.as_deref(), Some("from b"));

    // Merging the two merges keeps it.
    g.git(&b, &["push", "-q", "origin", "main"]);
    let (ok, err) = g.pull(&c);
    assert!(ok, "{err}");
    assert_eq!(
        document(&c.join("ascvault.age")).fingerprint_key,
        Some(kept)
    );
}

fn with_key(key: Option<&FingerprintKey>) -> Document {
    Document {
        fingerprint_key: key.cloned(),
        ..Document::default()
    }
}

/// The merge rule on documents (spec/MERGE.md §2.2), every case.
#[test]
fn the_fingerprint_key_merge_rule() {
    let (k1, k2) = (FingerprintKey::generate(), FingerprintKey::generate());
    let (low, high) = (k1.clone().min(k2.clone()), k1.max(k2));
    let k3 = FingerprintKey::generate();
    // (base, ours, theirs, result)
    type Key<'a> = Option<&'a FingerprintKey>;
    let cases: [(Key, Key, Key, Key); 10] = [
        // Nobody has one: none (the writer then makes one).
        (None, None, None, None),
        // One side upgraded: its key.
        (None, Some(&low), None, Some(&low)),
        (None, None, Some(&high), Some(&high)),
        // A side without the key never drops it.
        (Some(&low), Some(&low), None, Some(&low)),
        (Some(&low), None, None, Some(&low)),
        (Some(&low), None, Some(&high), Some(&high)),
        // One side changed the base's key: the change.
        (Some(&k3), Some(&k3), Some(&high), Some(&high)),
        (Some(&k3), Some(&low), Some(&k3), Some(&low)),
        // Both made their own: the smaller.
        (None, Some(&high), Some(&low), Some(&low)),
        (Some(&k3), Some(&low), Some(&high), Some(&low)),
    ];
    for (i, (b, o, t, want)) in cases.into_iter().enumerate() {
        for (o, t) in [(o, t), (t, o)] {
            let merged = merge::merge(&with_key(b), &with_key(o), &with_key(t)).unwrap();
            assert_eq!(merged.fingerprint_key.as_ref(), want, "case {i}");
        }
    }
}
