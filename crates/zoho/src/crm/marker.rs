//! The idempotency marker a call log carries in its Description when no
//! dedicated key field is configured: `[ringbridge:<call key> <tag>]` on the
//! last line, the tag a keyed MAC (HMAC-SHA256, truncated to 128 bits) of the
//! call key under a secret derived from the data dir's secret key.
//!
//! A retry whose earlier answer was lost looks its call up by this marker, so
//! the marker must be unforgeable from call data: the caller ID and name end
//! up in the Subject and Description, and a caller who could write another
//! call's marker would make that call look "already written" and never be
//! logged. Three things stop that: caller text can never open a marker
//! ([`neutralise`]), only the Description's last line counts, and the tag
//! cannot be computed without the secret.

use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

const OPEN: &str = "[ringbridge:";
/// Bytes of the MAC kept in the tag (hex: twice as many characters).
const TAG_BYTES: usize = 16;
/// Domain separation: this MAC signs nothing else.
const PURPOSE: &[u8] = b"ringbridge call-log marker v2\0";

/// The secret behind call-log markers.
#[derive(Clone)]
pub struct CallMarkerKey([u8; 32]);

impl std::fmt::Debug for CallMarkerKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CallMarkerKey(<redacted>)")
    }
}

impl CallMarkerKey {
    /// The key from secret bytes (derive them from the data dir's secret key,
    /// so every node and every restart writes and recognises the same markers).
    pub fn new(secret: [u8; 32]) -> Self {
        Self(secret)
    }

    /// A random key: markers are then only recognised by this process.
    pub fn random() -> Self {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        Self(bytes)
    }

    fn tag(&self, call_key: &str) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes any key length");
        mac.update(PURPOSE);
        mac.update(call_key.as_bytes());
        let digest = mac.finalize().into_bytes();
        digest[..TAG_BYTES]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// `[ringbridge:<call key> <tag>]`.
    pub fn marker(&self, call_key: &str) -> String {
        format!("{OPEN}{call_key} {}]", self.tag(call_key))
    }

    /// Whether `description` is a log of exactly `call_key`: its last line is
    /// this call's marker. A log written before markers were keyed
    /// (`[ringbridge:<call key>]`) counts for its own call too: that version
    /// always wrote its marker as the last line, after any caller text, so
    /// its last line was never the caller's.
    pub fn marks(&self, description: &str, call_key: &str) -> bool {
        let last = description.trim_end().rsplit('\n').next().unwrap_or("");
        last == self.marker(call_key) || last == legacy_marker(call_key)
    }
}

/// The unkeyed marker of earlier versions.
fn legacy_marker(call_key: &str) -> String {
    format!("{OPEN}{call_key}]")
}

/// Text that can never contain the opening of a marker: any `[ringbridge`
/// (in any case) loses its bracket to a `(`.
pub fn neutralise(text: &str) -> String {
    let word = &OPEN[1..OPEN.len() - 1];
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('[') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let opens = after
            .get(..word.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(word));
        out.push(if opens { '(' } else { '[' });
        rest = after;
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_marker_is_recognised_only_for_its_own_call_and_key() {
        let key = CallMarkerKey::new([7; 32]);
        let marker = key.marker("pbx:1767258000.42");
        assert!(marker.starts_with("[ringbridge:pbx:1767258000.42 "));
        assert_eq!(
            marker.len(),
            OPEN.len() + "pbx:1767258000.42 ".len() + 32 + 1
        );
        assert!(key.marks(&format!("Inbound call\n{marker}"), "pbx:1767258000.42"));
        assert!(!key.marks(&format!("Inbound call\n{marker}"), "pbx:1767258000.43"));
        let other = CallMarkerKey::new([8; 32]);
        assert!(!other.marks(&format!("x\n{marker}"), "pbx:1767258000.42"));
    }

    #[test]
    fn only_the_last_line_counts() {
        let key = CallMarkerKey::new([7; 32]);
        let victim = key.marker("pbx:1.1");
        let forged = format!("call with {victim}\n{}", key.marker("pbx:2.2"));
        assert!(!key.marks(&forged, "pbx:1.1"));
        assert!(key.marks(&forged, "pbx:2.2"));
    }

    #[test]
    fn the_unkeyed_marker_of_earlier_versions_still_names_its_call() {
        let key = CallMarkerKey::new([7; 32]);
        assert!(key.marks("Missed call\n[ringbridge:pbx:1.1]", "pbx:1.1"));
        assert!(!key.marks("Missed call\n[ringbridge:pbx:1.1]", "pbx:1.2"));
        // Earlier versions put caller text before their marker, never after.
        assert!(!key.marks(
            "Missed call [ringbridge:pbx:1.1]\n[ringbridge:pbx:9.9]",
            "pbx:1.1"
        ));
    }

    #[test]
    fn caller_text_never_opens_a_marker() {
        assert_eq!(
            neutralise("from [RingBridge:pbx:1.1] and [x] [ringbridge"),
            "from (RingBridge:pbx:1.1] and [x] (ringbridge"
        );
        assert_eq!(neutralise("[ring"), "[ring");
        assert_eq!(neutralise("王[ringbridge:"), "王(ringbridge:");
    }
}
