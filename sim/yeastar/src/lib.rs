//! # ringbridge-sim-yeastar
//!
//! A simulator of the Yeastar P-Series OpenAPI (`/openapi/v1.0/…`, `/openapi/v2.0/cdr/*`),
//! built from the vendor facts in the project's Yeastar API notes, so the PBX client can be
//! tested against something that behaves — and refuses — like the real PBX: errors come as
//! HTTP 200 with `errcode`/`errmsg`, tokens expire on a simulated clock, the WebSocket closes
//! when idle, and so on. Facts the notes mark "unconfirmed" are switchable in
//! [`SimSettings`].
//!
//! ## Starting
//! ```no_run
//! # async fn demo() -> Result<(), ringbridge_sim_yeastar::SimError> {
//! use ringbridge_sim_yeastar::{SimSettings, SimYeastar, builtin};
//! let sim = SimYeastar::start(SimSettings::for_tests()).await?;
//! let base = sim.base_url();               // http://127.0.0.1:<port>
//! let (id, secret) = (sim.client_id(), sim.client_secret());
//! let calls = sim.play(&builtin("inbound_answered")?).await?;
//! sim.clock().advance(std::time::Duration::from_secs(1800)); // expire tokens
//! # let _ = (base, id, secret, calls); Ok(()) }
//! ```
//!
//! ## What is served
//! - Auth: `get_token`, `refresh_token`, `del_token` (32-char tokens, 1800 s / 86400 s, ≤ 8
//!   live access tokens, IP block after 5 failed logins, mandatory `User-Agent`).
//! - `extension/list|search|get|query|update`, `call/dial|hangup|transfer|query`,
//!   `queue/call_status`, `cdr/list|search` (v1.0 legacy or reworked rows; v2.0 one row per
//!   call), `recording/list|search|get|download` plus the download URL itself (HTTP Range),
//!   `company_contact/*`, `phonebook/*`, `webhook/query|update|test`.
//! - WebSocket `/openapi/v1.0/subscribe` with topic replacement, heartbeat, idle close and
//!   the 10004 push at token expiry; webhooks signed with `X-Signature`.
//!
//! ## Calls
//! Calls come from [`Scenario`]s — TOML data with parties and steps (see
//! [`scenario`] and the built-ins in [`BUILTIN_NAMES`]) — and from
//! `call/dial`. The engine emits realistic 30011 frames, 30008, 30013/30014/30015,
//! 30025/30026/30029, one 30012 per call, CDR rows and a WAV recording for answered calls.
//!
//! ## Company
//! The company (extensions, ring groups, queues, trunks and DIDs, contacts, phonebooks) and
//! the device (firmware, IANA time zone with DST, display format) come from a TOML company
//! file ([`CompanyFile`], `--company`); the built-in one is `company/demo.toml`.
//!
//! ## Control
//! Over HTTP, `/_sim/play`, `/_sim/plays` and `/_sim/faults` play scenarios on demand and
//! set [`Fault`]s (guarded: a Bearer admin token, or loopback only; see the `admin` module).
//! [`SimYeastar`] exposes the clock, scenario playing, faults, dropping or refusing WebSockets, the recorded
//! `call/dial` requests, contacts/phonebooks/CDRs/recordings, IP unblocking, webhook
//! settings and deliveries, and per-endpoint request counters. [`SimYeastarArgs`] and
//! [`run`] are the CLI (`ringbridge sim yeastar`).

mod admin;
pub(crate) mod api;
pub mod auth;
pub mod cdr;
mod cli;
pub mod clock;
pub mod codes;
pub mod company;
pub mod config;
pub mod contacts;
mod download;
pub mod engine;
mod error;
pub mod events;
pub mod faults;
pub mod feed;
mod handle;
mod router;
pub mod sample;
pub mod scenario;
pub mod state;
pub mod timefmt;
pub mod wav;
mod webhook_push;
mod ws;

pub use admin::PlayStatus;
pub use cli::{SimYeastarArgs, run};
pub use clock::{ClockStart, SimClock};
pub use company::{CompanyError, CompanyFile};
pub use config::{
    CdrMode, DialSettings, Edition, RecordingFormat, SimSettings, WebhookSettings, WebhookTarget,
};
pub use error::SimError;
pub use events::Event;
pub use faults::{Fault, FaultReport};
pub use feed::{EncodedFrame, FeedClosed, FrameFeed};
pub use handle::{ScenarioRunner, SimYeastar};
pub use scenario::{BUILTIN_NAMES, Scenario, ScenarioError, builtin, builtins};
pub use webhook_push::sign as webhook_signature;
