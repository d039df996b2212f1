//! The README's `run` recipes, each line run as written by `sh -c` against
//! stand-ins named like the tools (`xcrun`, `xcodebuild`, `fastlane`, a
//! `release.sh`), each checking it got what the real tool needs: a key
//! *file* named `AuthKey_<KEYID>.p8` holding the key, with the key id and
//! issuer beside it; an Apple ID and `@env:` naming a variable that is set.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use super::{leftovers, runtime};
use crate::support::{Env, PASSPHRASE, bin};

const PW: &str = "abcd-efgh-ijkl-mnop";

/// Shared by the stand-ins: `key PATH ID ISSUER` checks an API key.
const CHECKS: &str = r#"
fail() { echo "$0: $*" >&2; exit 64; }
key() {
    test -f "$1" || fail "no key file: $1"
    test "$(basename "$1")" = "AuthKey_$2.p8" || fail "key file $1 is not named for $2"
    grep -q 'BEGIN PRIVATE KEY' "$1" || fail "no key in $1"
    test "$2" = TESTKEY001 || fail "key id $2"
    test "$3" = 57246542-96fe-1a63-e053-0824d011072a || fail "issuer $3"
}
flag() { # flag NAME ARGS…: the value after NAME
    n="$1"; shift
    while [ $# -gt 0 ]; do [ "$1" = "$n" ] && { printf %s "$2"; return; }; shift; done
}
"#;

const XCRUN: &str = r#"
tool="$1"; shift
case "$tool" in
notarytool)
    case "$1" in submit|history) ;; *) fail "notarytool $1";; esac
    if [ -n "$(flag --apple-id "$@")" ]; then
        # An Apple ID needs its app-specific password and the team id.
        test "$(flag --apple-id "$@")" = dev@example.com || fail "--apple-id"
        test "$(flag --password "$@")" = abcd-efgh-ijkl-mnop || fail "--password"
        test "$(flag --team-id "$@")" = A1B2C3D4E5 || fail "--team-id"
    else
        key "$(flag --key "$@")" "$(flag --key-id "$@")" "$(flag --issuer "$@")"
    fi
    ;;
altool)
    test "$1" = --upload-app || fail "altool $1"
    test -n "$(flag -f "$@")" || fail "no -f"
    u="$(flag -u "$@")"; test "$u" = dev@example.com || fail "-u $u"
    p="$(flag -p "$@")"
    case "$p" in @env:*) ;; *) fail "-p is not @env:";; esac
    v="${p#@env:}"
    eval "got=\${$v:-}"
    test "$got" = abcd-efgh-ijkl-mnop || fail "\$$v is not the password"
    ;;
*) fail "xcrun $tool";;
esac
echo "ok xcrun $tool" >> recipes.log
"#;

const XCODEBUILD: &str = r#"
key "$(flag -authenticationKeyPath "$@")" "$(flag -authenticationKeyID "$@")" \
    "$(flag -authenticationKeyIssuerID "$@")"
echo "ok xcodebuild" >> recipes.log
"#;

const FASTLANE: &str = r#"
case "$1" in
deliver)
    test "$FASTLANE_USER" = dev@example.com || fail "FASTLANE_USER"
    test "$FASTLANE_APPLE_APPLICATION_SPECIFIC_PASSWORD" = abcd-efgh-ijkl-mnop || fail "password"
    ;;
*)  # app_store_connect_api_key with no arguments reads these.
    key "$APP_STORE_CONNECT_API_KEY_KEY_FILEPATH" "$APP_STORE_CONNECT_API_KEY_KEY_ID" \
        "$APP_STORE_CONNECT_API_KEY_ISSUER_ID"
    ;;
esac
echo "ok fastlane $1" >> recipes.log
"#;

const RELEASE: &str = r#"
test "$ASC_APP_SPECIFIC_PASSWORD" = abcd-efgh-ijkl-mnop || fail "password"
key "$ASC_PRIVATE_KEY_PATH" "$ASC_KEY_ID" "$ASC_ISSUER_ID"
test "$API_PRIVATE_KEYS_DIR/AuthKey_$ASC_KEY_ID.p8" = "$ASC_PRIVATE_KEY_PATH" || fail "keys dir"
echo "ok release.sh" >> recipes.log
"#;

fn script(path: &Path, body: &str) {
    std::fs::write(path, format!("#!/bin/sh\n{CHECKS}\n{body}")).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// Every `$ ascvault run …` line of the README.
fn readme_lines() -> Vec<String> {
    let readme = include_str!("../../README.md");
    readme
        .lines()
        .filter_map(|line| line.strip_prefix("$ ascvault run "))
        .map(|rest| format!("ascvault run {rest}"))
        .collect()
}

#[test]
fn every_readme_run_line_gives_the_tool_what_it_needs() {
    let t = Env::new();
    t.init();
    t.cmd(&[
        "add",
        "password",
        "fastlane",
        "--apple-id",
        "dev@example.com",
    ])
    .args(&["--team-id", "A1B2C3D4E5", "--password-stdin"])
    .stdin(&format!("{PW}\n"))
    .run()
    .success();
    t.add_key("ci", "TESTKEY001");
    let rt = runtime(&t);
    let tools = t.path("tools");
    std::fs::create_dir(&tools).unwrap();
    script(&tools.join("xcrun"), XCRUN);
    script(&tools.join("xcodebuild"), XCODEBUILD);
    script(&tools.join("fastlane"), FASTLANE);
    script(&t.path("release.sh"), RELEASE);
    std::os::unix::fs::symlink(bin(), tools.join("ascvault")).unwrap();
    let path = format!(
        "{}:{}",
        tools.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let lines = readme_lines();
    let expected = [
        "ok fastlane deliver",
        "ok xcrun notarytool",
        "ok fastlane beta",
        "ok xcrun notarytool",
        "ok xcrun notarytool",
        "ok xcrun altool",
        "ok xcodebuild",
        "ok release.sh",
    ];
    assert_eq!(lines.len(), expected.len(), "README run lines: {lines:#?}");
    for (line, ok) in lines.iter().zip(expected) {
        let _ = std::fs::remove_file(t.path("recipes.log"));
        // The line as the user's shell runs it.
        let outcome = std::process::Command::new("sh")
            .arg("-c")
            .arg(line)
            .current_dir(t.dir.path())
            .env_clear()
            .env("PATH", &path)
            .env("HOME", t.dir.path())
            .env("ASCVAULT_VAULT", t.vault())
            .env("ASCVAULT_PASSPHRASE", PASSPHRASE)
            .env("ASCVAULT_ALLOW_WEAK_VAULT", "1")
            .env("XDG_RUNTIME_DIR", &rt)
            .env("TMPDIR", &rt)
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        assert!(
            outcome.status.success(),
            "{line}\n{}",
            String::from_utf8_lossy(&outcome.stderr)
        );
        let log = std::fs::read_to_string(t.path("recipes.log")).unwrap_or_default();
        assert_eq!(log.trim_end(), ok, "{line}");
        assert!(
            leftovers(&rt).is_empty(),
            "{line} left {:?}",
            leftovers(&rt)
        );
    }
}
