//! Which record a call belongs to when several share its number.
//!
//! The rule, in order:
//! 1. a record owned by the call's user (the CRM user mapped to the
//!    extension) — that person most likely knows the caller as that record;
//! 2. the module preference order (Contacts, Leads, Accounts by default,
//!    configurable; modules not listed come after all listed ones) — a
//!    Contact is the person, an Account only their company's line;
//! 3. the most recently modified record — the one being worked on;
//! 4. the smaller record id, so the choice never depends on input order.
//!
//! Exactly one record is chosen (a call is logged once, never once per
//! record); the others are kept, in the same order, for the agent panel's
//! chooser.

use std::borrow::Cow;

use chrono::{DateTime, Utc};

use super::DirectoryEntry;
use super::index::EntryView;
use crate::crm::CrmModule;

/// What the rule needs to know about a candidate record.
pub trait Candidate {
    fn module(&self) -> CrmModule;
    fn owner_id(&self) -> Option<&str>;
    fn modified_at(&self) -> DateTime<Utc>;
    fn id(&self) -> Cow<'_, str>;
}

impl Candidate for DirectoryEntry {
    fn module(&self) -> CrmModule {
        self.record.module
    }
    fn owner_id(&self) -> Option<&str> {
        self.owner_id.as_deref()
    }
    fn modified_at(&self) -> DateTime<Utc> {
        self.modified_at
    }
    fn id(&self) -> Cow<'_, str> {
        Cow::Borrowed(&self.record.id)
    }
}

impl Candidate for EntryView<'_> {
    fn module(&self) -> CrmModule {
        EntryView::module(self)
    }
    fn owner_id(&self) -> Option<&str> {
        EntryView::owner_id(self)
    }
    fn modified_at(&self) -> DateTime<Utc> {
        EntryView::modified_at(self)
    }
    fn id(&self) -> Cow<'_, str> {
        EntryView::id(self)
    }
}

/// The chosen record and the other matches, best first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matched<T> {
    pub chosen: T,
    pub others: Vec<T>,
}

impl<T> Matched<T> {
    pub fn map<U>(self, mut f: impl FnMut(T) -> U) -> Matched<U> {
        Matched {
            chosen: f(self.chosen),
            others: self.others.into_iter().map(f).collect(),
        }
    }
}

/// The match rule; see the module docs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchRule {
    modules: Vec<CrmModule>,
}

impl Default for MatchRule {
    fn default() -> Self {
        Self {
            modules: vec![CrmModule::Contacts, CrmModule::Leads, CrmModule::Accounts],
        }
    }
}

impl MatchRule {
    /// A rule preferring `modules` in this order.
    pub fn new(modules: Vec<CrmModule>) -> Self {
        Self { modules }
    }

    pub fn modules(&self) -> &[CrmModule] {
        &self.modules
    }

    fn module_rank(&self, module: CrmModule) -> usize {
        self.modules
            .iter()
            .position(|&m| m == module)
            .unwrap_or(self.modules.len())
    }

    /// Orders `candidates` by the rule for a call owned by `call_owner`
    /// (a CRM user id). `None` when there is no candidate.
    pub fn choose<T: Candidate>(
        &self,
        mut candidates: Vec<T>,
        call_owner: Option<&str>,
    ) -> Option<Matched<T>> {
        candidates.sort_by(|a, b| {
            let owned = |c: &T| call_owner.is_some() && c.owner_id() == call_owner;
            owned(b)
                .cmp(&owned(a))
                .then_with(|| {
                    self.module_rank(a.module())
                        .cmp(&self.module_rank(b.module()))
                })
                .then_with(|| b.modified_at().cmp(&a.modified_at()))
                .then_with(|| a.id().cmp(&b.id()))
        });
        let mut all = candidates.into_iter();
        let chosen = all.next()?;
        Some(Matched {
            chosen,
            others: all.collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::crm::CrmRecordRef;

    fn entry(module: CrmModule, id: &str, owner: Option<&str>, minute: u32) -> DirectoryEntry {
        DirectoryEntry {
            record: CrmRecordRef {
                module,
                id: id.into(),
            },
            name: id.into(),
            company: None,
            owner_id: owner.map(str::to_owned),
            account: None,
            modified_at: Utc.with_ymd_and_hms(2026, 1, 1, 9, minute, 0).unwrap(),
            numbers: vec![],
        }
    }

    fn ids(m: &Matched<DirectoryEntry>) -> Vec<&str> {
        std::iter::once(&m.chosen)
            .chain(&m.others)
            .map(|e| e.record.id.as_str())
            .collect()
    }

    #[test]
    fn the_call_owners_record_wins_then_module_then_recency() {
        let rule = MatchRule::default();
        let all = vec![
            entry(CrmModule::Accounts, "acct", Some("u1"), 50),
            entry(CrmModule::Contacts, "old-contact", Some("u2"), 10),
            entry(CrmModule::Contacts, "new-contact", Some("u3"), 40),
            entry(CrmModule::Leads, "mine", Some("u9"), 0),
            entry(CrmModule::Deals, "deal", None, 59),
        ];
        let m = rule.choose(all.clone(), Some("u9")).unwrap();
        assert_eq!(
            ids(&m),
            ["mine", "new-contact", "old-contact", "acct", "deal"]
        );
        let m = rule.choose(all.clone(), None).unwrap();
        assert_eq!(ids(&m)[0], "new-contact");
        // Preference order is configurable.
        let leads_first = MatchRule::new(vec![CrmModule::Leads, CrmModule::Contacts]);
        assert_eq!(
            leads_first
                .choose(all, Some("nobody"))
                .unwrap()
                .chosen
                .record
                .id,
            "mine"
        );
    }

    #[test]
    fn the_choice_does_not_depend_on_input_order() {
        let rule = MatchRule::default();
        let a = entry(CrmModule::Contacts, "a", None, 5);
        let b = entry(CrmModule::Contacts, "b", None, 5);
        let one = rule.choose(vec![a.clone(), b.clone()], None).unwrap();
        let two = rule.choose(vec![b, a], None).unwrap();
        assert_eq!(one, two);
        assert_eq!(one.chosen.record.id, "a");
        assert!(rule.choose(Vec::<DirectoryEntry>::new(), None).is_none());
    }
}
