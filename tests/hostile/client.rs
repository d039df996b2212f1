//! A hostile App Store Connect against the API client (issue 11, findings
//! 3, 4 and 6): answers too large to hold, gzip bombs as sales and finance
//! reports, paging that never ends, and a proxy in the environment that
//! must never see a loopback or plain-http request.
//!
//! Most attacks are the stand-in answering with [`Fault::Answer`]; paging
//! that changes its cursor on every page, and the proxy, need a server that
//! answers each request differently or records who called: [`Fake`], a few
//! lines of HTTP/1.1 on loopback.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use asc_standin::Fault;
use asc_standin::metrics::VENDOR;
use flate2::Compression;
use flate2::write::GzEncoder;

use crate::support::ExitStatus;
use crate::support::standin::AscWorld;

/// Long enough for any of these commands on a loaded machine; an endless
/// loop (today's main) is killed after it.
const GUARD: Duration = Duration::from_secs(60);

// Finding 3: size bombs.

/// An answer of 200 with this body and content type.
fn answer(content_type: &str, body: Vec<u8>) -> Fault {
    Fault::Answer {
        status: 200,
        headers: vec![("content-type".into(), content_type.into())],
        body,
    }
}

#[test]
fn a_json_answer_over_64_mib_is_refused_naming_the_limit() {
    let w = AscWorld::new();
    // Valid JSON (an empty list padded with spaces): today's main reads all
    // of it and succeeds.
    let mut body = b"{\"data\":[]".to_vec();
    body.resize(body.len() + (65 << 20), b' ');
    body.push(b'}');
    w.server
        .fault("/v1/apps", answer("application/json", body), u32::MAX);
    w.cmd(&["apps"])
        .run()
        .fails(ExitStatus::Failure)
        .stderr_is(
            "error: the answer to GET /v1/apps is larger than 64 MiB, the most ascvault reads of one answer\n\
             hint: App Store Connect never sends so much; check --api-base (ASCVAULT_API_BASE), and report it if it persists\n",
        );
    assert_eq!(w.count("/v1/apps"), 1, "an oversized answer is not retried");
}

#[test]
fn an_answer_without_a_length_is_cut_at_the_cap() {
    // Chunked, so no Content-Length warns ahead: the cap holds as it reads.
    let chunk = "x".repeat(1000);
    let body = format!("3e8\r\n{chunk}\r\n").repeat(5) + "0\r\n\r\n";
    let fake = Fake::start(move |_| {
        format!("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n{body}")
    });
    let settings = ascvault::asc::Settings {
        max_answer_bytes: 2500,
        ..Default::default()
    };
    let transport = ascvault::asc::Transport::new(settings, None).unwrap();
    let url = reqwest::Url::parse(&format!("{}/v1/apps", fake.url())).unwrap();
    let err = transport
        .execute(reqwest::Method::GET, url, None, true, None)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "the answer to GET /v1/apps is larger than 2500 bytes, the most ascvault reads of one answer"
    );
    assert_eq!(fake.requests().len(), 1);
}

/// `bytes` of gzip-compressed `line`s, repeated (the first line is given
/// once, as a header).
fn gzip_of(header: &str, line: &str, bytes: usize) -> Vec<u8> {
    let mut gz = GzEncoder::new(Vec::new(), Compression::default());
    gz.write_all(header.as_bytes()).unwrap();
    let block = line.repeat((1 << 16) / line.len().max(1) + 1);
    let mut written = header.len();
    while written < bytes {
        gz.write_all(block.as_bytes()).unwrap();
        written += block.len();
    }
    gz.finish().unwrap()
}

/// A world whose sales and finance reports are `gz`.
fn bombed(gz: Vec<u8>) -> AscWorld {
    let w = AscWorld::new();
    for path in ["/v1/salesReports", "/v1/financeReports"] {
        w.server
            .fault(path, answer("application/a-gzip", gz.clone()), u32::MAX);
    }
    w
}

fn sales(w: &AscWorld, extra: &[&str]) -> crate::support::Cmd {
    w.metrics(&[
        "sales",
        "--vendor",
        VENDOR,
        "--frequency",
        "daily",
        "--date",
        "2026-11-20",
    ])
    .args(extra)
}

fn finance(w: &AscWorld, extra: &[&str]) -> crate::support::Cmd {
    w.metrics(&[
        "finance", "--region", "US", "--date", "2026-10", "--vendor", VENDOR,
    ])
    .args(extra)
}

#[test]
fn a_gzip_bomb_of_one_endless_line_fails_at_the_line_cap() {
    // 64 MiB of zeros in about 64 KiB: one "line" with no end. Today's main
    // decompresses it whole, takes it for a header, and prints `[]`.
    let w = bombed(gzip_of("", "\0", 64 << 20));
    for cmd in [
        sales(&w, &["--json"]),
        sales(&w, &["--summary"]),
        finance(&w, &["--json"]),
    ] {
        cmd.run()
            .fails(ExitStatus::Failure)
            .stderr_is("error: the report is not tab-separated text: line 1 is longer than 1 MiB\n")
            .stdout_lacks("[]");
    }
}

#[test]
fn a_report_over_the_decompressed_cap_fails_naming_it() {
    // 4 MiB of well-formed rows; the cap lowered to 1 MB: today's main has
    // no cap, holds it all and succeeds.
    let header =
        "Title\tUnits\tDeveloper Proceeds\tCountry Code\tCurrency of Proceeds\tApple Identifier\n";
    let w = bombed(gzip_of(header, "Bomb\t1\t0.70\tUS\tUSD\t1\n", 4 << 20));
    let capped = |cmd: crate::support::Cmd| cmd.env("ASCVAULT_MAX_REPORT_BYTES", "1000000");
    let expected = "error: the report is larger than 1000000 bytes decompressed, the most ascvault reads (ASCVAULT_MAX_REPORT_BYTES)\n\
                    hint: a small answer that decompresses to this much is a gzip bomb; if the report is genuine, set ASCVAULT_MAX_REPORT_BYTES to a larger number of bytes\n";
    for cmd in [
        sales(&w, &["--json"]),
        sales(&w, &["--summary", "--json"]),
        sales(&w, &[]),
        finance(&w, &["--json"]),
        finance(&w, &[]),
    ] {
        capped(cmd)
            .run()
            .fails(ExitStatus::Failure)
            .stderr_is(expected);
    }
    // To a file: the error, and no file, not even a partial one.
    let out = w.t.path("bomb.tsv");
    capped(sales(&w, &["--out", out.to_str().unwrap()]))
        .run()
        .fails(ExitStatus::Failure)
        .stderr_is(expected);
    assert!(!out.exists());
    let left: Vec<String> = std::fs::read_dir(w.t.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("bomb"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
    // Under the default cap (1 GiB) the same report is just a big report.
    let summary = sales(&w, &["--summary", "--json"]).run().success().json();
    assert_eq!(summary[0]["territory"], "US");
    assert!(
        summary[0]["units"].as_f64().unwrap() > 100_000.0,
        "{summary}"
    );
    // A cap that is not a number is a usage error, before any request.
    sales(&w, &["--json"])
        .env("ASCVAULT_MAX_REPORT_BYTES", "lots")
        .run()
        .fails(ExitStatus::Usage)
        .stderr_has("ASCVAULT_MAX_REPORT_BYTES is \"lots\", not a number of bytes");
}

// Finding 4: endless paging.

/// The `i`th app as a resource.
fn app(i: usize) -> serde_json::Value {
    serde_json::json!({
        "type": "apps",
        "id": format!("{}", 1_234_567_890 + i),
        "attributes": {"name": "App", "bundleId": "com.example.app"},
        "links": {"self": "x"}
    })
}

/// A list page of `items` apps whose `links.next` is `next`.
fn page(items: usize, next: &str) -> String {
    let data: Vec<serde_json::Value> = (0..items).map(app).collect();
    ok_json(&serde_json::json!({"data": data, "links": {"next": next}}))
}

/// A whole 200 answer with this JSON body.
fn ok_json(body: &serde_json::Value) -> String {
    let body = body.to_string();
    format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

#[test]
fn an_empty_page_that_links_onward_stops_paging() {
    // Every page is empty and links to a new cursor: today's main pages
    // for ever, `--max` or not.
    let fake = Fake::start_counting(|n, base, head| {
        if !head.contains("/customerReviews") {
            // `--app` is looked up first.
            return ok_json(&serde_json::json!({"data": app(0)}));
        }
        page(
            0,
            &format!("{base}/v1/apps/1234567890/customerReviews?cursor=c{n}"),
        )
    });
    let w = AscWorld::new();
    let out = w
        .cmd(&["reviews", "list", "--app", "1234567890", "--max", "5"])
        .env("ASCVAULT_API_BASE", fake.url())
        .run_with_timeout(GUARD)
        .expect("paging ended");
    out.fails(ExitStatus::Failure).stderr_is(
        "error: App Store Connect's pages of GET /v1/apps/1234567890/customerReviews do not end: page 1 is empty but links to another\n\
         hint: App Store Connect sent an answer this version cannot read; try again, and report it if it persists\n",
    );
    let pages = fake.requests();
    let pages: Vec<&String> = pages
        .iter()
        .filter(|h| h.contains("/customerReviews"))
        .collect();
    assert_eq!(pages.len(), 1, "{pages:?}");
}

#[test]
fn a_repeated_cursor_stops_paging() {
    // The same cursor each time, under a URL that differs (`&n=`): today's
    // main compares whole URLs only, and pages for ever.
    let fake =
        Fake::start_counting(|n, base, _| page(1, &format!("{base}/v1/apps?cursor=same&n={n}")));
    let w = AscWorld::new();
    let out = w
        .cmd(&["apps"])
        .env("ASCVAULT_API_BASE", fake.url())
        .run_with_timeout(GUARD)
        .expect("paging ended");
    out.fails(ExitStatus::Failure)
        .stderr_has("error: App Store Connect's pages of GET /v1/apps do not end: page 2 links back to a page already fetched\n");
    assert_eq!(fake.requests().len(), 2);
}

#[test]
fn paging_stops_at_the_page_cap() {
    // Full pages, each with a new cursor: only the cap ends them.
    let fake = Fake::start_counting(|n, base, _| page(2, &format!("{base}/v1/apps?cursor=c{n}")));
    let key = ascvault::asc::ApiKey::new(
        asc_standin::TEST_KEY_ID,
        Some(asc_standin::TEST_ISSUER_ID),
        &ascvault::vault::Secret::from(asc_standin::TEST_KEY_PEM),
    )
    .unwrap();
    let settings = ascvault::asc::Settings {
        max_pages: 7,
        ..Default::default()
    };
    let client = ascvault::asc::Client::new(&fake.url(), key, settings, None).unwrap();
    let err = ascvault::asc::apps::list(&client).unwrap_err();
    assert_eq!(
        err.to_string(),
        "App Store Connect's pages of GET /v1/apps do not end: more than 7 pages, the most ascvault follows"
    );
    assert_eq!(fake.requests().len(), 7);
    assert_eq!(ascvault::asc::client::MAX_PAGES, 10_000, "as documented");
}

// Finding 6: no proxy for plain http or loopback.

const PROXY_VARS: [&str; 6] = [
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "ALL_PROXY",
    "all_proxy",
];

#[test]
fn a_proxy_from_the_environment_never_sees_a_loopback_request() {
    // The proxy answers 502 to anything: today's main sends the token (and
    // the app-specific password, for `verify`) to it in clear text, and fails.
    let proxy = Fake::start(|_| {
        "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".into()
    });
    let w = AscWorld::new();
    w.add_password_apple_accepts("uploads");
    let proxied = |args: &[&str]| {
        PROXY_VARS
            .iter()
            .fold(w.cmd(args), |cmd, var| cmd.env(var, proxy.url()))
    };
    proxied(&["apps"])
        .run()
        .success()
        .stdout_has("Pocket Notes");
    proxied(&["verify", "uploads"]).run().success();
    proxied(&[
        "metrics",
        "sales",
        "--vendor",
        VENDOR,
        "--frequency",
        "daily",
        "--date",
        "2026-11-20",
    ])
    .run()
    .success();
    assert!(
        proxy.requests().is_empty(),
        "the proxy was contacted: {:?}",
        proxy.requests()
    );
}

#[test]
fn https_still_goes_through_the_proxy_as_a_tunnel() {
    // For https to Apple, the environment's proxy is honoured (corporate
    // networks need it): it is asked to CONNECT, and sees no token. It
    // refuses here, so nothing leaves the machine.
    let proxy = Fake::start(|_| {
        "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".into()
    });
    let w = AscWorld::new();
    let out = w
        .cmd(&[
            "apps",
            "--api-base",
            "https://api.appstoreconnect.apple.com",
        ])
        .env("HTTPS_PROXY", proxy.url())
        .run();
    assert_ne!(out.code(), 0, "{}", out.describe());
    let seen = proxy.requests();
    assert!(!seen.is_empty(), "the proxy was not asked");
    for head in &seen {
        assert!(
            head.starts_with("CONNECT api.appstoreconnect.apple.com:443 "),
            "{head}"
        );
        assert!(
            !head.to_ascii_lowercase().contains("authorization"),
            "{head}"
        );
    }
}

/// A minimal HTTP/1.1 server on loopback: one request per connection, each
/// answered with whatever `respond` returns (a whole response, head and
/// body); the request heads are kept.
struct Fake {
    port: u16,
    seen: Arc<Mutex<Vec<String>>>,
}

impl Fake {
    fn start(respond: impl Fn(&str) -> String + Send + 'static) -> Fake {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        // Runs until the test process ends; nothing waits for it.
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).is_ok_and(|n| n == 1) {
                    head.push(byte[0]);
                }
                let head = String::from_utf8_lossy(&head).into_owned();
                let reply = respond(&head);
                log.lock().unwrap().push(head);
                let _ = stream.write_all(reply.as_bytes());
            }
        });
        Fake { port, seen }
    }

    /// A server whose `respond` gets the request's number (1, 2, …), the
    /// server's own URL (to build links), and the request's head.
    fn start_counting(respond: impl Fn(usize, &str, &str) -> String + Send + 'static) -> Fake {
        let port = Arc::new(Mutex::new(0u16));
        let known = port.clone();
        let count = Arc::new(Mutex::new(0usize));
        let fake = Fake::start(move |head| {
            let n = {
                let mut c = count.lock().unwrap();
                *c += 1;
                *c
            };
            let base = format!("http://127.0.0.1:{}", known.lock().unwrap());
            respond(n, &base, head)
        });
        *port.lock().unwrap() = fake.port;
        fake
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn requests(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }
}

#[test]
fn sales_json_rows_escape_c1_and_invisible_characters() {
    // A report row whose title carries a one-byte CSI (U+009B) and a bidi
    // override: `--json` streams rows one by one, and each must be escaped
    // like every other `--json`, yet mean the same to a JSON reader.
    let title = "Evil\u{9b}2J\u{202e}App";
    let report = format!("Provider\tTitle\nAPPLE\t{title}\n");
    let mut gz = GzEncoder::new(Vec::new(), Compression::default());
    gz.write_all(report.as_bytes()).unwrap();
    let w = bombed(gz.finish().unwrap());
    let out = sales(&w, &["--json"]).run().success().into_outcome();
    let text = out.stdout();
    assert!(
        !text.contains('\u{9b}') && !text.contains('\u{202e}'),
        "raw characters in: {text:?}"
    );
    assert!(
        text.contains("\\u009b") && text.contains("\\u202e"),
        "{text}"
    );
    assert_eq!(out.json()[0]["Title"], title);
}
