//! The agent's eyes on the local directory's matches: before the panel,
//! the pop, the chooser or recent calls show a record to an agent, the
//! CRM confirms with the agent's own grant that they may see it (the
//! core's [`RecordVisibility`] port). Answers are cached per (agent,
//! record) for the settings' TTL, so a warm cache costs no CRM request;
//! the directory sync drops a record's answers when its owner changes, and
//! a revoked grant drops the agent's.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use ringbridge_core::crm::{Crm, CrmModule, CrmRecord, CrmRecordRef};
use ringbridge_core::visibility::{Eyes, RecordVisibility, VisibilityError};

use crate::matcher::Match;

/// What an agent may be shown of a number's matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sighted {
    /// The matches the agent may see, in the match rule's order (the
    /// call user's record first, then the most recently modified).
    Records(Box<Match>),
    /// Records match, and the agent may see none of them: "a CRM record
    /// you cannot open" — no name, company or link.
    Hidden { module: CrmModule },
    /// The agent's grant is missing, revoked or expired: no CRM details.
    NoGrant,
}

impl Sighted {
    /// The record the agent is shown, if any.
    pub fn chosen(&self) -> Option<&CrmRecord> {
        match self {
            Self::Records(m) => m.chosen.as_ref(),
            _ => None,
        }
    }
}

#[derive(Default)]
struct Cache {
    /// (CRM user, record) → may see, until.
    records: HashMap<(String, CrmRecordRef), (bool, Instant)>,
    /// CRM user → whose eyes, until.
    eyes: HashMap<String, (Eyes, Instant)>,
}

/// The cache in front of the CRM's answers.
pub struct Visibility {
    port: Arc<dyn RecordVisibility>,
    cache: Mutex<Cache>,
    /// CRM requests made for visibility (each `check` is one batch).
    requests: AtomicU64,
}

impl Visibility {
    pub fn new(port: Arc<dyn RecordVisibility>) -> Self {
        Self {
            port,
            cache: Mutex::new(Cache::default()),
            requests: AtomicU64::new(0),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Cache> {
        // Plain data changed in single steps: a poisoned lock is still sound.
        self.cache.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Checks asked of the CRM so far (for `ringbridge bench`).
    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    /// Drops what is known of a record (its owner changed).
    pub fn forget_record(&self, record: &CrmRecordRef) {
        self.lock().records.retain(|(_, r), _| r != record);
    }

    /// Drops what is known of a user (their grant was revoked or renewed).
    pub fn forget_user(&self, crm_user_id: &str) {
        let mut cache = self.lock();
        cache.records.retain(|(u, _), _| u != crm_user_id);
        cache.eyes.remove(crm_user_id);
    }

    /// `found` as `crm_user_id` may see it. `required`: every agent's own
    /// eyes (the setting on), not only those who signed in with Zoho.
    pub async fn sift(
        &self,
        crm_user_id: Option<&str>,
        found: Match,
        required: bool,
        ttl: Duration,
    ) -> Result<Sighted, VisibilityError> {
        let Some(user) = crm_user_id else {
            // An extension no CRM user is paired with has no eyes of its own.
            return Ok(if required {
                Sighted::NoGrant
            } else {
                Sighted::Records(Box::new(found))
            });
        };
        match self.eyes(user, required, ttl).await {
            Ok(Eyes::OrgWide) => return Ok(Sighted::Records(Box::new(found))),
            Ok(Eyes::Own) => {}
            Err(VisibilityError::NoGrant) => return Ok(Sighted::NoGrant),
            Err(err) => return Err(err),
        }
        let all: Vec<CrmRecord> = found.chosen.into_iter().chain(found.others).collect();
        let Some(first_module) = all.first().map(|r| r.reference.module) else {
            return Ok(Sighted::Records(Box::default()));
        };
        let seen = match self.may_see(user, &all, ttl).await {
            Ok(seen) => seen,
            Err(VisibilityError::NoGrant) => {
                // The grant is gone (the port marked it): ask afresh next time.
                self.lock().eyes.remove(user);
                return Ok(Sighted::NoGrant);
            }
            Err(err) => return Err(err),
        };
        // Filtering keeps the rule's order: the first visible is the one
        // the rule picks among the visible.
        let mut visible = all
            .into_iter()
            .zip(seen)
            .filter(|(_, s)| *s)
            .map(|(r, _)| r);
        match visible.next() {
            Some(chosen) => Ok(Sighted::Records(Box::new(Match {
                chosen: Some(chosen),
                others: visible.collect(),
            }))),
            None => Ok(Sighted::Hidden {
                module: first_module,
            }),
        }
    }

    /// The CRM as `crm_user_id` when their own eyes apply, `None` for the
    /// org-wide view (the service's grant).
    pub async fn crm_as(
        &self,
        crm_user_id: Option<&str>,
        required: bool,
        ttl: Duration,
    ) -> Result<Option<Arc<dyn Crm>>, VisibilityError> {
        let Some(user) = crm_user_id else {
            return if required {
                Err(VisibilityError::NoGrant)
            } else {
                Ok(None)
            };
        };
        match self.eyes(user, required, ttl).await? {
            Eyes::OrgWide => Ok(None),
            Eyes::Own => self.port.crm_as(user).await.map(Some),
        }
    }

    async fn eyes(
        &self,
        user: &str,
        required: bool,
        ttl: Duration,
    ) -> Result<Eyes, VisibilityError> {
        let now = Instant::now();
        if let Some((eyes, until)) = self.lock().eyes.get(user)
            && *until > now
        {
            return Ok(eyes.clone());
        }
        let eyes = self.port.eyes(user, required).await?;
        self.lock()
            .eyes
            .insert(user.to_owned(), (eyes.clone(), now + ttl));
        Ok(eyes)
    }

    /// Per record, whether `user` may see it: cached answers, the rest in one check.
    async fn may_see(
        &self,
        user: &str,
        records: &[CrmRecord],
        ttl: Duration,
    ) -> Result<Vec<bool>, VisibilityError> {
        let now = Instant::now();
        let mut answers: Vec<Option<bool>> = {
            let cache = self.lock();
            records
                .iter()
                .map(|r| {
                    cache
                        .records
                        .get(&(user.to_owned(), r.reference.clone()))
                        .filter(|(_, until)| *until > now)
                        .map(|(seen, _)| *seen)
                })
                .collect()
        };
        let missing: Vec<CrmRecordRef> = records
            .iter()
            .zip(&answers)
            .filter(|(_, a)| a.is_none())
            .map(|(r, _)| r.reference.clone())
            .collect();
        if !missing.is_empty() {
            self.requests.fetch_add(1, Ordering::Relaxed);
            let fresh = self.port.check(user, &missing).await?;
            let mut cache = self.lock();
            let mut fresh = missing.into_iter().zip(fresh);
            for answer in answers.iter_mut().filter(|a| a.is_none()) {
                if let Some((reference, seen)) = fresh.next() {
                    cache
                        .records
                        .insert((user.to_owned(), reference), (seen, now + ttl));
                    *answer = Some(seen);
                }
            }
        }
        Ok(answers.into_iter().map(|a| a.unwrap_or(false)).collect())
    }
}

#[cfg(test)]
#[path = "visibility_tests.rs"]
mod tests;
