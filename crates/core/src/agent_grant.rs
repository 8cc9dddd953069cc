//! An agent's own Zoho grant, from "Sign in with Zoho": the refresh token
//! through which ringbridge looks at the CRM with that agent's eyes (their
//! role and profile decide what they may see) and creates records as them.
//! One per account; the store keeps the token sealed. Revoked by the agent
//! ("sign out everywhere") or an admin (offboarding): a revoked grant is
//! remembered as such, so the agent sees no CRM details, never the
//! org-wide (admin's) view.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use secrecy::SecretString;

use crate::accounts::AccountId;
use crate::store::StoreError;

#[derive(Debug, Clone)]
pub struct AgentGrant {
    pub account_id: AccountId,
    /// The Zoho user the grant belongs to (`users[].id`).
    pub crm_user_id: String,
    /// The Zoho user's e-mail when they signed in (for the admin's pages).
    pub email: String,
    pub refresh_token: SecretString,
    /// The accounts server that issued it (token refresh and revocation go there).
    pub accounts_server: String,
    pub api_domain: String,
    pub created_at: DateTime<Utc>,
}

/// Whose eyes a CRM user's lookups use.
#[derive(Debug, Clone)]
pub enum GrantStatus {
    /// The user never signed in with Zoho.
    Never,
    /// They did, and the grant was revoked since.
    Revoked,
    Live(Box<AgentGrant>),
}

/// Where the agents' grants are kept.
#[async_trait]
pub trait AgentGrantStore: Send + Sync {
    /// Stores `grant`, replacing the account's previous one.
    async fn put_agent_grant(&self, grant: &AgentGrant) -> Result<(), StoreError>;
    /// The account's live grant.
    async fn agent_grant(&self, account: AccountId) -> Result<Option<AgentGrant>, StoreError>;
    /// The grant of the account paired with `crm_user_id`.
    async fn grant_of_user(&self, crm_user_id: &str) -> Result<GrantStatus, StoreError>;
    /// Drops the account's token, remembering that it had one; whether a
    /// live one was dropped.
    async fn revoke_agent_grant(
        &self,
        account: AccountId,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
}
