//! `ascvault run`: the key file in a private directory, the variables the
//! tools want, cleanup on every way out, signals, several labels.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::support::{Cmd, Env, ExitStatus, PASSPHRASE, fixtures};

#[cfg(unix)]
mod recipes;
#[cfg(unix)]
mod signals;
mod team;

/// A private runtime dir for one test: `run` puts its key directory there
/// (`XDG_RUNTIME_DIR` on Linux, `TMPDIR` elsewhere), so a test can see it
/// come and go.
pub fn runtime(t: &Env) -> PathBuf {
    let dir = t.path("runtime");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `ascvault run` with its key directory under `runtime`.
pub fn run_in(t: &Env, runtime: &Path, args: &[&str]) -> Cmd {
    Cmd::new(t.dir.path())
        .env("ASCVAULT_VAULT", t.vault())
        .env("ASCVAULT_PASSPHRASE", PASSPHRASE)
        .env("XDG_RUNTIME_DIR", runtime)
        .env("TMPDIR", runtime)
        .args(args)
}

/// What is left under `dir`.
#[track_caller]
pub fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

/// Polls until `found` says yes, for up to ten seconds.
#[track_caller]
pub fn eventually(what: &str, mut found: impl FnMut() -> bool) {
    let start = Instant::now();
    while !found() {
        assert!(start.elapsed() < Duration::from_secs(10), "never: {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

const ISSUER: &str = "57246542-96fe-1a63-e053-0824d011072a";

#[test]
fn an_api_key_is_a_private_file_named_for_its_key_id_and_gone_after() {
    let t = Env::new();
    t.init().add_key("team", "TESTKEY001");
    let rt = runtime(&t);
    // The child checks what it got and prints it; ascvault passes on 7.
    let check = r#"
        set -e
        d="$API_PRIVATE_KEYS_DIR"
        f="$ASC_PRIVATE_KEY_PATH"
        test "$f" = "$d/AuthKey_TESTKEY001.p8"
        test "$APP_STORE_CONNECT_API_KEY_KEY_FILEPATH" = "$f"
        ls -ld "$d" | cut -c1-10
        ls -l "$f" | cut -c1-10
        ls "$d"
        printf '%s' "$ASC_PRIVATE_KEY" | cmp - "$f"
        test "$APP_STORE_CONNECT_API_KEY_KEY" = "$ASC_PRIVATE_KEY"
        printf '%s|%s|%s|%s\n' "$ASC_KEY_ID" "$ASC_ISSUER_ID" \
            "$APP_STORE_CONNECT_API_KEY_KEY_ID" "$APP_STORE_CONNECT_API_KEY_ISSUER_ID"
        printf '%s\n' "$d"
        test -z "${ASCVAULT_PASSPHRASE:-}"
        exit 7
    "#;
    let out = run_in(&t, &rt, &["run", "team", "--", "sh", "-c", check]).run();
    assert_eq!(out.code(), 7, "{}", out.describe());
    let lines: Vec<String> = out.stdout().lines().map(str::to_owned).collect();
    assert_eq!(lines[0], "drwx------", "{}", out.describe());
    assert_eq!(lines[1], "-rw-------");
    assert_eq!(lines[2], "AuthKey_TESTKEY001.p8");
    assert_eq!(lines[3], format!("TESTKEY001|{ISSUER}|TESTKEY001|{ISSUER}"));
    let dir = PathBuf::from(&lines[4]);
    assert_eq!(dir.parent(), Some(rt.as_path()), "under the runtime dir");
    assert!(!dir.exists(), "the key directory outlived the child");
    assert!(leftovers(&rt).is_empty());
}

#[cfg(target_os = "linux")]
#[test]
fn without_a_runtime_dir_linux_uses_dev_shm_or_the_temp_dir() {
    let t = Env::new();
    t.init().add_key("team", "TESTKEY001");
    let rt = runtime(&t);
    let out = run_in(
        &t,
        &rt,
        &[
            "run",
            "team",
            "--",
            "sh",
            "-c",
            "printf %s \"$API_PRIVATE_KEYS_DIR\"",
        ],
    )
    .env_remove("XDG_RUNTIME_DIR")
    .run()
    .success()
    .into_outcome();
    let dir = PathBuf::from(out.stdout());
    let expected = if Path::new("/dev/shm").is_dir() {
        PathBuf::from("/dev/shm")
    } else {
        rt.clone()
    };
    assert_eq!(dir.parent(), Some(expected.as_path()));
    assert!(!dir.exists());
}

#[test]
fn a_failed_spawn_removes_the_key_directory() {
    let t = Env::new();
    t.init().add_key("team", "TESTKEY001");
    let rt = runtime(&t);
    run_in(&t, &rt, &["run", "team", "--", "no-such-program-ascvault"])
        .run()
        .fails(ExitStatus::Failure)
        .stderr_has("cannot run no-such-program-ascvault");
    assert!(leftovers(&rt).is_empty(), "{:?}", leftovers(&rt));
}

#[test]
fn a_password_writes_no_file_and_sets_its_variables() {
    let t = Env::new();
    t.init()
        .add_password("pw", "dev@example.com", "abcd-efgh-ijkl-mnop");
    let rt = runtime(&t);
    let out = run_in(
        &t,
        &rt,
        &[
            "run",
            "pw",
            "--",
            "sh",
            "-c",
            "printf '%s|%s|%s' \"$ASC_APPLE_ID\" \"$ASC_APP_SPECIFIC_PASSWORD\" \"${ASC_PRIVATE_KEY_PATH:-none}\"; ls \"$XDG_RUNTIME_DIR\"",
        ],
    )
    .run()
    .success()
    .into_outcome();
    assert_eq!(out.stdout(), "dev@example.com|abcd-efgh-ijkl-mnop|none");
}

#[test]
fn several_labels_in_one_unlock() {
    let t = Env::new();
    t.init()
        .add_password("pw", "dev@example.com", "abcd-efgh-ijkl-mnop")
        .add_key("team", "TESTKEY001");
    let rt = runtime(&t);
    let out = run_in(
        &t,
        &rt,
        &[
            "run",
            "pw",
            "team",
            "--",
            "sh",
            "-c",
            "printf '%s|%s|%s' \"$ASC_APPLE_ID\" \"$ASC_KEY_ID\" \"$(basename \"$ASC_PRIVATE_KEY_PATH\")\"",
        ],
    )
    .run()
    .success()
    .into_outcome();
    assert_eq!(
        out.stdout(),
        "dev@example.com|TESTKEY001|AuthKey_TESTKEY001.p8"
    );
    assert!(leftovers(&rt).is_empty());
}

#[test]
fn two_entries_setting_the_same_variable_are_refused() {
    let t = Env::new();
    t.init()
        .add_password("a", "a@example.com", "abcd-efgh-ijkl-mnop")
        .add_password("b", "b@example.com", "abcd-efgh-ijkl-mnop")
        .add_key("k1", "TESTKEY001")
        .add_key_with("k2", "TESTKEY002", &["--yes"]);
    let rt = runtime(&t);
    run_in(&t, &rt, &["run", "a", "b", "--", "touch", "ran"])
        .run()
        .fails(ExitStatus::Usage)
        .stderr_has("entries \"a\" and \"b\" both set ASC_APPLE_ID");
    run_in(&t, &rt, &["run", "k1", "k2", "--", "touch", "ran"])
        .run()
        .fails(ExitStatus::Usage)
        .stderr_has("both set ASC_KEY_ID");
    run_in(&t, &rt, &["run", "a", "a", "--", "touch", "ran"])
        .run()
        .fails(ExitStatus::Usage);
    assert!(!t.path("ran").exists(), "the command ran anyway");
    assert!(leftovers(&rt).is_empty());
}

#[test]
fn an_unknown_label_among_several_runs_nothing() {
    let t = Env::new();
    t.init().add_key("team", "TESTKEY001");
    let rt = runtime(&t);
    run_in(&t, &rt, &["run", "team", "nothere", "--", "touch", "ran"])
        .run()
        .fails(ExitStatus::NoEntry);
    assert!(!t.path("ran").exists());
    assert!(leftovers(&rt).is_empty());
}

#[test]
fn the_fixture_key_is_what_lands_in_the_file() {
    let t = Env::new();
    t.init().add_key("team", "TESTKEY001");
    let rt = runtime(&t);
    let fixture = fixtures().join("keys/AuthKey_TESTKEY001.p8");
    let got = run_in(
        &t,
        &rt,
        &[
            "run",
            "team",
            "--",
            "sh",
            "-c",
            "cat \"$ASC_PRIVATE_KEY_PATH\"",
        ],
    )
    .run()
    .success()
    .into_outcome()
    .stdout();
    let want = std::fs::read_to_string(fixture).unwrap();
    assert_eq!(got.trim_end(), want.trim_end());
}
