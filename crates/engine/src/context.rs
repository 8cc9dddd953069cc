//! What every engine worker shares.

use std::sync::{Arc, RwLock};
use std::time::Duration;

use ringbridge_core::console::CrmMode;
use ringbridge_core::crm::{Crm, CrmUser};
use ringbridge_core::outbox::JobKind;
use ringbridge_core::pbx::Pbx;
use ringbridge_core::phone::NumberPlan;
use ringbridge_core::settings::EngineSettings;
use ringbridge_core::store::Storage;
use ringbridge_core::usermap::UserMap;
use tokio::sync::{Notify, watch};

use crate::matcher::CallerMatcher;
use crate::phonebridge::PhoneBridgeSender;

/// The CRM connection as the engine sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CrmHealth {
    Ok,
    /// Authorization is gone; writes are paused and kept until an admin reconnects.
    ReconnectNeeded(String),
    /// The CRM's token endpoint refused to mint tokens; no new one is
    /// asked for before `until` (calls stay queued).
    Throttled {
        until: chrono::DateTime<chrono::Utc>,
    },
}

impl std::fmt::Display for CrmHealth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Ok => f.write_str("ok"),
            Self::ReconnectNeeded(reason) => {
                write!(f, "reconnect needed (calls kept queued): {reason}")
            }
            Self::Throttled { until } => {
                write!(f, "CRM throttled until {} UTC", until.format("%H:%M"))
            }
        }
    }
}

/// Timing knobs, built from [`crate::timing::Timing`]; tests shorten them.
#[derive(Debug, Clone)]
pub struct Tuning {
    /// Call logs per CRM request (Zoho's maximum is 100).
    pub batch_max: u32,
    /// A call log waits at most this long for others to share its request.
    pub flush_delay: Duration,
    /// How often workers look for jobs other nodes enqueued.
    pub poll: Duration,
    /// How long a claimed job is reserved before another worker may take it.
    pub lease: Duration,
    pub max_attempts: u32,
    pub backoff_base: Duration,
    pub backoff_max: Duration,
    /// How long writes pause when the CRM connection needs re-authorization.
    pub reconnect_pause: Duration,
    /// How long a call waits for a record being created for its number.
    pub creation_wait: Duration,
    /// The longest a PhoneBridge terminal waits for the caller's new record
    /// (see the `phonebridge` module docs).
    pub terminal_record_wait: Duration,
}

impl Default for Tuning {
    /// From the one default file (`timing.default.toml`).
    fn default() -> Self {
        crate::timing::Timing::default().tuning()
    }
}

/// Builds links to call recordings that ringbridge serves (the recording
/// feature signs them; the engine only stores and sends the URL).
pub trait RecordingLinks: Send + Sync {
    fn link(&self, call_key: &str) -> String;
}

pub struct EngineContext {
    pub pbx_id: String,
    pub worker_id: String,
    pub store: Arc<dyn Storage>,
    pub crm: Arc<dyn Crm>,
    pub pbx: Arc<dyn Pbx>,
    pub matcher: Arc<dyn CallerMatcher>,
    /// What the admin changes while running (the console's settings page and
    /// user pairs), swapped whole. A `watch` rather than a lock: readers (each
    /// job, each live event) take a consistent snapshot without blocking a
    /// save, a save never waits for a job, and whoever must react to a change
    /// can subscribe. No new dependency, unlike `arc-swap`.
    settings: watch::Sender<Arc<EngineSettings>>,
    users: watch::Sender<Arc<UserMap>>,
    pub plan: NumberPlan,
    pub recordings: Option<Arc<dyn RecordingLinks>>,
    pub tuning: Tuning,
    pub health: watch::Sender<CrmHealth>,
    /// How calls reach the CRM (REST logs or PhoneBridge); switchable while running.
    crm_mode: RwLock<CrmMode>,
    /// Zoho's `callnotify`, for the PhoneBridge worker (set by `serve`).
    phonebridge: RwLock<Option<Arc<dyn PhoneBridgeSender>>>,
    /// Agents' own eyes on records (set by `serve` when the CRM can tell).
    visibility: RwLock<Option<Arc<crate::visibility::Visibility>>>,
    wakes: [Notify; JobKind::ALL.len()],
}

impl EngineContext {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        pbx_id: String,
        store: Arc<dyn Storage>,
        crm: Arc<dyn Crm>,
        pbx: Arc<dyn Pbx>,
        matcher: Arc<dyn CallerMatcher>,
        settings: EngineSettings,
        plan: NumberPlan,
        tuning: Tuning,
    ) -> Self {
        // One id per context: two generations (or test worlds) in one
        // process must not settle each other's claims.
        static CONTEXTS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = CONTEXTS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        // `host-g<n>-pid`: the pid stays last for operators reading the table.
        let worker_id = format!("{}-g{n}-{}", host_name(), std::process::id());
        Self {
            pbx_id,
            worker_id,
            store,
            crm,
            pbx,
            matcher,
            settings: watch::channel(Arc::new(settings)).0,
            users: watch::channel(Arc::new(UserMap::default())).0,
            plan,
            recordings: None,
            tuning,
            health: watch::channel(CrmHealth::Ok).0,
            crm_mode: RwLock::new(CrmMode::Rest),
            phonebridge: RwLock::new(None),
            visibility: RwLock::new(None),
            wakes: Default::default(),
        }
    }

    /// The settings now; a job reads them once and keeps the snapshot.
    pub fn settings(&self) -> Arc<EngineSettings> {
        self.settings.borrow().clone()
    }

    /// New settings for the next job and live event (no restart needed).
    pub fn set_settings(&self, settings: EngineSettings) {
        self.settings.send_replace(Arc::new(settings));
    }

    /// Resolves each time the settings are replaced.
    pub fn subscribe_settings(&self) -> watch::Receiver<Arc<EngineSettings>> {
        self.settings.subscribe()
    }

    pub fn users(&self) -> UserMap {
        UserMap::clone(&self.users.borrow())
    }

    /// Resolves each time the user map is replaced.
    pub fn subscribe_users(&self) -> watch::Receiver<Arc<UserMap>> {
        self.users.subscribe()
    }

    pub fn set_users(&self, map: UserMap) {
        self.users.send_replace(Arc::new(map));
    }

    /// Makes `pairs` the admin's manual pairs (extension → CRM user): pairs
    /// no longer listed are dropped (their extension falls back to the
    /// e-mail match at the next refresh), e-mail matches are kept.
    pub fn set_manual_pairs(&self, pairs: &[(String, CrmUser)]) {
        self.users.send_modify(|current| {
            let mut map = UserMap::clone(current);
            let dropped: Vec<String> = map
                .iter()
                .filter(|(extension, m)| m.manual && !pairs.iter().any(|(e, _)| e == extension))
                .map(|(extension, _)| extension.to_owned())
                .collect();
            for extension in dropped {
                map.remove(&extension);
            }
            for (extension, user) in pairs {
                map.set_manual(extension, user);
            }
            *current = Arc::new(map);
        });
    }

    /// REST (the default) or PhoneBridge. In PhoneBridge mode a call's
    /// processing job queues its terminal `callnotify` instead of a REST
    /// call log (see [`crate::phonebridge`]).
    pub fn crm_mode(&self) -> CrmMode {
        *self.crm_mode.read().unwrap_or_else(|e| e.into_inner())
    }

    pub fn set_crm_mode(&self, mode: CrmMode) {
        *self.crm_mode.write().unwrap_or_else(|e| e.into_inner()) = mode;
    }

    /// The sender the PhoneBridge worker delivers with; jobs wait without one.
    pub fn phonebridge_sender(&self) -> Option<Arc<dyn PhoneBridgeSender>> {
        self.phonebridge
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub fn set_phonebridge_sender(&self, sender: Option<Arc<dyn PhoneBridgeSender>>) {
        *self.phonebridge.write().unwrap_or_else(|e| e.into_inner()) = sender;
        self.notify(JobKind::NotifyPhoneBridge);
    }

    /// The agents' visibility checks, when the CRM adapter offers them.
    pub fn visibility(&self) -> Option<Arc<crate::visibility::Visibility>> {
        self.visibility
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub fn set_visibility(&self, visibility: Option<Arc<crate::visibility::Visibility>>) {
        *self.visibility.write().unwrap_or_else(|e| e.into_inner()) = visibility;
    }

    /// `found` as the agent of `crm_user_id` may see it (see
    /// [`crate::visibility`]); everything when no check is set up or the
    /// setting is off. A CRM that cannot answer now hides nothing it has
    /// not confirmed: the caller shows the record as one they cannot open.
    pub async fn sift_for(
        &self,
        crm_user_id: Option<&str>,
        found: crate::matcher::Match,
    ) -> crate::visibility::Sighted {
        use crate::visibility::Sighted;
        let settings = self.settings();
        let (Some(visibility), respect) = (self.visibility(), settings.respect_zoho_permissions)
        else {
            return Sighted::Records(Box::new(found));
        };
        if respect == Some(false) {
            return Sighted::Records(Box::new(found));
        }
        let module = found.chosen.as_ref().map(|r| r.reference.module);
        let ttl = std::time::Duration::from_secs(settings.visibility_ttl_secs);
        match visibility
            .sift(crm_user_id, found, respect == Some(true), ttl)
            .await
        {
            Ok(sighted) => sighted,
            Err(err) => {
                tracing::warn!(error = %err, "cannot confirm what the agent may see");
                match module {
                    Some(module) => Sighted::Hidden { module },
                    None => Sighted::Records(Box::default()),
                }
            }
        }
    }

    /// The CRM as the agent of `crm_user_id` when their own eyes apply
    /// (see [`crate::visibility`]); `None`: the service's grant.
    pub async fn crm_for(
        &self,
        crm_user_id: Option<&str>,
    ) -> Result<Option<Arc<dyn Crm>>, ringbridge_core::visibility::VisibilityError> {
        let settings = self.settings();
        let respect = settings.respect_zoho_permissions;
        let Some(visibility) = self.visibility().filter(|_| respect != Some(false)) else {
            return Ok(None);
        };
        let ttl = std::time::Duration::from_secs(settings.visibility_ttl_secs);
        visibility
            .crm_as(crm_user_id, respect == Some(true), ttl)
            .await
    }

    pub(crate) fn wake(&self, kind: JobKind) -> &Notify {
        let index = JobKind::ALL.iter().position(|k| *k == kind).unwrap_or(0);
        &self.wakes[index]
    }

    /// Tells this process's worker of `kind` that a job was enqueued.
    pub(crate) fn notify(&self, kind: JobKind) {
        self.wake(kind).notify_one();
    }
}

/// This machine's name as ids of workers and lease holders start with it
/// (`HOSTNAME`, else `node`): one definition for every id a node makes.
pub fn host_name() -> String {
    std::env::var("HOSTNAME").unwrap_or_else(|_| "node".to_owned())
}
