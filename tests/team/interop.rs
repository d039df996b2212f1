//! Team vaults and the Go age CLI, in both directions, for every kind of
//! identity (issue 14): a plain X25519 identity file, SSH ed25519 and RSA
//! keys (and a passphrase-protected SSH key on ascvault's side), and a
//! passphrase-encrypted age identity file. "age → ascvault": Go age
//! encrypts a team plaintext to the recipient and ascvault opens it with the
//! identity; "ascvault → age": ascvault writes the vault and `age -d -i`
//! recovers exactly its canonical plaintext. Runs when `age` is installed
//! (CI installs it, and openssh-client for ssh-keygen).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::{ALICE, age_keygen, as_alice, ssh_keygen, team, with_identity};
use crate::support::pty::{exit_status, have_age, spawn};
use crate::support::{Env, ExitStatus};

fn skip() -> bool {
    if have_age() {
        return false;
    }
    eprintln!("SKIPPED: the Go age CLI is not installed (apt-get install age)");
    true
}

/// A team plaintext listing one member, `recipient`, and one entry.
fn plaintext(recipient: &str) -> String {
    format!(
        "format = \"ascvault\"\nversion = \"1.2\"\n\n[[entry]]\nid = \"5d1e77a0-0000-4000-8000-000000000001\"\n\
         label = \"fastlane\"\nkind = \"app-specific-password\"\ncreated = 2026-01-05T09:00:00Z\n\
         revoked = false\napple_id = \"dev@example.com\"\npassword = \"abcd-efgh-ijkl-mnop\"\n\n\
         [[member]]\nname = \"ci\"\nrecipient = \"{recipient}\"\nadded = 2026-01-05T09:00:00Z\nadded_by = \"\"\n"
    )
}

/// Go age encrypts the team plaintext to `-r recipient` (or `-R file`).
fn age_encrypt(t: &Env, recipient_args: &[&str], member_recipient: &str) {
    let plain = t.path("plain.toml");
    fs::write(&plain, plaintext(member_recipient)).unwrap();
    let out = Command::new("age")
        .args(["-a"])
        .args(recipient_args)
        .arg("-o")
        .arg(t.vault())
        .arg(&plain)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `age -d -i identity vault` recovers exactly the document ascvault reads.
fn age_decrypts(t: &Env, identity: &Path, key: &ascvault::vault::Unlock) {
    let out = Command::new("age")
        .arg("-d")
        .arg("-i")
        .arg(identity)
        .arg(t.vault())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let plain = String::from_utf8(out.stdout).unwrap();
    assert!(
        plain.starts_with("format = \"ascvault\"\nversion = \"1.2\"\n"),
        "{plain}"
    );
    let doc = ascvault::vault::Vault::new(t.vault())
        .open(key)
        .unwrap()
        .document;
    assert_eq!(doc.to_canonical().as_str(), plain);
}

fn ascvault_key(identity: &Path) -> ascvault::vault::Unlock {
    let bytes = fs::read(identity).unwrap();
    match ascvault::vault::Identity::load(&bytes, identity).unwrap() {
        ascvault::vault::team::LoadedIdentity::Ready(ids) => ids.into(),
        other => panic!("{other:?}"),
    }
}

/// Both directions for a plain identity (no passphrase) and its public key.
fn both_directions(identity: &PathBuf, recipient: &str, recipient_args: &[&str], add: &[&str]) {
    // age → ascvault
    let t = Env::new();
    age_encrypt(&t, recipient_args, recipient);
    with_identity(&t, identity, &["show", "fastlane", "--reveal"])
        .run()
        .success()
        .stdout_has("abcd-efgh-ijkl-mnop");
    // A write by ascvault keeps it a team vault age can open.
    with_identity(&t, identity, &["note", "fastlane", "edited"])
        .run()
        .success();
    age_decrypts(&t, identity, &ascvault_key(identity));
    // ascvault → age
    let t2 = team();
    let mut args = vec!["member", "add", "them"];
    args.extend_from_slice(add);
    as_alice(&t2, &args).run().success();
    t2.bare(&["--identity"])
        .arg(identity)
        .args(&[
            "add",
            "password",
            "p1",
            "--apple-id",
            "dev@example.com",
            "--password-stdin",
        ])
        .stdin("abcd-efgh-ijkl-mnop\n")
        .run()
        .success();
    age_decrypts(&t2, identity, &ascvault_key(identity));
}

#[test]
fn x25519_identity_file_both_directions() {
    if skip() {
        return;
    }
    let t = Env::new();
    let (id, r) = age_keygen(&t, "ci.key");
    both_directions(&id, &r, &["-r", &r], &["--recipient", &r]);
}

/// An unencrypted SSH key of this kind (`ssh-keygen -t KIND`), both
/// directions: age encrypts to its `.pub` (`-R`), ascvault adds it as a
/// member (`--ssh-key`).
fn ssh_both_directions(kind: &str) {
    if skip() {
        return;
    }
    let t = Env::new();
    let Some(key) = ssh_keygen(&t, kind, "") else {
        return;
    };
    let public = key.with_extension("pub");
    let line = fs::read_to_string(&public).unwrap();
    let normal: Vec<&str> = line.split_whitespace().take(2).collect();
    let pub_arg = public.to_str().unwrap();
    both_directions(
        &key,
        &normal.join(" "),
        &["-R", pub_arg],
        &["--ssh-key", pub_arg],
    );
}

#[test]
fn ssh_ed25519_key_both_directions() {
    ssh_both_directions("ed25519");
}

#[test]
fn ssh_rsa_key_both_directions() {
    ssh_both_directions("rsa");
}

#[test]
fn a_passphrase_protected_ssh_key_is_asked_for_its_passphrase() {
    if skip() {
        return;
    }
    let t = Env::new();
    let Some(key) = ssh_keygen(&t, "ed25519", "ssh key passphrase") else {
        return;
    };
    let public = key.with_extension("pub");
    let line = fs::read_to_string(&public).unwrap();
    let normal = line
        .split_whitespace()
        .take(2)
        .collect::<Vec<_>>()
        .join(" ");
    age_encrypt(&t, &["-R", public.to_str().unwrap()], &normal);
    fs::write(t.path("ssh.pass"), "ssh key passphrase\n").unwrap();
    t.bare(&["--identity"])
        .arg(&key)
        .arg("--passphrase-file")
        .arg(t.path("ssh.pass"))
        .arg("list")
        .run()
        .success()
        .stdout_has("fastlane");
    fs::write(t.path("wrong.pass"), "not it\n").unwrap();
    let before = t.vault_bytes();
    t.bare(&["--identity"])
        .arg(&key)
        .arg("--passphrase-file")
        .arg(t.path("wrong.pass"))
        .args(&["note", "fastlane", "x"])
        .run()
        .fails(ExitStatus::Unlock)
        .stderr_has("wrong passphrase");
    assert_eq!(t.vault_bytes(), before);
}

/// Go age decrypts a passphrase-encrypted file on a pty.
fn age_decrypt_with_passphrase(file: &Path, out: &Path, passphrase: &str) {
    let mut age = Command::new("age");
    age.args(["-d", "-o"]).arg(out).arg(file);
    let mut p = spawn(age);
    p.exp_string("Enter passphrase").unwrap();
    p.send_line(passphrase).unwrap();
    p.exp_eof().unwrap();
    assert_eq!(exit_status(&mut p), ExitStatus::Success);
}

#[test]
fn a_members_identity_file_opens_with_go_age_both_directions() {
    if skip() {
        return;
    }
    // ascvault → age: `age -d alice.age` gives the identity, which opens
    // the vault ascvault wrote.
    let t = team();
    as_alice(
        &t,
        &[
            "add",
            "password",
            "p1",
            "--apple-id",
            "dev@example.com",
            "--password-stdin",
        ],
    )
    .stdin("abcd-efgh-ijkl-mnop\n")
    .run()
    .success();
    let plain_id = t.path("alice.key");
    age_decrypt_with_passphrase(&t.path(".ascvault/identities/alice.age"), &plain_id, ALICE);
    let text = fs::read_to_string(&plain_id).unwrap();
    assert!(text.contains("# public key: age1") && text.contains("AGE-SECRET-KEY-1"));
    age_decrypts(&t, &plain_id, &ascvault_key(&plain_id));

    // age → ascvault: an identity file encrypted with `age -p` opens a
    // vault Go age encrypted to its recipient, asking its passphrase.
    let t = Env::new();
    let (id, r) = age_keygen(&t, "ci.key");
    let protected = t.path("ci.key.age");
    let mut age = Command::new("age");
    age.args(["-p", "-a", "-o"]).arg(&protected).arg(&id);
    let mut p = spawn(age);
    p.exp_string("Enter passphrase").unwrap();
    p.send_line(ALICE).unwrap();
    p.exp_string("Confirm passphrase").unwrap();
    p.send_line(ALICE).unwrap();
    p.exp_eof().unwrap();
    assert_eq!(exit_status(&mut p), ExitStatus::Success);
    age_encrypt(&t, &["-r", &r], &r);
    fs::write(t.path("id.pass"), format!("{ALICE}\n")).unwrap();
    t.bare(&["--identity"])
        .arg(&protected)
        .arg("--passphrase-file")
        .arg(t.path("id.pass"))
        .args(&["show", "fastlane", "--reveal"])
        .run()
        .success()
        .stdout_has("abcd-efgh-ijkl-mnop");
}
