//! `ascvault reviews summary`: Apple's AI-generated summaries of an app's
//! reviews, one block per territory and platform (or `--json`).

use super::super::args::asc::{PlatformArg, SummaryArgs};
use super::super::asc::AscSession;
use super::super::context::Context;
use super::super::error::CliResult;
use super::super::output::{print, print_json, sanitize, say, truncate};
use crate::asc::summaries::{self, Platform, Query, Summary};

/// The longest summary text printed or kept (characters): Apple's are a
/// paragraph; a hostile server's cannot flood the terminal.
const MAX_TEXT: usize = 4000;

impl PlatformArg {
    fn platform(self) -> Platform {
        match self {
            PlatformArg::Ios => Platform::Ios,
            PlatformArg::MacOs => Platform::MacOs,
            PlatformArg::TvOs => Platform::TvOs,
            PlatformArg::VisionOs => Platform::VisionOs,
        }
    }
}

/// `reviews summary`
pub fn run(ctx: &Context, args: &SummaryArgs) -> CliResult {
    let client = AscSession::open(ctx, &args.asc)?.client;
    let app = crate::asc::apps::resolve(&client, &args.app)?;
    let mut platforms: Vec<Platform> = Vec::new();
    for p in &args.platform {
        if !platforms.contains(&p.platform()) {
            platforms.push(p.platform());
        }
    }
    let query = Query {
        platforms,
        territories: args.territory.clone(),
    };
    let mut found = summaries::list(&client, &app.id, &query)?;
    for s in &mut found {
        if let Some(text) = &s.text
            && text.chars().count() > MAX_TEXT
        {
            s.text = Some(truncate(text, MAX_TEXT));
        }
    }
    if args.json {
        return print_json(&serde_json::to_value(&found)?);
    }
    if found.is_empty() {
        say(&format!(
            "Apple has no summary of {}'s reviews for these platforms and territories (Apple writes one only once an app has enough reviews)",
            sanitize(&app.name)
        ));
        return Ok(());
    }
    print(&render(&found))
}

/// One block per summary: a heading line, then the text wrapped at 78 columns.
fn render(found: &[Summary]) -> String {
    let mut out = String::new();
    for (i, s) in found.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let field = |v: &Option<String>| sanitize(&truncate(v.as_deref().unwrap_or("?"), 40));
        let day: String = s
            .created_date
            .as_deref()
            .unwrap_or("?")
            .chars()
            .take(10)
            .collect();
        out.push_str(&format!(
            "{} · {} · {} · {}\n",
            field(&s.territory),
            field(&s.platform),
            field(&s.locale),
            sanitize(&day)
        ));
        for line in wrap(&sanitize(s.text.as_deref().unwrap_or("")), 76) {
            out.push_str("  ");
            out.push_str(&line);
            out.push('\n');
        }
    }
    out
}

/// Words joined into lines of at most `width` characters (a longer word
/// stands alone).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_keeps_every_word_within_the_width() {
        let text = "one two three four five six seven eight nine ten";
        let lines = wrap(text, 10);
        assert!(lines.iter().all(|l| l.chars().count() <= 10), "{lines:?}");
        assert_eq!(lines.join(" "), text);
        assert_eq!(wrap("", 10), Vec::<String>::new());
    }
}
