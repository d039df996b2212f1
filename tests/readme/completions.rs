//! The README's completion install lines, run as written (`HOME` is the
//! session's folder): each leaves a non-empty script for its shell where
//! that shell looks, and the shells installed here accept it (`-n`: parse
//! without running).

use std::process::Command;

use super::parse;
use super::session::Session;

const README: &str = include_str!("../../README.md");

/// Where the README installs each shell's script, and a line it must hold.
const SCRIPTS: [(&str, &str, &str); 3] = [
    (
        "bash",
        ".local/share/bash-completion/completions/ascvault",
        "complete -F _ascvault",
    ),
    ("zsh", ".zfunc/_ascvault", "#compdef ascvault"),
    (
        "fish",
        ".config/fish/completions/ascvault.fish",
        "complete -c ascvault",
    ),
];

#[test]
fn readme_completion_lines_install_a_script_for_each_shell() {
    let blocks = parse::blocks(README);
    let block = blocks
        .iter()
        .find(|b| {
            b.commands
                .iter()
                .any(|c| c.text.contains("completions bash"))
        })
        .expect("the README shows how to install completions");
    let mut session = Session::new();
    for command in &block.commands {
        let ran = session.run(command);
        assert_eq!(
            (ran.code, ran.lines.as_slice()),
            (0, &[][..]),
            "README.md:{}: $ {}",
            command.line,
            command.text
        );
    }
    for (shell, path, marker) in SCRIPTS {
        assert!(
            block
                .commands
                .iter()
                .any(|c| c.text.contains(&format!("~/{path}"))),
            "the README no longer installs the {shell} script at ~/{path}"
        );
        let file = session.path(path);
        let script = std::fs::read_to_string(&file)
            .unwrap_or_else(|e| panic!("{shell}: no script at ~/{path}: {e}"));
        assert!(
            script.contains(marker),
            "{shell}: ~/{path} lacks {marker:?}"
        );
        match Command::new(shell).arg("-n").arg(&file).output() {
            Ok(out) => assert!(
                out.status.success(),
                "{shell} -n ~/{path}: {}",
                String::from_utf8_lossy(&out.stderr)
            ),
            Err(_) => eprintln!("readme: {shell} is not installed: its script was not parsed"),
        }
    }
}
