//! `run` and format 1.1's team fields: `ASC_TEAM_ID`, `FASTLANE_TEAM_ID`
//! and `ASC_PROVIDER` are set when the entry has them (and only then); two
//! entries may both set them when they agree. A mistyped label gets "did
//! you mean" like the other entry commands.

use super::{run_in, runtime};
use crate::support::{Env, ExitStatus};

const PW: &str = "abcd-efgh-ijkl-mnop";
const PRINT: &str = r#"printf '%s|%s|%s|%s\n' "${ASC_TEAM_ID-unset}" "${FASTLANE_TEAM_ID-unset}" "${ASC_PROVIDER-unset}" "$ASC_APPLE_ID""#;

fn add_password(t: &Env, label: &str, extra: &[&str]) {
    t.cmd(&["add", "password", label, "--apple-id", "dev@example.com"])
        .args(extra)
        .arg("--password-stdin")
        .stdin(&format!("{PW}\n"))
        .run()
        .success();
}

#[test]
fn the_team_fields_reach_the_child_when_the_entry_has_them() {
    let t = Env::new();
    t.init();
    add_password(
        &t,
        "notary",
        &["--team-id", "A1B2C3D4E5", "--provider", "ACME"],
    );
    add_password(&t, "plain", &[]);
    let rt = runtime(&t);
    let out = run_in(&t, &rt, &["run", "notary", "--", "sh", "-c", PRINT])
        .run()
        .success()
        .into_outcome();
    assert_eq!(out.stdout(), "A1B2C3D4E5|A1B2C3D4E5|ACME|dev@example.com\n");
    let out = run_in(&t, &rt, &["run", "plain", "--", "sh", "-c", PRINT])
        .run()
        .success()
        .into_outcome();
    assert_eq!(out.stdout(), "unset|unset|unset|dev@example.com\n");
}

#[test]
fn two_entries_of_one_team_may_both_set_it_but_not_two_teams() {
    let t = Env::new();
    t.init();
    add_password(&t, "notary", &["--team-id", "A1B2C3D4E5"]);
    t.add_key_with("ci", "TESTKEY001", &["--team-id", "a1b2c3d4e5"]);
    let rt = runtime(&t);
    let out = run_in(
        &t,
        &rt,
        &[
            "run",
            "notary",
            "ci",
            "--",
            "sh",
            "-c",
            r#"printf '%s|%s\n' "$ASC_TEAM_ID" "$ASC_KEY_ID""#,
        ],
    )
    .run()
    .success()
    .into_outcome();
    assert_eq!(out.stdout(), "A1B2C3D4E5|TESTKEY001\n");
    t.cmd(&["edit", "ci", "--team-id", "Z9Y8X7W6V5"])
        .run()
        .success();
    run_in(&t, &rt, &["run", "notary", "ci", "--", "touch", "ran"])
        .run()
        .fails(ExitStatus::Usage)
        .stderr_has("entries \"notary\" and \"ci\" both set ASC_TEAM_ID");
    assert!(!t.path("ran").exists());
}

#[test]
fn a_mistyped_label_gets_did_you_mean() {
    let t = Env::new();
    t.init();
    add_password(&t, "notary", &[]);
    let rt = runtime(&t);
    run_in(&t, &rt, &["run", "notray", "--", "touch", "ran"])
        .run()
        .fails(ExitStatus::NoEntry)
        .stderr_has("hint: did you mean \"notary\"?");
    assert!(!t.path("ran").exists());
}
