//! The hygiene findings of spec/MERGE.md §4, on documents.

use super::{Facts, GitFacts, check};
use crate::vault::merge::tests::{doc, pw_entry};
use crate::vault::{Document, Entry, Secret, Timestamp};

fn facts(work_factor: u8) -> Facts {
    Facts {
        work_factor: Some(work_factor),
        mode: Some(0o600),
        git: None,
        now: Timestamp::from_unix(1_700_000_000 + 10 * 86_400),
        max_age_days: 365,
    }
}

fn checks(d: &Document, f: &Facts) -> Vec<&'static str> {
    check(d, f).iter().map(|f| f.check).collect()
}

#[test]
fn check_finds_nothing_in_a_healthy_vault() {
    let d = doc(&[&pw_entry("a", 0)]);
    assert!(check(&d, &facts(18)).is_empty());
}

#[test]
fn check_finds_each_problem() {
    let a = pw_entry("a", 0);
    let mut b = pw_entry("b", 1);
    b.apple_id = Some("other@example.com".into());
    // Same password as `a`, written differently: still one secret.
    b.password = Some(Secret::from("ABCD EFGH IJKL MNOP"));
    let d = doc(&[&a, &b]);
    let mut f = facts(18);
    assert_eq!(checks(&d, &f), ["duplicate-secret"]);
    f.now = Timestamp::from_unix(1_700_000_000 + 400 * 86_400);
    assert_eq!(
        checks(&d, &f),
        ["old-entry", "old-entry", "duplicate-secret"]
    );
    f.max_age_days = 500;
    f.work_factor = Some(17);
    f.mode = Some(0o644);
    assert_eq!(
        checks(&d, &f),
        ["duplicate-secret", "weak-work-factor", "file-permissions"]
    );
    f.git = Some(GitFacts {
        tracked: true,
        textconv_cache: true,
        ..GitFacts::default()
    });
    let found = check(&d, &f);
    let git = found.iter().find(|x| x.check == "git-attributes").unwrap();
    assert!(git.message.contains("merge=ascvault"), "{}", git.message);
    assert!(git.advice.contains("git setup"));
    assert!(found.iter().any(|x| x.check == "git-cachetextconv"));
}

#[test]
fn check_counts_active_passwords_per_apple_id() {
    let mut entries: Vec<Entry> = (0..26)
        .map(|i| {
            let mut e = pw_entry(&format!("p{i}"), i);
            e.password = Some(Secret::from(format!("aaaa-bbbb-cccc-{:04}", i).as_str()));
            e
        })
        .collect();
    let d = Document {
        entries: entries.clone(),
        ..Document::default()
    };
    assert_eq!(checks(&d, &facts(18)), ["password-limit"]);
    entries[0].revoke(Timestamp::from_unix(1_700_000_100));
    let d = Document {
        entries,
        ..Document::default()
    };
    assert!(checks(&d, &facts(18)).is_empty());
}
