//! `export --plaintext --out FILE` (issue 13 §4): a new file, 0600 from
//! the start, never one that exists; `--yes` still needed.

use crate::support::{Env, ExitStatus};
use ascvault::vault::Document;

const PW: &str = "abcd-efgh-ijkl-mnop";

#[test]
fn export_out_writes_a_new_private_file_and_never_overwrites() {
    let t = Env::new();
    t.init().add_password("fl", "dev@example.com", PW);
    let file = t.path("vault.toml");
    let file_arg = file.to_str().unwrap();

    // --yes is still needed, and nothing is written without it.
    t.cmd(&["export", "--plaintext", "--out", file_arg])
        .run()
        .fails(ExitStatus::Usage)
        .stderr_has("--yes");
    assert!(!file.exists());

    let out = t
        .cmd(&["export", "--plaintext", "--yes", "--out", file_arg])
        .run()
        .success()
        .stderr_has("mode 0600");
    assert_eq!(out.stdout(), "", "the secrets went to stdout too");
    let text = std::fs::read_to_string(&file).unwrap();
    let doc = Document::parse(&text).expect("the export parses as a vault document");
    assert_eq!(doc.get("fl").unwrap().secret().unwrap().expose(), PW);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }

    // An existing file is refused (exit 1) and left as it was, before the
    // passphrase is asked.
    std::fs::write(&file, "mine").unwrap();
    t.bare(&["export", "--plaintext", "--yes", "--out", file_arg])
        .run()
        .fails(ExitStatus::Failure)
        .stderr_has("already exists; export never overwrites a file");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "mine");

    // A symlink is not followed.
    #[cfg(unix)]
    {
        let link = t.path("link.toml");
        std::os::unix::fs::symlink(t.path("target.toml"), &link).unwrap();
        t.cmd(&[
            "export",
            "--plaintext",
            "--yes",
            "--out",
            link.to_str().unwrap(),
        ])
        .run()
        .fails(ExitStatus::Failure);
        assert!(!t.path("target.toml").exists());
    }

    // A missing folder is named.
    t.cmd(&[
        "export",
        "--plaintext",
        "--yes",
        "--out",
        t.path("nowhere/v.toml").to_str().unwrap(),
    ])
    .run()
    .fails(ExitStatus::Failure)
    .stderr_has("there is no folder");
}
