//! A stand-in for App Store Connect on loopback, for ascvault's tests and for
//! trying ascvault without an Apple account.
//!
//! (Interim skeleton on the metrics branch: it serves only the metrics
//! endpoints of [`metrics`]; the full service with token checks, apps and
//! reviews comes from the App Store Connect branch.)

#![deny(missing_docs)]

pub mod metrics;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;

pub use metrics::MetricsState;

/// The whole service as an axum router.
pub fn router(metrics_state: Arc<MetricsState>) -> Router {
    Router::new().merge(metrics::routes(metrics_state))
}

/// A running stand-in: its address, its state, and a way to stop it (on drop).
pub struct Standin {
    addr: SocketAddr,
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

    /// Starts on the given address with this metrics state.
    pub fn start_with(addr: SocketAddr, metrics: Arc<MetricsState>) -> std::io::Result<Standin> {
        let listener = std::net::TcpListener::bind(addr)?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let app = router(metrics.clone());
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
            })?;
        Ok(Standin {
            addr,
            metrics,
            stop: Some(stop),
        })
    }

    /// `http://127.0.0.1:PORT`
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The metrics side's state (faults, the Admin role, request log).
    pub fn metrics(&self) -> &MetricsState {
        &self.metrics
    }
}

impl Drop for Standin {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
