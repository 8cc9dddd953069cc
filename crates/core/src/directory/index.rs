//! [`PhoneDirectory`]: the in-memory phone directory, built for the goal of
//! a million numbers in at most 100 MB with lookups of a few microseconds
//! (the ignored `million_numbers_memory_report` test prints the size).
//!
//! Layout: one fixed-size slot (44 bytes) per record; names and
//! non-numeric ids in one text arena; owners, companies and account ids
//! interned (many records share them); numbers as `u64` keys in a
//! [`NumberIndex`]; a hash table of slot indices finds a record by
//! module and id without storing the id twice.

use std::borrow::Borrow;
use std::hash::{BuildHasher, Hash, Hasher, RandomState};

use hashbrown::HashTable;

use super::numbers::NumberIndex;
use super::slot::{COMPACT_MIN_GARBAGE, Keys, NO_MODULE, Slot, join, module_code, split};
pub use super::slot::{MAX_NAME_BYTES, MAX_NUMBERS_PER_RECORD};
use super::text::{Arena, DirectoryFull, IdText, Interner, PackedId, Profiles, table_bytes};
pub use super::view::EntryView;
use super::{DirectoryEntry, e164_key};
use crate::crm::{CrmModule, CrmRecordRef};
use crate::phone::E164;

/// What [`PhoneDirectory::upsert`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upsert {
    Inserted,
    Updated,
    /// The entry has no number any more, so the record left the directory.
    Removed,
    /// Not kept: a new record without any number.
    NoNumbers,
    /// Ignored: the directory holds a more recently modified copy.
    Stale,
}

/// The phone directory in memory. See the module docs for its layout.
#[derive(Debug, Clone, Default)]
pub struct PhoneDirectory {
    pub(super) slots: Vec<Slot>,
    free: Vec<u32>,
    ids: HashTable<u32>,
    hasher: RandomState,
    pub(super) texts: Arena,
    pub(super) shared: Interner,
    pub(super) profiles: Profiles,
    extra: Vec<u64>,
    numbers: NumberIndex,
    records: usize,
    /// Bytes of dead text and extra numbers, for deciding when to compact.
    garbage: usize,
}

impl PhoneDirectory {
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty directory with room for `records` records holding
    /// `numbers` numbers in all, so a bulk load does not reallocate.
    pub fn with_capacity(records: usize, numbers: usize) -> Self {
        let mut dir = Self {
            slots: Vec::with_capacity(records),
            texts: Arena::with_capacity(records * 16),
            numbers: NumberIndex::with_capacity(numbers),
            ..Self::default()
        };
        dir.ids.reserve(records, |_| 0);
        dir
    }

    /// How many numbers are indexed (one per record and number).
    pub fn len(&self) -> usize {
        self.numbers.len()
    }

    pub fn is_empty(&self) -> bool {
        self.records == 0
    }

    pub fn record_count(&self) -> usize {
        self.records
    }

    /// Heap bytes held, estimated from the capacities of its parts.
    pub fn approx_bytes(&self) -> usize {
        size_of::<Self>()
            + self.slots.capacity() * size_of::<Slot>()
            + self.free.capacity() * size_of::<u32>()
            + table_bytes(self.ids.capacity(), size_of::<u32>())
            + self.texts.capacity()
            + self.shared.approx_bytes()
            + self.profiles.approx_bytes()
            + self.extra.capacity() * size_of::<u64>()
            + self.numbers.approx_bytes()
    }

    /// The records having `number`, in no particular order (rank them with
    /// [`super::MatchRule`]).
    pub fn lookup(&self, number: &E164) -> Vec<EntryView<'_>> {
        match e164_key(number) {
            Some(key) => self.lookup_key(key),
            None => Vec::new(),
        }
    }

    fn lookup_key(&self, key: u64) -> Vec<EntryView<'_>> {
        let mut slots = Vec::new();
        self.numbers.lookup(key, &mut slots);
        slots
            .into_iter()
            .map(|slot| EntryView { dir: self, slot })
            .collect()
    }

    pub fn get(&self, record: &CrmRecordRef) -> Option<EntryView<'_>> {
        self.find(record.module, &record.id)
            .map(|slot| EntryView { dir: self, slot })
    }

    /// Every record, in slot order.
    pub fn iter(&self) -> impl Iterator<Item = EntryView<'_>> {
        self.slots
            .iter()
            .enumerate()
            .filter(|(_, s)| s.count != 0)
            .map(|(i, _)| EntryView {
                dir: self,
                slot: i as u32,
            })
    }

    /// Inserts or replaces a record; its old numbers leave the index. A copy
    /// older than the one held is ignored, and a record without numbers is
    /// removed: the directory only keeps what a number can reach.
    pub fn upsert(&mut self, entry: &DirectoryEntry) -> Result<Upsert, DirectoryFull> {
        let done = self.upsert_inner(entry, false)?;
        self.maybe_compact()?;
        Ok(done)
    }

    /// Upserts many records with one sort of their numbers at the end; the
    /// way to fill a directory from storage.
    pub fn bulk_load<I>(&mut self, entries: I) -> Result<usize, DirectoryFull>
    where
        I: IntoIterator,
        I::Item: Borrow<DirectoryEntry>,
    {
        let mut kept = 0;
        let result = entries.into_iter().try_for_each(|e| {
            if matches!(
                self.upsert_inner(e.borrow(), true)?,
                Upsert::Inserted | Upsert::Updated
            ) {
                kept += 1;
            }
            Ok(())
        });
        self.numbers.flush();
        result?;
        self.maybe_compact()?;
        Ok(kept)
    }

    /// Gives back the room kept for growth (the stores grow by doubling):
    /// for after a bulk load, when the directory will mostly be read.
    pub fn shrink_to_fit(&mut self) {
        self.numbers.compact();
        self.slots.shrink_to_fit();
        self.free.shrink_to_fit();
        self.texts.shrink_to_fit();
        self.shared.shrink_to_fit();
        self.profiles.shrink_to_fit();
        self.extra.shrink_to_fit();
        let (slots, texts, hasher) = (&self.slots, &self.texts, &self.hasher);
        self.ids
            .shrink_to_fit(|&s| Self::slot_hash(slots, texts, hasher, s));
    }

    /// Removes a record and its numbers. `false` if it was not there.
    pub fn remove(&mut self, record: &CrmRecordRef) -> bool {
        let Some(slot) = self.find(record.module, &record.id) else {
            return false;
        };
        self.remove_slot(slot);
        // Compaction only fails if the live text no longer fits, which it did.
        let _ = self.maybe_compact();
        true
    }

    /// Keeps the records for which `keep` is true; returns the removed ones.
    pub fn retain(&mut self, mut keep: impl FnMut(&EntryView<'_>) -> bool) -> Vec<CrmRecordRef> {
        let gone: Vec<(u32, CrmRecordRef)> = self
            .iter()
            .filter(|v| !keep(v))
            .map(|v| (v.slot, v.record()))
            .collect();
        for &(slot, _) in &gone {
            self.remove_slot(slot);
        }
        let _ = self.maybe_compact();
        gone.into_iter().map(|(_, r)| r).collect()
    }

    fn id_hash(hasher: &RandomState, module: u8, id: IdText<'_>) -> u64 {
        let mut h = hasher.build_hasher();
        module.hash(&mut h);
        id.hash_into(&mut h);
        h.finish()
    }

    /// The id table's hash of what `slot` holds.
    fn slot_hash(slots: &[Slot], texts: &Arena, hasher: &RandomState, slot: u32) -> u64 {
        let slot = &slots[slot as usize];
        let id = PackedId::from_bits(join(slot.id)).resolve(texts);
        Self::id_hash(hasher, slot.modules & 0xF, id)
    }

    pub(super) fn slot_id(&self, slot: u32) -> IdText<'_> {
        PackedId::from_bits(join(self.slots[slot as usize].id)).resolve(&self.texts)
    }

    fn find(&self, module: CrmModule, id: &str) -> Option<u32> {
        let code = module_code(module);
        let wanted = IdText::of(id);
        let hash = Self::id_hash(&self.hasher, code, wanted);
        self.ids
            .find(hash, |&slot| {
                self.slots[slot as usize].modules & 0xF == code && self.slot_id(slot) == wanted
            })
            .copied()
    }

    fn upsert_inner(
        &mut self,
        entry: &DirectoryEntry,
        stage: bool,
    ) -> Result<Upsert, DirectoryFull> {
        // Input order is kept (the CRM's field order); duplicates dropped.
        let mut keys: Vec<u64> = Vec::with_capacity(entry.numbers.len());
        for key in entry.numbers.iter().filter_map(e164_key) {
            if !keys.contains(&key) && keys.len() < MAX_NUMBERS_PER_RECORD {
                keys.push(key);
            }
        }
        let modified_ms = entry.modified_at.timestamp_millis();
        let existing = self.find(entry.record.module, &entry.record.id);
        if let Some(slot) = existing
            && modified_ms < join(self.slots[slot as usize].modified_ms) as i64
        {
            return Ok(Upsert::Stale);
        }
        if keys.is_empty() {
            return Ok(match existing {
                Some(slot) => {
                    self.remove_slot(slot);
                    Upsert::Removed
                }
                None => Upsert::NoNumbers,
            });
        }
        // Everything that can fail happens before the directory changes.
        let id = match existing {
            Some(slot) => PackedId::from_bits(join(self.slots[slot as usize].id)),
            None => PackedId::store(&entry.record.id, &mut self.texts)?,
        };
        let new = self.make_slot(entry, id, modified_ms, &keys)?;
        let slot = match existing {
            Some(slot) => {
                self.unindex(slot);
                self.slots[slot as usize] = new;
                slot
            }
            None => {
                let slot = match self.free.pop() {
                    Some(free) => {
                        self.slots[free as usize] = new;
                        free
                    }
                    None => {
                        let next = u32::try_from(self.slots.len())
                            .ok()
                            .filter(|&n| n != u32::MAX)
                            .ok_or(DirectoryFull)?;
                        self.slots.push(new);
                        next
                    }
                };
                let (slots, texts, hasher) = (&self.slots, &self.texts, &self.hasher);
                let rehash = |&s: &u32| Self::slot_hash(slots, texts, hasher, s);
                let hash = rehash(&slot);
                self.ids.insert_unique(hash, slot, rehash);
                self.records += 1;
                slot
            }
        };
        for &key in &keys {
            if stage {
                self.numbers.stage(key, slot);
            } else {
                self.numbers.insert(key, slot);
            }
        }
        Ok(if existing.is_some() {
            Upsert::Updated
        } else {
            Upsert::Inserted
        })
    }

    fn make_slot(
        &mut self,
        entry: &DirectoryEntry,
        id: PackedId,
        modified_ms: i64,
        keys: &[u64],
    ) -> Result<Slot, DirectoryFull> {
        let mut name = entry.name.as_str();
        if name.len() > MAX_NAME_BYTES {
            let mut end = MAX_NAME_BYTES;
            while !name.is_char_boundary(end) {
                end -= 1;
            }
            name = &name[..end];
        }
        let name_ref = self.texts.push(name)?;
        let numbers = match keys {
            [one] => *one,
            many => {
                let off = u32::try_from(self.extra.len()).map_err(|_| DirectoryFull)?;
                self.extra.extend_from_slice(many);
                u64::from(off)
            }
        };
        let profile = [
            self.shared.intern(entry.company.as_deref())?,
            self.shared.intern(entry.owner_id.as_deref())?,
            self.shared
                .intern(entry.account.as_ref().map(|a| a.id.as_str()))?,
        ];
        let profile = self.profiles.intern(profile)?;
        let account_module = entry
            .account
            .as_ref()
            .map_or(NO_MODULE, |a| module_code(a.module));
        Ok(Slot {
            modified_ms: split(modified_ms as u64),
            id: split(id.bits()),
            numbers: split(numbers),
            name_off: name_ref.off(),
            profile,
            name_len: name.len() as u16,
            modules: module_code(entry.record.module) | account_module << 4,
            count: keys.len() as u8,
        })
    }

    pub(super) fn slot_keys(&self, slot: u32) -> Keys<'_> {
        let s = &self.slots[slot as usize];
        match s.count {
            0 => Keys::Many(&[]),
            1 => Keys::One([join(s.numbers)]),
            n => {
                let off = join(s.numbers) as usize;
                Keys::Many(self.extra.get(off..off + n as usize).unwrap_or(&[]))
            }
        }
    }

    /// Takes the slot's numbers out of the index and counts its text as garbage.
    fn unindex(&mut self, slot: u32) {
        let keys: Vec<u64> = self.slot_keys(slot).as_slice().to_vec();
        for key in &keys {
            self.numbers.remove(*key, slot);
        }
        let s = self.slots[slot as usize];
        self.garbage += usize::from(s.name_len);
        if s.count > 1 {
            self.garbage += usize::from(s.count) * size_of::<u64>();
        }
    }

    fn remove_slot(&mut self, slot: u32) {
        self.unindex(slot);
        let id = PackedId::from_bits(join(self.slots[slot as usize].id));
        self.garbage += id.text_len();
        let hash = Self::id_hash(
            &self.hasher,
            self.slots[slot as usize].modules & 0xF,
            id.resolve(&self.texts),
        );
        if let Ok(found) = self.ids.find_entry(hash, |&s| s == slot) {
            found.remove();
        }
        self.slots[slot as usize].count = 0;
        self.free.push(slot);
        self.records -= 1;
    }

    /// Bytes in the text arena, live and dead.
    #[cfg(test)]
    pub(super) fn text_bytes(&self) -> usize {
        self.texts.len()
    }

    fn maybe_compact(&mut self) -> Result<(), DirectoryFull> {
        let live = self.texts.len() + self.extra.len() * size_of::<u64>();
        if self.garbage > COMPACT_MIN_GARBAGE && self.garbage > live / 2 {
            self.compact()?;
        }
        Ok(())
    }

    /// Copies the live text and numbers into fresh stores; slot indices
    /// stay, so neither the number index nor the id table changes.
    pub(super) fn compact(&mut self) -> Result<(), DirectoryFull> {
        let mut texts = Arena::with_capacity(self.texts.len().saturating_sub(self.garbage));
        let mut shared = Interner::default();
        let mut profiles = Profiles::default();
        let mut extra = Vec::new();
        let mut slots = self.slots.clone();
        for (i, slot) in slots.iter_mut().enumerate() {
            if slot.count == 0 {
                continue;
            }
            let view = EntryView {
                dir: self,
                slot: i as u32,
            };
            let id = PackedId::store(&view.id(), &mut texts)?;
            let name = texts.push(view.name())?;
            slot.id = split(id.bits());
            slot.name_off = name.off();
            let account = self.shared.get(self.profiles.get(slot.profile)[2]);
            slot.profile = profiles.intern([
                shared.intern(view.company())?,
                shared.intern(view.owner_id())?,
                shared.intern(account)?,
            ])?;
            if slot.count > 1 {
                let off = u32::try_from(extra.len()).map_err(|_| DirectoryFull)?;
                extra.extend_from_slice(self.slot_keys(i as u32).as_slice());
                slot.numbers = split(u64::from(off));
            }
        }
        self.slots = slots;
        self.slots.shrink_to_fit();
        self.texts = texts;
        self.shared = shared;
        self.profiles = profiles;
        self.extra = extra;
        self.garbage = 0;
        Ok(())
    }
}
