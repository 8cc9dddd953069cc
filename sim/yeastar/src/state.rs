//! Shared simulator state behind one mutex, plus the cross-cutting pieces (clock, bus, tokens).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};

use bytes::Bytes;
use tokio::sync::watch;

use crate::auth::{AuthLimits, TokenStore};
use crate::cdr::CallRecord;
use crate::clock::SimClock;
use crate::config::{SimSettings, WebhookSettings};
use crate::contacts::ContactBook;
use crate::engine::model::{CallType, LiveCall};
use crate::events::EventBus;
use crate::sample::{Extension, Queue, RingGroup, Trunk};

/// A stored call recording.
#[derive(Debug, Clone)]
pub struct Recording {
    /// Id (`recording/download?id=`).
    pub id: u64,
    /// File name, `YYYYMMDDhhmmss-<call_id>-<from>-<to>-<Type>.wav`.
    pub file: String,
    /// Call id.
    pub call_id: String,
    /// CDR uid.
    pub uid: String,
    /// Call start.
    pub started_at: i64,
    /// Caller number.
    pub from_number: String,
    /// Caller name.
    pub from_name: String,
    /// Recorded callee number.
    pub to_number: String,
    /// Recorded callee name.
    pub to_name: String,
    /// Direction.
    pub call_type: CallType,
    /// Talk seconds.
    pub duration: i64,
    /// File contents.
    pub bytes: Bytes,
}

/// A download URL handed out by `recording/download`.
#[derive(Debug, Clone)]
pub struct DownloadLink {
    /// Recording id.
    pub recording_id: u64,
    /// Epoch second the URL stops working.
    pub expires_at: i64,
}

/// One `call/dial` request as received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DialRequest {
    /// `caller`.
    pub caller: String,
    /// `callee`.
    pub callee: String,
    /// `dial_permission`, if sent.
    pub dial_permission: Option<String>,
    /// `auto_answer`, if sent.
    pub auto_answer: Option<String>,
    /// The call id returned.
    pub call_id: String,
    /// Simulated time of the request.
    pub at: i64,
}

/// One per-channel call-control request (`call/hold`, `call/mute`, ...) as received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ControlRequest {
    /// Endpoint, e.g. `call/hold`.
    pub endpoint: String,
    /// `channel_id` sent.
    pub channel_id: String,
    /// The errcode answered (0 = success).
    pub errcode: i64,
}

/// One webhook delivery attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookDelivery {
    /// Target URL.
    pub url: String,
    /// 1-based attempt number.
    pub attempt: u32,
    /// HTTP status, `None` on timeout / connection error.
    pub status: Option<u16>,
    /// Raw body sent.
    pub body: String,
    /// `X-Signature` sent.
    pub signature: String,
}

/// Id counters.
#[derive(Debug, Clone, Default)]
pub struct Sequences {
    /// Call `<seq>`.
    pub call: u64,
    /// Channel suffix.
    pub channel: u64,
    /// Legacy CDR id.
    pub cdr: u64,
    /// `new_id` counter.
    pub new_id: u64,
    /// Recording id.
    pub recording: u64,
}

/// Mutable PBX state.
#[derive(Debug)]
pub struct State {
    /// Extensions (presence can change).
    pub extensions: Vec<Extension>,
    /// Ring groups.
    pub ring_groups: Vec<RingGroup>,
    /// Queues.
    pub queues: Vec<Queue>,
    /// Trunks.
    pub trunks: Vec<Trunk>,
    /// Contacts and phonebooks.
    pub book: ContactBook,
    /// Calls in progress, by call id.
    pub calls: BTreeMap<String, LiveCall>,
    /// Finished calls.
    pub records: Vec<CallRecord>,
    /// Recordings.
    pub recordings: Vec<Recording>,
    /// Download URLs by path.
    pub downloads: HashMap<String, DownloadLink>,
    /// `call/dial` requests.
    pub dial_requests: Vec<DialRequest>,
    /// `call/hold`, `call/unhold`, `call/mute`, `call/unmute`, `call/accept_inbound`,
    /// `call/refuse_inbound` requests.
    pub control_requests: Vec<ControlRequest>,
    /// Muted channels (mute shows in no event).
    pub muted: BTreeSet<String>,
    /// Inbound calls held for `call/accept_inbound` / `call/refuse_inbound`: channel → call id.
    pub invitations: BTreeMap<String, String>,
    /// Webhook settings (changed by `webhook/update`).
    pub webhooks: WebhookSettings,
    /// Webhook delivery log.
    pub deliveries: Vec<WebhookDelivery>,
    /// Counters.
    pub seq: Sequences,
    /// Consecutive ring timeouts per (queue, agent): (caller, call id).
    pub agent_misses: HashMap<(String, String), Vec<(String, String)>>,
    /// Last 30008 status per extension.
    pub ext_call_state: HashMap<String, &'static str>,
    /// CDR delay for calls ending now ([`crate::faults::Fault::DelayCdrs`]).
    pub cdr_delay_secs: u64,
    /// CDRs held back by that delay.
    pub delayed_cdrs: Vec<crate::faults::DelayedCdr>,
}

impl State {
    /// State seeded from settings.
    pub fn new(s: &SimSettings) -> Self {
        let mut book = ContactBook::seeded(&s.company, s.name_format);
        book.max_contacts = s.max_contacts;
        book.max_books = s.max_phonebooks;
        book.strict_delete = s.strict_contact_delete;
        book.unique_in_phonebook = s.unique_contacts_in_phonebook;
        Self {
            extensions: s.company.extensions.clone(),
            ring_groups: s.company.ring_groups.clone(),
            queues: s.company.queues.clone(),
            trunks: s.company.trunks.clone(),
            book,
            calls: BTreeMap::new(),
            records: Vec::new(),
            recordings: Vec::new(),
            downloads: HashMap::new(),
            dial_requests: Vec::new(),
            control_requests: Vec::new(),
            muted: BTreeSet::new(),
            invitations: BTreeMap::new(),
            webhooks: s.webhooks.clone(),
            deliveries: Vec::new(),
            seq: Sequences {
                call: s.first_call_seq.saturating_sub(1),
                ..Sequences::default()
            },
            agent_misses: HashMap::new(),
            ext_call_state: HashMap::new(),
            cdr_delay_secs: 0,
            delayed_cdrs: Vec::new(),
        }
    }

    /// Extension by number.
    pub fn extension(&self, number: &str) -> Option<&Extension> {
        self.extensions.iter().find(|e| e.number == number)
    }

    /// Ring group by number.
    pub fn ring_group(&self, number: &str) -> Option<&RingGroup> {
        self.ring_groups.iter().find(|g| g.number == number)
    }

    /// Queue by number.
    pub fn queue(&self, number: &str) -> Option<&Queue> {
        self.queues.iter().find(|q| q.number == number)
    }

    /// Trunk by name, or the default (first) trunk.
    pub fn trunk(&self, name: Option<&str>) -> Option<&Trunk> {
        match name {
            Some(n) => self.trunks.iter().find(|t| t.name == n),
            None => self.trunks.first(),
        }
    }
}

/// Everything the server tasks share.
#[derive(Debug)]
pub struct Shared {
    /// Settings as started.
    pub settings: SimSettings,
    /// Simulated clock.
    pub clock: SimClock,
    /// Event fan-out.
    pub bus: EventBus,
    /// PBX state.
    pub state: Mutex<State>,
    /// Tokens and IP blocks.
    pub auth: Mutex<TokenStore>,
    /// Requests per endpoint (e.g. `v1.0/call/dial`).
    pub counters: Mutex<BTreeMap<String, u64>>,
    /// Bumped to make every WebSocket task drop its connection.
    pub ws_kill: watch::Sender<u64>,
    /// Open WebSockets.
    pub ws_open: AtomicUsize,
    /// While set, WebSocket upgrades are refused (the PBX unreachable for a while).
    pub ws_refuse: AtomicBool,
    /// WebSocket upgrades are refused until then ([`crate::faults::Fault`]).
    pub ws_refused_until: Mutex<Option<tokio::time::Instant>>,
    /// Bumped when every access token was expired at once, so open sockets re-check theirs.
    pub tokens_expired: watch::Sender<u64>,
    /// MP3 downloads in flight (the PBX serves one at a time in MP3 mode).
    pub mp3_downloads: AtomicUsize,
    /// Outgoing HTTP for webhooks.
    pub http: reqwest::Client,
    /// Pre-encoded frames waiting for the next subscribed socket.
    pub(crate) feed: crate::feed::FeedSlot,
}

fn relock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock leaves consistent-enough data for a simulator.
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Shared {
    /// Builds the shared state.
    pub fn new(settings: SimSettings) -> Self {
        let clock = SimClock::new(settings.clock);
        let auth = TokenStore::new(AuthLimits {
            client_id: settings.client_id.clone(),
            client_secret: settings.client_secret.clone(),
            access_ttl: settings.access_token_ttl,
            refresh_ttl: settings.refresh_token_ttl,
            max_access_tokens: settings.max_access_tokens,
            max_failed_logins: settings.max_failed_logins,
            allow_list: settings.ip_allow_list.clone(),
        });
        let (ws_kill, _) = watch::channel(0);
        let (tokens_expired, _) = watch::channel(0);
        Self {
            state: Mutex::new(State::new(&settings)),
            settings,
            clock,
            bus: EventBus::new(),
            auth: Mutex::new(auth),
            counters: Mutex::new(BTreeMap::new()),
            ws_kill,
            ws_open: AtomicUsize::new(0),
            ws_refuse: AtomicBool::new(false),
            ws_refused_until: Mutex::new(None),
            tokens_expired,
            mp3_downloads: AtomicUsize::new(0),
            http: reqwest::Client::new(),
            feed: Mutex::new(None),
        }
    }

    /// Locks the PBX state.
    pub fn lock(&self) -> MutexGuard<'_, State> {
        relock(&self.state)
    }

    /// Locks the token store.
    pub fn auth(&self) -> MutexGuard<'_, TokenStore> {
        relock(&self.auth)
    }

    /// Counts one request.
    pub fn count(&self, endpoint: &str) {
        *relock(&self.counters)
            .entry(endpoint.to_owned())
            .or_insert(0) += 1;
    }

    /// Locks the timed WebSocket refusal.
    pub fn ws_refused_until(&self) -> MutexGuard<'_, Option<tokio::time::Instant>> {
        relock(&self.ws_refused_until)
    }

    /// Request counters.
    pub fn counters(&self) -> BTreeMap<String, u64> {
        relock(&self.counters).clone()
    }

    /// Open WebSocket count.
    pub fn ws_open(&self) -> usize {
        self.ws_open.load(Ordering::SeqCst)
    }
}
