//! Looking a number up: memory first, then the miss cache, then the CRM.

use std::collections::HashSet;

use ringbridge_core::crm::CrmError;
use ringbridge_core::directory::{DirectoryEntry, Matched, spellings};
use ringbridge_core::phone::E164;

use super::{DirectoryService, Lookup, LookupSource, bump};

impl Lookup {
    fn empty(number: Option<E164>, source: LookupSource) -> Self {
        Self {
            number,
            chosen: None,
            others: Vec::new(),
            source,
        }
    }

    fn matched(number: E164, m: Option<Matched<DirectoryEntry>>, source: LookupSource) -> Self {
        match m {
            Some(m) => Self {
                number: Some(number),
                chosen: Some(m.chosen),
                others: m.others,
                source,
            },
            None => Self::empty(Some(number), source),
        }
    }
}

impl DirectoryService {
    /// The records behind an outside number, for a call owned by the CRM
    /// user `call_owner`.
    ///
    /// Only outside numbers may be passed: the caller recognises extension
    /// (internal) numbers from the PBX's own data and never looks them up,
    /// since a short extension could match a CRM record by accident.
    ///
    /// Errors only when the CRM had to be asked and failed; storage
    /// failures on this path are logged and counted, and the answer given.
    pub async fn lookup(&self, raw: &str, call_owner: Option<&str>) -> Result<Lookup, CrmError> {
        let Ok(number) = self.plan.normalize(raw) else {
            bump(&self.counters.not_a_number, 1);
            return Ok(Lookup::empty(None, LookupSource::NotANumber));
        };
        if let Some(found) = self.local(&number, call_owner) {
            return Ok(found);
        }
        if self.fresh_miss(&number).await {
            bump(&self.counters.cached_miss, 1);
            return Ok(Lookup::empty(Some(number), LookupSource::CachedMiss));
        }
        self.flights
            .run(number.clone(), || async {
                // Whoever held the number before us may have answered it.
                if let Some(found) = self.local(&number, call_owner) {
                    return Ok(found);
                }
                if self.fresh_miss_in_memory(&number) {
                    bump(&self.counters.cached_miss, 1);
                    return Ok(Lookup::empty(
                        Some(number.clone()),
                        LookupSource::CachedMiss,
                    ));
                }
                self.remote(&number, raw, call_owner).await
            })
            .await
    }

    fn local(&self, number: &E164, call_owner: Option<&str>) -> Option<Lookup> {
        let matched = {
            let index = self.read();
            let views = index.lookup(number);
            if views.is_empty() {
                return None;
            }
            self.rule
                .choose(views, call_owner)
                .map(|m| m.map(|v| v.to_entry()))
        };
        bump(&self.counters.local, 1);
        Some(Lookup::matched(
            number.clone(),
            matched,
            LookupSource::Local,
        ))
    }

    fn fresh_miss_in_memory(&self, number: &E164) -> bool {
        let now = self.now();
        self.misses
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(number)
            .is_some_and(|until| *until > now)
    }

    async fn fresh_miss(&self, number: &E164) -> bool {
        if self.fresh_miss_in_memory(number) {
            return true;
        }
        let now = self.now();
        match self.store.cached_miss(number).await {
            Ok(Some(until)) if until > now => {
                self.remember_miss_in_memory(number, until);
                true
            }
            Ok(_) => false,
            Err(e) => {
                bump(&self.counters.store_errors, 1);
                tracing::warn!(error = %e, "cannot read the miss cache; asking the CRM");
                false
            }
        }
    }

    fn remember_miss_in_memory(&self, number: &E164, until: chrono::DateTime<chrono::Utc>) {
        self.misses
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(number.clone(), until);
    }

    async fn remote(
        &self,
        number: &E164,
        raw: &str,
        call_owner: Option<&str>,
    ) -> Result<Lookup, CrmError> {
        let candidates = spellings(number, raw);
        let found = match self
            .crm
            .find_by_phone(&self.config.modules, &candidates)
            .await
        {
            Ok(found) => found,
            Err(e) => {
                bump(&self.counters.remote_errors, 1);
                return Err(e);
            }
        };
        bump(&self.counters.remote, 1);
        let mut seen = HashSet::new();
        let entries: Vec<DirectoryEntry> = self
            .entries_of(&found)
            .into_iter()
            .filter(|e| seen.insert(e.record.clone()))
            .collect();
        if entries.is_empty() {
            let ttl =
                chrono::Duration::from_std(self.config.miss_ttl).unwrap_or(chrono::Duration::MAX);
            let until = self
                .now()
                .checked_add_signed(ttl)
                .unwrap_or(chrono::DateTime::<chrono::Utc>::MAX_UTC);
            self.remember_miss_in_memory(number, until);
            if let Err(e) = self.store.put_miss(number, until).await {
                bump(&self.counters.store_errors, 1);
                tracing::warn!(error = %e, "cannot store a directory miss");
            }
            return Ok(Lookup::empty(Some(number.clone()), LookupSource::Remote));
        }
        if let Err(e) = self.apply(entries.clone()).await {
            bump(&self.counters.store_errors, 1);
            tracing::warn!(error = %e, "cannot add CRM lookup results to the phone directory");
        }
        let matched = self.rule.choose(entries, call_owner);
        Ok(Lookup::matched(
            number.clone(),
            matched,
            LookupSource::Remote,
        ))
    }
}
