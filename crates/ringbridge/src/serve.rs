//! `ringbridge serve`: wires storage, the PBX adapter, the engine and the
//! HTTP surface together and runs them until Ctrl-C / SIGTERM.

use std::sync::Arc;

use anyhow::{Context, Result};
use ringbridge_store::SqlStore;
use ringbridge_web::AppState;

use crate::config::Config;

pub async fn open_store(config: &Config) -> Result<SqlStore> {
    config.prepare_data_dir()?;
    let key = config.secret_key()?;
    SqlStore::open(&config.database_url(), key).await.context("opening the database")
}

pub async fn run(config: Config) -> Result<()> {
    let store = open_store(&config).await?;
    let state = AppState { store: Arc::new(store.clone()), pbx_stream: None };
    let app = ringbridge_web::router(state, None);
    let listener = tokio::net::TcpListener::bind(config.http.listen)
        .await
        .with_context(|| format!("listening on {}", config.http.listen))?;
    tracing::info!(addr = %listener.local_addr()?, "ringbridge is serving");
    ringbridge_web::serve(listener, app, shutdown_signal()).await?;
    store.close().await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).expect("SIGTERM handler");
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
    tracing::info!("shutting down");
}
