//! Issue 11, finding 8 locally: `add` refuses a secret a revoked entry
//! holds (spec/MERGE.md §1.4.1), naming that entry and when it was revoked,
//! with exit 5 and the vault unchanged.

use crate::support::{Env, ExitStatus, fixtures};

#[test]
fn add_refuses_a_password_a_revoked_entry_holds() {
    let t = Env::new();
    t.init()
        .add_password("fastlane", "dev@example.com", super::PW);
    t.cmd(&["revoke", "fastlane", "--yes"]).run().success();
    let before = t.vault_bytes();
    // Another label, another Apple ID, another spelling: the same password.
    let out = t
        .cmd(&[
            "add",
            "password",
            "fastlane-again",
            "--apple-id",
            "other@example.com",
            "--password-stdin",
        ])
        .stdin("ABCD EFGH IJKL MNOP\n")
        .run()
        .fails(ExitStatus::Revoked);
    let err = out.stderr();
    assert!(
        err.starts_with("error: that password belongs to \"fastlane\" (id ")
            && err.contains("), revoked 20")
            && err.contains("hint: a revoked credential is never used again"),
        "{err}"
    );
    assert!(!err.contains(super::PW) && !err.contains("ABCD"), "{err}");
    assert_eq!(t.vault_bytes(), before, "the vault changed");
    // A new password is fine.
    t.add_password("fresh", "dev@example.com", "qrst-uvwx-yzab-cdef");
}

#[test]
fn add_refuses_an_api_key_a_revoked_entry_holds() {
    let t = Env::new();
    t.init().add_key("ci", "TESTKEY001");
    t.cmd(&["revoke", "ci", "--yes"]).run().success();
    let before = t.vault_bytes();
    let p8 = fixtures().join("keys/AuthKey_TESTKEY001.p8");
    // The same key material under another key id.
    t.cmd(&[
        "add",
        "api-key",
        "ci-again",
        "--key-id",
        "OTHERKEY01",
        "--private-key",
        p8.to_str().unwrap(),
        "--yes",
    ])
    .run()
    .fails(ExitStatus::Revoked)
    .stderr_has("that API key belongs to \"ci\"");
    assert_eq!(t.vault_bytes(), before);
}
