//! `ascvault reviews draft`: one record per unanswered review in a TOML
//! file (0600, never overwritten by accident), replies filled from a
//! minijinja template, and hostile review text kept as data — neither
//! evaluated by the template nor able to break the TOML.

use std::path::Path;

use super::{APP, BUNDLE, review};
use crate::support::ExitStatus;
use crate::support::standin::AscWorld;

/// The file's records, parsed.
#[track_caller]
pub fn records(path: &Path) -> Vec<toml::Table> {
    let text = std::fs::read_to_string(path).unwrap();
    let doc: toml::Table = toml::from_str(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    doc.get("reply")
        .and_then(|r| r.as_array())
        .map(|a| a.iter().map(|r| r.as_table().unwrap().clone()).collect())
        .unwrap_or_default()
}

fn field<'a>(rec: &'a toml::Table, name: &str) -> &'a str {
    rec.get(name).and_then(|v| v.as_str()).unwrap_or("")
}

#[test]
fn draft_writes_one_record_per_unanswered_review_0600_and_never_overwrites() {
    let w = AscWorld::new();
    // Someone answered review 1 already (pending): not drafted.
    w.cmd(&["reviews", "respond", &review(1), "--body", "Thanks!"])
        .run()
        .success();
    let out = w.t.path("replies.toml");
    let out_s = out.to_str().unwrap();
    // --max counts the records drafted, not the reviews looked at.
    w.cmd(&[
        "reviews", "draft", "--app", BUNDLE, "--max", "3", "--out", out_s,
    ])
    .run()
    .success()
    .stderr_has("3 replies to unanswered reviews of Pocket Notes written to");
    let recs = records(&out);
    let ids: Vec<&str> = recs.iter().map(|r| field(r, "review_id")).collect();
    assert_eq!(ids, [review(0), review(2), review(3)]);
    let first = &recs[0];
    assert_eq!(first["stars"].as_integer(), Some(1));
    assert_eq!(field(first, "territory"), "USA");
    assert_eq!(field(first, "nickname"), "reviewer000");
    assert_eq!(field(first, "title"), "Terrible");
    assert!(field(first, "body").starts_with("This app is shit"));
    assert!(
        field(first, "reply")
            .starts_with("Hi reviewer000, thank you for taking the time to review Pocket Notes."),
        "{first:?}"
    );
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.starts_with("# Replies drafted by `ascvault reviews draft`"));
    assert!(text.contains("app_name = \"Pocket Notes\""));
    // Only unanswered reviews were asked for.
    let r = &w.server.requests_to(super::REVIEWS_PATH)[0];
    assert_eq!(
        r.param("exists[publishedResponse]").as_deref(),
        Some("false")
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&out).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    // A second draft would lose someone's edits: refused, unless --force.
    std::fs::write(&out, "# edited by hand\n").unwrap();
    let before = w.count("/v1/");
    w.cmd(&["reviews", "draft", "--app", APP, "--out", out_s])
        .run()
        .fails(ExitStatus::Failure)
        .stderr_has("exists; not replacing it");
    assert_eq!(w.count("/v1/"), before, "refused before any request");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "# edited by hand\n");
    w.cmd(&[
        "reviews", "draft", "--app", APP, "--max", "2", "--out", out_s, "--force",
    ])
    .run()
    .success();
    assert_eq!(records(&out).len(), 2);
}

#[test]
fn a_template_fills_the_placeholders_and_hostile_review_text_stays_data() {
    let w = AscWorld::new();
    let hostile_title =
        "{{ 7 * 7 }} {% raw %}\"\"\"\n[[reply]]\nreview_id = \"x\"\nreply = '''pwned'''";
    let hostile_nick = "Bob\u{1b}[2J {# c #} \\ \u{0}";
    {
        let mut data = w.server.shared().data.lock().unwrap();
        let r = data.reviews.iter_mut().find(|r| r.id == review(0)).unwrap();
        r.title = Some(hostile_title.into());
        r.nickname = hostile_nick.into();
        r.body = "{% for x in range(100000000) %}x{% endfor %}".into();
    }
    let template = w.t.path("reply.j2");
    std::fs::write(
        &template,
        "Dear {{ nickname }}, {{ rating }}★ from {{ territory }} on \"{{ title }}\": {{ app }} thanks you.\n",
    )
    .unwrap();
    let out = w.t.path("replies.toml");
    w.cmd(&[
        "reviews",
        "draft",
        "--app",
        APP,
        "--max",
        "1",
        "--template",
        template.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ])
    .run()
    .success();
    let recs = records(&out);
    assert_eq!(recs.len(), 1, "one record, whatever the title says");
    let rec = &recs[0];
    assert_eq!(field(rec, "review_id"), review(0));
    assert_eq!(field(rec, "title"), hostile_title);
    assert_eq!(field(rec, "nickname"), hostile_nick);
    assert_eq!(
        field(rec, "reply"),
        format!(
            "Dear {hostile_nick}, 1★ from USA on \"{hostile_title}\": Pocket Notes thanks you."
        )
    );
    assert!(!field(rec, "reply").contains("49"));
}

#[test]
fn a_template_that_does_not_parse_or_names_an_unknown_placeholder_is_a_usage_error() {
    let w = AscWorld::new();
    let template = w.t.path("reply.j2");
    let out = w.t.path("replies.toml");
    let draft = |w: &AscWorld| {
        w.cmd(&[
            "reviews",
            "draft",
            "--app",
            APP,
            "--max",
            "1",
            "--template",
            template.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ])
    };
    std::fs::write(&template, "Hi {% if %}").unwrap();
    draft(&w)
        .run()
        .fails(ExitStatus::Usage)
        .stderr_has("the reply template does not parse");
    assert_eq!(w.count("/v1/"), 0, "checked before any request");
    std::fs::write(&template, "Hi {{ nickame }}").unwrap();
    draft(&w)
        .run()
        .fails(ExitStatus::Usage)
        .stderr_has("the reply template fails");
    assert!(!out.exists(), "nothing written");
}
