//! PhoneBridge mode in `serve` (and the test world): the registration with
//! Zoho, the engine's PhoneBridge sender (for the `NotifyPhoneBridge`
//! worker), and the notifier, which runs in the generation's pipeline on
//! its call updates (`ringbridge_engine::pipeline`).
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
use ringbridge_engine::{EngineContext, Generation};
use ringbridge_zoho::ZohoConnection;
use tokio_util::sync::CancellationToken;

pub use registration::{
    PhoneBridgeRegistration, REGISTRATIONS_SECRET, RegistrationError, SharedRegistration,
    SyncReport,
};
pub use sender::{ZohoSender, dial_error, to_zoho};

/// PhoneBridge for one running engine.
pub struct PhoneBridge {
    pub registration: SharedRegistration,
    ctx: Arc<EngineContext>,
    /// Stops the notifier and the periodic sync (a child of the generation's).
    stop: CancellationToken,
}

/// PhoneBridge set up for the engine, its tasks in `generation`, and
/// switched to `mode`. Registration trouble (Zoho down) is logged, not fatal: in
/// PhoneBridge mode terminals wait in the outbox and the periodic sync
/// registers again.
pub async fn start(
    ctx: Arc<EngineContext>,
    zoho: &ZohoConnection,
    store: Arc<dyn Store>,
    public_url: &str,
    mode: CrmMode,
    generation: &mut Generation,
) -> Result<Arc<PhoneBridge>, RegistrationError> {
    let pb = Arc::new(PhoneBridge::new(ctx.clone(), zoho, store, public_url, generation).await?);
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
    pb.keep_users_in_sync(Duration::from_secs(10 * 60), generation);
    Ok(pb)
}

impl PhoneBridge {
    /// Sets the engine up for PhoneBridge (sender, notifier in `generation`)
    /// in REST mode; [`Self::switch`] turns the mode on. `public_url`: where
    /// Zoho reaches us.
    pub async fn new(
        ctx: Arc<EngineContext>,
        zoho: &ZohoConnection,
        store: Arc<dyn Store>,
        public_url: &str,
        generation: &mut Generation,
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
        let stop = generation.notify_phonebridge(notifier, ctx.clone());
        Ok(Self {
            registration,
            ctx,
            stop,
        })
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
    pub fn keep_users_in_sync(&self, every: Duration, generation: &mut Generation) {
        let (ctx, registration) = (self.ctx.clone(), self.registration.clone());
        let mut users = ctx.subscribe_users();
        generation.spawn_until(&self.stop, async move {
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
    }

    /// Stops the notifier and the periodic sync (registrations stay); the
    /// generation's stop does too.
    pub fn stop(&self) {
        self.stop.cancel();
    }
}
