//! Storage that fights back: a full disk, a read-only directory, a vault
//! that is a directory or a symlink, and a lock held by a live or a dead
//! process.

use std::fs;
use std::path::Path;
use std::process::Command;
use std::thread;
use std::time::{Duration, Instant};

use super::{Mount, is_root, open, populate, temp_files};
use crate::support::{Env, ExitStatus, PASSPHRASE};

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
        .fails(ExitStatus::Failure)
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
        .fails(ExitStatus::Failure)
        .stderr_has("hint:")
        .stderr_has("writable");
    for args in [
        &["revoke", "e0", "--yes"][..],
        &["note", "e1", "hello"],
        &["remove", "e2", "--yes"],
    ] {
        cmd(args).run().fails(ExitStatus::Failure);
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
        .fails(ExitStatus::Failure)
        .stderr_has("is a directory, not a vault file");
    for args in [&["list"][..], &["show", "x"], &["revoke", "x", "--yes"]] {
        t.cmd(args)
            .run()
            .fails(ExitStatus::Failure)
            .stderr_is(&format!(
                "error: {} is a directory, not a vault file\n\
                 hint: point --vault (or ASCVAULT_VAULT) at the vault file itself\n",
                t.vault().display()
            ));
    }
    t.cmd(&["add", "password", "x", "--apple-id", "d@example.com"])
        .arg("--password-stdin")
        .stdin("abcd-efgh-ijkl-mnop\n")
        .run()
        .fails(ExitStatus::Failure)
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
        .fails(ExitStatus::Failure)
        .stderr_is(&format!(
            "error: another ascvault process is writing {} (waited 1 s for its lock)\n\
             hint: wait for the other process to finish, then try again\n",
            lock.display()
        ));
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
    t.cmd(&["note", "a", "hello"])
        .env("ASCVAULT_LOCK_TIMEOUT", "5")
        .run()
        .success();
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
