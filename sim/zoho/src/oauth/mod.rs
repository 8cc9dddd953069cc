//! Zoho Accounts: grant codes, refresh and access tokens with Zoho's documented limits
//! (docs/zoho-api.md §1.2, §1.3), all timed on the simulator clock.

pub mod routes;

use std::collections::{HashMap, VecDeque};

use chrono::{DateTime, Duration, Utc};
use rand::Rng;
use serde_json::{Value, json};

/// Grant code lifetime (Accounts docs: 2 minutes).
pub const CODE_TTL: Duration = Duration::seconds(120);
/// Access token lifetime.
pub const ACCESS_TTL: Duration = Duration::seconds(3600);
/// At most this many access tokens minted per refresh token per [`MINT_WINDOW`].
pub const MAX_MINTS_PER_WINDOW: usize = 10;
pub const MINT_WINDOW: Duration = Duration::minutes(10);
/// Active access tokens per refresh token; the next one evicts the oldest.
pub const MAX_ACTIVE_ACCESS: usize = 15;
/// Refresh tokens per user per client; the next one deletes the oldest (with its access tokens).
pub const MAX_REFRESH_PER_USER: usize = 20;
/// New refresh tokens per user per client per [`MINT_WINDOW`] (through the code flow).
pub const MAX_NEW_REFRESH_PER_WINDOW: usize = 10;
/// Grant codes per client per [`MINT_WINDOW`].
pub const MAX_CODES_PER_WINDOW: usize = 10;

#[derive(Debug, Clone)]
struct GrantCode {
    client_id: String,
    redirect_uri: String,
    scopes: Vec<String>,
    offline: bool,
    user_id: String,
    issued: DateTime<Utc>,
    used: bool,
}

#[derive(Debug, Clone)]
struct RefreshToken {
    client_id: String,
    user_id: String,
    scopes: Vec<String>,
    created: DateTime<Utc>,
    mints: VecDeque<DateTime<Utc>>,
    active: VecDeque<String>,
}

/// What the API side needs to know about a valid access token.
#[derive(Debug, Clone)]
pub struct AccessGrant {
    pub user_id: String,
    pub scopes: Vec<String>,
    pub expires: DateTime<Utc>,
}

/// A token endpoint failure; Zoho answers most of these with HTTP 200.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenError {
    InvalidClient,
    InvalidCode,
    InvalidRedirectUri,
    UnsupportedGrantType,
    /// Too many access tokens from one refresh token in the window.
    AccessDenied,
}

impl TokenError {
    /// Status and body. `invalid_code`/`invalid_client` as HTTP 200 are confirmed (zcrm-csharp-sdk#7);
    /// `invalid_redirect_uri`, `unsupported_grant_type` and the throttling body/status are
    /// unconfirmed (the throttling text is the one third parties quote).
    pub fn response(&self) -> (u16, Value) {
        match self {
            Self::InvalidClient => (200, json!({"error": "invalid_client"})),
            Self::InvalidCode => (200, json!({"error": "invalid_code"})),
            Self::InvalidRedirectUri => (200, json!({"error": "invalid_redirect_uri"})),
            Self::UnsupportedGrantType => (200, json!({"error": "unsupported_grant_type"})),
            Self::AccessDenied => (
                400,
                json!({
                    "error_description": "You have made too many requests continuously. Please try again after some time.",
                    "error": "Access Denied",
                    "status": "failure"
                }),
            ),
        }
    }
}

/// Tokens issued by a successful grant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedTokens {
    pub access_token: String,
    pub refresh_token: Option<String>,
    pub scopes: Vec<String>,
}

/// All OAuth state of the simulated accounts server.
#[derive(Debug, Default)]
pub struct OAuthState {
    codes: HashMap<String, GrantCode>,
    refresh: HashMap<String, RefreshToken>,
    access: HashMap<String, AccessGrant>,
    /// When each client was given a grant code, within the window.
    code_mints: HashMap<String, VecDeque<DateTime<Utc>>>,
    /// When each (client, user) got a new refresh token from a code, within the window.
    refresh_mints: HashMap<(String, String), VecDeque<DateTime<Utc>>>,
}

/// Books one more event in a sliding [`MINT_WINDOW`] unless `max` are in it already.
fn take_window_slot(events: &mut VecDeque<DateTime<Utc>>, now: DateTime<Utc>, max: usize) -> bool {
    while events.front().is_some_and(|t| now - *t >= MINT_WINDOW) {
        events.pop_front();
    }
    if events.len() >= max {
        return false;
    }
    events.push_back(now);
    true
}

/// `1000.<32 hex>.<32 hex>`, the shape of Zoho's tokens and codes.
fn token() -> String {
    let mut rng = rand::rng();
    let a: u128 = rng.random();
    let b: u128 = rng.random();
    format!("1000.{a:032x}.{b:032x}")
}

impl OAuthState {
    /// Records a consented authorization and returns the grant code; refused past
    /// [`MAX_CODES_PER_WINDOW`] codes for the client (what Zoho shows then is unconfirmed).
    pub fn create_code(
        &mut self,
        client_id: &str,
        redirect_uri: &str,
        scopes: Vec<String>,
        offline: bool,
        user_id: &str,
        now: DateTime<Utc>,
    ) -> Result<String, TokenError> {
        let mints = self.code_mints.entry(client_id.to_owned()).or_default();
        if !take_window_slot(mints, now, MAX_CODES_PER_WINDOW) {
            return Err(TokenError::AccessDenied);
        }
        let code = token();
        self.codes.insert(
            code.clone(),
            GrantCode {
                client_id: client_id.into(),
                redirect_uri: redirect_uri.into(),
                scopes,
                offline,
                user_id: user_id.into(),
                issued: now,
                used: false,
            },
        );
        Ok(code)
    }

    /// `grant_type=authorization_code`. The code is single-use and lives [`CODE_TTL`]. An
    /// offline code past [`MAX_NEW_REFRESH_PER_WINDOW`] new refresh tokens for its user is
    /// refused with "Access Denied" and stays unused (both unconfirmed).
    pub fn exchange_code(
        &mut self,
        client_id: &str,
        code: &str,
        redirect_uri: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<IssuedTokens, TokenError> {
        let grant = self.codes.get_mut(code).ok_or(TokenError::InvalidCode)?;
        if grant.used || grant.client_id != client_id || now - grant.issued > CODE_TTL {
            return Err(TokenError::InvalidCode);
        }
        if redirect_uri.is_some_and(|r| r != grant.redirect_uri) {
            return Err(TokenError::InvalidRedirectUri);
        }
        if grant.offline {
            let key = (client_id.to_owned(), grant.user_id.clone());
            let mints = self.refresh_mints.entry(key).or_default();
            if !take_window_slot(mints, now, MAX_NEW_REFRESH_PER_WINDOW) {
                return Err(TokenError::AccessDenied);
            }
        }
        let grant = self.codes.get_mut(code).ok_or(TokenError::InvalidCode)?;
        grant.used = true;
        let grant = grant.clone();
        if !grant.offline {
            let access = self.new_access(None, &grant.user_id, &grant.scopes, now);
            return Ok(IssuedTokens {
                access_token: access,
                refresh_token: None,
                scopes: grant.scopes,
            });
        }
        Ok(self.issue_pair(client_id, &grant.user_id, grant.scopes, now))
    }

    /// Creates a refresh token plus its first access token (also used by the control handle).
    pub fn issue_pair(
        &mut self,
        client_id: &str,
        user_id: &str,
        scopes: Vec<String>,
        now: DateTime<Utc>,
    ) -> IssuedTokens {
        let mut mine: Vec<(DateTime<Utc>, String)> = self
            .refresh
            .iter()
            .filter(|(_, r)| r.client_id == client_id && r.user_id == user_id)
            .map(|(t, r)| (r.created, t.clone()))
            .collect();
        mine.sort();
        while mine.len() >= MAX_REFRESH_PER_USER {
            let (_, oldest) = mine.remove(0);
            self.revoke(&oldest);
        }
        let rt = token();
        self.refresh.insert(
            rt.clone(),
            RefreshToken {
                client_id: client_id.into(),
                user_id: user_id.into(),
                scopes: scopes.clone(),
                created: now,
                mints: VecDeque::new(),
                active: VecDeque::new(),
            },
        );
        let access = self.mint_from_refresh(&rt, now).unwrap_or_default();
        IssuedTokens {
            access_token: access,
            refresh_token: Some(rt),
            scopes,
        }
    }

    /// `grant_type=refresh_token`.
    pub fn refresh(
        &mut self,
        client_id: &str,
        refresh_token: &str,
        now: DateTime<Utc>,
    ) -> Result<IssuedTokens, TokenError> {
        let rt = self
            .refresh
            .get(refresh_token)
            .filter(|r| r.client_id == client_id)
            .ok_or(TokenError::InvalidCode)?;
        let scopes = rt.scopes.clone();
        let access = self.mint_from_refresh(refresh_token, now)?;
        Ok(IssuedTokens {
            access_token: access,
            refresh_token: None,
            scopes,
        })
    }

    fn mint_from_refresh(&mut self, rt: &str, now: DateTime<Utc>) -> Result<String, TokenError> {
        // Expired access tokens no longer count as active.
        let access = &mut self.access;
        access.retain(|_, g| now < g.expires);
        let r = self.refresh.get_mut(rt).ok_or(TokenError::InvalidCode)?;
        r.active.retain(|t| access.contains_key(t));
        while r.mints.front().is_some_and(|t| now - *t >= MINT_WINDOW) {
            r.mints.pop_front();
        }
        if r.mints.len() >= MAX_MINTS_PER_WINDOW {
            return Err(TokenError::AccessDenied);
        }
        r.mints.push_back(now);
        let (user, scopes) = (r.user_id.clone(), r.scopes.clone());
        let evicted = (r.active.len() >= MAX_ACTIVE_ACCESS)
            .then(|| r.active.pop_front())
            .flatten();
        if let Some(old) = evicted {
            self.access.remove(&old);
        }
        Ok(self.new_access(Some(rt.to_owned()), &user, &scopes, now))
    }

    fn new_access(
        &mut self,
        refresh: Option<String>,
        user_id: &str,
        scopes: &[String],
        now: DateTime<Utc>,
    ) -> String {
        let at = token();
        if let Some(r) = refresh.as_ref().and_then(|r| self.refresh.get_mut(r)) {
            r.active.push_back(at.clone());
        }
        self.access.insert(
            at.clone(),
            AccessGrant {
                user_id: user_id.into(),
                scopes: scopes.to_vec(),
                expires: now + ACCESS_TTL,
            },
        );
        at
    }

    /// Revokes a refresh token and all its access tokens; false if unknown.
    pub fn revoke(&mut self, refresh_token: &str) -> bool {
        let Some(r) = self.refresh.remove(refresh_token) else {
            return false;
        };
        for at in r.active {
            self.access.remove(&at);
        }
        true
    }

    /// Revokes every grant (refresh and access tokens) of `user_id`, or of everyone when
    /// `None`, as when a user (or an admin) removes the app's access in Zoho. Returns how
    /// many refresh tokens went.
    pub fn revoke_all(&mut self, user_id: Option<&str>) -> usize {
        let hit = |u: &str| user_id.is_none_or(|id| id == u);
        let before = self.refresh.len();
        self.refresh.retain(|_, r| !hit(&r.user_id));
        self.access.retain(|_, g| !hit(&g.user_id));
        before - self.refresh.len()
    }

    /// The grant behind a live access token.
    pub fn check_access(&self, token: &str, now: DateTime<Utc>) -> Option<&AccessGrant> {
        self.access.get(token).filter(|g| now < g.expires)
    }

    /// Expires every access token now (refresh tokens stay valid).
    pub fn expire_all_access(&mut self) {
        self.access.clear();
        for r in self.refresh.values_mut() {
            r.active.clear();
        }
    }

    /// Number of refresh tokens that are still valid.
    pub fn refresh_token_count(&self) -> usize {
        self.refresh.len()
    }
}
