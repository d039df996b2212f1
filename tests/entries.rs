//! Managing entries through the binary: add, list, show, revoke, remove,
//! relabel, note, run.

use crate::support::Env;

const PW: &str = "abcd-efgh-ijkl-mnop";

#[test]
fn add_list_show_reveal() {
    let t = Env::new();
    t.init()
        .add_password("fastlane", "dev@example.com", "ABCD EFGH IJKL MNOP");
    t.cmd(&["list"])
        .run()
        .success()
        .stdout_has("fastlane")
        .stdout_has("dev@example.com")
        .stdout_lacks(PW);
    t.cmd(&["show", "fastlane"])
        .run()
        .success()
        .stdout_lacks(PW);
    let out = t.cmd(&["show", "fastlane", "--reveal"]).run().success();
    assert_eq!(out.stdout(), format!("{PW}\n"));
}

#[test]
fn list_json_has_the_documented_fields() {
    let t = Env::new();
    t.init()
        .add_password("a", "dev@example.com", PW)
        .add_key("k", "TESTKEY001");
    let v = t.cmd(&["list", "--json"]).run().success().json();
    let rows = v.as_array().unwrap();
    assert_eq!(rows.len(), 2);
    let keys: Vec<&str> = rows[0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "id",
            "label",
            "kind",
            "account",
            "created",
            "revoked",
            "revoked_at",
            "note"
        ]
    );
    assert_eq!(rows[1]["account"], "TESTKEY001");
    assert_eq!(rows[1]["kind"], "api-key");
}

#[test]
fn revoked_entries_are_hidden_and_refused() {
    let t = Env::new();
    t.init().add_password("old", "dev@example.com", PW);
    t.cmd(&["revoke", "old", "--yes"])
        .run()
        .success()
        .stderr_has("Sign-In and Security");
    t.cmd(&["list"]).run().success().stdout_lacks("old");
    t.cmd(&["list", "--all"])
        .run()
        .success()
        .stdout_has("revoked");
    t.cmd(&["run", "old", "--", "true"]).run().fails(5);
}

#[test]
fn run_hands_credentials_to_the_child_only() {
    let t = Env::new();
    t.init().add_password("fl", "dev@example.com", PW);
    let out = t
        .cmd(&[
            "run",
            "fl",
            "--",
            "sh",
            "-c",
            "echo $FASTLANE_USER $ASC_APP_SPECIFIC_PASSWORD ${ASCVAULT_PASSPHRASE:-none}; exit 3",
        ])
        .run();
    assert_eq!(out.code(), 3);
    assert_eq!(out.stdout(), format!("dev@example.com {PW} none\n"));
}
