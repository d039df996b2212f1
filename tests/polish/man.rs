//! A man page per subcommand (issue 13 §6: the main page named
//! `ascvault-init(1)` and others that did not exist). The subcommands are
//! found from `--help`, not from the code that writes the pages, so a page
//! that is forgotten shows here.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use crate::support::{Env, ExitStatus};

/// The subcommands `ascvault PATH --help` lists (without `help`).
fn subcommands(t: &Env, path: &[String]) -> Vec<String> {
    let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
    args.push("--help");
    let out = t.bare(&args).run().success();
    let help = out.stdout();
    help.lines()
        .skip_while(|l| *l != "Commands:")
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .filter(|l| l.starts_with("  ") && !l.starts_with("    "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_owned)
        .collect()
}

/// Every command path, the main one (empty) first.
fn every_command(t: &Env) -> Vec<Vec<String>> {
    let mut all = vec![Vec::new()];
    let mut i = 0;
    while i < all.len() {
        let path = all[i].clone();
        for sub in subcommands(t, &path) {
            let mut p = path.clone();
            p.push(sub);
            all.push(p);
        }
        i += 1;
    }
    all
}

/// A page as a reader sees the words: roff escapes and fonts removed.
fn plain(roff: &str) -> String {
    roff.replace("\\-", "-")
        .replace("\\fB", "")
        .replace("\\fR", "")
        .replace("\\fI", "")
        .replace("\\e", "\\")
}

/// The lines of section `name` of a page (plain text).
fn section<'a>(page: &'a str, name: &str) -> Vec<&'a str> {
    let head = format!(".SH {name}");
    let quoted = format!(".SH \"{name}\"");
    page.lines()
        .skip_while(|l| *l != head && *l != quoted)
        .skip(1)
        .take_while(|l| !l.starts_with(".SH "))
        .collect()
}

fn groff_available() -> bool {
    Command::new("groff")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Renders a page with groff, warnings on: none may appear.
fn assert_renders(file: &Path) {
    let out = Command::new("groff")
        .args(["-man", "-Tutf8", "-ww", "-z"])
        .arg(file)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stderr.is_empty(),
        "{}: {stderr}",
        file.display()
    );
}

#[test]
fn every_subcommand_has_a_page_with_exit_status_and_environment() {
    let t = Env::new();
    let dir = t.path("man");
    t.bare(&["man", "--out", dir.to_str().unwrap()])
        .run()
        .success()
        .stderr_has("man pages");
    let commands = every_command(&t);
    assert!(commands.len() > 30, "{commands:?}");
    let written: BTreeSet<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(written.len(), commands.len(), "{written:?}");
    for path in &commands {
        let name = std::iter::once("ascvault")
            .chain(path.iter().map(String::as_str))
            .collect::<Vec<_>>()
            .join("-");
        let file = dir.join(format!("{name}.1"));
        assert!(
            written.contains(&format!("{name}.1")),
            "no page for {path:?}"
        );
        let mut args = vec!["man"];
        args.extend(path.iter().map(String::as_str));
        let page = t.bare(&args).run().success().stdout();
        assert_eq!(page, std::fs::read_to_string(&file).unwrap(), "{name}");
        assert!(page.contains(&format!(".TH {name} 1 ")), "{name}: {page}");
        for heading in [
            "NAME",
            "SYNOPSIS",
            "DESCRIPTION",
            "EXIT STATUS",
            "ENVIRONMENT",
        ] {
            assert!(
                !section(&page, heading).is_empty(),
                "{name} has no {heading}"
            );
        }
        let env = plain(&section(&page, "ENVIRONMENT").join("\n"));
        for every in ["ASCVAULT_PASSPHRASE", "ASCVAULT_VAULT"] {
            assert!(env.contains(every), "{name}: {env}");
        }
        let exit = plain(&section(&page, "EXIT STATUS").join("\n"));
        assert!(exit.contains("cannot unlock"), "{name}: {exit}");
        if groff_available() {
            assert_renders(&file);
        }
    }

    // Pages list what applies to them.
    let env_of = |args: &[&str]| {
        let page = t.bare(args).run().success().stdout();
        plain(&section(&page, "ENVIRONMENT").join("\n"))
    };
    assert!(env_of(&["man", "check"]).contains("ASCVAULT_CHECK_HISTORY"));
    assert!(!env_of(&["man", "init"]).contains("ASCVAULT_CHECK_HISTORY"));
    assert!(env_of(&["man", "metrics", "sales"]).contains("ASCVAULT_MAX_REPORT_BYTES"));
    assert!(env_of(&["man", "apps"]).contains("ASCVAULT_API_BASE"));

    t.bare(&["man", "nope"])
        .run()
        .fails(ExitStatus::Usage)
        .stderr_has("no man page");
}

/// Every `name(1)` a page names — SEE ALSO and the SUBCOMMANDS list — is a
/// page `man --out` writes.
#[test]
fn every_page_a_page_names_is_written() {
    let t = Env::new();
    let dir = t.path("man");
    t.bare(&["man", "--out", dir.to_str().unwrap()])
        .run()
        .success();
    let mut named = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let file = entry.unwrap().path();
        let page = plain(&std::fs::read_to_string(&file).unwrap());
        let see_also = section(&page, "SEE ALSO").join(" ");
        if file.file_name().unwrap() == "ascvault.1" || file.to_string_lossy().contains("-add") {
            assert!(!see_also.is_empty(), "{} has no SEE ALSO", file.display());
        }
        for (i, _) in page.match_indices("(1)") {
            let start = page[..i]
                .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
                .map_or(0, |p| p + 1);
            let name = &page[start..i];
            if !name.starts_with("ascvault") {
                continue;
            }
            named += 1;
            assert!(
                dir.join(format!("{name}.1")).exists(),
                "{} names {name}(1), which is not written",
                file.display()
            );
        }
    }
    assert!(named > 40, "only {named} references");
}

/// README's "Exit codes" table says what the man pages say: they come
/// from one list in the code.
#[test]
fn the_readme_exit_codes_are_the_man_pages() {
    let t = Env::new();
    let page = t.bare(&["man"]).run().success().stdout();
    let exit = plain(&section(&page, "EXIT STATUS").join("\n"));
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let rows: Vec<(String, String)> = readme
        .lines()
        .skip_while(|l| *l != "## Exit codes")
        .take_while(|l| !l.starts_with("## Testing"))
        .filter_map(|l| {
            let cells: Vec<&str> = l.trim_matches('|').split('|').map(str::trim).collect();
            match cells.as_slice() {
                [code, meaning] if code.parse::<u8>().is_ok() => {
                    Some(((*code).to_owned(), meaning.replace('`', "")))
                }
                _ => None,
            }
        })
        .collect();
    assert_eq!(rows.len(), 8, "{rows:?}");
    for (code, meaning) in rows {
        assert!(
            exit.contains(&format!(".TP\n{code}\n{meaning}\n")),
            "exit code {code}: README says {meaning:?}; the man page:\n{exit}"
        );
    }
}

/// Every `ASCVAULT_*` variable the code reads is on the main page.
#[test]
fn every_environment_variable_is_documented() {
    let t = Env::new();
    let page = t.bare(&["man"]).run().success().stdout();
    let env = plain(&section(&page, "ENVIRONMENT").join("\n"));
    let mut names = BTreeSet::new();
    let mut dirs = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("src")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for (i, _) in text.match_indices("\"ASCVAULT_") {
                let rest = &text[i + 1..];
                let end = rest
                    .find(|c: char| !(c.is_ascii_uppercase() || c == '_' || c.is_ascii_digit()))
                    .unwrap_or(rest.len());
                names.insert(rest[..end].to_owned());
            }
        }
    }
    assert!(names.len() > 10, "{names:?}");
    for name in names {
        assert!(env.contains(&name), "{name} is not on ascvault(1)");
    }
}
