//! Heuristics that pick out reviews likely to break Apple's rules, each
//! finding naming its reason: profanity or abuse, personal information
//! (emails, phone numbers), spam (links, promo codes, repeated text), and
//! mentions of competitors the user names.
//!
//! Profanity: the `rustrict` crate (a maintained English filter that sees
//! through spacing, accents, look-alike letters and self-censoring), plus a
//! short list of common swear words in German, French, Spanish, Italian,
//! Portuguese and Dutch, matched as whole words — no maintained,
//! permissively licensed multi-language list crate was found.
//! These are hints for a person to read, never verdicts.

use std::sync::LazyLock;

use regex::Regex;
use rustrict::{Censor, Type};
use serde::Serialize;

/// Why a review was flagged.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reason {
    /// Profanity, slurs, sexual or abusive language.
    Profanity,
    /// An email address or phone number.
    PersonalInfo,
    /// Links, promo codes, repeated text.
    Spam,
    /// Mentions a competitor given with `--competitor`.
    Competitor,
}

impl Reason {
    /// The name used in output: `profanity`, `personal-info`, `spam`, `competitor`.
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Profanity => "profanity",
            Reason::PersonalInfo => "personal-info",
            Reason::Spam => "spam",
            Reason::Competitor => "competitor",
        }
    }
}

/// One finding: the reason and what in the text triggered it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The reason.
    pub reason: Reason,
    /// What was found, in words.
    pub detail: String,
}

/// Common swear words outside English, as (language, word); whole words only.
const OTHER_LANGUAGES: &[(&str, &str)] = &[
    ("de", "scheiße"),
    ("de", "scheisse"),
    ("de", "arschloch"),
    ("de", "wichser"),
    ("de", "hurensohn"),
    ("de", "fotze"),
    ("fr", "merde"),
    ("fr", "putain"),
    ("fr", "connard"),
    ("fr", "connasse"),
    ("fr", "salope"),
    ("fr", "enculé"),
    ("es", "mierda"),
    ("es", "gilipollas"),
    ("es", "cabrón"),
    ("es", "coño"),
    ("es", "joder"),
    ("es", "pendejo"),
    ("it", "cazzo"),
    ("it", "stronzo"),
    ("it", "vaffanculo"),
    ("it", "merda"),
    ("it", "coglione"),
    ("pt", "caralho"),
    ("pt", "porra"),
    ("pt", "foda-se"),
    ("nl", "klootzak"),
    ("nl", "godverdomme"),
];

static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}\b")
        .expect("valid regex")
});
// A run of digits with the usual separators; counted below (9–15 digits),
// so dates (8 digits) and version numbers do not count.
static PHONE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\+?\(?\d[\d\s().-]{6,}\d").expect("valid regex"));
static LINK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:https?://\S+|www\.\S+|[a-z0-9-]+\.(?:com|net|org|io|app|ly|gg|xyz|co|me|link|shop)\b(?:/\S*)?)")
        .expect("valid regex")
});
static PROMO: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:promo|coupon|discount|referral|invite|voucher|bonus)\s*code\b|\buse\s+code\s+[a-z0-9]{4,}\b")
        .expect("valid regex")
});
static WORD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[\p{L}\p{N}'-]+").expect("valid regex"));

/// Checks a review's title and body; `competitors` are names to look for.
pub fn check(text: &str, competitors: &[String]) -> Vec<Finding> {
    let mut out = Vec::new();
    // Addresses are not words: keep them away from the word filter.
    let no_email = EMAIL.replace_all(text, " ");
    let no_link = LINK.replace_all(&no_email, " ");
    let words_only = PHONE.replace_all(&no_link, " ").into_owned();
    profanity(&words_only, &mut out);
    personal_info(text, &mut out);
    spam(text, &mut out);
    let lower = text.to_lowercase();
    for name in competitors {
        let name = name.trim();
        if name.is_empty() {
            continue;
        }
        let pattern = format!(
            r"(?i)(?:^|[^\p{{L}}\p{{N}}]){}(?:$|[^\p{{L}}\p{{N}}])",
            regex::escape(name)
        );
        let hit = Regex::new(&pattern)
            .map(|re| re.is_match(text))
            .unwrap_or_else(|_| lower.contains(&name.to_lowercase()));
        if hit {
            out.push(Finding {
                reason: Reason::Competitor,
                detail: format!("mentions {name:?}"),
            });
        }
    }
    out
}

fn profanity(text: &str, out: &mut Vec<Finding>) {
    let analysis = Censor::from_str(text).analyze();
    if analysis.is(Type::INAPPROPRIATE) {
        let mut kinds = Vec::new();
        for (t, name) in [
            (Type::PROFANE, "profane"),
            (Type::OFFENSIVE, "offensive"),
            (Type::SEXUAL, "sexual"),
            (Type::MEAN, "abusive"),
        ] {
            if analysis.is(t & Type::MODERATE_OR_HIGHER) {
                kinds.push(name);
            }
        }
        let severity = if analysis.is(Type::SEVERE) {
            "severe"
        } else {
            "moderate"
        };
        if kinds.is_empty() {
            kinds.push("inappropriate");
        }
        out.push(Finding {
            reason: Reason::Profanity,
            detail: format!("{} language ({severity})", kinds.join(", ")),
        });
        return;
    }
    let lower = text.to_lowercase();
    for word in WORD.find_iter(&lower) {
        let w = word.as_str().trim_matches(|c| c == '\'' || c == '-');
        if let Some((lang, bad)) = OTHER_LANGUAGES.iter().find(|(_, bad)| *bad == w) {
            out.push(Finding {
                reason: Reason::Profanity,
                detail: format!("swear word {bad:?} ({lang})"),
            });
            return;
        }
    }
}

fn personal_info(text: &str, out: &mut Vec<Finding>) {
    if let Some(m) = EMAIL.find(text) {
        out.push(Finding {
            reason: Reason::PersonalInfo,
            detail: format!("email address {:?}", m.as_str()),
        });
    }
    let without_emails = EMAIL.replace_all(text, " ");
    for m in PHONE.find_iter(&without_emails) {
        let digits = m.as_str().chars().filter(char::is_ascii_digit).count();
        if (9..=15).contains(&digits) {
            out.push(Finding {
                reason: Reason::PersonalInfo,
                detail: format!("phone number {:?}", m.as_str().trim()),
            });
            break;
        }
    }
}

fn spam(text: &str, out: &mut Vec<Finding>) {
    let without_emails = EMAIL.replace_all(text, " ");
    if let Some(m) = LINK.find(&without_emails) {
        out.push(Finding {
            reason: Reason::Spam,
            detail: format!("link {:?}", m.as_str()),
        });
    }
    if let Some(m) = PROMO.find(text) {
        out.push(Finding {
            reason: Reason::Spam,
            detail: format!("promo code ({:?})", m.as_str()),
        });
    }
    if let Some(what) = repeated(text) {
        out.push(Finding {
            reason: Reason::Spam,
            detail: what,
        });
    }
}

/// A word said four times in a row, a character twelve times, or the same
/// sentence three times.
fn repeated(text: &str) -> Option<String> {
    let lower = text.to_lowercase();
    let words: Vec<&str> = WORD.find_iter(&lower).map(|m| m.as_str()).collect();
    for w in words.windows(4) {
        if w[0].chars().count() >= 2 && w.iter().all(|x| *x == w[0]) {
            return Some(format!("repeated text ({:?} ×4 or more)", w[0]));
        }
    }
    let mut run = 0;
    let mut prev = None;
    for c in lower.chars() {
        if Some(c) == prev && !c.is_whitespace() {
            run += 1;
            if run >= 12 {
                return Some(format!("repeated character {c:?}"));
            }
        } else {
            run = 1;
            prev = Some(c);
        }
    }
    let sentences: Vec<String> = lower
        .split(['.', '!', '?', '\n'])
        .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|s| s.chars().count() >= 8)
        .collect();
    for s in &sentences {
        if sentences.iter().filter(|t| *t == s).count() >= 3 {
            return Some(format!("repeated sentence {s:?}"));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reasons(text: &str) -> Vec<&'static str> {
        check(text, &["Rival Notes".into()])
            .iter()
            .map(|f| f.reason.as_str())
            .collect()
    }

    #[test]
    fn clean_reviews_are_not_flagged() {
        for t in [
            "Great app, works well since version 2.3.1",
            "Updated on 2024-05-01 and the sync is faster.",
            "I would pay 10 dollars for this. Assassin-level good.",
            "Lost my notes after the update, please fix",
        ] {
            assert!(reasons(t).is_empty(), "{t}: {:?}", check(t, &[]));
        }
    }

    #[test]
    fn each_reason_is_named() {
        assert_eq!(reasons("this app is shit"), ["profanity"]);
        assert_eq!(reasons("f u c k this app"), ["profanity"]);
        assert_eq!(reasons("Quelle merde, rien ne marche"), ["profanity"]);
        assert_eq!(reasons("Das ist Scheiße"), ["profanity"]);
        assert_eq!(reasons("mail me at jo.doe@example.com"), ["personal-info"]);
        assert_eq!(reasons("call +1 (555) 123-4567 now"), ["personal-info"]);
        assert_eq!(reasons("get it free at https://cheap.example/x"), ["spam"]);
        assert_eq!(reasons("use code SAVE50 for a discount"), ["spam"]);
        assert_eq!(reasons("buy buy buy buy"), ["spam"]);
        assert_eq!(reasons("Rival Notes does this better"), ["competitor"]);
        assert!(reasons("rival notes is better").contains(&"competitor"));
        assert!(reasons("Rival Notesy").is_empty());
    }
}
