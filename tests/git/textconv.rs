//! `git diff` and `git log` through textconv: the rendering, stable
//! fingerprints, a summary without a passphrase, and never a secret.

use std::fs;
use std::path::Path;

use crate::support::git::{Git, PW1, PW2, PW3, PW5, git_available};
use crate::support::{Env, PASSPHRASE};

#[test]
fn git_diff_and_log_show_the_rendering_and_never_a_secret() {
    if !git_available() {
        return;
    }
    let g = Git::new();
    let a = g.origin_and_first_clone();
    g.add_password(&a, "p5", PW5);
    g.av(&a, &["revoke", "p1", "--yes"]).run().success();

    let diff = g.git(&a, &["diff"]);
    assert!(diff.contains("+label:       p5"), "{diff}");
    assert!(diff.contains("+status:      revoked"), "{diff}");
    assert!(diff.contains("+fingerprint: pw:"), "{diff}");
    // Unchanged entries render identically on both sides (entries created
    // in one second may swap places, so compare blocks, not diff lines).
    let old = g.path("old.age");
    fs::write(&old, g.git(&a, &["show", "HEAD:ascvault.age"])).unwrap();
    let render = |file: &Path| {
        g.av(&a, &["textconv", file.to_str().unwrap()])
            .run()
            .success()
            .stdout()
    };
    let (before, after) = (render(&old), render(&a.join("ascvault.age")));
    let block = |text: &str| {
        text.split("\n\n")
            .find(|b| b.starts_with("label:       p2\n"))
            .map(|b| b.trim_end().to_owned())
    };
    assert!(block(&before).is_some(), "{before}");
    assert_eq!(block(&before), block(&after));
    g.git(&a, &["commit", "-q", "-am", "add p5, revoke p1"]);

    let log = g.git(&a, &["log", "-p"]);
    assert!(
        log.contains("+label:       p5") && log.contains("+label:       p1"),
        "{log}"
    );
    for text in [&diff, &log] {
        for secret in [PW1, PW2, PW3, PW5, PASSPHRASE] {
            assert!(!text.contains(secret), "secret in: {text}");
        }
        assert!(!text.contains("BEGIN AGE ENCRYPTED FILE"), "{text}");
    }
    // No cached renderings.
    assert_eq!(g.git(&a, &["for-each-ref", "refs/notes/"]), "");

    // Without a passphrase: a one-line summary per side, and the diff still works.
    let out = g.git_out(&a, &["log", "-p", "-1"], false);
    assert!(out.status.success());
    let log = String::from_utf8_lossy(&out.stdout);
    assert!(
        log.contains("+ascvault vault (age, armored, work factor 10,")
            && log.contains("not decrypted (no passphrase source)"),
        "{log}"
    );
}

#[test]
fn textconv_without_a_passphrase_prints_the_header_summary() {
    let t = Env::new();
    t.init().add_password("fl", "dev@example.com", PW1);
    let size = t.vault_bytes().len();
    let vault = t.vault();
    let path = vault.to_str().unwrap();
    t.bare(&["textconv", path]).run().success().stdout_has(&format!(
        "ascvault vault (age, armored, work factor 10, {size} bytes): not decrypted (no passphrase source)"
    ));
    t.bare(&["textconv", path])
        .env("ASCVAULT_PASSPHRASE", "wrong")
        .run()
        .success()
        .stdout_has("not decrypted (wrong passphrase)");
    fs::write(t.path("plain"), format!("secret {PW1}\n")).unwrap();
    t.cmd(&["textconv", t.path("plain").to_str().unwrap()])
        .run()
        .success()
        .stdout_has("not an age-encrypted file")
        .stdout_lacks(PW1);
    // With the passphrase: the rendering, a password fingerprint that does
    // not depend on the file's random salt, and no secret.
    let first = t.cmd(&["textconv", path]).run().success().stdout_lacks(PW1);
    assert!(
        first.stdout().contains("fingerprint: pw:"),
        "{}",
        first.stdout()
    );
    t.cmd(&["note", "fl", "x"]).run().success();
    t.cmd(&["note", "fl", ""]).run().success();
    let again = t.cmd(&["textconv", path]).run().success();
    assert_eq!(first.stdout(), again.stdout());
}
