//! The delta of the [`super::PhoneDirectory`]: records added or rewritten
//! since the last merge, kept simply (owned text, a hash table by id, an
//! number → record table) because they are few next to the base; the
//! directory merges them into a new base once they are not.

use std::hash::{BuildHasher, Hash, Hasher, RandomState};

use hashbrown::HashTable;

use super::text::{IdKey, IdText, table_bytes};

#[derive(Debug, Clone)]
pub(crate) struct DeltaRecord {
    pub(crate) id: IdKey,
    /// As in the base: low nibble module, high nibble account module.
    pub(crate) modules: u8,
    pub(crate) modified: u32,
    pub(crate) profile: u32,
    pub(crate) name: Box<str>,
    pub(crate) numbers: Box<[u64]>,
}

impl DeltaRecord {
    fn heap_bytes(&self) -> usize {
        self.id.heap_bytes() + self.name.len() + self.numbers.len() * size_of::<u64>()
    }
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Delta {
    records: Vec<Option<DeltaRecord>>,
    free: Vec<u32>,
    ids: HashTable<u32>,
    hasher: RandomState,
    /// `(number, record)` pairs, hashed by the number.
    numbers: HashTable<(u64, u32)>,
    live: usize,
    /// Heap bytes of the live records' own text and numbers.
    heap: usize,
}

impl Delta {
    pub(crate) fn live(&self) -> usize {
        self.live
    }

    pub(crate) fn numbers(&self) -> usize {
        self.numbers.len()
    }

    pub(crate) fn get(&self, i: u32) -> Option<&DeltaRecord> {
        self.records.get(i as usize)?.as_ref()
    }

    fn hash(hasher: &RandomState, code: u8, id: IdText<'_>) -> u64 {
        let mut h = hasher.build_hasher();
        code.hash(&mut h);
        id.hash_into(&mut h);
        h.finish()
    }

    fn rehash(&self, i: u32) -> u64 {
        let r = self.records[i as usize]
            .as_ref()
            .expect("the id table names live records only");
        Self::hash(&self.hasher, r.modules & 0xF, r.id.as_text())
    }

    pub(crate) fn find(&self, code: u8, id: IdText<'_>) -> Option<u32> {
        let hash = Self::hash(&self.hasher, code, id);
        self.ids
            .find(hash, |&i| {
                self.get(i)
                    .is_some_and(|r| r.modules & 0xF == code && r.id.as_text() == id)
            })
            .copied()
    }

    /// Adds a record not held yet; returns its index.
    pub(crate) fn insert(&mut self, record: DeltaRecord) -> u32 {
        let hash = Self::hash(&self.hasher, record.modules & 0xF, record.id.as_text());
        self.heap += record.heap_bytes();
        let keys = record.numbers.clone();
        let i = match self.free.pop() {
            Some(i) => {
                self.records[i as usize] = Some(record);
                i
            }
            None => {
                self.records.push(Some(record));
                (self.records.len() - 1) as u32
            }
        };
        let Self {
            ids,
            records,
            hasher,
            ..
        } = self;
        ids.insert_unique(hash, i, |&j| {
            let r = records[j as usize].as_ref().expect("live");
            Self::hash(hasher, r.modules & 0xF, r.id.as_text())
        });
        self.index_numbers(i, &keys);
        self.live += 1;
        i
    }

    /// Replaces record `i` (same id).
    pub(crate) fn replace(&mut self, i: u32, record: DeltaRecord) {
        if let Some(old) = self.records[i as usize].take() {
            self.heap -= old.heap_bytes();
            self.unindex_numbers(i, &old.numbers);
        }
        self.heap += record.heap_bytes();
        self.index_numbers(i, &record.numbers);
        self.records[i as usize] = Some(record);
    }

    pub(crate) fn remove(&mut self, i: u32) {
        let hash = self.rehash(i);
        if let Ok(found) = self.ids.find_entry(hash, |&j| j == i) {
            found.remove();
        }
        if let Some(old) = self.records[i as usize].take() {
            self.heap -= old.heap_bytes();
            self.unindex_numbers(i, &old.numbers);
            self.free.push(i);
            self.live -= 1;
        }
    }

    fn index_numbers(&mut self, i: u32, keys: &[u64]) {
        let hasher = &self.hasher;
        for &k in keys {
            self.numbers
                .insert_unique(hasher.hash_one(k), (k, i), |p| hasher.hash_one(p.0));
        }
    }

    fn unindex_numbers(&mut self, i: u32, keys: &[u64]) {
        for &k in keys {
            if let Ok(found) = self
                .numbers
                .find_entry(self.hasher.hash_one(k), |&p| p == (k, i))
            {
                found.remove();
            }
        }
    }

    /// Appends the records having `key`.
    pub(crate) fn lookup(&self, key: u64, out: &mut Vec<u32>) {
        if self.numbers.is_empty() {
            return; // the usual case after a load: no hashing on the pop path
        }
        let hash = self.hasher.hash_one(key);
        out.extend(
            self.numbers
                .iter_hash(hash)
                .filter(|p| p.0 == key)
                .map(|p| p.1),
        );
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = (u32, &DeltaRecord)> {
        self.records
            .iter()
            .enumerate()
            .filter_map(|(i, r)| r.as_ref().map(|r| (i as u32, r)))
    }

    pub(crate) fn approx_bytes(&self) -> usize {
        self.records.capacity() * size_of::<Option<DeltaRecord>>()
            + self.free.capacity() * size_of::<u32>()
            + table_bytes(self.ids.capacity(), size_of::<u32>())
            + table_bytes(self.numbers.capacity(), size_of::<(u64, u32)>())
            + self.heap
    }
}
