//! The daily snapshots `sync` takes of what Apple only shows as "the
//! latest" (spec/ARCHIVE.md §5d): an app's review summaries and its power
//! and performance metrics, once per app and UTC day.

use super::SyncError;
use crate::archive::{Archive, SnapshotKind};
use crate::asc::perf::{self, Target};
use crate::asc::summaries::{self, Platform};
use crate::asc::{AscError, Client};

/// What became of one kind of snapshot.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Taken {
    /// Not asked for.
    #[default]
    Skipped,
    /// Stored now: how many summaries (1 for the perf document).
    Stored(usize),
    /// There was one of today already: nothing asked.
    AlreadyToday,
    /// Apple answered 403 or 404 (the summaries or metrics are not offered
    /// for this app, or this key may not read them): nothing stored.
    NotOffered(u16),
}

/// What a snapshot pass did for an app.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SnapshotReport {
    /// Apple's review summaries.
    pub summaries: Taken,
    /// The perf document.
    pub perf: Taken,
}

/// Takes today's snapshots of `app_id` (`day` is today, UTC,
/// `YYYY-MM-DD`) that the archive does not hold yet, each stored in one
/// statement. Summaries are asked for every platform.
pub fn snapshots(
    client: &Client,
    archive: &Archive,
    app_id: &str,
    day: &str,
) -> Result<SnapshotReport, SyncError> {
    let summaries = take(archive, app_id, SnapshotKind::Summaries, day, || {
        let query = summaries::Query {
            platforms: vec![
                Platform::Ios,
                Platform::MacOs,
                Platform::TvOs,
                Platform::VisionOs,
            ],
            territories: Vec::new(),
        };
        let list = summaries::list(client, app_id, &query)?;
        let body = serde_json::to_string(&list).map_err(|e| AscError::Decode {
            request: "GET /v1/apps/{id}/customerReviewSummarizations".into(),
            path: String::new(),
            message: e.to_string(),
        })?;
        Ok((body, list.len()))
    })?;
    let perf = take(archive, app_id, SnapshotKind::Perf, day, || {
        let got = perf::metrics(client, &Target::App(app_id.to_owned()), &[], None)?;
        Ok((got.raw.to_string(), 1))
    })?;
    Ok(SnapshotReport { summaries, perf })
}

fn take(
    archive: &Archive,
    app_id: &str,
    kind: SnapshotKind,
    day: &str,
    fetch: impl FnOnce() -> Result<(String, usize), AscError>,
) -> Result<Taken, SyncError> {
    if archive.has_snapshot(app_id, kind, day)? {
        return Ok(Taken::AlreadyToday);
    }
    match fetch() {
        Ok((body, n)) => {
            archive.put_snapshot(app_id, kind, day, &body)?;
            Ok(Taken::Stored(n))
        }
        Err(AscError::Refused {
            status: status @ (403 | 404),
            ..
        }) => Ok(Taken::NotOffered(status)),
        Err(e) => Err(e.into()),
    }
}
