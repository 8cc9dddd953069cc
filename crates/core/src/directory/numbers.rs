//! The number → record map: E.164 digits as `u64` keys.
//!
//! Most entries live in a sorted base (two parallel arrays, 12 bytes per
//! entry, binary-searched); recent inserts go to a small ordered delta that
//! is merged into the base once it grows past a fraction of it, so inserts
//! stay cheap and the base stays compact. Removals from the base leave a
//! tombstone until the next merge.

use std::collections::BTreeSet;

/// Marks a removed base entry.
const TOMBSTONE: u32 = u32::MAX;

/// The delta is merged once it holds more than this many entries, or more
/// than 1/16 of the base, whichever is larger.
const MIN_DELTA: usize = 4096;

#[derive(Debug, Clone, Default)]
pub(crate) struct NumberIndex {
    keys: Vec<u64>,
    slots: Vec<u32>,
    tombstones: usize,
    delta: BTreeSet<(u64, u32)>,
    /// Bulk inserts waiting for one sort-and-merge.
    staged: Vec<(u64, u32)>,
}

impl NumberIndex {
    pub(crate) fn with_capacity(numbers: usize) -> Self {
        Self {
            keys: Vec::with_capacity(numbers),
            slots: Vec::with_capacity(numbers),
            ..Self::default()
        }
    }

    /// Entries in the index (tombstones excluded).
    pub(crate) fn len(&self) -> usize {
        self.keys.len() - self.tombstones + self.delta.len() + self.staged.len()
    }

    pub(crate) fn insert(&mut self, key: u64, slot: u32) {
        self.delta.insert((key, slot));
        if self.delta.len() > MIN_DELTA.max(self.keys.len() / 16) {
            self.merge();
        }
    }

    /// Like `insert`, but defers the work to [`NumberIndex::flush`]; for bulk loads.
    pub(crate) fn stage(&mut self, key: u64, slot: u32) {
        self.staged.push((key, slot));
    }

    pub(crate) fn remove(&mut self, key: u64, slot: u32) {
        if self.delta.remove(&(key, slot)) {
            return;
        }
        if let Some(i) = self.staged.iter().position(|&e| e == (key, slot)) {
            self.staged.swap_remove(i);
            return;
        }
        let start = self.keys.partition_point(|&k| k < key);
        let end = start + self.keys[start..].partition_point(|&k| k == key);
        if let Some(i) = (start..end).find(|&i| self.slots[i] == slot) {
            self.slots[i] = TOMBSTONE;
            self.tombstones += 1;
            if self.tombstones > MIN_DELTA.max(self.keys.len() / 4) {
                self.merge();
            }
        }
    }

    /// Appends the slots holding `key` to `out`.
    pub(crate) fn lookup(&self, key: u64, out: &mut Vec<u32>) {
        let start = self.keys.partition_point(|&k| k < key);
        out.extend(
            self.keys[start..]
                .iter()
                .zip(&self.slots[start..])
                .take_while(|&(&k, _)| k == key)
                .map(|(_, &s)| s)
                .filter(|&s| s != TOMBSTONE),
        );
        out.extend(
            self.delta
                .range((key, 0)..=(key, u32::MAX))
                .map(|&(_, s)| s),
        );
        if !self.staged.is_empty() {
            out.extend(self.staged.iter().filter(|e| e.0 == key).map(|e| e.1));
        }
    }

    /// Makes staged bulk inserts ordinary entries: a batch small next to
    /// the base joins the delta (so loading page by page does not rewrite
    /// the base per page), a large one is merged into the base.
    pub(crate) fn flush(&mut self) {
        if self.staged.len() > MIN_DELTA.max(self.keys.len() / 16) {
            self.merge();
        } else {
            for (key, slot) in std::mem::take(&mut self.staged) {
                self.insert(key, slot);
            }
        }
    }

    /// Everything into the sorted base, tombstones dropped, no spare room.
    pub(crate) fn compact(&mut self) {
        if !self.delta.is_empty() || !self.staged.is_empty() || self.tombstones > 0 {
            self.merge();
        }
        self.keys.shrink_to_fit();
        self.slots.shrink_to_fit();
        self.staged.shrink_to_fit();
    }

    /// Rebuilds the base from base + delta + staged, dropping tombstones.
    fn merge(&mut self) {
        let mut incoming = std::mem::take(&mut self.staged);
        incoming.extend(std::mem::take(&mut self.delta));
        incoming.sort_unstable();
        let live = self.keys.len() - self.tombstones + incoming.len();
        let mut keys = Vec::with_capacity(live);
        let mut slots = Vec::with_capacity(live);
        let mut base = self
            .keys
            .iter()
            .zip(&self.slots)
            .filter(|&(_, &s)| s != TOMBSTONE)
            .map(|(&k, &s)| (k, s))
            .peekable();
        let mut new = incoming.into_iter().peekable();
        loop {
            let next = match (base.peek(), new.peek()) {
                (Some(b), Some(n)) if b <= n => base.next(),
                (Some(_), Some(_)) | (None, Some(_)) => new.next(),
                (Some(_), None) => base.next(),
                (None, None) => break,
            };
            if let Some((k, s)) = next {
                keys.push(k);
                slots.push(s);
            }
        }
        self.keys = keys;
        self.slots = slots;
        self.tombstones = 0;
    }

    pub(crate) fn approx_bytes(&self) -> usize {
        // A B-tree node holds up to 11 entries with some slack; ~1.5x is a
        // fair average for its per-entry cost.
        self.keys.capacity() * size_of::<u64>()
            + self.slots.capacity() * size_of::<u32>()
            + self.delta.len() * size_of::<(u64, u32)>() * 3 / 2
            + self.staged.capacity() * size_of::<(u64, u32)>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(index: &NumberIndex, key: u64) -> Vec<u32> {
        let mut out = Vec::new();
        index.lookup(key, &mut out);
        out.sort_unstable();
        out
    }

    #[test]
    fn inserts_removes_and_merges_agree() {
        let mut index = NumberIndex::default();
        for slot in 0..10_000u32 {
            index.insert(u64::from(slot % 3_000) + 100, slot);
        }
        assert_eq!(index.len(), 10_000);
        assert!(index.delta.len() < 10_000, "the delta was merged");
        assert_eq!(found(&index, 100), vec![0, 3_000, 6_000, 9_000]);
        index.remove(100, 3_000);
        index.remove(100, 77); // not there: no effect
        assert_eq!(found(&index, 100), vec![0, 6_000, 9_000]);
        assert_eq!(index.len(), 9_999);
        index.merge();
        assert_eq!(found(&index, 100), vec![0, 6_000, 9_000]);
        assert!(found(&index, 99).is_empty());
        assert!(found(&index, 3_100).is_empty());
    }

    #[test]
    fn a_small_flush_joins_the_delta_and_a_large_one_the_base() {
        let mut index = NumberIndex::default();
        (0..10u32).for_each(|s| index.stage(u64::from(s), s));
        index.flush();
        assert_eq!((index.keys.len(), index.delta.len()), (0, 10));
        (10..10_000u32).for_each(|s| index.stage(u64::from(s), s));
        index.flush();
        assert_eq!((index.keys.len(), index.delta.len()), (10_000, 0));
        assert_eq!(found(&index, 5), vec![5]);
        assert_eq!(found(&index, 9_999), vec![9_999]);
    }

    #[test]
    fn staged_entries_are_visible_before_and_after_flush() {
        let mut index = NumberIndex::default();
        index.insert(5, 1);
        index.stage(5, 2);
        index.stage(7, 3);
        assert_eq!(found(&index, 5), vec![1, 2]);
        index.remove(7, 3);
        index.flush();
        assert_eq!(found(&index, 5), vec![1, 2]);
        assert!(found(&index, 7).is_empty());
        assert_eq!(index.len(), 2);
    }
}
