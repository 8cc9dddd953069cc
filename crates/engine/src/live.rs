//! The live-calls hub: what each agent's panel shows right now.
//!
//! Ingest's [`CallUpdate`]s go in ([`LiveCalls::apply`]); per-extension
//! [`AgentEvent`]s come out on one broadcast channel, each enriched once per
//! call with the matched CRM record (name, module, screen-pop URL). A panel
//! that connects gets its extension's current calls first
//! ([`LiveCalls::subscribe`]), then every change, with nothing lost or
//! repeated in between (snapshot and subscription are taken under one lock).

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};

use ringbridge_core::crm::{Crm, CrmError, CrmRecord};
use ringbridge_core::tracker::CallUpdate;
use serde::Serialize;
use tokio::sync::{OnceCell, broadcast};

use crate::context::EngineContext;
use crate::matcher::CallerMatcher;
use crate::visibility::Sighted;

/// How many events a slow panel may fall behind before it is told to
/// reconnect (and gets a fresh snapshot).
const CHANNEL_CAPACITY: usize = 1024;

/// Where a call stands for one agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AgentCallState {
    Ringing,
    Talking,
    Ended,
}

/// The CRM record behind a call's number, as the panel shows and opens it:
/// the one the call's log will name (core's match rule, for the user of the
/// extension it rings at).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LiveRecord {
    pub name: String,
    pub module: String,
    pub url: String,
    /// How many records share the number (this one included): above one,
    /// the agent chooses (the panel's chooser) instead of a pop.
    pub matches: usize,
    /// What the agent may see of it (their own Zoho grant decides).
    pub access: RecordAccess,
}

/// What the agent may see of a number's record (see `crate::visibility`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordAccess {
    Visible,
    /// "A CRM record you cannot open": no name, company or link.
    Hidden,
    /// The agent's grant is revoked or expired: no CRM details at all.
    NoGrant,
}

/// One change of one call at one extension.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AgentEvent {
    pub call_id: String,
    pub extension: String,
    pub state: AgentCallState,
    /// The outside party's number; `None` for internal calls.
    pub number: Option<String>,
    /// The call stopped ringing here because another agent answered.
    pub answered_elsewhere: bool,
    /// The matched record; `None` for unknown numbers and internal calls.
    pub record: Option<LiveRecord>,
    /// `false` while no CRM is connected: the call is the PBX's alone, and
    /// the panel says it is not linked to the CRM yet (no lookups, no
    /// record buttons that could not work).
    pub crm_linked: bool,
}

/// The enrichment of one call for one CRM user (or none), shared by the
/// legs it rings for that user and looked up once.
type Enrichment = Arc<OnceCell<Option<LiveRecord>>>;

#[derive(Default)]
struct State {
    /// extension → call id → the call's latest event there.
    current: HashMap<String, BTreeMap<String, AgentEvent>>,
    /// (call id, CRM user) → its record lookup (dropped when the call ends).
    enrichment: HashMap<(String, Option<String>), Enrichment>,
}

/// What names a call's record; absent while no CRM is connected.
struct Linked {
    matcher: Arc<dyn CallerMatcher>,
    crm: Arc<dyn Crm>,
}

/// The hub. Cheap to share behind an `Arc`.
pub struct LiveCalls {
    linked: Option<Linked>,
    /// Maps extensions to CRM users, so the pop names the record the log will.
    engine: Option<Arc<EngineContext>>,
    state: Mutex<State>,
    sender: broadcast::Sender<AgentEvent>,
}

/// Why a feed stopped.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FeedError {
    /// The reader fell too far behind; it should reconnect for a fresh snapshot.
    #[error("the live feed fell behind by {0} events")]
    Lagged(u64),
    #[error("the live-calls hub is gone")]
    Closed,
}

/// The live events of one extension.
pub struct AgentFeed {
    extension: String,
    receiver: broadcast::Receiver<AgentEvent>,
}

impl AgentFeed {
    /// The next event at this feed's extension.
    pub async fn recv(&mut self) -> Result<AgentEvent, FeedError> {
        loop {
            match self.receiver.recv().await {
                Ok(event) if event.extension == self.extension => return Ok(event),
                Ok(_) => {}
                Err(broadcast::error::RecvError::Lagged(n)) => return Err(FeedError::Lagged(n)),
                Err(broadcast::error::RecvError::Closed) => return Err(FeedError::Closed),
            }
        }
    }
}

impl LiveCalls {
    pub fn new(matcher: Arc<dyn CallerMatcher>, crm: Arc<dyn Crm>) -> Self {
        Self::with_link(Some(Linked { matcher, crm }))
    }

    /// The hub of a PBX without a connected CRM: calls are shown as the
    /// PBX reports them, never matched.
    pub fn unlinked() -> Self {
        Self::with_link(None)
    }

    fn with_link(linked: Option<Linked>) -> Self {
        let (sender, _) = broadcast::channel(CHANNEL_CAPACITY);
        Self {
            linked,
            engine: None,
            state: Mutex::new(State::default()),
            sender,
        }
    }

    /// Chooses among several records for the user of the ringing
    /// extension, as the call's log does (without it, for nobody).
    pub fn with_engine(mut self, engine: Arc<EngineContext>) -> Self {
        self.engine = Some(engine);
        self
    }

    /// The calls at `extension` now, and its changes from now on.
    pub fn subscribe(&self, extension: &str) -> (Vec<AgentEvent>, AgentFeed) {
        let state = self.lock();
        let snapshot = state
            .current
            .get(extension)
            .map(|calls| calls.values().cloned().collect())
            .unwrap_or_default();
        let feed = AgentFeed {
            extension: extension.to_owned(),
            receiver: self.sender.subscribe(),
        };
        (snapshot, feed)
    }

    /// The call `call_id` as it stands at `extension` now, if it is there
    /// (ringing or talking).
    pub fn call_at(&self, extension: &str, call_id: &str) -> Option<AgentEvent> {
        self.lock().current.get(extension)?.get(call_id).cloned()
    }

    /// The call `call_id` at whichever extension has it now.
    pub fn call_anywhere(&self, call_id: &str) -> Option<AgentEvent> {
        self.lock()
            .current
            .values()
            .find_map(|calls| calls.get(call_id).cloned())
    }

    /// Takes one update of the call tracker into the agents' views.
    pub async fn apply(&self, update: &CallUpdate) {
        match update {
            CallUpdate::Ringing {
                call_id,
                extension,
                other_party,
                ..
            } => {
                self.open(
                    call_id.as_str(),
                    extension,
                    other_party.as_deref(),
                    AgentCallState::Ringing,
                )
                .await;
            }
            CallUpdate::Answered {
                call_id,
                extension,
                other_party,
            } => {
                self.open(
                    call_id.as_str(),
                    extension,
                    other_party.as_deref(),
                    AgentCallState::Talking,
                )
                .await;
            }
            CallUpdate::RingStopped {
                call_id,
                extension,
                answered_elsewhere,
            } => self.close(call_id.as_str(), extension, *answered_elsewhere),
            CallUpdate::Left { call_id, extension } => {
                self.close(call_id.as_str(), extension, false)
            }
            CallUpdate::Ended(outcome) => self.end(outcome.call_id.as_str()),
            // The legs it ended came as their own updates; the end follows.
            CallUpdate::Failed { .. } => {}
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // The state is plain data updated in single steps: a panic elsewhere
        // cannot leave it half-written, so a poisoned lock is still usable.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn publish(state: &mut State, sender: &broadcast::Sender<AgentEvent>, event: AgentEvent) {
        let calls = state.current.entry(event.extension.clone()).or_default();
        if event.state == AgentCallState::Ended {
            calls.remove(&event.call_id);
            if calls.is_empty() {
                state.current.remove(&event.extension);
            }
        } else {
            calls.insert(event.call_id.clone(), event.clone());
        }
        // No receivers is normal (no panel open).
        let _ = sender.send(event);
    }

    async fn open(
        &self,
        call_id: &str,
        extension: &str,
        number: Option<&str>,
        state: AgentCallState,
    ) {
        let record = match number {
            Some(number) => self.record_for(call_id, extension, number).await,
            // Internal calls are never looked up.
            None => None,
        };
        let event = AgentEvent {
            call_id: call_id.to_owned(),
            extension: extension.to_owned(),
            state,
            number: number.map(str::to_owned),
            answered_elsewhere: false,
            record,
            crm_linked: self.linked.is_some(),
        };
        Self::publish(&mut self.lock(), &self.sender, event);
    }

    /// Ends the call at one extension; nothing to say if it was not shown there.
    fn close(&self, call_id: &str, extension: &str, answered_elsewhere: bool) {
        let mut state = self.lock();
        let Some(shown) = state
            .current
            .get(extension)
            .and_then(|calls| calls.get(call_id))
            .cloned()
        else {
            return;
        };
        let event = AgentEvent {
            state: AgentCallState::Ended,
            answered_elsewhere,
            ..shown
        };
        Self::publish(&mut state, &self.sender, event);
    }

    /// The PBX says the call is over: close it wherever it is still shown.
    fn end(&self, call_id: &str) {
        let mut state = self.lock();
        state.enrichment.retain(|(call, _), _| call != call_id);
        let shown: Vec<AgentEvent> = state
            .current
            .values()
            .filter_map(|calls| calls.get(call_id).cloned())
            .collect();
        for event in shown {
            let event = AgentEvent {
                state: AgentCallState::Ended,
                answered_elsewhere: false,
                ..event
            };
            Self::publish(&mut state, &self.sender, event);
        }
    }

    /// The call's record, looked up at most once per call however many
    /// extensions it rings. A failed lookup is retried at the call's next update.
    async fn record_for(&self, call_id: &str, extension: &str, number: &str) -> Option<LiveRecord> {
        let linked = self.linked.as_ref()?;
        let owner = self.engine.as_ref().and_then(|ctx| {
            ctx.users()
                .user_for(extension)
                .map(|u| u.crm_user_id.clone())
        });
        let cell = self
            .lock()
            .enrichment
            .entry((call_id.to_owned(), owner.clone()))
            .or_default()
            .clone();
        let found = cell
            .get_or_try_init(|| async {
                let found = linked.matcher.lookup(number, owner.as_deref()).await?;
                let sighted = match &self.engine {
                    Some(ctx) => ctx.sift_for(owner.as_deref(), found).await,
                    None => Sighted::Records(Box::new(found)),
                };
                Ok::<_, CrmError>(sighted_record(&linked.crm, sighted))
            })
            .await;
        match found {
            Ok(record) => record.clone(),
            Err(err) => {
                tracing::warn!(call_id, error = %err, "cannot match the caller for the panel");
                None
            }
        }
    }
}

fn sighted_record(crm: &Arc<dyn Crm>, sighted: Sighted) -> Option<LiveRecord> {
    let unseen = |module: &str, access| LiveRecord {
        name: String::new(),
        module: module.to_owned(),
        url: String::new(),
        matches: 0,
        access,
    };
    match sighted {
        Sighted::Records(found) => {
            let matches = usize::from(found.chosen.is_some()) + found.others.len();
            found.chosen.map(|r| live_record(crm, &r, matches))
        }
        Sighted::Hidden { module } => Some(unseen(module.as_str(), RecordAccess::Hidden)),
        Sighted::NoGrant => Some(unseen("", RecordAccess::NoGrant)),
    }
}

fn live_record(crm: &Arc<dyn Crm>, record: &CrmRecord, matches: usize) -> LiveRecord {
    LiveRecord {
        name: record.name.clone(),
        module: record.reference.module.as_str().to_owned(),
        url: crm.record_url(&record.reference),
        matches,
        access: RecordAccess::Visible,
    }
}
