//! The people who sign in to ringbridge's pages: admins (who set it up) and
//! agents (who take calls), their browser sessions, and the API tokens an
//! agent's browser extension uses.
//!
//! Secrets never reach the store in clear: passwords arrive as argon2id PHC
//! strings and session/API tokens as the SHA-256 of the token ([`TokenHash`]),
//! so a copy of the database lets no one sign in. Hashing happens in the web
//! layer; this module only names the shapes.

use std::fmt;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::store::StoreError;

/// An account's database id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AccountId(pub i64);

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Sets ringbridge up: PBX, CRM, mode, user mapping, settings.
    Admin,
    /// Takes calls: the agent panel and the browser extension.
    Agent,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Agent => "agent",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Admin, Self::Agent]
            .into_iter()
            .find(|r| r.as_str() == text)
    }
}

/// A sign-in name: 1 to 64 characters of `a-z 0-9 . _ @ -`, kept lowercase
/// so `Alice` and `alice` are one account (people type their names with
/// whatever capitals their keyboard gives them).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Username(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UsernameError {
    #[error("a username is required")]
    Empty,
    #[error("a username has at most {max} characters")]
    TooLong { max: usize },
    #[error("a username may only use letters a-z, digits and . _ @ -")]
    BadCharacter,
}

impl Username {
    pub const MAX_LEN: usize = 64;

    pub fn parse(text: &str) -> Result<Self, UsernameError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(UsernameError::Empty);
        }
        if text.chars().count() > Self::MAX_LEN {
            return Err(UsernameError::TooLong { max: Self::MAX_LEN });
        }
        let lower = text.to_ascii_lowercase();
        if !lower
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._@-".contains(c))
        {
            return Err(UsernameError::BadCharacter);
        }
        Ok(Self(lower))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Username {
    type Error = UsernameError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Username> for String {
    fn from(value: Username) -> Self {
        value.0
    }
}

/// What an admin can change about an account (everything but the name and
/// the password).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountProfile {
    /// Shown on pages. Free text from a person: always escaped when shown.
    pub display_name: String,
    pub role: Role,
    /// The CRM user this person is (Zoho user id), once mapped.
    pub crm_user_id: Option<String>,
    /// The PBX extension this person answers, once mapped.
    pub extension: Option<String>,
    /// A disabled account cannot sign in, and its sessions and tokens stop
    /// working at once.
    pub disabled: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub id: AccountId,
    pub username: Username,
    #[serde(flatten)]
    pub profile: AccountProfile,
    /// Set when an admin reset the password: the person must choose a new
    /// one before any other page or API works.
    #[serde(default)]
    pub must_change_password: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Account {
    pub fn is_admin(&self) -> bool {
        self.profile.role == Role::Admin
    }
}

/// An account to create. `password_hash` is an argon2id PHC string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAccount {
    pub username: Username,
    pub password_hash: String,
    pub profile: AccountProfile,
    pub at: DateTime<Utc>,
}

/// An account with the hash its password is checked against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    pub account: Account,
    pub password_hash: String,
}

/// The SHA-256 of a secret token (session cookie or API token). The store
/// keys by it, so the database never holds a usable token.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct TokenHash(pub [u8; 32]);

impl TokenHash {
    pub fn to_hex(&self) -> String {
        use fmt::Write;
        let mut out = String::with_capacity(64);
        for b in self.0 {
            let _ = write!(out, "{b:02x}");
        }
        out
    }

    pub fn from_hex(text: &str) -> Option<Self> {
        if text.len() != 64 || !text.is_ascii() {
            return None;
        }
        let mut out = [0u8; 32];
        for (i, byte) in out.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).ok()?;
        }
        Some(Self(out))
    }
}

impl fmt::Debug for TokenHash {
    // A prefix is enough to tell two apart in logs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TokenHash({}…)", &self.to_hex()[..8])
    }
}

/// A signed-in browser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// The hash of its token: names the session in lists (no use for
    /// signing in).
    pub hash: TokenHash,
    pub account_id: AccountId,
    pub created_at: DateTime<Utc>,
    /// Last time the session was used (moved forward at most about once a
    /// minute); idle expiry counts from here.
    pub last_seen_at: DateTime<Utc>,
    /// Absolute expiry: no use extends it.
    pub expires_at: DateTime<Utc>,
    /// Free text from the browser: always escaped when shown.
    pub user_agent: Option<String>,
    /// The address it signed in from, as far as it could be believed.
    pub client_addr: Option<String>,
}

impl Session {
    /// A short name for the session in forms and lists: the first 16 hex
    /// digits of its token's hash.
    pub fn handle(&self) -> String {
        self.hash.to_hex()[..SESSION_HANDLE_LEN].to_owned()
    }
}

/// How many hex digits of a token hash name a session.
pub const SESSION_HANDLE_LEN: usize = 16;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSession {
    pub hash: TokenHash,
    pub account_id: AccountId,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub user_agent: Option<String>,
    pub client_addr: Option<String>,
}

/// An API token's database id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ApiTokenId(pub i64);

/// What an API token may do. A browser session may do everything its
/// account may; a token only what it was granted, so a token copied out of
/// a browser extension cannot read the CRM or write to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ApiScope {
    /// Click-to-call (`POST /api/dial`).
    #[serde(rename = "dial")]
    Dial,
    /// The agent's own calls: the live feed, recent calls, pop settings.
    #[serde(rename = "calls:read")]
    CallsRead,
    /// CRM look-ups by number (each costs a CRM API credit).
    #[serde(rename = "records:read")]
    RecordsRead,
    /// Creating CRM records and relating a call's log to one.
    #[serde(rename = "records:write")]
    RecordsWrite,
}

impl ApiScope {
    pub const ALL: [Self; 4] = [
        Self::Dial,
        Self::CallsRead,
        Self::RecordsRead,
        Self::RecordsWrite,
    ];
    /// What the browser extension needs: the feed and click-to-call.
    pub const EXTENSION: [Self; 2] = [Self::Dial, Self::CallsRead];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Dial => "dial",
            Self::CallsRead => "calls:read",
            Self::RecordsRead => "records:read",
            Self::RecordsWrite => "records:write",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// Space-separated, as stored and as OAuth writes scopes.
    pub fn join(scopes: &[Self]) -> String {
        scopes
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The scopes named in `text`, sorted, without repeats; `None` if a name
    /// is unknown.
    pub fn split(text: &str) -> Option<Vec<Self>> {
        let mut scopes = text
            .split_whitespace()
            .map(Self::parse)
            .collect::<Option<Vec<_>>>()?;
        scopes.sort();
        scopes.dedup();
        Some(scopes)
    }
}

/// A token an agent's browser extension signs its API calls with. Only its
/// first characters (`prefix`) are kept in clear, so a person can tell their
/// tokens apart in a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiToken {
    pub id: ApiTokenId,
    pub account_id: AccountId,
    /// The person's label for it ("Chrome at the front desk").
    pub name: String,
    pub prefix: String,
    pub scopes: Vec<ApiScope>,
    pub created_at: DateTime<Utc>,
    /// Refused from then on; `None` never expires.
    pub expires_at: Option<DateTime<Utc>>,
    /// Written at most about once a minute, not on every request.
    pub last_used_at: Option<DateTime<Utc>>,
}

impl ApiToken {
    pub fn allows(&self, scope: ApiScope) -> bool {
        self.scopes.contains(&scope)
    }

    pub fn is_expired(&self, now: DateTime<Utc>) -> bool {
        self.expires_at.is_some_and(|at| now >= at)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewApiToken {
    pub account_id: AccountId,
    pub name: String,
    pub prefix: String,
    pub hash: TokenHash,
    pub scopes: Vec<ApiScope>,
    pub at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccountError {
    #[error("the username {0} is taken")]
    UsernameTaken(Username),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Accounts, sessions and API tokens. Every method is one atomic step.
#[async_trait]
pub trait AccountStore: Send + Sync {
    /// Whether an admin account exists (disabled ones count: disabling the
    /// last admin must not reopen first-run setup to anyone).
    async fn has_admin(&self) -> Result<bool, StoreError>;

    /// First-run setup: creates `account` as an admin only while no admin
    /// exists, atomically, so two browsers racing through setup make one
    /// admin. `None` when an admin already exists.
    async fn create_first_admin(
        &self,
        account: &NewAccount,
    ) -> Result<Option<Account>, AccountError>;

    async fn create_account(&self, account: &NewAccount) -> Result<Account, AccountError>;
    async fn account(&self, id: AccountId) -> Result<Option<Account>, StoreError>;
    /// The account and its password hash, for signing in.
    async fn credentials(&self, username: &Username) -> Result<Option<Credentials>, StoreError>;
    /// All accounts, by username.
    async fn accounts(&self) -> Result<Vec<Account>, StoreError>;
    /// `false` when there is no such account.
    async fn update_account(
        &self,
        id: AccountId,
        profile: &AccountProfile,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
    /// Sets the password; `must_change` marks an admin's reset (the person
    /// must choose another at next sign-in), `false` the person's own choice.
    async fn set_password(
        &self,
        id: AccountId,
        password_hash: &str,
        must_change: bool,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    async fn create_session(&self, session: &NewSession) -> Result<(), StoreError>;
    /// The session with this hash and its account.
    async fn session(&self, hash: &TokenHash) -> Result<Option<(Session, Account)>, StoreError>;
    async fn touch_session(&self, hash: &TokenHash, at: DateTime<Utc>) -> Result<(), StoreError>;
    async fn delete_session(&self, hash: &TokenHash) -> Result<(), StoreError>;
    /// An account's open sessions, newest first.
    async fn sessions_of(&self, id: AccountId) -> Result<Vec<Session>, StoreError>;
    /// Ends the session of `account` named by `handle` ([`Session::handle`]);
    /// `false` when it has none such.
    async fn end_session(&self, account: AccountId, handle: &str) -> Result<bool, StoreError>;
    /// Signs an account out everywhere; returns how many sessions ended.
    async fn delete_sessions_of(&self, id: AccountId) -> Result<u64, StoreError>;
    /// Deletes sessions past their absolute expiry or idle since `idle_before`.
    async fn prune_sessions(
        &self,
        now: DateTime<Utc>,
        idle_before: DateTime<Utc>,
    ) -> Result<u64, StoreError>;

    async fn create_api_token(&self, token: &NewApiToken) -> Result<ApiToken, StoreError>;
    /// An account's tokens, newest first.
    async fn api_tokens(&self, id: AccountId) -> Result<Vec<ApiToken>, StoreError>;
    /// The token with this hash and its account.
    async fn api_token(&self, hash: &TokenHash) -> Result<Option<(ApiToken, Account)>, StoreError>;
    async fn touch_api_token(&self, id: ApiTokenId, at: DateTime<Utc>) -> Result<(), StoreError>;
    /// Deletes an account with its sessions and API tokens; `false` when
    /// there is no such account.
    async fn delete_account(&self, id: AccountId) -> Result<bool, StoreError>;
    /// Revokes one of `account`'s tokens; `false` if it has no such token.
    async fn revoke_api_token(
        &self,
        account: AccountId,
        token: ApiTokenId,
    ) -> Result<bool, StoreError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_lowercase_and_plain() {
        assert_eq!(
            Username::parse("  Alice.B@X ").unwrap().as_str(),
            "alice.b@x"
        );
        assert_eq!(Username::parse(""), Err(UsernameError::Empty));
        assert_eq!(Username::parse("a b"), Err(UsernameError::BadCharacter));
        assert_eq!(
            Username::parse("<script>"),
            Err(UsernameError::BadCharacter)
        );
        assert_eq!(Username::parse("çà"), Err(UsernameError::BadCharacter));
        assert!(Username::parse(&"a".repeat(64)).is_ok());
        assert_eq!(
            Username::parse(&"a".repeat(65)),
            Err(UsernameError::TooLong { max: 64 })
        );
    }

    #[test]
    fn roles_round_trip() {
        for r in [Role::Admin, Role::Agent] {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("root"), None);
    }

    #[test]
    fn scopes_round_trip_and_refuse_unknown_names() {
        assert_eq!(
            ApiScope::split("records:read dial dial"),
            Some(vec![ApiScope::Dial, ApiScope::RecordsRead])
        );
        assert_eq!(ApiScope::split("dial admin"), None);
        assert_eq!(ApiScope::join(&ApiScope::EXTENSION), "dial calls:read");
        assert_eq!(
            serde_json::to_string(&ApiScope::CallsRead).unwrap(),
            "\"calls:read\""
        );
    }

    #[test]
    fn token_hashes_round_trip_as_hex() {
        let h = TokenHash([0xab; 32]);
        assert_eq!(h.to_hex(), "ab".repeat(32));
        assert_eq!(TokenHash::from_hex(&h.to_hex()), Some(h));
        assert_eq!(TokenHash::from_hex("ab"), None);
        assert_eq!(TokenHash::from_hex(&"zz".repeat(32)), None);
        assert!(!format!("{h:?}").contains(&"ab".repeat(9)));
    }
}
