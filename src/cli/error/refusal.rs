//! The hints of App Store Connect's refusals (exit 6), read from what
//! Apple sent: a 403 by its `code` and `links.see` (an agreement to accept
//! is not a role to change), a 404 by the kind of resource it did not find.

use crate::asc::{AscError, Forbidden};

/// What to do about an HTTP refusal (exit 6). A 403 is read by Apple's
/// code: an agreement to accept is not a role to change. The role words
/// are written for the commands that meet it with this hint (reviews,
/// apps); a command whose reports need another role (metrics) replaces the
/// hint where it runs. A 404 names the kind of id Apple did not find.
pub(super) fn refusal_hint(err: &AscError) -> Option<String> {
    let status = err.status()?;
    let hint = match status {
        401 => {
            "check the entry's key id and issuer id; the key may have been revoked in App Store Connect (Users and Access → Integrations)"
        }
        403 => match err.forbidden() {
            Some(Forbidden::Agreement) => AGREEMENT_HINT,
            Some(Forbidden::Other) => {
                "App Store Connect forbids this for a reason other than the key's role; Apple's code and detail above say which"
            }
            Some(Forbidden::Role) | None => {
                "the key's role lacks access to this; an Admin, App Manager or Customer Support key can work with reviews"
            }
        },
        404 => return not_found_hint(err.missing_kind().as_deref()),
        429 => "the hourly request allowance is spent; wait and try again",
        500.. => "App Store Connect is failing; try again later",
        // Apple's own code, title and detail (and associated errors) say
        // what a 400, 409 or 422 was about.
        _ => return None,
    };
    Some(hint.to_owned())
}

/// The hint for a 403 about a missing or expired agreement (any command).
const AGREEMENT_HINT: &str = "a required agreement is missing or has expired: the Account Holder must accept it in App Store Connect (Business → Agreements); until then no key works, whatever its role";

/// What to do about a 404, by the kind of resource Apple did not find.
fn not_found_hint(kind: Option<&str>) -> Option<String> {
    let hint = match kind? {
        "apps" => "check the app id; `ascvault apps` lists the apps this key can see",
        "customerReviews" => {
            "check the review id; `ascvault reviews list --app APP` shows the ids of an app's reviews"
        }
        "customerReviewResponses" => {
            "the response is gone (deleted or replaced); `ascvault reviews show REVIEW_ID` shows the current one"
        }
        "builds" => {
            "check the build id: App Store Connect's id of the build, not its version or build number; `ascvault metrics builds --app APP` lists them"
        }
        "analyticsReportRequests"
        | "analyticsReports"
        | "analyticsReportInstances"
        | "analyticsReportSegments" => {
            "`ascvault metrics reports --app APP` lists the app's reports as App Store Connect has them now"
        }
        other => {
            return Some(format!(
                "App Store Connect has no {other} with that id; check it"
            ));
        }
    };
    Some(hint.to_owned())
}
