//! The pages' sign-in as the recording routes' [`SessionCheck`]: when an
//! administrator requires sign-in for recordings, a link plays only in a
//! browser signed in to ringbridge (any role: agents play their calls);
//! anyone else is sent to the sign-in page and brought back to the link.

use axum::http::HeaderMap;

use super::{BoxFuture, SessionCheck};
use crate::AppState;
use crate::session;

/// Checks a request's session cookie against the store's sessions.
pub struct PageSessions {
    state: AppState,
}

impl PageSessions {
    pub fn new(state: &AppState) -> Self {
        let mut state = state.clone();
        // The recording service will hold this check: no reference back.
        state.recordings = None;
        Self { state }
    }
}

impl SessionCheck for PageSessions {
    fn signed_in<'a>(&'a self, headers: &'a HeaderMap) -> BoxFuture<'a, bool> {
        Box::pin(async move {
            let Some(token) = session::token_of(&self.state, headers) else {
                return false;
            };
            match session::resolve(&self.state, &token).await {
                // An account whose password an admin reset plays nothing
                // until it chose a new one.
                Ok(account) => account.is_some_and(|a| !a.must_change_password),
                // Fail closed: no playback while sessions cannot be read.
                Err(err) => {
                    tracing::warn!(error = %err, "cannot check the session of a recording request");
                    false
                }
            }
        })
    }

    fn sign_in_url(&self, return_to: &str) -> Option<String> {
        let query = serde_urlencoded::to_string([("next", return_to)]).ok()?;
        Some(format!("/login?{query}"))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use axum::http::HeaderValue;
    use axum::http::header::COOKIE;
    use chrono::Utc;
    use ringbridge_core::accounts::{AccountProfile, AccountStore, NewAccount, Role, Username};
    use ringbridge_store::{SecretKey, SqlStore};

    use super::*;

    #[tokio::test]
    async fn a_signed_in_browser_passes_and_others_are_sent_to_sign_in() {
        let db = ringbridge_store::testing::fresh_sqlite();
        let key = SecretKey::generate();
        let store = Arc::new(SqlStore::open(&db.url, key).await.unwrap());
        let state = AppState::new(store.clone(), store.clone(), None);
        let account = store
            .create_account(&NewAccount {
                username: Username::parse("maya").unwrap(),
                password_hash: "unused".into(),
                profile: AccountProfile {
                    display_name: "Maya".into(),
                    role: Role::Agent,
                    crm_user_id: None,
                    extension: None,
                    disabled: false,
                },
                at: Utc::now(),
            })
            .await
            .unwrap();
        let (token, _) = session::start(&state, account.id, None, None)
            .await
            .unwrap();
        let check = PageSessions::new(&state);

        let mut signed_in = HeaderMap::new();
        let cookie = format!("{}={token}", session::cookie_name(&state.web.config));
        signed_in.insert(COOKIE, HeaderValue::from_str(&cookie).unwrap());
        assert!(check.signed_in(&signed_in).await);

        let mut forged = HeaderMap::new();
        let cookie = format!("{}=not-a-session", session::cookie_name(&state.web.config));
        forged.insert(COOKIE, HeaderValue::from_str(&cookie).unwrap());
        assert!(!check.signed_in(&forged).await);
        assert!(!check.signed_in(&HeaderMap::new()).await);

        session::end(&state, &token).await.unwrap();
        assert!(!check.signed_in(&signed_in).await, "signed out");

        assert_eq!(
            check.sign_in_url("/recordings/abc").as_deref(),
            Some("/login?next=%2Frecordings%2Fabc")
        );
    }
}
