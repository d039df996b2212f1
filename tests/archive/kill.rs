//! SIGKILL at random moments during a sync: after each kill the archive
//! passes `PRAGMA integrity_check`, and a resumed sync completes the
//! history without paging it again from the start.

use std::collections::HashSet;
use std::time::Duration;

use super::{PRO_REVIEWS, add_bulk, archive, inspect};
use crate::support::standin::AscWorld;

const N: usize = 6000;

#[test]
fn a_sync_killed_at_random_moments_leaves_a_sound_archive_that_resumes() {
    let w = AscWorld::new();
    add_bulk(&w.server, N);
    let mut counts = Vec::new();
    let mut kills = 0;
    for round in 0..6 {
        let delay = Duration::from_millis(fastrand::u64(30..400) + 60 * round);
        let out = w
            .cmd(&["sync", "--app", asc_standin::seed::PRO_APP_ID])
            .run_with_timeout(delay);
        if out.is_some() {
            // It finished before the kill: the rest is the resumed sync.
            break;
        }
        kills += 1;
        let path = archive(&w);
        if path.exists() {
            let (check, n) = inspect(&path);
            assert_eq!(check, "ok", "round {round} after {delay:?}");
            counts.push(n);
        }
    }
    assert!(kills > 0, "no sync was killed");
    assert!(
        counts.windows(2).all(|p| p[0] <= p[1]),
        "nothing archived is lost: {counts:?}"
    );
    let pages_before = w.count(PRO_REVIEWS);
    w.cmd(&["sync", "--app", asc_standin::seed::PRO_APP_ID])
        .run()
        .success();
    let (check, n) = inspect(&archive(&w));
    assert_eq!((check.as_str(), n), ("ok", N as i64));
    // The resumed sync fetched the newest page (to stop at the first
    // archived review) and then only the pages not archived yet.
    let resumed = w.count(PRO_REVIEWS) - pages_before;
    let done = counts.last().copied().unwrap_or(0) as usize;
    let left = (N - done).div_ceil(200);
    assert!(
        resumed <= left + 2,
        "{resumed} requests for {left} pages left"
    );
    let conn = rusqlite::Connection::open(archive(&w)).unwrap();
    let mut st = conn.prepare("SELECT id FROM reviews").unwrap();
    let ids: HashSet<String> = st
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let want: HashSet<String> = (0..N).map(asc_standin::seed::bulk_review_id).collect();
    assert_eq!(ids, want);
    assert_eq!(
        conn.query_row(
            "SELECT complete FROM review_sync WHERE app_id = ?1",
            [asc_standin::seed::PRO_APP_ID],
            |r| r.get::<_, i64>(0)
        )
        .unwrap(),
        1
    );
}

#[test]
fn two_syncs_at_once_are_serialized() {
    let w = AscWorld::new();
    add_bulk(&w.server, 2000);
    let a = w
        .cmd(&["sync", "--app", asc_standin::seed::PRO_APP_ID])
        .spawn();
    let b = w
        .cmd(&["sync", "--app", asc_standin::seed::PRO_APP_ID])
        .spawn();
    a.wait().success();
    b.wait().success();
    assert_eq!(inspect(&archive(&w)), ("ok".into(), 2000));
    // The second found the history complete: one request, not ten more.
    assert!(w.count(PRO_REVIEWS) <= 11, "{}", w.count(PRO_REVIEWS));
}
