//! Synthetic calls for the benches, as the Yeastar simulator itself frames
//! them: one real scenario is played on a scratch simulator and its frames
//! become a template; each bench call is that template with its own call id
//! and caller number, published on the measured simulator with
//! [`SimYeastar::emit`]. Emitting directly lets a bench timestamp the exact
//! moment a frame leaves the simulator's engine, and play thousands of
//! calls without the scenario player's bookkeeping in the way.

use anyhow::{Context, Result, bail};
use ringbridge_sim_yeastar::events::ids;
use ringbridge_sim_yeastar::{EncodedFrame, Event, SimSettings, SimYeastar};

/// The number the template is recorded with; replaced in every call.
const TEMPLATE_CALLER: &str = "2125550000";

/// One call's frames: `ring` announces it ringing at the agent, `end`
/// answers, hangs it up and reports its CDR.
pub struct ScriptedCall {
    pub id: String,
    pub ring: Vec<Event>,
    pub end: Vec<Event>,
}

/// The frames of an inbound call answered by one agent, as text with the
/// call id and caller number still to fill in.
#[derive(Debug, Clone)]
pub struct CallTemplate {
    call_id: String,
    ring: Vec<(u32, String)>,
    end: Vec<(u32, String)>,
    /// The same frames encoded once as the simulator sends them, cut where
    /// the call id and caller go (see [`CallTemplate::encoded`]).
    encoded: Vec<(u32, Vec<Piece>)>,
}

/// A piece of an encoded frame: text as it is, or a hole for the call's own
/// id or caller (both digits and dots: nothing to escape, even inside the
/// string-encoded `msg`).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Text(String),
    CallId,
    Caller,
}

/// One call's frames encoded for [`ringbridge_sim_yeastar::FrameFeed`].
pub struct EncodedCall {
    pub ring: Vec<EncodedFrame>,
    pub end: Vec<EncodedFrame>,
}

impl CallTemplate {
    /// Records `inbound_answered` at `agent` on a scratch simulator.
    pub async fn capture(agent: &str) -> Result<Self> {
        let sim = SimYeastar::start(SimSettings::default())
            .await
            .context("starting a scratch Yeastar simulator")?;
        let scenario = ringbridge_sim_yeastar::builtin("inbound_answered")?
            .with_param("caller", TEMPLATE_CALLER)?
            .with_param("agent", agent)?;
        let ids = sim.play(&scenario).await?;
        let [call_id] = ids.as_slice() else {
            bail!("the template scenario made {} calls, not one", ids.len());
        };
        let events: Vec<Event> = sim
            .events()
            .into_iter()
            .filter(|e| e.msg.to_string().contains(call_id.as_str()))
            .collect();
        let frames = events
            .iter()
            .map(|e| (e.type_id, e.msg.to_string()))
            .collect();
        let encoded = events.iter().map(|e| sim.encode(e)).collect();
        sim.stop().await;
        Self::from_frames(call_id, frames, encoded)
    }

    /// Splits a call's frames: the first call-state frame rings, the rest end it.
    fn from_frames(
        call_id: &str,
        frames: Vec<(u32, String)>,
        encoded: Vec<EncodedFrame>,
    ) -> Result<Self> {
        let first = frames
            .iter()
            .position(|(t, _)| *t == ids::CALL_STATE)
            .context("the template call has no call-state frame")?;
        if !frames.iter().any(|(t, _)| *t == ids::NEW_CDR) {
            bail!("the template call has no CDR frame");
        }
        let mut ring = frames;
        let end = ring.split_off(first + 1);
        let encoded = encoded
            .into_iter()
            .map(|f| (f.type_id, cut(&f.text, call_id)))
            .collect();
        Ok(Self {
            call_id: call_id.to_owned(),
            ring,
            end,
            encoded,
        })
    }

    /// Call `n` from `caller` as ready-to-send frames: the template's text
    /// with the call's id and caller spliced in, no JSON work per call.
    pub fn encoded(&self, n: u64, caller: &str) -> EncodedCall {
        let id = call_id(n);
        let mut frames = self.encoded.iter().map(|(type_id, pieces)| {
            let mut text = String::with_capacity(pieces.iter().map(Piece::len).sum::<usize>() + 32);
            for piece in pieces {
                text.push_str(match piece {
                    Piece::Text(t) => t,
                    Piece::CallId => &id,
                    Piece::Caller => caller,
                });
            }
            EncodedFrame {
                type_id: *type_id,
                text,
            }
        });
        EncodedCall {
            ring: frames.by_ref().take(self.ring.len()).collect(),
            end: frames.collect(),
        }
    }

    /// Call `n` from `caller` (PBX's national format, e.g. 4155550123).
    pub fn call(&self, n: u64, caller: &str) -> Result<ScriptedCall> {
        let id = call_id(n);
        let fill = |frames: &[(u32, String)]| -> Result<Vec<Event>> {
            frames
                .iter()
                .map(|(t, text)| {
                    let text = text
                        .replace(&self.call_id, &id)
                        .replace(TEMPLATE_CALLER, caller);
                    Ok(Event::new(*t, serde_json::from_str(&text)?))
                })
                .collect()
        };
        Ok(ScriptedCall {
            ring: fill(&self.ring)?,
            end: fill(&self.end)?,
            id,
        })
    }

    /// Frames per call, ring and end together.
    pub fn frames(&self) -> usize {
        self.ring.len() + self.end.len()
    }
}

impl Piece {
    fn len(&self) -> usize {
        match self {
            Self::Text(t) => t.len(),
            Self::CallId | Self::Caller => 0,
        }
    }
}

/// `text` cut at every occurrence of the template's call id and caller.
fn cut(mut text: &str, call_id: &str) -> Vec<Piece> {
    let mut pieces = Vec::new();
    loop {
        let next = [(call_id, Piece::CallId), (TEMPLATE_CALLER, Piece::Caller)]
            .into_iter()
            .filter_map(|(needle, hole)| text.find(needle).map(|at| (at, needle.len(), hole)))
            .min_by_key(|(at, ..)| *at);
        let Some((at, len, hole)) = next else { break };
        if at > 0 {
            pieces.push(Piece::Text(text[..at].to_owned()));
        }
        pieces.push(hole);
        text = &text[at + len..];
    }
    if !text.is_empty() {
        pieces.push(Piece::Text(text.to_owned()));
    }
    pieces
}

/// Unique call ids in the simulator's `<epoch>.<seq>` shape, far from the
/// ids its own engine makes.
pub fn call_id(n: u64) -> String {
    format!("{}.{}", 3_000_000_000u64 + n, n % 1000)
}

/// The `n`th of the bench's synthetic US numbers, in the PBX's national
/// format (area code 2xx..9xx, exchange 2xx: all valid NANP numbers).
pub fn synthetic_number(n: u64) -> String {
    let area = 201 + (n / 8_000_000) % 700;
    let exchange = 200 + (n / 10_000) % 800;
    format!("{area}{exchange}{:04}", n % 10_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synthetic_numbers_are_distinct_and_ten_digits() {
        let numbers: std::collections::HashSet<_> = (0..200_000).map(synthetic_number).collect();
        assert_eq!(numbers.len(), 200_000);
        assert!(numbers.iter().all(|n| n.len() == 10));
    }

    #[test]
    fn a_call_replaces_the_id_and_caller_everywhere() {
        let frames = vec![
            (
                30011,
                r#"{"call_id":"1.5","members":[{"number":"2125550000"}]}"#.to_owned(),
            ),
            (30011, r#"{"call_id":"1.5","members":[]}"#.to_owned()),
            (
                30012,
                r#"{"call_id":"1.5","call_from":"2125550000"}"#.to_owned(),
            ),
        ];
        let t = CallTemplate::from_frames("1.5", frames.clone(), envelopes(&frames)).unwrap();
        let c = t.call(7, "4155550123").unwrap();
        assert_eq!(c.ring.len(), 1);
        assert_eq!(c.end.len(), 2);
        assert_eq!(c.ring[0].msg["call_id"], c.id.as_str());
        assert_eq!(c.ring[0].msg["members"][0]["number"], "4155550123");
        assert_eq!(c.end[1].msg["call_from"], "4155550123");
        assert_eq!(t.frames(), 3);
        // The pre-encoded frames say the same as the JSON-built ones,
        // once the string-encoded `msg` is decoded.
        let e = t.encoded(7, "4155550123");
        assert_eq!((e.ring.len(), e.end.len()), (1, 2));
        for (encoded, event) in e.ring.iter().chain(&e.end).zip(c.ring.iter().chain(&c.end)) {
            let envelope: serde_json::Value = serde_json::from_str(&encoded.text).unwrap();
            let msg: serde_json::Value =
                serde_json::from_str(envelope["msg"].as_str().unwrap()).unwrap();
            assert_eq!(msg, event.msg, "{}", encoded.text);
            assert_eq!(encoded.type_id, event.type_id);
            assert_eq!(envelope["type"], event.type_id);
        }
    }

    /// The frames as the simulator's sockets encode them (`msg` as a string).
    fn envelopes(frames: &[(u32, String)]) -> Vec<EncodedFrame> {
        frames
            .iter()
            .map(|(type_id, msg)| {
                let msg: serde_json::Value = serde_json::from_str(msg).unwrap();
                EncodedFrame {
                    type_id: *type_id,
                    text: Event::new(*type_id, msg).envelope("SN", false).to_string(),
                }
            })
            .collect()
    }

    #[test]
    fn a_template_needs_a_cdr() {
        let frames = vec![(30011, r#"{"call_id":"1.5"}"#.to_owned())];
        let encoded = envelopes(&frames);
        assert!(CallTemplate::from_frames("1.5", frames, encoded).is_err());
    }
}
