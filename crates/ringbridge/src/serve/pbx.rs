//! The PBX side of `serve`: the Yeastar client, its event transport, and
//! ingest.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;

use anyhow::{Context, Result};
use ringbridge_core::pbx::{Pbx, PbxEventSource};
use ringbridge_core::replay::DeliveryLog;
use ringbridge_core::store::Storage;
use ringbridge_core::tracker::CallUpdate;
use ringbridge_engine::live::LiveCalls;
use ringbridge_engine::{Ingest, IngestConfig, IngestError, Ingested, StreamStatus};
use ringbridge_yeastar::{
    DEFAULT_WEBHOOK_PATH, WebhookConfig, WebhookReceiver, YeastarClient, YeastarConfig,
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
    /// The stream's lease, to give up when this side stops.
    pub lease: IngestLease,
}

/// The PBX stream lease a running side holds (or waits for).
pub struct IngestLease {
    store: Arc<dyn Storage>,
    name: String,
    holder: String,
}

impl IngestLease {
    /// Gives the lease up, so that the next start (the admin console
    /// applying a change) consumes the stream at once instead of standing
    /// by until the lease expires. Stop the ingest task first.
    pub async fn release(&self) {
        if let Err(err) = self.store.release_lease(&self.name, &self.holder).await {
            tracing::warn!(error = %err, "could not give up the PBX stream lease; it expires by itself");
        }
    }
}

/// The Yeastar client for the configured PBX.
pub fn pbx_client(pbx: &PbxConfig) -> Result<YeastarClient> {
    let mut yeastar = YeastarConfig::new(
        &pbx.base_url,
        pbx.client_id.clone(),
        pbx.client_secret()?,
        pbx.time_zone()?,
    )
    .context("pbx configuration")?;
    yeastar.accept_invalid_certs = pbx.accept_invalid_certs;
    YeastarClient::new(yeastar).context("creating the PBX client")
}

/// Connects to the configured PBX and starts ingesting its events.
pub fn start_pbx(
    pbx: &PbxConfig,
    timing: &Timing,
    store: Arc<dyn Storage>,
    deliveries: Arc<dyn DeliveryLog>,
) -> Result<PbxRuntime> {
    let client = pbx_client(pbx)?;
    let (source, webhook): (Arc<dyn PbxEventSource>, _) = match pbx.events {
        EventTransport::Websocket => (
            Arc::new(client.event_source(pbx.stream.event_stream()?)),
            None,
        ),
        EventTransport::Webhook => {
            let secret = pbx
                .webhook_secret()?
                .context("pbx.webhook_secret is required with events = \"webhook\"")?;
            // Accepted deliveries are kept in the database: a replay is
            // refused after a restart and on every node.
            let receiver = WebhookReceiver::with_delivery_log(
                pbx.stream
                    .webhook(WebhookConfig::new(secret, pbx.time_zone()?))?,
                deliveries,
                &format!("webhook:{}", pbx.id),
            );
            let router = receiver.router(DEFAULT_WEBHOOK_PATH);
            (Arc::new(receiver), Some(router))
        }
    };
    let (tx, events) = mpsc::channel(1024);
    let (status_tx, status) = watch::channel(StreamStatus::Starting);
    let lease = IngestLease {
        store: store.clone(),
        name: format!("ingest:{}", pbx.id),
        holder: node_id(),
    };
    let leader = Leader {
        lease: lease.name.clone(),
        holder: lease.holder.clone(),
        ttl: Duration::from_secs(timing.ingest_lease_secs),
        store,
        pbx: Arc::new(client.clone()),
        source,
        ingest: {
            let mut ingest = timing.ingest(&pbx.id);
            ingest.number_plan = pbx.number_plan()?;
            ingest
        },
        updates: tx,
        status: status_tx,
    };
    let ingest = tokio::spawn(leader.run());
    Ok(PbxRuntime {
        client,
        status,
        webhook,
        ingest,
        events,
        lease,
    })
}

/// Consumes the PBX's event stream while this node holds the stream's
/// lease, so that of several nodes on one database exactly one does; when
/// the holder dies its lease expires and another node takes over (and
/// catches up the gap from the PBX's call records).
struct Leader {
    lease: String,
    holder: String,
    ttl: Duration,
    store: Arc<dyn Storage>,
    pbx: Arc<dyn Pbx>,
    source: Arc<dyn PbxEventSource>,
    ingest: IngestConfig,
    updates: mpsc::Sender<Ingested>,
    status: watch::Sender<StreamStatus>,
}

impl Leader {
    async fn run(self) {
        let renew_every = self.ttl / 3;
        loop {
            match self
                .store
                .try_lease(&self.lease, &self.holder, self.ttl, Utc::now())
                .await
            {
                Ok(true) => {}
                Ok(false) => {
                    self.status.send_replace(StreamStatus::Disconnected {
                        since: Utc::now(),
                        reason: "standby: another node consumes the PBX stream".into(),
                    });
                    tokio::time::sleep(renew_every).await;
                    continue;
                }
                Err(err) => {
                    tracing::error!(error = %err, "cannot take the PBX stream lease");
                    tokio::time::sleep(renew_every).await;
                    continue;
                }
            }
            tracing::info!(holder = %self.holder, "this node consumes the PBX event stream");
            let ingest = Ingest::new(
                self.ingest.clone(),
                self.store.clone(),
                self.pbx.clone(),
                self.updates.clone(),
            );
            let mut term_status = ingest.status();
            let forward = {
                let status = self.status.clone();
                tokio::spawn(async move {
                    loop {
                        status.send_replace(term_status.borrow_and_update().clone());
                        if term_status.changed().await.is_err() {
                            return;
                        }
                    }
                })
            };
            let stream = self.source.events();
            let outcome = tokio::select! {
                result = ingest.run(stream) => Some(result),
                () = self.hold_lease(renew_every) => None,
            };
            forward.abort();
            match outcome {
                Some(Err(IngestError::SourceFailed(reason))) => {
                    self.status.send_replace(StreamStatus::Failed { reason });
                    let _ = self.store.release_lease(&self.lease, &self.holder).await;
                    return;
                }
                Some(Err(err)) => {
                    tracing::error!(error = %err, "PBX event ingest stopped; restarting")
                }
                Some(Ok(())) => tracing::warn!("PBX event stream ended; restarting"),
                None => tracing::warn!("lost the PBX stream lease; standing by"),
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Renews the lease until it is lost.
    async fn hold_lease(&self, every: Duration) {
        loop {
            tokio::time::sleep(every).await;
            match self
                .store
                .try_lease(&self.lease, &self.holder, self.ttl, Utc::now())
                .await
            {
                Ok(true) => {}
                Ok(false) => return,
                // A database hiccup: keep going while the lease may still be ours.
                Err(err) => tracing::warn!(error = %err, "could not renew the PBX stream lease"),
            }
        }
    }
}

fn node_id() -> String {
    format!(
        "{}-{}-{}",
        ringbridge_engine::context::host_name(),
        std::process::id(),
        Utc::now().timestamp_millis()
    )
}

/// Logs what happens to calls, one line per change, and feeds the agents'
/// panel hub (when a CRM is configured), until the channel closes.
pub async fn log_updates(mut updates: mpsc::Receiver<Ingested>, live: Option<Arc<LiveCalls>>) {
    while let Some(Ingested { update, origin }) = updates.recv().await {
        if let Some(live) = &live {
            live.apply(&update).await;
        }
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
            CallUpdate::Failed { call_id, reason } => {
                tracing::info!(%call_id, %reason, "call failed at the PBX")
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

/// Logs the PBX's model and firmware at start, with what the firmware means
/// for `mode` (see `ringbridge_yeastar::firmware`: a warning, never a refusal,
/// below the vendor integration's versions).
pub fn log_firmware(
    client: YeastarClient,
    mode: ringbridge_core::console::CrmMode,
    webhooks: bool,
) {
    tokio::spawn(async move {
        match client.system_information().await {
            Ok(info) => {
                let verdict =
                    ringbridge_yeastar::firmware::assess(&info.firmware_version, mode, webhooks);
                match verdict.level {
                    ringbridge_yeastar::firmware::FirmwareLevel::Ok => {
                        tracing::info!(model = %info.model, firmware = %verdict.text, "PBX");
                    }
                    _ => tracing::warn!(model = %info.model, firmware = %verdict.text, "PBX"),
                }
            }
            Err(err) => tracing::warn!(error = %err, "could not read the PBX's model and firmware"),
        }
    });
}
