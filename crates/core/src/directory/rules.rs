//! Which record a call belongs to when several share its number.
//!
//! The rule, in order:
//! 1. a record owned by the call's user (the CRM user mapped to the
//!    extension) — that person most likely knows the caller as that record;
//! 2. the most recently modified record — the one being worked on;
//! 3. the module preference order (Contacts, Leads, Accounts by default,
//!    configurable; modules not listed come after all listed ones), only
//!    between records modified at the same instant — a Contact is the
//!    person, an Account only their company's line;
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
                .then_with(|| b.modified_at().cmp(&a.modified_at()))
                .then_with(|| {
                    self.module_rank(a.module())
                        .cmp(&self.module_rank(b.module()))
                })
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
    fn the_call_owners_record_wins_then_the_most_recently_modified() {
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
            ["mine", "deal", "acct", "new-contact", "old-contact"],
            "the oldest record, in the least preferred module, wins when it is the caller's"
        );
        // Nobody's: the newest, whatever its module.
        let m = rule.choose(all.clone(), None).unwrap();
        assert_eq!(ids(&m)[0], "deal");
        let m = rule.choose(all, Some("nobody")).unwrap();
        assert_eq!(ids(&m)[0], "deal");
    }

    #[test]
    fn the_module_order_breaks_ties_of_equal_modification_time() {
        let same_time = vec![
            entry(CrmModule::Deals, "deal", None, 5),
            entry(CrmModule::Accounts, "acct", None, 5),
            entry(CrmModule::Leads, "lead", None, 5),
            entry(CrmModule::Contacts, "contact", None, 5),
        ];
        let m = MatchRule::default()
            .choose(same_time.clone(), None)
            .unwrap();
        assert_eq!(ids(&m), ["contact", "lead", "acct", "deal"]);
        // Configurable; unlisted modules come last, by id.
        let accounts_first = MatchRule::new(vec![CrmModule::Accounts, CrmModule::Leads]);
        let m = accounts_first.choose(same_time.clone(), None).unwrap();
        assert_eq!(ids(&m), ["acct", "lead", "contact", "deal"]);
        // Newer beats any module preference.
        let mut newer = same_time;
        newer.push(entry(CrmModule::Deals, "new-deal", None, 6));
        let m = accounts_first.choose(newer, None).unwrap();
        assert_eq!(ids(&m)[0], "new-deal");
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
