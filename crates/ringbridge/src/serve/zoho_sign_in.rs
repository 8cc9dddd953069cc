//! "Sign in with Zoho" for `serve` ([`ZohoSignIn`]): the org connection's
//! OAuth client and accounts server (a data centre of Zoho's, or the
//! custom one of the configuration, as for `sim zoho`), the agent's own
//! grant with the minimal scopes, who signed in from
//! `GET /crm/v8/users?type=CurrentUser`, the grant sealed per account.

use std::sync::Arc;

use async_trait::async_trait;
use ringbridge_core::accounts::AccountId;
use ringbridge_core::agent_grant::{AgentGrant, AgentGrantStore};
use ringbridge_core::console::ConsoleStore;
use ringbridge_core::store::Store;
use ringbridge_store::SqlStore;
use ringbridge_web::auth::zoho_sign_in::{PendingGrant, SignInError, ZohoIdentity, ZohoSignIn};
use ringbridge_zoho::dc::DcTable;
use ringbridge_zoho::oauth::{
    OAuthClient, OAuthConfig, TokenManager, authorization_url, parse_redirect,
};
use ringbridge_zoho::rest::{UserType, UsersPage};
use ringbridge_zoho::{ConnectionOptions, ZohoConnection, ZohoError};
use secrecy::SecretString;
use url::Url;

use super::crm::{REFRESH_TOKEN_SECRET, accounts_http};
use crate::config::Config;

/// What an agent's grant may do: read and create Contacts and Leads (the
/// pop's check and the manual create), read Accounts and the fields' lengths,
/// and read who they are.
pub const AGENT_SCOPES: &[&str] = &[
    "ZohoCRM.modules.contacts.READ",
    "ZohoCRM.modules.contacts.CREATE",
    "ZohoCRM.modules.leads.READ",
    "ZohoCRM.modules.leads.CREATE",
    // Callers match Accounts too: the pop's check reads them.
    "ZohoCRM.modules.accounts.READ",
    // A create cuts names to the org's field lengths, read from the layout.
    "ZohoCRM.settings.fields.READ",
    "ZohoCRM.users.READ",
];

/// The path Zoho sends an agent back to; register `{public_url}` + this
/// with the org's Zoho client beside the console's callback.
pub const CALLBACK_PATH: &str = "/auth/zoho/callback";

/// The org's Zoho client and data centre, as the console connected it.
struct Org {
    client_id: String,
    client_secret: SecretString,
    accounts_server: Url,
    api_domain: Url,
}

pub struct ZohoSignInService {
    store: SqlStore,
    file: Config,
    /// `{public_url}/auth/zoho/callback`.
    redirect_uri: Url,
    /// The console's callback, which the effective configuration names.
    console_redirect: Url,
    http: reqwest::Client,
}

fn refused(err: ZohoError) -> SignInError {
    match err {
        ZohoError::Transport(_) | ZohoError::Timeout | ZohoError::UnexpectedResponse { .. } => {
            SignInError::Unreachable(err.to_string())
        }
        other => SignInError::Refused(other.to_string()),
    }
}

impl ZohoSignInService {
    pub fn new(store: SqlStore, file: Config, console_redirect: Url) -> anyhow::Result<Self> {
        let public = file.http.public_url();
        let redirect_uri = Url::parse(&format!("{}{CALLBACK_PATH}", public.trim_end_matches('/')))?;
        let http = accounts_http(std::time::Duration::from_secs(file.timing.crm_timeout_secs));
        Ok(Self {
            store,
            file,
            redirect_uri,
            console_redirect,
            http,
        })
    }

    /// The org connection, when Zoho is connected (a grant is stored or configured).
    async fn org(&self) -> Result<Option<Org>, SignInError> {
        let console = self.store.console().await?;
        let effective = self
            .file
            .with_console(&console, &self.console_redirect)
            .map_err(|e| SignInError::Refused(format!("{e:#}")))?;
        let Some(zoho) = effective.zoho else {
            return Ok(None);
        };
        let configured = zoho.refresh_token().ok().flatten().is_some();
        if !configured && self.store.secret(REFRESH_TOKEN_SECRET).await?.is_none() {
            return Ok(None);
        }
        let Ok(client_secret) = zoho.client_secret() else {
            return Ok(None);
        };
        Ok(Some(Org {
            client_id: zoho.client_id,
            client_secret,
            accounts_server: zoho.accounts_server,
            api_domain: zoho.api_domain,
        }))
    }

    /// The OAuth client of the org's connection, trusting only its accounts
    /// server: a redirect naming another one is refused.
    fn client(&self, org: &Org) -> OAuthClient {
        let mut config = OAuthConfig::new(
            org.client_id.clone(),
            org.client_secret.clone(),
            self.redirect_uri.clone(),
        );
        config.scopes = AGENT_SCOPES.iter().map(|s| (*s).to_owned()).collect();
        config.dc = DcTable::single(org.accounts_server.clone(), org.api_domain.clone());
        OAuthClient::new(config, self.http.clone())
    }

    async fn revoke_at_zoho(&self, accounts_server: &str, token: &SecretString) {
        let Ok(Some(org)) = self.org().await else {
            return;
        };
        let Ok(server) = Url::parse(accounts_server) else {
            return;
        };
        // Forgotten here whatever Zoho says: a grant Zoho cannot be told
        // about is still never used again.
        if let Err(err) = self.client(&org).revoke(&server, token).await {
            tracing::warn!(%err, "revoking an agent's Zoho grant at Zoho");
        }
    }
}

#[async_trait]
impl ZohoSignIn for ZohoSignInService {
    async fn connected(&self) -> bool {
        matches!(self.org().await, Ok(Some(_)))
    }

    async fn authorize_url(&self, state: &str) -> Result<String, SignInError> {
        let org = self.org().await?.ok_or(SignInError::NotConnected)?;
        let scopes: Vec<String> = AGENT_SCOPES.iter().map(|s| (*s).to_owned()).collect();
        Ok(authorization_url(
            &org.accounts_server,
            &org.client_id,
            &self.redirect_uri,
            &scopes,
            state,
        )
        .to_string())
    }

    async fn identify(&self, query: &str) -> Result<PendingGrant, SignInError> {
        let org = self.org().await?.ok_or(SignInError::NotConnected)?;
        let redirect = parse_redirect(query).map_err(|e| SignInError::Refused(e.to_string()))?;
        let client = self.client(&org);
        let tokens = client.exchange_code(&redirect).await.map_err(refused)?;
        let accounts_server = tokens
            .accounts_server
            .as_str()
            .trim_end_matches('/')
            .to_owned();
        let api_domain = tokens.api_domain.as_str().trim_end_matches('/').to_owned();
        let refresh_token = tokens.refresh_token.clone();
        // The access token just issued answers who this is: no refresh spent.
        let manager = TokenManager::new(client.clone(), tokens);
        let connection = ZohoConnection::with_token_manager(
            client,
            Arc::new(manager),
            ConnectionOptions::default(),
        );
        let me = match connection
            .rest()
            .list_users(Some(UserType::CurrentUser), 1, 1, None)
            .await
        {
            Ok(UsersPage::Page { users, .. }) => users.into_iter().next(),
            Ok(UsersPage::NotModified) => None,
            Err(err) => {
                self.revoke_at_zoho(&accounts_server, &refresh_token).await;
                return Err(refused(err));
            }
        };
        let Some(me) = me else {
            self.revoke_at_zoho(&accounts_server, &refresh_token).await;
            return Err(SignInError::Refused("Zoho named no current user".into()));
        };
        let email = me.email.unwrap_or_default();
        Ok(PendingGrant {
            identity: ZohoIdentity {
                name: me.full_name.unwrap_or_else(|| email.clone()),
                crm_user_id: me.id,
                email,
                profile: me.profile.and_then(|p| p.name),
            },
            refresh_token,
            accounts_server,
            api_domain,
        })
    }

    async fn keep(&self, account: AccountId, grant: PendingGrant) -> Result<(), SignInError> {
        let previous = self.store.agent_grant(account).await?;
        self.store
            .put_agent_grant(&AgentGrant {
                account_id: account,
                crm_user_id: grant.identity.crm_user_id,
                email: grant.identity.email,
                refresh_token: grant.refresh_token,
                accounts_server: grant.accounts_server,
                api_domain: grant.api_domain,
                created_at: chrono::Utc::now(),
            })
            .await?;
        // One grant per agent: the one it replaces is given back to Zoho
        // (Zoho keeps at most 20 per user and client).
        if let Some(old) = previous {
            self.revoke_at_zoho(&old.accounts_server, &old.refresh_token)
                .await;
        }
        Ok(())
    }

    async fn has_grant(&self, account: AccountId) -> Result<bool, SignInError> {
        Ok(self.store.agent_grant(account).await?.is_some())
    }

    async fn revoke(&self, account: AccountId) -> Result<bool, SignInError> {
        let Some(grant) = self.store.agent_grant(account).await? else {
            return Ok(false);
        };
        self.store
            .revoke_agent_grant(account, chrono::Utc::now())
            .await?;
        self.revoke_at_zoho(&grant.accounts_server, &grant.refresh_token)
            .await;
        Ok(true)
    }

    async fn discard(&self, grant: PendingGrant) {
        self.revoke_at_zoho(&grant.accounts_server, &grant.refresh_token)
            .await;
    }
}
