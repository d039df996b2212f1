//! Team vaults (issue 14, format 1.2): `init --team`, members, identities
//! of every kind, the bad inputs of the issue, and Go age interop in both
//! directions (`interop`).

mod interop;
mod offboard;

use std::fs;
use std::path::PathBuf;
use std::process::Command;

use crate::support::{Env, ExitStatus, TEST_WORK_FACTOR};

/// alice's identity passphrase (the test work factor makes it cheap).
pub const ALICE: &str = "alice's own identity passphrase";
/// bob's identity passphrase.
pub const BOB: &str = "bob's separate identity passphrase";

/// A team vault whose one member is alice (identity file beside it).
pub fn team() -> Env {
    let t = Env::new();
    fs::write(t.path("alice.pass"), format!("{ALICE}\n")).unwrap();
    fs::write(t.path("bob.pass"), format!("{BOB}\n")).unwrap();
    t.bare(&[
        "init",
        "--team",
        "--member",
        "alice",
        "--work-factor",
        TEST_WORK_FACTOR,
    ])
    .arg("--passphrase-file")
    .arg(t.path("alice.pass"))
    .run()
    .success();
    t
}

/// A command as alice (her identity file and passphrase).
pub fn as_alice(t: &Env, args: &[&str]) -> crate::support::Cmd {
    t.bare(&["--member", "alice", "--passphrase-file"])
        .arg(t.path("alice.pass"))
        .args(args)
}

/// A command with the identity file `identity`.
pub fn with_identity(t: &Env, identity: &PathBuf, args: &[&str]) -> crate::support::Cmd {
    t.bare(&["--identity"]).arg(identity).args(args)
}

/// A fresh plain age identity file (age-keygen, or ours when missing) and
/// its recipient.
pub fn age_keygen(t: &Env, name: &str) -> (PathBuf, String) {
    let path = t.path(name);
    let out = Command::new("age-keygen").arg("-o").arg(&path).output();
    if !out.is_ok_and(|o| o.status.success()) {
        let id = ascvault::vault::Identity::generate();
        fs::write(&path, id.to_identity_file().unwrap().as_str()).unwrap();
    }
    let text = fs::read_to_string(&path).unwrap();
    let recipient = text
        .lines()
        .find_map(|l| l.strip_prefix("# public key: "))
        .unwrap()
        .to_owned();
    (path, recipient)
}

/// `ssh-keygen -t KIND` without (or with) a passphrase; `None` when
/// ssh-keygen is missing (CI installs openssh-client).
pub fn ssh_keygen(t: &Env, kind: &str, passphrase: &str) -> Option<PathBuf> {
    let path = t.path(&format!("id_{kind}"));
    let mut c = Command::new("ssh-keygen");
    c.args(["-q", "-t", kind, "-N", passphrase, "-C", "test@host", "-f"])
        .arg(&path);
    if kind == "rsa" {
        c.args(["-b", "2048"]);
    }
    match c.output() {
        Ok(o) if o.status.success() => Some(path),
        _ => {
            eprintln!("SKIPPED: ssh-keygen is not installed (apt-get install openssh-client)");
            None
        }
    }
}

fn names(t: &Env, identity: &PathBuf) -> Vec<String> {
    let v = with_identity(t, identity, &["member", "list", "--json"])
        .run()
        .success()
        .json();
    v.as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn init_team_creates_the_vault_and_the_members_identity_file() {
    let t = team();
    let id = t.path(".ascvault/identities/alice.age");
    let text = fs::read_to_string(&id).unwrap();
    assert!(
        text.starts_with("-----BEGIN AGE ENCRYPTED FILE-----"),
        "{text}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            fs::metadata(&id).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let header = ascvault::vault::crypto::header(&t.vault_bytes()).unwrap();
    assert!(matches!(
        header,
        ascvault::vault::Header::Team(c) if c.recipients == 1 && c.armored
    ));
    let v = as_alice(&t, &["member", "list", "--json"])
        .run()
        .success()
        .json();
    assert_eq!(v[0]["name"], "alice");
    assert_eq!(v[0]["kind"], "age");
    assert_eq!(v[0]["added_by"], "");
    assert_eq!(
        v[0]["recipient"].as_str().unwrap(),
        fs::read_to_string(t.path(".ascvault/identities/alice.pub"))
            .unwrap()
            .trim()
    );
}

#[test]
fn members_add_entries_and_every_write_encrypts_to_exactly_the_members() {
    let t = team();
    let (ci, ci_recipient) = age_keygen(&t, "ci.key");
    as_alice(&t, &["member", "add", "ci", "--recipient", &ci_recipient])
        .run()
        .success();
    t.bare(&[
        "identity",
        "new",
        "bob",
        "--work-factor",
        TEST_WORK_FACTOR,
        "--new-passphrase-file",
    ])
    .arg(t.path("bob.pass"))
    .run()
    .success()
    .stdout_has("age1");
    as_alice(
        &t,
        &[
            "member",
            "add",
            "bob",
            "--identity-file",
            ".ascvault/identities/bob.age",
        ],
    )
    .run()
    .success();
    let header = ascvault::vault::crypto::header(&t.vault_bytes()).unwrap();
    assert!(matches!(header, ascvault::vault::Header::Team(c) if c.recipients == 3));
    // bob adds an entry with his own passphrase; ci reads it.
    t.bare(&["--member", "bob", "--passphrase-file"])
        .arg(t.path("bob.pass"))
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
    with_identity(&t, &ci, &["show", "p1", "--reveal"])
        .run()
        .success()
        .stdout_has("abcd-efgh-ijkl-mnop");
    let v = with_identity(&t, &ci, &["member", "list", "--json"])
        .run()
        .success()
        .json();
    assert_eq!(v[1]["added_by"], "alice");
    // ci removes bob: bob no longer opens the vault.
    with_identity(&t, &ci, &["member", "remove", "bob"])
        .run()
        .success()
        .stderr_has("git history");
    assert_eq!(names(&t, &ci), ["alice", "ci"]);
    t.bare(&["--member", "bob", "--passphrase-file"])
        .arg(t.path("bob.pass"))
        .arg("list")
        .run()
        .fails(ExitStatus::Unlock)
        .stderr_has("not a member of the vault")
        .stderr_has("alice, bob");
}

#[test]
fn remove_in_a_team_vault_keeps_a_tombstone_without_the_secret() {
    let t = team();
    as_alice(
        &t,
        &[
            "add",
            "password",
            "gone",
            "--apple-id",
            "dev@example.com",
            "--password-stdin",
        ],
    )
    .stdin("abcd-efgh-ijkl-mnop\n")
    .run()
    .success();
    as_alice(&t, &["remove", "gone", "--yes"]).run().success();
    let alice = t.path(".ascvault/identities/alice.age");
    let ids = ascvault::vault::team::identity_file::open_path(&alice, &ALICE.into()).unwrap();
    let doc = ascvault::vault::Vault::new(t.vault())
        .open(&ids.into())
        .unwrap()
        .document;
    assert!(doc.entries.is_empty());
    assert_eq!(doc.removed.len(), 1);
    let tomb = &doc.removed[0];
    assert_eq!(
        (tomb.label.as_str(), tomb.account.as_str()),
        ("gone", "dev@example.com")
    );
    assert!(!doc.to_canonical().contains("abcd-efgh"));
}

#[test]
fn identity_passwd_changes_the_members_passphrase_and_not_the_vault() {
    let t = team();
    let before = t.vault_bytes();
    fs::write(t.path("new.pass"), "a brand new identity passphrase\n").unwrap();
    as_alice(
        &t,
        &["identity", "passwd", "alice", "--new-passphrase-file"],
    )
    .arg(t.path("new.pass"))
    .run()
    .success();
    assert_eq!(t.vault_bytes(), before);
    as_alice(&t, &["list"])
        .run()
        .fails(ExitStatus::Unlock)
        .stderr_has("wrong passphrase");
    t.bare(&["--member", "alice", "--passphrase-file"])
        .arg(t.path("new.pass"))
        .arg("list")
        .run()
        .success();
}

#[test]
fn convert_goes_both_ways_keeping_every_entry() {
    let t = Env::new();
    t.init()
        .add_password("p1", "dev@example.com", "abcd-efgh-ijkl-mnop");
    fs::write(t.path("alice.pass"), format!("{ALICE}\n")).unwrap();
    t.cmd(&[
        "--member",
        "alice",
        "convert",
        "--to-team",
        "--work-factor",
        TEST_WORK_FACTOR,
        "--new-passphrase-file",
    ])
    .arg(t.path("alice.pass"))
    .run()
    .success();
    as_alice(&t, &["list"]).run().success().stdout_has("p1");
    // The old passphrase no longer opens it.
    t.cmd(&["list"]).run().fails(ExitStatus::Unlock);
    fs::write(
        t.path("vault.pass"),
        "a new vault passphrase for everyone\n",
    )
    .unwrap();
    as_alice(
        &t,
        &[
            "convert",
            "--to-passphrase",
            "--work-factor",
            TEST_WORK_FACTOR,
            "--new-passphrase-file",
        ],
    )
    .arg(t.path("vault.pass"))
    .run()
    .success();
    t.bare(&["list", "--passphrase-file"])
        .arg(t.path("vault.pass"))
        .run()
        .success()
        .stdout_has("p1");
    let c = ascvault::vault::crypto::inspect(&t.vault_bytes()).unwrap();
    assert_eq!(c.work_factor.to_string(), TEST_WORK_FACTOR);
}

// The bad inputs of the issue.

#[test]
fn a_recipient_that_is_not_an_age_or_ssh_public_key_is_refused() {
    let t = team();
    let before = t.vault_bytes();
    for bad in [
        "age1nope",
        "ecdsa-sha2-nistp256 AAAAE2VjZHNh",
        "AGE-SECRET-KEY-1QQQ",
        "hello",
    ] {
        as_alice(&t, &["member", "add", "x", "--recipient", bad])
            .run()
            .fails(ExitStatus::Failure)
            .stderr_has("not an age (age1…) or SSH (ssh-ed25519, ssh-rsa) public key");
    }
    assert_eq!(t.vault_bytes(), before);
}

#[test]
fn the_last_member_cannot_be_removed() {
    let t = team();
    let before = t.vault_bytes();
    as_alice(&t, &["member", "remove", "alice"])
        .run()
        .fails(ExitStatus::Failure)
        .stderr_has("last member");
    assert_eq!(t.vault_bytes(), before);
}

#[test]
fn a_member_cannot_be_added_twice() {
    let t = team();
    let (_, r) = age_keygen(&t, "ci.key");
    as_alice(&t, &["member", "add", "ci", "--recipient", &r])
        .run()
        .success();
    let before = t.vault_bytes();
    as_alice(&t, &["member", "add", "CI", "--recipient", &r])
        .run()
        .fails(ExitStatus::Failure)
        .stderr_has("already a member");
    let (_, other) = age_keygen(&t, "other.key");
    as_alice(&t, &["member", "add", "ci2", "--recipient", &r])
        .run()
        .fails(ExitStatus::Failure)
        .stderr_has("already member \"ci\"'s");
    as_alice(&t, &["member", "add", "ci", "--recipient", &other])
        .run()
        .fails(ExitStatus::Failure);
    assert_eq!(t.vault_bytes(), before);
}

#[test]
fn a_wrong_member_passphrase_exits_3_and_changes_nothing() {
    let t = team();
    let before = t.vault_bytes();
    fs::write(t.path("wrong"), "not alice's passphrase\n").unwrap();
    t.bare(&["--member", "alice", "--passphrase-file"])
        .arg(t.path("wrong"))
        .args(&[
            "add",
            "password",
            "p",
            "--apple-id",
            "dev@example.com",
            "--password-stdin",
        ])
        .stdin("abcd-efgh-ijkl-mnop\n")
        .run()
        .fails(ExitStatus::Unlock)
        .stderr_has("wrong passphrase");
    assert_eq!(t.vault_bytes(), before);
}

#[test]
fn an_identity_that_is_not_a_member_is_told_which_members_there_are() {
    let t = team();
    let (stranger, _) = age_keygen(&t, "stranger.key");
    with_identity(&t, &stranger, &["list"])
        .run()
        .fails(ExitStatus::Unlock)
        .stderr_has(
            "this identity is not a member of the vault (it is encrypted to 1 recipient(s))",
        )
        .stderr_has("members with identity files beside the vault: alice");
    // Without any identity or member: say how to choose.
    t.cmd(&["list"])
        .run()
        .fails(ExitStatus::Unlock)
        .stderr_has("cannot unlock")
        .stderr_has("is a team vault")
        .stderr_has("say which member you are")
        .stderr_has("--member NAME");
}

#[test]
fn a_vault_encrypted_to_a_passphrase_and_a_key_at_once_is_refused() {
    // age writers refuse to make one; a hand-made header must be refused
    // too, before any KDF.
    let t = Env::new();
    fs::write(
        t.vault(),
        "age-encryption.org/v1\n-> scrypt c2FsdHNhbHRzYWx0c2FsdA 10\nAAAA\n-> X25519 abc\nAAAA\n--- bWFj\n",
    )
    .unwrap();
    t.cmd(&["list"])
        .run()
        .fails(ExitStatus::Unlock)
        .stderr_has("encrypted to a passphrase and to other recipients at once, which age forbids");
}

#[test]
fn member_commands_on_a_passphrase_vault_say_to_convert_first() {
    let t = Env::new();
    t.init();
    let before = t.vault_bytes();
    t.bare(&[
        "member",
        "add",
        "x",
        "--recipient",
        "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p",
    ])
    .run()
    .fails(ExitStatus::Failure)
    .stderr_has("convert --to-team");
    assert_eq!(t.vault_bytes(), before);
}

#[test]
fn a_members_passphrase_is_asked_naming_them_with_three_tries() {
    use crate::support::pty::{ascvault, exit_status, spawn};
    let t = team();
    let list = || {
        spawn({
            let mut c = ascvault(t.dir.path(), &t.vault());
            c.args(["--member", "alice", "list"]);
            c
        })
    };
    let mut p = list();
    for _ in 0..2 {
        p.exp_string("Passphrase of member alice: ").unwrap();
        p.send_line("not it").unwrap();
        p.exp_string("wrong passphrase; try again").unwrap();
    }
    p.exp_string("Passphrase of member alice: ").unwrap();
    p.send_line(ALICE).unwrap();
    let rest = p.exp_eof().unwrap();
    assert_eq!(exit_status(&mut p), ExitStatus::Success, "{rest}");

    let mut p = list();
    for _ in 0..3 {
        p.exp_string("Passphrase of member alice: ").unwrap();
        p.send_line("not it").unwrap();
    }
    let rest = p.exp_eof().unwrap();
    assert_eq!(exit_status(&mut p), ExitStatus::Unlock, "{rest}");
    assert!(rest.contains("wrong passphrase"), "{rest}");
}

#[test]
fn the_member_comes_from_git_config_of_the_vaults_repository() {
    let t = team();
    let git = |args: &[&str]| {
        let ok = Command::new("git")
            .current_dir(t.dir.path())
            .args(args)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("HOME", t.dir.path())
            .output()
            .is_ok_and(|o| o.status.success());
        assert!(ok, "git {args:?}");
    };
    git(&["init", "-q"]);
    git(&["config", "ascvault.member", "alice"]);
    t.bare(&["--passphrase-file"])
        .arg(t.path("alice.pass"))
        .arg("list")
        .env("HOME", t.dir.path())
        .run()
        .success();
    // --member wins over git config.
    t.bare(&["--member", "bob", "--passphrase-file"])
        .arg(t.path("alice.pass"))
        .arg("list")
        .env("HOME", t.dir.path())
        .run()
        .fails(ExitStatus::Unlock)
        .stderr_has("member \"bob\" has no identity file");
}
