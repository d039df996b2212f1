//! The merge driver and textconv, which git runs, warn about a weak work
//! factor like every other command that opens a vault (issue 11, finding 16),
//! once per process.

use std::fs;

use crate::support::Env;

#[test]
fn merge_and_textconv_warn_once_about_a_weak_work_factor() {
    let t = Env::new();
    t.init()
        .add_password("fl", "dev@example.com", "abcd-efgh-ijkl-mnop");
    for side in ["base", "ours", "theirs"] {
        fs::copy(t.vault(), t.path(side)).unwrap();
    }
    let warning = "warning: this vault's work factor is 10, below 16";
    let side = |name: &str| t.path(name).to_str().unwrap().to_owned();
    let merged = t
        .cmd(&["merge", &side("base"), &side("ours"), &side("theirs")])
        .env_remove("ASCVAULT_ALLOW_WEAK_VAULT")
        .run();
    let err = merged.stderr();
    merged.success();
    assert_eq!(err.matches(warning).count(), 1, "{err}");
    let shown = t
        .cmd(&["textconv", &side("ours")])
        .env_remove("ASCVAULT_ALLOW_WEAK_VAULT")
        .run();
    let err = shown.stderr();
    shown.success().stdout_has("label:       fl");
    assert_eq!(err.matches(warning).count(), 1, "{err}");
    // The harness's setting silences it, as for every command.
    let quiet = t.cmd(&["textconv", &side("ours")]).run();
    assert!(
        !quiet.stderr().contains("work factor"),
        "{}",
        quiet.stderr()
    );
    quiet.success();
}
