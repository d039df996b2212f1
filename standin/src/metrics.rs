//! Metrics endpoints of the stand-in: analytics report requests (with the
//! 409 Apple gives for a duplicate and the 403 for a key without the Admin
//! role), reports, instances and segments; the segments themselves at
//! "pre-signed" URLs outside `/v1/` (gzip TSV, with deliberate faults on
//! request: a wrong checksum, a truncated gzip stream, a connection cut
//! halfway); sales and finance reports (`application/a-gzip`); power and
//! performance metrics (`application/vnd.apple.xcode-metrics+json`) and
//! diagnostics from the fixtures in `fixtures/asc/metrics/`.
//!
//! Large generated reports live in files and are streamed from disk, so
//! the stand-in can serve gigabytes without holding them in memory.

use std::collections::{BTreeMap, HashMap};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path as UrlPath, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use flate2::Compression;
use flate2::write::GzEncoder;
use md5::{Digest, Md5};

/// The app the seeded analytics request, metrics and sales belong to (the
/// seed's Pocket Notes, so `--app com.example.pocketnotes` works too).
pub const APP_ID: &str = crate::seed::NOTES_APP_ID;
/// A second app in the sales report (the seed's Pocket Notes Pro).
pub const PRO_APP_ID: &str = "1234567892";
/// The vendor number with sales and finance reports.
pub const VENDOR: &str = "85012345";
/// The build with metrics and diagnostics.
pub const BUILD_ID: &str = "build-230";
/// The seeded report with several instances and segments.
pub const DOWNLOADS_REPORT: &str = "App Store Downloads Standard";
/// A second seeded report.
pub const SESSIONS_REPORT: &str = "App Sessions Standard";
/// A sales report date with no sales (Apple answers 404).
pub const NO_SALES_DATE: &str = "2026-11-19";
/// The header row of the seeded downloads report.
pub const DOWNLOADS_HEADER: &str = "Date\tApp Name\tApp Apple Identifier\tDownload Type\tApp Version\tDevice\tPlatform Version\tSource Type\tTerritory\tCounts";

const PERF_JSON: &str = include_str!("../../fixtures/asc/metrics/perf-power-metrics.json");
const SIGNATURES_JSON: &str = include_str!("../../fixtures/asc/metrics/diagnostic-signatures.json");
const LOGS_JSON: &str = include_str!("../../fixtures/asc/metrics/diagnostic-logs.json");

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
    /// The next `n` downloads send half the bytes, then drop the connection.
    FailHalfway(u32),
    /// Answers 403, like an expired pre-signed URL.
    Expired,
}

#[derive(Clone, Debug)]
enum Content {
    Memory(Bytes),
    File(PathBuf),
}

#[derive(Clone, Debug)]
struct Segment {
    content: Content,
    size: u64,
    md5: String,
    fault: Option<SegmentFault>,
}

#[derive(Clone, Debug)]
struct Instance {
    id: String,
    granularity: String,
    date: String,
    segments: Vec<String>,
}

#[derive(Clone, Debug)]
struct Report {
    id: String,
    request: String,
    name: String,
    category: String,
    instances: Vec<Instance>,
}

#[derive(Clone, Debug)]
struct Request {
    id: String,
    app: String,
    access: String,
}

#[derive(Debug, Default)]
struct Inner {
    admin: bool,
    requests: Vec<Request>,
    reports: Vec<Report>,
    segments: HashMap<String, Segment>,
    next_id: u64,
    segment_log: Vec<SegmentFetch>,
}

/// A request for a segment, as the stand-in saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SegmentFetch {
    /// The segment id.
    pub segment: String,
    /// Whether an `Authorization` header came with it (it must not).
    pub authorization: bool,
}

/// The metrics side's state.
#[derive(Debug)]
pub struct MetricsState {
    inner: Mutex<Inner>,
}

impl Default for MetricsState {
    fn default() -> Self {
        MetricsState::new()
    }
}

impl MetricsState {
    /// The seeded state: an ONGOING request for [`APP_ID`] with two reports.
    pub fn new() -> MetricsState {
        let state = MetricsState {
            inner: Mutex::new(Inner {
                admin: true,
                ..Inner::default()
            }),
        };
        state.seed();
        state
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn seed(&self) {
        let request = self.add_request(APP_ID, "ONGOING");
        let day = |date: &str, n: usize, salt: u64| -> Vec<u8> {
            let mut t = String::from(DOWNLOADS_HEADER);
            t.push('\n');
            let territories = ["US", "GB", "DE", "FR", "JP"];
            for i in 0..n {
                t.push_str(&format!(
                    "{date}\tPocket Notes\t{APP_ID}\tFirst-time download\t2.3\tiPhone\tiOS 17\tApp Store search\t{}\t{}\n",
                    territories[i % territories.len()],
                    10 + (i as u64 * 7 + salt) % 50
                ));
            }
            t.into_bytes()
        };
        let inst = vec![
            (
                "DAILY",
                "2026-11-20",
                vec![day("2026-11-20", 5, 1), day("2026-11-20", 3, 2)],
            ),
            ("DAILY", "2026-11-21", vec![day("2026-11-21", 4, 3)]),
            ("WEEKLY", "2026-11-16", vec![day("2026-11-16", 6, 4)]),
            ("DAILY", "2026-10-01", vec![day("2026-10-01", 2, 5)]),
        ];
        self.add_report(&request, DOWNLOADS_REPORT, "COMMERCE", inst);
        let sessions = {
            let mut t = String::from("Date\tApp Name\tApp Apple Identifier\tDevice\tSessions\n");
            for (i, d) in ["2026-11-19", "2026-11-20", "2026-11-21"]
                .iter()
                .enumerate()
            {
                t.push_str(&format!(
                    "{d}\tPocket Notes\t{APP_ID}\tiPhone\t{}\n",
                    100 + i * 17
                ));
            }
            t.into_bytes()
        };
        self.add_report(
            &request,
            SESSIONS_REPORT,
            "APP_USAGE",
            vec![("DAILY", "2026-11-21", vec![sessions])],
        );
    }

    fn add_request(&self, app: &str, access: &str) -> String {
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
    fn add_report(
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
                        fault: None,
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

    /// Gives a segment a defect.
    pub fn fault_segment(&self, id: &str, fault: SegmentFault) {
        let mut inner = self.lock();
        let Some(seg) = inner.segments.get_mut(id) else {
            panic!("no segment {id}");
        };
        if fault == SegmentFault::Truncated
            && let Content::Memory(bytes) = &seg.content
        {
            let cut = bytes.slice(..bytes.len() / 2);
            seg.size = cut.len() as u64;
            seg.md5 = md5_hex(&cut);
            seg.content = Content::Memory(cut);
        }
        seg.fault = Some(fault);
    }

    /// Takes a segment's defect away (a truncated segment stays cut).
    pub fn clear_fault(&self, id: &str) {
        if let Some(seg) = self.lock().segments.get_mut(id) {
            seg.fault = None;
        }
    }

    /// Every segment download so far.
    pub fn segment_fetches(&self) -> Vec<SegmentFetch> {
        self.lock().segment_log.clone()
    }

    /// Adds a report named `name` to the seeded request, with one DAILY
    /// instance of `segments` segments holding `total_bytes` of generated
    /// TSV between them, written compressed into `dir` (streamed, never
    /// held in memory). Returns the compressed size.
    pub fn add_generated_report(
        &self,
        name: &str,
        total_bytes: u64,
        segments: usize,
        dir: &Path,
    ) -> io::Result<u64> {
        let request = self
            .lock()
            .requests
            .iter()
            .find(|r| r.app == APP_ID && r.access == "ONGOING")
            .map(|r| r.id.clone())
            .unwrap_or_default();
        let ids = self.add_report(
            &request,
            name,
            "APP_USAGE",
            vec![("DAILY", "2026-11-22", vec![Vec::new(); segments.max(1)])],
        );
        let per = total_bytes / ids.len() as u64;
        let mut compressed = 0;
        let mut rng = 0x9E37_79B9_7F4A_7C15u64;
        for (n, id) in ids.iter().enumerate() {
            let path = dir.join(format!("{id}.tsv.gz"));
            let file = io::BufWriter::with_capacity(1 << 20, std::fs::File::create(&path)?);
            let mut tap = HashingWriter {
                inner: file,
                md5: Md5::new(),
                n: 0,
            };
            {
                let mut gz = GzEncoder::new(&mut tap, Compression::new(6));
                let header = format!("{DOWNLOADS_HEADER}\n");
                gz.write_all(header.as_bytes())?;
                let mut written = header.len() as u64;
                let territories = ["US", "GB", "DE", "FR", "JP", "CA", "AU", "BR", "IN", "MX"];
                let sources = [
                    "App Store search",
                    "App Store browse",
                    "Web referrer",
                    "App referrer",
                ];
                let mut line = String::with_capacity(256);
                let mut row = 0u64;
                while written < per {
                    rng ^= rng << 13;
                    rng ^= rng >> 7;
                    rng ^= rng << 17;
                    line.clear();
                    use std::fmt::Write as _;
                    let _ = writeln!(
                        line,
                        "2026-11-{:02}\tPocket Notes {}\t{}\tFirst-time download\t2.{}\tiPhone\tiOS 17.{}\t{}\t{}\t{}",
                        1 + (row % 28),
                        n,
                        APP_ID,
                        rng % 9,
                        (rng >> 8) % 6,
                        sources[((rng >> 16) % 4) as usize],
                        territories[((rng >> 24) % 10) as usize],
                        (rng >> 32) % 100_000
                    );
                    gz.write_all(line.as_bytes())?;
                    written += line.len() as u64;
                    row += 1;
                }
                gz.finish()?;
            }
            tap.inner.flush()?;
            let md5 = hex(&tap.md5.finalize());
            compressed += tap.n;
            let mut inner = self.lock();
            if let Some(seg) = inner.segments.get_mut(id) {
                seg.content = Content::File(path);
                seg.size = tap.n;
                seg.md5 = md5;
            }
        }
        Ok(compressed)
    }
}

struct HashingWriter<W> {
    inner: W,
    md5: Md5,
    n: u64,
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.md5.update(&buf[..n]);
        self.n += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = GzEncoder::new(Vec::new(), Compression::default());
    let _ = gz.write_all(bytes);
    gz.finish().unwrap_or_default()
}

fn md5_hex(bytes: &[u8]) -> String {
    hex(&Md5::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Apple's error document.
fn error(status: StatusCode, code: &str, title: &str, detail: &str) -> Response {
    let body = serde_json::json!({
        "errors": [{
            "id": "00000000-0000-0000-0000-000000000000",
            "status": status.as_u16().to_string(),
            "code": code,
            "title": title,
            "detail": detail
        }]
    });
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

fn not_found(what: &str) -> Response {
    error(
        StatusCode::NOT_FOUND,
        "NOT_FOUND",
        "The specified resource does not exist",
        &format!("There is no resource of type '{what}' with this id."),
    )
}

fn json(value: serde_json::Value) -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        value.to_string(),
    )
        .into_response()
}

fn accepts(headers: &HeaderMap, media: &str) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|m| m.trim().starts_with(media)))
}

fn not_acceptable(media: &str) -> Response {
    error(
        StatusCode::NOT_ACCEPTABLE,
        "NOT_ACCEPTABLE",
        "The requested media type is not available",
        &format!("This resource is served as {media}; send it in Accept."),
    )
}

fn host(headers: &HeaderMap) -> String {
    headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("127.0.0.1")
        .to_owned()
}

type Params = Query<BTreeMap<String, String>>;

/// The metrics routes, over their own state (merge into the service router).
pub fn routes<S: Clone + Send + Sync + 'static>(state: Arc<MetricsState>) -> Router<S> {
    Router::new()
        .route("/v1/analyticsReportRequests", post(create_request))
        .route("/v1/apps/{id}/analyticsReportRequests", get(list_requests))
        .route(
            "/v1/analyticsReportRequests/{id}/reports",
            get(list_reports),
        )
        .route("/v1/analyticsReports/{id}/instances", get(list_instances))
        .route(
            "/v1/analyticsReportInstances/{id}/segments",
            get(list_segments),
        )
        .route("/analytics-segments/{id}", get(download_segment))
        .route("/v1/salesReports", get(sales_report))
        .route("/v1/financeReports", get(finance_report))
        .route("/v1/apps/{id}/perfPowerMetrics", get(app_perf))
        .route("/v1/builds/{id}/perfPowerMetrics", get(build_perf))
        .route(
            "/v1/builds/{id}/diagnosticSignatures",
            get(diagnostic_signatures),
        )
        .route("/v1/diagnosticSignatures/{id}/logs", get(diagnostic_logs))
        .with_state(state)
}

fn request_json(r: &Request) -> serde_json::Value {
    serde_json::json!({
        "type": "analyticsReportRequests",
        "id": r.id,
        "attributes": { "accessType": r.access, "stoppedDueToInactivity": false },
        "relationships": { "reports": { "links": {
            "related": format!("/v1/analyticsReportRequests/{}/reports", r.id)
        } } },
        "links": { "self": format!("/v1/analyticsReportRequests/{}", r.id) }
    })
}

async fn create_request(State(state): State<Arc<MetricsState>>, body: Bytes) -> Response {
    let doc: serde_json::Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(_) => {
            return error(
                StatusCode::BAD_REQUEST,
                "PARAMETER_ERROR.INVALID",
                "The request body is not valid JSON",
                "",
            );
        }
    };
    let access = doc["data"]["attributes"]["accessType"]
        .as_str()
        .unwrap_or("")
        .to_owned();
    let app = doc["data"]["relationships"]["app"]["data"]["id"]
        .as_str()
        .unwrap_or("")
        .to_owned();
    if doc["data"]["type"] != "analyticsReportRequests"
        || !matches!(access.as_str(), "ONGOING" | "ONE_TIME_SNAPSHOT")
        || app.is_empty()
    {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "ENTITY_ERROR.ATTRIBUTE.INVALID",
            "An attribute value is not valid.",
            "accessType must be ONGOING or ONE_TIME_SNAPSHOT, with an app relationship.",
        );
    }
    if !state.lock().admin {
        return error(
            StatusCode::FORBIDDEN,
            "FORBIDDEN_ERROR",
            "This request is forbidden for security reasons",
            "The API key in use does not allow this request",
        );
    }
    let exists = state
        .lock()
        .requests
        .iter()
        .any(|r| r.app == app && r.access == access);
    if exists {
        return error(
            StatusCode::CONFLICT,
            "ENTITY_ERROR",
            "The request entity conflicts with an existing one",
            "You already have such an entity",
        );
    }
    let id = state.add_request(&app, &access);
    // A new request gets the catalog's reports at once (Apple takes a day or two).
    state.add_report(&id, SESSIONS_REPORT, "APP_USAGE", Vec::new());
    let r = state.lock().requests.iter().find(|r| r.id == id).cloned();
    match r {
        Some(r) => (
            StatusCode::CREATED,
            [(header::CONTENT_TYPE, "application/json")],
            serde_json::json!({ "data": request_json(&r), "links": { "self": format!("/v1/analyticsReportRequests/{id}") } }).to_string(),
        )
            .into_response(),
        None => not_found("analyticsReportRequests"),
    }
}

async fn list_requests(
    State(state): State<Arc<MetricsState>>,
    UrlPath(app): UrlPath<String>,
) -> Response {
    let inner = state.lock();
    let data: Vec<_> = inner
        .requests
        .iter()
        .filter(|r| r.app == app)
        .map(request_json)
        .collect();
    json(serde_json::json!({
        "data": data,
        "links": { "self": format!("/v1/apps/{app}/analyticsReportRequests") },
        "meta": { "paging": { "total": data.len(), "limit": 200 } }
    }))
}

async fn list_reports(
    State(state): State<Arc<MetricsState>>,
    UrlPath(request): UrlPath<String>,
    Query(q): Params,
) -> Response {
    let inner = state.lock();
    if !inner.requests.iter().any(|r| r.id == request) {
        return not_found("analyticsReportRequests");
    }
    let category = q.get("filter[category]");
    let name = q.get("filter[name]");
    let data: Vec<_> = inner
        .reports
        .iter()
        .filter(|r| r.request == request)
        .filter(|r| category.is_none_or(|c| c.split(',').any(|c| c == r.category)))
        .filter(|r| name.is_none_or(|n| *n == r.name))
        .map(|r| {
            serde_json::json!({
                "type": "analyticsReports",
                "id": r.id,
                "attributes": { "name": r.name, "category": r.category },
                "relationships": { "instances": { "links": {
                    "related": format!("/v1/analyticsReports/{}/instances", r.id)
                } } }
            })
        })
        .collect();
    json(serde_json::json!({
        "data": data,
        "links": { "self": format!("/v1/analyticsReportRequests/{request}/reports") }
    }))
}

async fn list_instances(
    State(state): State<Arc<MetricsState>>,
    UrlPath(report): UrlPath<String>,
    Query(q): Params,
) -> Response {
    let inner = state.lock();
    let Some(r) = inner.reports.iter().find(|r| r.id == report) else {
        return not_found("analyticsReports");
    };
    let granularity = q.get("filter[granularity]");
    let data: Vec<_> = r
        .instances
        .iter()
        .filter(|i| granularity.is_none_or(|g| g.split(',').any(|g| g == i.granularity)))
        .map(|i| {
            serde_json::json!({
                "type": "analyticsReportInstances",
                "id": i.id,
                "attributes": { "granularity": i.granularity, "processingDate": i.date },
                "relationships": { "segments": { "links": {
                    "related": format!("/v1/analyticsReportInstances/{}/segments", i.id)
                } } }
            })
        })
        .collect();
    json(serde_json::json!({
        "data": data,
        "links": { "self": format!("/v1/analyticsReports/{report}/instances") }
    }))
}

async fn list_segments(
    State(state): State<Arc<MetricsState>>,
    UrlPath(instance): UrlPath<String>,
    headers: HeaderMap,
) -> Response {
    let inner = state.lock();
    let Some(i) = inner
        .reports
        .iter()
        .flat_map(|r| &r.instances)
        .find(|i| i.id == instance)
    else {
        return not_found("analyticsReportInstances");
    };
    let host = host(&headers);
    let data: Vec<_> = i
        .segments
        .iter()
        .filter_map(|id| inner.segments.get(id).map(|s| (id, s)))
        .map(|(id, s)| {
            let (checksum, size) = match s.fault {
                Some(SegmentFault::WrongChecksum) => {
                    ("0123456789abcdef0123456789abcdef".to_owned(), s.size)
                }
                Some(SegmentFault::WrongSize) => (s.md5.clone(), s.size + 1),
                _ => (s.md5.clone(), s.size),
            };
            serde_json::json!({
                "type": "analyticsReportSegments",
                "id": id,
                "attributes": {
                    "checksum": checksum,
                    "sizeInBytes": size,
                    "url": format!("http://{host}/analytics-segments/{id}?X-Amz-Expires=300&X-Amz-Signature=standin{}", &s.md5[..8])
                }
            })
        })
        .collect();
    json(serde_json::json!({
        "data": data,
        "links": { "self": format!("/v1/analyticsReportInstances/{instance}/segments") }
    }))
}

async fn download_segment(
    State(state): State<Arc<MetricsState>>,
    UrlPath(id): UrlPath<String>,
    headers: HeaderMap,
) -> Response {
    let seg = {
        let mut inner = state.lock();
        inner.segment_log.push(SegmentFetch {
            segment: id.clone(),
            authorization: headers.contains_key(header::AUTHORIZATION),
        });
        let Some(seg) = inner.segments.get_mut(&id) else {
            return (StatusCode::NOT_FOUND, "NoSuchKey").into_response();
        };
        let snapshot = seg.clone();
        if let Some(SegmentFault::FailHalfway(n)) = seg.fault {
            seg.fault = if n > 1 {
                Some(SegmentFault::FailHalfway(n - 1))
            } else {
                None
            };
        }
        snapshot
    };
    if seg.fault == Some(SegmentFault::Expired) {
        return (
            StatusCode::FORBIDDEN,
            "<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>",
        )
            .into_response();
    }
    let halfway = matches!(seg.fault, Some(SegmentFault::FailHalfway(_)));
    let body = match (&seg.content, halfway) {
        (Content::Memory(bytes), false) => Body::from(bytes.clone()),
        (Content::Memory(bytes), true) => {
            let half = bytes.slice(..bytes.len() / 2);
            let parts: Vec<Result<Bytes, io::Error>> = vec![
                Ok(half),
                Err(io::Error::new(io::ErrorKind::ConnectionReset, "cut")),
            ];
            Body::from_stream(futures_util::stream::iter(parts))
        }
        (Content::File(path), _) => match tokio::fs::File::open(path).await {
            Ok(f) => Body::from_stream(tokio_util::io::ReaderStream::with_capacity(f, 256 * 1024)),
            Err(_) => return (StatusCode::NOT_FOUND, "NoSuchKey").into_response(),
        },
    };
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "application/octet-stream".to_owned()),
            (header::CONTENT_LENGTH, seg.size.to_string()),
        ],
        body,
    )
        .into_response()
}

const SALES_HEADER: &str = "Provider\tProvider Country\tSKU\tDeveloper\tTitle\tVersion\tProduct Type Identifier\tUnits\tDeveloper Proceeds\tBegin Date\tEnd Date\tCustomer Currency\tCountry Code\tCurrency of Proceeds\tApple Identifier\tCustomer Price\tPromo Code\tParent Identifier\tSubscription\tPeriod\tCategory\tCMB\tDevice\tSupported Platforms\tProceeds Reason\tPreserved Pricing\tClient\tOrder Type";

/// The seeded sales summary for a date (`MM/DD/YYYY` in the rows).
pub fn sales_tsv(date: &str) -> String {
    let d = date.split('-').collect::<Vec<_>>();
    let us_date = match d.as_slice() {
        [y, m, day] => format!("{m}/{day}/{y}"),
        _ => date.to_owned(),
    };
    const NOTES: (&str, &str) = ("POCKETNOTES1", "Pocket Notes");
    const PRO: (&str, &str) = ("POCKETNOTESPRO", "Pocket Notes Pro");
    // (app, units, proceeds per unit, currency, territory, apple id, price)
    let rows = [
        (NOTES, "3", "0.70", "USD", "US", APP_ID, "0.99"),
        (NOTES, "2", "0.70", "USD", "US", APP_ID, "0.99"),
        (NOTES, "-1", "0.70", "USD", "US", APP_ID, "0.99"),
        (NOTES, "4", "0.62", "GBP", "GB", APP_ID, "0.89"),
        (PRO, "1", "3.49", "EUR", "DE", PRO_APP_ID, "4.99"),
    ];
    let mut t = format!("{SALES_HEADER}\n");
    for ((sku, title), units, proceeds, cur, country, apple_id, price) in rows {
        t.push_str(&format!(
            "APPLE\tUS\t{sku}\tExample Developer\t{title}\t2.3\t1F\t{units}\t{proceeds}\t{us_date}\t{us_date}\t{cur}\t{country}\t{cur}\t{apple_id}\t{price}\t\t\t\t\t\tProductivity\t\tiPhone\tiOS\t\t\t\t\n"
        ));
    }
    t
}

/// The seeded finance report.
pub fn finance_tsv(region: &str, date: &str) -> String {
    format!(
        "Start Date\tEnd Date\tUPC\tISRC/ISBN\tVendor Identifier\tQuantity\tPartner Share\tExtended Partner Share\tPartner Share Currency\tSales or Return\tApple Identifier\tArtist/Show/Developer/Author\tTitle\tLabel/Studio/Network/Developer/Publisher\tGrid\tProduct Type Identifier\tISAN/Other Identifier\tCountry Of Sale\tPre-order Flag\tPromo Code\tCustomer Price\tCustomer Currency\n\
         {date}-01\t{date}-28\t\t\tPOCKETNOTES1\t120\t0.70\t84.00\tUSD\tS\t{APP_ID}\tExample Developer\tPocket Notes\t\t\t1F\t\t{region}\t\t\t0.99\tUSD\n\
         {date}-01\t{date}-28\t\t\tPOCKETNOTES1\t-2\t0.70\t-1.40\tUSD\tR\t{APP_ID}\tExample Developer\tPocket Notes\t\t\t1F\t\t{region}\t\t\t0.99\tUSD\n\
         \n\
         Total_Rows\t2\n\
         Total_Amount\t82.60\n\
         Total_Units\t118\n"
    )
}

fn gzip_response(text: &str) -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/a-gzip")],
        gzip(text.as_bytes()),
    )
        .into_response()
}

fn missing_param(name: &str) -> Response {
    error(
        StatusCode::BAD_REQUEST,
        "PARAMETER_ERROR.REQUIRED",
        "A required parameter is missing.",
        &format!("The parameter '{name}' is required."),
    )
}

/// Checks what both report endpoints require: `Accept: application/a-gzip`,
/// the required filters, and the known vendor number.
fn check_report_query(
    headers: &HeaderMap,
    q: &BTreeMap<String, String>,
    required: &[&str],
) -> Option<Response> {
    if !accepts(headers, "application/a-gzip") {
        return Some(not_acceptable("application/a-gzip"));
    }
    if let Some(p) = required.iter().find(|p| !q.contains_key(**p)) {
        return Some(missing_param(p));
    }
    if q.get("filter[vendorNumber]").map(String::as_str) != Some(VENDOR) {
        return Some(error(
            StatusCode::FORBIDDEN,
            "FORBIDDEN_ERROR",
            "This request is forbidden for security reasons",
            "You are not authorized to access this vendor number",
        ));
    }
    None
}

async fn sales_report(headers: HeaderMap, Query(q): Params) -> Response {
    let required = [
        "filter[vendorNumber]",
        "filter[reportType]",
        "filter[reportSubType]",
        "filter[frequency]",
    ];
    if let Some(refusal) = check_report_query(&headers, &q, &required) {
        return refusal;
    }
    let date = q.get("filter[reportDate]").cloned().unwrap_or_default();
    if date == NO_SALES_DATE {
        return error(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            "The specified resource does not exist",
            "There were no sales for the date specified.",
        );
    }
    gzip_response(&sales_tsv(&date))
}

async fn finance_report(headers: HeaderMap, Query(q): Params) -> Response {
    let required = [
        "filter[vendorNumber]",
        "filter[reportType]",
        "filter[regionCode]",
        "filter[reportDate]",
    ];
    if let Some(refusal) = check_report_query(&headers, &q, &required) {
        return refusal;
    }
    gzip_response(&finance_tsv(
        &q["filter[regionCode]"],
        &q["filter[reportDate]"],
    ))
}

fn perf(headers: &HeaderMap, q: &BTreeMap<String, String>) -> Response {
    const MEDIA: &str = "application/vnd.apple.xcode-metrics+json";
    if !accepts(headers, MEDIA) {
        return not_acceptable(MEDIA);
    }
    let mut doc: serde_json::Value = serde_json::from_str(PERF_JSON).unwrap_or_default();
    let types: Option<Vec<String>> = q
        .get("filter[metricType]")
        .map(|t| t.split(',').map(str::to_owned).collect());
    let device = q.get("filter[deviceType]").cloned();
    if let Some(products) = doc["productData"].as_array_mut() {
        for p in products {
            if let Some(cats) = p["metricCategories"].as_array_mut() {
                if let Some(types) = &types {
                    cats.retain(|c| {
                        types
                            .iter()
                            .any(|t| c["identifier"].as_str() == Some(t.as_str()))
                    });
                }
                if let Some(device) = &device {
                    for c in cats.iter_mut() {
                        if let Some(metrics) = c["metrics"].as_array_mut() {
                            for m in metrics {
                                if let Some(ds) = m["datasets"].as_array_mut() {
                                    ds.retain(|d| {
                                        d["filterCriteria"]["device"].as_str()
                                            == Some(device.as_str())
                                    });
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, MEDIA)],
        doc.to_string(),
    )
        .into_response()
}

async fn app_perf(UrlPath(app): UrlPath<String>, headers: HeaderMap, Query(q): Params) -> Response {
    if app != APP_ID {
        return not_found("apps");
    }
    perf(&headers, &q)
}

async fn build_perf(
    UrlPath(build): UrlPath<String>,
    headers: HeaderMap,
    Query(q): Params,
) -> Response {
    if build != BUILD_ID {
        return not_found("builds");
    }
    perf(&headers, &q)
}

async fn diagnostic_signatures(UrlPath(build): UrlPath<String>, Query(q): Params) -> Response {
    if build != BUILD_ID {
        return not_found("builds");
    }
    let mut doc: serde_json::Value = serde_json::from_str(SIGNATURES_JSON).unwrap_or_default();
    if let Some(kind) = q.get("filter[diagnosticType]")
        && let Some(data) = doc["data"].as_array_mut()
    {
        data.retain(|s| {
            kind.split(',')
                .any(|k| s["attributes"]["diagnosticType"].as_str() == Some(k))
        });
    }
    json(doc)
}

async fn diagnostic_logs(UrlPath(sig): UrlPath<String>, headers: HeaderMap) -> Response {
    const MEDIA: &str = "application/vnd.apple.diagnostic-logs+json";
    if !accepts(&headers, MEDIA) {
        return not_acceptable(MEDIA);
    }
    let known: serde_json::Value = serde_json::from_str(SIGNATURES_JSON).unwrap_or_default();
    let exists = known["data"]
        .as_array()
        .is_some_and(|d| d.iter().any(|s| s["id"] == sig.as_str()));
    if !exists {
        return not_found("diagnosticSignatures");
    }
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, MEDIA)],
        LOGS_JSON.replace("SIGNATURE", &sig),
    )
        .into_response()
}
