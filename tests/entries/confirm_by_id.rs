//! Issue 11, finding 9: interactive `revoke` and `remove` resolve the label
//! to the entry's id before asking and apply the answer to that id, so a
//! relabel by another writer while the question waits cannot redirect them
//! to another entry; an entry gone meanwhile changes nothing (exit 4).

use crate::support::pty::{ascvault, exit_status, spawn};
use crate::support::{Env, ExitStatus, PASSPHRASE};

const PW2: &str = "qrst-uvwx-yzab-cdef";

/// `args` on a terminal; at `question`, `meanwhile` runs (another writer);
/// then the answer is yes. The exit status and everything printed.
fn answer_yes_after(
    t: &Env,
    args: &[&str],
    question: &str,
    meanwhile: impl FnOnce(),
) -> (ExitStatus, String) {
    let mut p = spawn({
        let mut c = ascvault(t.dir.path(), &t.vault());
        c.env("ASCVAULT_PASSPHRASE", PASSPHRASE)
            .env("ASCVAULT_ALLOW_WEAK_VAULT", "1")
            .args(args);
        c
    });
    p.exp_string(question).unwrap();
    meanwhile();
    p.send_line("y").unwrap();
    let rest = p.exp_eof().unwrap();
    (exit_status(&mut p), rest)
}

/// (label, revoked) of every entry.
fn entries(t: &Env) -> Vec<(String, bool)> {
    let v = t.cmd(&["list", "--all", "--json"]).run().success().json();
    v.as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["label"].as_str().unwrap().to_owned(),
                e["revoked"].as_bool().unwrap(),
            )
        })
        .collect()
}

/// Another writer swaps the labels of `fl` and `xc` while the question waits.
fn swap_labels(t: &Env) {
    t.cmd(&["relabel", "fl", "tmp"]).run().success();
    t.cmd(&["relabel", "xc", "fl"]).run().success();
    t.cmd(&["relabel", "tmp", "xc"]).run().success();
}

#[test]
fn revoke_at_the_terminal_applies_to_the_entry_asked_about() {
    let t = Env::new();
    t.init()
        .add_password("fl", "dev@example.com", super::PW)
        .add_password("xc", "dev@example.com", PW2);
    let (status, out) = answer_yes_after(&t, &["revoke", "fl"], "Revoke fl?", || swap_labels(&t));
    assert_eq!(status, ExitStatus::Success, "{out}");
    // The entry asked about (now labelled xc) is revoked; the one that took
    // its label is not.
    assert_eq!(
        entries(&t),
        [("xc".to_owned(), true), ("fl".to_owned(), false)]
    );
    assert!(out.contains("revoked xc"), "{out}");
    t.cmd(&["show", "xc", "--reveal"])
        .run()
        .success()
        .stdout_has(super::PW);
}

#[test]
fn remove_at_the_terminal_applies_to_the_entry_asked_about() {
    let t = Env::new();
    t.init()
        .add_password("fl", "dev@example.com", super::PW)
        .add_password("xc", "dev@example.com", PW2);
    let (status, out) = answer_yes_after(&t, &["remove", "fl"], "Delete fl for good?", || {
        swap_labels(&t)
    });
    assert_eq!(status, ExitStatus::Success, "{out}");
    assert_eq!(entries(&t), [("fl".to_owned(), false)]);
    t.cmd(&["show", "fl", "--reveal"])
        .run()
        .success()
        .stdout_has(PW2);
}

#[test]
fn an_entry_removed_while_the_question_waits_changes_nothing() {
    let t = Env::new();
    t.init()
        .add_password("fl", "dev@example.com", super::PW)
        .add_password("xc", "dev@example.com", PW2);
    let mut after = Vec::new();
    let (status, out) = answer_yes_after(&t, &["revoke", "fl"], "Revoke fl?", || {
        t.cmd(&["remove", "fl", "--yes"]).run().success();
        t.cmd(&["relabel", "xc", "fl"]).run().success();
        after = t.vault_bytes();
    });
    assert_eq!(status, ExitStatus::NoEntry, "{out}");
    assert!(
        out.contains("entry \"fl\" (id ") && out.contains("was removed by another writer"),
        "{out}"
    );
    assert_eq!(t.vault_bytes(), after, "the vault changed");
}
