//! Format 1.1's team fields at `add` and `show`: `--team-id` and
//! `--provider` are checked before anything is asked, stored, and shown;
//! `show` gives `vendor number:` its space (issue 13 §6).

use crate::support::{Env, ExitStatus};

const PW: &str = "abcd-efgh-ijkl-mnop";

#[test]
fn add_stores_the_team_id_and_provider_and_show_prints_them() {
    let t = Env::new();
    t.init();
    t.cmd(&[
        "add",
        "password",
        "notary",
        "--apple-id",
        "dev@example.com",
        "--team-id",
        "a1b2c3d4e5",
        "--provider",
        "ACME_Corp",
        "--password-stdin",
    ])
    .stdin(&format!("{PW}\n"))
    .run()
    .success();
    t.add_key_with(
        "ci",
        "TESTKEY001",
        &["--team-id", "Z9Y8X7W6V5", "--vendor-number", "85012345"],
    );
    let out = t.cmd(&["show", "notary"]).run().success().into_outcome();
    let text = out.stdout();
    assert!(text.contains("team id:       A1B2C3D4E5\n"), "{text}");
    assert!(text.contains("provider:      ACME_Corp\n"), "{text}");
    let out = t.cmd(&["show", "ci"]).run().success().into_outcome();
    let text = out.stdout();
    assert!(text.contains("vendor number: 85012345\n"), "{text}");
    assert!(text.contains("team id:       Z9Y8X7W6V5\n"), "{text}");
    assert!(!text.contains("provider:"), "{text}");
    let v = t.cmd(&["show", "notary", "--json"]).run().success().json();
    assert_eq!(v["team_id"], "A1B2C3D4E5");
    assert_eq!(v["provider"], "ACME_Corp");
    let v = t.cmd(&["show", "ci", "--json"]).run().success().json();
    assert_eq!(v["team_id"], "Z9Y8X7W6V5");
    assert!(v.get("provider").is_none(), "{v}");
}

#[test]
fn a_bad_team_id_or_provider_is_refused_before_the_passphrase_is_asked() {
    let t = Env::new();
    t.init();
    let before = t.vault_bytes();
    // No passphrase source at all: the check must come first.
    for (flag, value, message) in [
        (
            "--team-id",
            "A1B2",
            "team id \"A1B2\" is not 10 letters or digits",
        ),
        (
            "--provider",
            "two words",
            "provider \"two words\" is not a short name",
        ),
    ] {
        t.bare(&[
            "add",
            "password",
            "notary",
            "--apple-id",
            "dev@example.com",
            flag,
            value,
            "--password-stdin",
        ])
        .stdin(&format!("{PW}\n"))
        .run()
        .fails(ExitStatus::Failure)
        .stderr_has(message);
        t.bare(&[
            "add",
            "api-key",
            "ci",
            "--key-id",
            "TESTKEY001",
            "--private-key",
            "AuthKey_TESTKEY001.p8",
            flag,
            value,
        ])
        .run()
        .fails(ExitStatus::Failure)
        .stderr_has(message);
    }
    assert_eq!(t.vault_bytes(), before);
}
