//! Secrets appear only where asked: every command runs with `--verbose`, and
//! its stdout, stderr and (on Linux) `/proc/<pid>/cmdline` are searched for
//! the password, the private keys' PEM bodies and both passphrases. The only
//! places allowed to hold them are the stdout of `show --reveal` and
//! `export --plaintext --yes`, and the environment of `run`'s child. The App
//! Store Connect and metrics commands, run against the in-process stand-in,
//! must not show the signed token (JWT) either.

use std::fs;
use std::thread;
use std::time::Duration;

use asc_standin::{REVOKED_APP_PASSWORD, Standin, TEST_ISSUER_ID, VALID_APP_PASSWORD, seed};

use crate::support::{Cmd, Env, ExitStatus, Outcome, PASSPHRASE, fixtures};

const PASS: &str = "canary vault passphrase Q7";
const NEW_PASS: &str = "canary new passphrase Z9";
const PASSWORD: &str = "wxyz-qrst-uvkl-mnop";

/// The secret strings: passphrases, the password, each PEM body line.
fn secrets() -> Vec<String> {
    let mut all = vec![PASS.to_owned(), NEW_PASS.to_owned(), PASSWORD.to_owned()];
    for key in ["AuthKey_TESTKEY001.p8", "AuthKey_TESTKEY002.p8"] {
        let pem = fs::read_to_string(fixtures().join("keys").join(key)).unwrap();
        all.extend(
            pem.lines()
                .filter(|l| !l.starts_with("-----") && l.len() > 16)
                .map(str::to_owned),
        );
    }
    // Apple's form without hyphens, as a sloppy formatter might print it.
    all.push(PASSWORD.replace('-', ""));
    all
}

/// What one command showed the world.
struct Seen {
    name: String,
    out: Outcome,
    /// `/proc/<pid>/cmdline` of the process while it ran (Linux).
    cmdline: String,
}

fn cmdline(pid: u32) -> String {
    fs::read(format!("/proc/{pid}/cmdline"))
        .map(|b| String::from_utf8_lossy(&b).replace('\0', " "))
        .unwrap_or_default()
}

fn observe(name: &str, cmd: Cmd) -> Seen {
    let running = cmd.spawn();
    // spawn returns once exec succeeded: this is ascvault's own argv.
    let cmdline = cmdline(running.child.id());
    let out = running.wait();
    Seen {
        name: name.to_owned(),
        out,
        cmdline,
    }
}

#[track_caller]
fn assert_clean(seen: &Seen, allow_stdout: bool) {
    assert_lacks(seen, &secrets(), allow_stdout);
}

/// None of `secrets` in what `seen` showed (stdout unless allowed, stderr,
/// cmdline).
#[track_caller]
fn assert_lacks(seen: &Seen, secrets: &[String], allow_stdout: bool) {
    for s in secrets {
        if !allow_stdout {
            assert!(
                !seen.out.stdout().contains(s.as_str()),
                "{}: secret on stdout",
                seen.name
            );
        }
        assert!(
            !seen.out.stderr().contains(s.as_str()),
            "{}: secret on stderr: {}",
            seen.name,
            seen.out.stderr()
        );
        assert!(
            !seen.cmdline.contains(s.as_str()),
            "{}: secret in cmdline",
            seen.name
        );
    }
}

#[test]
fn secrets_appear_only_where_asked() {
    let t = Env::new();
    let p8 = fixtures().join("keys/AuthKey_TESTKEY001.p8");
    let pem = fs::read_to_string(&p8).unwrap();
    let new_pass_file = t.path("new-pass");
    fs::write(&new_pass_file, format!("{NEW_PASS}\n")).unwrap();
    // `--verbose` first: after `run … --` it would go to the child.
    let v = |pass: &str, args: &[&str]| {
        t.cmd(&["--verbose"])
            .args(args)
            .env("ASCVAULT_PASSPHRASE", pass)
    };
    let c = |args: &[&str]| v(PASS, args);

    let mut runs: Vec<(Seen, bool)> = Vec::new();
    let mut quiet = |name: &str, cmd: Cmd| {
        let seen = observe(name, cmd);
        runs.push((seen, false));
    };
    quiet("init", c(&["init", "--work-factor", "10"]));
    quiet(
        "add password",
        c(&["add", "password", "pw", "--apple-id", "d@example.com"])
            .arg("--password-stdin")
            .stdin(&format!("{PASSWORD}\n")),
    );
    quiet(
        "add api-key",
        c(&["add", "api-key", "key", "--key-id", "TESTKEY001"])
            .args(&["--issuer-id", "57246542-96fe-1a63-e053-0824d011072a"])
            .arg("--private-key")
            .arg(&p8),
    );
    for (name, args) in [
        ("list", &["list"][..]),
        ("list --all --json", &["list", "--all", "--json"]),
        ("show pw", &["show", "pw"]),
        ("show pw --json", &["show", "pw", "--json"]),
        ("show key", &["show", "key"]),
        ("show key --json", &["show", "key", "--json"]),
        ("note", &["note", "pw", "a note"]),
        ("relabel", &["relabel", "pw", "pw2"]),
        ("relabel back", &["relabel", "pw2", "pw"]),
        ("completions", &["completions", "bash"]),
        ("man", &["man"]),
    ] {
        quiet(name, c(args));
    }
    // The git helpers: textconv is what `git diff` shows, so it
    // must never hold a secret; neither may check, merge or import say one.
    let vault = t.vault();
    quiet("textconv", c(&["textconv"]).arg(&vault));
    quiet("check", c(&["check"]));
    quiet("check --json", c(&["check", "--json"]));
    for side in ["base", "ours", "theirs"] {
        fs::copy(&vault, t.path(side)).unwrap();
    }
    quiet(
        "merge",
        c(&["merge"])
            .arg(t.path("base"))
            .arg(t.path("ours"))
            .arg(t.path("theirs")),
    );
    let keys = t.path("keys");
    fs::create_dir(&keys).unwrap();
    fs::write(
        keys.join("AuthKey_TESTKEY002.p8"),
        fs::read(fixtures().join("keys/AuthKey_TESTKEY002.p8")).unwrap(),
    )
    .unwrap();
    quiet("import p8", c(&["import", "p8"]).arg(&keys));
    // Failures must not echo what they refuse.
    quiet("wrong passphrase", v(NEW_PASS, &["list"]));
    quiet(
        "malformed password",
        c(&["add", "password", "bad", "--apple-id", "d@example.com"])
            .arg("--password-stdin")
            .stdin(&format!("{}\n", PASSWORD.replace('-', "!"))),
    );
    quiet(
        "duplicate label",
        c(&["add", "password", "PW", "--apple-id", "d@example.com"])
            .arg("--password-stdin")
            .stdin(&format!("{PASSWORD}\n")),
    );

    // Asked for: the secret alone on stdout, nothing on stderr.
    let reveal = observe("show pw --reveal", c(&["show", "pw", "--reveal"]));
    assert_eq!(reveal.out.stdout(), format!("{PASSWORD}\n"));
    let reveal_key = observe("show key --reveal", c(&["show", "key", "--reveal"]));
    assert_eq!(reveal_key.out.stdout().trim(), pem.trim());
    runs.push((reveal, true));
    runs.push((reveal_key, true));
    // export --plaintext --yes is asked for too: the secrets on stdout only.
    let export = observe("export", c(&["export", "--plaintext", "--yes"]));
    assert!(
        export.out.stdout().contains(PASSWORD),
        "export lacks the password"
    );
    runs.push((export, true));

    // run: the child gets the credentials in its environment (checked from
    // /proc on Linux), but not the vault passphrase, and not in any argv.
    let run = c(&["run", "pw", "--", "sh", "-c"]).arg(concat!(
        r#"test -n "$ASC_APP_SPECIFIC_PASSWORD" && "#,
        r#"test -z "${ASCVAULT_PASSPHRASE+set}" && sleep 3"#
    ));
    let running = run.spawn();
    let pid = running.child.id();
    let mut grandchild_env = None;
    let mut grandchild_cmdline = String::new();
    if cfg!(target_os = "linux") {
        for _ in 0..250 {
            thread::sleep(Duration::from_millis(20));
            let kids =
                fs::read_to_string(format!("/proc/{pid}/task/{pid}/children")).unwrap_or_default();
            if let Some(gc) = kids.split_whitespace().next() {
                // Between fork and exec the child still has ascvault's
                // environment: wait until it is the shell.
                let cmdline = fs::read(format!("/proc/{gc}/cmdline"))
                    .map(|b| String::from_utf8_lossy(&b).into_owned())
                    .unwrap_or_default();
                if !cmdline.starts_with("sh\0") {
                    continue;
                }
                grandchild_env = fs::read(format!("/proc/{gc}/environ")).ok();
                grandchild_cmdline = cmdline;
                break;
            }
        }
    }
    let parent_cmdline = cmdline(pid);
    let out = running.wait().success().into_outcome();
    if cfg!(target_os = "linux") {
        let env = grandchild_env.expect("saw run's child in /proc");
        let env = String::from_utf8_lossy(&env);
        assert!(env.contains(&format!("ASC_APP_SPECIFIC_PASSWORD={PASSWORD}\0")));
        assert!(env.contains(&format!(
            "FASTLANE_APPLE_APPLICATION_SPECIFIC_PASSWORD={PASSWORD}\0"
        )));
        assert!(!env.contains("ASCVAULT_PASSPHRASE"));
        assert!(!env.contains(PASS));
    }
    runs.push((
        Seen {
            name: "run".into(),
            out,
            cmdline: format!("{parent_cmdline} {grandchild_cmdline}"),
        },
        false,
    ));

    let mut quiet = |name: &str, cmd: Cmd| runs.push((observe(name, cmd), false));
    quiet("revoke", c(&["revoke", "pw", "--yes"]));
    quiet("run revoked", c(&["run", "pw", "--", "true"]));
    quiet(
        "passwd",
        c(&["passwd", "--new-passphrase-file"]).arg(&new_pass_file),
    );
    quiet("revoke --all", v(NEW_PASS, &["revoke", "--all", "--yes"]));
    quiet("remove", v(NEW_PASS, &["remove", "key", "--yes"]));

    // The commands did what they were asked, so the check above saw real work.
    let statuses: Vec<(String, ExitStatus)> = runs
        .iter()
        .map(|(s, _)| (s.name.clone(), s.out.status()))
        .collect();
    for (name, status) in &statuses {
        if name.starts_with("check") {
            // Exit 1 means "problems found", a report like any other.
            assert!(
                matches!(status, ExitStatus::Success | ExitStatus::Failure),
                "{name}: {status}"
            );
            continue;
        }
        let want_failure = matches!(
            name.as_str(),
            "wrong passphrase" | "malformed password" | "duplicate label" | "run revoked"
        );
        assert_eq!(
            *status != ExitStatus::Success,
            want_failure,
            "{name}: {status}"
        );
    }
    assert!(
        runs.iter()
            .any(|(s, _)| s.out.stderr().contains("ascvault:")),
        "--verbose said nothing at all"
    );
    for (seen, allow_stdout) in &runs {
        assert_clean(seen, *allow_stdout);
    }
}

/// The App Store Connect and metrics commands with `--verbose`, against the
/// stand-in: neither the vault passphrase, the app-specific passwords, the
/// key's PEM body nor any token they signed (whole, or its signature) shows
/// in stdout, stderr or the command line — on success and on Apple's refusal.
#[test]
fn asc_and_metrics_commands_keep_secrets_and_tokens_out_of_sight() {
    let t = Env::new();
    let server = Standin::start();
    let p8 = fixtures().join("keys/AuthKey_TESTKEY001.p8");
    t.init();
    t.cmd(&["add", "api-key", "asc", "--key-id", "TESTKEY001"])
        .args(&["--issuer-id", TEST_ISSUER_ID, "--vendor-number"])
        .arg(asc_standin::metrics::VENDOR)
        .arg("--private-key")
        .arg(&p8)
        .run()
        .success();
    t.add_password("good", "dev@example.com", VALID_APP_PASSWORD)
        .add_password("old", "dev@example.com", REVOKED_APP_PASSWORD);
    let c = |args: &[&str]| {
        t.cmd(&["--verbose"])
            .args(args)
            .env("ASCVAULT_API_BASE", server.url())
            .env("ASCVAULT_CONTENT_DELIVERY_BASE", server.url())
            .env("ASCVAULT_RETRY_BASE_MS", "5")
    };
    let app = seed::NOTES_APP_ID;
    let review = seed::review_id(0, 1);
    let missing = seed::review_id(0, 99_999);
    // (name, arguments, expected exit status)
    let cases: &[(&str, &[&str], ExitStatus)] = &[
        ("apps", &["apps"], ExitStatus::Success),
        ("apps --json", &["apps", "--json"], ExitStatus::Success),
        (
            "reviews list",
            &["reviews", "list", "--app", app, "--max", "5"],
            ExitStatus::Success,
        ),
        (
            "reviews list --csv",
            &["reviews", "list", "--app", app, "--max", "5", "--csv"],
            ExitStatus::Success,
        ),
        (
            "reviews show",
            &["reviews", "show", &review, "--json"],
            ExitStatus::Success,
        ),
        (
            "reviews show missing",
            &["reviews", "show", &missing],
            ExitStatus::Refused,
        ),
        (
            "reviews respond",
            &["reviews", "respond", &review, "--body", "Thanks!"],
            ExitStatus::Success,
        ),
        (
            "reviews flag",
            &["reviews", "flag", "--app", app, "--max", "20"],
            ExitStatus::Success,
        ),
        (
            "reviews report --print",
            &[
                "reviews", "report", &review, "--app", app, "--reason", "spam", "--print",
            ],
            ExitStatus::Success,
        ),
        (
            "verify good",
            &["verify", "good", "--json"],
            ExitStatus::Success,
        ),
        ("verify --all", &["verify", "--all"], ExitStatus::Refused),
        (
            "metrics reports",
            &["metrics", "reports", "--app", app],
            ExitStatus::Success,
        ),
        (
            "metrics sales",
            &[
                "metrics",
                "sales",
                "--frequency",
                "daily",
                "--date",
                "2026-11-20",
            ],
            ExitStatus::Success,
        ),
        (
            "metrics perf",
            &["metrics", "perf", "--app", app],
            ExitStatus::Success,
        ),
    ];
    let runs: Vec<Seen> = cases
        .iter()
        .map(|(name, args, _)| observe(name, c(args)))
        .collect();
    for (seen, (name, _, code)) in runs.iter().zip(cases) {
        assert_eq!(seen.out.status(), *code, "{name}: {}", seen.out.stderr());
        // --verbose really talked: each command logged its requests.
        assert!(
            seen.out.stderr().contains("ascvault:"),
            "{name}: --verbose said nothing"
        );
    }

    let mut secrets = vec![
        PASSPHRASE.to_owned(),
        VALID_APP_PASSWORD.to_owned(),
        VALID_APP_PASSWORD.replace('-', ""),
        REVOKED_APP_PASSWORD.to_owned(),
        REVOKED_APP_PASSWORD.replace('-', ""),
    ];
    let pem = fs::read_to_string(&p8).unwrap();
    secrets.extend(
        pem.lines()
            .filter(|l| !l.starts_with("-----") && l.len() > 16)
            .map(str::to_owned),
    );
    // Every token the commands signed, and its signature alone.
    let tokens: Vec<String> = server
        .requests()
        .into_iter()
        .filter_map(|r| r.bearer)
        .collect();
    assert!(tokens.len() >= cases.len() - 2, "too few signed requests");
    for token in &tokens {
        secrets.push(token.clone());
        let signature = token.rsplit('.').next().unwrap();
        assert!(signature.len() > 40, "not a signed JWT: {token}");
        secrets.push(signature.to_owned());
    }
    for seen in &runs {
        assert_lacks(seen, &secrets, false);
    }
}

/// While `run`'s child works (a release can take an hour), the waiting
/// ascvault holds only the credential it handed over: no other entry's
/// secret and not the passphrase, neither live nor in memory it freed;
/// with the passphrase from a file and typed at a terminal prompt.
/// Read from `/proc/<pid>/mem`, which for a non-dumpable process takes
/// CAP_SYS_PTRACE (CI runs as root); skipped, and said so, without it.
#[cfg(target_os = "linux")]
#[test]
fn run_holds_only_the_handed_over_credential_while_its_child_runs() {
    const OTHER: &str = "hjkl-asdf-qwer-zxcv";
    let t = Env::new();
    t.init()
        .add_password("pw", "dev@example.com", PASSWORD)
        .add_password("other", "dev@example.com", OTHER)
        .add_key("key", "TESTKEY001");
    let started = t.path("started");
    // The child names its parent, the waiting ascvault, then waits.
    let child_script = format!(
        "echo $PPID > {0}.tmp && mv {0}.tmp {0}; exec sleep 30",
        started.display()
    );
    let run_args = ["run", "pw", "--", "sh", "-c", child_script.as_str()];

    // The passphrase from a file: in the environment it would sit in the
    // process's environ block, which is not ours to wipe.
    let from_file = t
        .bare(&["--passphrase-file", "pass"])
        .args(&run_args)
        .spawn();
    let memory = memory_while_child_runs(&started);
    let _ = from_file.wait();
    let mut seen = vec![("file", memory)];

    let _ = fs::remove_file(&started);
    let mut prompted = crate::support::pty::spawn({
        let mut c = crate::support::pty::ascvault(t.dir.path(), &t.vault());
        c.args(run_args);
        c
    });
    prompted.exp_string("Vault passphrase: ").unwrap();
    prompted.send_line(PASSPHRASE).unwrap();
    seen.push(("prompt", memory_while_child_runs(&started)));
    let _ = prompted.exp_eof();

    let pem = fs::read_to_string(fixtures().join("keys/AuthKey_TESTKEY001.p8")).unwrap();
    for (source, memory) in seen {
        let Some(memory) = memory else {
            assert!(
                !rustix::process::geteuid().is_root(),
                "root could not read /proc/<pid>/mem"
            );
            eprintln!("skipped: reading /proc/<pid>/mem of a non-dumpable process needs root");
            return;
        };
        let has = |needle: &str| memory.windows(needle.len()).any(|w| w == needle.as_bytes());
        // The scan sees the heap: the credential being handed over is there
        // (in the child's environment as std's Command keeps it).
        assert!(
            has(PASSWORD),
            "{source}: the scan missed the handed-over password"
        );
        assert!(
            !has(OTHER),
            "{source}: another entry's password is in memory"
        );
        assert!(
            !has(PASSPHRASE),
            "{source}: the vault passphrase is in memory"
        );
        for line in pem.lines().filter(|l| !l.starts_with("-----")) {
            assert!(!has(line), "{source}: the API key's PEM is in memory");
        }
    }
}

/// Waits for `run`'s child to say it started, reads the waiting ascvault's
/// memory, then kills the child so that `run` returns.
#[cfg(target_os = "linux")]
fn memory_while_child_runs(started: &std::path::Path) -> Option<Vec<u8>> {
    for _ in 0..1000 {
        if started.exists() {
            break;
        }
        thread::sleep(Duration::from_millis(10));
    }
    let pid: u32 = fs::read_to_string(started)
        .expect("run's child never started")
        .trim()
        .parse()
        .unwrap();
    let memory = read_memory(pid);
    let kids = fs::read_to_string(format!("/proc/{pid}/task/{pid}/children")).unwrap_or_default();
    for kid in kids.split_whitespace() {
        let _ = std::process::Command::new("kill")
            .args(["-KILL", kid])
            .status();
    }
    memory
}

/// Every readable mapping of process `pid`, concatenated; `None` when the
/// kernel refuses to show it.
#[cfg(target_os = "linux")]
fn read_memory(pid: u32) -> Option<Vec<u8>> {
    use std::io::{Read, Seek, SeekFrom};
    let maps = fs::read_to_string(format!("/proc/{pid}/maps")).ok()?;
    let mut mem = fs::File::open(format!("/proc/{pid}/mem")).ok()?;
    let mut all = Vec::new();
    let mut read_any = false;
    for line in maps.lines() {
        let mut fields = line.split_whitespace();
        let (Some(range), Some(perms)) = (fields.next(), fields.next()) else {
            continue;
        };
        if !perms.starts_with('r') || line.contains("[vvar") || line.contains("[vsyscall]") {
            continue;
        }
        let Some((start, end)) = range.split_once('-') else {
            continue;
        };
        let (Ok(start), Ok(end)) = (u64::from_str_radix(start, 16), u64::from_str_radix(end, 16))
        else {
            continue;
        };
        let mut region = vec![0; (end - start) as usize];
        if mem.seek(SeekFrom::Start(start)).is_ok() && mem.read_exact(&mut region).is_ok() {
            all.extend_from_slice(&region);
            read_any = true;
        }
    }
    read_any.then_some(all)
}
