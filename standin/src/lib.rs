//! A stand-in for App Store Connect on loopback, for ascvault's tests and for
//! trying ascvault without an Apple account.
//!
//! It verifies ES256 tokens against the fixture keys, serves apps, customer
//! reviews and developer responses in the shapes of Apple's OpenAPI
//! description (paged with `links.next` cursors), keeps state, sends
//! `X-Rate-Limit`, answers the content-delivery sign-in call, records every
//! request with its own answer (for the contract test), and injects faults on request (429 + `Retry-After`, 500, 403,
//! malformed JSON, slow answers).
//!
//! ```no_run
//! let server = asc_standin::Standin::start();
//! println!("{}", server.url());
//! server.fault("/v1/apps", asc_standin::Fault::status(500), 1);
//! ```
//!
//! Layout: [`state`] (data, request log), [`faults`] (the one fault
//! queue, applied at the front door for every request), [`auth`] (tokens),
//! [`apple`] (error bodies, media types, paging helpers), one module per
//! area of the API ([`apps`], [`reviews`], [`content_delivery`],
//! [`metrics`] with its own state and one module per metrics area), and
//! [`admin`] for people injecting faults by hand; all merged into [`router`].
//! [`answers`] finishes every answer of the stand-in's own at the front door
//! (links made absolute, as Apple's are) and keeps it in the request log;
//! [`dates`] writes timestamps as Apple does.

#![deny(missing_docs)]
// Handlers return an early `Response` as the error of a `Result`; boxing
// it would only add noise to a test server.
#![allow(clippy::result_large_err)]

pub mod admin;
pub mod answers;
pub mod apple;
pub mod apps;
pub mod auth;
pub mod content_delivery;
pub mod dates;
pub mod faults;
pub mod metrics;
pub mod reviews;
pub mod seed;
pub mod state;
pub mod summaries;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{Request, State as AxState};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};

pub use metrics::MetricsState;
pub use state::{Answered, Fault, Recorded, Shared};

/// The fixture key every test signs with (`fixtures/keys/AuthKey_TESTKEY001.p8`).
pub const TEST_KEY_PEM: &str = include_str!("../../fixtures/keys/AuthKey_TESTKEY001.p8");
/// Its key id (a team key).
pub const TEST_KEY_ID: &str = "TESTKEY001";
/// Its issuer id.
pub const TEST_ISSUER_ID: &str = "57246542-96fe-1a63-e053-0824d011072a";
/// The same private key registered as an individual key (no issuer, `sub: "user"`).
pub const TEST_INDIVIDUAL_KEY_ID: &str = "TESTKEYIND";
/// The Apple ID the sign-in service knows.
pub const TEST_APPLE_ID: &str = "dev@example.com";
/// Its valid app-specific password.
pub const VALID_APP_PASSWORD: &str = "abcd-efgh-ijkl-mnop";
/// An app-specific password Apple no longer accepts (−20101).
pub const REVOKED_APP_PASSWORD: &str = "wxyz-wxyz-wxyz-wxyz";
/// The account's own password, which upload tools must not use (−22938).
pub const ACCOUNT_PASSWORD: &str = "correct horse battery";

/// The whole service as an axum router over shared state.
pub fn router(shared: Arc<Shared>) -> Router {
    router_with(shared, Arc::new(MetricsState::new()))
}

/// [`router`] with the metrics endpoints' own state.
pub fn router_with(shared: Arc<Shared>, metrics_state: Arc<MetricsState>) -> Router {
    Router::new()
        .merge(metrics::routes(metrics_state.clone()))
        .merge(apps::routes())
        .merge(reviews::routes())
        .merge(content_delivery::routes())
        .merge(admin::routes())
        .fallback(apple::not_found_route)
        .layer(middleware::from_fn_with_state(
            (shared.clone(), metrics_state),
            front,
        ))
        .with_state(shared)
}

/// Runs for every request: records it, injects a fault if one is due,
/// checks the token on API paths, and adds `X-Rate-Limit`.
async fn front(
    AxState((shared, metrics)): AxState<(Arc<Shared>, Arc<MetricsState>)>,
    req: Request,
    next: Next,
) -> Response {
    let path = req.uri().path().to_owned();
    let host = apple::host(req.headers());
    let bearer = req
        .headers()
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_owned);
    let n = shared.record(
        req.method().as_str(),
        &path,
        req.uri().query().unwrap_or(""),
        bearer.clone(),
        req.headers()
            .get(axum::http::header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
    );
    let is_api = path.starts_with("/v1/");
    let rate = is_api.then(|| shared.spend_rate());
    let method = req.method().as_str().to_owned();
    let fault = shared
        .take_fault(&method, &path)
        .or_else(|| metrics.faults().take(&method, &path));
    // Forged, malformed, cut or dripped answers are a test's, not ours.
    let own = matches!(fault, None | Some(Fault::Status { .. } | Fault::Slow(_)));
    let normal = pass(&shared, is_api, bearer.as_deref(), req, next);
    let mut resp = faults::answer(fault, normal).await;
    if own {
        resp = answers::keep(&shared, n, &host, resp).await;
    }
    if let Some((lim, rem)) = rate
        && let Ok(v) = format!("user-hour-lim:{lim};user-hour-rem:{rem};").parse()
    {
        resp.headers_mut().insert("x-rate-limit", v);
    }
    resp
}

async fn pass(
    shared: &Shared,
    is_api: bool,
    bearer: Option<&str>,
    req: Request,
    next: Next,
) -> Response {
    if is_api && let Err(why) = auth::verify(shared, bearer) {
        return apple::not_authorized(why);
    }
    next.run(req).await.into_response()
}

/// A running stand-in: its address, its state, and a way to stop it (on drop).
pub struct Standin {
    addr: SocketAddr,
    shared: Arc<Shared>,
    metrics: Arc<MetricsState>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Standin {
    /// Starts on 127.0.0.1 at a free port, in a thread of its own.
    pub fn start() -> Standin {
        Standin::start_on(SocketAddr::from(([127, 0, 0, 1], 0))).expect("bind 127.0.0.1:0")
    }

    /// Starts on the given address, in a thread of its own.
    pub fn start_on(addr: SocketAddr) -> std::io::Result<Standin> {
        Standin::start_with(addr, Arc::new(MetricsState::new()))
    }

    /// Starts on the given address with this metrics state (e.g. holding a
    /// large generated report).
    pub fn start_with(addr: SocketAddr, metrics: Arc<MetricsState>) -> std::io::Result<Standin> {
        let listener = std::net::TcpListener::bind(addr)?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared::new());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let app = router_with(shared.clone(), metrics.clone());
        std::thread::Builder::new()
            .name("asc-standin".into())
            .spawn(move || {
                let rt = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                    .expect("tokio runtime");
                rt.block_on(async move {
                    let listener =
                        tokio::net::TcpListener::from_std(listener).expect("tokio listener");
                    let _ = axum::serve(listener, app)
                        .with_graceful_shutdown(async {
                            let _ = stopped.await;
                        })
                        .await;
                });
                // Do not wait for slow handlers still sleeping.
                rt.shutdown_timeout(Duration::from_millis(10));
            })?;
        Ok(Standin {
            addr,
            shared,
            metrics,
            stop: Some(stop),
        })
    }

    /// `http://127.0.0.1:PORT` (no trailing slash): the API base and the
    /// content-delivery base at once.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The metrics side's state (segment faults, the Admin role, segment fetches).
    pub fn metrics(&self) -> &MetricsState {
        &self.metrics
    }

    /// The state, to look at or change.
    pub fn shared(&self) -> &Shared {
        &self.shared
    }

    /// Answers the next `times` requests whose path starts with `path_prefix`
    /// with `fault` (`u32::MAX`: for ever).
    pub fn fault(&self, path_prefix: &str, fault: Fault, times: u32) {
        self.shared.add_fault(None, path_prefix, fault, times);
    }

    /// Every request so far.
    pub fn requests(&self) -> Vec<Recorded> {
        self.shared.requests()
    }

    /// Requests so far whose path starts with `prefix`.
    pub fn requests_to(&self, prefix: &str) -> Vec<Recorded> {
        self.shared
            .requests()
            .into_iter()
            .filter(|r| r.path.starts_with(prefix))
            .collect()
    }
}

impl Drop for Standin {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
