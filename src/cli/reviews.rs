//! `ascvault reviews …`: list, show, respond, delete-response, flag, report.

pub(super) mod archive;

use serde_json::{Value, json};

use super::args::asc::{
    AscArgs, DeleteResponseArgs, FilterArgs, FlagArgs, ListArgs, ReportArgs, ReportReason,
    RespondArgs, ReviewsCommand, ShowArgs, SortArg,
};
use super::asc::AscSession;
use super::context::Context;
use super::error::{CliError, CliResult};
use super::output::{Table, csv_cell, print, print_json, sanitize, say, truncate};
use crate::asc::flag::{self, Finding};
use crate::asc::reviews::{self, Query, Review, Sort};

mod batch;
mod draft;
pub(super) mod figures;
mod summary;

/// Apple's longest developer response, in characters.
const MAX_RESPONSE_CHARS: usize = 5970;

impl ReportReason {
    fn text(self) -> &'static str {
        match self {
            ReportReason::Offensive => "This review contains offensive or abusive language.",
            ReportReason::Spam => {
                "This review is spam or advertising (links, promo codes or repeated text)."
            }
            ReportReason::OffTopic => "This review is not about the app's features or content.",
            ReportReason::PersonalInfo => {
                "This review contains personal information, such as an email address or a phone number."
            }
            ReportReason::Other => "This review does not follow the App Store's rules for reviews.",
        }
    }
}

impl FilterArgs {
    fn query(&self) -> Query {
        Query {
            ratings: self.rating.clone(),
            territories: self.territory.clone(),
            unanswered: self.unanswered,
            sort: match self.sort {
                SortArg::Newest => Sort::Newest,
                SortArg::Oldest => Sort::Oldest,
                SortArg::Best => Sort::Best,
                SortArg::Worst => Sort::Worst,
            },
            since: self.since,
            max: self.max.map(|m| m as usize),
        }
    }
}

/// `reviews …`
pub fn run(ctx: &Context, command: &ReviewsCommand) -> CliResult {
    match command {
        ReviewsCommand::List(a) => list(ctx, a),
        ReviewsCommand::Show(a) => show(ctx, a),
        ReviewsCommand::Respond(a) => respond(ctx, a),
        ReviewsCommand::DeleteResponse(a) => delete_response(ctx, a),
        ReviewsCommand::Flag(a) => flag_reviews(ctx, a),
        ReviewsCommand::Report(a) => report(ctx, a),
        ReviewsCommand::Summary(a) => summary::run(ctx, a),
        ReviewsCommand::Draft(a) => draft::run(ctx, a),
        ReviewsCommand::Stats(a) => archive::stats(ctx, a),
    }
}

fn to_json<T: serde::Serialize>(v: &T) -> CliResult<Value> {
    Ok(serde_json::to_value(v)?)
}

fn stars(rating: Option<u8>) -> String {
    let n = rating.unwrap_or(0).min(5) as usize;
    format!("{}{}", "★".repeat(n), "☆".repeat(5 - n))
}

/// The day of a review (sanitized: the server wrote it).
fn date_of(r: &Review) -> String {
    r.created_date
        .as_deref()
        .map(|d| sanitize(&d.chars().take(10).collect::<String>()))
        .unwrap_or_default()
}

fn one_line(text: Option<&str>) -> String {
    text.unwrap_or("")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn fetch(ctx: &Context, filter: &FilterArgs, asc: &AscArgs) -> CliResult<Vec<Review>> {
    let client = AscSession::open(ctx, asc)?.client;
    let app = crate::asc::apps::resolve(&client, &filter.app)?;
    ctx.verbose(format!(
        "app {} ({})",
        sanitize(&app.id),
        sanitize(&app.name)
    ));
    Ok(reviews::list(&client, &app.id, &filter.query())?)
}

fn list(ctx: &Context, args: &ListArgs) -> CliResult {
    let found = match &args.archive {
        Some(path) => archive::list(ctx, &args.filter, path.as_deref())?,
        None => fetch(ctx, &args.filter, &args.asc)?,
    };
    if args.json {
        // Streamed straight from the records: the same bytes as through a
        // `Value` or a whole `String`, without building either.
        return super::output::print_json_of(&found);
    }
    if args.csv {
        return print(&csv_of(&found)?);
    }
    if found.is_empty() {
        say("no reviews match");
        return Ok(());
    }
    let mut table = Table::new(&["ID", "DATE", "STARS", "TERR", "NICKNAME", "TITLE", "BODY"]);
    for r in &found {
        table.row(vec![
            r.id.clone(),
            date_of(r),
            stars(r.rating),
            r.territory.clone().unwrap_or_default(),
            truncate(&one_line(r.reviewer_nickname.as_deref()), 20),
            truncate(&one_line(r.title.as_deref()), 30),
            truncate(&one_line(r.body.as_deref()), 50),
        ]);
    }
    print(&table.render())
}

fn csv_of(found: &[Review]) -> CliResult<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let err = |e: csv::Error| CliError::new(format!("cannot write CSV: {e}"));
    w.write_record([
        "id",
        "created_date",
        "rating",
        "territory",
        "reviewer_nickname",
        "title",
        "body",
        "response_state",
        "response_body",
    ])
    .map_err(err)?;
    for r in found {
        // Every text cell is someone else's (a reviewer's or Apple's); the
        // rating is ours, a number that never starts a formula.
        let clean = |s: Option<&str>| csv_cell(s.unwrap_or(""));
        w.write_record([
            clean(Some(&r.id)),
            clean(r.created_date.as_deref()),
            r.rating.map(|x| x.to_string()).unwrap_or_default(),
            clean(r.territory.as_deref()),
            clean(r.reviewer_nickname.as_deref()),
            clean(r.title.as_deref()),
            clean(r.body.as_deref()),
            clean(r.response.as_ref().and_then(|x| x.state.as_deref())),
            clean(r.response.as_ref().and_then(|x| x.body.as_deref())),
        ])
        .map_err(err)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| CliError::new(format!("cannot write CSV: {e}")))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

fn describe(r: &Review) -> String {
    let mut lines = vec![
        ("review", r.id.clone()),
        ("date", r.created_date.clone().unwrap_or_default()),
        ("stars", stars(r.rating)),
        ("territory", r.territory.clone().unwrap_or_default()),
        ("nickname", r.reviewer_nickname.clone().unwrap_or_default()),
        ("title", one_line(r.title.as_deref())),
    ];
    let mut out = String::new();
    for (k, v) in lines.drain(..) {
        out.push_str(&format!("{:<11}{}\n", format!("{k}:"), sanitize(&v)));
    }
    out.push('\n');
    for line in r.body.as_deref().unwrap_or("").lines() {
        out.push_str(&format!("  {}\n", sanitize(line)));
    }
    match &r.response {
        Some(resp) => {
            out.push_str(&format!(
                "\nresponse {} ({}, {}):\n",
                sanitize(&resp.id),
                sanitize(resp.state.as_deref().unwrap_or("?")),
                sanitize(resp.last_modified_date.as_deref().unwrap_or("?"))
            ));
            for line in resp.body.as_deref().unwrap_or("").lines() {
                out.push_str(&format!("  {}\n", sanitize(line)));
            }
        }
        None => out.push_str("\n(no developer response)\n"),
    }
    out
}

fn show(ctx: &Context, args: &ShowArgs) -> CliResult {
    let client = AscSession::open(ctx, &args.asc)?.client;
    let review = reviews::get(&client, &args.review_id)?;
    if args.json {
        return print_json(&to_json(&review)?);
    }
    print(&describe(&review))
}

fn response_text(args: &RespondArgs) -> CliResult<String> {
    let text = match (&args.body, &args.body_file) {
        (Some(b), _) => b.clone(),
        (None, Some(path)) if path.as_os_str() == "-" => {
            let mut s = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin(), &mut s)
                .map_err(|e| CliError::new(format!("cannot read standard input: {e}")))?;
            s
        }
        (None, Some(path)) => std::fs::read_to_string(path)
            .map_err(|e| CliError::new(format!("cannot read {}: {e}", path.display())))?,
        (None, None) => return Err(CliError::usage("give --body or --body-file")),
    };
    let text = text.trim().to_owned();
    if text.is_empty() {
        return Err(CliError::usage("the response is empty"));
    }
    let n = text.chars().count();
    if n > MAX_RESPONSE_CHARS {
        return Err(CliError::usage(format!(
            "the response has {n} characters; App Store Connect takes at most {MAX_RESPONSE_CHARS}"
        )));
    }
    Ok(text)
}

fn respond(ctx: &Context, args: &RespondArgs) -> CliResult {
    if let Some(from) = &args.from {
        return batch::run(ctx, args, from);
    }
    if args.dry_run {
        // Checked here too: a dry run must never send.
        return Err(CliError::usage("--dry-run needs --from FILE"));
    }
    let Some(review_id) = args.review_id.as_deref() else {
        return Err(CliError::usage("give a review id, or --from FILE"));
    };
    let text = response_text(args)?;
    let client = AscSession::open(ctx, &args.asc)?.client;
    let resp = reviews::respond(&client, review_id, &text)?;
    archive::record_response(ctx, review_id, Some(&resp));
    if args.json {
        let mut v = to_json(&resp)?;
        v["review_id"] = json!(review_id);
        return print_json(&v);
    }
    print(&format!(
        "response {} to review {}: {}\n",
        sanitize(&resp.id),
        sanitize(review_id),
        sanitize(resp.state.as_deref().unwrap_or("?"))
    ))?;
    if resp.state.as_deref() == Some("PENDING_PUBLISH") {
        say("Apple publishes it after a check; `ascvault reviews show` tells when it is PUBLISHED");
    }
    Ok(())
}

fn delete_response(ctx: &Context, args: &DeleteResponseArgs) -> CliResult {
    let client = AscSession::open(ctx, &args.asc)?.client;
    match reviews::delete_response(&client, &args.review_id)? {
        Some(resp) => {
            archive::record_response(ctx, &args.review_id, None);
            say(&format!(
                "deleted response {} to review {}",
                sanitize(&resp.id),
                sanitize(&args.review_id)
            ));
            Ok(())
        }
        None => Err(CliError::new(format!(
            "review {} has no developer response",
            sanitize(&args.review_id)
        ))),
    }
}

fn flag_reviews(ctx: &Context, args: &FlagArgs) -> CliResult {
    let found = fetch(ctx, &args.filter, &args.asc)?;
    let flagged: Vec<(&Review, Vec<Finding>)> = found
        .iter()
        .map(|r| (r, flag::check(&r.text(), &args.competitor)))
        .filter(|(_, f)| !f.is_empty())
        .collect();
    if args.json {
        let rows: Vec<Value> = flagged
            .iter()
            .map(|(r, f)| Ok(json!({ "review": to_json(r)?, "findings": to_json(f)? })))
            .collect::<CliResult<_>>()?;
        return print_json(&Value::Array(rows));
    }
    say(&format!(
        "{} of {} reviews flagged",
        flagged.len(),
        found.len()
    ));
    if flagged.is_empty() {
        return Ok(());
    }
    let mut table = Table::new(&["ID", "DATE", "STARS", "REASON", "DETAIL", "TITLE"]);
    for (r, findings) in &flagged {
        for f in findings {
            table.row(vec![
                r.id.clone(),
                date_of(r),
                stars(r.rating),
                f.reason.as_str().to_owned(),
                truncate(&f.detail, 60),
                truncate(&one_line(r.title.as_deref()), 30),
            ]);
        }
    }
    print(&table.render())
}

/// App Store Connect's ratings-and-reviews page of an app. The id comes
/// from the server and goes into an address that is printed and opened: only
/// a numeric id is taken, so it can neither carry escapes to the terminal
/// nor point the browser elsewhere (`../`, `?`, `#`).
fn ratings_page(app_id: &str) -> CliResult<String> {
    if !crate::asc::apps::is_app_id(app_id) {
        return Err(CliError::new(format!(
            "App Store Connect sent an app id that is not a number: {:?}",
            sanitize(&truncate(app_id, 40))
        ))
        .hint("that is not an answer Apple gives; check --api-base"));
    }
    Ok(format!(
        "https://appstoreconnect.apple.com/apps/{app_id}/distribution/activity/ios/ratingsResponses"
    ))
}

fn report(ctx: &Context, args: &ReportArgs) -> CliResult {
    let client = AscSession::open(ctx, &args.asc)?.client;
    let review = reviews::get(&client, &args.review_id)?;
    let app = match &args.app {
        Some(app) => crate::asc::apps::resolve(&client, app)?,
        None => {
            let mut apps = crate::asc::apps::list(&client)?;
            if apps.len() != 1 {
                return Err(CliError::usage(format!(
                    "this key sees {} apps: say which one the review belongs to",
                    apps.len()
                ))
                .hint("pass --app APP (id or bundle id); the API links no review to its app"));
            }
            apps.remove(0)
        }
    };
    let page = ratings_page(&app.id)?;
    say(
        "Apple's API cannot file a concern about a review: only the App Store Connect web page can.",
    );
    let mut paste = args.reason.text().to_owned();
    if let Some(d) = &args.details {
        paste.push(' ');
        paste.push_str(d.trim());
    }
    let mut out = format!("page:      {page}\n");
    out.push_str(&format!(
        "review:    {} — {} {} {} by {}: {}\n",
        sanitize(&review.id),
        date_of(&review),
        stars(review.rating),
        sanitize(review.territory.as_deref().unwrap_or("")),
        sanitize(review.reviewer_nickname.as_deref().unwrap_or("?")),
        sanitize(&one_line(review.title.as_deref()))
    ));
    out.push_str(&format!(
        "app:       {} ({})\n",
        sanitize(&app.name),
        sanitize(&app.bundle_id)
    ));
    out.push_str(&format!("paste:     {}\n", sanitize(&paste)));
    print(&out)?;
    say(
        "On the page: find the review, choose \"Report a Concern\", pick the closest reason and paste the text.",
    );
    if args.print {
        return Ok(());
    }
    open_browser(&page).map_err(|e| {
        CliError::new(format!("cannot open a browser: {e}"))
            .hint("open the address printed above yourself, or pass --print")
    })
}

/// Opens `page` with the platform's opener (xdg-open, `open`, …), as
/// `open::that_detached` would, but without the vault passphrase in its
/// environment: the browser it starts, and every helper that browser runs,
/// would inherit it. The first opener that starts and does not fail at
/// once wins; one still running after a moment has handed the page off.
fn open_browser(page: &str) -> std::io::Result<()> {
    use std::process::Stdio;
    use std::time::{Duration, Instant};
    let mut failure = None;
    for mut command in open::commands(page) {
        command
            .env_remove(super::secrets::PASSPHRASE_ENV)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        #[cfg(unix)]
        {
            // Its own process group: a Ctrl-C in this terminal is not the browser's.
            use std::os::unix::process::CommandExt;
            command.process_group(0);
        }
        let mut child = match command.spawn() {
            Ok(child) => child,
            Err(e) => {
                failure.get_or_insert(e);
                continue;
            }
        };
        let start = Instant::now();
        loop {
            match child.try_wait()? {
                Some(status) if status.success() => return Ok(()),
                Some(status) => {
                    failure = Some(std::io::Error::other(format!(
                        "{} failed ({status})",
                        command.get_program().to_string_lossy()
                    )));
                    break;
                }
                None if start.elapsed() >= Duration::from_millis(250) => return Ok(()),
                None => std::thread::sleep(Duration::from_millis(10)),
            }
        }
    }
    Err(failure.unwrap_or_else(|| std::io::Error::other("no browser opener found")))
}
