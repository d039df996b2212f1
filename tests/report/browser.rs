//! The report in a real browser: headless Chromium (Debian's `chromium`,
//! which `.ci/run` installs) loads the page from disk, the rendered DOM has
//! every section and the charts' SVG, and the page asks the network for
//! nothing. Requests are caught by pointing Chromium at a proxy that is a
//! listener of ours on loopback: any fetch of the page (an image, a font,
//! a stylesheet) reaches it, which the negative test proves with a page
//! that has an external image. Without Chromium the tests say so and pass,
//! unless `ASCVAULT_REQUIRE_CHROMIUM=1` (CI) makes that a failure.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::{HEADINGS, report, synced_world};

/// The Chromium to use, or `None` (after saying so) when there is none and
/// none is required.
fn chromium() -> Option<PathBuf> {
    let found = ["chromium", "chromium-browser"].iter().find_map(|name| {
        std::env::var_os("PATH").and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|d| d.join(name))
                .find(|p| p.is_file())
        })
    });
    if found.is_none() {
        assert!(
            std::env::var("ASCVAULT_REQUIRE_CHROMIUM").as_deref() != Ok("1"),
            "ASCVAULT_REQUIRE_CHROMIUM=1 but no chromium on PATH (apt-get install chromium)"
        );
        eprintln!("skipped: no chromium on PATH (set ASCVAULT_REQUIRE_CHROMIUM=1 to fail instead)");
    }
    found
}

/// A proxy that answers nothing: it records the first line of every
/// request made through it (`GET http://host/…`, `CONNECT host:443`).
struct Trap {
    port: u16,
    seen: Arc<Mutex<Vec<String>>>,
}

impl Trap {
    fn start() -> Trap {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&seen);
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(mut conn) = conn else { continue };
                let _ = conn.set_read_timeout(Some(Duration::from_secs(5)));
                let mut line = String::new();
                let _ = BufReader::new(&conn).read_line(&mut line);
                log.lock().unwrap().push(line.trim().to_owned());
                let _ = conn.write_all(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n");
            }
        });
        Trap { port, seen }
    }

    /// The requests seen, except Chromium's own calls home (component and
    /// extension updates, network time, sign-in), which Debian's build
    /// makes whatever the page and despite `--disable-background-networking`.
    fn seen(&self) -> Vec<String> {
        self.seen
            .lock()
            .unwrap()
            .iter()
            .filter(|line| !CHROMIUM_OWN.contains(&host_of(line)))
            .cloned()
            .collect()
    }
}

/// The hosts Chromium itself calls, page or no page.
const CHROMIUM_OWN: &[&str] = &[
    "update.googleapis.com",
    "clients2.google.com",
    "accounts.google.com",
];

/// The host a proxy request line names: `CONNECT host:443 HTTP/1.1` or
/// `GET http://host/path HTTP/1.1`.
fn host_of(line: &str) -> &str {
    let target = line.split(' ').nth(1).unwrap_or("");
    let target = target.split_once("://").map_or(target, |(_, rest)| rest);
    let end = target.find([':', '/']).unwrap_or(target.len());
    &target[..end]
}

#[test]
fn a_request_line_names_its_host() {
    assert_eq!(
        host_of("CONNECT fonts.gstatic.com:443 HTTP/1.1"),
        "fonts.gstatic.com"
    );
    assert_eq!(
        host_of("GET http://leak.example/p.png HTTP/1.1"),
        "leak.example"
    );
    assert_eq!(
        host_of("GET http://leak.example:8080/ HTTP/1.1"),
        "leak.example"
    );
}

/// Runs headless Chromium on `page` with `args`, every request sent to
/// `trap`, its profile in `dir`; stdout.
fn run_chromium(chromium: &Path, dir: &Path, trap: &Trap, page: &Path, args: &[&str]) -> String {
    let profile = dir.join(format!("chromium-profile-{}", trap.port));
    let mut child = Command::new(chromium)
        .args([
            "--headless",
            "--disable-gpu",
            "--no-sandbox",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-default-apps",
            "--disable-extensions",
            "--disable-domain-reliability",
            "--disable-features=NetworkTimeServiceQuerying,Translate,OptimizationHints,MediaRouter",
            "--no-pings",
            "--hide-scrollbars",
            "--run-all-compositor-stages-before-draw",
            "--virtual-time-budget=3000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--proxy-server=http://127.0.0.1:{}", trap.port))
        // Loopback goes through the trap too.
        .arg("--proxy-bypass-list=<-loopback>")
        .args(args)
        .arg(format!("file://{}", page.display()))
        .env("HOME", dir)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Both streams drained as they come: a DOM bigger than a pipe's
    // buffer would otherwise stall Chromium.
    let drain = |mut r: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = r.read_to_end(&mut buf);
            String::from_utf8_lossy(&buf).into_owned()
        })
    };
    let stdout = drain(Box::new(child.stdout.take().unwrap()));
    let stderr = drain(Box::new(child.stderr.take().unwrap()));
    let deadline = Instant::now() + Duration::from_secs(90);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("chromium did not finish within 90 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let (stdout, stderr) = (stdout.join().unwrap(), stderr.join().unwrap());
    assert!(status.success(), "chromium failed: {stderr}");
    stdout
}

#[test]
fn chromium_renders_every_section_and_the_charts_and_fetches_nothing() {
    let Some(chromium) = chromium() else { return };
    let w = synced_world();
    report(&w, "report.html", &[]);
    let page = w.t.path("report.html");
    let trap = Trap::start();
    let dom = run_chromium(
        &chromium,
        w.t.path("").as_path(),
        &trap,
        &page,
        &["--dump-dom"],
    );
    for h in HEADINGS {
        assert!(
            dom.contains(&format!("<h2>{h}</h2>")),
            "no heading {h} in the DOM"
        );
    }
    assert!(
        dom.matches("<svg").count() >= 8,
        "the charts are in the DOM"
    );
    assert!(
        dom.contains("&lt;script&gt;alert("),
        "the hostile review is text"
    );
    assert!(!dom.contains("<script"), "and no script element");
    for (name, size) in [("desktop", "1280,4000"), ("phone", "390,6000")] {
        let shot = w.t.path(&format!("report-{name}.png"));
        run_chromium(
            &chromium,
            w.t.path("").as_path(),
            &trap,
            &page,
            &[
                &format!("--screenshot={}", shot.display()),
                &format!("--window-size={size}"),
            ],
        );
        let png = std::fs::read(&shot).unwrap();
        assert!(
            png.starts_with(b"\x89PNG") && png.len() > 20_000,
            "{name}: {} bytes",
            png.len()
        );
        // To look at them: ASCVAULT_REPORT_SCREENSHOTS=DIR keeps a copy.
        if let Some(keep) = std::env::var_os("ASCVAULT_REPORT_SCREENSHOTS") {
            let keep = PathBuf::from(keep);
            std::fs::copy(&shot, keep.join(format!("report-{name}.png"))).unwrap();
            std::fs::copy(&page, keep.join("report.html")).unwrap();
        }
    }
    assert_eq!(trap.seen(), Vec::<String>::new(), "the page made requests");
}

/// The check above would see an external resource: a page with an
/// external image makes a request the trap records. And the report's own
/// Content-Security-Policy stops the same image injected into the report.
#[test]
fn the_request_trap_catches_an_external_image_the_report_policy_blocks() {
    let Some(chromium) = chromium() else { return };
    let w = synced_world();
    let html = report(&w, "report.html", &[]);
    let dir = w.t.path("");
    let img = "<img src=\"http://leak.example/pixel.png\" alt=\"\">";
    let bare = w.t.path("leak.html");
    std::fs::write(&bare, format!("<!DOCTYPE html><p>hello</p>{img}")).unwrap();
    let trap = Trap::start();
    let dom = run_chromium(&chromium, &dir, &trap, &bare, &["--dump-dom"]);
    assert!(dom.contains("hello"));
    let seen = trap.seen();
    assert!(
        seen.iter().any(|l| l.contains("leak.example")),
        "the trap saw {seen:?}"
    );
    let injected = w.t.path("injected.html");
    std::fs::write(
        &injected,
        html.replacen("<main>", &format!("<main>{img}"), 1),
    )
    .unwrap();
    let trap = Trap::start();
    run_chromium(&chromium, &dir, &trap, &injected, &["--dump-dom"]);
    assert_eq!(
        trap.seen(),
        Vec::<String>::new(),
        "the policy let a request out"
    );
}
