//! Fault injection: writers killed with SIGKILL at random moments, writers
//! racing each other, a full disk, a read-only directory, a vault that is a
//! directory or a symlink, and a lock left behind by a dead process; the git
//! merge driver killed the same way. In every case the vault opens
//! afterwards with either the old or the new content.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::thread;
use std::time::{Duration, Instant};

use ascvault::vault::{Document, NewPassword, Secret, Vault};

use crate::support::{Cmd, PASSPHRASE};

mod kills;
mod storage;

/// The document of the vault at `path`, if `pass` opens it.
fn open(path: &Path, pass: &str) -> Option<Document> {
    Vault::new(path)
        .open(&Secret::from(pass).into())
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
#[track_caller]
fn populate(vault: &Path, prefix: &str, n: usize) {
    Vault::new(vault)
        .update(&Secret::from(PASSPHRASE).into(), |doc| {
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
    let mut child = cmd.spawn().child;
    let delay = min + (max - min).mul_f64(fastrand::f64());
    thread::sleep(delay);
    let in_flight = child.try_wait().expect("try_wait").is_none();
    let _ = child.kill();
    let _ = child.wait();
    in_flight
}

/// How long a command takes when left alone (the window to kill it in).
#[track_caller]
fn duration_of(cmd: Cmd) -> Duration {
    let start = Instant::now();
    cmd.run().success();
    start.elapsed()
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
