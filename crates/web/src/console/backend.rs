//! What the console needs from the rest of ringbridge, as a trait the
//! binary implements: the web crate knows no PBX or CRM adapter, only
//! what they answer.

use std::sync::Arc;

use async_trait::async_trait;
use ringbridge_core::audit::AuditStore;
use ringbridge_core::console::{
    ConsoleSettings, ConsoleStore, CrmConnection, CrmGrant, PbxConnection,
};
use ringbridge_core::crm::CrmUser;
use ringbridge_core::outbox::OutboxStore;
use ringbridge_core::pbx::Extension;
use ringbridge_core::store::StoreError;

/// What "test connection" found on the PBX.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PbxInfo {
    pub model: String,
    pub version: String,
    pub extensions: usize,
    /// What the firmware means for the chosen mode (a warning below the
    /// versions the vendor's own integration needs), when there is
    /// something to say.
    pub firmware_note: Option<String>,
}

/// A Zoho data centre the admin can pick.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataCentre {
    /// `us`, `eu`, … (or `custom` for a configured accounts server).
    pub location: String,
    pub accounts_server: String,
}

/// One side's connection, as the dashboard shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkState {
    NotConfigured,
    Starting,
    Connected,
    /// The text says why, for the admin.
    Failed(String),
    /// The CRM no longer accepts the stored grant (revoked, expired): an
    /// admin must connect it again. The text says why.
    ReconnectNeeded(String),
}

/// Both sides at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkStates {
    pub pbx: LinkState,
    pub crm: LinkState,
}

/// A failure the admin is shown.
#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    /// The other system answered no (wrong secret, unknown client…).
    #[error("{0}")]
    Refused(String),
    /// It could not be reached or answered nonsense.
    #[error("{0}")]
    Unreachable(String),
    /// What this needs is not configured yet.
    #[error("{0}")]
    NotReady(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What disconnecting Zoho achieved at Zoho. The grant is removed here
/// whatever this says: an error means Zoho was not told, and the admin
/// must remove ringbridge there.
#[derive(Debug)]
pub struct ZohoDisconnect {
    /// Zoho revoked the refresh token (and its access tokens).
    pub revoked: Result<(), BackendError>,
    /// The PhoneBridge integration removed at Zoho first; `None` when
    /// none was registered.
    pub phonebridge: Option<Result<(), BackendError>>,
}

/// The console's view of the running service.
#[async_trait]
pub trait ConsoleBackend: Send + Sync {
    /// Signs in to the PBX with `pbx` and reads what it is.
    async fn test_pbx(&self, pbx: &PbxConnection) -> Result<PbxInfo, BackendError>;

    /// The data centres offered on the Zoho page.
    fn data_centres(&self) -> Vec<DataCentre>;

    /// Where Zoho sends the admin back after consent: the redirect URI to
    /// register with the Zoho client (`…/console/zoho/callback`).
    fn zoho_redirect_uri(&self) -> String;

    /// The URL of the consent page for `crm`, carrying `state`.
    fn zoho_authorize_url(&self, crm: &CrmConnection, state: &str) -> Result<String, BackendError>;

    /// Exchanges the code in the consent redirect's `query` (its `state`
    /// already checked) for a grant.
    async fn zoho_exchange(
        &self,
        crm: &CrmConnection,
        query: &str,
    ) -> Result<CrmGrant, BackendError>;

    /// Disconnecting Zoho, at Zoho: removes a registered PhoneBridge
    /// integration, revokes `grant`'s refresh token at its accounts server,
    /// and forgets the service's own copies of the token. The caller then
    /// removes the stored grant and applies, whatever Zoho answered.
    /// `Err` only when this service's own storage failed, before Zoho was
    /// asked anything.
    async fn zoho_disconnect(
        &self,
        crm: &CrmConnection,
        grant: &CrmGrant,
    ) -> Result<ZohoDisconnect, BackendError>;

    /// The stored PBX's extensions.
    async fn pbx_extensions(&self) -> Result<Vec<Extension>, BackendError>;

    /// The stored CRM's users.
    async fn crm_users(&self) -> Result<Vec<CrmUser>, BackendError>;

    /// The values the stored CRM offers in picklist `field` of `module`
    /// (e.g. the Calls module's `Call_Result`), in the CRM's order, without
    /// its "no value" entry; empty when the field is no picklist.
    async fn crm_picklist(&self, module: &str, field: &str) -> Result<Vec<String>, BackendError>;

    /// The stored configuration changed: start, restart or re-register
    /// what it describes. Returns once the change is under way.
    async fn apply(&self) -> Result<(), BackendError>;

    /// The connections' states now.
    fn states(&self) -> LinkStates;

    /// The stored PBX's time zone (an IANA name such as `Etc/GMT-8`), the
    /// settings' default until they are first saved; `None` when unknown.
    async fn pbx_time_zone(&self) -> Result<Option<String>, BackendError> {
        Ok(None)
    }

    /// The Zoho user ids registered with PhoneBridge now; `None` when the
    /// service keeps no registrations (REST mode, or a backend without).
    async fn phonebridge_registered(&self) -> Result<Option<Vec<String>>, BackendError> {
        Ok(None)
    }

    /// The settings in force until the settings page is first saved (the
    /// configuration file's), so the page starts from them and its first
    /// save does not silently replace them with built-in defaults.
    fn initial_settings(&self) -> ConsoleSettings {
        ConsoleSettings::default()
    }
}

/// What the console reads and writes in the store.
pub trait ConsoleData: ConsoleStore + OutboxStore + AuditStore {}

impl<T: ConsoleStore + OutboxStore + AuditStore + ?Sized> ConsoleData for T {}

/// The console's two dependencies, for [`crate::AppState::with_console`].
#[derive(Clone)]
pub struct Console {
    pub store: Arc<dyn ConsoleData>,
    pub backend: Arc<dyn ConsoleBackend>,
}
