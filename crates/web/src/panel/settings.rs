//! Each agent's screen-pop preferences: open the CRM record in a new tab
//! when a call rings, when it is answered, and/or when it ends. Kept in
//! the store's settings under the account's id, so they follow the agent
//! from browser to browser (panel and extension alike).

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use ringbridge_core::accounts::AccountId;
use ringbridge_core::store::{Store, StoreError};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::WebError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PopSettings {
    pub on_ringing: bool,
    pub on_answer: bool,
    pub on_hangup: bool,
}

impl Default for PopSettings {
    /// The record opens as the phone rings: the agent reads before answering.
    fn default() -> Self {
        Self {
            on_ringing: true,
            on_answer: false,
            on_hangup: false,
        }
    }
}

/// Where the admin console keeps the triggers of agents who have not
/// chosen their own.
pub const SCREEN_POP_DEFAULT_KEY: &str = "panel.screen_pop.default";

fn key(account: AccountId) -> String {
    format!("panel.screen_pop.{account}")
}

impl PopSettings {
    /// The agent's own triggers, else the admin's default, else ringing.
    pub async fn load(store: &dyn Store, account: AccountId) -> Result<Self, StoreError> {
        for key in [key(account), SCREEN_POP_DEFAULT_KEY.to_owned()] {
            if let Some(json) = store.setting(&key).await? {
                // A value this version cannot read falls back to the
                // defaults rather than locking the agent out of the panel.
                return Ok(serde_json::from_str(&json).unwrap_or_default());
            }
        }
        Ok(Self::default())
    }

    pub async fn save(&self, store: &dyn Store, account: AccountId) -> Result<(), StoreError> {
        let json = serde_json::to_string(self)
            .map_err(|e| StoreError::Corrupt(ringbridge_core::cause::Cause::new(e)))?;
        store.put_setting(&key(account), &json).await
    }
}

/// The triggers as the panel and the extension read them, with whether
/// Zoho pops calls itself (PhoneBridge mode): then neither opens tabs of
/// its own on top of Zoho's pop.
#[derive(Debug, Serialize)]
struct PopView {
    #[serde(flatten)]
    triggers: PopSettings,
    zoho_pops: bool,
}

/// Whether Zoho shows the calls itself (PhoneBridge mode).
pub fn zoho_pops(state: &AppState) -> bool {
    state
        .engine
        .as_ref()
        .is_some_and(|e| e.crm_mode() == ringbridge_core::console::CrmMode::PhoneBridge)
}

pub async fn show(user: CurrentUser, State(state): State<AppState>) -> Result<Response, WebError> {
    let triggers = PopSettings::load(state.store.as_ref(), user.account.id).await?;
    Ok(Json(PopView {
        triggers,
        zoho_pops: zoho_pops(&state),
    })
    .into_response())
}

pub async fn save(
    user: CurrentUser,
    State(state): State<AppState>,
    Json(settings): Json<PopSettings>,
) -> Result<Response, WebError> {
    settings.save(state.store.as_ref(), user.account.id).await?;
    Ok(Json(settings).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ringbridge_store::testing::fresh_stores;

    #[tokio::test]
    async fn an_agent_without_a_choice_gets_the_admins_default_until_choosing() {
        for (store, _db) in fresh_stores().await {
            let agent = AccountId(7);
            assert_eq!(
                PopSettings::load(&store, agent).await.unwrap(),
                PopSettings::default()
            );
            let on_hangup = PopSettings {
                on_ringing: false,
                on_answer: false,
                on_hangup: true,
            };
            let json = serde_json::to_string(&on_hangup).unwrap();
            store
                .put_setting(SCREEN_POP_DEFAULT_KEY, &json)
                .await
                .unwrap();
            assert_eq!(PopSettings::load(&store, agent).await.unwrap(), on_hangup);
            let own = PopSettings {
                on_answer: true,
                ..on_hangup
            };
            own.save(&store, agent).await.unwrap();
            assert_eq!(PopSettings::load(&store, agent).await.unwrap(), own);
        }
    }
}
