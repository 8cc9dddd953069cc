//! [`SimYeastar`]: a running simulator and its control surface for tests and the demo.

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::{broadcast, oneshot};
use tokio::task::JoinHandle;

use crate::cdr::{CallRecord, RowContext, legacy_row, reworked_rows};
use crate::clock::SimClock;
use crate::config::{CdrMode, SimSettings, WebhookSettings};
use crate::contacts::{Contact, Phonebook};
use crate::engine::Party;
use crate::error::SimError;
use crate::events::Event;
use crate::faults::{Fault, FaultReport};
use crate::feed::{EncodedFrame, FrameFeed};
use crate::scenario::{Scenario, ScenarioError, builtin, player};
use crate::state::{ControlRequest, DialRequest, Recording, Shared, WebhookDelivery};

/// A running simulated PBX. Dropping it stops the server.
#[derive(Debug)]
pub struct SimYeastar {
    shared: Arc<Shared>,
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<()>>,
    dispatcher: JoinHandle<()>,
    releaser: JoinHandle<()>,
}

impl SimYeastar {
    /// Starts on `127.0.0.1:0`.
    pub async fn start(settings: SimSettings) -> Result<Self, SimError> {
        Self::start_on(SocketAddr::from(([127, 0, 0, 1], 0)), settings).await
    }

    /// Starts on the given address.
    pub async fn start_on(addr: SocketAddr, settings: SimSettings) -> Result<Self, SimError> {
        let listener = TcpListener::bind(addr).await.map_err(SimError::Bind)?;
        let addr = listener.local_addr().map_err(SimError::Bind)?;
        let shared = Arc::new(Shared::new(settings));
        let dispatcher = crate::webhook_push::spawn_dispatcher(shared.clone());
        let releaser = crate::faults::spawn_releaser(shared.clone());
        let app = crate::router::router(shared.clone())
            .into_make_service_with_connect_info::<SocketAddr>();
        let (tx, rx) = oneshot::channel::<()>();
        let server = tokio::spawn(async move {
            let serve = axum::serve(listener, app).with_graceful_shutdown(async {
                let _ = rx.await;
            });
            if let Err(e) = serve.await {
                tracing::error!(%e, "simulator server stopped");
            }
        });
        Ok(Self {
            shared,
            addr,
            shutdown: Some(tx),
            server: Some(server),
            dispatcher,
            releaser,
        })
    }

    /// Stops the server and closes every WebSocket.
    pub async fn stop(mut self) {
        self.shutdown_now();
        if let Some(s) = self.server.take() {
            let _ = s.await;
        }
    }

    fn shutdown_now(&mut self) {
        self.drop_websockets();
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        self.dispatcher.abort();
        self.releaser.abort();
    }

    /// Bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `{base}`, e.g. `http://127.0.0.1:40123`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// WebSocket subscribe URL without the token.
    pub fn ws_url(&self) -> String {
        format!("ws://{}/openapi/v1.0/subscribe", self.addr)
    }

    /// Client ID.
    pub fn client_id(&self) -> &str {
        &self.shared.settings.client_id
    }

    /// Client secret.
    pub fn client_secret(&self) -> &str {
        &self.shared.settings.client_secret
    }

    /// Settings the simulator runs with.
    pub fn settings(&self) -> &SimSettings {
        &self.shared.settings
    }

    /// The simulated clock (advance it to expire tokens and URLs).
    pub fn clock(&self) -> &SimClock {
        &self.shared.clock
    }

    /// Plays a scenario to its end; returns the call ids it created.
    pub async fn play(&self, scenario: &Scenario) -> Result<Vec<String>, SimError> {
        Ok(player::play(&self.shared, scenario).await?)
    }

    /// Plays `scenario` on calls that are already live (`bound`: the scenario's call label →
    /// the call id), e.g. answering a call an earlier scenario left ringing.
    pub async fn play_on(
        &self,
        scenario: &Scenario,
        bound: &[(&str, &str)],
    ) -> Result<Vec<String>, SimError> {
        let bound = bound
            .iter()
            .map(|(label, id)| ((*label).to_owned(), (*id).to_owned()))
            .collect();
        Ok(player::play_bound(&self.shared, scenario, bound).await?)
    }

    /// Plays a built-in scenario by name.
    pub async fn play_builtin(&self, name: &str) -> Result<Vec<String>, SimError> {
        self.play(&builtin(name)?).await
    }

    /// Plays a scenario in the background.
    pub fn spawn_play(&self, scenario: Scenario) -> JoinHandle<Result<Vec<String>, ScenarioError>> {
        let shared = self.shared.clone();
        tokio::spawn(async move { player::play(&shared, &scenario).await })
    }

    /// A cloneable handle that plays scenarios (for background loops).
    pub fn runner(&self) -> ScenarioRunner {
        ScenarioRunner {
            shared: self.shared.clone(),
        }
    }

    /// Publishes an arbitrary event (to WebSockets and webhooks).
    pub fn emit(&self, event: Event) {
        self.shared.bus.publish(event);
    }

    /// The event's frame exactly as this simulator's sockets send it.
    pub fn encode(&self, event: &Event) -> EncodedFrame {
        let settings = &self.shared.settings;
        EncodedFrame {
            type_id: event.type_id,
            text: event
                .envelope(&settings.serial, settings.msg_as_object)
                .to_string(),
        }
    }

    /// A feed of pre-encoded frames for the next WebSocket that connects
    /// (and, after it, its replacements), up to `batches` batches queued:
    /// for load tests whose feeding side must cost next to nothing.
    pub fn frame_feed(&self, batches: usize) -> FrameFeed {
        FrameFeed::install(&self.shared, batches)
    }

    /// Every event published so far.
    pub fn events(&self) -> Vec<Event> {
        self.shared.bus.history()
    }

    /// A live feed of events from now on.
    pub fn subscribe_events(&self) -> broadcast::Receiver<Arc<Event>> {
        self.shared.bus.subscribe()
    }

    /// The server drops every open WebSocket (no close handshake).
    pub fn drop_websockets(&self) {
        self.shared.ws_kill.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// While `true`, every WebSocket upgrade is answered `503` (an outage of the event
    /// service), so a test can hold a stream gap open as long as it likes.
    pub fn refuse_websockets(&self, refuse: bool) {
        self.shared
            .ws_refuse
            .store(refuse, std::sync::atomic::Ordering::SeqCst);
    }

    /// Switches a fault on (or off): the same as a scenario step or `POST /_sim/faults`.
    pub fn inject(&self, fault: &Fault) {
        crate::faults::apply(&self.shared, fault);
    }

    /// The faults in force.
    pub fn faults(&self) -> FaultReport {
        crate::faults::report(&self.shared)
    }

    /// `/_sim/…` admin URL for `path` (e.g. `play`).
    pub fn admin_url(&self, path: &str) -> String {
        format!("http://{}/_sim/{path}", self.addr)
    }

    /// Open WebSockets.
    pub fn open_websockets(&self) -> usize {
        self.shared.ws_open()
    }

    /// Every `call/dial` request received.
    pub fn dial_requests(&self) -> Vec<DialRequest> {
        self.shared.lock().dial_requests.clone()
    }

    /// Every per-channel call-control request (`call/hold`, `call/mute`,
    /// `call/accept_inbound`, ...) with the errcode it got.
    pub fn control_requests(&self) -> Vec<ControlRequest> {
        self.shared.lock().control_requests.clone()
    }

    /// Channels muted now (mute shows in no event).
    pub fn muted_channels(&self) -> Vec<String> {
        let st = self.shared.lock();
        st.muted
            .iter()
            .filter(|ch| st.calls.values().any(|c| c.by_channel(ch).is_some()))
            .cloned()
            .collect()
    }

    /// An outside caller `from` calls `to` (an extension, group or queue) on the first trunk
    /// with *Control Inbound Call* on: the PBX sends a 30016 and holds the call until
    /// `call/accept_inbound` / `call/refuse_inbound`, or routes it by itself after
    /// [`SimSettings::invitation_window`]. Returns the call id and the caller's channel.
    pub fn invite_inbound(&self, from: &str, to: &str) -> Result<(String, String), SimError> {
        let step = |source| ScenarioError::Step { step: 0, source };
        let invited = crate::scenario::player::apply(&self.shared, |e| {
            let to = Party::classify(e.st, to);
            let from = Party::External {
                number: from.to_owned(),
                trunk: None,
                did: None,
            };
            let call_id = e.start_call(&from, &to, true)?;
            let channel = e.invite(&call_id)?;
            Ok((call_id, channel))
        })
        .map_err(step)?;
        crate::api::control::spawn_window(self.shared.clone(), invited.1.clone());
        Ok(invited)
    }

    /// Company contacts.
    pub fn contacts(&self) -> Vec<Contact> {
        self.shared.lock().book.contacts()
    }

    /// Phonebooks.
    pub fn phonebooks(&self) -> Vec<Phonebook> {
        self.shared.lock().book.phonebooks()
    }

    /// Finished calls.
    pub fn call_records(&self) -> Vec<CallRecord> {
        self.shared.lock().records.clone()
    }

    /// v1.0 CDR rows as `cdr/list` would return them (configured CDR mode).
    pub fn cdr_rows(&self) -> Vec<Value> {
        let s = &self.shared.settings;
        let ctx = RowContext {
            zone: s.zone(),
            display: s.display_format,
        };
        let st = self.shared.lock();
        match s.cdr_mode {
            CdrMode::Legacy => st.records.iter().map(|r| legacy_row(r, ctx)).collect(),
            CdrMode::Reworked => st
                .records
                .iter()
                .flat_map(|r| reworked_rows(r, ctx))
                .collect(),
        }
    }

    /// Recordings.
    pub fn recordings(&self) -> Vec<Recording> {
        self.shared.lock().recordings.clone()
    }

    /// Ids of calls in progress.
    pub fn live_calls(&self) -> Vec<String> {
        self.shared.lock().calls.keys().cloned().collect()
    }

    /// Clears an IP block (the admin's *Blocked IPs* list).
    pub fn unblock_ip(&self, ip: IpAddr) -> bool {
        self.shared.auth().unblock(ip)
    }

    /// Blocked IPs.
    pub fn blocked_ips(&self) -> Vec<IpAddr> {
        self.shared.auth().blocked_ips()
    }

    /// Access tokens valid now.
    pub fn live_access_tokens(&self) -> usize {
        self.shared
            .auth()
            .live_access_tokens(self.shared.clock.now())
    }

    /// Current webhook settings.
    pub fn webhooks(&self) -> WebhookSettings {
        self.shared.lock().webhooks.clone()
    }

    /// Webhook delivery attempts so far.
    pub fn webhook_deliveries(&self) -> Vec<WebhookDelivery> {
        self.shared.lock().deliveries.clone()
    }

    /// Requests received per endpoint (`v1.0/call/dial`, `v2.0/cdr/list`, `download`, ...).
    pub fn request_counts(&self) -> BTreeMap<String, u64> {
        self.shared.counters()
    }

    /// Requests received for one endpoint.
    pub fn request_count(&self, endpoint: &str) -> u64 {
        self.shared.counters().get(endpoint).copied().unwrap_or(0)
    }
}

impl Drop for SimYeastar {
    fn drop(&mut self) {
        self.shutdown_now();
        if let Some(s) = self.server.take() {
            s.abort();
        }
    }
}

/// Plays scenarios on a running simulator; cheap to clone into tasks.
#[derive(Debug, Clone)]
pub struct ScenarioRunner {
    shared: Arc<Shared>,
}

impl ScenarioRunner {
    /// Plays a scenario to its end; returns the call ids it created.
    pub async fn play(&self, scenario: &Scenario) -> Result<Vec<String>, ScenarioError> {
        player::play(&self.shared, scenario).await
    }
}
