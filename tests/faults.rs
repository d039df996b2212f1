//! Fault injection: writers killed with SIGKILL at random moments, writers
//! racing each other, a full disk, a read-only directory, a vault that is a
//! directory or a symlink, and a lock left behind by a dead process; the git
//! merge driver killed the same way. In every case the
//! vault opens afterwards with either the old or the new content.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use ascvault::vault::{Document, NewPassword, Secret, Vault};

use crate::support::{Cmd, Env, Outcome, PASSPHRASE};

/// Runs a command, killing it (SIGKILL) if it outlives `timeout`; `None`
/// then. Output is drained on a thread so a chatty child cannot block.
pub fn run_with_timeout(cmd: Cmd, timeout: Duration) -> Option<Output> {
    let child = cmd.spawn();
    let pid = child.id();
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(timeout) {
        Ok(out) => Some(out.expect("wait for ascvault")),
        Err(_) => {
            sigkill(pid);
            None
        }
    }
}

fn sigkill(pid: u32) {
    let pid = i32::try_from(pid)
        .ok()
        .and_then(rustix::process::Pid::from_raw)
        .expect("child pid");
    let _ = rustix::process::kill_process(pid, rustix::process::Signal::KILL);
}

/// The document of the vault at `path`, if `pass` opens it.
fn open(path: &Path, pass: &str) -> Option<Document> {
    Vault::new(path)
        .open(&Secret::from(pass))
        .ok()
        .map(|u| u.document)
}

fn labels(doc: &Document) -> BTreeSet<String> {
    doc.entries.iter().map(|e| e.label.clone()).collect()
}

/// Files in the vault's directory that a killed writer may leave behind.
fn temp_files(dir: &Path) -> Vec<PathBuf> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".tmp"))
        .collect()
}

/// Adds `n` password entries `{prefix}{i}` through the library (fast setup).
fn populate(vault: &Path, prefix: &str, n: usize) {
    Vault::new(vault)
        .update(&Secret::from(PASSPHRASE), |doc| {
            for i in 0..n {
                doc.add(
                    NewPassword {
                        label: format!("{prefix}{i}"),
                        apple_id: "dev@example.com".into(),
                        password: Secret::from("abcd-efgh-ijkl-mnop"),
                        note: None,
                        skip_format_check: false,
                    }
                    .into_entry()?,
                )?;
            }
            Ok(())
        })
        .expect("populate");
}

/// Starts `cmd`, waits a random time below `max`, and SIGKILLs it. Returns
/// whether the process was still running when killed.
fn kill_at_random(cmd: Cmd, max: Duration) -> bool {
    kill_between(cmd, Duration::ZERO, max)
}

/// Starts `cmd`, waits a random time between `min` and `max`, and SIGKILLs
/// it. Returns whether the process was still running when killed.
fn kill_between(cmd: Cmd, min: Duration, max: Duration) -> bool {
    let mut child = cmd.spawn();
    let delay = min + (max - min).mul_f64(fastrand::f64());
    thread::sleep(delay);
    let in_flight = child.try_wait().expect("try_wait").is_none();
    let _ = child.kill();
    let _ = child.wait();
    in_flight
}

/// How long a command takes when left alone (the window to kill it in).
fn duration_of(cmd: Cmd) -> Duration {
    let start = Instant::now();
    cmd.run().success();
    start.elapsed()
}

/// Kills per command, at least; 3 commands give well over 200 in all.
const KILLS_PER_COMMAND: usize = 70;
/// Bounds the loop if the machine is so fast that kills keep missing.
const MAX_ATTEMPTS: usize = 400;

#[test]
fn sigkill_during_add_revoke_passwd_leaves_old_or_new_vault() {
    let seed = fastrand::u64(..);
    fastrand::seed(seed);
    eprintln!("faults: fastrand seed {seed}");
    let t = Env::new();
    t.init();
    populate(&t.vault(), "r", 400);
    let vault = t.vault();
    let add = |label: &str| {
        t.cmd(&["add", "password", label, "--apple-id", "k@example.com"])
            .arg("--password-stdin")
            .stdin("abcd-efgh-ijkl-mnop\n")
    };
    let mut total = 0;

    // add: the entry is either absent or complete; nothing else changes.
    let window = duration_of(add("warmup")).mul_f64(0.9);
    let (mut kills, mut attempts) = (0, 0);
    while kills < KILLS_PER_COMMAND && attempts < MAX_ATTEMPTS {
        let before = open(&vault, PASSPHRASE).expect("vault opens");
        let label = format!("k{attempts}");
        attempts += 1;
        kills += usize::from(kill_at_random(add(&label), window));
        let after = open(&vault, PASSPHRASE).expect("vault opens after SIGKILL in add");
        let mut rest = after.clone();
        rest.entries.retain(|e| e.label != label);
        assert_eq!(rest, before, "add of {label}: other entries changed");
        assert!(after.entries.len() - rest.entries.len() <= 1);
    }
    eprintln!("faults: add killed in flight {kills} times in {attempts} runs");
    total += kills;

    // revoke: the entry is either untouched or revoked with a date.
    let revoke = |label: &str| t.cmd(&["revoke", label, "--yes"]);
    let window = duration_of(revoke("r399")).mul_f64(0.9);
    let (mut kills, mut attempts) = (0, 0);
    while kills < KILLS_PER_COMMAND && attempts < MAX_ATTEMPTS.min(399) {
        let before = open(&vault, PASSPHRASE).expect("vault opens");
        let label = format!("r{attempts}");
        attempts += 1;
        kills += usize::from(kill_at_random(revoke(&label), window));
        let after = open(&vault, PASSPHRASE).expect("vault opens after SIGKILL in revoke");
        let mut expected = before.clone();
        if let Some(at) = after.get(&label).ok().and_then(|e| e.revoked_at) {
            expected.find_mut(&label).unwrap().revoke(at);
        }
        assert_eq!(
            after, expected,
            "revoke of {label}: neither old nor new content"
        );
    }
    eprintln!("faults: revoke killed in flight {kills} times in {attempts} runs");
    total += kills;

    // passwd: exactly one of the old and new passphrases opens it, and the
    // content is the same either way.
    let pass_file = t.path("new-pass");
    let passwd = |old: &str, new: &str| {
        fs::write(&pass_file, format!("{new}\n")).unwrap();
        t.cmd(&["passwd", "--new-passphrase-file"])
            .arg(&pass_file)
            .env("ASCVAULT_PASSPHRASE", old)
    };
    let mut current = PASSPHRASE.to_owned();
    let window = {
        let w = duration_of(passwd(&current, "warm up")).mul_f64(0.9);
        current = "warm up".to_owned();
        w
    };
    let content = open(&vault, &current).expect("vault opens");
    let (mut kills, mut attempts) = (0, 0);
    while kills < KILLS_PER_COMMAND && attempts < MAX_ATTEMPTS {
        let next = format!("pass {attempts}");
        attempts += 1;
        kills += usize::from(kill_at_random(passwd(&current, &next), window));
        let old = open(&vault, &current);
        let new = open(&vault, &next);
        match (old, new) {
            (Some(doc), None) => assert_eq!(doc, content),
            (None, Some(doc)) => {
                assert_eq!(doc, content);
                current = next;
            }
            (o, n) => panic!(
                "passwd killed: old opens {}, new opens {}",
                o.is_some(),
                n.is_some()
            ),
        }
    }
    eprintln!("faults: passwd killed in flight {kills} times in {attempts} runs");
    total += kills;
    assert!(total >= 200, "only {total} kills landed while running");

    // Nothing left behind trips a later run: the lock is free at once and
    // writes and reads succeed.
    let left = temp_files(t.dir.path());
    eprintln!("faults: {} temp files left by killed writers", left.len());
    t.cmd(&["add", "password", "after", "--apple-id", "a@example.com"])
        .arg("--password-stdin")
        .env("ASCVAULT_PASSPHRASE", &current)
        .env("ASCVAULT_LOCK_TIMEOUT", "1")
        .stdin("abcd-efgh-ijkl-mnop\n")
        .run()
        .success();
    t.cmd(&["list", "--all"])
        .env("ASCVAULT_PASSPHRASE", &current)
        .run()
        .success()
        .stdout_has("after");
    // The next locked write sweeps what killed writers left behind.
    assert!(
        temp_files(t.dir.path()).is_empty(),
        "temp files survive a later write"
    );
}

/// Merge kills at least; with the 210 above, well over 200 in all.
const MERGE_KILLS: usize = 60;

#[test]
fn sigkill_during_merge_leaves_ours_old_or_merged() {
    let seed = fastrand::u64(..);
    fastrand::seed(seed);
    eprintln!("faults: merge: fastrand seed {seed}");
    let t = Env::new();
    t.init();
    populate(&t.vault(), "b", 200);
    // Three sides as git hands them to the driver: ours added entries,
    // theirs added others and revoked one of the base's.
    let (base, ours, theirs) = (t.path("base"), t.path("ours"), t.path("theirs"));
    fs::copy(t.vault(), &base).unwrap();
    fs::copy(t.vault(), &ours).unwrap();
    fs::copy(t.vault(), &theirs).unwrap();
    populate(&ours, "o", 20);
    populate(&theirs, "t", 20);
    Vault::new(&theirs)
        .update(&Secret::from(PASSPHRASE), |doc| {
            doc.find_mut("b7")
                .unwrap()
                .revoke(ascvault::vault::Timestamp::now());
            Ok(())
        })
        .unwrap();
    let ours_old = fs::read(&ours).unwrap();
    let old = open(&ours, PASSPHRASE).expect("ours opens");
    let expected = ascvault::vault::merge::merge(
        &open(&base, PASSPHRASE).unwrap(),
        &old,
        &open(&theirs, PASSPHRASE).unwrap(),
    )
    .expect("the sides merge cleanly");
    assert_ne!(old, expected);
    let merge = || {
        t.cmd(&["merge"])
            .arg(&base)
            .arg(&ours)
            .arg(&theirs)
            .arg("ascvault.age")
    };

    // Unkilled, the driver writes exactly the library's merge. It writes
    // last, after four KDFs: kills are spread over the second half of its
    // run and a little past it, so many land around the write.
    let took = duration_of(merge());
    let merged = open(&ours, PASSPHRASE).expect("merged ours opens");
    assert_eq!(merged, expected);

    let (mut kills, mut attempts, mut landed_new) = (0, 0, 0);
    while kills < MERGE_KILLS && attempts < MAX_ATTEMPTS {
        fs::write(&ours, &ours_old).unwrap();
        attempts += 1;
        kills += usize::from(kill_between(merge(), took / 2, took.mul_f64(1.1)));
        let after = open(&ours, PASSPHRASE).expect("ours opens after SIGKILL in merge");
        if after == merged {
            landed_new += 1;
        } else {
            assert_eq!(after, old, "merge killed: ours is neither old nor merged");
        }
    }
    eprintln!(
        "faults: merge killed in flight {kills} times in {attempts} runs ({landed_new} left the merged file)"
    );
    assert!(
        kills >= MERGE_KILLS,
        "only {kills} merge kills landed while running"
    );

    // What killed drivers left behind does not trip a later merge: the
    // temp names are random, so the next run writes beside them.
    let left = temp_files(t.dir.path());
    eprintln!(
        "faults: merge: {} temp files left by killed drivers",
        left.len()
    );
    fs::write(&ours, &ours_old).unwrap();
    merge().run().success();
    assert_eq!(open(&ours, PASSPHRASE).unwrap(), merged);
    for leftover in &left {
        // A leftover is never mistaken for a side: it is not at OURS' path
        // and holds at most ciphertext.
        assert_ne!(leftover, &ours);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            if let Ok(m) = fs::metadata(leftover) {
                assert_eq!(m.permissions().mode() & 0o077, 0, "{}", leftover.display());
            }
        }
    }
}

#[test]
fn four_writers_adding_fifty_each_lose_nothing() {
    let t = Env::new();
    t.init();
    let vault = t.vault();
    thread::scope(|s| {
        for w in 0..4 {
            let t = &t;
            s.spawn(move || {
                for i in 0..50 {
                    let label = format!("w{w}-{i}");
                    t.cmd(&["add", "password", &label, "--apple-id", "w@example.com"])
                        .arg("--password-stdin")
                        .env("ASCVAULT_LOCK_TIMEOUT", "60")
                        .stdin("abcd-efgh-ijkl-mnop\n")
                        .run()
                        .success();
                }
            });
        }
    });
    let doc = open(&vault, PASSPHRASE).expect("vault opens");
    let want: BTreeSet<String> = (0..4)
        .flat_map(|w| (0..50).map(move |i| format!("w{w}-{i}")))
        .collect();
    assert_eq!(labels(&doc), want);
    assert!(temp_files(t.dir.path()).is_empty());
}

/// A small tmpfs mounted for one test, unmounted on drop. `None` when this
/// process may not mount (not root, or no CAP_SYS_ADMIN).
struct Mount(PathBuf);

impl Mount {
    fn tmpfs(at: &Path, size: &str) -> Option<Mount> {
        if !cfg!(target_os = "linux") {
            return None;
        }
        fs::create_dir_all(at).unwrap();
        let ok = Command::new("mount")
            .args([
                "-t",
                "tmpfs",
                "-o",
                &format!("size={size},mode=0700"),
                "tmpfs",
            ])
            .arg(at)
            .output()
            .is_ok_and(|o| o.status.success());
        ok.then(|| Mount(at.to_owned()))
    }

    fn remount_read_only(&self) -> bool {
        Command::new("mount")
            .args(["-o", "remount,ro"])
            .arg(&self.0)
            .status()
            .is_ok_and(|s| s.success())
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

fn is_root() -> bool {
    #[cfg(unix)]
    {
        rustix::process::geteuid().is_root()
    }
    #[cfg(not(unix))]
    {
        false
    }
}

#[test]
fn full_disk_leaves_the_old_vault_and_says_so() {
    let t = Env::new();
    let Some(mount) = Mount::tmpfs(&t.path("disk"), "64k") else {
        eprintln!(
            "faults: SKIPPED the tmpfs full-disk case (cannot mount here); the injected-error case runs instead"
        );
        return;
    };
    eprintln!("faults: full disk: running on a 64 KiB tmpfs");
    let vault = mount.0.join("ascvault.age");
    let cmd = |args: &[&str]| t.cmd(args).env("ASCVAULT_VAULT", &vault);
    cmd(&["init", "--work-factor", "10"]).run().success();
    populate(&vault, "e", 20);
    let before = fs::read(&vault).unwrap();
    // Fill every remaining page.
    let filler = mount.0.join("filler");
    {
        use std::io::Write;
        let mut f = fs::File::create(&filler).unwrap();
        let chunk = [0u8; 4096];
        while f.write_all(&chunk).is_ok() {}
        let _ = f.sync_all();
    }
    let out = cmd(&["add", "password", "one-more", "--apple-id", "d@example.com"])
        .arg("--password-stdin")
        .stdin("abcd-efgh-ijkl-mnop\n")
        .run()
        .fails(1)
        .stderr_has("the disk is full")
        .stderr_has("hint:");
    assert!(!out.stderr().contains("os error"), "{}", out.stderr());
    assert_eq!(fs::read(&vault).unwrap(), before, "old vault changed");
    assert!(
        temp_files(&mount.0).is_empty(),
        "temp file left on full disk"
    );
    // With space again, the same write succeeds.
    fs::remove_file(&filler).unwrap();
    cmd(&["add", "password", "one-more", "--apple-id", "d@example.com"])
        .arg("--password-stdin")
        .stdin("abcd-efgh-ijkl-mnop\n")
        .run()
        .success();
    assert_eq!(open(&vault, PASSPHRASE).unwrap().entries.len(), 21);
}

#[test]
fn read_only_directory_refuses_writes_and_keeps_the_vault() {
    let t = Env::new();
    let dir = t.path("ro");
    let mount = if is_root() {
        let Some(m) = Mount::tmpfs(&dir, "1m") else {
            eprintln!(
                "faults: SKIPPED the read-only directory case: running as root (permissions bypassed) and cannot mount"
            );
            return;
        };
        Some(m)
    } else {
        fs::create_dir(&dir).unwrap();
        None
    };
    let vault = dir.join("ascvault.age");
    let cmd = |args: &[&str]| t.cmd(args).env("ASCVAULT_VAULT", &vault);
    cmd(&["init", "--work-factor", "10"]).run().success();
    populate(&vault, "e", 3);
    match &mount {
        Some(m) => assert!(m.remount_read_only(), "remount read-only"),
        None => {
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                fs::set_permissions(&dir, fs::Permissions::from_mode(0o500)).unwrap();
            }
        }
    }
    let before = fs::read(&vault).unwrap();
    cmd(&["add", "password", "x", "--apple-id", "d@example.com"])
        .arg("--password-stdin")
        .stdin("abcd-efgh-ijkl-mnop\n")
        .run()
        .fails(1)
        .stderr_has("hint:")
        .stderr_has("writable");
    for args in [
        &["revoke", "e0", "--yes"][..],
        &["note", "e1", "hello"],
        &["remove", "e2", "--yes"],
    ] {
        cmd(args).run().fails(1);
    }
    assert_eq!(fs::read(&vault).unwrap(), before);
    // Reading needs no write access.
    cmd(&["list"]).run().success().stdout_has("e0");
    #[cfg(unix)]
    if mount.is_none() {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o700)).unwrap();
    }
}

#[test]
fn vault_that_is_a_directory_is_refused_clearly() {
    let t = Env::new();
    fs::create_dir(t.vault()).unwrap();
    fs::write(t.vault().join("keep"), "precious").unwrap();
    t.cmd(&["init", "--work-factor", "10"])
        .run()
        .fails(1)
        .stderr_has("already exists");
    for args in [&["list"][..], &["show", "x"], &["revoke", "x", "--yes"]] {
        t.cmd(args)
            .run()
            .fails(1)
            .stderr_has("is a directory")
            .stderr_has("hint:");
    }
    t.cmd(&["add", "password", "x", "--apple-id", "d@example.com"])
        .arg("--password-stdin")
        .stdin("abcd-efgh-ijkl-mnop\n")
        .run()
        .fails(1)
        .stderr_has("is a directory");
    assert_eq!(
        fs::read_to_string(t.vault().join("keep")).unwrap(),
        "precious"
    );
    assert_eq!(fs::read_dir(t.vault()).unwrap().count(), 1);
}

#[cfg(unix)]
#[test]
fn vault_behind_a_symlink_is_written_through_and_the_link_survives() {
    let t = Env::new();
    fs::create_dir(t.path("real")).unwrap();
    let target = t.path("real/vault.age");
    t.cmd(&["init", "--work-factor", "10"])
        .env("ASCVAULT_VAULT", &target)
        .run()
        .success();
    std::os::unix::fs::symlink("real/vault.age", t.vault()).unwrap();
    t.add_password("through-link", "d@example.com", "abcd-efgh-ijkl-mnop");
    t.cmd(&["revoke", "through-link", "--yes"]).run().success();
    let meta = fs::symlink_metadata(t.vault()).unwrap();
    assert!(meta.file_type().is_symlink(), "the link was replaced");
    assert_eq!(
        fs::read_link(t.vault()).unwrap(),
        Path::new("real/vault.age")
    );
    let doc = open(&target, PASSPHRASE).expect("target opens");
    assert!(doc.get("through-link").unwrap().revoked);
    // No vault-like file appeared beside the link.
    let beside: Vec<_> = fs::read_dir(t.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        beside
            .iter()
            .all(|n| !n.ends_with(".tmp") && n != "ascvault.age.lock"),
        "{beside:?}"
    );
}

#[test]
fn lock_left_by_a_dead_process_does_not_block_and_a_live_one_is_named() {
    let t = Env::new();
    t.init()
        .add_password("a", "d@example.com", "abcd-efgh-ijkl-mnop");
    let lock = t.path("ascvault.age.lock");
    assert!(lock.exists());
    // A live holder: the writer waits, then says who is in the way.
    // flock(1) and its `sleep` both hold the lock: kill them as a group.
    let holder = {
        let mut c = Command::new("flock");
        c.arg(&lock).args(["sleep", "30"]);
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut c, 0);
        c.spawn()
    };
    let Ok(mut holder) = holder else {
        eprintln!("faults: SKIPPED the live-lock half (no `flock` command)");
        return;
    };
    thread::sleep(Duration::from_millis(200));
    let before = t.vault_bytes();
    t.cmd(&["note", "a", "hello"])
        .env("ASCVAULT_LOCK_TIMEOUT", "1")
        .run()
        .fails(1)
        .stderr_has("another ascvault process is writing")
        .stderr_has("hint:");
    assert_eq!(t.vault_bytes(), before);
    // The holder dies without cleaning up: its lock file stays, with junk in it.
    let group = i32::try_from(holder.id())
        .ok()
        .and_then(rustix::process::Pid::from_raw)
        .unwrap();
    let _ = rustix::process::kill_process_group(group, rustix::process::Signal::KILL);
    let _ = holder.wait();
    fs::write(&lock, "pid 999999\n").unwrap();
    let start = Instant::now();
    let out = t
        .cmd(&["note", "a", "hello"])
        .env("ASCVAULT_LOCK_TIMEOUT", "5")
        .run();
    let _ = Outcome::success(out);
    assert!(
        start.elapsed() < Duration::from_secs(3),
        "waited on a dead lock"
    );
    assert_eq!(
        open(&t.vault(), PASSPHRASE)
            .unwrap()
            .get("a")
            .unwrap()
            .note
            .as_deref(),
        Some("hello")
    );
}
