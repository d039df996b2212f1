//! A mistyped label gets "did you mean …" with the closest label there is;
//! one close to nothing keeps the plain hint.

use crate::support::{Env, ExitStatus};

const PW: &str = "abcd-efgh-ijkl-mnop";

#[test]
fn a_mistyped_label_gets_the_closest_one() {
    let t = Env::new();
    t.init()
        .add_password("fastlane", "dev@example.com", PW)
        .add_password("xcode-cloud", "dev@example.com", PW);
    for args in [
        &["show", "fastlnae"][..],
        &["show", "Fastlan"],
        &["revoke", "fastlne"],
        &["remove", "fastlanes"],
        &["remove", "fastlanes", "--yes"],
        &["revoke", "fastlne", "--yes"],
        &["relabel", "fstlane", "fl"],
        &["note", "fastlan", "some text"],
    ] {
        t.cmd(args)
            .run()
            .fails(ExitStatus::NoEntry)
            .stderr_has("hint: did you mean \"fastlane\"?");
    }
    t.cmd(&["show", "xcode-clud"])
        .run()
        .fails(ExitStatus::NoEntry)
        .stderr_has("did you mean \"xcode-cloud\"?");
    t.cmd(&["show", "testflight"])
        .run()
        .fails(ExitStatus::NoEntry)
        .stderr_is(concat!(
            "error: no entry labelled \"testflight\"\n",
            "hint: `ascvault list --all` shows every label\n",
        ));
}
