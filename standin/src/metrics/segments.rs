//! The analytics segments themselves, at "pre-signed" storage URLs outside
//! `/v1/` (no token; gzip TSV), answering as the storage service does: 404
//! `NoSuchKey`, 403 for an expired URL. A download cut halfway is a
//! [`Fault::Cut`](crate::Fault::Cut) queued for the URL.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::state::{Content, MetricsState, SegmentFault, SegmentFetch};

/// The path of a segment's URL.
pub(super) fn path(id: &str) -> String {
    format!("/analytics-segments/{id}")
}

fn no_such_key() -> Response {
    (StatusCode::NOT_FOUND, "NoSuchKey").into_response()
}

pub(super) async fn download(
    State(state): State<Arc<MetricsState>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let seg = {
        let mut inner = state.lock();
        inner.segment_log.push(SegmentFetch {
            segment: id.clone(),
            authorization: headers.contains_key(header::AUTHORIZATION),
        });
        match inner.segments.get(&id) {
            Some(seg) => seg.clone(),
            None => return no_such_key(),
        }
    };
    if seg.defect == Some(SegmentFault::Expired) {
        return (
            StatusCode::FORBIDDEN,
            "<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>",
        )
            .into_response();
    }
    let body = match &seg.content {
        Content::Memory(bytes) => Body::from(bytes.clone()),
        Content::File(path) => match tokio::fs::File::open(path).await {
            Ok(f) => Body::from_stream(tokio_util::io::ReaderStream::with_capacity(f, 256 * 1024)),
            Err(_) => return no_such_key(),
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
