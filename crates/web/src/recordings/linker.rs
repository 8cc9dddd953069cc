//! Making links, and the signing keys they need.

use chrono::{DateTime, Duration, SubsecRound, Utc};
use ringbridge_core::pbx::RecordingRef;
use ringbridge_core::recording::{
    CapabilityId, RecordingCapability, RecordingKeys, SigningKey, SigningKeyError,
};
use ringbridge_core::store::{Store, StoreError};
use ringbridge_engine::RecordingLinks;
use secrecy::{ExposeSecret, SecretString};

/// The secret holding the signing keys: `id secret-base64` per line, the
/// current key first, then the retired ones still honoured.
pub const KEYS_SECRET: &str = "recordings.signing_keys";

/// Retired keys kept after a rotation (older links stop working after this many rotations).
const KEEP_PREVIOUS: usize = 2;

/// Makes recording links for the engine to put into call logs.
#[derive(Debug, Clone)]
pub struct RecordingLinker {
    base: String,
    keys: RecordingKeys,
    ttl: Option<Duration>,
}

impl RecordingLinker {
    /// `public_base_url`: where people reach this ringbridge (e.g.
    /// `https://ringbridge.example.com`); links are `{base}/recordings/{token}`.
    pub fn new(public_base_url: &str, keys: RecordingKeys) -> Self {
        Self {
            base: public_base_url.trim_end_matches('/').to_owned(),
            keys,
            ttl: None,
        }
    }

    /// Links expire `ttl` after they are made (default: never; revocation
    /// is the control, since people open call logs weeks later).
    pub fn with_ttl(mut self, ttl: Duration) -> Self {
        self.ttl = Some(ttl);
        self
    }

    /// A new capability for the call. Without `recording` it is found from
    /// the call when the link is opened.
    pub fn capability(
        &self,
        call_key: &str,
        recording: Option<RecordingRef>,
        now: DateTime<Utc>,
    ) -> RecordingCapability {
        // Links carry whole seconds: what is returned is what verifies.
        let now = now.trunc_subsecs(0);
        RecordingCapability {
            id: CapabilityId(rand::random()),
            call_key: call_key.to_owned(),
            recording,
            issued_at: now,
            expires_at: self.ttl.map(|ttl| now + ttl),
        }
    }

    pub fn url(&self, capability: &RecordingCapability) -> String {
        format!("{}/recordings/{}", self.base, self.keys.sign(capability))
    }
}

impl RecordingLinks for RecordingLinker {
    fn link(&self, call_key: &str) -> String {
        self.url(&self.capability(call_key, None, Utc::now()))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum KeySetupError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("stored recording signing keys are unreadable: {0}")]
    Corrupt(String),
    #[error("stored recording signing key: {0}")]
    Key(#[from] SigningKeyError),
}

/// The signing keys kept (encrypted) in the store; made on first use, so
/// every node sharing the database signs and verifies alike.
pub async fn load_or_create_keys(store: &dyn Store) -> Result<RecordingKeys, KeySetupError> {
    if let Some(stored) = store.secret(KEYS_SECRET).await? {
        return parse_keys(stored.expose_secret());
    }
    let line = new_key_line();
    store
        .put_secret(KEYS_SECRET, &SecretString::from(line))
        .await?;
    // Read back: another node may have stored its keys at the same moment.
    let stored = store
        .secret(KEYS_SECRET)
        .await?
        .ok_or_else(|| KeySetupError::Corrupt("keys vanished after saving".into()))?;
    parse_keys(stored.expose_secret())
}

/// A new current key; the old one (and up to [`KEEP_PREVIOUS`] in all)
/// keeps verifying links already sent. Running nodes pick it up on restart.
pub async fn rotate_keys(store: &dyn Store) -> Result<RecordingKeys, KeySetupError> {
    let old = store
        .secret(KEYS_SECRET)
        .await?
        .map(|s| s.expose_secret().to_owned())
        .unwrap_or_default();
    let mut lines = vec![new_key_line()];
    lines.extend(
        old.lines()
            .filter(|l| !l.trim().is_empty())
            .take(KEEP_PREVIOUS)
            .map(str::to_owned),
    );
    let text = lines.join("\n");
    let keys = parse_keys(&text)?;
    store
        .put_secret(KEYS_SECRET, &SecretString::from(text))
        .await?;
    Ok(keys)
}

/// One new key and no retired ones: every link signed before stops
/// verifying. For when links may have leaked (the console's rotation).
pub async fn replace_keys(store: &dyn Store) -> Result<RecordingKeys, KeySetupError> {
    let text = new_key_line();
    let keys = parse_keys(&text)?;
    store
        .put_secret(KEYS_SECRET, &SecretString::from(text))
        .await?;
    Ok(keys)
}

fn new_key_line() -> String {
    use base64::Engine;
    let secret: [u8; 32] = rand::random();
    // Ids only need to differ between rotations, within at most 16
    // characters. They were the time in seconds plus one random byte, which
    // collided for rotations within one second (about once in 256; a link
    // was then checked against the wrong key): 60 random bits instead.
    let id = format!("k{:015x}", rand::random::<u64>() >> 4);
    format!(
        "{id} {}",
        base64::engine::general_purpose::STANDARD_NO_PAD.encode(secret)
    )
}

/// The keys in the stored text (`id secret-base64` per line, current first).
pub fn parse_keys(text: &str) -> Result<RecordingKeys, KeySetupError> {
    let mut keys = text.lines().filter(|l| !l.trim().is_empty()).map(|line| {
        let (id, secret) = line
            .trim()
            .split_once(' ')
            .ok_or_else(|| KeySetupError::Corrupt("a line without a key id".into()))?;
        Ok::<_, KeySetupError>(SigningKey::from_base64(id, secret)?)
    });
    let current = keys
        .next()
        .ok_or_else(|| KeySetupError::Corrupt("no key".into()))??;
    keys.try_fold(RecordingKeys::new(current), |all, key| {
        Ok(all.with_previous(key?))
    })
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn key_ids_differ_between_rotations_made_at_once() {
        let ids: HashSet<String> = (0..1000)
            .map(|_| {
                new_key_line()
                    .split(' ')
                    .next()
                    .unwrap_or_default()
                    .to_owned()
            })
            .collect();
        assert_eq!(ids.len(), 1000);
    }
}
