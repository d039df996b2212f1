//! `ascvault reviews draft`: one record per unanswered review in a TOML
//! file, each with a reply filled from a minijinja template, for a person to
//! edit (or a pull request to review) before `reviews respond --from` sends
//! them. The file's shape is [`RepliesFile`]; `batch` reads it back.
//!
//! Review text is data: it reaches the template only as the values of its
//! placeholders, never as template source, so a review holding `{{ … }}` or
//! `{% … %}` is printed as written; and it reaches the file only through the
//! TOML serializer, which escapes whatever it holds.

use std::io::Write;
use std::path::Path;

use minijinja::{AutoEscape, Environment, UndefinedBehavior, context};
use serde::{Deserialize, Serialize};

use super::super::args::asc::DraftArgs;
use super::super::asc::AscSession;
use super::super::context::Context;
use super::super::error::{CliError, CliResult};
use super::super::output::{sanitize, say, truncate};
use super::MAX_RESPONSE_CHARS;
use crate::asc::reviews::{self, Review};
use crate::atomic::{AtomicError, AtomicFile, Replace, Step};

/// The reply when no `--template` is given.
pub const DEFAULT_TEMPLATE: &str = "Hi {{ nickname }}, thank you for taking the time to review {{ app }}. \
We read every review and will take yours into account. If something does not work as it should, \
please write to us from the app's support page so we can help.";

/// The longest review text copied into the file (characters): enough to
/// answer it; `reviews show ID` has the rest.
pub const BODY_EXCERPT: usize = 1000;

/// The largest template read (bytes).
const MAX_TEMPLATE_BYTES: u64 = 64 * 1024;

/// What the file says first: how to use it. Fixed text only (nothing from a
/// server or a reviewer goes into a comment, where a newline would end it).
const HEADER: &str = "\
# Replies drafted by `ascvault reviews draft`, one [[reply]] per unanswered review.
# Edit each `reply` (an empty reply is not sent), then check and send them:
#   ascvault reviews respond --from THIS_FILE --dry-run
#   ascvault reviews respond --from THIS_FILE
# Only `review_id` and `reply` are read back; the rest is the review, quoted
# as data for the person answering it. Running it again is safe: a review
# answered meanwhile is skipped.

";

/// The version of the file's shape.
pub const FORMAT: u32 = 1;

/// A replies file: what `draft` writes and `respond --from` reads.
#[derive(Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct RepliesFile {
    /// The shape's version ([`FORMAT`]).
    pub format: u32,
    /// The app's id.
    #[serde(default)]
    pub app_id: Option<String>,
    /// The app's name.
    #[serde(default)]
    pub app_name: Option<String>,
    /// The records.
    #[serde(default)]
    pub reply: Vec<Record>,
}

/// One review and its reply. A person may delete any field but
/// `review_id`; a misspelt field is an error, not a silently empty reply.
#[derive(Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Record {
    /// The review's id.
    pub review_id: String,
    /// 1 to 5.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stars: Option<u8>,
    /// The territory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub territory: Option<String>,
    /// When it was written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_date: Option<String>,
    /// The reviewer's nickname.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nickname: Option<String>,
    /// The title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The start of the review's text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// The reply to send; empty: none.
    #[serde(default)]
    pub reply: String,
}

/// The template's placeholders for one review.
fn fill(template: &minijinja::Template<'_, '_>, app: &str, r: &Review) -> Result<String, String> {
    template
        .render(context! {
            nickname => r.reviewer_nickname.as_deref().unwrap_or("there"),
            app => app,
            territory => r.territory.as_deref().unwrap_or(""),
            rating => r.rating.unwrap_or(0),
            title => r.title.as_deref().unwrap_or(""),
        })
        .map(|text| text.trim().to_owned())
        .map_err(|e| describe(&e))
}

/// A template error with its cause chain, on one line.
fn describe(e: &minijinja::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(&format!(": {s}"));
        source = s.source();
    }
    sanitize(&text)
}

/// The environment with the template loaded: no auto-escaping (a reply is
/// plain text), and an unknown placeholder is an error, not an empty string.
fn environment(source: String) -> CliResult<Environment<'static>> {
    let mut env = Environment::new();
    env.set_auto_escape_callback(|_| AutoEscape::None);
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.add_template_owned("reply", source).map_err(|e| {
        CliError::usage(format!(
            "the reply template does not parse: {}",
            describe(&e)
        ))
        .hint("placeholders: {{ nickname }}, {{ app }}, {{ territory }}, {{ rating }}, {{ title }}")
    })?;
    Ok(env)
}

fn read_template(path: &Path) -> CliResult<String> {
    let big = std::fs::metadata(path).is_ok_and(|m| m.len() > MAX_TEMPLATE_BYTES);
    if big {
        return Err(CliError::usage(format!(
            "the template {} is larger than 64 KiB",
            path.display()
        )));
    }
    std::fs::read_to_string(path)
        .map_err(|e| CliError::new(format!("cannot read {}: {e}", path.display())))
}

/// The file's text for these reviews.
pub fn render(
    template: &minijinja::Template<'_, '_>,
    app_id: &str,
    app_name: &str,
    found: &[Review],
) -> CliResult<(String, usize)> {
    let mut file = RepliesFile {
        format: FORMAT,
        app_id: Some(app_id.to_owned()),
        app_name: Some(app_name.to_owned()),
        reply: Vec::new(),
    };
    let mut too_long = 0;
    for r in found {
        let reply = fill(template, app_name, r).map_err(|why| {
            CliError::usage(format!("the reply template fails: {why}"))
                .hint("placeholders: nickname, app, territory, rating, title")
        })?;
        if reply.chars().count() > MAX_RESPONSE_CHARS {
            too_long += 1;
        }
        file.reply.push(Record {
            review_id: r.id.clone(),
            stars: r.rating,
            territory: r.territory.clone(),
            created_date: r.created_date.clone(),
            nickname: r.reviewer_nickname.clone(),
            title: r.title.clone(),
            body: r.body.as_deref().map(|b| truncate(b, BODY_EXCERPT)),
            reply,
        });
    }
    let toml = toml::to_string(&file)
        .map_err(|e| CliError::new(format!("cannot write the replies as TOML: {e}")))?;
    Ok((format!("{HEADER}{toml}"), too_long))
}

/// `reviews draft`
pub fn run(ctx: &Context, args: &DraftArgs) -> CliResult {
    // Everything local is checked before the vault is opened or Apple asked.
    let source = match &args.template {
        Some(path) => read_template(path)?,
        None => DEFAULT_TEMPLATE.to_owned(),
    };
    let env = environment(source)?;
    let template = env
        .get_template("reply")
        .map_err(|e| CliError::new(describe(&e)))?;
    if !args.force && std::fs::symlink_metadata(&args.out).is_ok() {
        return Err(CliError::new(format!(
            "{} exists; not replacing it (it may hold someone's edits)",
            args.out.display()
        ))
        .hint("send it first with `reviews respond --from`, pick another --out, or pass --force"));
    }
    let client = AscSession::open(ctx, &args.asc)?.client;
    let app = crate::asc::apps::resolve(&client, &args.filter.app)?;
    let found = unanswered(&client, &app.id, &args.filter.query())?;
    let (text, too_long) = render(&template, &app.id, &app.name, &found)?;
    write(&args.out, &text, args.force)?;
    say(&format!(
        "{} repl{} to unanswered reviews of {} written to {}",
        found.len(),
        if found.len() == 1 { "y" } else { "ies" },
        sanitize(&app.name),
        args.out.display()
    ));
    if too_long > 0 {
        say(&format!(
            "warning: {too_long} repl{} longer than {MAX_RESPONSE_CHARS} characters; `respond --from` refuses the file until they are shortened",
            if too_long == 1 { "y is" } else { "ies are" }
        ));
    }
    Ok(())
}

/// The reviews without any response (a pending one is an answer too:
/// `respond --from` would skip it), page by page until `--max` of them.
fn unanswered(
    client: &crate::asc::Client,
    app_id: &str,
    query: &reviews::Query,
) -> CliResult<Vec<Review>> {
    let mut query = query.clone();
    query.unanswered = true;
    let max = query.max;
    crate::asc::path_id("app id", app_id)?;
    let mut out: Vec<Review> = Vec::new();
    // Pages as large as --max (at most 200), so a short draft costs one request.
    client.for_each_page(&reviews::list_path(app_id, &query), |page| {
        for r in reviews::from_page(page) {
            if let (Some(since), Some(created)) = (query.since, r.created())
                && created < since
            {
                if query.sort == reviews::Sort::Newest {
                    return false;
                }
                continue;
            }
            if r.response.is_none() {
                out.push(r);
            }
            if max.is_some_and(|m| out.len() >= m) {
                return false;
            }
        }
        true
    })?;
    Ok(out)
}

/// Writes the file atomically, mode 0600 (it quotes reviewers, some of whom
/// write their email or phone number), never over an existing file unless
/// `force`.
fn write(path: &Path, text: &str, force: bool) -> CliResult {
    let failed = |e: AtomicError| match (e.step, e.source.kind()) {
        (Step::Replace, std::io::ErrorKind::AlreadyExists) => CliError::new(format!(
            "{} appeared meanwhile; not replacing it",
            path.display()
        )),
        (Step::CreateTemp, _) => CliError::new(format!(
            "cannot write {}: cannot create a file in {}",
            path.display(),
            e.path.display()
        ))
        .hint("check that the folder exists and is writable"),
        _ => CliError::new(format!("cannot write {}: {}", path.display(), e.source)),
    };
    let mut tmp = AtomicFile::new(path).map_err(failed)?;
    tmp.file()
        .write_all(text.as_bytes())
        .map_err(|e| CliError::new(format!("cannot write {}: {e}", path.display())))?;
    tmp.commit(if force { Replace::Yes } else { Replace::No })
        .map_err(failed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn review(nickname: &str, title: &str, body: &str) -> Review {
        Review {
            id: "00000000-0000-4000-8000-000000000001".into(),
            rating: Some(1),
            title: Some(title.into()),
            body: Some(body.into()),
            reviewer_nickname: Some(nickname.into()),
            created_date: Some("2026-11-01T04:00:00-08:00".into()),
            territory: Some("USA".into()),
            response: None,
        }
    }

    /// Text a hostile reviewer could write: TOML and template syntax,
    /// every kind of quote, controls, invisible characters.
    const HOSTILE: &[&str] = &[
        "\"\"\"\nreply = \"pwned\"\n[[reply]]\nreview_id = \"x\"",
        "'''\n'''",
        "{{ 7 * 7 }} {% for x in range(99999999) %}x{% endfor %} {# c #}",
        "back\\slash \\u0000 \\n",
        "nul\u{0} esc\u{1b}[2J del\u{7f} c1\u{9b} cr\r lf\n tab\t",
        "bidi\u{202e}txt.exe zw\u{200b} ls\u{2028} bom\u{feff}",
        "emoji 👍🏽 and ünïcödé and 中文",
        "",
        "   surrounded by spaces   ",
        "]] [reply] # not a comment = 1",
    ];

    #[test]
    fn hostile_review_text_is_data_for_the_template_and_round_trips_through_toml() {
        let env = environment("{{ nickname }}|{{ title }}|{{ app }}".into()).unwrap();
        let t = env.get_template("reply").unwrap();
        for text in HOSTILE {
            let r = review(text, text, text);
            let (file, _) = render(&t, "1", text, std::slice::from_ref(&r)).unwrap();
            let back: RepliesFile =
                toml::from_str(&file).unwrap_or_else(|e| panic!("{text:?}: {e}\n{file}"));
            assert_eq!(back.app_name.as_deref(), Some(*text));
            let rec = &back.reply[0];
            assert_eq!(rec.nickname.as_deref(), Some(*text), "{file}");
            assert_eq!(rec.title.as_deref(), Some(*text));
            assert_eq!(rec.body.as_deref(), Some(*text));
            // The placeholders come out as written: never evaluated.
            let expected = format!("{text}|{text}|{text}");
            assert_eq!(rec.reply, expected.trim(), "{text:?}");
        }
    }

    #[test]
    fn random_review_text_round_trips_through_the_file() {
        // Characters TOML treats specially, controls, invisible and
        // astral ones, in random strings.
        const POOL: &[char] = &[
            '"',
            '\'',
            '\\',
            '\n',
            '\r',
            '\t',
            '\u{0}',
            '\u{1b}',
            '\u{7f}',
            '\u{85}',
            '\u{9b}',
            '\u{200b}',
            '\u{202e}',
            '\u{2028}',
            '\u{feff}',
            '{',
            '}',
            '%',
            '#',
            '=',
            '[',
            ']',
            ' ',
            'a',
            'é',
            '中',
            '😀',
            '\u{10ffff}',
        ];
        let env = environment("{{ title }}".into()).unwrap();
        let t = env.get_template("reply").unwrap();
        let mut rng = fastrand::Rng::with_seed(15);
        for _ in 0..300 {
            let len = rng.usize(0..40);
            let text: String = (0..len).map(|_| POOL[rng.usize(..POOL.len())]).collect();
            let r = review(&text, &text, &text);
            let (file, _) = render(&t, "1", &text, std::slice::from_ref(&r)).unwrap();
            let back: RepliesFile =
                toml::from_str(&file).unwrap_or_else(|e| panic!("{text:?}: {e}\n{file}"));
            assert_eq!(back.reply[0].title.as_deref(), Some(text.as_str()));
            assert_eq!(back.reply[0].reply, text.trim());
        }
    }

    #[test]
    fn a_long_body_is_cut_to_an_excerpt() {
        let env = environment(DEFAULT_TEMPLATE.into()).unwrap();
        let t = env.get_template("reply").unwrap();
        let r = review("n", "t", &"x".repeat(5000));
        let (file, too_long) = render(&t, "1", "App", &[r]).unwrap();
        let back: RepliesFile = toml::from_str(&file).unwrap();
        assert_eq!(
            back.reply[0].body.as_ref().unwrap().chars().count(),
            BODY_EXCERPT
        );
        assert_eq!(too_long, 0);
        assert!(back.reply[0].reply.starts_with("Hi n, thank you"));
    }

    #[test]
    fn an_unknown_placeholder_is_an_error_not_an_empty_string() {
        let env = environment("Hi {{ nickame }}".into()).unwrap();
        let t = env.get_template("reply").unwrap();
        let err = render(&t, "1", "App", &[review("n", "t", "b")]).unwrap_err();
        assert!(err.to_string().contains("template"), "{err}");
        assert!(environment("{% if %}".into()).is_err());
    }
}
