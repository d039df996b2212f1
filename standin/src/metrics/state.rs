//! The metrics side's state: analytics report requests, reports, instances
//! and segments (in memory, or in files for large generated reports), the
//! Admin role, the segment downloads seen, each segment's defects, and the
//! builds.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};

use axum::body::Bytes;

use super::builds::BuildRecord;
use super::{gzip, md5_hex, segments};
use crate::faults::{Fault, Faults};

/// A deliberate defect of one segment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SegmentFault {
    /// The listed checksum is not the MD5 of the bytes.
    WrongChecksum,
    /// The listed size is one byte more than what is served.
    WrongSize,
    /// The gzip stream is cut in half (listed size and checksum match the
    /// cut bytes, so only the decompressor notices).
    Truncated,
    /// The next `n` downloads send half the bytes, then drop the connection
    /// (a [`Fault::Cut`] queued for the segment's URL).
    FailHalfway(u32),
    /// Answers 403, like an expired pre-signed URL.
    Expired,
}

/// A request for a segment, as the stand-in saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SegmentFetch {
    /// The segment id.
    pub segment: String,
    /// Whether an `Authorization` header came with it (it must not).
    pub authorization: bool,
}

#[derive(Clone, Debug)]
pub(super) enum Content {
    Memory(Bytes),
    File(PathBuf),
}

#[derive(Clone, Debug)]
pub(super) struct Segment {
    pub(super) content: Content,
    pub(super) size: u64,
    pub(super) md5: String,
    /// What is wrong with the listing or the URL; a cut download is a fault
    /// queued for the URL instead.
    pub(super) defect: Option<SegmentFault>,
}

#[derive(Clone, Debug)]
pub(super) struct Instance {
    pub(super) id: String,
    pub(super) granularity: String,
    pub(super) date: String,
    pub(super) segments: Vec<String>,
}

#[derive(Clone, Debug)]
pub(super) struct Report {
    pub(super) id: String,
    pub(super) request: String,
    pub(super) name: String,
    pub(super) category: String,
    pub(super) instances: Vec<Instance>,
}

#[derive(Clone, Debug)]
pub(super) struct Request {
    pub(super) id: String,
    pub(super) app: String,
    pub(super) access: String,
}

#[derive(Debug, Default)]
pub(super) struct Inner {
    pub(super) admin: bool,
    pub(super) builds: Vec<BuildRecord>,
    pub(super) requests: Vec<Request>,
    pub(super) reports: Vec<Report>,
    pub(super) segments: HashMap<String, Segment>,
    pub(super) next_id: u64,
    pub(super) segment_log: Vec<SegmentFetch>,
}

/// The metrics side's state.
#[derive(Debug)]
pub struct MetricsState {
    inner: Mutex<Inner>,
    /// Faults for segment URLs, queued here because this state is built
    /// (and may be given defects) before the server exists; the front door
    /// consults this queue after the server's own.
    faults: Faults,
}

impl Default for MetricsState {
    fn default() -> Self {
        MetricsState::new()
    }
}

impl MetricsState {
    /// The seeded state: an ONGOING request for [`APP_ID`](super::APP_ID)
    /// with two reports.
    pub fn new() -> MetricsState {
        let state = MetricsState {
            inner: Mutex::new(Inner {
                admin: true,
                builds: super::builds::seed(),
                ..Inner::default()
            }),
            faults: Faults::default(),
        };
        state.seed();
        state
    }

    pub(super) fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The faults queued for segment URLs.
    pub(crate) fn faults(&self) -> &Faults {
        &self.faults
    }

    pub(super) fn add_request(&self, app: &str, access: &str) -> String {
        let mut inner = self.lock();
        inner.next_id += 1;
        let id = format!("req-{:04}", inner.next_id);
        inner.requests.push(Request {
            id: id.clone(),
            app: app.to_owned(),
            access: access.to_owned(),
        });
        id
    }

    /// Adds a report to a request: instances of (granularity, date,
    /// uncompressed segment contents). Returns the segment ids in order.
    pub(super) fn add_report(
        &self,
        request: &str,
        name: &str,
        category: &str,
        instances: Vec<(&str, &str, Vec<Vec<u8>>)>,
    ) -> Vec<String> {
        let mut inner = self.lock();
        inner.next_id += 1;
        let report_id = format!("rep-{:04}", inner.next_id);
        let mut all = Vec::new();
        let mut out = Vec::new();
        for (g, date, contents) in instances {
            inner.next_id += 1;
            let inst_id = format!("inst-{:04}", inner.next_id);
            let mut segs = Vec::new();
            for (i, text) in contents.into_iter().enumerate() {
                let id = format!("{inst_id}-seg-{i}");
                let gz = gzip(&text);
                inner.segments.insert(
                    id.clone(),
                    Segment {
                        size: gz.len() as u64,
                        md5: md5_hex(&gz),
                        content: Content::Memory(Bytes::from(gz)),
                        defect: None,
                    },
                );
                segs.push(id.clone());
                all.push(id);
            }
            out.push(Instance {
                id: inst_id,
                granularity: g.to_owned(),
                date: date.to_owned(),
                segments: segs,
            });
        }
        inner.reports.push(Report {
            id: report_id,
            request: request.to_owned(),
            name: name.to_owned(),
            category: category.to_owned(),
            instances: out,
        });
        all
    }

    /// Every build, in the order added.
    pub fn builds(&self) -> Vec<BuildRecord> {
        self.lock().builds.clone()
    }

    /// Adds a build (a test's own, e.g. one with hostile text).
    pub fn add_build(&self, build: BuildRecord) {
        self.lock().builds.push(build);
    }

    /// Whether the key has the Admin role (creating a request needs it).
    pub fn set_admin(&self, admin: bool) {
        self.lock().admin = admin;
    }

    /// The segment ids of a report, in order (instances oldest first).
    pub fn segment_ids(&self, report: &str) -> Vec<String> {
        let inner = self.lock();
        let mut instances: Vec<&Instance> = inner
            .reports
            .iter()
            .filter(|r| r.name == report)
            .flat_map(|r| &r.instances)
            .collect();
        instances.sort_by(|a, b| a.date.cmp(&b.date));
        instances
            .into_iter()
            .flat_map(|i| i.segments.clone())
            .collect()
    }

    /// Gives a segment a defect (replacing the one it had).
    pub fn fault_segment(&self, id: &str, fault: SegmentFault) {
        let mut inner = self.lock();
        let Some(seg) = inner.segments.get_mut(id) else {
            panic!("no segment {id}");
        };
        let url = segments::path(id);
        self.faults.clear_path(&url);
        seg.defect = Some(fault);
        match fault {
            SegmentFault::FailHalfway(n) => {
                seg.defect = None;
                self.faults.add_exact(&url, Fault::Cut, n.max(1));
            }
            SegmentFault::Truncated => {
                if let Content::Memory(bytes) = &seg.content {
                    let cut = bytes.slice(..bytes.len() / 2);
                    seg.size = cut.len() as u64;
                    seg.md5 = md5_hex(&cut);
                    seg.content = Content::Memory(cut);
                }
            }
            _ => {}
        }
    }

    /// Takes a segment's defect away (a truncated segment stays cut).
    pub fn clear_fault(&self, id: &str) {
        self.faults.clear_path(&segments::path(id));
        if let Some(seg) = self.lock().segments.get_mut(id) {
            seg.defect = None;
        }
    }

    /// Every segment download so far.
    pub fn segment_fetches(&self) -> Vec<SegmentFetch> {
        self.lock().segment_log.clone()
    }
}
