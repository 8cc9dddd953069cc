//! Secrets at rest: AES-256-GCM with a key from configuration. Each secret
//! gets a fresh random nonce, and its name is authenticated as associated
//! data so a ciphertext cannot be moved to another name.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rand::RngCore;

/// The key that encrypts stored secrets.
#[derive(Clone)]
pub struct SecretKey(Aes256Gcm);

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
        Ok(Self(Aes256Gcm::new(&bytes.into())))
    }

    /// A new random key, base64-encoded.
    pub fn generate_base64() -> String {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        STANDARD.encode(bytes)
    }

    pub(crate) fn seal(&self, name: &str, plaintext: &[u8]) -> (Vec<u8>, Vec<u8>) {
        let mut nonce = [0u8; 12];
        rand::rng().fill_bytes(&mut nonce);
        let ciphertext = self
            .0
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
        self.0
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_binding_to_name() {
        let key = SecretKey::from_base64(&SecretKey::generate_base64()).unwrap();
        let (nonce, sealed) = key.seal("pbx.client_secret", b"hunter2");
        assert!(!sealed.windows(7).any(|w| w == b"hunter2"));
        assert_eq!(
            key.open("pbx.client_secret", &nonce, &sealed).unwrap(),
            b"hunter2"
        );
        assert!(key.open("zoho.refresh_token", &nonce, &sealed).is_none());
        let other = SecretKey::from_base64(&SecretKey::generate_base64()).unwrap();
        assert!(other.open("pbx.client_secret", &nonce, &sealed).is_none());
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
