//! Registration with Zoho PhoneBridge: the org's integration, and per
//! mapped user click-to-dial + call control pointing at ringbridge's URLs
//! with an authorization value only that user's requests carry.
//!
//! The values are random, per user, rotatable ([`PhoneBridgeRegistration::rotate_user`]),
//! and kept as one encrypted secret (the store's sealed secrets) so they
//! survive restarts; the routes read them from memory.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, RwLock};

use async_trait::async_trait;
use ringbridge_core::store::{Store, StoreError};
use ringbridge_core::telephony::DialStart;
use ringbridge_core::usermap::UserMap;
use ringbridge_engine::phonebridge::ClickToDials;
use ringbridge_web::phonebridge::{
    AUTHORIZATION_NAME, CALL_CONTROL_PATH, CLICK_TO_DIAL_PATH, DialFailure, PhoneBridgeHooks,
    USER_PARAM, action_path,
};
use ringbridge_zoho::ZohoError;
use ringbridge_zoho::phonebridge::{
    AuthorizationParam, CallControlAction, CallControlRegistration, ClickToDialError,
    ClickToDialRegistration, Param, PhoneBridgeClient,
};
use secrecy::{ExposeSecret, SecretString};
use url::Url;

/// The store secret holding `{zoho user id: authorization value}`.
pub const REGISTRATIONS_SECRET: &str = "phonebridge.registrations";

#[derive(Debug, thiserror::Error)]
pub enum RegistrationError {
    #[error("Zoho PhoneBridge: {0}")]
    Zoho(#[from] ZohoError),
    #[error("storing PhoneBridge registrations: {0}")]
    Store(#[from] StoreError),
    #[error("ringbridge's public URL cannot be used for PhoneBridge: {0}")]
    Url(#[from] url::ParseError),
}

/// What a [`PhoneBridgeRegistration::sync_users`] did.
#[derive(Debug, Default)]
pub struct SyncReport {
    pub registered: Vec<String>,
    pub unregistered: Vec<String>,
    /// Users Zoho refused (e.g. not a PhoneBridge user), with the reason.
    pub failed: Vec<(String, String)>,
}

pub struct PhoneBridgeRegistration {
    client: PhoneBridgeClient,
    store: Arc<dyn Store>,
    click_to_dial: Url,
    /// The call-control URLs (every action but `keypress`, which the PBX
    /// API cannot do, so Zoho shows no keypad for it).
    control: CallControlUrls,
    /// Registered users and their values; changes are serialized by `change`.
    users: RwLock<BTreeMap<String, SecretString>>,
    change: tokio::sync::Mutex<()>,
    /// Click-to-dials the notifier follows for late failures.
    dials: Option<Arc<ClickToDials>>,
}

/// Where Zoho's call bar sends each supported action.
struct CallControlUrls {
    answer: Url,
    hangup: Url,
    hold: Url,
    unhold: Url,
    mute: Url,
    unmute: Url,
}

impl CallControlUrls {
    fn new(base: &Url) -> Result<Self, url::ParseError> {
        let url = |action: CallControlAction| {
            base.join(&format!("{CALL_CONTROL_PATH}/{}", action_path(action)))
        };
        Ok(Self {
            answer: url(CallControlAction::Answer)?,
            hangup: url(CallControlAction::Hangup)?,
            hold: url(CallControlAction::Hold)?,
            unhold: url(CallControlAction::Unhold)?,
            mute: url(CallControlAction::Mute)?,
            unmute: url(CallControlAction::Unmute)?,
        })
    }
}

impl PhoneBridgeRegistration {
    /// `public_url`: where Zoho reaches ringbridge (`[http] public_url`).
    pub fn new(
        client: PhoneBridgeClient,
        store: Arc<dyn Store>,
        public_url: &str,
    ) -> Result<Self, RegistrationError> {
        let base = Url::parse(public_url)?;
        Ok(Self {
            client,
            store,
            click_to_dial: base.join(CLICK_TO_DIAL_PATH)?,
            control: CallControlUrls::new(&base)?,
            users: RwLock::new(BTreeMap::new()),
            change: tokio::sync::Mutex::new(()),
            dials: None,
        })
    }

    /// Click-to-dials the PBX accepts are remembered here (the notifier
    /// reports a later failure of one to Zoho).
    pub fn with_dials(mut self, dials: Arc<ClickToDials>) -> Self {
        self.dials = Some(dials);
        self
    }

    /// Reads the stored registrations (after a restart).
    pub async fn load(&self) -> Result<(), RegistrationError> {
        let stored = match self.store.secret(REGISTRATIONS_SECRET).await? {
            Some(s) => serde_json::from_str::<BTreeMap<String, String>>(s.expose_secret())
                .map_err(|e| {
                    StoreError::Corrupt(ringbridge_core::cause::Cause::with_context(
                        REGISTRATIONS_SECRET,
                        e,
                    ))
                })?,
            None => BTreeMap::new(),
        };
        *self.write() = stored
            .into_iter()
            .map(|(u, v)| (u, SecretString::from(v)))
            .collect();
        Ok(())
    }

    /// Turns the integration on for the org (idempotent; call before the users).
    pub async fn enable_org(&self) -> Result<(), RegistrationError> {
        self.client.integrate().await?;
        Ok(())
    }

    /// Registers every mapped user not registered yet and unregisters the
    /// registered ones no longer mapped. A user Zoho refuses is reported,
    /// not fatal.
    pub async fn sync_users(&self, map: &UserMap) -> Result<SyncReport, RegistrationError> {
        let _guard = self.change.lock().await;
        let wanted: BTreeSet<String> = map.iter().map(|(_, m)| m.crm_user_id.clone()).collect();
        let current = self.registered();
        let mut report = SyncReport::default();
        for user in wanted.iter().filter(|u| !current.contains(u)) {
            match self
                .register(user, AuthorizationParam::random(AUTHORIZATION_NAME))
                .await
            {
                Ok(()) => report.registered.push(user.clone()),
                Err(RegistrationError::Zoho(e)) if !e.is_retryable() => {
                    tracing::warn!(%user, error = %e, "Zoho refused the PhoneBridge registration of a mapped user");
                    report.failed.push((user.clone(), e.to_string()));
                }
                Err(e) => return Err(e),
            }
        }
        for user in current.iter().filter(|u| !wanted.contains(*u)) {
            self.unregister(user).await?;
            report.unregistered.push(user.clone());
        }
        Ok(report)
    }

    /// A new authorization value for `zoho_user` (registered again with it;
    /// the old value stops working at once).
    pub async fn rotate_user(&self, zoho_user: &str) -> Result<(), RegistrationError> {
        let _guard = self.change.lock().await;
        self.register(zoho_user, AuthorizationParam::random(AUTHORIZATION_NAME))
            .await
    }

    /// Unregisters `zoho_user` (click-to-dial and call control off).
    pub async fn unregister_user(&self, zoho_user: &str) -> Result<(), RegistrationError> {
        let _guard = self.change.lock().await;
        self.unregister(zoho_user).await
    }

    /// PhoneBridge mode off: every user unregistered, then the integration removed.
    pub async fn disable(&self) -> Result<(), RegistrationError> {
        let _guard = self.change.lock().await;
        for user in self.registered() {
            self.unregister(&user).await?;
        }
        self.client.unintegrate().await?;
        self.store.delete_secret(REGISTRATIONS_SECRET).await?;
        Ok(())
    }

    /// Zoho user ids registered now.
    pub fn registered(&self) -> Vec<String> {
        self.read().keys().cloned().collect()
    }

    async fn register(
        &self,
        user: &str,
        auth: AuthorizationParam,
    ) -> Result<(), RegistrationError> {
        let params = vec![Param::text(USER_PARAM, user)];
        self.client
            .enable_click_to_dial(&ClickToDialRegistration {
                uri: self.click_to_dial.clone(),
                zohouser: Some(user.to_owned()),
                authorization: Some(auth.clone()),
                params: params.clone(),
            })
            .await?;
        self.client
            .enable_call_control(&CallControlRegistration {
                answer: Some(self.control.answer.clone()),
                hangup: Some(self.control.hangup.clone()),
                hold: Some(self.control.hold.clone()),
                unhold: Some(self.control.unhold.clone()),
                mute: Some(self.control.mute.clone()),
                unmute: Some(self.control.unmute.clone()),
                keypress: None,
                zohouser: Some(user.to_owned()),
                authorization: Some(auth.clone()),
                params,
            })
            .await?;
        self.write().insert(user.to_owned(), auth.value);
        self.save().await
    }

    async fn unregister(&self, user: &str) -> Result<(), RegistrationError> {
        // Forgotten first: its requests are refused even if Zoho is down.
        self.write().remove(user);
        self.save().await?;
        self.client.disable_click_to_dial(user).await?;
        self.client.disable_call_control(user).await?;
        Ok(())
    }

    async fn save(&self) -> Result<(), RegistrationError> {
        let plain: BTreeMap<String, String> = self
            .read()
            .iter()
            .map(|(u, v)| (u.clone(), v.expose_secret().to_owned()))
            .collect();
        let json = serde_json::to_string(&plain)
            .map_err(|e| StoreError::Corrupt(ringbridge_core::cause::Cause::new(e)))?;
        self.store
            .put_secret(REGISTRATIONS_SECRET, &SecretString::from(json))
            .await?;
        Ok(())
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, BTreeMap<String, SecretString>> {
        self.users.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, BTreeMap<String, SecretString>> {
        self.users.write().unwrap_or_else(|e| e.into_inner())
    }
}

#[async_trait]
impl PhoneBridgeHooks for PhoneBridgeRegistration {
    fn authorization(&self, zoho_user: &str) -> Option<SecretString> {
        self.read().get(zoho_user).cloned()
    }

    fn dial_started(&self, dial: DialStart) {
        if let Some(dials) = &self.dials {
            dials.remember(dial);
        }
    }

    async fn dial_failed(&self, failure: DialFailure) {
        let report = ClickToDialError {
            code: failure.code,
            from: failure.extension,
            to: failure.number,
            zohouser: Some(failure.zoho_user),
            message: Some(failure.message),
        };
        if let Err(e) = self.client.click_to_dial_error(&report).await {
            tracing::warn!(error = %e, "could not report a failed click-to-dial to Zoho");
        }
    }
}

/// Shared handle (the routes and the console hold the same registration).
pub type SharedRegistration = Arc<PhoneBridgeRegistration>;
