//! Every ```` ```console ```` block of README.md, run in order as a reader
//! would type it (see `session` for the few differences, printed as the
//! test runs), each command's terminal output compared with the lines the
//! README shows: CI fails when the README lies.
//!
//! The rules, for whoever edits the README:
//! - `$ ` starts a command (a trailing `\` continues it); the lines after
//!   it are what the terminal shows, prompts included. A command shown
//!   without lines must print nothing. A line that is only `…` stands for
//!   any number of lines; `…` inside a line, for any text. `  # text` at
//!   the end of an output line is a note, not output. Trailing blank lines
//!   are ignored.
//! - Every command must exit 0, unless its comment says `exits N`.
//! - Prompts are answered on a real terminal: passphrases with one
//!   passphrase, `[y/N]` with `y`, an app-specific password with the one
//!   the comment says to paste (`# paste abcd-efgh-ijkl-mnop`).
//! - Blocks share one session (folder, exported variables, stand-in) in
//!   order, until a `<!-- readme-test: fresh -->` marker before a block
//!   starts a new one; `<!-- readme-test: key FILE -->` puts a test `.p8`
//!   there; `<!-- readme-test: skip (reason) -->` skips the block, and the
//!   reason is printed.

use super::parse::{self, ANY, Block, Marker};
use super::session::{self, Session};

const README: &str = include_str!("../../README.md");

/// What went wrong with one command, as the merger of a README change
/// needs it: where, the command, expected and got.
fn mismatch(
    command: &parse::Command,
    ran: &session::Ran,
    expected: &[&str],
    at: Option<usize>,
) -> String {
    let mut report = format!("README.md:{}: $ {}\n", command.line, command.text);
    let wanted = session::expected_code(command.comment.as_deref());
    if ran.code != wanted {
        report.push_str(&format!(
            "  exit status {} (expected {wanted}: a comment `# exits N` announces another)\n",
            ran.code
        ));
    }
    if let Some(at) = at {
        let where_ = match command.expected.get(at) {
            Some((line, text)) => format!("README.md:{line}: {text:?}"),
            None => "after the last line shown: more output".to_owned(),
        };
        report.push_str(&format!("  first difference at {where_}\n  --- expected\n"));
        for line in expected {
            report.push_str(&format!("  | {line}\n"));
        }
        report.push_str("  --- got\n");
        for line in &ran.lines {
            report.push_str(&format!("  | {line}\n"));
        }
    }
    report
}

/// Runs one block's commands; returns the mismatches.
fn run_block(session: &mut Session, block: &Block) -> Vec<String> {
    let mut failures = Vec::new();
    for command in &block.commands {
        let ran = session.run(command);
        let lowered = session::lowers_work_factor(&command.text);
        let expected: Vec<String> = command
            .expected
            .iter()
            .map(|(_, l)| {
                if lowered {
                    l.replace(
                        "work factor 18)",
                        &format!("work factor {})", session::WORK_FACTOR),
                    )
                } else {
                    l.clone()
                }
            })
            .collect();
        let expected: Vec<&str> = expected.iter().map(String::as_str).collect();
        // The warning the test's work factor brings (for a vault or an
        // identity file), which a reader's `init` at the default never
        // prints.
        let test_only = format!("warning: work factor {} is for test ", session::WORK_FACTOR);
        let got: Vec<&str> = ran
            .lines
            .iter()
            .map(String::as_str)
            .filter(|l| !(lowered && l.starts_with(&test_only)))
            .collect();
        let matched = parse::matches(&expected, &got);
        let wanted = session::expected_code(command.comment.as_deref());
        if matched.is_err() || ran.code != wanted {
            failures.push(mismatch(command, &ran, &expected, matched.err()));
        }
    }
    failures
}

#[test]
fn readme_console_blocks_run_as_written() {
    for difference in session::DIFFERENCES {
        eprintln!("readme: unlike a reader's machine: {difference}");
    }
    let blocks = parse::blocks(README);
    assert!(
        blocks.len() >= 4,
        "found only {} console blocks",
        blocks.len()
    );
    let mut session = Session::new();
    let mut failures = Vec::new();
    let mut ran = 0;
    for block in &blocks {
        let mut skipped = None;
        for marker in &block.markers {
            match marker {
                Marker::Fresh => session = Session::new(),
                Marker::Key(path) => {
                    std::fs::write(session.path(path), asc_standin::TEST_KEY_PEM).unwrap()
                }
                Marker::Skip(reason) => skipped = Some(reason),
            }
        }
        if let Some(reason) = skipped {
            eprintln!("readme: README.md:{}: block skipped: {reason}", block.line);
            continue;
        }
        failures.extend(run_block(&mut session, block));
        ran += block.commands.len();
    }
    assert!(
        failures.is_empty(),
        "{} of {ran} README commands do not do what README.md shows:\n\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The README's `init` line as written: `init` at the default work factor
/// says "(work factor 18)" — the session runs `init` at 10 for speed.
#[test]
fn readme_init_line_at_the_default_work_factor() {
    let shown = parse::blocks(README)
        .iter()
        .flat_map(|b| &b.commands)
        .filter(|c| c.text.starts_with("ascvault init"))
        .flat_map(|c| &c.expected)
        .find(|(_, l)| l.starts_with("created "))
        .map(|(_, l)| l.clone())
        .expect("the README shows what `ascvault init` prints");
    let t = crate::support::Env::new();
    let out = crate::support::Cmd::new(t.dir.path())
        .env("ASCVAULT_PASSPHRASE", session::PASSPHRASE)
        .arg("init")
        .run()
        .success();
    let said = out.stdout() + &out.stderr();
    assert!(
        said.lines().any(|l| l == shown),
        "README shows {shown:?}; `ascvault init` said {said:?}"
    );
    assert_ne!(shown, ANY);
}
