//! Man pages and shell completions, both made from the clap definition:
//! `ascvault man [SUBCOMMAND…]` prints one page, `ascvault man --out DIR`
//! writes every page (`ascvault.1`, `ascvault-init.1`,
//! `ascvault-add-password.1`, …). Every page gets EXIT STATUS and
//! ENVIRONMENT sections from one source each (`error::DOCUMENTED`,
//! `EXTRA_ENV` plus the `env` of the page's own options), and a SEE ALSO
//! that names only pages `--out` writes.

use std::fs;
use std::path::Path;

use clap::{Command, CommandFactory};

use super::args::{Cli, ManArgs};
use super::error::{CliError, CliResult, DOCUMENTED, ExitStatus};
use super::output::{print, say};

/// `completions SHELL`
pub fn completions(shell: clap_complete::Shell) -> CliResult {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "ascvault", &mut out);
    print(&String::from_utf8_lossy(&out))
}

/// `man [SUBCOMMAND…] [--out DIR]`
pub fn run(args: &ManArgs) -> CliResult {
    let pages = pages();
    if let Some(dir) = &args.out {
        return write_all(dir, &pages);
    }
    let wanted = args.command.join(" ");
    let page = pages.iter().find(|p| p.path == wanted).ok_or_else(|| {
        let known: Vec<&str> = pages
            .iter()
            .filter(|p| !p.path.is_empty())
            .map(|p| p.path.as_str())
            .collect();
        CliError::usage(format!("no man page for {wanted:?}"))
            .hint(format!("pages: {}", known.join(", ")))
    })?;
    print(&page.roff)
}

fn write_all(dir: &Path, pages: &[Page]) -> CliResult {
    fs::create_dir_all(dir)
        .map_err(|e| CliError::new(format!("cannot create {}: {e}", dir.display())))?;
    for page in pages {
        let file = dir.join(&page.file);
        fs::write(&file, &page.roff)
            .map_err(|e| CliError::new(format!("cannot write {}: {e}", file.display())))?;
    }
    say(&format!(
        "wrote {} man pages to {} (`man -l {}` reads one)",
        pages.len(),
        dir.display(),
        dir.join("ascvault.1").display()
    ));
    Ok(())
}

/// One man page.
struct Page {
    /// The subcommand path, space-separated (`add password`; empty for the
    /// main page).
    path: String,
    /// Its file name (`ascvault-add-password.1`).
    file: String,
    /// The page (roff).
    roff: String,
}

/// Where an environment variable that clap does not read applies.
#[derive(Clone, Copy)]
enum Scope {
    /// Every command.
    Every,
    /// These subcommands (space-separated paths) and those under them.
    Under(&'static [&'static str]),
    /// Commands with this option (its clap id).
    WithArg(&'static str),
}

/// The environment variables ascvault reads itself (the others are options'
/// `env`, read by clap, and listed from there).
const EXTRA_ENV: [(&str, Scope, &str); 6] = [
    (
        "ASCVAULT_PASSPHRASE",
        Scope::Every,
        "The vault passphrase, for scripts and CI, when --passphrase-file is not given (else it is asked at the terminal). Never passed on to programs ascvault starts.",
    ),
    (
        "ASCVAULT_LOCK_TIMEOUT",
        Scope::Every,
        "Seconds a command that writes the vault waits for another ascvault's lock (default 10).",
    ),
    (
        "ASCVAULT_ALLOW_WEAK_VAULT",
        Scope::Every,
        "1: no warning about a vault's low work factor, and a weak new passphrase is taken as with --weak-passphrase-ok (meant for test suites).",
    ),
    (
        "ASCVAULT_CHECK_HISTORY",
        Scope::Under(&["check"]),
        "How many older committed versions of the vault check compares with the current one (0 to 1000, default 10; 0 turns it off).",
    ),
    (
        "ASCVAULT_MAX_REPORT_BYTES",
        Scope::Under(&["metrics sales", "metrics finance"]),
        "The cap on a sales or finance report's decompressed size, in bytes.",
    ),
    (
        "ASCVAULT_RETRY_BASE_MS",
        Scope::WithArg("api_base"),
        "The first retry's delay in milliseconds for App Store Connect requests (doubling after each retry).",
    ),
];

/// Every page: the main one, then each subcommand's, depth first.
fn pages() -> Vec<Page> {
    let mut root = Cli::command().disable_help_subcommand(true);
    root.build();
    let mut commands: Vec<(String, Command)> = Vec::new();
    collect(&root, "", &mut commands);
    commands
        .iter()
        .map(|(path, cmd)| Page {
            path: path.clone(),
            file: file_name(cmd),
            roff: render(cmd, path, &commands),
        })
        .collect()
}

fn collect(cmd: &Command, path: &str, out: &mut Vec<(String, Command)>) {
    out.push((path.to_owned(), cmd.clone()));
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        let sub_path = if path.is_empty() {
            sub.get_name().to_owned()
        } else {
            format!("{path} {}", sub.get_name())
        };
        collect(sub, &sub_path, out);
    }
}

/// `ascvault-add-password`: the page's name, as clap names it in
/// SUBCOMMANDS sections.
fn page_name(cmd: &Command) -> &str {
    cmd.get_display_name().unwrap_or_else(|| cmd.get_name())
}

fn file_name(cmd: &Command) -> String {
    format!("{}.1", page_name(cmd))
}

/// One page: clap_mangen's sections, then ours.
fn render(cmd: &Command, path: &str, all: &[(String, Command)]) -> String {
    let man = clap_mangen::Man::new(cmd.clone()).manual("ascvault manual");
    let mut out: Vec<u8> = Vec::new();
    // Writing to a Vec cannot fail.
    let _ = man.render_title(&mut out);
    let _ = man.render_name_section(&mut out);
    let _ = man.render_synopsis_section(&mut out);
    let _ = man.render_description_section(&mut out);
    if cmd.get_arguments().any(|a| !a.is_hide_set()) {
        let _ = man.render_options_section(&mut out);
    }
    if cmd.get_subcommands().any(|s| !s.is_hide_set()) {
        let _ = man.render_subcommands_section(&mut out);
    }
    let mut roff = String::from_utf8_lossy(&out).into_owned();
    exit_status_section(&mut roff);
    environment_section(&mut roff, cmd, path);
    see_also_section(&mut roff, path, all);
    if cmd.get_version().is_some() {
        let mut out = Vec::new();
        let _ = man.render_version_section(&mut out);
        roff.push_str(&String::from_utf8_lossy(&out));
    }
    tidy(&roff)
}

/// The page as one document: roff's preamble once (each clap_mangen
/// section repeats it), every non-ASCII character as a roff escape (troff
/// reads Latin-1 unless preprocessed), and a final newline.
fn tidy(roff: &str) -> String {
    const PREAMBLE: [&str; 2] = [".ie \\n(.g .ds Aq \\(aq", ".el .ds Aq '"];
    let mut out = String::with_capacity(roff.len());
    for line in PREAMBLE {
        out.push_str(line);
        out.push('\n');
    }
    for line in roff.lines().filter(|l| !PREAMBLE.contains(l)) {
        for c in line.chars() {
            if c.is_ascii() {
                out.push(c);
            } else {
                out.push_str(&format!("\\[u{:04X}]", u32::from(c)));
            }
        }
        out.push('\n');
    }
    out
}

fn exit_status_section(roff: &mut String) {
    roff.push_str(".SH \"EXIT STATUS\"\n");
    for (status, meaning) in DOCUMENTED {
        let code = match status {
            ExitStatus::External(_) => "run".to_owned(),
            other => other.code().to_string(),
        };
        roff.push_str(&format!(
            ".TP\n\\fB{}\\fR\n{}\n",
            escape(&code),
            text(meaning)
        ));
    }
}

fn environment_section(roff: &mut String, cmd: &Command, path: &str) {
    // Options' `env`, from this command's own options (globals included),
    // and on the main page from every command's.
    let mut vars: Vec<(String, String)> = Vec::new();
    let mut add = |name: &str, meaning: String| {
        if !vars.iter().any(|(n, _)| n == name) {
            vars.push((name.to_owned(), meaning));
        }
    };
    let mut commands = vec![cmd];
    if path.is_empty() {
        let mut i = 0;
        while i < commands.len() {
            let subs: Vec<&Command> = commands[i].get_subcommands().collect();
            commands.extend(subs);
            i += 1;
        }
    }
    for c in &commands {
        for arg in c.get_arguments() {
            if let Some(env) = arg.get_env() {
                let help = arg.get_help().map(|h| h.to_string()).unwrap_or_default();
                let option = format!(
                    "--{}",
                    arg.get_long().unwrap_or_else(|| arg.get_id().as_str())
                );
                add(
                    &env.to_string_lossy(),
                    format!("{} (sets {option}).", help.trim_end_matches('.')),
                );
            }
        }
    }
    for (name, scope, meaning) in EXTRA_ENV {
        let applies = path.is_empty()
            || match scope {
                Scope::Every => true,
                Scope::Under(prefixes) => prefixes
                    .iter()
                    .any(|p| path == *p || path.starts_with(&format!("{p} "))),
                Scope::WithArg(id) => cmd.get_arguments().any(|a| a.get_id() == id),
            };
        if applies {
            add(name, meaning.to_owned());
        }
    }
    vars.sort();
    roff.push_str(".SH ENVIRONMENT\n");
    for (name, meaning) in vars {
        roff.push_str(&format!(
            ".TP\n\\fB{}\\fR\n{}\n",
            escape(&name),
            text(&meaning)
        ));
    }
}

/// The main page names every top-level page; a subcommand's names the
/// main page, its parent's, its own subcommands' and (below the top level)
/// its siblings'. Only pages in `all`, which is what `--out` writes.
fn see_also_section(roff: &mut String, path: &str, all: &[(String, Command)]) {
    let depth = |p: &str| {
        if p.is_empty() {
            0
        } else {
            p.split(' ').count()
        }
    };
    let parent = |p: &str| p.rsplit_once(' ').map_or("", |(head, _)| head).to_owned();
    let own_parent = parent(path);
    let mut names: Vec<&str> = Vec::new();
    for (other, cmd) in all {
        let child = !other.is_empty() && parent(other) == path;
        let related = !path.is_empty()
            && (other.is_empty()
                || *other == own_parent
                || (depth(path) > 1 && parent(other) == own_parent && other != path));
        if child || related {
            names.push(page_name(cmd));
        }
    }
    if names.is_empty() {
        return;
    }
    let refs: Vec<String> = names
        .iter()
        .map(|n| format!("\\fB{}\\fR(1)", escape(n)))
        .collect();
    roff.push_str(".SH \"SEE ALSO\"\n");
    roff.push_str(&refs.join(", "));
    roff.push('\n');
}

/// Roff-escapes text: backslashes, and hyphens as minus signs (so options
/// can be searched for and copied).
fn escape(s: &str) -> String {
    s.replace('\\', "\\e").replace('-', "\\-")
}

/// A line of running text: escaped, backquoted code in bold, and a leading
/// dot or quote kept from being read as a request.
fn text(s: &str) -> String {
    let mut out = String::new();
    for (i, part) in escape(s).split('`').enumerate() {
        if i % 2 == 1 {
            out.push_str(&format!("\\fB{part}\\fR"));
        } else {
            out.push_str(part);
        }
    }
    if out.starts_with(['.', '\'']) {
        out.insert_str(0, "\\&");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_for_roff() {
        assert_eq!(text("--vault"), "\\-\\-vault");
        assert_eq!(text("a `run` b"), "a \\fBrun\\fR b");
        assert_eq!(text(".hidden"), "\\&.hidden");
        assert_eq!(text("'quoted"), "\\&'quoted");
        assert_eq!(text("back\\slash"), "back\\eslash");
    }

    #[test]
    fn tidy_keeps_one_preamble_and_escapes_non_ascii() {
        let page = ".ie \\n(.g .ds Aq \\(aq\n.el .ds Aq '\n.TH x 1\n.ie \\n(.g .ds Aq \\(aq\n.el .ds Aq '\nA … B";
        assert_eq!(
            tidy(page),
            ".ie \\n(.g .ds Aq \\(aq\n.el .ds Aq '\n.TH x 1\nA \\[u2026] B\n"
        );
    }

    #[test]
    fn every_page_has_a_distinct_file() {
        let pages = pages();
        let mut files: Vec<&str> = pages.iter().map(|p| p.file.as_str()).collect();
        files.sort_unstable();
        files.dedup();
        assert_eq!(files.len(), pages.len());
        assert_eq!(pages[0].file, "ascvault.1");
    }
}
