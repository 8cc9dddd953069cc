//! Disconnecting Zoho, at Zoho: PhoneBridge's integration removed, then
//! the grant revoked.

use std::sync::Arc;

use ringbridge_core::console::{CrmConnection, CrmGrant, CrmMode};
use ringbridge_core::store::Store;
use ringbridge_web::console::{BackendError, ZohoDisconnect};
use ringbridge_zoho::ZohoConnection;

use super::super::crm::ZohoEndpoints;
use super::super::phonebridge::{PhoneBridgeRegistration, REGISTRATIONS_SECRET, RegistrationError};
use super::{ConsoleRuntime, url, zoho_error};

impl ConsoleRuntime {
    /// Disconnecting Zoho, at Zoho: PhoneBridge's integration removed
    /// first (it needs the grant), then the grant revoked. The running
    /// integration's connection is used when it holds this grant, so it
    /// stops using the token at once.
    pub(super) async fn tell_zoho(&self, crm: &CrmConnection, grant: &CrmGrant) -> ZohoDisconnect {
        let endpoints = match (url(&grant.accounts_server), url(&grant.api_domain)) {
            (Ok(accounts_server), Ok(api_domain)) => ZohoEndpoints {
                client_id: crm.client_id.clone(),
                client_secret: crm.client_secret.clone(),
                redirect_uri: self.redirect_uri.clone(),
                accounts_server,
                api_domain,
            },
            (Err(err), _) | (_, Err(err)) => {
                return ZohoDisconnect {
                    revoked: Err(err),
                    phonebridge: None,
                };
            }
        };
        let connection = self.zoho_connection(endpoints, grant.refresh_token.clone());
        let phonebridge = match self.phonebridge_on().await {
            Ok(false) => None,
            Ok(true) => Some(self.remove_phonebridge(&connection).await),
            Err(err) => Some(Err(err)),
        };
        let revoked = connection.tokens().revoke().await.map_err(zoho_error);
        ZohoDisconnect {
            revoked,
            phonebridge,
        }
    }

    /// PhoneBridge mode is on, or users are still registered from it.
    pub(super) async fn phonebridge_on(&self) -> Result<bool, BackendError> {
        let mode = self.effective().await?.zoho.map(|z| z.mode);
        Ok(mode == Some(CrmMode::PhoneBridge)
            || self.store.secret(REGISTRATIONS_SECRET).await?.is_some())
    }

    /// Every user unregistered and the org's integration removed.
    async fn remove_phonebridge(&self, connection: &ZohoConnection) -> Result<(), BackendError> {
        let store: Arc<dyn Store> = Arc::new(self.store.clone());
        let registration = PhoneBridgeRegistration::new(
            connection.phonebridge(),
            store,
            &self.file.http.public_url(),
        )
        .map_err(registration_error)?;
        registration.load().await.map_err(registration_error)?;
        registration.disable().await.map_err(registration_error)
    }
}

fn registration_error(err: RegistrationError) -> BackendError {
    match err {
        RegistrationError::Zoho(e) => zoho_error(e),
        RegistrationError::Store(e) => BackendError::Store(e),
        RegistrationError::Url(e) => BackendError::NotReady(e.to_string()),
    }
}
