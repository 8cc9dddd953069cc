//! # ringbridge-zoho
//!
//! The Zoho adapter of ringbridge: OAuth 2.0 across Zoho's data centres, the CRM
//! REST API v8, and PhoneBridge v3 — built from Zoho's documentation and OpenAPI
//! files, not from what a simulator happens to accept.
//!
//! ## Connecting an org
//! 1. [`oauth::StateSigner::issue`] a CSRF `state`, redirect the admin to
//!    [`oauth::OAuthClient::authorization_url`] (`access_type=offline`, `prompt=consent`).
//! 2. On the redirect: [`oauth::parse_redirect`] (`code`, `location`,
//!    `accounts-server`, or `error=access_denied`), [`oauth::StateSigner::verify`],
//!    then [`oauth::OAuthClient::exchange_code`] → [`oauth::TokenSet`] (the
//!    `accounts-server` must be in the [`dc::DcTable`], so the client secret never
//!    goes to a host an attacker chose).
//! 3. Persist the [`oauth::TokenSet`] (the caller's job; secrets are
//!    `secrecy::SecretString` and never appear in `Debug`), and build a
//!    [`ZohoConnection`]. After a restart: [`oauth::TokenSet::from_refresh_token`].
//!
//! ## A connection
//! [`ZohoConnection`] holds one shared access token ([`oauth::TokenManager`]:
//! refreshed ~5 minutes before expiry under a lock, never per request), a
//! per-org concurrency limiter sized by [`Edition`] (heavy calls ≤ 10), bounded
//! retries with jittered backoff on 429/5xx/timeouts ([`RetryPolicy`]), and
//! request/credit counters ([`ApiMetrics`], [`MetricsSnapshot`]). A revoked or
//! rejected refresh token switches [`oauth::ConnectionState`] to `ReconnectNeeded`
//! (watch it with [`ZohoConnection::subscribe_state`]) and calls then fail with
//! [`ZohoError::ReconnectNeeded`]. A 401 `INVALID_TOKEN` triggers one refresh and
//! one re-send.
//!
//! ## CRM REST v8 — [`rest::RestClient`] (`conn.rest()`)
//! Search by `phone`/criteria ([`rest::Criteria`] escapes `( ) ,`), batched COQL
//! phone lookups ([`rest::phone_lookup_queries`], ≤ 50 values per `in`, ≤ 25
//! criteria) with pagination, record get/list (`page` then `page_token`,
//! `If-Modified-Since`), bulk insert/update in chunks of 100 with per-record
//! results ([`rest::RecordOutcome`]), users, org (time zone, edition), field
//! metadata, and typed call logging ([`rest::CallsRecordBuilder`],
//! [`rest::RestClient::log_call`] with the Missed-call `00:00` fallback).
//! Every request has a pure `build_*` function returning an [`ApiRequest`].
//!
//! ## PhoneBridge v3 — [`phonebridge::PhoneBridgeClient`] (`conn.phonebridge()`)
//! `integrate`, users, per-user `clicktodial`/`callcontrol` registration (the
//! unquoted `{name:x,value:y}` format via [`phonebridge::format_array`]),
//! `callnotify` for every documented state ([`phonebridge::CallNotify`]) and
//! `clicktodialerror`. Inbound: [`phonebridge::authenticate_click_to_dial`] and
//! [`phonebridge::authenticate_call_control`] are pure functions over
//! (method, headers, query, body) with a constant-time secret check.
//!
//! ## ringbridge's CRM port
//! [`crm::ZohoCrm`] implements `ringbridge_core::crm::Crm` over the REST client:
//! COQL phone lookups (standard + custom phone fields), incremental sync, call
//! logging with an idempotency key (a custom Calls field, or a Description marker
//! found again by start time), record creation, users and record links.
//!
//! ## Errors
//! One [`ZohoError`] with Zoho's codes ([`ErrorCode`]) and
//! [`ZohoError::is_retryable`].

/// The clock is the core's (one for the whole workspace).
pub use ringbridge_core::clock;
pub mod crm;
pub mod dc;
pub mod error;
pub mod oauth;
pub mod phonebridge;
pub mod rest;
mod transport;

pub use error::{ApiError, DuplicateRecord, ErrorCode, OAuthError, Result, ZohoError};
pub use transport::{
    ApiMetrics, ApiRequest, ConnectionOptions, Edition, HEAVY_CONCURRENCY, Limiter,
    MetricsSnapshot, OpSnapshot, Operation, Quirks, RawResponse, RequestBody, RetryPolicy,
    ZohoConnection, cost,
};
