//! The harness itself: its assertions can fail, a failure names the command
//! line that failed, and its exit statuses are the documented ones.

use crate::support::{Env, ExitStatus};

#[test]
#[should_panic(expected = "expected exit 2 (Usage):\n$ ascvault list --all\nexit 1 (Failure)")]
fn fails_names_the_command_line_and_the_status_it_got() {
    // No vault: exit 1, not 2.
    Env::new()
        .cmd(&["list", "--all"])
        .run()
        .fails(ExitStatus::Usage);
}

#[test]
#[should_panic(expected = "stderr differs")]
fn stderr_is_wants_the_hint_too() {
    let t = Env::new();
    let first_line = format!("error: no vault at {}\n", t.vault().display());
    t.cmd(&["list"])
        .run()
        .fails(ExitStatus::Failure)
        .stderr_is(&first_line);
}

#[test]
#[should_panic(expected = "expected success:\n$ ascvault show \"two words\"")]
fn success_quotes_arguments_with_spaces() {
    Env::new().cmd(&["show", "two words"]).run().success();
}

#[test]
fn the_exit_statuses_are_the_ones_spec_format_documents() {
    let spec = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("spec/FORMAT.md"),
    )
    .unwrap();
    let table = spec
        .split("## 8. Exit codes")
        .nth(1)
        .expect("spec/FORMAT.md §8");
    let documented: Vec<i32> = table
        .lines()
        .skip_while(|l| !l.starts_with("| code"))
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .map(|l| l.split('|').nth(1).unwrap().trim().parse().unwrap())
        .collect();
    assert_eq!(documented, (0..=7).collect::<Vec<_>>());
    let named = [
        ExitStatus::Success,
        ExitStatus::Failure,
        ExitStatus::Usage,
        ExitStatus::Unlock,
        ExitStatus::NoEntry,
        ExitStatus::Revoked,
        ExitStatus::Refused,
        ExitStatus::Network,
    ];
    for (code, status) in documented.into_iter().zip(named) {
        assert_eq!(status.code(), code, "{status:?}");
        assert_eq!(ExitStatus::of(code), status);
    }
    assert_eq!(ExitStatus::of(42), ExitStatus::Other(42));
}
