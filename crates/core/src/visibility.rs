//! Whose eyes a lookup uses. The local phone directory is one org-wide
//! index, built on the service's (admin's) grant; before an agent is shown
//! a record, the CRM is asked with the agent's own grant whether they may
//! see it. The engine caches the answers (`engine::visibility`); the CRM
//! adapter answers this port.

use std::sync::Arc;

use async_trait::async_trait;

use crate::crm::{Crm, CrmRecordRef};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VisibilityError {
    /// The agent's grant is missing, revoked or expired: they see no CRM
    /// details (never the org-wide view).
    #[error("the agent has no usable Zoho grant")]
    NoGrant,
    /// The CRM could not answer now (network, throttling).
    #[error("the CRM could not say who may see the record: {0}")]
    Unavailable(String),
}

/// Whether a CRM user's lookups are checked against their own grant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Eyes {
    /// The user never signed in with the CRM, and the setting does not
    /// require it: the org-wide view, as before sign-in with Zoho existed.
    OrgWide,
    /// The user's own grant decides.
    Own,
}

#[async_trait]
pub trait RecordVisibility: Send + Sync {
    /// Whose eyes `crm_user_id`'s lookups use. `required`: the setting asks
    /// for every agent's own eyes (a user without a grant gets `NoGrant`).
    async fn eyes(&self, crm_user_id: &str, required: bool) -> Result<Eyes, VisibilityError>;

    /// For each record, whether `crm_user_id` may see it, asked with their
    /// own grant (batched per module where the CRM allows).
    async fn check(
        &self,
        crm_user_id: &str,
        records: &[CrmRecordRef],
    ) -> Result<Vec<bool>, VisibilityError>;

    /// The CRM as `crm_user_id`, through their own grant: what an agent
    /// creates is made by them (the CRM records them as its creator).
    async fn crm_as(&self, crm_user_id: &str) -> Result<Arc<dyn Crm>, VisibilityError>;
}
