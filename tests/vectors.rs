//! The official age test vectors (C2SP CCTV, vendored in
//! `fixtures/age-testkit/`). One test walks the folder, so a vector added
//! there cannot be forgotten.
//!
//! Through the binary, every vector ends in exit 3 with one clean error line
//! and nothing written; the only vector that decrypts (`scrypt`) holds no
//! vault document, so it must fail as a *format* error ("cannot read"), and
//! every other one as an *unlock* error ("cannot unlock"). Through the
//! library, every passphrase vector gets exactly its expected outcome, and
//! the success vector decrypts to the plaintext whose SHA-256 it names.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use ascvault::vault::{Secret, UnlockError, crypto};
use sha2::{Digest, Sha256};

use crate::support::{Env, ExitStatus, fixtures};

/// A parsed vector file.
struct Vector {
    name: String,
    expect: String,
    payload: Option<String>,
    /// The first `passphrase:` header (a vector may name several).
    passphrase: Option<String>,
    body: Vec<u8>,
}

fn vectors() -> Vec<Vector> {
    let dir = fixtures().join("age-testkit");
    let mut paths: Vec<PathBuf> = fs::read_dir(&dir)
        .expect("fixtures/age-testkit")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_none_or(|e| e != "md"))
        .collect();
    paths.sort();
    paths.iter().map(|p| parse(p)).collect()
}

fn parse(path: &Path) -> Vector {
    let bytes = fs::read(path).expect("vector");
    let split = bytes
        .windows(2)
        .position(|w| w == b"\n\n")
        .unwrap_or_else(|| panic!("{}: no blank line after the headers", path.display()));
    let head = String::from_utf8(bytes[..split].to_vec()).expect("ASCII headers");
    let mut fields: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for line in head.lines() {
        let (k, v) = line
            .split_once(": ")
            .unwrap_or_else(|| panic!("{}: bad header line {line:?}", path.display()));
        fields.entry(k).or_default().push(v);
    }
    let one = |k: &str| fields.get(k).map(|v| v[0].to_owned());
    Vector {
        name: path.file_name().unwrap().to_string_lossy().into_owned(),
        expect: one("expect").unwrap_or_else(|| panic!("{}: no expect", path.display())),
        payload: one("payload"),
        passphrase: one("passphrase"),
        body: bytes[split + 2..].to_vec(),
    }
}

/// Every file in a directory with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                fs::read(e.path()).unwrap_or_default(),
            )
        })
        .collect()
}

#[test]
fn every_vector_is_refused_cleanly_by_the_binary() {
    let all = vectors();
    assert!(all.len() >= 100, "only {} vectors found", all.len());
    let t = Env::new();
    let mut failures = Vec::new();
    for v in &all {
        fs::write(t.vault(), &v.body).unwrap();
        let before = snapshot(t.dir.path());
        // Non-scrypt vectors: any passphrase; ours must not matter.
        let pass = v.passphrase.as_deref().unwrap_or("password");
        let cmd = t.cmd(&["list"]).env("ASCVAULT_PASSPHRASE", pass);
        let Some(out) = cmd.run_with_timeout(Duration::from_secs(20)) else {
            failures.push(format!("{}: still running after 20 s", v.name));
            continue;
        };
        let err = out.stderr();
        let error_lines = err.lines().filter(|l| l.starts_with("error:")).count();
        let class = if v.expect == "success" && v.passphrase.is_some() {
            // Decrypts, but the plaintext is not a vault document.
            "error: cannot read "
        } else {
            "error: cannot unlock "
        };
        if out.status() != ExitStatus::Unlock || err.contains("panicked") || error_lines != 1 {
            failures.push(format!("{}: {}, stderr {err:?}", v.name, out.status()));
        } else if !err.starts_with(class) {
            failures.push(format!("{}: expected {class:?}…, got {err:?}", v.name));
        } else if !out.stdout().is_empty() {
            failures.push(format!("{}: printed {:?}", v.name, out.stdout()));
        }
        if snapshot(t.dir.path()) != before {
            failures.push(format!("{}: the directory changed", v.name));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn passphrase_vectors_get_their_expected_outcome_from_the_library() {
    let mut checked = 0;
    let mut failures = Vec::new();
    for v in vectors() {
        let Some(pass) = &v.passphrase else {
            // An X25519/hybrid vector must never decrypt with a passphrase.
            if crypto::decrypt(&v.body, &Secret::from("password")).is_ok() {
                failures.push(format!("{}: decrypted with a passphrase", v.name));
            }
            continue;
        };
        checked += 1;
        let result = crypto::decrypt(&v.body, &Secret::from(pass.as_str()));
        match (v.expect.as_str(), &result) {
            ("success", Ok((_, plain))) => {
                let want = v
                    .payload
                    .as_deref()
                    .expect("success vectors name a payload");
                let got = hex(&Sha256::digest(plain.as_slice()));
                if got != want {
                    failures.push(format!("{}: payload sha256 {got}, want {want}", v.name));
                }
            }
            ("no match", Err(UnlockError::WrongPassphrase)) => {}
            // `-> Scrypt` (scrypt_uppercase) is a stanza of another type to
            // age; we say so rather than blame the passphrase.
            ("no match", Err(UnlockError::NotPassphrase { .. })) => {}
            // A malformed header is damage or a foreign file, never a
            // "wrong passphrase" that would send the user guessing.
            ("header failure", Err(e)) if !matches!(e, UnlockError::WrongPassphrase) => {}
            ("HMAC failure" | "payload failure", Err(UnlockError::Damaged { .. })) => {}
            (want, got) => failures.push(format!(
                "{}: expected {want}, got {:?}",
                v.name,
                got.as_ref().map(|_| "success")
            )),
        }
    }
    assert!(checked >= 20, "only {checked} passphrase vectors");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
