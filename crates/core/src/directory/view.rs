//! [`EntryView`]: one record of the directory, read in place.

use std::borrow::Cow;

use chrono::{DateTime, Utc};

use super::index::PhoneDirectory;
use super::slot::{Slot, join, module_of};
use super::text::{StrRef, Sym};
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
    fn slot(&self) -> &'a Slot {
        &self.dir.slots[self.slot as usize]
    }

    pub fn module(&self) -> CrmModule {
        module_of(self.slot().modules & 0xF).unwrap_or(CrmModule::Contacts)
    }

    pub fn id(&self) -> Cow<'a, str> {
        self.dir.slot_id(self.slot).to_cow()
    }

    pub fn record(&self) -> CrmRecordRef {
        CrmRecordRef {
            module: self.module(),
            id: self.id().into_owned(),
        }
    }

    pub fn name(&self) -> &'a str {
        let s = self.slot();
        self.dir
            .texts
            .get(StrRef::new(s.name_off, u32::from(s.name_len)))
    }

    /// Company, owner and account id, as interned.
    fn profile(&self) -> [Sym; 3] {
        self.dir.profiles.get(self.slot().profile)
    }

    pub fn company(&self) -> Option<&'a str> {
        self.dir.shared.get(self.profile()[0])
    }

    pub fn owner_id(&self) -> Option<&'a str> {
        self.dir.shared.get(self.profile()[1])
    }

    pub fn account(&self) -> Option<CrmRecordRef> {
        let s = self.slot();
        let module = module_of(s.modules >> 4)?;
        let id = self.dir.shared.get(self.profile()[2])?;
        Some(CrmRecordRef {
            module,
            id: id.to_owned(),
        })
    }

    pub fn modified_at(&self) -> DateTime<Utc> {
        let ms = join(self.slot().modified_ms) as i64;
        DateTime::from_timestamp_millis(ms).unwrap_or_default()
    }

    pub fn numbers(&self) -> Vec<E164> {
        self.dir
            .slot_keys(self.slot)
            .as_slice()
            .iter()
            .filter_map(|&k| e164_from_key(k))
            .collect()
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
