//! Power and performance metrics (`perfPowerMetrics`, answered as
//! `application/vnd.apple.xcode-metrics+json`) and diagnostics (hang,
//! launch and disk-write signatures of a build, and their logs with call
//! stacks). Shapes follow Apple's `xcodeMetrics`, `diagnosticLogs` and
//! `DiagnosticSignature` schemas; unknown fields are ignored, `null` is
//! read as absent, and numbers are read in any JSON form (see
//! [`super::model::lenient`]): Apple's data is looser than its
//! schema, and one odd value must not abort the command.

use serde::{Deserialize, Serialize};

use super::client::{Client, PAGE_LIMIT, decode};
use super::error::AscError;
use super::model::{ListDocument, Resource, lenient};
use super::path_id::path_id;

/// The media type of metrics.
pub const XCODE_METRICS: &str = "application/vnd.apple.xcode-metrics+json";
/// The media type of diagnostic logs.
pub const DIAGNOSTIC_LOGS: &str = "application/vnd.apple.diagnostic-logs+json";

/// The metric categories (`MetricCategory`).
pub const METRICS: &[&str] = &[
    "LAUNCH",
    "HANG",
    "MEMORY",
    "DISK",
    "BATTERY",
    "TERMINATION",
    "ANIMATION",
    "STORAGE",
];

/// What the metrics are about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// An app (`/v1/apps/{id}/perfPowerMetrics`).
    App(String),
    /// A build (`/v1/builds/{id}/perfPowerMetrics`).
    Build(String),
}

/// `xcodeMetrics`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct XcodeMetrics {
    /// Format version.
    #[serde(default)]
    pub version: Option<String>,
    /// Apple's insights.
    #[serde(default, deserialize_with = "lenient::or_default")]
    pub insights: Insights,
    /// Per platform.
    #[serde(default, deserialize_with = "lenient::or_default")]
    pub product_data: Vec<ProductData>,
}

/// `xcodeMetrics.insights`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Insights {
    /// Metrics that got worse.
    #[serde(default, deserialize_with = "lenient::or_default")]
    pub regressions: Vec<Insight>,
    /// Metrics trending up.
    #[serde(default, deserialize_with = "lenient::or_default")]
    pub trending_up: Vec<Insight>,
}

/// `MetricsInsight`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Insight {
    /// The metric identifier.
    #[serde(default)]
    pub metric: Option<String>,
    /// Its category.
    #[serde(default)]
    pub metric_category: Option<String>,
    /// Apple's one-line summary.
    #[serde(default)]
    pub summary_string: Option<String>,
    /// The latest version.
    #[serde(default)]
    pub latest_version: Option<String>,
    /// The versions compared against: Apple's schema says a string
    /// (`"2.1,2.2"`); an array of versions is read as the same list.
    #[serde(default, deserialize_with = "lenient::versions")]
    pub reference_versions: Option<String>,
    /// Marked high impact.
    #[serde(default)]
    pub high_impact: Option<bool>,
}

/// `productData[]`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductData {
    /// `iOS`, …
    #[serde(default)]
    pub platform: Option<String>,
    /// Per category.
    #[serde(default, deserialize_with = "lenient::or_default")]
    pub metric_categories: Vec<MetricCategory>,
}

/// `metricCategories[]`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MetricCategory {
    /// `LAUNCH`, `HANG`, …
    #[serde(default)]
    pub identifier: Option<String>,
    /// The metrics.
    #[serde(default, deserialize_with = "lenient::or_default")]
    pub metrics: Vec<Metric>,
}

/// `metrics[]`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Metric {
    /// E.g. `launchTime`.
    #[serde(default)]
    pub identifier: Option<String>,
    /// The unit.
    #[serde(default)]
    pub unit: Option<Unit>,
    /// Goal bands.
    #[serde(default, deserialize_with = "lenient::or_default")]
    pub goal_keys: Vec<GoalKey>,
    /// One per device and percentile.
    #[serde(default, deserialize_with = "lenient::or_default")]
    pub datasets: Vec<Dataset>,
}

/// `unit`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Unit {
    /// E.g. `s`.
    #[serde(default)]
    pub identifier: Option<String>,
    /// E.g. `Seconds`.
    #[serde(default)]
    pub display_name: Option<String>,
}

/// `goalKeys[]`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GoalKey {
    /// The goal's name.
    #[serde(default)]
    pub goal_key: Option<String>,
    /// Lower bound. Apple's schema says integer; a decimal (`0.5`) is read
    /// as it is, as Apple's own generated clients would.
    #[serde(default, deserialize_with = "lenient::number")]
    pub lower_bound: Option<f64>,
    /// Upper bound.
    #[serde(default, deserialize_with = "lenient::number")]
    pub upper_bound: Option<f64>,
}

/// `datasets[]`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Dataset {
    /// Device and percentile.
    #[serde(default, deserialize_with = "lenient::or_default")]
    pub filter_criteria: FilterCriteria,
    /// One per version.
    #[serde(default, deserialize_with = "lenient::or_default")]
    pub points: Vec<Point>,
}

/// `filterCriteria`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FilterCriteria {
    /// `percentile.fifty`, `percentile.ninety`, …
    #[serde(default)]
    pub percentile: Option<String>,
    /// Device id.
    #[serde(default)]
    pub device: Option<String>,
    /// Device name.
    #[serde(default)]
    pub device_marketing_name: Option<String>,
}

/// `points[]`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Point {
    /// The app version.
    #[serde(default)]
    pub version: Option<String>,
    /// The value.
    #[serde(default)]
    pub value: Option<f64>,
    /// Error margin.
    #[serde(default)]
    pub error_margin: Option<f64>,
    /// The goal this value meets.
    #[serde(default)]
    pub goal: Option<String>,
}

/// Metrics as Apple sent them, and as ascvault reads them.
#[derive(Clone, Debug)]
pub struct Metrics {
    /// The document as received, every field kept (`--json`).
    pub raw: serde_json::Value,
    /// The fields ascvault shows.
    pub doc: XcodeMetrics,
}

/// A device of the data: its identifier (what `filter[deviceType]` takes)
/// and Apple's marketing name, if any.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Device {
    /// E.g. `all_iphones`, `iPhone15,2`.
    pub id: String,
    /// E.g. `All iPhones`, `iPhone 14 Pro`.
    pub name: Option<String>,
}

impl XcodeMetrics {
    /// Every device some dataset is about, in the order they first appear.
    pub fn devices(&self) -> Vec<Device> {
        let mut out: Vec<Device> = Vec::new();
        for ds in self.datasets() {
            let f = &ds.filter_criteria;
            if let Some(id) = &f.device
                && !out.iter().any(|d| &d.id == id)
            {
                out.push(Device {
                    id: id.clone(),
                    name: f.device_marketing_name.clone(),
                });
            }
        }
        out
    }

    fn datasets(&self) -> impl Iterator<Item = &Dataset> {
        self.product_data
            .iter()
            .flat_map(|p| &p.metric_categories)
            .flat_map(|c| &c.metrics)
            .flat_map(|m| &m.datasets)
    }
}

impl Metrics {
    /// Drops the insights about metric categories other than `categories`
    /// (Apple's names, e.g. `HANG`), in both the document read and the one
    /// kept for `--json`: `filter[metricType]` narrows the metrics, and
    /// ascvault does not count on it narrowing the insights too. An insight
    /// that names no category is dropped as well. Nothing is dropped when
    /// `categories` is empty.
    pub fn keep_insights_of(&mut self, categories: &[String]) {
        if categories.is_empty() {
            return;
        }
        let wanted = |c: Option<&str>| {
            c.is_some_and(|c| categories.iter().any(|w| w.eq_ignore_ascii_case(c)))
        };
        let i = &mut self.doc.insights;
        i.regressions
            .retain(|x| wanted(x.metric_category.as_deref()));
        i.trending_up
            .retain(|x| wanted(x.metric_category.as_deref()));
        for list in ["regressions", "trendingUp"] {
            if let Some(items) = self.raw["insights"]
                .get_mut(list)
                .and_then(serde_json::Value::as_array_mut)
            {
                items.retain(|x| wanted(x["metricCategory"].as_str()));
            }
        }
    }
}

/// Fetches metrics, optionally of some categories and device types.
/// Apple filters: the document is kept as received.
pub fn metrics(
    client: &Client,
    target: &Target,
    categories: &[String],
    device: Option<&str>,
) -> Result<Metrics, AscError> {
    let mut path = match target {
        Target::App(id) => format!("/v1/apps/{}/perfPowerMetrics", path_id("app id", id)?),
        Target::Build(id) => format!("/v1/builds/{}/perfPowerMetrics", path_id("build id", id)?),
    };
    let mut sep = '?';
    if !categories.is_empty() {
        path.push_str(&format!("{sep}filter[metricType]={}", categories.join(",")));
        sep = '&';
    }
    if let Some(d) = device {
        let d: String = url::form_urlencoded::byte_serialize(d.as_bytes()).collect();
        path.push_str(&format!("{sep}filter[deviceType]={d}"));
    }
    let body = client.get_raw(&path, XCODE_METRICS)?;
    let request = format!("GET {}", path.split('?').next().unwrap_or(""));
    // Decoded twice: once kept whole for `--json`, once into our fields
    // (with the path of any field that does not fit, for the error).
    let raw: serde_json::Value = decode(&request, &body)?;
    let doc: XcodeMetrics = decode(&request, &body)?;
    Ok(Metrics { raw, doc })
}

/// `DiagnosticSignature.attributes`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignatureAttributes {
    /// `HANGS`, `LAUNCHES` or `DISK_WRITES`.
    #[serde(default)]
    pub diagnostic_type: Option<String>,
    /// The signature text.
    #[serde(default)]
    pub signature: Option<String>,
    /// Its share of all such events.
    #[serde(default)]
    pub weight: Option<f64>,
}

/// A signature as ascvault shows it (`--json` names are a contract).
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct SignatureInfo {
    /// The signature id.
    pub id: String,
    /// `HANGS`, `LAUNCHES` or `DISK_WRITES`.
    pub diagnostic_type: String,
    /// The signature text.
    pub signature: String,
    /// Weight.
    pub weight: f64,
    /// Call-stack summary, with `--logs`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logs: Option<Vec<LogSummary>>,
}

/// Signatures of a build, heaviest first.
pub fn signatures(
    client: &Client,
    build: &str,
    kind: Option<&str>,
) -> Result<Vec<SignatureInfo>, AscError> {
    let build = path_id("build id", build)?;
    let mut path = format!("/v1/builds/{build}/diagnosticSignatures?limit={PAGE_LIMIT}");
    if let Some(k) = kind {
        path.push_str(&format!("&filter[diagnosticType]={k}"));
    }
    let mut out = Vec::new();
    client.for_each_page(
        &path,
        |page: ListDocument<Resource<SignatureAttributes>>| {
            out.extend(page.data.into_iter().map(|r| SignatureInfo {
                id: r.id,
                diagnostic_type: r.attributes.diagnostic_type.unwrap_or_default(),
                signature: r.attributes.signature.unwrap_or_default(),
                weight: r.attributes.weight.unwrap_or(0.0),
                logs: None,
            }));
            true
        },
    )?;
    out.sort_by(|a, b| b.weight.total_cmp(&a.weight));
    Ok(out)
}

/// `diagnosticLogs`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DiagnosticLogs {
    /// Per signature.
    #[serde(default, deserialize_with = "lenient::or_default")]
    pub product_data: Vec<LogProductData>,
}

/// `diagnosticLogs.productData[]`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogProductData {
    /// The signature.
    #[serde(default)]
    pub signature_id: Option<String>,
    /// The logs.
    #[serde(default, deserialize_with = "lenient::or_default")]
    pub diagnostic_logs: Vec<DiagnosticLog>,
}

/// One log.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DiagnosticLog {
    /// Call stacks.
    #[serde(default, deserialize_with = "lenient::or_default")]
    pub call_stack_tree: Vec<CallStackTree>,
    /// Device, OS, versions, event.
    #[serde(default, deserialize_with = "lenient::or_default")]
    pub diagnostic_meta_data: MetaData,
}

/// `callStackTree[]`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CallStackTree {
    /// Stacks.
    #[serde(default, deserialize_with = "lenient::or_default")]
    pub call_stacks: Vec<CallStack>,
}

/// `callStacks[]`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CallStack {
    /// Root frames.
    #[serde(default, deserialize_with = "lenient::or_default")]
    pub call_stack_root_frames: Vec<Frame>,
}

/// `DiagnosticLogCallStackNode`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Frame {
    /// The binary.
    #[serde(default)]
    pub binary_name: Option<String>,
    /// The symbol.
    #[serde(default)]
    pub symbol_name: Option<String>,
    /// Samples in this frame (`51` or `51.0`).
    #[serde(default, deserialize_with = "lenient::count")]
    pub sample_count: Option<u64>,
    /// Apple blames this frame.
    #[serde(default)]
    pub is_blame_frame: Option<bool>,
    /// Callees.
    #[serde(default, deserialize_with = "lenient::or_default")]
    pub sub_frames: Vec<Frame>,
}

/// `diagnosticMetaData`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MetaData {
    /// App version.
    #[serde(default)]
    pub app_version: Option<String>,
    /// Build.
    #[serde(default)]
    pub build_version: Option<String>,
    /// Device.
    #[serde(default)]
    pub device_type: Option<String>,
    /// OS.
    #[serde(default)]
    pub os_version: Option<String>,
    /// Event.
    #[serde(default)]
    pub event: Option<String>,
}

/// The heaviest path of one log's call stacks (`--json` names are a contract).
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct LogSummary {
    /// `appVersion (buildVersion)`, or `appVersion` without a build.
    pub version: String,
    /// Device and OS.
    pub device: String,
    /// `binary  symbol`, outermost first; `*` marks Apple's blame frame.
    pub frames: Vec<String>,
}

/// How deep the call-stack summary goes.
pub const SUMMARY_DEPTH: usize = 12;

/// Fetches a signature's logs and summarizes each as its heaviest path.
pub fn logs(client: &Client, signature_id: &str) -> Result<Vec<LogSummary>, AscError> {
    let signature_id = path_id("diagnostic signature id", signature_id)?;
    let path = format!("/v1/diagnosticSignatures/{signature_id}/logs");
    let body = client.get_raw(&path, DIAGNOSTIC_LOGS)?;
    let doc: DiagnosticLogs = decode(&format!("GET {path}"), &body)?;
    Ok(doc
        .product_data
        .iter()
        .flat_map(|p| &p.diagnostic_logs)
        .map(summarize_log)
        .collect())
}

/// The heaviest path through a log's first call stack.
pub fn summarize_log(log: &DiagnosticLog) -> LogSummary {
    let m = &log.diagnostic_meta_data;
    let mut frames = Vec::new();
    let roots = log
        .call_stack_tree
        .iter()
        .flat_map(|t| &t.call_stacks)
        .flat_map(|s| &s.call_stack_root_frames);
    let mut level: Vec<&Frame> = roots.collect();
    while frames.len() < SUMMARY_DEPTH {
        let Some(heaviest) = level
            .iter()
            .max_by_key(|f| f.sample_count.unwrap_or(0))
            .copied()
        else {
            break;
        };
        frames.push(format!(
            "{}{}  {}",
            if heaviest.is_blame_frame == Some(true) {
                "* "
            } else {
                ""
            },
            heaviest.binary_name.as_deref().unwrap_or("?"),
            heaviest.symbol_name.as_deref().unwrap_or("?")
        ));
        level = heaviest.sub_frames.iter().collect();
    }
    LogSummary {
        // Apple's own example has no build number: the version alone then.
        version: match &m.build_version {
            Some(build) => format!("{} ({build})", m.app_version.as_deref().unwrap_or("?")),
            None => m.app_version.clone().unwrap_or_else(|| "?".into()),
        },
        device: format!(
            "{} {}",
            m.device_type.as_deref().unwrap_or("?"),
            m.os_version.as_deref().unwrap_or("")
        )
        .trim()
        .to_owned(),
        frames,
    }
}

#[cfg(test)]
mod tests;
