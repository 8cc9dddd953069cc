//! Keeps one subscribed socket alive for the life of an event stream.
//!
//! - Drop (close, error, dead heartbeat) → `Disconnected { since }`, then
//!   reconnect (at once after a stable connection, else with backoff) and
//!   `Connected` once re-subscribed.
//! - 10004 frame → reconnect at once with a renewed token.
//! - Before the token expires → make-before-break rotation: a second socket
//!   with the fresh token subscribes, then the old one is closed; frames
//!   both deliver are passed on once. No gap, so nothing is reported.
//! - Credentials refused / IP blocked → `Fatal`, and the stream ends.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use ringbridge_core::pbx::EventSourceItem;
use tokio::sync::mpsc;
use tokio::time::{Instant, sleep_until};

use super::backoff::Backoff;
use super::conn::{self, ConnEnd, ConnHandle, ConnMsg, ConnSettings, Keyed};
use crate::auth::AccessToken;
use crate::client::YeastarClient;
use crate::config::EventStreamConfig;
use crate::dedupe::RecentSet;
use crate::error::YeastarError;

/// A connection that lived this long was fine; its loss is not flapping.
const STABLE: Duration = Duration::from_secs(10);
const RECENT_CAPACITY: usize = 4096;

struct Live {
    handle: ConnHandle,
    token: AccessToken,
    subscribed_at: Option<Instant>,
}

#[derive(PartialEq, Eq)]
enum Flow {
    Go,
    Stop,
}

struct Supervisor {
    client: YeastarClient,
    settings: ConnSettings,
    /// Items in batches (one per batch read from a socket).
    out: mpsc::Sender<Vec<EventSourceItem>>,
    conn_tx: mpsc::Sender<ConnMsg>,
    next_id: u64,
    active: Option<Live>,
    candidate: Option<Live>,
    /// A replaced socket still handing over its last frames; until it is
    /// done, the new socket's items wait in `held` so order is kept.
    retiring: Option<u64>,
    held: Vec<Keyed>,
    /// Not delivering since then; `true` once reported.
    gap: Option<(DateTime<Utc>, bool)>,
    connect_at: Instant,
    rotate_at: Option<Instant>,
    /// The token the PBX called expired: renew from it before reconnecting.
    stale: Option<AccessToken>,
    backoff: Backoff,
    recent: RecentSet,
}

pub(crate) async fn run(
    client: YeastarClient,
    cfg: Arc<EventStreamConfig>,
    out: mpsc::Sender<Vec<EventSourceItem>>,
) {
    let tls = if client.config().base_url.scheme() == "https" {
        match crate::tls::client_config(client.config().accept_invalid_certs) {
            Ok(tls) => Some(tls),
            Err(e) => {
                let _ = out
                    .send(vec![EventSourceItem::Fatal {
                        reason: e.to_string(),
                    }])
                    .await;
                return;
            }
        }
    } else {
        None
    };
    let (conn_tx, mut conn_rx) = mpsc::channel(super::batches(cfg.channel_capacity));
    let mut sup = Supervisor {
        settings: ConnSettings {
            cfg: Arc::clone(&cfg),
            timezone: client.config().timezone,
            user_agent: client.config().user_agent.clone(),
            tls,
        },
        client,
        out,
        conn_tx,
        next_id: 0,
        active: None,
        candidate: None,
        retiring: None,
        held: Vec::new(),
        gap: Some((Utc::now(), false)),
        connect_at: Instant::now(),
        rotate_at: None,
        stale: None,
        backoff: Backoff::new(cfg.backoff.clone()),
        recent: RecentSet::new(cfg.dedupe_window, RECENT_CAPACITY),
    };
    let mut shut_down = sup.client.inner.auth.shut_down();
    shut_down.mark_changed();
    loop {
        let wake = sup.wake_at();
        let flow = tokio::select! {
            biased;
            () = sup.out.closed() => Flow::Stop,
            changed = shut_down.changed() => {
                // The flag only ever turns true; a closed channel means the
                // client is gone.
                let down = changed.is_err() || *shut_down.borrow_and_update();
                if down { Flow::Stop } else { Flow::Go }
            }
            msg = conn_rx.recv() => match msg {
                Some(msg) => sup.on_msg(msg).await,
                None => Flow::Stop,
            },
            () = sleep_until(wake) => sup.on_timer().await,
        };
        if flow == Flow::Stop {
            return;
        }
    }
}

impl Supervisor {
    fn wake_at(&self) -> Instant {
        let idle = Instant::now() + Duration::from_secs(3600);
        match (&self.active, &self.candidate) {
            (_, Some(_)) => idle,
            (None, None) => self.connect_at,
            // The next rotation waits until the last one's old socket is done.
            (Some(_), None) if self.retiring.is_some() => idle,
            (Some(_), None) => self.rotate_at.unwrap_or(idle),
        }
    }

    async fn on_timer(&mut self) -> Flow {
        let now = Instant::now();
        if self.candidate.is_some() {
            return Flow::Go;
        }
        match &self.active {
            None if now >= self.connect_at => self.connect().await,
            Some(_) if self.retiring.is_none() && self.rotate_at.is_some_and(|at| now >= at) => {
                self.connect().await
            }
            _ => Flow::Go,
        }
    }

    /// Opens a candidate socket: a reconnect when none is active, else a
    /// rotation to a fresh token.
    async fn connect(&mut self) -> Flow {
        let auth = &self.client.inner.auth;
        // A token the PBX called expired must be replaced first; a rotation
        // replaces the active socket's token; otherwise any valid one does.
        let token = match (self.stale.take(), &self.active) {
            (Some(stale), _) => auth.renew_from(&stale).await,
            (None, Some(live)) => auth.renew_from(&live.token).await,
            (None, None) => auth.token().await,
        };
        let token = match token {
            Ok(token) => token,
            Err(YeastarError::AccessDenied(reason)) => return self.fatal(reason).await,
            Err(YeastarError::ShutDown) => return Flow::Stop,
            Err(e) => {
                return self
                    .retry_later(format!("no token for the event socket: {e}"))
                    .await;
            }
        };
        let url = match self.client.http().subscribe_url(&token.value) {
            Ok(url) => url,
            Err(e) => return self.fatal(e.to_string()).await,
        };
        self.next_id += 1;
        let id = self.next_id;
        tracing::debug!(
            conn = id,
            rotation = self.active.is_some(),
            "opening PBX event socket"
        );
        let handle = conn::spawn(id, url, self.settings.clone(), self.conn_tx.clone());
        self.candidate = Some(Live {
            handle,
            token,
            subscribed_at: None,
        });
        Flow::Go
    }

    async fn on_msg(&mut self, msg: ConnMsg) -> Flow {
        match msg {
            ConnMsg::Subscribed { id } => self.on_subscribed(id).await,
            ConnMsg::Items { id, items } => {
                let known = self.active.as_ref().is_some_and(|l| l.handle.id == id)
                    || self.candidate.as_ref().is_some_and(|l| l.handle.id == id)
                    || self.retiring == Some(id);
                if !known {
                    return Flow::Go;
                }
                if self.retiring.is_some_and(|old| old != id) {
                    self.held.extend(items);
                    return Flow::Go;
                }
                self.deliver(id, items).await
            }
            ConnMsg::Ended {
                id,
                end,
                last_heard,
            } => self.on_ended(id, end, last_heard).await,
        }
    }

    async fn on_subscribed(&mut self, id: u64) -> Flow {
        let Some(mut live) = self.candidate.take_if(|live| live.handle.id == id) else {
            return Flow::Go;
        };
        live.subscribed_at = Some(Instant::now());
        self.rotate_at = Some(live.token.rotate_at);
        if let Some(old) = self.active.replace(live) {
            tracing::debug!(old = old.handle.id, new = id, "event socket rotated");
            self.retiring = Some(old.handle.id);
            old.handle.stop();
            self.backoff.reset();
        }
        tracing::info!(conn = id, "PBX event socket subscribed");
        if self.gap.take().is_some() {
            return self.emit(EventSourceItem::Connected).await;
        }
        Flow::Go
    }

    async fn on_ended(&mut self, id: u64, end: ConnEnd, last_heard: DateTime<Utc>) -> Flow {
        if let ConnEnd::Denied(reason) = &end
            && self.is_current(id)
        {
            return self.fatal(reason.clone()).await;
        }
        if let Some(live) = self.candidate.take_if(|l| l.handle.id == id) {
            tracing::warn!(conn = id, ?end, "PBX event socket attempt failed");
            if end == ConnEnd::TokenExpired {
                self.stale = Some(live.token);
            }
            return self.retry_later(describe(&end)).await;
        }
        if let Some(live) = self.active.take_if(|l| l.handle.id == id) {
            tracing::warn!(conn = id, ?end, "PBX event socket lost");
            let stable = live.subscribed_at.is_some_and(|at| at.elapsed() >= STABLE);
            let delay = if stable || end == ConnEnd::TokenExpired {
                self.backoff.reset();
                Duration::ZERO
            } else {
                self.backoff.next_delay()
            };
            if end == ConnEnd::TokenExpired {
                self.stale = Some(live.token);
            }
            self.connect_at = Instant::now() + delay;
            if self.gap.is_none() {
                self.gap = Some((last_heard, false));
            }
            return self.report_gap(describe(&end)).await;
        }
        if self.retiring == Some(id) {
            self.retiring = None;
            let held = std::mem::take(&mut self.held);
            return self.deliver(id, held).await;
        }
        Flow::Go
    }

    /// Emits the items, less those whose frame was delivered moments ago.
    async fn deliver(&mut self, id: u64, items: Vec<Keyed>) -> Flow {
        let now = Instant::now();
        let mut fresh = Vec::with_capacity(items.len());
        for (key, item) in items {
            if let Some(key) = key
                && !self.recent.insert(key, now)
            {
                tracing::debug!(conn = id, "dropping a frame already delivered");
                continue;
            }
            fresh.push(item);
        }
        if fresh.is_empty() {
            return Flow::Go;
        }
        self.emit_all(fresh).await
    }

    fn is_current(&self, id: u64) -> bool {
        self.active.as_ref().is_some_and(|l| l.handle.id == id)
            || self.candidate.as_ref().is_some_and(|l| l.handle.id == id)
    }

    /// A failed attempt: try again after the backoff delay.
    async fn retry_later(&mut self, reason: String) -> Flow {
        let at = Instant::now() + self.backoff.next_delay();
        if self.active.is_some() {
            // A failed rotation: the current socket still works.
            self.rotate_at = Some(at);
            return Flow::Go;
        }
        self.connect_at = at;
        self.report_gap(reason).await
    }

    /// Reports the start of a gap once (a candidate may still be on its way).
    async fn report_gap(&mut self, reason: String) -> Flow {
        let since = match self.gap {
            Some((_, true)) => return Flow::Go,
            Some((since, false)) => since,
            None => Utc::now(),
        };
        self.gap = Some((since, true));
        self.emit(EventSourceItem::Disconnected { since, reason })
            .await
    }

    async fn fatal(&mut self, reason: String) -> Flow {
        tracing::error!(%reason, "PBX event stream stops");
        let _ = self.emit(EventSourceItem::Fatal { reason }).await;
        Flow::Stop
    }

    async fn emit(&self, item: EventSourceItem) -> Flow {
        self.emit_all(vec![item]).await
    }

    async fn emit_all(&self, items: Vec<EventSourceItem>) -> Flow {
        match self.out.send(items).await {
            Ok(()) => Flow::Go,
            Err(_) => Flow::Stop,
        }
    }
}

fn describe(end: &ConnEnd) -> String {
    match end {
        ConnEnd::TokenExpired => "the PBX said TOKEN EXPIRED".to_owned(),
        ConnEnd::Denied(reason) | ConnEnd::Lost(reason) => reason.clone(),
        ConnEnd::Stopped => "closed".to_owned(),
    }
}
