//! Secrets at rest: AES-256-GCM with a key from configuration. Each secret
//! gets a fresh random nonce, and its name is authenticated as associated
//! data so a ciphertext cannot be moved to another name.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

/// The key that encrypts stored secrets, and from which the keys of other
/// purposes are derived.
#[derive(Clone)]
pub struct SecretKey {
    cipher: Aes256Gcm,
    bytes: [u8; 32],
}

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(<redacted>)")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error(
        "the secret key must be 32 bytes, base64-encoded (got {0} bytes); make one with `ringbridge keygen`"
    )]
    Length(usize),
    #[error("the secret key is not valid base64")]
    Encoding,
}

impl SecretKey {
    pub fn from_base64(text: &str) -> Result<Self, KeyError> {
        let bytes = STANDARD
            .decode(text.trim())
            .map_err(|_| KeyError::Encoding)?;
        let bytes: [u8; 32] = bytes
            .as_slice()
            .try_into()
            .map_err(|_| KeyError::Length(bytes.len()))?;
        Ok(Self::from_bytes(bytes))
    }

    fn from_bytes(bytes: [u8; 32]) -> Self {
        Self {
            cipher: Aes256Gcm::new(&bytes.into()),
            bytes,
        }
    }

    /// A new random key, kept nowhere: for a store that lives as long as
    /// the process (tests, the bench, the demo).
    pub fn generate() -> Self {
        Self::from_bytes(random_key_bytes())
    }

    /// A key for another purpose (HMAC-SHA256 of the purpose under this
    /// key): stable across restarts and the same on every node sharing the
    /// secret key, and revealing nothing of it.
    pub fn derive(&self, purpose: &str) -> [u8; 32] {
        let mut mac =
            <Hmac<Sha256> as Mac>::new_from_slice(&self.bytes).expect("HMAC takes any key length");
        mac.update(b"ringbridge derived key\0");
        mac.update(purpose.as_bytes());
        mac.finalize().into_bytes().into()
    }

    /// A new random key, base64-encoded.
    pub fn generate_base64() -> String {
        STANDARD.encode(random_key_bytes())
    }

    pub(crate) fn seal(&self, name: &str, plaintext: &[u8]) -> (Vec<u8>, Vec<u8>) {
        let mut nonce = [0u8; 12];
        rand::rng().fill_bytes(&mut nonce);
        let ciphertext = self
            .cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: plaintext,
                    aad: name.as_bytes(),
                },
            )
            .expect("AES-GCM encryption of an in-memory buffer cannot fail");
        (nonce.to_vec(), ciphertext)
    }

    pub(crate) fn open(&self, name: &str, nonce: &[u8], ciphertext: &[u8]) -> Option<Vec<u8>> {
        if nonce.len() != 12 {
            return None;
        }
        self.cipher
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: name.as_bytes(),
                },
            )
            .ok()
    }
}

fn random_key_bytes() -> [u8; 32] {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_binding_to_name() {
        let key = SecretKey::generate();
        let (nonce, sealed) = key.seal("pbx.client_secret", b"hunter2");
        assert!(!sealed.windows(7).any(|w| w == b"hunter2"));
        assert_eq!(
            key.open("pbx.client_secret", &nonce, &sealed).unwrap(),
            b"hunter2"
        );
        assert!(key.open("zoho.refresh_token", &nonce, &sealed).is_none());
        let other = SecretKey::generate();
        assert!(other.open("pbx.client_secret", &nonce, &sealed).is_none());
    }

    #[test]
    fn derived_keys_are_stable_per_purpose_and_secret() {
        let text = SecretKey::generate_base64();
        let key = SecretKey::from_base64(&text).unwrap();
        let again = SecretKey::from_base64(&text).unwrap();
        assert_eq!(key.derive("a"), again.derive("a"));
        assert_ne!(key.derive("a"), key.derive("b"));
        let other = SecretKey::generate();
        assert_ne!(key.derive("a"), other.derive("a"));
    }

    #[test]
    fn rejects_short_keys() {
        assert_eq!(
            SecretKey::from_base64("c2hvcnQ=").unwrap_err(),
            KeyError::Length(5)
        );
        assert_eq!(
            SecretKey::from_base64("not base64!").unwrap_err(),
            KeyError::Encoding
        );
    }
}
