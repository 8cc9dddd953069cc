//! ringbridge's adapter for the Yeastar P-Series OpenAPI (Software,
//! Appliance and Cloud editions), built from the vendor facts in
//! `docs/yeastar-api.md`.
//!
//! # Public API
//!
//! - [`YeastarConfig`] → [`YeastarClient::new`]: one client per PBX, cheap
//!   to clone, holding the process's single access token ([`auth`] rules:
//!   renewal ahead of expiry under a lock, refresh before re-login, no
//!   retry of refused credentials, revocation on [`YeastarClient::shutdown`]).
//! - [`YeastarClient`] implements core's [`Pbx`](ringbridge_core::pbx::Pbx)
//!   port, and offers the endpoints by their Yeastar names:
//!   [`call_dial`](YeastarClient::call_dial), `call_hangup`, `call_query`,
//!   `cdr_search`, `cdr_list`, `extension_list`, `recording_stream`,
//!   `company_contact_{list,search,create,update}`,
//!   `phonebook_{list,create,get,update}`.
//! - Events over WebSocket: [`YeastarClient::event_source`] with an
//!   [`EventStreamConfig`] gives a [`YeastarEventSource`], core's
//!   [`PbxEventSource`](ringbridge_core::pbx::PbxEventSource).
//! - Events over webhooks: [`WebhookReceiver`] (an axum router to mount,
//!   and also a `PbxEventSource`), and the pure [`verify_webhook`].
//! - [`events::parse_event`]: the pure frame parser both transports use.
//! - Errors: [`ApiError`] (the PBX's `errcode`s), [`YeastarError`]; both
//!   convert into core's `PbxError`.
//!
//! Facts the vendor leaves open ("unconfirmed" in that page) are handled
//! tolerantly: `msg` as string or object, numbers as strings, case, absent
//! `data`, `phonebook/get` nested or flat, JSON errors from download URLs.

pub mod api;
pub mod auth;
mod client;
pub mod config;
mod dedupe;
pub mod error;
pub mod events;
pub mod firmware;
mod http;
mod pbx_impl;
mod stream;
mod tls;
pub mod webhook;
mod wire;
pub mod ws;

pub use api::calls::DialRequest;
pub use api::cdr::CdrPage;
pub use api::contacts::{PhonebookDetail, PhonebookUpdate};
pub use api::system::SystemInfo;
pub use auth::AccessState;
pub use client::YeastarClient;
pub use config::{BackoffConfig, DEFAULT_TOPICS, EventStreamConfig, YeastarConfig};
pub use error::{ApiError, ErrorDetail, YeastarError};
pub use webhook::{
    DEFAULT_MAX_WEBHOOK_BODY_BYTES, DEFAULT_WEBHOOK_PATH, WebhookConfig, WebhookError,
    WebhookReceiver, verify_signature, verify_webhook,
};
pub use ws::YeastarEventSource;
