//! The Analytics Reports API, step by step: an app's report requests
//! (`ONGOING` or `ONE_TIME_SNAPSHOT`), each request's reports (name,
//! category), each report's instances (granularity, processing date) and
//! each instance's segments (a pre-signed URL, an MD5 checksum, a size).
//! Which segments a download takes is [`plan()`]'s decision; fetching them
//! is [`super::download`]'s job.

mod plan;

pub use plan::{
    Plan, PlanError, Planned, Wanted, file_name, is_date, is_segment_file_name, plan, slug,
};

use serde::{Deserialize, Serialize};

use super::client::{Client, PAGE_LIMIT};
use super::error::AscError;
use super::model::{ListDocument, Resource, SingleDocument};
use super::path_id::path_id;

/// `AnalyticsReportRequest.attributes`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestAttributes {
    /// `ONGOING` or `ONE_TIME_SNAPSHOT`.
    #[serde(default)]
    pub access_type: Option<String>,
    /// Apple stopped an ongoing request because nobody downloaded its reports.
    #[serde(default)]
    pub stopped_due_to_inactivity: Option<bool>,
}

/// `AnalyticsReport.attributes`.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct ReportAttributes {
    /// E.g. `App Store Downloads Standard`.
    #[serde(default)]
    pub name: Option<String>,
    /// `APP_USAGE`, `APP_STORE_ENGAGEMENT`, `COMMERCE`, `FRAMEWORK_USAGE` or `PERFORMANCE`.
    #[serde(default)]
    pub category: Option<String>,
}

/// `AnalyticsReportInstance.attributes`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InstanceAttributes {
    /// `DAILY`, `WEEKLY` or `MONTHLY`.
    #[serde(default)]
    pub granularity: Option<String>,
    /// `YYYY-MM-DD`.
    #[serde(default)]
    pub processing_date: Option<String>,
}

/// `AnalyticsReportSegment.attributes`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SegmentAttributes {
    /// MD5 of the compressed bytes at `url`, in hex.
    #[serde(default)]
    pub checksum: Option<String>,
    /// Size of the compressed bytes at `url`.
    #[serde(default)]
    pub size_in_bytes: Option<u64>,
    /// The pre-signed download URL (valid for minutes; needs no token).
    #[serde(default)]
    pub url: Option<String>,
}

/// A report request as ascvault shows it (`--json` names are a contract).
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct RequestInfo {
    /// The request id.
    pub id: String,
    /// `ONGOING` or `ONE_TIME_SNAPSHOT`.
    pub access_type: String,
    /// Whether Apple stopped it for inactivity.
    pub stopped_due_to_inactivity: bool,
}

impl From<Resource<RequestAttributes>> for RequestInfo {
    fn from(r: Resource<RequestAttributes>) -> Self {
        RequestInfo {
            id: r.id,
            access_type: r.attributes.access_type.unwrap_or_default(),
            stopped_due_to_inactivity: r.attributes.stopped_due_to_inactivity.unwrap_or(false),
        }
    }
}

/// A report on offer (`--json` names are a contract).
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct ReportInfo {
    /// The report id.
    pub id: String,
    /// The name.
    pub name: String,
    /// The category.
    pub category: String,
    /// The access type of the request it belongs to.
    pub access_type: String,
}

/// A report instance (`--json` names are a contract).
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct InstanceInfo {
    /// The instance id.
    pub id: String,
    /// `DAILY`, `WEEKLY` or `MONTHLY`.
    pub granularity: String,
    /// `YYYY-MM-DD`.
    pub processing_date: String,
}

/// A segment to download.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct SegmentInfo {
    /// The segment id.
    pub id: String,
    /// The pre-signed URL.
    #[serde(skip)]
    pub url: String,
    /// MD5 of the compressed bytes, lower-case hex.
    pub checksum: String,
    /// Size of the compressed bytes.
    pub size_in_bytes: u64,
}

/// Whether a request is for data from now on, or one look at the past.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// `ONGOING`: daily, weekly and monthly reports from now on.
    Ongoing,
    /// `ONE_TIME_SNAPSHOT`: all the history there is, once.
    Snapshot,
}

impl Access {
    /// The API's value.
    pub fn api(self) -> &'static str {
        match self {
            Access::Ongoing => "ONGOING",
            Access::Snapshot => "ONE_TIME_SNAPSHOT",
        }
    }
}

/// What [`create_request`] achieved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Created {
    /// A new request.
    New(RequestInfo),
    /// Apple answered 409: one of this access type already exists (shown).
    Existing(RequestInfo),
}

/// `AnalyticsReportRequestCreateRequest` for an app.
pub fn create_request_body(app_id: &str, access: Access) -> serde_json::Value {
    serde_json::json!({
        "data": {
            "type": "analyticsReportRequests",
            "attributes": { "accessType": access.api() },
            "relationships": { "app": { "data": { "type": "apps", "id": app_id } } }
        }
    })
}

/// The app's report requests, all pages.
pub fn requests(client: &Client, app_id: &str) -> Result<Vec<RequestInfo>, AscError> {
    let app_id = path_id("app id", app_id)?;
    let mut out = Vec::new();
    client.for_each_page(
        &format!("/v1/apps/{app_id}/analyticsReportRequests?limit={PAGE_LIMIT}"),
        |page: ListDocument<Resource<RequestAttributes>>| {
            out.extend(page.data.into_iter().map(RequestInfo::from));
            true
        },
    )?;
    Ok(out)
}

/// `POST /v1/analyticsReportRequests` for the app. A 409 (Apple's answer
/// to a duplicate) is not a failure: the existing request is looked up and
/// returned as [`Created::Existing`].
pub fn create_request(client: &Client, app_id: &str, access: Access) -> Result<Created, AscError> {
    let body = create_request_body(path_id("app id", app_id)?, access);
    match client
        .post::<SingleDocument<Resource<RequestAttributes>>>("/v1/analyticsReportRequests", &body)
    {
        Ok(doc) => Ok(Created::New(doc.data.into())),
        Err(err) if err.status() == Some(409) => {
            let existing = requests(client, app_id)?
                .into_iter()
                .find(|r| r.access_type == access.api());
            match existing {
                Some(r) => Ok(Created::Existing(r)),
                None => Err(err),
            }
        }
        Err(err) => Err(err),
    }
}

/// The reports of every request of the app, optionally of one category.
pub fn reports(
    client: &Client,
    app_id: &str,
    category: Option<&str>,
) -> Result<Vec<ReportInfo>, AscError> {
    let mut out = Vec::new();
    for request in requests(client, app_id)? {
        let mut path = format!(
            "/v1/analyticsReportRequests/{}/reports?limit={PAGE_LIMIT}",
            path_id("report request id", &request.id)?
        );
        if let Some(c) = category {
            path.push_str(&format!("&filter[category]={c}"));
        }
        client.for_each_page(&path, |page: ListDocument<Resource<ReportAttributes>>| {
            out.extend(page.data.into_iter().map(|r| ReportInfo {
                id: r.id,
                name: r.attributes.name.unwrap_or_default(),
                category: r.attributes.category.unwrap_or_default(),
                access_type: request.access_type.clone(),
            }));
            true
        })?;
    }
    Ok(out)
}

/// A report's instances, optionally of one granularity, oldest first.
pub fn instances(
    client: &Client,
    report_id: &str,
    granularity: Option<&str>,
) -> Result<Vec<InstanceInfo>, AscError> {
    let report_id = path_id("report id", report_id)?;
    let mut path = format!("/v1/analyticsReports/{report_id}/instances?limit={PAGE_LIMIT}");
    if let Some(g) = granularity {
        path.push_str(&format!("&filter[granularity]={g}"));
    }
    let mut out = Vec::new();
    client.for_each_page(&path, |page: ListDocument<Resource<InstanceAttributes>>| {
        out.extend(page.data.into_iter().map(|r| InstanceInfo {
            id: r.id,
            granularity: r.attributes.granularity.unwrap_or_default(),
            processing_date: r.attributes.processing_date.unwrap_or_default(),
        }));
        true
    })?;
    out.sort_by(|a, b| a.processing_date.cmp(&b.processing_date));
    Ok(out)
}

/// An instance's segments, in Apple's order. A segment without a URL,
/// checksum or size cannot be verified and is refused here.
pub fn segments(client: &Client, instance_id: &str) -> Result<Vec<SegmentInfo>, AscError> {
    let instance_id = path_id("report instance id", instance_id)?;
    let request = format!("GET /v1/analyticsReportInstances/{instance_id}/segments");
    let mut out = Vec::new();
    let mut missing: Option<(usize, &'static str)> = None;
    client.for_each_page(
        &format!("/v1/analyticsReportInstances/{instance_id}/segments?limit={PAGE_LIMIT}"),
        |page: ListDocument<Resource<SegmentAttributes>>| {
            for r in page.data {
                let a = r.attributes;
                let (Some(url), Some(checksum), Some(size)) = (a.url, a.checksum, a.size_in_bytes)
                else {
                    missing = Some((out.len(), "url, checksum or sizeInBytes"));
                    return false;
                };
                out.push(SegmentInfo {
                    id: r.id,
                    url,
                    checksum: checksum.to_ascii_lowercase(),
                    size_in_bytes: size,
                });
            }
            true
        },
    )?;
    if let Some((i, what)) = missing {
        return Err(AscError::Decode {
            request,
            path: format!("data[{i}].attributes"),
            message: format!("a segment lacks {what}"),
        });
    }
    Ok(out)
}
