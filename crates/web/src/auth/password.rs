//! Passwords: argon2id hashes in PHC strings, computed off the async
//! runtime (a hash takes tens of milliseconds of CPU by design).

use std::sync::{Arc, OnceLock};

use argon2::password_hash::SaltString;
use argon2::{Algorithm, Argon2, PasswordHash, PasswordHasher as _, PasswordVerifier, Version};
use serde::Deserialize;

/// Argon2id cost. The default is OWASP's recommendation (19 MiB, 2 passes,
/// 1 lane); tests use the minimum to stay fast. Existing hashes keep the
/// cost they were made with: verification reads it from the hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct PasswordParams {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

impl Default for PasswordParams {
    fn default() -> Self {
        Self {
            memory_kib: 19 * 1024,
            iterations: 2,
            parallelism: 1,
        }
    }
}

impl PasswordParams {
    /// The cheapest argon2id allows: for tests only.
    pub fn insecure_fast() -> Self {
        Self {
            memory_kib: 8,
            iterations: 1,
            parallelism: 1,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error("invalid argon2 parameters: {0}")]
    Params(argon2::Error),
    #[error("cannot hash the password: {0}")]
    Hash(argon2::password_hash::Error),
    #[error("the hashing task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
}

/// Why a new password is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordProblem {
    TooShort,
    TooLong,
}

/// Long enough to resist guessing; bounded so nobody makes the server hash
/// megabytes.
pub const MIN_LEN: usize = 12;
pub const MAX_LEN: usize = 1024;

pub fn check_new(password: &str) -> Result<(), PasswordProblem> {
    let len = password.chars().count();
    if len < MIN_LEN {
        Err(PasswordProblem::TooShort)
    } else if password.len() > MAX_LEN {
        Err(PasswordProblem::TooLong)
    } else {
        Ok(())
    }
}

/// Hashes and verifies passwords with one configured cost.
#[derive(Clone)]
pub struct Passwords {
    params: argon2::Params,
    /// A hash of nothing anyone knows, checked when the username does not
    /// exist so a wrong name costs as much time as a wrong password.
    dummy: Arc<OnceLock<String>>,
}

impl std::fmt::Debug for Passwords {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Passwords")
            .field("params", &self.params)
            .finish_non_exhaustive()
    }
}

impl Passwords {
    pub fn new(params: PasswordParams) -> Result<Self, PasswordError> {
        let params = argon2::Params::new(
            params.memory_kib,
            params.iterations,
            params.parallelism,
            None,
        )
        .map_err(PasswordError::Params)?;
        Ok(Self {
            params,
            dummy: Arc::new(OnceLock::new()),
        })
    }

    fn argon2(&self) -> Argon2<'static> {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, self.params.clone())
    }

    fn hash_now(&self, password: &str) -> Result<String, PasswordError> {
        // 16 random bytes, the salt length the PHC format recommends.
        let mut bytes = [0u8; 16];
        rand::RngCore::fill_bytes(&mut rand::rng(), &mut bytes);
        let salt = SaltString::encode_b64(&bytes).map_err(PasswordError::Hash)?;
        self.argon2()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(PasswordError::Hash)
    }

    /// A PHC string (`$argon2id$v=19$m=…`) for a new password.
    pub async fn hash(&self, password: String) -> Result<String, PasswordError> {
        let this = self.clone();
        tokio::task::spawn_blocking(move || this.hash_now(&password)).await?
    }

    /// Whether `password` matches `hash`. With no hash (unknown user) a
    /// dummy is checked and the answer is `false`. An unreadable stored hash
    /// counts as a mismatch, and is logged.
    pub async fn verify(
        &self,
        password: String,
        hash: Option<String>,
    ) -> Result<bool, PasswordError> {
        let this = self.clone();
        tokio::task::spawn_blocking(move || {
            let known = hash.is_some();
            let hash = match hash {
                Some(hash) => hash,
                None => match this.dummy.get() {
                    Some(dummy) => dummy.clone(),
                    None => {
                        let dummy = this.hash_now("no account has this password")?;
                        this.dummy.get_or_init(|| dummy).clone()
                    }
                },
            };
            let parsed = match PasswordHash::new(&hash) {
                Ok(parsed) => parsed,
                Err(err) => {
                    tracing::error!(error = %err, "a stored password hash is unreadable");
                    return Ok(false);
                }
            };
            let matches = this
                .argon2()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok();
            Ok(known && matches)
        })
        .await?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_are_salted() {
        let pw = Passwords::new(PasswordParams::insecure_fast()).unwrap();
        let a = pw.hash("correct horse battery".into()).await.unwrap();
        let b = pw.hash("correct horse battery".into()).await.unwrap();
        assert!(a.starts_with("$argon2id$v=19$m=8,t=1,p=1$"), "{a}");
        assert_ne!(a, b);
        assert!(
            pw.verify("correct horse battery".into(), Some(a.clone()))
                .await
                .unwrap()
        );
        assert!(
            !pw.verify("correct horse batterY".into(), Some(a))
                .await
                .unwrap()
        );
        assert!(!pw.verify("x".into(), Some("garbage".into())).await.unwrap());
        // Unknown user: never true, even for the dummy's own password.
        assert!(
            !pw.verify("no account has this password".into(), None)
                .await
                .unwrap()
        );
    }

    #[tokio::test]
    async fn hashes_made_with_another_cost_still_verify() {
        let cheap = Passwords::new(PasswordParams::insecure_fast()).unwrap();
        let hash = cheap.hash("long enough pass".into()).await.unwrap();
        let other = Passwords::new(PasswordParams {
            memory_kib: 16,
            iterations: 2,
            parallelism: 1,
        })
        .unwrap();
        assert!(
            other
                .verify("long enough pass".into(), Some(hash))
                .await
                .unwrap()
        );
    }

    #[test]
    fn new_passwords_are_long_enough_and_bounded() {
        assert_eq!(check_new("short"), Err(PasswordProblem::TooShort));
        assert_eq!(check_new("密码密码密码密码密码密码"), Ok(()));
        assert_eq!(
            check_new(&"x".repeat(MAX_LEN + 1)),
            Err(PasswordProblem::TooLong)
        );
        assert_eq!(check_new("twelve chars"), Ok(()));
    }

    #[test]
    fn default_cost_is_argon2id_owasp() {
        assert_eq!(PasswordParams::default().memory_kib, 19456);
        assert!(Passwords::new(PasswordParams::default()).is_ok());
        assert!(
            Passwords::new(PasswordParams {
                memory_kib: 1,
                iterations: 0,
                parallelism: 0
            })
            .is_err()
        );
    }
}
