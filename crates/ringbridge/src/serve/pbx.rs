//! The PBX side of `serve`: the Yeastar client and its event transport
//! (the engine's pipeline ingests it).

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use ringbridge_core::pbx::PbxEventSource;
use ringbridge_core::replay::DeliveryLog;
use ringbridge_core::store::Storage;
use ringbridge_engine::PbxStream;
use ringbridge_yeastar::{
    DEFAULT_WEBHOOK_PATH, WebhookConfig, WebhookReceiver, YeastarClient, YeastarConfig,
};

use crate::config::{EventTransport, PbxConfig, Timing};

/// The PBX side of a generation: its client and event source (the
/// generation's pipeline ingests it, see `ringbridge_engine::pipeline`).
pub struct PbxSide {
    pub client: YeastarClient,
    pub source: Arc<dyn PbxEventSource>,
    pub webhook: Option<axum::Router>,
}

/// The Yeastar client for the configured PBX.
pub fn pbx_client(pbx: &PbxConfig) -> Result<YeastarClient> {
    let mut yeastar = YeastarConfig::new(
        pbx.base_url.as_str(),
        pbx.client_id.clone(),
        pbx.client_secret()?,
        pbx.time_zone(),
    )
    .context("pbx configuration")?;
    yeastar.accept_invalid_certs = pbx.accept_invalid_certs;
    YeastarClient::new(yeastar).context("creating the PBX client")
}

/// Connects to the configured PBX: the client and its event transport.
pub fn connect_pbx(pbx: &PbxConfig, deliveries: Arc<dyn DeliveryLog>) -> Result<PbxSide> {
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
                    .webhook(WebhookConfig::new(secret, pbx.time_zone()))?,
                deliveries,
                &format!("webhook:{}", pbx.id),
            );
            let router = receiver.router(DEFAULT_WEBHOOK_PATH);
            (Arc::new(receiver), Some(router))
        }
    };
    Ok(PbxSide {
        client,
        source,
        webhook,
    })
}

/// What the generation's pipeline ingests from `side`.
pub fn stream(
    pbx: &PbxConfig,
    timing: &Timing,
    store: Arc<dyn Storage>,
    side: &PbxSide,
) -> Result<PbxStream> {
    let mut ingest = timing.ingest(&pbx.id);
    ingest.number_plan = pbx.number_plan.clone();
    Ok(PbxStream {
        store,
        pbx: Arc::new(side.client.clone()),
        source: side.source.clone(),
        ingest,
        lease_ttl: Duration::from_secs(timing.ingest_lease_secs),
    })
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
