//! [`DirectoryLoader`]: a directory filled from many records at once (the
//! stored directory at start). Records are staged as they come (compact:
//! text end to end, numbers as integers), sorted once, and written into
//! one base: no merges on the way, so no intermediate base is built and
//! freed (freed blocks the allocator keeps would stay resident).

use std::borrow::Borrow;

use super::DirectoryEntry;
use super::base::{BaseBuilder, BaseRecord};
use super::delta::Delta;
use super::index::{PhoneDirectory, cut, intern_profile, keys_of};
use super::slot::{modified_secs, module_code};
use super::text::{DirectoryFull, IdText, Interner, Profiles};

/// `Staged::id_len` of a numeric id.
const NUMERIC: u32 = u32::MAX;

/// Builds a [`PhoneDirectory`] from records in any order. The result holds
/// what upserting them one by one, in the order given, would leave: of
/// several copies of a record the later wins unless it is older, and a
/// copy without numbers removes the record.
#[derive(Debug, Default)]
pub struct DirectoryLoader {
    shared: Interner,
    profiles: Profiles,
    staged: Vec<Staged>,
    text_ids: String,
    names: String,
    numbers: Vec<u64>,
}

/// One record as given (32 bytes).
#[derive(Debug, Clone, Copy)]
struct Staged {
    /// The numeric id, or where the text id starts in `text_ids`.
    id: u64,
    /// Bytes of the text id, or [`NUMERIC`].
    id_len: u32,
    name_at: u32,
    numbers_at: u32,
    modified: u32,
    profile: u32,
    name_len: u16,
    modules: u8,
    /// Numbers of the record; 0: a copy that removes the record.
    count: u8,
}

impl DirectoryLoader {
    pub fn new() -> Self {
        Self::default()
    }

    /// Records staged so far (copies of one record counted each).
    pub fn staged(&self) -> usize {
        self.staged.len()
    }

    pub fn push(&mut self, entry: &DirectoryEntry) -> Result<(), DirectoryFull> {
        let keys = keys_of(entry);
        let (profile, modules) = if keys.is_empty() {
            (0, module_code(entry.record.module))
        } else {
            intern_profile(&mut self.shared, &mut self.profiles, entry)?
        };
        let (id, id_len) = match IdText::of(&entry.record.id) {
            IdText::Number(n) => (n, NUMERIC),
            IdText::Text(t) => {
                let at = self.text_ids.len() as u64;
                let len = u32::try_from(t.len())
                    .ok()
                    .filter(|&l| l != NUMERIC)
                    .ok_or(DirectoryFull)?;
                self.text_ids.push_str(t);
                (at, len)
            }
        };
        let name = cut(&entry.name);
        let name_at = offset(self.names.len())?;
        self.names.push_str(name);
        let numbers_at = offset(self.numbers.len())?;
        self.numbers.extend_from_slice(&keys);
        // Offsets of the next record must fit too.
        offset(self.names.len())?;
        offset(self.numbers.len())?;
        self.staged.push(Staged {
            id,
            id_len,
            name_at,
            numbers_at,
            modified: modified_secs(entry.modified_at),
            profile,
            // `cut` and `keys_of` bound both.
            name_len: name.len() as u16,
            modules,
            count: keys.len() as u8,
        });
        Ok(())
    }

    pub fn extend<I>(&mut self, entries: I) -> Result<(), DirectoryFull>
    where
        I: IntoIterator,
        I::Item: Borrow<DirectoryEntry>,
    {
        entries.into_iter().try_for_each(|e| self.push(e.borrow()))
    }

    fn id(&self, s: &Staged) -> IdText<'_> {
        if s.id_len == NUMERIC {
            return IdText::Number(s.id);
        }
        let at = s.id as usize;
        IdText::Text(self.text_ids.get(at..at + s.id_len as usize).unwrap_or(""))
    }

    /// The base's order: id, then module.
    fn key(&self, i: u32) -> (IdText<'_>, u8) {
        let s = &self.staged[i as usize];
        (self.id(s), s.modules & 0xF)
    }

    /// The directory of every record staged: one base, an empty delta.
    pub fn finish(self) -> Result<PhoneDirectory, DirectoryFull> {
        let mut order: Vec<u32> = (0..offset(self.staged.len())?).collect();
        // Copies of a record end up together, in the order given.
        order.sort_unstable_by(|&a, &b| self.key(a).cmp(&self.key(b)).then(a.cmp(&b)));
        let kept = self.pick_copies(&mut order);
        order.truncate(kept);

        let staged = &self.staged;
        let numbers = order.iter().map(|&i| staged[i as usize].count as usize);
        let name_bytes = order.iter().map(|&i| staged[i as usize].name_len as usize);
        let mut builder = BaseBuilder::with_capacity(order.len(), numbers.sum(), name_bytes.sum());
        for &i in &order {
            let s = &staged[i as usize];
            let name_at = s.name_at as usize;
            let numbers_at = s.numbers_at as usize;
            builder.push(&BaseRecord {
                id: self.id(s),
                modules: s.modules,
                modified: s.modified,
                name: self
                    .names
                    .get(name_at..name_at + s.name_len as usize)
                    .unwrap_or(""),
                profile: s.profile,
                numbers: &self.numbers[numbers_at..numbers_at + s.count as usize],
            })?;
        }
        let Self {
            mut shared,
            mut profiles,
            staged,
            text_ids,
            names,
            numbers,
        } = self;
        // Freed before the number index is sorted: a lower peak.
        drop((staged, text_ids, names, numbers, order));
        let base = builder.finish();
        shared.shrink_to_fit();
        profiles.shrink_to_fit();
        Ok(PhoneDirectory {
            base,
            delta: Delta::default(),
            shared,
            profiles,
            deferred: false,
        })
    }

    /// Of each run of copies of one record in `order`, keeps the one that
    /// upserting them in turn would leave (if any) at the front of
    /// `order`; returns how many were kept.
    fn pick_copies(&self, order: &mut [u32]) -> usize {
        let (mut kept, mut r) = (0, 0);
        while r < order.len() {
            let key = self.key(order[r]);
            let mut winner: Option<&Staged> = None;
            let mut winner_at = 0;
            while r < order.len() && self.key(order[r]) == key {
                let s = &self.staged[order[r] as usize];
                // An older copy than the one held is ignored.
                let newer = winner.is_none_or(|w| s.modified >= w.modified);
                if s.count == 0 {
                    if newer {
                        winner = None;
                    }
                } else if newer {
                    (winner, winner_at) = (Some(s), order[r]);
                }
                r += 1;
            }
            if winner.is_some() {
                order[kept] = winner_at;
                kept += 1;
            }
        }
        kept
    }
}

fn offset(n: usize) -> Result<u32, DirectoryFull> {
    u32::try_from(n).map_err(|_| DirectoryFull)
}
