//! `add api-key --private-key FILE` with a file that holds no key: the
//! README's old stand-in line (`--print-key > FILE`) left an empty file
//! when cargo failed, and the next step said "not a P-256 key". An empty,
//! missing or unreadable file gets its own message, exit 1, vault unchanged.

use crate::support::{Env, ExitStatus};

/// Runs `add api-key k --private-key <name>` and checks it failed with
/// `message` and `hint`, leaving the vault byte for byte as it was.
#[track_caller]
fn refused(t: &Env, name: &str, message: &str, hint: &str) {
    let before = t.vault_bytes();
    t.cmd(&[
        "add",
        "api-key",
        "k",
        "--key-id",
        "TESTKEY001",
        "--issuer-id",
        "57246542-96fe-1a63-e053-0824d011072a",
        "--private-key",
        name,
    ])
    .run()
    .fails(ExitStatus::Failure)
    .stderr_is(&format!("error: {message}\nhint: {hint}\n"));
    assert_eq!(t.vault_bytes(), before, "the vault changed");
}

#[test]
fn an_empty_key_file_is_called_empty() {
    let t = Env::new();
    t.init();
    for content in ["", "\n", "  \r\n"] {
        std::fs::write(t.path("AuthKey_TESTKEY001.p8"), content).unwrap();
        refused(
            &t,
            "AuthKey_TESTKEY001.p8",
            "the private key file AuthKey_TESTKEY001.p8 is empty",
            "an App Store Connect .p8 key is a few lines of text starting with -----BEGIN PRIVATE KEY-----; a shell redirect (> FILE) leaves an empty file when its command fails: write the file again",
        );
    }
}

#[test]
fn a_missing_or_unreadable_key_file_is_named() {
    let t = Env::new();
    t.init();
    refused(
        &t,
        "AuthKey_NOPE.p8",
        "cannot read the private key file AuthKey_NOPE.p8: No such file or directory (os error 2)",
        "check the path: --private-key takes the AuthKey_<KEYID>.p8 file App Store Connect let you download",
    );
    // A folder cannot be read as a file, even by root.
    std::fs::create_dir(t.path("keys.p8")).unwrap();
    refused(
        &t,
        "keys.p8",
        "cannot read the private key file keys.p8: Is a directory (os error 21)",
        "--private-key takes the AuthKey_<KEYID>.p8 file App Store Connect let you download",
    );
    std::fs::write(t.path("binary.p8"), [0xff, 0xfe, 0x00]).unwrap();
    refused(
        &t,
        "binary.p8",
        "the private key file binary.p8 is not text",
        "an App Store Connect .p8 key is a few lines of text starting with -----BEGIN PRIVATE KEY-----",
    );
}
