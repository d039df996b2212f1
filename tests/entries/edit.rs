//! `edit LABEL`: changes an entry's non-secret fields, validated as `add`
//! validates them, all or nothing, under the lock; bad input leaves the
//! vault byte-for-byte unchanged (issue 13 §4).

use crate::support::{Env, ExitStatus};

const PW: &str = "abcd-efgh-ijkl-mnop";
const ISSUER: &str = "57246542-96fe-1a63-e053-0824d011072a";

fn world() -> Env {
    let t = Env::new();
    t.init()
        .add_password("notary", "dev@example.com", PW)
        .add_key_with("ci", "TESTKEY001", &["--vendor-number", "1234"]);
    t
}

#[test]
fn edit_changes_the_fields_it_names_and_keeps_the_rest() {
    let t = world();
    t.cmd(&[
        "edit",
        "NOTARY",
        "--apple-id",
        "new@example.com",
        "--team-id",
        "a1b2c3d4e5",
        "--provider",
        "ACME",
        "--note",
        "release",
    ])
    .run()
    .success()
    .stderr_has("edited notary: apple_id, team_id, provider, note");
    let v = t.cmd(&["show", "notary", "--json"]).run().success().json();
    assert_eq!(v["apple_id"], "new@example.com");
    assert_eq!(v["account"], "new@example.com");
    assert_eq!(v["team_id"], "A1B2C3D4E5");
    assert_eq!(v["provider"], "ACME");
    assert_eq!(v["note"], "release");
    // The secret is untouched.
    t.cmd(&["show", "notary", "--reveal"])
        .run()
        .success()
        .stdout_has(PW);

    t.cmd(&[
        "edit",
        "ci",
        "--key-id",
        "testkey009",
        "--vendor-number",
        "85012345",
    ])
    .run()
    .success();
    let v = t.cmd(&["show", "ci", "--json"]).run().success().json();
    assert_eq!(v["key_id"], "TESTKEY009");
    assert_eq!(v["vendor_number"], "85012345");
    assert_eq!(v["issuer_id"], ISSUER);
}

#[test]
fn an_empty_value_clears_an_optional_field_and_the_issuer_id_makes_an_individual_key() {
    let t = world();
    t.cmd(&["edit", "ci", "--team-id", "A1B2C3D4E5"])
        .run()
        .success();
    t.cmd(&[
        "edit",
        "ci",
        "--team-id",
        "",
        "--vendor-number",
        "",
        "--issuer-id",
        "",
    ])
    .run()
    .success()
    .stderr_has("edited ci: issuer_id, vendor_number, team_id");
    let v = t.cmd(&["show", "ci", "--json"]).run().success().json();
    for gone in ["team_id", "vendor_number", "issuer_id"] {
        assert!(v.get(gone).is_none(), "{gone}: {v}");
    }
    t.cmd(&["show", "ci"])
        .run()
        .success()
        .stdout_has("issuer id:     (individual key)");
}

#[test]
fn bad_values_fail_before_the_passphrase_and_change_nothing() {
    let t = world();
    let before = t.vault_bytes();
    for (args, message) in [
        (&["edit", "ci", "--key-id", "short"][..], "key id \"short\""),
        (&["edit", "ci", "--key-id", ""], "key id \"\""),
        (&["edit", "ci", "--issuer-id", "nope"], "issuer id \"nope\""),
        (
            &["edit", "ci", "--vendor-number", "12a"],
            "vendor number \"12a\"",
        ),
        (
            &["edit", "notary", "--apple-id", "me"],
            "\"me\" is not an Apple ID",
        ),
        (&["edit", "notary", "--team-id", "X"], "team id \"X\""),
        (
            &["edit", "notary", "--note", "ok", "--provider", "a b"],
            "provider \"a b\"",
        ),
    ] {
        // `bare`: no passphrase source, so reaching the unlock would fail
        // differently (exit 2).
        t.bare(args)
            .run()
            .fails(ExitStatus::Failure)
            .stderr_has(message);
    }
    assert_eq!(t.vault_bytes(), before);
}

#[test]
fn fields_of_another_kind_revoked_entries_and_unknown_labels_are_refused() {
    let t = world();
    let other = crate::support::fixtures().join("keys/AuthKey_TESTKEY002.p8");
    t.cmd(&[
        "add",
        "api-key",
        "old",
        "--key-id",
        "TESTKEY002",
        "--private-key",
    ])
    .arg(&other)
    .run()
    .success();
    t.cmd(&["revoke", "old", "--yes"]).run().success();
    let before = t.vault_bytes();
    t.cmd(&["edit", "ci", "--apple-id", "dev@example.com"])
        .run()
        .fails(ExitStatus::Failure)
        .stderr_has("entry \"ci\" is an api-key entry: an Apple ID belongs to app-specific-password entries");
    t.cmd(&["edit", "notary", "--key-id", "TESTKEY003"])
        .run()
        .fails(ExitStatus::Failure)
        .stderr_has("belong to api-key entries");
    t.cmd(&["edit", "old", "--note", "x"])
        .run()
        .fails(ExitStatus::Revoked);
    t.cmd(&["edit", "notray", "--note", "x"])
        .run()
        .fails(ExitStatus::NoEntry)
        .stderr_has("did you mean \"notary\"?");
    // A key id a revoked entry holds is a revoked credential (MERGE.md §1.4.1).
    t.cmd(&["edit", "ci", "--key-id", "TESTKEY002"])
        .run()
        .fails(ExitStatus::Revoked)
        .stderr_has("that API key belongs to \"old\"");
    t.cmd(&["edit", "ci"])
        .run()
        .fails(ExitStatus::Usage)
        .stderr_has("nothing to change");
    assert_eq!(t.vault_bytes(), before);
}
