//! Another local user, or the machine itself (issue 11, findings 11–16):
//! values that hang the chart code, a temp file swapped for a symlink, a
//! planted lock symlink, symlinked `.gitattributes`/`.gitignore`, the
//! passphrase leaking into child processes, and weak vaults kept silently.
//! In each test "the attacker" works as the same user; `two_users` repeats
//! the file attacks from a second uid where the machine allows it.

mod two_users;

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::Duration;

use asc_standin::Fault;
use asc_standin::metrics::APP_ID;

use crate::support::git::{Git, git_available};
use crate::support::standin::AscWorld;
use crate::support::{Env, ExitStatus, Outcome, PASSPHRASE, fixtures};

/// Far longer than any chart takes; on the unfixed code the command spins
/// at 100 % CPU and never ends.
const HANG: Duration = Duration::from_secs(120);

/// Writes an executable shell script.
pub(super) fn script(path: &Path, body: &str) {
    fs::write(path, format!("#!/bin/sh\n{body}\n")).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(path, fs::Permissions::from_mode(0o755)).unwrap();
    }
}

/// PATH with `dir` first.
fn path_with(dir: &Path) -> std::ffi::OsString {
    let mut dirs = vec![dir.to_owned()];
    dirs.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    std::env::join_paths(dirs).unwrap()
}

// Finding 11: values that made plotters spin forever.

#[test]
fn chart_refuses_infinite_and_huge_values_instead_of_spinning() {
    let t = Env::new();
    let tsv = t.path("bad.tsv");
    let out = t.path("bad.svg");
    for (values, problem) in [
        (["1", "inf"], "inf is not a finite number"),
        (["-1e308", "1e308"], "-1e308 is out of range"),
        (["1", "NaN"], "NaN is not a finite number"),
    ] {
        fs::write(
            &tsv,
            format!(
                "Date\tUnits\n2026-01-01\t{}\n2026-01-02\t{}\n",
                values[0], values[1]
            ),
        )
        .unwrap();
        for extra in [&["--by", "Date"][..], &[]] {
            chart_units(&t, &tsv)
                .args(extra)
                .arg("--out")
                .arg(&out)
                .run_with_timeout(HANG)
                .unwrap_or_else(|| panic!("metrics chart hung on {values:?}"))
                .fails(ExitStatus::Failure)
                .stderr_has(problem)
                .stderr_has("hint: a chart takes finite values from -1e15 to 1e15");
            assert!(!out.exists(), "a chart of {values:?} was written");
        }
        // The terminal sparkline refuses them too.
        chart_units(&t, &tsv)
            .run()
            .fails(ExitStatus::Failure)
            .stderr_has(problem);
    }
    // Values far inside the range, and a span below their precision, draw.
    fs::write(
        &tsv,
        "Date\tUnits\n2026-01-01\t1e15\n2026-01-02\t999999999999999.9\n",
    )
    .unwrap();
    chart_units(&t, &tsv)
        .arg("--out")
        .arg(&out)
        .run_with_timeout(HANG)
        .expect("metrics chart hung on a narrow span")
        .success();
}

#[test]
fn perf_chart_refuses_huge_values_from_the_server() {
    let w = AscWorld::new();
    let mut doc: serde_json::Value = serde_json::from_str(
        &fs::read_to_string(fixtures().join("asc/metrics/perf-power-metrics.json")).unwrap(),
    )
    .unwrap();
    for product in doc["productData"].as_array_mut().unwrap() {
        for category in product["metricCategories"].as_array_mut().unwrap() {
            for metric in category["metrics"].as_array_mut().unwrap() {
                for dataset in metric["datasets"].as_array_mut().unwrap() {
                    for (i, point) in dataset["points"]
                        .as_array_mut()
                        .unwrap()
                        .iter_mut()
                        .enumerate()
                    {
                        point["value"] = if i % 2 == 0 { 1e308 } else { -1.7e308 }.into();
                    }
                }
            }
        }
    }
    w.server.fault(
        &format!("/v1/apps/{APP_ID}/perfPowerMetrics"),
        Fault::Answer {
            status: 200,
            headers: vec![(
                "content-type".into(),
                "application/vnd.apple.xcode-metrics+json".into(),
            )],
            body: doc.to_string().into_bytes(),
        },
        1,
    );
    let svg = w.t.path("perf.svg");
    w.metrics(&["perf", "--app", APP_ID, "--metric", "launch", "--chart"])
        .arg(&svg)
        .run_with_timeout(HANG)
        .expect("metrics perf --chart hung on 1e308")
        .fails(ExitStatus::Failure)
        .stderr_has("is out of range");
    assert!(!svg.exists());
}

// Finding 12: the chart's temp file swapped for a symlink mid-write.

/// Swaps every file named `<prefix>…` in `dir` for a symlink to `victim`
/// (atomically, by renaming a link over it), until `stop` is set: what
/// another user who can write `dir` does to a writer that reopens its
/// temp file by path.
pub(super) fn swap_for_symlinks(
    dir: PathBuf,
    prefix: String,
    victim: PathBuf,
    stop: Arc<AtomicBool>,
) -> thread::JoinHandle<usize> {
    thread::spawn(move || {
        let mut swapped = 0;
        let staging = dir.join("staging-link");
        while !stop.load(Ordering::Relaxed) {
            let Ok(entries) = fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.flatten() {
                let name = entry.file_name();
                let is_link = entry.file_type().is_ok_and(|t| t.is_symlink());
                if !name.to_string_lossy().starts_with(&prefix) || is_link {
                    continue;
                }
                let _ = fs::remove_file(&staging);
                #[cfg(unix)]
                if std::os::unix::fs::symlink(&victim, &staging).is_ok()
                    && fs::rename(&staging, entry.path()).is_ok()
                {
                    swapped += 1;
                }
            }
        }
        swapped
    })
}

/// `metrics chart TSV --column Units`.
fn chart_units(t: &Env, tsv: &Path) -> crate::support::Cmd {
    t.cmd(&[
        "metrics",
        "chart",
        tsv.to_str().unwrap(),
        "--column",
        "Units",
    ])
}

/// `metrics chart` of a small TSV into `out`, a 4000×4000 PNG: plotters
/// took a while to draw one before it reopened the temp file by path to
/// save it, and a swap happened meanwhile.
pub(super) fn chart_a_big_png(t: &Env, out: &Path) -> Outcome {
    let tsv = t.path("data.tsv");
    fs::write(&tsv, "Date\tUnits\n2026-01-01\t3\n2026-01-02\t5\n").unwrap();
    chart_units(t, &tsv)
        .args(&["--width", "4000", "--height", "4000", "--out"])
        .arg(out)
        .run()
}

#[cfg(unix)]
#[test]
fn a_swapped_chart_temp_file_is_never_written_through() {
    let t = Env::new();
    let shared = t.path("shared");
    fs::create_dir(&shared).unwrap();
    let victim = t.path("victim");
    fs::write(&victim, "the victim's own file\n").unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let swapper = swap_for_symlinks(
        shared.clone(),
        ".chart.png.".into(),
        victim.clone(),
        stop.clone(),
    );
    let outcome = chart_a_big_png(&t, &shared.join("chart.png"));
    stop.store(true, Ordering::Relaxed);
    let swapped = swapper.join().unwrap();
    // On the fixed code the temp file lives for a moment only, and may
    // never be seen: what matters is where the bytes went.
    println!("swapped {swapped} temp file(s)");
    let outcome = outcome.success();
    assert_eq!(
        fs::read_to_string(&victim).unwrap(),
        "the victim's own file\n",
        "the chart was written through the planted symlink:{}",
        outcome.describe()
    );
}

// Finding 13: a planted `<vault>.lock` symlink.

#[cfg(unix)]
#[test]
fn a_planted_lock_symlink_is_refused_and_creates_nothing() {
    let t = Env::new();
    t.init();
    let before = t.vault_bytes();
    let elsewhere = t.path("chosen-by-the-attacker");
    // `init` left a lock file of its own: the attacker replaces it.
    fs::remove_file(t.path("ascvault.age.lock")).unwrap();
    std::os::unix::fs::symlink(&elsewhere, t.path("ascvault.age.lock")).unwrap();
    t.cmd(&["note", "x", "y"])
        .run()
        .fails(ExitStatus::Failure)
        .stderr_has("ascvault.age.lock: it is a symbolic link, which a lock file never is");
    assert!(
        fs::symlink_metadata(&elsewhere).is_err(),
        "the lock was created where the symlink points"
    );
    assert_eq!(t.vault_bytes(), before);
}

// Finding 14: `git setup` appending through symlinks.

#[cfg(unix)]
#[test]
fn git_setup_refuses_symlinked_gitattributes_and_gitignore() {
    if !git_available() {
        return;
    }
    for name in [".gitattributes", ".gitignore"] {
        let g = Git::new();
        let repo = g.repo("r");
        let outside = g.path("outside-the-repository");
        fs::write(&outside, "# someone else's file\n").unwrap();
        std::os::unix::fs::symlink(&outside, repo.join(name)).unwrap();
        let config = fs::read(repo.join(".git/config")).unwrap();
        g.av(&repo, &["git", "setup"])
            .run()
            .fails(ExitStatus::Failure)
            .stderr_has(&format!("{name} is a symbolic link"))
            .stderr_has("hint: nothing was changed");
        assert_eq!(
            fs::read_to_string(&outside).unwrap(),
            "# someone else's file\n",
            "git setup wrote through {name}"
        );
        assert_eq!(fs::read(repo.join(".git/config")).unwrap(), config);
        let other = if name == ".gitignore" {
            ".gitattributes"
        } else {
            ".gitignore"
        };
        assert!(!repo.join(other).exists(), "{other} was written");
    }
}

// Finding 15: ASCVAULT_PASSPHRASE in children's environments.

/// Every environment the fake programs in `bin` dumped into `dumps`.
fn dumped_environments(dumps: &Path) -> Vec<String> {
    fs::read_dir(dumps)
        .unwrap()
        .map(|e| fs::read_to_string(e.unwrap().path()).unwrap())
        .collect()
}

#[cfg(unix)]
#[test]
fn git_subprocesses_never_see_the_passphrase() {
    let t = Env::new();
    t.init();
    let (bin, dumps) = (t.path("bin"), t.path("dumps"));
    fs::create_dir(&bin).unwrap();
    fs::create_dir(&dumps).unwrap();
    script(
        &bin.join("git"),
        &format!(
            "env > {}/git.$$\necho 'fatal: not a git repository' >&2\nexit 128",
            dumps.display()
        ),
    );
    // `check` asks git about the vault; `git setup` finds the repository.
    for args in [&["check"][..], &["git", "setup"]] {
        let _ = t.cmd(args).env("PATH", path_with(&bin)).run();
    }
    let envs = dumped_environments(&dumps);
    assert!(envs.len() >= 2, "git never ran: {envs:?}");
    for env in envs {
        assert!(env.contains("ASCVAULT_VAULT="), "not a dump: {env}");
        assert!(
            !env.contains("ASCVAULT_PASSPHRASE"),
            "git saw the passphrase"
        );
        assert!(!env.contains(PASSPHRASE), "git saw the passphrase");
    }
}

#[cfg(target_os = "linux")]
#[test]
fn the_browser_opener_never_sees_the_passphrase() {
    let w = AscWorld::new();
    let (bin, dumps) = (w.t.path("bin"), w.t.path("dumps"));
    fs::create_dir(&bin).unwrap();
    fs::create_dir(&dumps).unwrap();
    script(
        &bin.join("xdg-open"),
        &format!("env > {}/opener.$$", dumps.display()),
    );
    let review = asc_standin::seed::review_id(0, 2);
    w.cmd(&[
        "reviews",
        "report",
        &review,
        "--app",
        asc_standin::seed::NOTES_APP_ID,
        "--reason",
        "spam",
    ])
    .env("PATH", path_with(&bin))
    .run()
    .success();
    let envs = dumped_environments(&dumps);
    assert_eq!(envs.len(), 1, "the opener ran {} times", envs.len());
    assert!(
        envs[0].contains("ASCVAULT_VAULT="),
        "not a dump: {}",
        envs[0]
    );
    assert!(
        !envs[0].contains("ASCVAULT_PASSPHRASE"),
        "the opener saw it"
    );
    assert!(
        !envs[0].contains(PASSPHRASE),
        "the opener saw the passphrase"
    );
}

#[cfg(unix)]
#[test]
fn run_hands_the_credential_but_not_the_passphrase() {
    let t = Env::new();
    t.init()
        .add_password("fl", "dev@example.com", "abcd-efgh-ijkl-mnop");
    let out = t.cmd(&["run", "fl", "--", "env"]).run().success();
    out.stdout_has("ASC_APP_SPECIFIC_PASSWORD=abcd-efgh-ijkl-mnop")
        .stdout_lacks("ASCVAULT_PASSPHRASE")
        .stdout_lacks(PASSPHRASE);
}

// Finding 16: weak work factors, warned about by every command.

/// The weak-vault warning's text.
const WEAK: &str = "warning: this vault's work factor is 10, below 16";

#[test]
fn every_command_that_opens_a_weak_vault_warns_once() {
    let t = Env::new();
    t.init();
    let warned = |args: &[&str], stdin: &str| {
        let out = t
            .cmd(args)
            .env_remove("ASCVAULT_ALLOW_WEAK_VAULT")
            .stdin(stdin)
            .run()
            .success()
            .into_outcome();
        assert_eq!(
            out.stderr().matches(WEAK).count(),
            1,
            "expected the warning once:{}",
            out.describe()
        );
        assert!(
            out.stderr()
                .contains("raise it with `ascvault passwd --work-factor 18`"),
            "{}",
            out.describe()
        );
    };
    // Writes (update, draft/commit) as well as reads.
    warned(
        &[
            "add",
            "password",
            "fl",
            "--apple-id",
            "dev@example.com",
            "--password-stdin",
        ],
        "abcd-efgh-ijkl-mnop\n",
    );
    warned(&["note", "fl", "a note"], "");
    warned(&["relabel", "fl", "fastlane"], "");
    warned(&["revoke", "fastlane", "--yes"], "");
    warned(&["list"], "");
    // The harness's variable silences it.
    t.cmd(&["note", "fastlane", "quiet"])
        .run()
        .success()
        .stderr_is("");
}

#[test]
fn passwd_work_factor_follows_the_warnings_advice() {
    let t = Env::new();
    t.init();
    // Taking the advice does not repeat it.
    t.cmd(&["passwd", "--work-factor", "16"])
        .env_remove("ASCVAULT_ALLOW_WEAK_VAULT")
        .run()
        .success()
        .stderr_is(concat!(
            "work factor changed from 10 to 16\n",
            "old copies of the vault (git history, backups) keep their old work factor\n",
        ));
    // The passphrase is kept and the warning is gone.
    let quiet = t
        .cmd(&["list"])
        .env_remove("ASCVAULT_ALLOW_WEAK_VAULT")
        .run()
        .success()
        .into_outcome();
    assert!(!quiet.stderr().contains("below 16"), "{}", quiet.describe());
    // And a new passphrase with it, from a file.
    fs::write(t.path("new"), "another passphrase\n").unwrap();
    t.cmd(&["passwd", "--work-factor", "11", "--new-passphrase-file"])
        .arg(t.path("new"))
        .run()
        .success()
        .stderr_has("passphrase changed");
    t.cmd(&["list"])
        .env("ASCVAULT_PASSPHRASE", "another passphrase")
        .env_remove("ASCVAULT_ALLOW_WEAK_VAULT")
        .run()
        .success()
        .stderr_has("work factor is 11, below 16");
    t.cmd(&["passwd", "--work-factor", "9"])
        .run()
        .exits(ExitStatus::Usage);
}

#[test]
fn check_keeps_its_weak_vault_finding() {
    let t = Env::new();
    t.init();
    t.cmd(&["check"])
        .run()
        .exits(ExitStatus::Failure)
        .stdout_has("work factor is 10");
}
