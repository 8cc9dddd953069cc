//! Passwords: argon2id hashes in PHC strings, computed off the async
//! runtime (a hash takes tens of milliseconds of CPU and ~19 MiB by
//! design). At most one hash per core runs at once ([`HashGate`]): a flood
//! of sign-ins queues briefly, and the rest are refused, instead of
//! growing the process by 19 MiB per request.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use argon2::password_hash::SaltString;
use argon2::{Algorithm, Argon2, PasswordHash, PasswordHasher as _, PasswordVerifier, Version};
use base64::Engine as _;
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
    /// Every hashing slot is taken and the queue is full: try again shortly.
    #[error("too many passwords are being checked at once")]
    Busy,
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

/// Bounds the argon2 computations in flight: `slots` run at once, up to
/// `queue` more wait at most `max_wait` for a slot, the rest are refused.
#[derive(Debug)]
pub struct HashGate {
    slots: Arc<tokio::sync::Semaphore>,
    waiting: AtomicUsize,
    queue: usize,
    max_wait: Duration,
}

/// How long a sign-in waits for a hashing slot before it is refused.
const MAX_HASH_WAIT: Duration = Duration::from_secs(5);
/// Waiting sign-ins per slot beyond which new ones are refused at once.
const QUEUE_PER_SLOT: usize = 8;

impl HashGate {
    pub fn new(slots: usize, queue: usize, max_wait: Duration) -> Self {
        Self {
            slots: Arc::new(tokio::sync::Semaphore::new(slots.max(1))),
            waiting: AtomicUsize::new(0),
            queue,
            max_wait,
        }
    }

    /// One slot per core: more would only share the same CPUs, with more memory.
    pub fn per_core() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Self::new(cores, cores * QUEUE_PER_SLOT, MAX_HASH_WAIT)
    }

    async fn enter(&self) -> Result<tokio::sync::OwnedSemaphorePermit, PasswordError> {
        if let Ok(permit) = self.slots.clone().try_acquire_owned() {
            return Ok(permit);
        }
        // Counted so that the queue itself stays bounded.
        if self.waiting.fetch_add(1, Ordering::SeqCst) >= self.queue {
            self.waiting.fetch_sub(1, Ordering::SeqCst);
            return Err(PasswordError::Busy);
        }
        let permit = tokio::time::timeout(self.max_wait, self.slots.clone().acquire_owned()).await;
        self.waiting.fetch_sub(1, Ordering::SeqCst);
        match permit {
            Ok(Ok(permit)) => Ok(permit),
            _ => Err(PasswordError::Busy),
        }
    }
}

/// Hashes and verifies passwords with one configured cost.
#[derive(Clone)]
pub struct Passwords {
    params: argon2::Params,
    /// A hash of nothing anyone knows, checked when the username does not
    /// exist so a wrong name costs as much time as a wrong password.
    dummy: Arc<str>,
    gate: Arc<HashGate>,
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
        Self::with_gate(params, HashGate::per_core())
    }

    pub fn with_gate(params: PasswordParams, gate: HashGate) -> Result<Self, PasswordError> {
        let params = argon2::Params::new(
            params.memory_kib,
            params.iterations,
            params.parallelism,
            None,
        )
        .map_err(PasswordError::Params)?;
        Ok(Self {
            dummy: dummy_hash(&params).into(),
            params,
            gate: Arc::new(gate),
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
        let slot = self.gate.enter().await?;
        let this = self.clone();
        tokio::task::spawn_blocking(move || {
            // Held until the hash is done, even if the request is gone.
            let _slot = slot;
            this.hash_now(&password)
        })
        .await?
    }

    /// Whether `password` matches `hash`. With no hash (unknown user) a
    /// dummy is checked and the answer is `false`. An unreadable stored hash
    /// counts as a mismatch, and is logged.
    pub async fn verify(
        &self,
        password: String,
        hash: Option<String>,
    ) -> Result<bool, PasswordError> {
        let slot = self.gate.enter().await?;
        let this = self.clone();
        tokio::task::spawn_blocking(move || {
            let _slot = slot;
            let known = hash.is_some();
            let hash = hash.unwrap_or_else(|| this.dummy.to_string());
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

/// A PHC string with the configured cost, a random salt and a random
/// output: verifying any password against it costs one full hash and
/// never matches, and making it costs no hash at all.
fn dummy_hash(params: &argon2::Params) -> String {
    let mut salt = [0u8; 16];
    let mut output = [0u8; 32];
    rand::RngCore::fill_bytes(&mut rand::rng(), &mut salt);
    rand::RngCore::fill_bytes(&mut rand::rng(), &mut output);
    let b64 = base64::engine::general_purpose::STANDARD_NO_PAD;
    format!(
        "$argon2id$v=19$m={},t={},p={}${}${}",
        params.m_cost(),
        params.t_cost(),
        params.p_cost(),
        b64.encode(salt),
        b64.encode(output)
    )
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

    #[tokio::test]
    async fn hashes_beyond_the_slots_and_the_queue_are_refused() {
        // Costly enough that the first hash is still running when the others arrive.
        let slow = PasswordParams {
            memory_kib: 8 * 1024,
            iterations: 4,
            parallelism: 1,
        };
        let pw = Passwords::with_gate(slow, HashGate::new(1, 1, Duration::from_secs(30))).unwrap();
        let attempts: Vec<_> = (0..4)
            .map(|_| {
                let pw = pw.clone();
                tokio::spawn(async move { pw.verify("guess".into(), None).await })
            })
            .collect();
        let mut refused = 0;
        let mut checked = 0;
        for attempt in attempts {
            match attempt.await.unwrap() {
                Ok(matched) => {
                    assert!(!matched);
                    checked += 1;
                }
                Err(PasswordError::Busy) => refused += 1,
                Err(other) => panic!("{other}"),
            }
        }
        // One running, one queued; the other two refused at once.
        assert_eq!((checked, refused), (2, 2));
    }

    #[test]
    fn the_unknown_user_dummy_costs_what_a_real_hash_costs() {
        let params = PasswordParams::default();
        let pw = Passwords::new(params).unwrap();
        let dummy = PasswordHash::new(&pw.dummy).unwrap();
        assert_eq!(dummy.algorithm.as_str(), "argon2id");
        let cost = argon2::Params::try_from(&dummy).unwrap();
        assert_eq!(
            (cost.m_cost(), cost.t_cost(), cost.p_cost()),
            (params.memory_kib, params.iterations, params.parallelism)
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
