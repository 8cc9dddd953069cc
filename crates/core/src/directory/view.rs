//! [`EntryView`]: one record of the directory, read in place.

use std::borrow::Cow;

use chrono::{DateTime, Utc};

use super::index::{PhoneDirectory, Rec};
use super::slot::{modified_at, module_of};
use super::text::Sym;
use super::{DirectoryEntry, e164_from_key};
use crate::crm::{CrmModule, CrmRecordRef};
use crate::phone::E164;

/// One record in the directory, borrowed. Cheap to copy; turn it into an
/// owned [`DirectoryEntry`] with [`EntryView::to_entry`].
#[derive(Clone, Copy)]
pub struct EntryView<'a> {
    pub(super) dir: &'a PhoneDirectory,
    pub(super) slot: u32,
}

impl std::fmt::Debug for EntryView<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EntryView")
            .field("module", &self.module())
            .field("id", &self.id())
            .field("name", &self.name())
            .finish_non_exhaustive()
    }
}

impl<'a> EntryView<'a> {
    fn rec(&self) -> Rec<'a> {
        self.dir.rec(self.slot)
    }

    /// Low nibble: the record's module; high nibble: its account's.
    fn modules(&self) -> u8 {
        match self.rec() {
            Rec::Base(s) => self.dir.base.modules[s as usize],
            Rec::Delta(r) => r.modules,
        }
    }

    pub fn module(&self) -> CrmModule {
        module_of(self.modules() & 0xF).unwrap_or(CrmModule::Contacts)
    }

    pub fn id(&self) -> Cow<'a, str> {
        match self.rec() {
            Rec::Base(s) => self.dir.base.id(s).to_cow(),
            Rec::Delta(r) => r.id.as_text().to_cow(),
        }
    }

    pub fn record(&self) -> CrmRecordRef {
        CrmRecordRef {
            module: self.module(),
            id: self.id().into_owned(),
        }
    }

    pub fn name(&self) -> &'a str {
        match self.rec() {
            Rec::Base(s) => self.dir.base.name(s),
            Rec::Delta(r) => &r.name,
        }
    }

    /// Company, owner and account id, as interned.
    fn profile(&self) -> [Sym; 3] {
        let profile = match self.rec() {
            Rec::Base(s) => self.dir.base.profiles[s as usize],
            Rec::Delta(r) => r.profile,
        };
        self.dir.profiles.get(profile)
    }

    pub fn company(&self) -> Option<&'a str> {
        self.dir.shared.get(self.profile()[0])
    }

    pub fn owner_id(&self) -> Option<&'a str> {
        self.dir.shared.get(self.profile()[1])
    }

    pub fn account(&self) -> Option<CrmRecordRef> {
        let module = module_of(self.modules() >> 4)?;
        let id = self.dir.shared.get(self.profile()[2])?;
        Some(CrmRecordRef {
            module,
            id: id.to_owned(),
        })
    }

    /// When the record was last modified, in whole seconds (rounded up).
    pub fn modified_at(&self) -> DateTime<Utc> {
        modified_at(match self.rec() {
            Rec::Base(s) => self.dir.base.modified[s as usize],
            Rec::Delta(r) => r.modified,
        })
    }

    pub fn numbers(&self) -> Vec<E164> {
        let keys = match self.rec() {
            Rec::Base(s) => self.dir.base.numbers(s),
            Rec::Delta(r) => r.numbers.to_vec(),
        };
        keys.into_iter().filter_map(e164_from_key).collect()
    }

    pub fn to_entry(&self) -> DirectoryEntry {
        DirectoryEntry {
            record: self.record(),
            name: self.name().to_owned(),
            company: self.company().map(str::to_owned),
            owner_id: self.owner_id().map(str::to_owned),
            account: self.account(),
            modified_at: self.modified_at(),
            numbers: self.numbers(),
        }
    }
}
