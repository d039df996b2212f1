//! `sync --notify`: each newly archived review posted once to a webhook (a
//! loopback receiver here), failures reported with the archive's progress
//! kept and the review posted at the next sync.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};

use serde_json::Value;

use super::{APP, add_review, archive, inspect};
use crate::support::ExitStatus;
use crate::support::standin::AscWorld;

/// A webhook on loopback: records each JSON body, answers `status`.
struct Receiver {
    url: String,
    bodies: Arc<Mutex<Vec<Value>>>,
    status: Arc<AtomicU16>,
}

impl Receiver {
    fn start() -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!(
            "http://127.0.0.1:{}/services/T000/B000/secretpart",
            listener.local_addr().unwrap().port()
        );
        let bodies = Arc::new(Mutex::new(Vec::new()));
        let status = Arc::new(AtomicU16::new(200));
        let (b, s) = (bodies.clone(), status.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut length = 0usize;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        break;
                    }
                    let lower = line.to_ascii_lowercase();
                    if let Some(v) = lower.strip_prefix("content-length:") {
                        length = v.trim().parse().unwrap_or(0);
                    }
                    if line == "\r\n" {
                        break;
                    }
                }
                let mut body = vec![0; length];
                if reader.read_exact(&mut body).is_err() {
                    continue;
                }
                let code = s.load(Ordering::SeqCst);
                if code == 200 {
                    b.lock()
                        .unwrap()
                        .push(serde_json::from_slice(&body).unwrap());
                }
                let _ = write!(
                    stream,
                    "HTTP/1.1 {code} X\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok"
                );
            }
        });
        Receiver {
            url,
            bodies,
            status,
        }
    }

    fn texts(&self) -> Vec<String> {
        self.bodies
            .lock()
            .unwrap()
            .iter()
            .map(|v| v["text"].as_str().unwrap().to_owned())
            .collect()
    }
}

#[test]
fn notify_posts_each_new_review_once_with_its_stars_and_link() {
    let w = AscWorld::new();
    let hook = Receiver::start();
    w.cmd(&[
        "sync",
        "--app",
        APP,
        "--notify",
        &hook.url,
        "--notify-stars",
        "1",
    ])
    .run()
    .success();
    let ones = w
        .cmd(&[
            "reviews",
            "list",
            "--archive",
            "--app",
            APP,
            "--rating",
            "1",
            "--json",
        ])
        .run()
        .success()
        .json();
    let texts = hook.texts();
    assert_eq!(texts.len(), ones.as_array().unwrap().len());
    assert!(
        texts
            .iter()
            .all(|t| t.starts_with("★☆☆☆☆ New 1-star review of Pocket Notes"))
    );
    assert!(texts[0].contains(
        "<https://appstoreconnect.apple.com/apps/1234567890/distribution/activity/ios/ratingsResponses|"
    ));
    // Nothing new: nothing posted. One new 1-star review: one post.
    w.cmd(&[
        "sync",
        "--app",
        APP,
        "--notify",
        &hook.url,
        "--notify-stars",
        "1",
    ])
    .run()
    .success();
    assert_eq!(hook.texts().len(), texts.len());
    add_review(
        &w.server,
        APP,
        "99999999-0000-4000-8000-000000000002",
        1,
        "Broken <!channel>",
    );
    add_review(
        &w.server,
        APP,
        "99999999-0000-4000-8000-000000000003",
        5,
        "Great",
    );
    w.cmd(&[
        "sync",
        "--app",
        APP,
        "--notify",
        &hook.url,
        "--notify-stars",
        "1,2",
    ])
    .run()
    .success();
    let after = hook.texts();
    assert_eq!(after.len(), texts.len() + 1, "only the 1-star review");
    let last = after.last().unwrap();
    assert!(last.contains("*Broken &lt;!channel&gt;*"), "{last}");
    assert!(last.contains("(GBR) by newcomer"), "{last}");
}

#[test]
fn a_failing_webhook_keeps_the_archive_and_posts_at_the_next_sync() {
    let w = AscWorld::new();
    w.cmd(&["sync", "--app", APP]).run().success();
    let hook = Receiver::start();
    hook.status.store(500, Ordering::SeqCst);
    add_review(
        &w.server,
        APP,
        "99999999-0000-4000-8000-000000000004",
        2,
        "Meh",
    );
    let out = w
        .cmd(&["sync", "--app", APP, "--notify", &hook.url])
        .run()
        .fails(ExitStatus::Failure);
    let err = out.stderr();
    assert!(err.contains("1 notification(s) could not be sent"), "{err}");
    assert!(err.contains("500"), "{err}");
    assert!(
        !err.contains("secretpart"),
        "the webhook's address stays secret: {err}"
    );
    assert_eq!(inspect(&archive(&w)), ("ok".into(), 451), "progress kept");
    hook.status.store(200, Ordering::SeqCst);
    w.cmd(&["sync", "--app", APP, "--notify", &hook.url])
        .run()
        .success();
    let texts = hook.texts();
    assert_eq!(texts.len(), 1, "{texts:?}");
    assert!(texts[0].contains("*Meh*"));
    w.cmd(&["sync", "--app", APP, "--notify", &hook.url])
        .run()
        .success();
    assert_eq!(hook.texts().len(), 1, "never twice");
}

#[test]
fn notify_refuses_plain_http_to_another_host() {
    let w = AscWorld::new();
    w.cmd(&["sync", "--notify", "http://hooks.example.com/x"])
        .run()
        .exits(ExitStatus::Usage);
}
