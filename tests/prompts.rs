//! Prompts on a real pseudo-terminal: hidden passphrase entry, asking twice
//! for a new passphrase, confirmations — and failing fast with no terminal.

use std::time::{Duration, Instant};

use rexpect::session::PtySession;

use crate::support::pty::{ascvault, exit_status, spawn};
use crate::support::{Env, ExitStatus, PASSPHRASE};

const PW: &str = "abcd-efgh-ijkl-mnop";
/// A passphrase the strength estimate takes without a question.
const STRONG: &str = "plinth mozzarella quasar tundra 97";

fn init_command(t: &Env) -> std::process::Command {
    let mut c = ascvault(t.dir.path(), &t.vault());
    c.args(["init", "--work-factor", "10"]);
    c
}

#[test]
fn init_asks_twice_and_asks_again_on_a_mismatch() {
    let t = Env::new();
    // Three mismatched repeats: refused, no vault.
    let mut p = spawn(init_command(&t));
    for _ in 0..3 {
        p.exp_string("New passphrase: ").unwrap();
        p.send_line("one thing").unwrap();
        p.exp_string("Repeat the passphrase: ").unwrap();
        p.send_line("another thing").unwrap();
    }
    p.exp_string("the passphrases do not match").unwrap();
    assert_eq!(exit_status(&mut p), ExitStatus::Failure);
    assert!(!t.vault().exists());

    // A mismatch, then a match: the vault opens with the second one.
    let mut p = spawn(init_command(&t));
    p.exp_string("New passphrase: ").unwrap();
    p.send_line("one thing").unwrap();
    p.exp_string("Repeat the passphrase: ").unwrap();
    p.send_line("another thing").unwrap();
    p.exp_string("the passphrases do not match; try again")
        .unwrap();
    p.exp_string("New passphrase: ").unwrap();
    p.send_line(PASSPHRASE).unwrap();
    p.exp_string("Repeat the passphrase: ").unwrap();
    p.send_line(PASSPHRASE).unwrap();
    // The test passphrase is weak: insist.
    p.exp_string("Use it anyway? [y/N]").unwrap();
    p.send_line("y").unwrap();
    p.exp_eof().unwrap();
    assert_eq!(exit_status(&mut p), ExitStatus::Success);
    t.cmd(&["list"]).run().success();
}

#[test]
fn init_refuses_an_empty_passphrase() {
    let t = Env::new();
    let mut p = spawn(init_command(&t));
    p.exp_string("New passphrase: ").unwrap();
    p.send_line("").unwrap();
    p.exp_string("the passphrase is empty").unwrap();
    assert_eq!(exit_status(&mut p), ExitStatus::Failure);
    assert!(!t.vault().exists());

    let mut p = spawn(init_command(&t));
    p.exp_string("New passphrase: ").unwrap();
    p.send_line(PASSPHRASE).unwrap();
    p.exp_string("Repeat the passphrase: ").unwrap();
    p.send_line(PASSPHRASE).unwrap();
    // The test passphrase is weak: insist.
    p.exp_string("Use it anyway? [y/N]").unwrap();
    p.send_line("y").unwrap();
    let rest = p.exp_eof().unwrap();
    assert_eq!(exit_status(&mut p), ExitStatus::Success);
    assert!(
        !rest.contains(PASSPHRASE),
        "the passphrase was echoed: {rest}"
    );
    t.cmd(&["list"]).run().success();
}

/// `add password fl` on a terminal, answering the vault passphrase and then
/// `password` at the prompts: the session, ended, and all it printed.
fn add_at_the_prompt(t: &Env, password: &str) -> (PtySession, String) {
    let mut p = spawn({
        let mut c = ascvault(t.dir.path(), &t.vault());
        c.args(["add", "password", "fl", "--apple-id", "dev@example.com"]);
        c
    });
    p.exp_string("Vault passphrase: ").unwrap();
    p.send_line(PASSPHRASE).unwrap();
    p.exp_string("App-specific password").unwrap();
    p.send_line(password).unwrap();
    let rest = p.exp_eof().unwrap();
    (p, rest)
}

#[test]
fn passphrase_and_password_prompts_are_hidden() {
    let t = Env::new();
    t.init();
    let (mut p, rest) = add_at_the_prompt(&t, "ABCD EFGH IJKL MNOP");
    assert_eq!(exit_status(&mut p), ExitStatus::Success, "{rest}");
    assert!(
        !rest.contains("ABCD") && !rest.contains(PASSPHRASE),
        "echoed: {rest}"
    );
    let out = t.cmd(&["show", "fl", "--reveal"]).run().success();
    assert_eq!(out.stdout(), format!("{PW}\n"));
}

/// `add password LABEL` on a terminal, with `--apple-id dev@example.com`.
fn add_command(t: &Env, label: &str) -> std::process::Command {
    let mut c = ascvault(t.dir.path(), &t.vault());
    c.args(["add", "password", label, "--apple-id", "dev@example.com"]);
    c
}

#[test]
fn a_malformed_password_at_the_prompt_is_asked_again() {
    let t = Env::new();
    t.init();
    let before = t.vault_bytes();
    // Three malformed ones: refused, nothing changes.
    let mut p = spawn(add_command(&t, "fl"));
    p.exp_string("Vault passphrase: ").unwrap();
    p.send_line(PASSPHRASE).unwrap();
    for _ in 0..3 {
        p.exp_string("App-specific password").unwrap();
        p.send_line("hunter2").unwrap();
    }
    let rest = p.exp_eof().unwrap();
    assert_eq!(exit_status(&mut p), ExitStatus::Failure);
    assert!(
        rest.contains("16 letters") && !rest.contains("hunter2"),
        "{rest}"
    );
    assert_eq!(t.vault_bytes(), before);

    // A malformed one, then a good one: added, the passphrase asked once.
    let mut p = spawn(add_command(&t, "fl"));
    p.exp_string("Vault passphrase: ").unwrap();
    p.send_line(PASSPHRASE).unwrap();
    p.exp_string("App-specific password").unwrap();
    p.send_line("hunter2").unwrap();
    p.exp_string("16 letters").unwrap();
    p.exp_string("try again").unwrap();
    p.exp_string("App-specific password").unwrap();
    p.send_line(PW).unwrap();
    let rest = p.exp_eof().unwrap();
    assert_eq!(exit_status(&mut p), ExitStatus::Success, "{rest}");
    assert!(!rest.contains("Vault passphrase"), "asked twice: {rest}");
    let out = t.cmd(&["show", "fl", "--reveal"]).run().success();
    assert_eq!(out.stdout(), format!("{PW}\n"));
}

/// A bad label or Apple ID fails before any prompt; a taken label and a
/// wrong passphrase fail before the password is asked for.
#[test]
fn add_password_checks_everything_before_asking_for_the_password() {
    let t = Env::new();
    t.init().add_password("fl", "dev@example.com", PW);
    for args in [
        ["add", "password", " bad", "--apple-id", "dev@example.com"],
        ["add", "password", "ok", "--apple-id", "not an email"],
    ] {
        let mut p = spawn({
            let mut c = ascvault(t.dir.path(), &t.vault());
            c.args(args);
            c
        });
        let rest = p.exp_eof().unwrap();
        assert_eq!(exit_status(&mut p), ExitStatus::Failure, "{args:?}");
        assert!(!rest.contains("passphrase:"), "asked: {rest}");
    }
    let mut p = spawn(add_command(&t, "FL"));
    p.exp_string("Vault passphrase: ").unwrap();
    p.send_line(PASSPHRASE).unwrap();
    let rest = p.exp_eof().unwrap();
    assert_eq!(exit_status(&mut p), ExitStatus::Failure, "{rest}");
    assert!(
        rest.contains("fl") && !rest.contains("App-specific password"),
        "{rest}"
    );
}

#[test]
fn a_wrong_passphrase_at_the_terminal_gets_three_tries() {
    let t = Env::new();
    t.init().add_password("fl", "dev@example.com", PW);
    let list = || {
        spawn({
            let mut c = ascvault(t.dir.path(), &t.vault());
            c.arg("list");
            c
        })
    };
    let mut p = list();
    for _ in 0..2 {
        p.exp_string("Vault passphrase: ").unwrap();
        p.send_line("not it").unwrap();
        p.exp_string("wrong passphrase; try again").unwrap();
    }
    p.exp_string("Vault passphrase: ").unwrap();
    p.send_line(PASSPHRASE).unwrap();
    let rest = p.exp_eof().unwrap();
    assert_eq!(exit_status(&mut p), ExitStatus::Success, "{rest}");
    assert!(rest.contains("fl"), "{rest}");

    let mut p = list();
    for _ in 0..3 {
        p.exp_string("Vault passphrase: ").unwrap();
        p.send_line("not it").unwrap();
    }
    let rest = p.exp_eof().unwrap();
    assert_eq!(exit_status(&mut p), ExitStatus::Unlock, "{rest}");
    assert!(rest.contains("error: "), "{rest}");

    // From the environment, a wrong passphrase is not asked again.
    t.cmd(&["list"])
        .env("ASCVAULT_PASSPHRASE", "not it")
        .run()
        .fails(ExitStatus::Unlock);
}

#[test]
fn revoke_confirms_at_the_terminal() {
    let t = Env::new();
    t.init().add_password("fl", "dev@example.com", PW);
    let before = t.vault_bytes();
    for (answer, code) in [("n", ExitStatus::Failure), ("y", ExitStatus::Success)] {
        let mut p = spawn({
            let mut c = ascvault(t.dir.path(), &t.vault());
            c.env("ASCVAULT_PASSPHRASE", PASSPHRASE)
                .args(["revoke", "fl"]);
            c
        });
        p.exp_string("Revoke fl? [y/N]").unwrap();
        p.send_line(answer).unwrap();
        p.exp_eof().unwrap();
        assert_eq!(exit_status(&mut p), code, "answer {answer}");
        if answer == "n" {
            assert_eq!(t.vault_bytes(), before);
        }
    }
    t.cmd(&["list", "--all", "--json"])
        .run()
        .success()
        .stdout_has("\"revoked\": true");
}

/// `remove` and `revoke` unlock once, then ask without holding the lock: a
/// write by another process while the question waits is kept, and the
/// answer applies to the vault as it is then.
#[test]
fn a_write_while_a_confirmation_waits_is_kept() {
    let t = Env::new();
    t.init()
        .add_password("fl", "dev@example.com", PW)
        .add_password("xc", "dev@example.com", PW);
    for (args, question) in [
        (["remove", "fl"], "Delete fl for good?"),
        (["revoke", "xc"], "Revoke xc?"),
    ] {
        let mut p = spawn({
            let mut c = ascvault(t.dir.path(), &t.vault());
            c.env("ASCVAULT_PASSPHRASE", PASSPHRASE).args(args);
            c
        });
        p.exp_string(question).unwrap();
        let added = format!("added-during-{}", args[0]);
        t.add_password(&added, "dev@example.com", PW);
        p.send_line("y").unwrap();
        p.exp_eof().unwrap();
        assert_eq!(exit_status(&mut p), ExitStatus::Success, "{args:?}");
        t.cmd(&["list", "--all"]).run().success().stdout_has(&added);
    }
    let list = t.cmd(&["list", "--all", "--json"]).run().success().json();
    let entries = list.as_array().unwrap();
    let label = |e: &serde_json::Value| e["label"].as_str().unwrap().to_owned();
    assert!(!entries.iter().any(|e| label(e) == "fl"), "fl was removed");
    let xc = entries.iter().find(|e| label(e) == "xc").unwrap();
    assert_eq!(xc["revoked"], true);
    assert_eq!(entries.len(), 3);
}

#[test]
fn passwd_at_the_terminal_changes_the_passphrase() {
    let t = Env::new();
    t.init().add_password("fl", "dev@example.com", PW);
    let mut p = spawn({
        let mut c = ascvault(t.dir.path(), &t.vault());
        c.arg("passwd");
        c
    });
    p.exp_string("Vault passphrase: ").unwrap();
    p.send_line(PASSPHRASE).unwrap();
    p.exp_string("New passphrase: ").unwrap();
    p.send_line(STRONG).unwrap();
    p.exp_string("Repeat the passphrase: ").unwrap();
    p.send_line(STRONG).unwrap();
    p.exp_eof().unwrap();
    assert_eq!(exit_status(&mut p), ExitStatus::Success);
    t.cmd(&["list"])
        .run()
        .fails(ExitStatus::Unlock)
        .stderr_has("wrong passphrase");
    t.cmd(&["list"])
        .env("ASCVAULT_PASSPHRASE", STRONG)
        .run()
        .success()
        .stdout_has("fl");
}

#[test]
fn without_a_terminal_or_source_commands_fail_at_once() {
    let t = Env::new();
    t.init();
    let start = Instant::now();
    t.bare(&["list"])
        .run()
        .fails(ExitStatus::Usage)
        .stderr_is(concat!(
            "error: no terminal to ask for the passphrase\n",
            "hint: pass --passphrase-file PATH or set ASCVAULT_PASSPHRASE (meant for CI)\n",
        ));
    t.bare(&["init"])
        .env("ASCVAULT_VAULT", t.path("other.age"))
        .run()
        .fails(ExitStatus::Usage);
    t.cmd(&["add", "password", "x", "--apple-id", "dev@example.com"])
        .run()
        .fails(ExitStatus::Usage)
        .stderr_has("--password-stdin");
    t.cmd(&["remove", "x"]).run().fails(ExitStatus::NoEntry);
    t.cmd(&["revoke", "--all"])
        .run()
        .fails(ExitStatus::Usage)
        .stderr_has("--yes");
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "something waited for input"
    );
}

#[test]
fn a_weak_new_passphrase_is_refused_unless_insisted() {
    let t = Env::new();
    // At the terminal: explained, and refused on "no".
    let mut p = spawn(init_command(&t));
    p.exp_string("New passphrase: ").unwrap();
    p.send_line("password1").unwrap();
    p.exp_string("Repeat the passphrase: ").unwrap();
    p.send_line("password1").unwrap();
    p.exp_string("This passphrase is weak.").unwrap();
    p.exp_string("Use it anyway? [y/N]").unwrap();
    p.send_line("n").unwrap();
    // "No" asks for another, up to three in all.
    for _ in 0..2 {
        p.exp_string("then choose another one").unwrap();
        p.exp_string("New passphrase: ").unwrap();
        p.send_line("password1").unwrap();
        p.exp_string("Repeat the passphrase: ").unwrap();
        p.send_line("password1").unwrap();
        p.exp_string("Use it anyway? [y/N]").unwrap();
        p.send_line("n").unwrap();
    }
    let rest = p.exp_eof().unwrap();
    assert_eq!(exit_status(&mut p), ExitStatus::Failure, "{rest}");
    assert!(
        rest.contains("--weak-passphrase-ok") && !rest.contains("password1"),
        "{rest}"
    );
    assert!(!t.vault().exists());

    // Scripted: refused, unless --weak-passphrase-ok.
    let init = |pass: &str| {
        t.bare(&["init", "--work-factor", "10"])
            .env("ASCVAULT_PASSPHRASE", pass)
            .env_remove("ASCVAULT_ALLOW_WEAK_VAULT")
    };
    init("password1")
        .run()
        .fails(ExitStatus::Failure)
        .stderr_has("the new passphrase is weak")
        .stderr_has("hint: choose a stronger one, or pass --weak-passphrase-ok");
    assert!(!t.vault().exists());
    init("password1")
        .arg("--weak-passphrase-ok")
        .run()
        .success();
    std::fs::remove_file(t.vault()).unwrap();
    let out = init(STRONG).run().success();
    assert!(!out.stderr().contains("weak"), "{}", out.stderr());

    // passwd likewise, and the vault keeps its passphrase.
    let weak = t.path("weak");
    std::fs::write(&weak, "password1\n").unwrap();
    let before = t.vault_bytes();
    t.bare(&["passwd", "--new-passphrase-file"])
        .arg(&weak)
        .env("ASCVAULT_PASSPHRASE", STRONG)
        .env_remove("ASCVAULT_ALLOW_WEAK_VAULT")
        .run()
        .fails(ExitStatus::Failure)
        .stderr_has("the new passphrase is weak");
    assert_eq!(t.vault_bytes(), before);
    t.bare(&["passwd", "--weak-passphrase-ok", "--new-passphrase-file"])
        .arg(&weak)
        .env("ASCVAULT_PASSPHRASE", STRONG)
        .env_remove("ASCVAULT_ALLOW_WEAK_VAULT")
        .run()
        .success();
    t.cmd(&["list"])
        .env("ASCVAULT_PASSPHRASE", "password1")
        .run()
        .success();
}

/// Issue 13 §3: a weak new passphrase typed at the terminal no longer ends
/// the command: "no" to "Use it anyway?" asks for another one.
#[test]
fn a_weak_new_passphrase_at_the_terminal_is_asked_again() {
    let t = Env::new();
    let mut p = spawn(init_command(&t));
    p.exp_string("New passphrase: ").unwrap();
    p.send_line("password1").unwrap();
    p.exp_string("Repeat the passphrase: ").unwrap();
    p.send_line("password1").unwrap();
    p.exp_string("This passphrase is weak.").unwrap();
    p.exp_string("Use it anyway? [y/N]").unwrap();
    p.send_line("n").unwrap();
    p.exp_string("then choose another one").unwrap();
    p.exp_string("New passphrase: ").unwrap();
    p.send_line(STRONG).unwrap();
    p.exp_string("Repeat the passphrase: ").unwrap();
    p.send_line(STRONG).unwrap();
    let rest = p.exp_eof().unwrap();
    assert_eq!(exit_status(&mut p), ExitStatus::Success, "{rest}");
    assert!(!rest.contains("Use it anyway"), "asked twice: {rest}");
    t.cmd(&["list"])
        .env("ASCVAULT_PASSPHRASE", STRONG)
        .run()
        .success();

    // passwd likewise: a weak one declined, then a strong one.
    let mut p = spawn({
        let mut c = ascvault(t.dir.path(), &t.vault());
        c.arg("passwd");
        c
    });
    p.exp_string("Vault passphrase: ").unwrap();
    p.send_line(STRONG).unwrap();
    p.exp_string("New passphrase: ").unwrap();
    p.send_line("abc").unwrap();
    p.exp_string("Repeat the passphrase: ").unwrap();
    p.send_line("abc").unwrap();
    p.exp_string("Use it anyway? [y/N]").unwrap();
    p.send_line("n").unwrap();
    p.exp_string("New passphrase: ").unwrap();
    p.send_line(PASSPHRASE).unwrap();
    p.exp_string("Repeat the passphrase: ").unwrap();
    p.send_line(PASSPHRASE).unwrap();
    // The test passphrase is weak too: this time, insist.
    p.exp_string("Use it anyway? [y/N]").unwrap();
    p.send_line("y").unwrap();
    let rest = p.exp_eof().unwrap();
    assert_eq!(exit_status(&mut p), ExitStatus::Success, "{rest}");
    t.cmd(&["list"]).run().success();
}

/// Issue 13 §6: `revoke --all` says how many active entries and which
/// before it asks; "no" is a plain line, not an `error:`, and exit 1
/// (README "Exit codes").
#[test]
fn revoke_all_names_the_entries_before_asking_and_no_is_not_an_error() {
    let t = Env::new();
    t.init()
        .add_password("fl", "dev@example.com", PW)
        .add_password("xc", "dev@example.com", PW)
        .add_password("old", "dev@example.com", PW);
    t.cmd(&["revoke", "old", "--yes"]).run().success();
    let before = t.vault_bytes();
    let revoke_all = || {
        spawn({
            let mut c = ascvault(t.dir.path(), &t.vault());
            c.env("ASCVAULT_PASSPHRASE", PASSPHRASE)
                .args(["revoke", "--all"]);
            c
        })
    };
    let mut p = revoke_all();
    p.exp_string("2 active entries: fl, xc").unwrap();
    p.exp_string("Revoke all 2 active entries? [y/N]").unwrap();
    p.send_line("n").unwrap();
    let rest = p.exp_eof().unwrap();
    assert_eq!(exit_status(&mut p), ExitStatus::Failure, "{rest}");
    assert!(rest.contains("nothing revoked"), "{rest}");
    assert!(!rest.contains("error:"), "{rest}");
    assert_eq!(t.vault_bytes(), before);

    // Without a terminal: refused before the vault is unlocked or listed.
    let out = t
        .cmd(&["revoke", "--all"])
        .run()
        .fails(ExitStatus::Usage)
        .stderr_has("--yes");
    assert!(!out.stderr().contains("active"), "{}", out.stderr());

    let mut p = revoke_all();
    p.exp_string("Revoke all 2 active entries? [y/N]").unwrap();
    p.send_line("y").unwrap();
    p.exp_string("revoked 2 entries: fl, xc").unwrap();
    p.exp_eof().unwrap();
    assert_eq!(exit_status(&mut p), ExitStatus::Success);
    t.cmd(&["list"])
        .run()
        .success()
        .stderr_has("no active entries");

    // Nothing left to revoke: said.
    t.cmd(&["revoke", "--all", "--yes"])
        .run()
        .success()
        .stderr_has("nothing to revoke");
}

#[test]
fn declining_a_remove_is_a_plain_line() {
    let t = Env::new();
    t.init().add_password("fl", "dev@example.com", PW);
    let mut p = spawn({
        let mut c = ascvault(t.dir.path(), &t.vault());
        c.env("ASCVAULT_PASSPHRASE", PASSPHRASE)
            .args(["remove", "fl"]);
        c
    });
    p.exp_string("Delete fl for good? [y/N]").unwrap();
    p.send_line("n").unwrap();
    let rest = p.exp_eof().unwrap();
    assert_eq!(exit_status(&mut p), ExitStatus::Failure, "{rest}");
    assert!(
        rest.contains("nothing removed") && !rest.contains("error:"),
        "{rest}"
    );
    t.cmd(&["show", "fl"]).run().success();
}
