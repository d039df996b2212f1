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
