//! Event envelope, encoding and the in-process bus that feeds WebSockets and webhooks.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use tokio::sync::broadcast;

/// Event ids used by the simulator.
pub mod ids {
    /// Extension Call State Changed.
    pub const EXTENSION_CALL_STATE: u32 = 30008;
    /// Extension Presence State Changed.
    pub const EXTENSION_PRESENCE: u32 = 30009;
    /// Call State Changed.
    pub const CALL_STATE: u32 = 30011;
    /// New CDR.
    pub const NEW_CDR: u32 = 30012;
    /// Call Transfer.
    pub const CALL_TRANSFER: u32 = 30013;
    /// Call Forwarding.
    pub const CALL_FORWARD: u32 = 30014;
    /// Call Failed.
    pub const CALL_FAILED: u32 = 30015;
    /// Inbound Call Invitation ("Incoming Call Request").
    pub const INBOUND_INVITATION: u32 = 30016;
    /// Agent Auto Pause.
    pub const AGENT_AUTO_PAUSE: u32 = 30025;
    /// Agent Ringing Timeout.
    pub const AGENT_RING_TIMEOUT: u32 = 30026;
    /// Agent Status Changed.
    pub const AGENT_STATUS: u32 = 30029;
    /// Every webhook-capable id (`webhook_event_ids`).
    pub const WEBHOOK_CAPABLE: &[u32] = &[
        30007, 30008, 30009, 30010, 30011, 30012, 30013, 30014, 30015, 30016, 30017, 30018, 30019,
        30020, 30022, 30023, 30024, 30025, 30026, 30029, 30032, 30033, 30034, 30035, 30036,
    ];
}

/// One PBX event: `type` and the decoded `msg`.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// Event id, e.g. 30011.
    pub type_id: u32,
    /// The message as an object (encoding happens per delivery).
    pub msg: Value,
}

impl Event {
    /// A new event.
    pub fn new(type_id: u32, msg: Value) -> Self {
        Self { type_id, msg }
    }

    /// The wire envelope `{"type","sn","msg"}`. `msg` is a JSON *string* for 30007–30024 and an
    /// object from 30025 on (docs/yeastar-api.md §5), unless `msg_as_object` forces objects
    /// everywhere.
    pub fn envelope(&self, serial: &str, msg_as_object: bool) -> Value {
        let string_encoded = !msg_as_object && (30007..=30024).contains(&self.type_id);
        let msg = if string_encoded {
            Value::String(self.msg.to_string())
        } else {
            self.msg.clone()
        };
        // The vendor's examples of the agent events carry no `sn`.
        if matches!(self.type_id, 30025 | 30026) {
            json!({"type": self.type_id, "msg": msg})
        } else {
            json!({"type": self.type_id, "sn": serial, "msg": msg})
        }
    }
}

const LOG_CAP: usize = 10_000;

/// Fan-out of events to live subscribers plus a bounded log for inspection.
#[derive(Debug)]
pub struct EventBus {
    tx: broadcast::Sender<Arc<Event>>,
    log: Mutex<VecDeque<Event>>,
}

impl Default for EventBus {
    fn default() -> Self {
        Self::new()
    }
}

impl EventBus {
    /// A new bus.
    pub fn new() -> Self {
        let (tx, _) = broadcast::channel(4096);
        Self {
            tx,
            log: Mutex::new(VecDeque::new()),
        }
    }

    /// Publishes to everyone subscribed right now (no replay for later subscribers).
    pub fn publish(&self, event: Event) {
        if let Ok(mut log) = self.log.lock() {
            if log.len() == LOG_CAP {
                log.pop_front();
            }
            log.push_back(event.clone());
        }
        // No receivers is fine: events nobody listens to are lost, as on the PBX.
        let _ = self.tx.send(Arc::new(event));
    }

    /// A receiver of events published from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Event>> {
        self.tx.subscribe()
    }

    /// Every event published so far (bounded).
    pub fn history(&self) -> Vec<Event> {
        self.log
            .lock()
            .map(|l| l.iter().cloned().collect())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn msg_encoding_follows_type_range() {
        let e = Event::new(30011, json!({"call_id": "1.2"}));
        let env = e.envelope("SN", false);
        assert_eq!(env["msg"], json!("{\"call_id\":\"1.2\"}"));
        assert_eq!(e.envelope("SN", true)["msg"], json!({"call_id": "1.2"}));
        let e = Event::new(30026, json!({"call_id": "1.2"}));
        assert_eq!(e.envelope("SN", false)["msg"], json!({"call_id": "1.2"}));
    }

    #[test]
    fn agent_events_carry_no_serial_as_in_the_vendor_examples() {
        for type_id in [30025, 30026] {
            let env = Event::new(type_id, json!({})).envelope("SN", false);
            assert!(env.get("sn").is_none(), "{env}");
        }
        assert_eq!(
            Event::new(30011, json!({})).envelope("SN", false)["sn"],
            "SN"
        );
    }
}
