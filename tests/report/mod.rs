//! `ascvault report`: the HTML page an archive makes (sections, escaping
//! of hostile reviews, no external resource, 0600, errors), and the same
//! page in a real browser ([`browser`]).

mod browser;

use asc_standin::{Standin, seed};

use crate::support::standin::AscWorld;
use crate::support::{Env, ExitStatus};

/// Every section heading the page has, in order.
pub const HEADINGS: &[&str] = &[
    "Rating trend and volume per week",
    "Distribution of stars",
    "Answered share and time to answer",
    "Flagged reviews",
    "Apple’s review summary",
    "Downloads and proceeds",
    "Performance metrics",
];

/// A review written to break the page: markup, an external image, quotes
/// that would leave an attribute, bidi overrides, control characters, an
/// email (so it is flagged) and 100,000 characters of body.
pub fn add_hostile_review(server: &Standin) {
    let mut body = String::from(
        "<script>alert('x')</script><img src=\"https://evil.example/pixel.png\"> \
         \" onmouseover=\"alert(1)\" write me at hostile@example.com \u{202E}gnp.exe\u{202C} bell\u{7}",
    );
    body.push_str(&"A".repeat(100_000));
    let mut data = server.shared().data.lock().unwrap();
    data.reviews.push(asc_standin::state::Review {
        id: "hostile-1".into(),
        app_id: seed::NOTES_APP_ID.into(),
        rating: 1,
        title: Some("<b>bold</b> <a href=\"http://evil.example/\">click</a>".into()),
        body,
        nickname: "<i>nick</i>".into(),
        created: "2026-11-20T09:00:00-08:00".into(),
        territory: "USA".into(),
    });
}

/// A vault whose api-key entry has a vendor number (so `sync` archives
/// sales too), a stand-in with the hostile review, and a full `sync`.
pub fn synced_world() -> AscWorld {
    let t = Env::new();
    t.init()
        .add_key_with("asc", "TESTKEY001", &["--vendor-number", "85012345"]);
    let w = AscWorld {
        t,
        server: Standin::start(),
    };
    add_hostile_review(&w.server);
    w.cmd(&["sync", "--app", seed::NOTES_APP_ID])
        .run()
        .success();
    w
}

/// Runs `report` into `name` in the test's folder; the page.
pub fn report(w: &AscWorld, name: &str, extra: &[&str]) -> String {
    let out = w.t.path(name);
    let before = w.server.requests().len();
    // No passphrase: the archive alone answers.
    w.t.bare(&["report", "--app", seed::NOTES_BUNDLE_ID, "--out"])
        .arg(&out)
        .args(extra)
        .run()
        .success()
        .stdout_has(name);
    assert_eq!(w.server.requests().len(), before, "no request to Apple");
    std::fs::read_to_string(&out).unwrap()
}

/// The values of every `attr="…"` in the page.
fn attribute_values<'a>(html: &'a str, attr: &str) -> Vec<&'a str> {
    let needle = format!("{attr}=");
    html.match_indices(&needle)
        .filter_map(|(i, _)| {
            let rest = &html[i + needle.len()..];
            // An attribute's value is quoted; `src=&quot;` is text.
            let quote = rest.chars().next()?;
            ['"', '\'']
                .contains(&quote)
                .then(|| rest[1..].split(quote).next().unwrap_or(""))
        })
        .collect()
}

#[test]
fn the_report_has_every_section_and_escapes_a_hostile_review() {
    let w = synced_world();
    let html = report(&w, "report.html", &[]);
    for h in HEADINGS {
        assert!(html.contains(&format!("<h2>{h}</h2>")), "no section {h}");
    }
    assert!(html.contains("Pocket Notes"), "the app's name");
    // The hostile review is there, flagged, as text only.
    assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
    assert!(html.contains("&lt;b&gt;bold&lt;/b&gt;"));
    assert!(html.contains("&quot; onmouseover=&quot;alert(1)&quot;"));
    assert!(html.contains("personal-info"), "the flag's reason");
    assert!(!html.contains("<script"), "no script at all");
    assert!(!html.contains("<img"), "no image element");
    assert!(!html.contains("<i>nick"));
    assert!(!html.contains('\u{202E}') && !html.contains('\u{7}'));
    // 100,000 characters of body are cut to an excerpt.
    assert!(!html.contains(&"A".repeat(1000)));
    assert!(html.len() < 2_000_000, "{} bytes", html.len());
    // Nothing is fetched: no src or href anywhere points outside.
    for attr in ["src", "href", "xlink:href", "action", "poster", "data"] {
        for v in attribute_values(&html, attr) {
            assert!(
                !v.contains("//") && !v.to_ascii_lowercase().starts_with("http"),
                "{attr}={v}"
            );
        }
    }
    assert!(!html.contains("url("), "no CSS url()");
    assert!(!html.contains("@import") && !html.contains("@font-face"));
    assert!(html.contains("Content-Security-Policy") && html.contains("default-src 'none'"));
    assert!(html.contains("name=\"viewport\"") && html.contains("@media print"));
    // Charts: inline SVG, from the same plotting code as `metrics chart`.
    assert!(html.matches("<svg").count() >= 8, "charts drawn");
    // Sales were archived: downloads and proceeds, not the empty line.
    assert!(!html.contains("no sales archived"), "sales shown");
    assert!(html.contains("<span>first-time downloads</span>") && html.contains("USD"));
    // Apple's summary and the perf snapshot, its regression highlighted.
    assert!(html.contains("Customers like how fast and simple Pocket Notes is"));
    assert!(html.contains("<div class=\"regression\"><b>Regression: LAUNCH launchTime</b>"));
    assert!(html.contains(
        "<tr class=\"regressed\"><td data-label=\"category\">LAUNCH</td><td data-label=\"metric\">launchTime</td>"
    ));
    // --since cuts the sales days too.
    let recent = report(&w, "recent.html", &["--since", "2026-11-01"]);
    assert!(
        recent.contains("archived days, 2026-11-01 to "),
        "sales since"
    );
}

/// Snapshots are Apple's text: a hostile summary and perf document are
/// escaped like reviews.
#[test]
fn hostile_snapshots_are_escaped() {
    let w = AscWorld::new();
    w.cmd(&["sync", "--app", seed::NOTES_APP_ID])
        .run()
        .success();
    let summaries = serde_json::json!([{
        "id": "s1", "territory": "<b>USA</b>", "platform": "IOS", "locale": "en\u{202E}US",
        "created_date": "2099-01-01T00:00:00Z", "currency": "USD",
        "text": "<script>alert(1)</script> \"quoted\" 'single'",
    }]);
    let perf = serde_json::json!({
        "insights": {"regressions": [{
            "metric": "\"><svg onload=alert(1)>", "metricCategory": "LAUNCH",
            "summaryString": "<img src=https://evil.example/x.png>", "highImpact": true,
        }]},
        "productData": [],
    });
    let conn = rusqlite::Connection::open(w.t.path("ascvault.archive.sqlite")).unwrap();
    for (kind, body) in [("summaries", summaries), ("perf", perf)] {
        conn.execute(
            "INSERT OR REPLACE INTO snapshots (app_id, kind, day, fetched_unix, body)
             VALUES (?1, ?2, '2099-01-01', 0, ?3)",
            rusqlite::params![seed::NOTES_APP_ID, kind, body.to_string()],
        )
        .unwrap();
    }
    drop(conn);
    let html = report(&w, "report.html", &[]);
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &quot;quoted&quot; &#39;single&#39;")
    );
    assert!(html.contains("&lt;b&gt;USA&lt;/b&gt;") && html.contains("enUS"));
    assert!(html.contains("&quot;&gt;&lt;svg onload=alert(1)&gt;"));
    assert!(html.contains("&lt;img src=https://evil.example/x.png&gt;"));
    assert!(!html.contains("<script") && !html.contains("<img") && !html.contains("<svg onload"));
    assert!(html.contains("as archived on 2099-01-01"));
}

#[cfg(unix)]
#[test]
fn the_report_is_written_0600_and_replaces_an_older_one() {
    use std::os::unix::fs::PermissionsExt;
    let w = AscWorld::new();
    w.cmd(&["sync", "--app", seed::NOTES_APP_ID])
        .run()
        .success();
    std::fs::write(w.t.path("r.html"), "old").unwrap();
    let html = report(&w, "r.html", &[]);
    assert!(html.starts_with("<!DOCTYPE html>"));
    let mode = std::fs::metadata(w.t.path("r.html"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
}

#[test]
fn a_section_without_data_says_so_in_one_line() {
    // No vendor number: sync archives reviews, no sales.
    let w = AscWorld::new();
    w.cmd(&["sync", "--app", seed::NOTES_APP_ID])
        .run()
        .success();
    let html = report(&w, "report.html", &[]);
    for h in HEADINGS {
        assert!(html.contains(&format!("<h2>{h}</h2>")), "no section {h}");
    }
    assert!(
        html.contains("<p class=\"empty\">no sales archived for this period: run <code>ascvault sync --sales</code>"),
        "the sales section says what to run"
    );
}

#[test]
fn since_limits_the_review_figures() {
    let w = AscWorld::new();
    w.cmd(&["sync", "--app", seed::NOTES_APP_ID])
        .run()
        .success();
    let count = |extra: &[&str]| {
        w.t.bare(&[
            "reviews",
            "list",
            "--archive",
            "--app",
            seed::NOTES_APP_ID,
            "--json",
        ])
        .args(extra)
        .run()
        .success()
        .json()
        .as_array()
        .unwrap()
        .len()
    };
    let all = count(&[]);
    let recent = count(&["--since", "2026-10-20"]);
    assert!(recent < all);
    let html = report(&w, "all.html", &[]);
    assert!(html.contains(&format!("<b>{all}</b><span>reviews</span>")));
    let html = report(&w, "recent.html", &["--since", "2026-10-20"]);
    assert!(html.contains(&format!("<b>{recent}</b><span>reviews</span>")));
    assert!(html.contains("since 2026-10-20"));
}

#[test]
fn an_unknown_app_fails_as_reviews_list_archive_does() {
    let w = AscWorld::new();
    w.cmd(&["sync", "--app", seed::NOTES_APP_ID])
        .run()
        .success();
    let list =
        w.t.bare(&["reviews", "list", "--archive", "--app", "com.example.none"])
            .run();
    let report =
        w.t.bare(&["report", "--app", "com.example.none", "--out"])
            .arg(w.t.path("r.html"))
            .run()
            .fails(ExitStatus::Failure);
    assert_eq!(report.stderr(), list.stderr());
    assert_eq!(report.code(), list.code());
    assert!(!w.t.path("r.html").exists());
}

#[test]
fn a_report_into_a_missing_folder_names_the_folder() {
    let w = AscWorld::new();
    w.cmd(&["sync", "--app", seed::NOTES_APP_ID])
        .run()
        .success();
    let out = w.t.path("no/such/folder/r.html");
    w.t.bare(&["report", "--app", seed::NOTES_APP_ID, "--out"])
        .arg(&out)
        .run()
        .fails(ExitStatus::Failure)
        .stderr_has("the folder")
        .stderr_has("does not exist");
}

#[test]
fn a_report_without_an_archive_says_to_sync_first() {
    let t = Env::new();
    t.bare(&["report", "--app", "x", "--out"])
        .arg(t.path("r.html"))
        .run()
        .fails(ExitStatus::Failure)
        .stderr_has("ascvault sync");
}
