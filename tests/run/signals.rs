//! Killing ascvault while its child waits: the signal reaches the child, the
//! child's status is ours, and the key directory goes.

use std::path::Path;

use rustix::process::{Pid, Signal};

use super::{eventually, leftovers, run_in, runtime};
use crate::support::Env;

/// Starts `run team -- sh -c script`, waits until the key file is there,
/// sends `signal` to ascvault, and returns the exit code and the key dir.
fn interrupt(script: &str, signal: Signal) -> (i32, String) {
    let t = Env::new();
    t.init().add_key("team", "TESTKEY001");
    let rt = runtime(&t);
    let running = run_in(&t, &rt, &["run", "team", "--", "sh", "-c", script]).spawn();
    let ready = t.path("ready");
    eventually("the child started", || ready.exists());
    let dir = std::fs::read_to_string(&ready).unwrap();
    assert!(Path::new(dir.trim()).join("AuthKey_TESTKEY001.p8").exists());
    let pid = Pid::from_raw(i32::try_from(running.child.id()).unwrap()).unwrap();
    rustix::process::kill_process(pid, signal).unwrap();
    let out = running.wait();
    assert!(
        !Path::new(dir.trim()).exists(),
        "the key directory outlived ascvault"
    );
    assert!(leftovers(&rt).is_empty(), "{:?}", leftovers(&rt));
    (out.code(), out.stdout())
}

/// A child that says it is ready, then waits, and on `sig` reports and exits 9.
fn trapping(sig: &str) -> String {
    format!(
        "trap 'echo caught {sig}; exit 9' {sig}; printf %s \"$API_PRIVATE_KEYS_DIR\" > ready; \
         while :; do sleep 0.05; done"
    )
}

#[test]
fn sigterm_reaches_the_child_and_its_status_is_ours() {
    let (code, stdout) = interrupt(&trapping("TERM"), Signal::TERM);
    assert_eq!(code, 9);
    assert_eq!(stdout, "caught TERM\n");
}

#[test]
fn sigint_outside_a_terminal_reaches_the_child() {
    let (code, stdout) = interrupt(&trapping("INT"), Signal::INT);
    assert_eq!(code, 9);
    assert_eq!(stdout, "caught INT\n");
}

#[test]
fn a_child_killed_by_the_signal_gives_128_plus_n() {
    let script = "printf %s \"$API_PRIVATE_KEYS_DIR\" > ready; exec sleep 30";
    let (code, _) = interrupt(script, Signal::TERM);
    assert_eq!(code, 128 + 15);
}

#[test]
fn ctrl_c_at_a_terminal_reaches_the_child_and_the_key_goes() {
    let t = Env::new();
    t.init().add_key("team", "TESTKEY001");
    let rt = runtime(&t);
    // The terminal sends Ctrl-C to the whole foreground group; the child
    // handles it and exits 9, and ascvault, which waited, cleans up.
    let script = "n=0; trap 'n=$((n+1))' INT; printf %s \"$API_PRIVATE_KEYS_DIR\" > ready; \
                  echo ready; while [ $n -eq 0 ]; do sleep 0.05; done; sleep 0.5; \
                  echo \"caught $n\"; exit 9";
    let mut session = crate::support::pty::spawn({
        let mut c = crate::support::pty::ascvault(t.dir.path(), &t.vault());
        c.env("ASCVAULT_PASSPHRASE", crate::support::PASSPHRASE)
            .env("ASCVAULT_ALLOW_WEAK_VAULT", "1")
            .env("XDG_RUNTIME_DIR", &rt)
            .env("TMPDIR", &rt)
            .args(["run", "team", "--", "sh", "-c", script]);
        c
    });
    session.exp_string("ready").unwrap();
    let dir = std::fs::read_to_string(t.path("ready")).unwrap();
    assert!(Path::new(&dir).exists());
    session.send_control('c').unwrap();
    session.exp_string("caught").unwrap();
    let status = crate::support::pty::exit_status(&mut session);
    assert_eq!(status.code(), 9);
    assert!(
        !Path::new(&dir).exists(),
        "the key directory outlived ascvault"
    );
    assert!(leftovers(&rt).is_empty(), "{:?}", leftovers(&rt));
}
