//! Writers killed with SIGKILL at random moments (add, revoke, passwd and
//! the merge driver) and four writers racing: the vault is always the old
//! or the new one, and nothing is lost.

use std::collections::BTreeSet;
use std::fs;
use std::thread;

use ascvault::vault::{Secret, Vault};

use super::{duration_of, kill_at_random, kill_between, labels, open, populate, temp_files};
use crate::support::{Env, PASSPHRASE};

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
        .stdin("wxyz-abcd-efgh-ijkl\n")
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
        .update(&Secret::from(PASSPHRASE).into(), |doc| {
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
