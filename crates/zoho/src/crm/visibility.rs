//! The core's [`RecordVisibility`] for Zoho: what an agent may see, asked
//! with the agent's own grant. One `GET /crm/v8/{module}?ids=…&fields=id`
//! per module answers for up to 100 records: Zoho leaves out the records
//! the user's role, sharing and profile hide (docs/zoho-assumptions.md).
//! A grant Zoho no longer honours (revoked at Zoho, expired) is marked
//! revoked in the store, so the agent sees no CRM details from then on.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use ringbridge_core::agent_grant::{AgentGrant, AgentGrantStore, GrantStatus};
use ringbridge_core::crm::{Crm, CrmModule, CrmRecordRef};
use ringbridge_core::visibility::{Eyes, RecordVisibility, VisibilityError};
use secrecy::{ExposeSecret, SecretString};
use url::Url;

use crate::dc::DcTable;
use crate::error::{ErrorCode, ZohoError};
use crate::oauth::{OAuthClient, OAuthConfig, TokenManager, TokenSet};
use crate::transport::{ConnectionOptions, ZohoConnection};

/// The org's OAuth client, which the agents' grants belong to too.
#[derive(Debug, Clone)]
pub struct AgentClient {
    pub client_id: String,
    pub client_secret: SecretString,
    pub redirect_uri: Url,
    pub http: reqwest::Client,
    pub options: ConnectionOptions,
}

/// One connection per agent grant, kept so its access token is reused
/// (Zoho mints few per refresh token).
pub struct ZohoVisibility {
    grants: Arc<dyn AgentGrantStore>,
    client: AgentClient,
    connections: Mutex<HashMap<String, (String, ZohoConnection)>>,
}

impl ZohoVisibility {
    pub fn new(grants: Arc<dyn AgentGrantStore>, client: AgentClient) -> Self {
        Self {
            grants,
            client,
            connections: Mutex::new(HashMap::new()),
        }
    }

    fn connection(&self, grant: &AgentGrant) -> Result<ZohoConnection, VisibilityError> {
        let token = grant.refresh_token.expose_secret().to_owned();
        let mut all = self.connections.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((held, conn)) = all.get(&grant.crm_user_id)
            && *held == token
        {
            return Ok(conn.clone());
        }
        let parse = |u: &str| {
            Url::parse(u).map_err(|e| VisibilityError::Unavailable(format!("{u:?}: {e}")))
        };
        let (accounts, api) = (parse(&grant.accounts_server)?, parse(&grant.api_domain)?);
        let mut config = OAuthConfig::new(
            self.client.client_id.clone(),
            self.client.client_secret.clone(),
            self.client.redirect_uri.clone(),
        );
        config.dc = DcTable::single(accounts.clone(), api.clone());
        let oauth = OAuthClient::new(config, self.client.http.clone());
        let tokens = TokenSet::from_refresh_token(grant.refresh_token.clone(), api, accounts);
        let manager = TokenManager::new(oauth.clone(), tokens);
        let conn = ZohoConnection::with_token_manager(
            oauth,
            Arc::new(manager),
            self.client.options.clone(),
        );
        all.insert(grant.crm_user_id.clone(), (token, conn.clone()));
        Ok(conn)
    }

    async fn live_grant(&self, crm_user_id: &str) -> Result<AgentGrant, VisibilityError> {
        match self.grants.grant_of_user(crm_user_id).await {
            Ok(GrantStatus::Live(grant)) => Ok(*grant),
            Ok(_) => Err(VisibilityError::NoGrant),
            Err(err) => Err(VisibilityError::Unavailable(err.to_string())),
        }
    }

    /// Zoho no longer honours the grant: remember it, drop the connection.
    async fn lost(&self, grant: &AgentGrant) -> VisibilityError {
        self.connections
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&grant.crm_user_id);
        if let Err(err) = self
            .grants
            .revoke_agent_grant(grant.account_id, chrono::Utc::now())
            .await
        {
            tracing::warn!(%err, "marking an agent's Zoho grant revoked");
        }
        tracing::info!(crm_user = %grant.crm_user_id, "Zoho no longer honours an agent's grant");
        VisibilityError::NoGrant
    }
}

#[async_trait]
impl RecordVisibility for ZohoVisibility {
    async fn eyes(&self, crm_user_id: &str, required: bool) -> Result<Eyes, VisibilityError> {
        match self.grants.grant_of_user(crm_user_id).await {
            Ok(GrantStatus::Live(_)) => Ok(Eyes::Own),
            Ok(GrantStatus::Revoked) => Err(VisibilityError::NoGrant),
            Ok(GrantStatus::Never) if required => Err(VisibilityError::NoGrant),
            Ok(GrantStatus::Never) => Ok(Eyes::OrgWide),
            Err(err) => Err(VisibilityError::Unavailable(err.to_string())),
        }
    }

    async fn check(
        &self,
        crm_user_id: &str,
        records: &[CrmRecordRef],
    ) -> Result<Vec<bool>, VisibilityError> {
        let grant = self.live_grant(crm_user_id).await?;
        let rest = self.connection(&grant)?.rest();
        let mut by_module: HashMap<CrmModule, Vec<String>> = HashMap::new();
        for r in records {
            by_module.entry(r.module).or_default().push(r.id.clone());
        }
        let mut seen: HashSet<(CrmModule, String)> = HashSet::new();
        for (module, ids) in by_module {
            match rest
                .get_records(module.as_str(), &ids, &["id".to_owned()])
                .await
            {
                Ok(found) => seen.extend(
                    found
                        .iter()
                        .filter_map(|r| r.id())
                        .map(|id| (module, id.to_owned())),
                ),
                // The profile may not view the module at all (or the
                // grant's scopes do not cover it): nothing in it is visible.
                Err(ZohoError::Api(e))
                    if matches!(
                        e.code,
                        ErrorCode::NoPermission | ErrorCode::OauthScopeMismatch
                    ) => {}
                Err(ZohoError::ReconnectNeeded { .. }) => return Err(self.lost(&grant).await),
                Err(ZohoError::OAuth(o)) if o.needs_reconnect() => {
                    return Err(self.lost(&grant).await);
                }
                Err(err) => return Err(VisibilityError::Unavailable(err.to_string())),
            }
        }
        Ok(records
            .iter()
            .map(|r| seen.contains(&(r.module, r.id.clone())))
            .collect())
    }

    async fn crm_as(&self, crm_user_id: &str) -> Result<Arc<dyn Crm>, VisibilityError> {
        let grant = self.live_grant(crm_user_id).await?;
        let rest = self.connection(&grant)?.rest();
        Ok(Arc::new(super::ZohoCrm::new(
            rest,
            super::ZohoCrmConfig::default(),
        )))
    }
}
