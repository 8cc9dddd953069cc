//! [`PhoneDirectory`]: the in-memory phone directory, built for the goal of
//! a million numbers in at most 50 MB with lookups of a few microseconds
//! (the ignored `million_numbers_memory_report` test prints its parts).
//!
//! Layout: a [`Base`] holding every record as of the last merge in id
//! order (parallel arrays, numbers and ids as integers, names end to end in
//! one string, the number index as 4-byte cells), and a small [`Delta`] of
//! the records added or rewritten since. Company, owner and account id are
//! interned as one triple (`Profiles`): many records share them. Once the
//! delta or the base's dead records outnumber an eighth of the base, both
//! are merged into a new base.

use std::borrow::Borrow;

use super::base::{Base, BaseBuilder, BaseRecord};
use super::delta::{Delta, DeltaRecord};
pub use super::slot::{MAX_NAME_BYTES, MAX_NUMBERS_PER_RECORD};
use super::slot::{MIN_DELTA, NO_MODULE, modified_secs, module_code};
use super::text::{DirectoryFull, IdKey, IdText, Interner, Profiles, Reintern};
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
/// Slots below `base.len()` are the base's records, the rest the delta's.
#[derive(Debug, Clone, Default)]
pub struct PhoneDirectory {
    pub(super) base: Base,
    pub(super) delta: Delta,
    pub(super) shared: Interner,
    pub(super) profiles: Profiles,
    /// Merges are left to the owner (see [`Self::defer_merges`]).
    pub(super) deferred: bool,
}

/// Where a slot's record is.
pub(super) enum Rec<'a> {
    Base(u32),
    Delta(&'a DeltaRecord),
}

impl PhoneDirectory {
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty directory. The sizes are hints only: the base is built at
    /// its exact size by each merge, so there is nothing to reserve.
    pub fn with_capacity(_records: usize, _numbers: usize) -> Self {
        Self::default()
    }

    /// How many numbers are indexed (one per record and number).
    pub fn len(&self) -> usize {
        self.base.live_numbers() + self.delta.numbers()
    }

    pub fn is_empty(&self) -> bool {
        self.record_count() == 0
    }

    pub fn record_count(&self) -> usize {
        self.base.live() + self.delta.live()
    }

    /// Heap bytes held: the capacities of all its parts.
    pub fn approx_bytes(&self) -> usize {
        size_of::<Self>()
            + self.base.approx_bytes()
            + self.delta.approx_bytes()
            + self.shared.approx_bytes()
            + self.profiles.approx_bytes()
    }

    /// [`Self::approx_bytes`] part by part (the struct itself left out),
    /// for reports.
    pub fn byte_parts(&self) -> Vec<(&'static str, usize)> {
        let mut parts = self.base.parts();
        parts.push(("delta", self.delta.approx_bytes()));
        parts.push(("interned text", self.shared.approx_bytes()));
        parts.push(("interned profiles", self.profiles.approx_bytes()));
        parts
    }

    /// The records having `number`, in no particular order (rank them with
    /// [`super::MatchRule`]).
    pub fn lookup(&self, number: &E164) -> Vec<EntryView<'_>> {
        let Some(key) = e164_key(number) else {
            return Vec::new();
        };
        let mut slots = Vec::new();
        self.base.lookup(key, &mut slots);
        let from = slots.len();
        self.delta.lookup(key, &mut slots);
        let offset = self.base.len() as u32;
        slots[from..].iter_mut().for_each(|s| *s += offset);
        slots
            .into_iter()
            .map(|slot| EntryView { dir: self, slot })
            .collect()
    }

    pub fn get(&self, record: &CrmRecordRef) -> Option<EntryView<'_>> {
        self.find(record.module, &record.id)
            .map(|slot| EntryView { dir: self, slot })
    }

    /// Every record: the base's in id order, then the delta's.
    pub fn iter(&self) -> impl Iterator<Item = EntryView<'_>> {
        let offset = self.base.len() as u32;
        (0..offset)
            .filter(|&s| !self.base.is_dead(s))
            .chain(self.delta.iter().map(move |(i, _)| i + offset))
            .map(|slot| EntryView { dir: self, slot })
    }

    pub(super) fn rec(&self, slot: u32) -> Rec<'_> {
        match slot.checked_sub(self.base.len() as u32) {
            None => Rec::Base(slot),
            Some(i) => Rec::Delta(self.delta.get(i).expect("views name live records")),
        }
    }

    /// Inserts or replaces a record; its old numbers leave the index. A copy
    /// older than the one held is ignored, and a record without numbers is
    /// removed: the directory only keeps what a number can reach.
    pub fn upsert(&mut self, entry: &DirectoryEntry) -> Result<Upsert, DirectoryFull> {
        let done = self.upsert_inner(entry)?;
        self.maybe_merge()?;
        Ok(done)
    }

    /// Upserts many records; the way to fill a directory from storage.
    pub fn bulk_load<I>(&mut self, entries: I) -> Result<usize, DirectoryFull>
    where
        I: IntoIterator,
        I::Item: Borrow<DirectoryEntry>,
    {
        let mut kept = 0;
        for e in entries {
            if matches!(
                self.upsert_inner(e.borrow())?,
                Upsert::Inserted | Upsert::Updated
            ) {
                kept += 1;
            }
            self.maybe_merge()?;
        }
        Ok(kept)
    }

    /// Merges everything into the base, which has no spare room: for after
    /// a bulk load, when the directory will mostly be read.
    pub fn shrink_to_fit(&mut self) {
        if self.delta.live() > 0 || self.base.dead_count() > 0 {
            // Only fails past 32-bit offsets; the directory then stays as it is.
            let _ = self.compact();
        }
        self.delta = Delta::default();
        self.shared.shrink_to_fit();
        self.profiles.shrink_to_fit();
    }

    /// Removes a record and its numbers. `false` if it was not there.
    pub fn remove(&mut self, record: &CrmRecordRef) -> bool {
        let Some(slot) = self.find(record.module, &record.id) else {
            return false;
        };
        self.remove_slot(slot);
        let _ = self.maybe_merge();
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
        let _ = self.maybe_merge();
        gone.into_iter().map(|(_, r)| r).collect()
    }

    fn find(&self, module: CrmModule, id: &str) -> Option<u32> {
        let code = module_code(module);
        let id = IdText::of(id);
        if let Some(i) = self.delta.find(code, id) {
            return Some(i + self.base.len() as u32);
        }
        // A dead base record is either gone or has its live copy in the delta.
        self.base.find(code, id).filter(|&s| !self.base.is_dead(s))
    }

    fn remove_slot(&mut self, slot: u32) {
        match slot.checked_sub(self.base.len() as u32) {
            None => self.base.kill(slot),
            Some(i) => self.delta.remove(i),
        }
    }

    fn upsert_inner(&mut self, entry: &DirectoryEntry) -> Result<Upsert, DirectoryFull> {
        let keys = keys_of(entry);
        let modified = modified_secs(entry.modified_at);
        let existing = self.find(entry.record.module, &entry.record.id);
        if let Some(slot) = existing {
            let held = match self.rec(slot) {
                Rec::Base(s) => self.base.modified[s as usize],
                Rec::Delta(r) => r.modified,
            };
            if modified < held {
                return Ok(Upsert::Stale);
            }
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
        let name = cut(&entry.name);
        let (profile, modules) = intern_profile(&mut self.shared, &mut self.profiles, entry)?;
        let record = || DeltaRecord {
            id: IdKey::of(&entry.record.id),
            modules,
            modified,
            profile,
            name: name.into(),
            numbers: keys.clone().into_boxed_slice(),
        };
        let Some(slot) = existing else {
            self.delta.insert(record());
            return Ok(Upsert::Inserted);
        };
        match slot.checked_sub(self.base.len() as u32) {
            Some(i) => self.delta.replace(i, record()),
            // Same name and numbers (most of a full resync): the fixed-size
            // fields change in place.
            None if self.base.name(slot) == name && self.base.numbers(slot) == keys => {
                let s = slot as usize;
                self.base.modified[s] = modified;
                self.base.profiles[s] = profile;
                self.base.modules[s] = modules;
            }
            None => {
                self.base.kill(slot);
                self.delta.insert(record());
            }
        }
        Ok(Upsert::Updated)
    }

    /// From now on changes never merge by themselves: the owner asks
    /// [`Self::wants_merge`] after changing it and builds the merge with
    /// [`Self::merged`] from a shared borrow (a service: under its read
    /// lock, so lookups go on), then swaps it in.
    pub fn defer_merges(&mut self) {
        self.deferred = true;
    }

    /// Whether the delta or the base's dead records have grown enough for
    /// a merge.
    pub fn wants_merge(&self) -> bool {
        let bound = MIN_DELTA.max(self.base.len() / 8);
        self.delta.live() > bound || self.base.dead_count() > bound
    }

    fn maybe_merge(&mut self) -> Result<(), DirectoryFull> {
        if !self.deferred && self.wants_merge() {
            self.compact()?;
        }
        Ok(())
    }

    pub(super) fn compact(&mut self) -> Result<(), DirectoryFull> {
        *self = self.merged()?;
        Ok(())
    }

    /// The same records with the live ones of the base and the delta
    /// merged into a new base, in id order, and an empty delta.
    pub fn merged(&self) -> Result<Self, DirectoryFull> {
        let mut added: Vec<&DeltaRecord> = self.delta.iter().map(|(_, r)| r).collect();
        added.sort_unstable_by(|a, b| order_key(a).cmp(&order_key(b)));
        let name_bytes = self.base.name_bytes() + added.iter().map(|r| r.name.len()).sum::<usize>();
        let mut builder = BaseBuilder::with_capacity(self.record_count(), self.len(), name_bytes);
        let mut profiles = Reintern::new(&self.shared, &self.profiles);
        let base = &self.base;
        let mut old = (0..base.len() as u32)
            .filter(|&s| !base.is_dead(s))
            .peekable();
        let mut new = added.into_iter().peekable();
        loop {
            let from_base = match (old.peek(), new.peek()) {
                (Some(&s), Some(r)) => (base.id(s), base.modules[s as usize] & 0xF) < order_key(r),
                (Some(_), None) => true,
                (None, Some(_)) => false,
                (None, None) => break,
            };
            if from_base {
                let s = old.next().expect("peeked");
                let i = s as usize;
                builder.push(&BaseRecord {
                    id: base.id(s),
                    modules: base.modules[i],
                    modified: base.modified[i],
                    name: base.name(s),
                    profile: profiles.map(base.profiles[i])?,
                    numbers: &base.numbers(s),
                })?;
            } else {
                let r = new.next().expect("peeked");
                builder.push(&BaseRecord {
                    id: r.id.as_text(),
                    modules: r.modules,
                    modified: r.modified,
                    name: &r.name,
                    profile: profiles.map(r.profile)?,
                    numbers: &r.numbers,
                })?;
            }
        }
        let (shared, profiles) = profiles.finish();
        Ok(Self {
            base: builder.finish(),
            delta: Delta::default(),
            shared,
            profiles,
            deferred: self.deferred,
        })
    }

    /// Bytes of name text held, live and dead.
    #[cfg(test)]
    pub(super) fn text_bytes(&self) -> usize {
        self.base.name_bytes() + self.delta.iter().map(|(_, r)| r.name.len()).sum::<usize>()
    }
}

fn order_key(r: &DeltaRecord) -> (IdText<'_>, u8) {
    (r.id.as_text(), r.modules & 0xF)
}

/// The record's numbers as keys, in input order (the CRM's field order),
/// duplicates dropped, at most [`MAX_NUMBERS_PER_RECORD`].
pub(super) fn keys_of(entry: &DirectoryEntry) -> Vec<u64> {
    let mut keys: Vec<u64> = Vec::with_capacity(entry.numbers.len());
    for key in entry.numbers.iter().filter_map(e164_key) {
        if !keys.contains(&key) && keys.len() < MAX_NUMBERS_PER_RECORD {
            keys.push(key);
        }
    }
    keys
}

/// The record's interned company/owner/account triple and its modules
/// byte (low nibble: its module; high nibble: its account's).
pub(super) fn intern_profile(
    shared: &mut Interner,
    profiles: &mut Profiles,
    entry: &DirectoryEntry,
) -> Result<(u32, u8), DirectoryFull> {
    let profile = profiles.intern([
        shared.intern(entry.company.as_deref())?,
        shared.intern(entry.owner_id.as_deref())?,
        shared.intern(entry.account.as_ref().map(|a| a.id.as_str()))?,
    ])?;
    let account = entry
        .account
        .as_ref()
        .map_or(NO_MODULE, |a| module_code(a.module));
    Ok((profile, module_code(entry.record.module) | account << 4))
}

/// `name`, cut to [`MAX_NAME_BYTES`] at a character boundary.
pub(super) fn cut(name: &str) -> &str {
    if name.len() <= MAX_NAME_BYTES {
        return name;
    }
    let mut end = MAX_NAME_BYTES;
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    &name[..end]
}
