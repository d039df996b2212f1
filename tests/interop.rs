//! Interoperability with the Go age CLI, in both directions: `age -d`
//! recovers any ascvault vault, and a plaintext encrypted by hand with
//! `age -p` opens in ascvault. The Go CLI reads passphrases only from a
//! terminal, so it runs on a pty. Runs whenever `age` is installed (CI
//! installs it); otherwise says so on stderr.

use std::fs;
use std::process::Command;

use crate::support::pty::{exit_status, have_age, spawn};
use crate::support::{Env, ExitStatus, PASSPHRASE, fixtures};

fn skip() -> bool {
    if have_age() {
        return false;
    }
    eprintln!("SKIPPED: the Go age CLI is not installed (apt-get install age)");
    true
}

#[test]
fn age_cli_decrypts_an_ascvault_vault() {
    if skip() {
        return;
    }
    for binary in [false, true] {
        let t = Env::new();
        let mut init = vec!["init", "--work-factor", "10"];
        if binary {
            init.push("--binary");
        }
        t.cmd(&init).run().success();
        t.add_password("fastlane", "dev@example.com", "abcd-efgh-ijkl-mnop")
            .add_key("team", "TESTKEY001");
        let out = t.path("plain.toml");
        let mut age = Command::new("age");
        age.args(["-d", "-o"]).arg(&out).arg(t.vault());
        let mut p = spawn(age);
        p.exp_string("Enter passphrase").unwrap();
        p.send_line(PASSPHRASE).unwrap();
        p.exp_eof().unwrap();
        assert_eq!(exit_status(&mut p), ExitStatus::Success);
        let plain = fs::read_to_string(&out).unwrap();
        assert!(
            plain.starts_with("format = \"ascvault\"\nversion = \"1.1\"\n"),
            "{plain}"
        );
        assert!(plain.contains("password = \"abcd-efgh-ijkl-mnop\""));
        assert!(plain.contains("-----BEGIN PRIVATE KEY-----"));
        // What age recovers is exactly the canonical plaintext.
        let doc = ascvault::vault::Vault::new(t.vault())
            .open(&ascvault::vault::Secret::from(PASSPHRASE).into())
            .unwrap()
            .document;
        assert_eq!(doc.to_canonical().as_str(), plain);
    }
}

#[test]
fn a_plaintext_encrypted_with_age_p_opens_in_ascvault() {
    if skip() {
        return;
    }
    let t = Env::new();
    let plain = fixtures().join("plain/full.toml");
    let mut age = Command::new("age");
    age.args(["-p", "-a", "-o"]).arg(t.vault()).arg(&plain);
    let mut p = spawn(age);
    p.exp_string("Enter passphrase").unwrap();
    p.send_line(PASSPHRASE).unwrap();
    p.exp_string("Confirm passphrase").unwrap();
    p.send_line(PASSPHRASE).unwrap();
    p.exp_eof().unwrap();
    assert_eq!(exit_status(&mut p), ExitStatus::Success);
    let header = ascvault::vault::crypto::inspect(&t.vault_bytes()).unwrap();
    assert_eq!(header.work_factor, 18, "the Go CLI's default");
    let v = t.cmd(&["list", "--all", "--json"]).run().success().json();
    assert_eq!(v.as_array().unwrap().len(), 4);
    // A write keeps the age CLI's work factor and armor.
    t.cmd(&["note", "fastlane", "edited"]).run().success();
    let after = ascvault::vault::crypto::inspect(&t.vault_bytes()).unwrap();
    assert_eq!((after.armored, after.work_factor), (true, 18));
}
