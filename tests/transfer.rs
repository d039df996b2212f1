//! Getting keys in and secrets out: `import p8` (every key in one write,
//! known ones skipped, a broken folder refused whole) and `export
//! --plaintext`.

use std::fs;

use ascvault::vault::Document;

use crate::support::{Env, ExitStatus, fixtures};

const PW1: &str = "abcd-efgh-ijkl-mnop";

#[test]
fn import_p8_adds_every_key_in_one_write_and_skips_known_ones() {
    let t = Env::new();
    t.init();
    let dir = t.path("keys");
    fs::create_dir(&dir).unwrap();
    for k in ["AuthKey_TESTKEY001.p8", "AuthKey_TESTKEY002.p8"] {
        fs::copy(fixtures().join("keys").join(k), dir.join(k)).unwrap();
    }
    fs::write(dir.join("README.txt"), "not a key").unwrap();
    let issuer = "57246542-96fe-1a63-e053-0824d011072a";
    let args = [
        "import",
        "p8",
        dir.to_str().unwrap(),
        "--issuer-id",
        issuer,
        "--label-prefix",
        "asc-",
    ];
    let out = t.cmd(&args).run().success();
    assert_eq!(
        out.stdout(),
        "added   AuthKey_TESTKEY001.p8 as \"asc-TESTKEY001\"\n\
         added   AuthKey_TESTKEY002.p8 as \"asc-TESTKEY002\"\n"
    );
    let v = t
        .cmd(&["show", "asc-TESTKEY002", "--json"])
        .run()
        .success()
        .json();
    assert_eq!(v["issuer_id"], issuer, "{v:#}");

    let before = t.vault_bytes();
    t.cmd(&args).run().success().stdout_has(
        "skipped AuthKey_TESTKEY001.p8: key id already in the vault as \"asc-TESTKEY001\"",
    );
    assert_eq!(
        t.vault_bytes(),
        before,
        "a no-op import must not rewrite the vault"
    );
}

#[test]
fn import_p8_refuses_a_folder_with_a_broken_key_and_changes_nothing() {
    let t = Env::new();
    t.init();
    let dir = t.path("keys");
    fs::create_dir(&dir).unwrap();
    fs::copy(
        fixtures().join("keys/AuthKey_TESTKEY001.p8"),
        dir.join("AuthKey_TESTKEY001.p8"),
    )
    .unwrap();
    fs::copy(
        fixtures().join("keys/rsa-not-ec.p8"),
        dir.join("AuthKey_BROKENKEY1.p8"),
    )
    .unwrap();
    let before = t.vault_bytes();
    t.cmd(&["import", "p8", dir.to_str().unwrap()])
        .run()
        .fails(ExitStatus::Failure)
        .stderr_has("AuthKey_BROKENKEY1.p8");
    assert_eq!(t.vault_bytes(), before);
    t.cmd(&["import", "p8", t.path("nowhere").to_str().unwrap()])
        .run()
        .fails(ExitStatus::Failure);
}

#[test]
fn export_plaintext_needs_yes_and_prints_the_canonical_toml() {
    let t = Env::new();
    t.init().add_password("fl", "dev@example.com", PW1);
    t.cmd(&["export", "--plaintext"])
        .run()
        .fails(ExitStatus::Usage)
        .stderr_has("--yes");
    t.cmd(&["export", "--yes"]).run().fails(ExitStatus::Usage);
    let out = t
        .cmd(&["export", "--plaintext", "--yes"])
        .run()
        .success()
        .stderr_has("warning:");
    let doc = Document::parse(&out.stdout()).expect("the export parses as a vault document");
    assert_eq!(doc.to_canonical().as_str(), out.stdout());
    assert_eq!(doc.get("fl").unwrap().secret().unwrap().expose(), PW1);
}
