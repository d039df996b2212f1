//! The file attacks of findings 12 and 13 from a second local user: where
//! the tests run as root and `setpriv` exists, uid 65534 (nobody) plants a
//! lock symlink and swaps the chart's temp file in a directory both can
//! write (mode 0777, not sticky, as a shared project directory is), aiming
//! at a file only root may write. Elsewhere each test prints why it is
//! skipped: the same-user versions in `local.rs` still run.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::{chart_a_big_png, script};
use crate::support::{Env, ExitStatus, TEST_WORK_FACTOR};

/// The attacker's uid and gid.
const NOBODY: &str = "65534";

/// A directory the attacker can write, inside the test's own temp dir;
/// `None` (with the reason printed) when no second user is available.
fn shared_dir(t: &Env, test: &str) -> Option<PathBuf> {
    if !rustix::process::geteuid().is_root() {
        println!("skipped {test}: not running as root, so no second user to attack from");
        return None;
    }
    let shared = t.path("shared");
    fs::create_dir(&shared).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(t.dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
        fs::set_permissions(&shared, fs::Permissions::from_mode(0o777)).unwrap();
    }
    let probe = as_nobody(
        &["sh", "-c", "touch \"$0/probe\" && rm \"$0/probe\""],
        &shared,
    );
    match probe {
        Ok(true) => Some(shared),
        Ok(false) => {
            println!(
                "skipped {test}: uid {NOBODY} cannot reach {}",
                shared.display()
            );
            None
        }
        Err(e) => {
            println!("skipped {test}: cannot run setpriv ({e})");
            None
        }
    }
}

/// Runs `argv` (with `arg0` as `$0`) as uid/gid 65534 with no groups.
fn as_nobody(argv: &[&str], arg0: &Path) -> std::io::Result<bool> {
    nobody_command(argv, arg0).status().map(|s| s.success())
}

fn nobody_command(argv: &[&str], arg0: &Path) -> Command {
    let mut c = Command::new("setpriv");
    c.args(["--reuid", NOBODY, "--regid", NOBODY, "--clear-groups", "--"])
        .args(argv)
        .arg(arg0)
        .stdin(Stdio::null());
    c
}

/// A file only root may write, with known content.
fn root_only_file(t: &Env) -> PathBuf {
    let private = t.path("private");
    fs::create_dir(&private).unwrap();
    let victim = private.join("victim");
    fs::write(&victim, "root's own file\n").unwrap();
    victim
}

#[test]
fn a_second_user_plants_the_lock_symlink() {
    let t = Env::new();
    let Some(shared) = shared_dir(&t, "a_second_user_plants_the_lock_symlink") else {
        return;
    };
    let vault = shared.join("v.age");
    t.cmd(&["init", "--work-factor", TEST_WORK_FACTOR])
        .env("ASCVAULT_VAULT", &vault)
        .run()
        .success();
    let before = fs::read(&vault).unwrap();
    // Where the attacker wants root to create a file.
    let chosen = t.path("private-created-by-root");
    let planted = as_nobody(
        &[
            "sh",
            "-c",
            &format!(
                "rm -f \"$0/v.age.lock\" && ln -s {} \"$0/v.age.lock\"",
                chosen.display()
            ),
        ],
        &shared,
    )
    .unwrap();
    assert!(planted, "uid {NOBODY} could not plant the link");
    t.cmd(&["note", "x", "y"])
        .env("ASCVAULT_VAULT", &vault)
        .run()
        .fails(ExitStatus::Failure)
        .stderr_has("it is a symbolic link");
    assert!(
        fs::symlink_metadata(&chosen).is_err(),
        "root created the file the attacker chose"
    );
    assert_eq!(fs::read(&vault).unwrap(), before);
}

#[test]
fn a_second_user_swaps_the_chart_temp_file() {
    let t = Env::new();
    let Some(shared) = shared_dir(&t, "a_second_user_swaps_the_chart_temp_file") else {
        return;
    };
    let victim = root_only_file(&t);
    // The attacker's loop: every chart temp file becomes a link to the
    // victim, renamed over it in one step, until told to stop.
    let attacker = t.path("attacker.sh");
    script(
        &attacker,
        &format!(
            r#"cd "$1" || exit 1
while [ ! -e stop ]; do
  for f in .chart.png.*; do
    if [ -f "$f" ] && [ ! -L "$f" ]; then
      rm -f .staging
      ln -s {} .staging && mv -f .staging "$f" && echo "$f" >> swaps
    fi
  done
done"#,
            victim.display()
        ),
    );
    let mut running = nobody_command(&[attacker.to_str().unwrap()], &shared)
        .spawn()
        .expect("start the attacker");
    let outcome = chart_a_big_png(&t, &shared.join("chart.png"));
    fs::write(shared.join("stop"), "").unwrap();
    running.wait().unwrap();
    println!(
        "uid {NOBODY} swapped: {}",
        fs::read_to_string(shared.join("swaps")).unwrap_or_default()
    );
    outcome.success();
    assert_eq!(
        fs::read_to_string(&victim).unwrap(),
        "root's own file\n",
        "root wrote the chart through the attacker's symlink"
    );
}
