//! When does each call's log reach Zoho? Watched through the write requests
//! the Zoho simulator records (`POST .../Calls`), read from where the last
//! look stopped: rendering every stored Calls record at each look would
//! hold the simulator's lock — and delay the very writes being timed — once
//! thousands are stored. The CRM itself is asked once per rate, at the end,
//! for how many of the calls it really holds.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use ringbridge_core::tracker::CallUpdate;
use ringbridge_engine::Ingested;
use ringbridge_sim_zoho::RecordedRequest;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use super::stats::{Latency, Recorder};
use crate::world::World;

const MARKER: &str = "[ringbridge:pbx:";

/// When ingest queued each call (its `Ended` update follows the enqueue).
#[derive(Clone, Default)]
pub struct Queued(Arc<Mutex<HashMap<String, Instant>>>);

impl Queued {
    /// Notes the calls ingest queues, from the world's live updates.
    pub fn follow(&self, mut updates: mpsc::Receiver<Ingested>) -> JoinHandle<()> {
        let queued = self.clone();
        tokio::spawn(async move {
            while let Some(item) = updates.recv().await {
                if let CallUpdate::Ended(outcome) = item.update {
                    queued
                        .lock()
                        .insert(outcome.call_id.as_str().to_owned(), Instant::now());
                }
            }
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Instant>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

pub struct LogWatch {
    /// Requests recorded by the simulator already looked at.
    seen: usize,
    /// Calls ended and not yet seen written, with when they ended.
    waiting: HashMap<String, Instant>,
    ids: Vec<String>,
    queued: Queued,
    delays: Recorder,
    /// End → queued by ingest.
    ingest: Recorder,
    /// Queued → written to the CRM.
    after: Recorder,
}

impl LogWatch {
    pub fn new(world: &World, queued: Queued) -> Self {
        Self {
            seen: world.zoho_sim.requests().len(),
            waiting: HashMap::new(),
            ids: Vec::new(),
            queued,
            delays: Recorder::new(),
            ingest: Recorder::new(),
            after: Recorder::new(),
        }
    }

    /// A call ended now.
    pub fn ended(&mut self, call_id: String) {
        self.waiting.insert(call_id.clone(), Instant::now());
        self.ids.push(call_id);
    }

    pub fn waiting(&self) -> usize {
        self.waiting.len()
    }

    /// Takes the calls written since the last look out of the waiting ones.
    /// A log sent twice (a retried request) counts at its first sending.
    pub fn look(&mut self, world: &World) {
        let now = Instant::now();
        let requests = world.zoho_sim.requests();
        let mut queued = self.queued.lock();
        for request in requests.iter().skip(self.seen) {
            for id in logged_ids(request) {
                if let Some(ended) = self.waiting.remove(&id) {
                    self.delays.record(now - ended);
                    if let Some(at) = queued.remove(&id) {
                        self.ingest.record(at.saturating_duration_since(ended));
                        self.after.record(now - at);
                    }
                }
            }
        }
        self.seen = requests.len();
    }

    /// How many of the calls ended so far the CRM holds a log of.
    pub fn logged_in_crm(&self, world: &World) -> u64 {
        let stored: std::collections::HashSet<String> = world
            .zoho_sim
            .calls()
            .iter()
            .filter_map(|log| log["Description"].as_str().and_then(call_id_of))
            .map(str::to_owned)
            .collect();
        self.ids.iter().filter(|id| stored.contains(*id)).count() as u64
    }

    /// End → written; end → queued by ingest; queued → written.
    pub fn delays(&self) -> (Latency, Latency, Latency) {
        (
            self.delays.summary(),
            self.ingest.summary(),
            self.after.summary(),
        )
    }
}

/// The call ids of the logs a request writes (none if it writes no call log).
fn logged_ids(request: &RecordedRequest) -> Vec<String> {
    if request.method != "POST" || !request.path.ends_with("/Calls") {
        return Vec::new();
    }
    ids_in_body(&request.body)
}

fn ids_in_body(body: &[u8]) -> Vec<String> {
    let Ok(body) = serde_json::from_slice::<serde_json::Value>(body) else {
        return Vec::new();
    };
    body["data"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|log| log["Description"].as_str().and_then(call_id_of))
        .map(str::to_owned)
        .collect()
}

/// The PBX call id in a log's description marker `[ringbridge:pbx:<id> <tag>]`
/// (`[ringbridge:pbx:<id>]` from earlier versions).
fn call_id_of(description: &str) -> Option<&str> {
    let start = description.rfind(MARKER)? + MARKER.len();
    let rest = &description[start..];
    let marker = &rest[..rest.find(']')?];
    Some(marker.split(' ').next().unwrap_or(marker))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_call_id_comes_from_the_marker() {
        let d = "Inbound call with +1415... PBX call 1.2. [ringbridge:pbx:3000000007.7]";
        assert_eq!(call_id_of(d), Some("3000000007.7"));
        let keyed = "Inbound (ringbridge:pbx:6.6]\n[ringbridge:pbx:3000000007.7 0a1b2c]";
        assert_eq!(call_id_of(keyed), Some("3000000007.7"));
        assert_eq!(call_id_of("no marker"), None);
        assert_eq!(call_id_of("[ringbridge:pbx:unclosed"), None);
    }

    #[test]
    fn a_bulk_write_names_each_call() {
        let body = br#"{"data":[
            {"Subject":"a","Description":"x\n[ringbridge:pbx:1.1]"},
            {"Subject":"b","Description":"y\n[ringbridge:pbx:2.2]"},
            {"Subject":"c"}
        ]}"#;
        assert_eq!(ids_in_body(body), vec!["1.1", "2.2"]);
        assert!(ids_in_body(b"not json").is_empty());
    }
}
