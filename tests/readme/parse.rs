//! The README's ```` ```console ```` blocks as data: commands (`$ ` lines,
//! continued by a trailing `\`), each with the lines it is shown to print,
//! and the `<!-- readme-test: … -->` markers written just before a block.

/// A console block of the README.
#[derive(Debug)]
pub struct Block {
    /// 1-based line of the opening fence.
    pub line: usize,
    /// The markers written before it, in order.
    pub markers: Vec<Marker>,
    pub commands: Vec<Command>,
}

/// One `$ ` command and what the README shows it printing.
#[derive(Debug)]
pub struct Command {
    /// 1-based line of its `$ `.
    pub line: usize,
    /// The command as the shell gets it (continuation lines joined by the
    /// backslash-newline the README has, which `sh` removes).
    pub text: String,
    /// Its trailing `# comment`, if any (the shell ignores it; the harness
    /// reads `paste X` and `exits N` from it).
    pub comment: Option<String>,
    /// The output lines shown, with their 1-based README line numbers;
    /// trailing blank lines dropped, `  # comments` removed.
    pub expected: Vec<(usize, String)>,
}

/// What a `<!-- readme-test: … -->` marker asks for. Several may share one
/// comment, separated by `;`. Each may end with a `(reason)`.
#[derive(Debug, Clone, PartialEq)]
pub enum Marker {
    /// Do not run the block; the reason is printed.
    Skip(String),
    /// Start a new session first: a new empty folder, no exported
    /// variables, a new stand-in.
    Fresh,
    /// Put a test `.p8` key (the stand-in's) at this path first.
    Key(String),
}

/// The whole-line wildcard: matches any number of lines, none included.
pub const ANY: &str = "…";

/// Every console block of `readme`, in order.
pub fn blocks(readme: &str) -> Vec<Block> {
    let lines: Vec<&str> = readme.lines().collect();
    let mut blocks = Vec::new();
    let mut markers = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i].trim_end();
        if let Some(found) = parse_marker(line) {
            markers.extend(found);
            i += 1;
            continue;
        }
        if line == "```console" {
            let start = i + 1;
            let mut end = start;
            while end < lines.len() && !lines[end].starts_with("```") {
                end += 1;
            }
            blocks.push(Block {
                line: i + 1,
                markers: std::mem::take(&mut markers),
                commands: commands(&lines[start..end], start + 1),
            });
            i = end + 1;
            continue;
        }
        // A marker belongs to the block right after it (blank lines allowed).
        if !line.is_empty() {
            assert!(
                markers.is_empty(),
                "README.md:{}: a readme-test marker must come right before a ```console block",
                i + 1
            );
        }
        i += 1;
    }
    blocks
}

/// The markers of a `<!-- readme-test: … -->` line, or `None` for any
/// other line.
fn parse_marker(line: &str) -> Option<Vec<Marker>> {
    let body = line
        .trim()
        .strip_prefix("<!-- readme-test:")?
        .strip_suffix("-->")?;
    Some(
        split_outside_parens(body)
            .into_iter()
            .map(|part| {
                let part = part.trim();
                let (word, reason) = match part.find('(') {
                    Some(at) => (part[..at].trim(), part[at..].trim()),
                    None => (part, ""),
                };
                let reason = reason.trim_start_matches('(').trim_end_matches(')');
                let mut words = word.split_whitespace();
                match (words.next(), words.next()) {
                    (Some("skip"), None) => {
                        assert!(!reason.is_empty(), "a skip needs a (reason): {line}");
                        Marker::Skip(reason.to_owned())
                    }
                    (Some("fresh"), None) => Marker::Fresh,
                    (Some("key"), Some(path)) => Marker::Key(path.to_owned()),
                    _ => panic!("unknown readme-test marker {part:?} in {line}"),
                }
            })
            .collect(),
    )
}

/// Splits at `;` outside parentheses (a reason may hold a `;`).
fn split_outside_parens(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut from) = (0usize, 0);
    for (at, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            ';' if depth == 0 => {
                parts.push(&text[from..at]);
                from = at + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[from..]);
    parts
}

/// The commands of a block's lines; `first` is the README line number of
/// `lines[0]`.
fn commands(lines: &[&str], first: usize) -> Vec<Command> {
    let mut out: Vec<Command> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i].trim_end();
        if let Some(start) = line.strip_prefix("$ ") {
            let number = first + i;
            let mut text = start.to_owned();
            while text.ends_with('\\') && i + 1 < lines.len() {
                i += 1;
                text.push('\n');
                text.push_str(lines[i].trim_end());
            }
            let comment = shell_comment(&text).map(str::to_owned);
            out.push(Command {
                line: number,
                text,
                comment,
                expected: Vec::new(),
            });
        } else {
            let command = out.last_mut().unwrap_or_else(|| {
                panic!(
                    "README.md:{}: a console block must start with a `$ ` command",
                    first + i
                )
            });
            command
                .expected
                .push((first + i, strip_output_comment(line).to_owned()));
        }
        i += 1;
    }
    for command in &mut out {
        while command.expected.last().is_some_and(|(_, l)| l.is_empty()) {
            command.expected.pop();
        }
    }
    out
}

/// The text of a shell comment in `command`: a `#` starting a word outside
/// quotes, to the end of the line.
fn shell_comment(command: &str) -> Option<&str> {
    let (mut single, mut double) = (false, false);
    let mut previous = ' ';
    for (at, c) in command.char_indices() {
        match c {
            '\'' if !double => single = !single,
            '"' if !single => double = !double,
            '#' if !single && !double && previous.is_whitespace() => {
                return Some(command[at + 1..].trim());
            }
            _ => {}
        }
        previous = c;
    }
    None
}

/// An output line without its `  # comment` (two spaces or more, then `# `):
/// a note to the reader, not output.
fn strip_output_comment(line: &str) -> &str {
    match line.find("  # ") {
        Some(at) => line[..at].trim_end(),
        None => line,
    }
}

/// Whether `got` matches `expected`, where a line that is exactly [`ANY`]
/// matches any number of lines. On a mismatch, the index of the first
/// expected line that could not be matched (or `expected.len()` when `got`
/// has lines left over).
pub fn matches(expected: &[&str], got: &[&str]) -> Result<(), usize> {
    // Furthest expected line reached by any attempt, for the message.
    fn go(e: &[&str], g: &[&str], at: usize, furthest: &mut usize) -> bool {
        *furthest = (*furthest).max(at);
        match e.first() {
            None => g.is_empty(),
            Some(&ANY) => (0..=g.len()).any(|skip| go(&e[1..], &g[skip..], at + 1, furthest)),
            Some(line) => {
                g.first().is_some_and(|got| line_matches(line, got))
                    && go(&e[1..], &g[1..], at + 1, furthest)
            }
        }
    }
    let mut furthest = 0;
    if go(expected, got, 0, &mut furthest) {
        Ok(())
    } else {
        Err(furthest.min(expected.len()))
    }
}

/// Whether one output line matches one expected line, where `…` inside
/// a line stands for any text (a time, a duration).
fn line_matches(pattern: &str, got: &str) -> bool {
    let mut parts = pattern.split(ANY);
    let first = parts.next().unwrap_or("");
    let Some(mut rest) = got.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    let Some((last, middle)) = parts.split_last() else {
        return rest.is_empty();
    };
    for part in middle {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

#[test]
fn the_parser_reads_commands_comments_and_markers() {
    let readme = "text\n<!-- readme-test: fresh; key A.p8 (the key; yours) -->\n```console\n$ a b \\\n    c   # paste x-y\nout  # note\n\n$ d '#x' # exits 6\n…\n```\n<!-- readme-test: skip (no tool) -->\n```console\n$ e\n```\n";
    let blocks = blocks(readme);
    assert_eq!(blocks.len(), 2);
    assert_eq!(blocks[0].line, 3);
    assert_eq!(
        blocks[0].markers,
        [Marker::Fresh, Marker::Key("A.p8".into())]
    );
    let c = &blocks[0].commands;
    assert_eq!(c[0].line, 4);
    assert_eq!(c[0].text, "a b \\\n    c   # paste x-y");
    assert_eq!(c[0].comment.as_deref(), Some("paste x-y"));
    assert_eq!(c[0].expected, [(6, "out".to_owned())]);
    assert_eq!(c[1].comment.as_deref(), Some("exits 6"));
    assert_eq!(blocks[1].markers, [Marker::Skip("no tool".into())]);
}

#[test]
fn an_ellipsis_line_matches_any_lines() {
    assert_eq!(matches(&["a", ANY, "d"], &["a", "b", "c", "d"]), Ok(()));
    assert_eq!(matches(&["a", ANY], &["a"]), Ok(()));
    assert_eq!(matches(&["a", "b"], &["a", "c"]), Err(1));
    assert_eq!(matches(&["a"], &["a", "extra"]), Err(1));
    assert_eq!(matches(&[ANY, "z"], &["a", "b"]), Err(1));
    assert_eq!(matches(&["took … s (…)"], &["took 0.1 s (fast)"]), Ok(()));
    assert_eq!(matches(&["cut…"], &["cut…"]), Ok(()));
    assert_eq!(matches(&["a…b"], &["ab"]), Ok(()));
    assert_eq!(matches(&["a…b"], &["ba"]), Err(0));
}
