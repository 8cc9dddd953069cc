//! The HTTP server: hyper's HTTP/1.1 connections with the limits a public
//! socket needs. A connection must send a complete request head within
//! `header_read_timeout` — when it opens and again after each response, so
//! an idle keep-alive connection is closed after that time too; a request
//! body must keep arriving (`body_read_timeout` between chunks); and at most
//! `max_connections` are served at once: beyond that, new connections wait
//! in the kernel's accept queue until one closes.
//!
//! Responses are never timed: a live feed (`/api/calls/stream`) or a
//! recording download may stream for as long as the reader reads, and the
//! head timer only runs while no request is in progress.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use serde::Deserialize;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt as _;
use tower_http::timeout::RequestBodyTimeoutLayer;

/// The connection limits. Every field has a default (`[http]` in the
/// configuration file names only what it changes).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct ServerLimits {
    /// Seconds a connection has to send a complete request head, when it
    /// opens and between requests (the keep-alive idle time).
    pub header_read_timeout_secs: u64,
    /// Seconds a request body may pause between two chunks.
    pub body_read_timeout_secs: u64,
    /// Connections served at once; more wait to be accepted.
    pub max_connections: usize,
}

impl Default for ServerLimits {
    fn default() -> Self {
        Self {
            header_read_timeout_secs: 10,
            body_read_timeout_secs: 30,
            // Well under the usual 1024 open files, leaving room for the
            // database, the PBX stream and outgoing requests.
            max_connections: 512,
        }
    }
}

impl ServerLimits {
    fn header_read_timeout(&self) -> Duration {
        Duration::from_secs(self.header_read_timeout_secs.max(1))
    }

    fn body_read_timeout(&self) -> Duration {
        Duration::from_secs(self.body_read_timeout_secs.max(1))
    }
}

/// Serves `app` on `listener` with `limits` until `shutdown` resolves, then
/// waits for the requests in progress. Handlers see the peer's address as
/// [`ConnectInfo<SocketAddr>`].
pub async fn serve_with(
    listener: TcpListener,
    app: Router,
    limits: &ServerLimits,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let open = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    let app = tower::ServiceBuilder::new()
        .layer(RequestBodyTimeoutLayer::new(limits.body_read_timeout()))
        .service(app);
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout());
    tokio::pin!(shutdown);
    loop {
        // A slot first: at the cap, connections wait unaccepted.
        let slot = tokio::select! {
            slot = open.clone().acquire_owned() => match slot {
                Ok(slot) => slot,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(err) => {
                    accept_failed(err).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let service = app
            .clone()
            .map_request(move |mut request: axum::http::Request<_>| {
                request.extensions_mut().insert(ConnectInfo(peer));
                request
            });
        let service = TowerToHyperService::new(service);
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            if let Err(err) = connection.await {
                tracing::debug!(error = %err, %peer, "connection ended");
            }
            drop(slot);
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}

/// Out of file descriptors or a connection reset before accept: wait a
/// little rather than spin (what hyper's and axum's servers do too).
async fn accept_failed(err: std::io::Error) {
    let transient = matches!(
        err.kind(),
        std::io::ErrorKind::ConnectionRefused
            | std::io::ErrorKind::ConnectionAborted
            | std::io::ErrorKind::ConnectionReset
    );
    if !transient {
        tracing::error!(error = %err, "cannot accept a connection");
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}
