//! Finding the CRM record behind a phone number.
//!
//! The engine asks a [`CallerMatcher`]; the local phone directory is the
//! main implementation (no API call for known numbers). [`CrmMatcher`]
//! asks the CRM directly and is what the directory falls back to.

use std::sync::Arc;

use async_trait::async_trait;
use ringbridge_core::crm::{Crm, CrmError, CrmModule, CrmRecord};
use ringbridge_core::phone::NumberPlan;

/// The record chosen for a number, and the other records that share it
/// (kept for the panel's chooser; never a log per record).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Match {
    pub chosen: Option<CrmRecord>,
    pub others: Vec<CrmRecord>,
}

#[async_trait]
pub trait CallerMatcher: Send + Sync {
    /// Looks up an outside number (never an extension). `owner_user_id` is
    /// the CRM user the call belongs to, preferred when several records match.
    async fn lookup(&self, number: &str, owner_user_id: Option<&str>) -> Result<Match, CrmError>;

    /// Makes a record ringbridge just created known to later lookups.
    async fn remember(&self, record: &CrmRecord);

    /// Whether lookups are trustworthy yet. A local directory that has not
    /// finished its first full copy of the CRM would answer "unknown" for
    /// known numbers (and unknown numbers may get records created), so
    /// calls wait for it.
    fn ready(&self) -> bool {
        true
    }
}

/// Several records with one number: the record owned by the call's user
/// first, then the module order of the settings, then the most recently
/// modified.
pub fn choose(
    mut records: Vec<CrmRecord>,
    owner_user_id: Option<&str>,
    modules: &[CrmModule],
) -> Match {
    let rank = |r: &CrmRecord| {
        modules
            .iter()
            .position(|m| *m == r.reference.module)
            .unwrap_or(modules.len())
    };
    records.sort_by(|a, b| {
        let owned =
            |r: &CrmRecord| owner_user_id.is_some() && r.owner_id.as_deref() == owner_user_id;
        owned(b)
            .cmp(&owned(a))
            .then_with(|| rank(a).cmp(&rank(b)))
            .then_with(|| b.modified_at.cmp(&a.modified_at))
    });
    records.dedup_by(|a, b| a.reference == b.reference);
    let mut iter = records.into_iter();
    Match {
        chosen: iter.next(),
        others: iter.collect(),
    }
}

/// Spellings of a number to search a CRM with, since CRM phone fields hold
/// free text: E.164, national significant digits with a leading 0, the raw digits.
pub fn spellings(number: &str, plan: &NumberPlan) -> Vec<String> {
    let mut out = Vec::new();
    let raw_digits: String = number.chars().filter(char::is_ascii_digit).collect();
    if let Ok(e164) = plan.normalize(number) {
        out.push(e164.as_str().to_owned());
        out.push(e164.digits().to_owned());
    }
    if !raw_digits.is_empty() {
        out.push(raw_digits);
    }
    out.push(number.trim().to_owned());
    out.retain(|s| !s.is_empty());
    let mut seen = std::collections::HashSet::new();
    out.retain(|s| seen.insert(s.clone()));
    out
}

/// Asks the CRM for every lookup.
pub struct CrmMatcher {
    crm: Arc<dyn Crm>,
    plan: NumberPlan,
    modules: Vec<CrmModule>,
}

impl CrmMatcher {
    pub fn new(crm: Arc<dyn Crm>, plan: NumberPlan, modules: Vec<CrmModule>) -> Self {
        Self { crm, plan, modules }
    }
}

#[async_trait]
impl CallerMatcher for CrmMatcher {
    async fn lookup(&self, number: &str, owner_user_id: Option<&str>) -> Result<Match, CrmError> {
        let found = self
            .crm
            .find_by_phone(&self.modules, &spellings(number, &self.plan))
            .await?;
        Ok(choose(found, owner_user_id, &self.modules))
    }

    async fn remember(&self, _record: &CrmRecord) {}
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use ringbridge_core::crm::CrmRecordRef;

    use super::*;

    fn rec(module: CrmModule, id: &str, owner: &str, day: u32) -> CrmRecord {
        CrmRecord {
            reference: CrmRecordRef {
                module,
                id: id.into(),
            },
            name: id.into(),
            company: None,
            email: None,
            phones: vec![],
            owner_id: Some(owner.into()),
            account: None,
            modified_at: Utc.with_ymd_and_hms(2026, 1, day, 0, 0, 0).unwrap(),
        }
    }

    #[test]
    fn owner_first_then_module_order_then_newest() {
        let modules = [CrmModule::Contacts, CrmModule::Leads, CrmModule::Accounts];
        let records = vec![
            rec(CrmModule::Leads, "lead", "u1", 9),
            rec(CrmModule::Contacts, "old", "u2", 1),
            rec(CrmModule::Contacts, "new", "u2", 5),
        ];
        assert_eq!(
            choose(records.clone(), Some("u1"), &modules)
                .chosen
                .unwrap()
                .reference
                .id,
            "lead"
        );
        let m = choose(records, Some("u9"), &modules);
        assert_eq!(m.chosen.unwrap().reference.id, "new");
        assert_eq!(
            m.others
                .iter()
                .map(|r| r.reference.id.as_str())
                .collect::<Vec<_>>(),
            ["old", "lead"]
        );
    }

    #[test]
    fn spellings_cover_e164_national_and_raw() {
        let plan = NumberPlan::new("GB").unwrap();
        assert_eq!(
            spellings("020 7946 0000", &plan),
            [
                "+442079460000",
                "442079460000",
                "02079460000",
                "020 7946 0000"
            ]
        );
    }
}
