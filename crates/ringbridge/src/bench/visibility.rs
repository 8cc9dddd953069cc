//! What an agent's own eyes cost: Zoho requests per pop for the visibility
//! check (see `engine::visibility`), with a cold cache (every record new to
//! the agent) and a warm one (the same records again within the TTL).
//! Each pop has two matching records, one the agent owns and one a peer
//! owns (Contacts private): one batched request answers for both.

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use ringbridge_core::accounts::AccountId;
use ringbridge_core::agent_grant::{AgentGrant, AgentGrantStore, GrantStatus};
use ringbridge_core::crm::{CrmModule, CrmRecord, CrmRecordRef};
use ringbridge_core::store::StoreError;
use ringbridge_engine::matcher::Match;
use ringbridge_engine::visibility::{Sighted, Visibility};
use ringbridge_sim_zoho::{Module, SimConfig, SimZoho};
use ringbridge_zoho::ConnectionOptions;
use ringbridge_zoho::crm::visibility::{AgentClient, ZohoVisibility};
use secrecy::SecretString;
use serde_json::json;

use crate::serve::zoho_sign_in::AGENT_SCOPES;

#[derive(Debug, Clone)]
pub struct VisibilityReport {
    pub pops: u64,
    /// Zoho requests per pop, every answer new.
    pub cold: f64,
    /// Zoho requests per pop, every answer cached.
    pub warm: f64,
}

/// The one agent's grant, as sign-in keeps it.
struct OneGrant(AgentGrant);

#[async_trait]
impl AgentGrantStore for OneGrant {
    async fn put_agent_grant(&self, _grant: &AgentGrant) -> Result<(), StoreError> {
        Ok(())
    }

    async fn agent_grant(&self, _account: AccountId) -> Result<Option<AgentGrant>, StoreError> {
        Ok(Some(self.0.clone()))
    }

    async fn grant_of_user(&self, crm_user_id: &str) -> Result<GrantStatus, StoreError> {
        Ok(if crm_user_id == self.0.crm_user_id {
            GrantStatus::Live(Box::new(self.0.clone()))
        } else {
            GrantStatus::Never
        })
    }

    async fn revoke_agent_grant(&self, _: AccountId, _: DateTime<Utc>) -> Result<bool, StoreError> {
        Ok(false)
    }
}

fn contact(id: String) -> CrmRecord {
    CrmRecord {
        reference: CrmRecordRef {
            module: CrmModule::Contacts,
            id,
        },
        name: String::new(),
        company: None,
        email: None,
        phones: Vec::new(),
        owner_id: None,
        account: None,
        modified_at: Utc::now(),
    }
}

pub async fn run(pops: u64) -> Result<VisibilityReport> {
    let zoho = SimZoho::start(SimConfig {
        seed: crate::demo::seed(),
        ..SimConfig::default()
    })
    .await
    .context("Zoho simulator")?;
    let (agent, peer) = ("chen@corp.test", "dana@corp.test");
    let tokens = zoho
        .issue_tokens_for(agent, AGENT_SCOPES)
        .context("the agent's grant")?;
    let peer_id = zoho.user_id(peer).context("the peer")?;
    let mut matches = Vec::new();
    for i in 0..pops {
        let phone = format!("+1415556{i:04}");
        let owned = |owner: &str| json!({"Last_Name": format!("Pop {i}"), "Phone": phone, "Owner": {"id": owner}});
        let mine = zoho.insert_record(Module::Contacts, owned(&tokens.user_id))?;
        let theirs = zoho.insert_record(Module::Contacts, owned(&peer_id))?;
        matches.push(Match {
            chosen: Some(contact(mine)),
            others: vec![contact(theirs)],
        });
    }
    let grants = OneGrant(AgentGrant {
        account_id: AccountId(1),
        crm_user_id: tokens.user_id.clone(),
        email: agent.to_owned(),
        refresh_token: SecretString::from(tokens.refresh_token),
        accounts_server: zoho.accounts_url().to_owned(),
        api_domain: zoho.api_url().to_owned(),
        created_at: Utc::now(),
    });
    let client = AgentClient {
        client_id: zoho.client_id().to_owned(),
        client_secret: SecretString::from(zoho.client_secret().to_owned()),
        redirect_uri: url::Url::parse(&zoho.config().redirect_uris[0])?,
        http: reqwest::Client::new(),
        options: ConnectionOptions::default(),
    };
    let visibility = Visibility::new(Arc::new(ZohoVisibility::new(Arc::new(grants), client)));
    let ttl = Duration::from_secs(300);
    let pass = async |label: &str| -> Result<f64> {
        let before = zoho.request_count("GET", "/crm/v8/Contacts");
        for m in &matches {
            let sighted = visibility
                .sift(Some(&tokens.user_id), m.clone(), false, ttl)
                .await
                .with_context(|| format!("{label} pass"))?;
            // The agent sees their own record and not the peer's.
            anyhow::ensure!(
                matches!(&sighted, Sighted::Records(s) if s.others.is_empty() && s.chosen.is_some()),
                "{label} pass: the agent's view is wrong: {sighted:?}"
            );
        }
        let used = zoho.request_count("GET", "/crm/v8/Contacts") - before;
        Ok(used as f64 / pops.max(1) as f64)
    };
    let cold = pass("cold").await?;
    let warm = pass("warm").await?;
    zoho.shutdown().await;
    Ok(VisibilityReport { pops, cold, warm })
}
