//! `sync --notify URL`: each newly archived review posted to a webhook as
//! Slack-compatible JSON (`{"text": …}`), once: a review is marked sent in
//! the archive only after the webhook accepted it, so a failure leaves it
//! queued for the next `sync --notify`. The address is never printed (a
//! Slack webhook's path is its secret): messages name its host only.

use std::time::Duration;

use serde_json::json;
use url::Url;

use crate::archive::Archive;
use crate::asc::reviews::Review;
use crate::cli::output::{sanitize, truncate};

/// Attempts per review (the first and two retries).
const ATTEMPTS: u32 = 3;
/// The longest review body quoted, in characters.
const MAX_BODY: usize = 500;

/// What sending the queue did.
#[derive(Debug, Default)]
pub struct Sent {
    /// Reviews delivered.
    pub sent: usize,
    /// Reviews still queued, with the last failure of each.
    pub failed: Vec<(String, String)>,
}

/// Escapes text for Slack's mrkdwn (`&`, `<`, `>`), so a review cannot
/// make a link or a mention (`<!channel>`), after removing control
/// characters.
fn slack_escape(text: &str) -> String {
    sanitize(text)
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The message for a review of the app `app_id` called `app_name`.
pub fn message(app_id: &str, app_name: &str, r: &Review) -> serde_json::Value {
    let n = r.rating.unwrap_or(0).min(5) as usize;
    let stars = format!("{}{}", "★".repeat(n), "☆".repeat(5 - n));
    let mut text = format!(
        "{stars} New {n}-star review of {} ({}) by {}",
        slack_escape(&truncate(app_name, 80)),
        slack_escape(&truncate(r.territory.as_deref().unwrap_or("?"), 8)),
        slack_escape(&truncate(r.reviewer_nickname.as_deref().unwrap_or("?"), 60)),
    );
    if let Some(title) = r.title.as_deref().filter(|t| !t.trim().is_empty()) {
        text.push_str(&format!(
            "\n*{}*",
            slack_escape(&truncate(title.trim(), 200))
        ));
    }
    let body: Vec<String> = r
        .body
        .as_deref()
        .unwrap_or("")
        .lines()
        .map(slack_escape)
        .collect();
    let body = truncate(body.join("\n").trim(), MAX_BODY);
    if !body.is_empty() {
        text.push('\n');
        text.push_str(&body);
    }
    // Only a numeric app id goes into the link (it came from the server).
    if crate::asc::apps::is_app_id(app_id) {
        text.push_str(&format!(
            "\n<https://appstoreconnect.apple.com/apps/{app_id}/distribution/activity/ios/ratingsResponses|Reply in App Store Connect>"
        ));
    }
    json!({ "text": text })
}

fn host_of(url: &Url) -> String {
    url.host_str().unwrap_or("?").to_owned()
}

/// Posts one message, retrying network failures, 429 and 5xx.
fn post(
    client: &reqwest::blocking::Client,
    url: &Url,
    body: &serde_json::Value,
    retry_base: Duration,
) -> Result<(), String> {
    let mut last = String::new();
    for attempt in 0..ATTEMPTS {
        if attempt > 0 {
            std::thread::sleep(retry_base * 2u32.pow(attempt - 1));
        }
        match client.post(url.clone()).json(body).send() {
            Ok(resp) if resp.status().is_success() => return Ok(()),
            Ok(resp) => {
                let status = resp.status();
                last = format!("the webhook at {} answered {status}", host_of(url));
                if !(status.is_server_error() || status.as_u16() == 429) {
                    break;
                }
            }
            Err(e) => {
                // Without the address: it may carry the webhook's secret.
                last = format!(
                    "cannot reach the webhook at {}: {}",
                    host_of(url),
                    e.without_url()
                );
            }
        }
    }
    Err(last)
}

/// Sends every queued notification, oldest first; each delivered review is
/// marked sent at once (its own transaction).
pub fn send_queue(
    archive: &Archive,
    url: &Url,
    retry_base: Duration,
) -> Result<Sent, crate::archive::ArchiveError> {
    let mut out = Sent::default();
    let queue = archive.pending_notifications()?;
    if queue.is_empty() {
        return Ok(out);
    }
    let names: std::collections::HashMap<String, String> = archive
        .apps()?
        .into_iter()
        .map(|a| (a.id, a.name))
        .collect();
    let client = match reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(15))
        .redirect(reqwest::redirect::Policy::none())
        .build()
    {
        Ok(c) => c,
        Err(e) => {
            let why = format!("cannot set up HTTP: {}", e.without_url());
            out.failed
                .extend(queue.into_iter().map(|(_, r)| (r.id, why.clone())));
            return Ok(out);
        }
    };
    for (app_id, review) in queue {
        let name = names.get(&app_id).map_or("?", String::as_str);
        match post(&client, url, &message(&app_id, name, &review), retry_base) {
            Ok(()) => {
                archive.mark_notified(&review.id)?;
                out.sent += 1;
            }
            Err(why) => out.failed.push((review.id, why)),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_review_cannot_make_links_or_mentions_in_slack() {
        let r = Review {
            id: "r".into(),
            rating: Some(1),
            title: Some("<!channel> hi".into()),
            body: Some("see <https://evil.example|bank> & \u{1b}[31m".into()),
            reviewer_nickname: Some("x".into()),
            created_date: None,
            territory: Some("USA".into()),
            response: None,
        };
        let text = message("123", "App", &r)["text"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(text.contains("&lt;!channel&gt;"), "{text}");
        assert!(
            text.contains("&lt;https://evil.example|bank&gt; &amp;"),
            "{text}"
        );
        assert!(!text.contains('\u{1b}'));
        assert!(text.contains("<https://appstoreconnect.apple.com/apps/123/"));
    }
}
