//! PhoneBridge mode in `serve` (and the test world): the notifier on the
//! live update stream, the engine's PhoneBridge sender (for the
//! `NotifyPhoneBridge` worker), and the registration with Zoho.
//!
//! The mode can change while running (the admin console): [`PhoneBridge::switch`]
//! registers or unregisters with Zoho and flips the engine's CRM mode, so
//! no restart is needed. The notifier always reads the stream but only
//! notifies in PhoneBridge mode.

mod registration;
mod sender;

use std::sync::Arc;
use std::time::Duration;

use ringbridge_core::console::CrmMode;
use ringbridge_core::store::Store;
use ringbridge_engine::phonebridge::{ClickToDials, OutboxTerminalSink, PhoneBridgeNotifier};
use ringbridge_engine::{EngineContext, Ingested};
use ringbridge_zoho::ZohoConnection;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

pub use registration::{
    PhoneBridgeRegistration, REGISTRATIONS_SECRET, RegistrationError, SharedRegistration,
    SyncReport,
};
pub use sender::{ZohoSender, dial_error, to_zoho};

/// How many live updates may wait for the notifier before new ones are
/// dropped (their terminals are still queued by the calls' processing).
const NOTIFY_BACKLOG: usize = 1024;

/// PhoneBridge for one running engine.
pub struct PhoneBridge {
    pub registration: SharedRegistration,
    ctx: Arc<EngineContext>,
    tasks: std::sync::Mutex<Vec<JoinHandle<()>>>,
    updates: mpsc::Sender<Ingested>,
}

/// `serve`'s start: PhoneBridge set up for the engine and switched to
/// `mode`. Registration trouble (Zoho down) is logged, not fatal: in
/// PhoneBridge mode terminals wait in the outbox and the periodic sync
/// registers again.
pub async fn start(
    ctx: Arc<EngineContext>,
    zoho: &ZohoConnection,
    store: Arc<dyn Store>,
    public_url: &str,
    mode: CrmMode,
) -> Result<Arc<PhoneBridge>, RegistrationError> {
    let pb = Arc::new(PhoneBridge::new(ctx.clone(), zoho, store, public_url).await?);
    let was_registered = !pb.registration.registered().is_empty();
    match mode {
        CrmMode::PhoneBridge => {
            if let Err(e) = pb.switch(CrmMode::PhoneBridge).await {
                tracing::error!(error = %e, "PhoneBridge registration failed; retrying periodically");
                ctx.set_crm_mode(CrmMode::PhoneBridge);
            }
        }
        // Switched off while stopped: remove the integration now.
        CrmMode::Rest if was_registered => {
            if let Err(e) = pb.switch(CrmMode::Rest).await {
                tracing::warn!(error = %e, "could not remove the PhoneBridge integration");
            }
        }
        CrmMode::Rest => {}
    }
    pb.keep_users_in_sync(Duration::from_secs(10 * 60));
    Ok(pb)
}

impl PhoneBridge {
    /// Sets the engine up for PhoneBridge (sender, notifier) in REST mode;
    /// [`Self::switch`] turns the mode on. `public_url`: where Zoho reaches us.
    pub async fn new(
        ctx: Arc<EngineContext>,
        zoho: &ZohoConnection,
        store: Arc<dyn Store>,
        public_url: &str,
    ) -> Result<Self, RegistrationError> {
        let client = zoho.phonebridge();
        let dials = Arc::new(ClickToDials::default());
        let registration = Arc::new(
            PhoneBridgeRegistration::new(client.clone(), store, public_url)?
                .with_dials(dials.clone()),
        );
        registration.load().await?;
        let sender = Arc::new(ZohoSender {
            client,
            plan: Some(ctx.plan.clone()),
        });
        ctx.set_phonebridge_sender(Some(sender.clone()));
        let mut notifier = PhoneBridgeNotifier::new(
            ctx.pbx_id.clone(),
            sender,
            Arc::new(OutboxTerminalSink::new(ctx.clone())),
            ctx.clone(),
        )
        .with_dials(dials);
        if let Some(links) = ctx.recordings.clone() {
            notifier = notifier.with_links(links);
        }
        let (updates, rx) = mpsc::channel(NOTIFY_BACKLOG);
        let notifier = tokio::spawn(async move { notifier.run(rx).await });
        Ok(Self {
            registration,
            ctx,
            tasks: std::sync::Mutex::new(vec![notifier]),
            updates,
        })
    }

    /// Hands one live update to the notifier without waiting (only in
    /// PhoneBridge mode); a full backlog drops it.
    pub fn offer(&self, item: &Ingested) {
        if self.ctx.crm_mode() == CrmMode::PhoneBridge
            && self.updates.try_send(item.clone()).is_err()
        {
            tracing::warn!("PhoneBridge notifier behind; a live update was dropped");
        }
    }

    /// Switches the CRM mode. On: the org integration, every mapped user
    /// registered, then the engine notifies instead of writing REST logs.
    /// Off: the engine writes REST logs again, then every user is
    /// unregistered and the integration removed.
    pub async fn switch(&self, mode: CrmMode) -> Result<Option<SyncReport>, RegistrationError> {
        match mode {
            CrmMode::PhoneBridge => {
                self.registration.enable_org().await?;
                let report = self.registration.sync_users(&self.ctx.users()).await?;
                self.ctx.set_crm_mode(CrmMode::PhoneBridge);
                tracing::info!(
                    registered = report.registered.len(),
                    failed = report.failed.len(),
                    "PhoneBridge mode on"
                );
                Ok(Some(report))
            }
            CrmMode::Rest => {
                self.ctx.set_crm_mode(CrmMode::Rest);
                self.registration.disable().await?;
                tracing::info!("PhoneBridge mode off; call logs are written through the REST API");
                Ok(None)
            }
        }
    }

    /// Keeps the registered users in step with the user map (new staff,
    /// unmapped users, pairs the admin changed) every `every` and at each
    /// change of the map, while the mode is on.
    pub fn keep_users_in_sync(&self, every: Duration) {
        let (ctx, registration) = (self.ctx.clone(), self.registration.clone());
        let mut users = ctx.subscribe_users();
        let task = tokio::spawn(async move {
            loop {
                tokio::select! {
                    () = tokio::time::sleep(every) => {}
                    changed = users.changed() => if changed.is_err() { return },
                }
                if ctx.crm_mode() != CrmMode::PhoneBridge {
                    continue;
                }
                // `integrate` is idempotent: it repairs a failed start too.
                let synced = match registration.enable_org().await {
                    Ok(()) => registration.sync_users(&ctx.users()).await.map(drop),
                    Err(e) => Err(e),
                };
                if let Err(e) = synced {
                    tracing::warn!(error = %e, "could not sync PhoneBridge users; retrying later");
                }
            }
        });
        self.lock_tasks().push(task);
    }

    /// Stops the notifier and the periodic sync (registrations stay).
    pub fn stop(&self) {
        for task in self.lock_tasks().drain(..) {
            task.abort();
        }
    }

    fn lock_tasks(&self) -> std::sync::MutexGuard<'_, Vec<JoinHandle<()>>> {
        self.tasks.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A tee of the live update stream: each item is offered to PhoneBridge
/// (never waiting on it), then passed on to the returned receiver.
pub fn tee(
    mut updates: mpsc::Receiver<Ingested>,
    phonebridge: Arc<PhoneBridge>,
) -> mpsc::Receiver<Ingested> {
    let (tx, rx) = mpsc::channel(4096);
    tokio::spawn(async move {
        while let Some(item) = updates.recv().await {
            phonebridge.offer(&item);
            if tx.send(item).await.is_err() {
                break;
            }
        }
    });
    rx
}
