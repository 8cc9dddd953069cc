//! State shared by both listeners and the control handle.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

use tokio::sync::watch;

use crate::api::records::PageToken;
use crate::clock::SimClock;
use crate::config::{Edition, PhoneBridgeStrictness, PhoneMatchMode, SimConfig};
use crate::faults::Faults;
use crate::limits::Limits;
use crate::oauth::OAuthState;
use crate::phonebridge::PbState;
use crate::reqlog::RequestLog;
use crate::store::Store;

/// Behaviour switches that tests may flip while the simulator runs.
#[derive(Debug, Clone)]
pub struct Settings {
    pub edition: Edition,
    pub phone_match: PhoneMatchMode,
    pub strictness: PhoneBridgeStrictness,
}

/// Mutable data behind one lock (no lock is held across an await).
#[derive(Debug)]
pub struct Inner {
    pub store: Store,
    pub oauth: OAuthState,
    pub pb: PbState,
    pub settings: Settings,
    /// Issued `next_page_token`s of record lists.
    pub page_tokens: HashMap<String, PageToken>,
}

#[derive(Debug)]
pub struct Shared {
    pub config: SimConfig,
    pub clock: SimClock,
    pub inner: Mutex<Inner>,
    pub limits: Limits,
    pub faults: Mutex<Faults>,
    pub log: Mutex<RequestLog>,
    pub accounts_url: String,
    pub api_url: String,
    pub shutdown: watch::Receiver<bool>,
    pub http: reqwest::Client,
}

impl Shared {
    pub fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub fn faults(&self) -> MutexGuard<'_, Faults> {
        self.faults.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub fn log(&self) -> MutexGuard<'_, RequestLog> {
        self.log.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
