//! Recording links: a signed capability to play one call's recording, put
//! into the CRM call log so that whoever opens it can listen without PBX
//! credentials.
//!
//! A link is unguessable and unforgeable because it is HMAC-SHA256-signed
//! with a server key; it names the key that signed it, so keys can rotate
//! while links signed with a retired key keep working until that key is
//! dropped. CRM users open call logs weeks later, so links do not expire
//! unless configured to: revocation ([`RecordingStore`]) is the control.

use std::fmt;

use async_trait::async_trait;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::pbx::RecordingRef;
use crate::store::StoreError;

type HmacSha256 = Hmac<Sha256>;

const VERSION: u8 = 1;
const TAG_LEN: usize = 32;
const MIN_SECRET_LEN: usize = 32;
const MAX_KEY_ID_LEN: usize = 16;
/// Refused before decoding: a call key and a file name fit many times over.
const MAX_TOKEN_LEN: usize = 4096;
/// Binds the signature to this use of the key.
const CONTEXT: &[u8] = b"ringbridge recording link\n";
const HAS_EXPIRY: u8 = 1;
const HAS_RECORDING: u8 = 2;

/// A link's own identity (random), so one link can be revoked alone.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct CapabilityId(pub [u8; 16]);

impl CapabilityId {
    /// Parses the 32-hex-digit form [`fmt::Display`] writes.
    pub fn parse(hex: &str) -> Option<Self> {
        if hex.len() != 32 || !hex.is_ascii() {
            return None;
        }
        let mut bytes = [0u8; 16];
        for (i, byte) in bytes.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok()?;
        }
        Some(Self(bytes))
    }
}

impl fmt::Display for CapabilityId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

impl fmt::Debug for CapabilityId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CapabilityId({self})")
    }
}

/// What a recording link grants: playing the recording of `call_key`.
/// Times travel with second precision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordingCapability {
    pub id: CapabilityId,
    /// The call's outbox key (`pbx:call_id`).
    pub call_key: String,
    /// The recording, when the signer knew it; otherwise it is found from
    /// the call when the link is opened.
    pub recording: Option<RecordingRef>,
    pub issued_at: DateTime<Utc>,
    /// `None`: valid until revoked (the default for links sent to the CRM).
    pub expires_at: Option<DateTime<Utc>>,
}

/// Why a link was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CapabilityError {
    #[error("the link is malformed or incomplete")]
    Malformed,
    #[error("the link's signature does not match: it was altered or not made by this server")]
    BadSignature,
    #[error("the link expired at {0}")]
    Expired(DateTime<Utc>),
    #[error("the link was signed with key {0:?}, which this server no longer accepts")]
    UnknownKey(String),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SigningKeyError {
    #[error("a key id is 1 to 16 characters of A-Z, a-z, 0-9, '-' and '_'")]
    BadId,
    #[error("a signing secret needs at least 32 bytes")]
    ShortSecret,
    #[error("the signing secret is not valid base64")]
    NotBase64,
}

/// One HMAC key with its id. `Debug` shows the id only.
#[derive(Clone)]
pub struct SigningKey {
    id: String,
    mac: HmacSha256,
}

impl SigningKey {
    pub fn new(id: &str, secret: &[u8]) -> Result<Self, SigningKeyError> {
        let id_ok = (1..=MAX_KEY_ID_LEN).contains(&id.len())
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !id_ok {
            return Err(SigningKeyError::BadId);
        }
        if secret.len() < MIN_SECRET_LEN {
            return Err(SigningKeyError::ShortSecret);
        }
        let mac = HmacSha256::new_from_slice(secret).map_err(|_| SigningKeyError::ShortSecret)?;
        Ok(Self {
            id: id.to_owned(),
            mac,
        })
    }

    /// A secret given as standard base64 (padded or not), as in configuration.
    pub fn from_base64(id: &str, secret: &str) -> Result<Self, SigningKeyError> {
        let bytes = STANDARD_NO_PAD
            .decode(secret.trim().trim_end_matches('='))
            .map_err(|_| SigningKeyError::NotBase64)?;
        Self::new(id, &bytes)
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    fn mac(&self, signed: &[u8]) -> HmacSha256 {
        let mut mac = self.mac.clone();
        mac.update(CONTEXT);
        mac.update(signed);
        mac
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

/// The key new links are signed with, and retired keys still honoured.
#[derive(Debug, Clone)]
pub struct RecordingKeys {
    current: SigningKey,
    previous: Vec<SigningKey>,
}

impl RecordingKeys {
    pub fn new(current: SigningKey) -> Self {
        Self {
            current,
            previous: Vec::new(),
        }
    }

    /// Also accepts links signed with `key` (rotated out of signing).
    pub fn with_previous(mut self, key: SigningKey) -> Self {
        self.previous.push(key);
        self
    }

    pub fn current(&self) -> &SigningKey {
        &self.current
    }

    pub fn previous(&self) -> &[SigningKey] {
        &self.previous
    }

    /// The link text (base64url) for `capability`, signed with the current key.
    pub fn sign(&self, capability: &RecordingCapability) -> String {
        let key = &self.current;
        let mut bytes = vec![VERSION];
        put_bytes(&mut bytes, key.id.as_bytes());
        bytes.extend_from_slice(&capability.id.0);
        bytes.extend_from_slice(&capability.issued_at.timestamp().to_be_bytes());
        let mut flags = 0;
        if capability.expires_at.is_some() {
            flags |= HAS_EXPIRY;
        }
        if capability.recording.is_some() {
            flags |= HAS_RECORDING;
        }
        bytes.push(flags);
        if let Some(at) = capability.expires_at {
            bytes.extend_from_slice(&at.timestamp().to_be_bytes());
        }
        put_bytes(&mut bytes, capability.call_key.as_bytes());
        if let Some(recording) = &capability.recording {
            put_bytes(&mut bytes, recording.0.as_bytes());
        }
        let tag = key.mac(&bytes).finalize().into_bytes();
        bytes.extend_from_slice(&tag);
        URL_SAFE_NO_PAD.encode(bytes)
    }

    /// Checks `token`'s signature (in constant time) against the key it
    /// names, then its expiry at `now`.
    pub fn verify(
        &self,
        token: &str,
        now: DateTime<Utc>,
    ) -> Result<RecordingCapability, CapabilityError> {
        if token.len() > MAX_TOKEN_LEN {
            return Err(CapabilityError::Malformed);
        }
        let bytes = URL_SAFE_NO_PAD
            .decode(token.trim())
            .map_err(|_| CapabilityError::Malformed)?;
        if bytes.len() < TAG_LEN + 2 {
            return Err(CapabilityError::Malformed);
        }
        let (signed, tag) = bytes.split_at(bytes.len() - TAG_LEN);
        let mut reader = Reader(signed);
        if reader.byte()? != VERSION {
            return Err(CapabilityError::Malformed);
        }
        let key_id = reader.text()?;
        let key = std::iter::once(&self.current)
            .chain(&self.previous)
            .find(|k| k.id == key_id)
            .ok_or(CapabilityError::UnknownKey(key_id))?;
        key.mac(signed)
            .verify_slice(tag)
            .map_err(|_| CapabilityError::BadSignature)?;
        let capability = reader.capability()?;
        match capability.expires_at {
            Some(at) if at <= now => Err(CapabilityError::Expired(at)),
            _ => Ok(capability),
        }
    }
}

/// A length (LEB128) then the bytes: infallible for any length, so signing
/// never fails.
fn put_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    let mut len = bytes.len();
    loop {
        let low = (len & 0x7f) as u8;
        len >>= 7;
        if len == 0 {
            out.push(low);
            break;
        }
        out.push(low | 0x80);
    }
    out.extend_from_slice(bytes);
}

/// Reads the signed part; any shortfall or excess is `Malformed`.
struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], CapabilityError> {
        if self.0.len() < n {
            return Err(CapabilityError::Malformed);
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }

    fn byte(&mut self) -> Result<u8, CapabilityError> {
        Ok(self.take(1)?[0])
    }

    fn time(&mut self) -> Result<DateTime<Utc>, CapabilityError> {
        let raw: [u8; 8] = self
            .take(8)?
            .try_into()
            .map_err(|_| CapabilityError::Malformed)?;
        DateTime::from_timestamp(i64::from_be_bytes(raw), 0).ok_or(CapabilityError::Malformed)
    }

    fn text(&mut self) -> Result<String, CapabilityError> {
        let mut len = 0usize;
        for shift in (0..).step_by(7).take(4) {
            let byte = self.byte()?;
            len |= usize::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                let bytes = self.take(len)?;
                return String::from_utf8(bytes.to_vec()).map_err(|_| CapabilityError::Malformed);
            }
        }
        Err(CapabilityError::Malformed)
    }

    fn capability(mut self) -> Result<RecordingCapability, CapabilityError> {
        let id: [u8; 16] = self
            .take(16)?
            .try_into()
            .map_err(|_| CapabilityError::Malformed)?;
        let issued_at = self.time()?;
        let flags = self.byte()?;
        if flags & !(HAS_EXPIRY | HAS_RECORDING) != 0 {
            return Err(CapabilityError::Malformed);
        }
        let expires_at = if flags & HAS_EXPIRY != 0 {
            Some(self.time()?)
        } else {
            None
        };
        let call_key = self.text()?;
        let recording = if flags & HAS_RECORDING != 0 {
            Some(RecordingRef(self.text()?))
        } else {
            None
        };
        if !self.0.is_empty() {
            return Err(CapabilityError::Malformed);
        }
        Ok(RecordingCapability {
            id: CapabilityId(id),
            call_key,
            recording,
            issued_at,
            expires_at,
        })
    }
}

/// A link ringbridge has seen: issued, or opened for the first time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedLink {
    pub id: CapabilityId,
    pub call_key: String,
    pub recording: Option<RecordingRef>,
    pub issued_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl IssuedLink {
    pub fn new(capability: &RecordingCapability) -> Self {
        Self {
            id: capability.id,
            call_key: capability.call_key.clone(),
            recording: capability.recording.clone(),
            issued_at: capability.issued_at,
            expires_at: capability.expires_at,
            revoked_at: None,
        }
    }
}

/// Remembered links and revocations.
#[async_trait]
pub trait RecordingStore: Send + Sync {
    /// Remembers a link. Idempotent: a known link keeps its revocation, and
    /// gains the recording if it had none.
    async fn remember_link(&self, link: &IssuedLink) -> Result<(), StoreError>;

    async fn recording_link(&self, id: &CapabilityId) -> Result<Option<IssuedLink>, StoreError>;

    /// Revokes one remembered link. `false` if unknown.
    async fn revoke_link(&self, id: &CapabilityId, at: DateTime<Utc>) -> Result<bool, StoreError>;

    /// Revokes every link to the call's recording issued up to `at`,
    /// including links never opened (so not remembered). Returns how many
    /// remembered links were revoked.
    async fn revoke_call(&self, call_key: &str, at: DateTime<Utc>) -> Result<u64, StoreError>;

    /// Whether `capability` was revoked, alone or with its call.
    async fn is_revoked(&self, capability: &RecordingCapability) -> Result<bool, StoreError>;

    /// Remembered links of one call, oldest first.
    async fn links_for_call(&self, call_key: &str) -> Result<Vec<IssuedLink>, StoreError>;

    /// The most recently issued remembered links, newest first.
    async fn recent_links(&self, limit: u32) -> Result<Vec<IssuedLink>, StoreError>;
}

#[cfg(test)]
#[path = "recording_tests.rs"]
mod tests;
