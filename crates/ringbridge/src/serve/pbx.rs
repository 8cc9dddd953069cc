//! The PBX side of `serve`: the Yeastar client, its event transport, and
//! ingest.

use std::sync::Arc;

use anyhow::{Context, Result};
use ringbridge_core::pbx::{Pbx, PbxEventSource};
use ringbridge_core::store::Storage;
use ringbridge_core::tracker::CallUpdate;
use ringbridge_engine::{Ingest, Ingested, StreamStatus};
use ringbridge_yeastar::{
    DEFAULT_WEBHOOK_PATH, EventStreamConfig, WebhookConfig, WebhookReceiver, YeastarClient,
    YeastarConfig,
};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use crate::config::{EventTransport, PbxConfig, Timing};

/// The PBX side of a running service.
pub struct PbxRuntime {
    pub client: YeastarClient,
    pub status: watch::Receiver<StreamStatus>,
    pub webhook: Option<axum::Router>,
    pub ingest: JoinHandle<()>,
    pub events: mpsc::Receiver<Ingested>,
}

/// Connects to the configured PBX and starts ingesting its events.
pub fn start_pbx(pbx: &PbxConfig, timing: &Timing, store: Arc<dyn Storage>) -> Result<PbxRuntime> {
    let mut yeastar = YeastarConfig::new(
        &pbx.base_url,
        pbx.client_id.clone(),
        pbx.client_secret()?,
        pbx.time_zone()?,
    )
    .context("pbx configuration")?;
    yeastar.accept_invalid_certs = pbx.accept_invalid_certs;
    let client = YeastarClient::new(yeastar).context("creating the PBX client")?;
    let (source, webhook): (Box<dyn PbxEventSource>, _) = match pbx.events {
        EventTransport::Websocket => (
            Box::new(client.event_source(EventStreamConfig::default())),
            None,
        ),
        EventTransport::Webhook => {
            let secret = pbx
                .webhook_secret()?
                .context("pbx.webhook_secret is required with events = \"webhook\"")?;
            let receiver = WebhookReceiver::new(WebhookConfig::new(secret, pbx.time_zone()?));
            let router = receiver.router(DEFAULT_WEBHOOK_PATH);
            (Box::new(receiver), Some(router))
        }
    };
    let (tx, events) = mpsc::channel(1024);
    let pbx_port: Arc<dyn Pbx> = Arc::new(client.clone());
    let ingest = Ingest::new(timing.ingest(&pbx.id), store, pbx_port, tx);
    let status = ingest.status();
    let stream = source.events();
    let ingest = tokio::spawn(async move {
        if let Err(err) = ingest.run(stream).await {
            tracing::error!(error = %err, "PBX event ingest stopped");
        }
    });
    Ok(PbxRuntime {
        client,
        status,
        webhook,
        ingest,
        events,
    })
}

/// Logs what happens to calls, one line per change, until the channel closes.
pub async fn log_updates(mut updates: mpsc::Receiver<Ingested>) {
    while let Some(Ingested { update, origin }) = updates.recv().await {
        match update {
            CallUpdate::Ringing {
                call_id,
                extension,
                other_party,
                direction,
            } => {
                tracing::info!(%call_id, %extension, from = other_party.as_deref().unwrap_or("-"), ?direction, "ringing")
            }
            CallUpdate::Answered {
                call_id,
                extension,
                other_party,
            } => {
                tracing::info!(%call_id, %extension, with = other_party.as_deref().unwrap_or("-"), "answered")
            }
            CallUpdate::RingStopped {
                call_id,
                extension,
                answered_elsewhere,
            } => {
                tracing::info!(%call_id, %extension, answered_elsewhere, "stopped ringing")
            }
            CallUpdate::Left { call_id, extension } => {
                tracing::info!(%call_id, %extension, "hung up")
            }
            CallUpdate::Ended(outcome) => tracing::info!(
                ?origin,
                call_id = %outcome.call_id,
                direction = ?outcome.direction,
                answered = outcome.answered,
                other_party = outcome.other_party.as_deref().unwrap_or("-"),
                talked = %outcome.talked.join(","),
                talk_s = outcome.record.talk_s,
                "call ended"
            ),
        }
    }
}
