//! The merge driver's passphrase prompt, in the middle of git's output,
//! says which file it is merging (issue 13 §5), through a real pty.

#![cfg(unix)]

use crate::support::git::{Git, PW4, PW5, git_available};
use crate::support::{PASSPHRASE, pty};

#[test]
fn the_merge_driver_prompt_names_the_file_it_merges() {
    if !git_available() {
        return;
    }
    let g = Git::new();
    let a = g.origin_and_first_clone();
    let b = g.clone("b");
    g.add_password(&a, "p4", PW4);
    g.git(&a, &["commit", "-q", "-am", "p4"]);
    g.git(&a, &["push", "-q"]);
    g.add_password(&b, "p5", PW5);
    g.git(&b, &["commit", "-q", "-am", "p5"]);

    // No ASCVAULT_PASSPHRASE: the driver asks at the terminal.
    let pull = g.git_cmd(
        &b,
        &["pull", "--no-rebase", "--no-edit", "origin", "main"],
        false,
    );
    let mut session = pty::spawn(pull);
    session
        .exp_string("ascvault merge driver: vault passphrase to merge ascvault.age: ")
        .expect("the prompt names the file");
    session.send_line(PASSPHRASE).unwrap();
    session
        .exp_string("ascvault: merged ascvault.age")
        .expect("merged");
    assert_eq!(
        pty::exit_status(&mut session),
        crate::support::ExitStatus::Success
    );
    g.av(&b, &["list"])
        .run()
        .success()
        .stdout_has("p4")
        .stdout_has("p5");
}

/// A wrong passphrase at the driver's prompt is asked again (three tries
/// in all), like every command's; the merge then goes through.
#[test]
fn the_merge_driver_prompt_asks_again_after_a_wrong_passphrase() {
    if !git_available() {
        return;
    }
    let g = Git::new();
    let a = g.origin_and_first_clone();
    let b = g.clone("b");
    g.add_password(&a, "p4", PW4);
    g.git(&a, &["commit", "-q", "-am", "p4"]);
    g.git(&a, &["push", "-q"]);
    g.add_password(&b, "p5", PW5);
    g.git(&b, &["commit", "-q", "-am", "p5"]);

    let pull = g.git_cmd(
        &b,
        &["pull", "--no-rebase", "--no-edit", "origin", "main"],
        false,
    );
    let mut session = pty::spawn(pull);
    for _ in 0..2 {
        session
            .exp_string("vault passphrase to merge ascvault.age: ")
            .unwrap();
        session.send_line("not it").unwrap();
        session.exp_string("wrong passphrase; try again").unwrap();
    }
    session
        .exp_string("vault passphrase to merge ascvault.age: ")
        .unwrap();
    session.send_line(PASSPHRASE).unwrap();
    session
        .exp_string("ascvault: merged ascvault.age")
        .expect("merged on the third try");
    assert_eq!(
        pty::exit_status(&mut session),
        crate::support::ExitStatus::Success
    );
    g.av(&b, &["list"])
        .run()
        .success()
        .stdout_has("p4")
        .stdout_has("p5");

    // Three wrong ones: the merge fails, our version is left as it was.
    let b_before = std::fs::read(b.join("ascvault.age")).unwrap();
    g.add_password(&a, "p6", "cdef-ghij-klmn-opqr");
    g.git(&a, &["commit", "-q", "-am", "p6"]);
    g.git(&a, &["push", "-q"]);
    g.add_password(&b, "p7", "stuv-wxyz-abcd-efgh");
    g.git(&b, &["commit", "-q", "-am", "p7"]);
    let b_committed = std::fs::read(b.join("ascvault.age")).unwrap();
    assert_ne!(b_before, b_committed);
    let pull = g.git_cmd(
        &b,
        &["pull", "--no-rebase", "--no-edit", "origin", "main"],
        false,
    );
    let mut session = pty::spawn(pull);
    for _ in 0..3 {
        session
            .exp_string("vault passphrase to merge ascvault.age: ")
            .unwrap();
        session.send_line("not it").unwrap();
    }
    let rest = session.exp_eof().unwrap();
    assert!(rest.contains("wrong passphrase"), "{rest}");
    assert_ne!(
        pty::exit_status(&mut session),
        crate::support::ExitStatus::Success
    );
    assert_eq!(std::fs::read(b.join("ascvault.age")).unwrap(), b_committed);
}
