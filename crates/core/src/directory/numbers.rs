//! The base segment's number → record index: its cells sorted by number.
//!
//! A cell names one number of one record (see [`super::base`]); the index
//! keeps only the cells (4 bytes each), not the numbers, which the base
//! holds once. A search compares through the cells, so it starts in a
//! small array of every [`FENCE`]th number (`fences`, 8 bytes per 16
//! entries, mostly in cache) and then needs only a few reads of the base.

/// One fence per this many cells.
const FENCE: usize = 16;

#[derive(Debug, Clone, Default)]
pub(crate) struct NumberIndex {
    cells: Vec<u32>,
    fences: Vec<u64>,
}

impl NumberIndex {
    /// The index of `(number, cell)` pairs, in any order.
    pub(crate) fn build(mut pairs: Vec<(u64, u32)>) -> Self {
        pairs.sort_unstable();
        let fences = pairs.iter().step_by(FENCE).map(|p| p.0).collect();
        let cells = pairs.into_iter().map(|p| p.1).collect();
        Self { cells, fences }
    }

    pub(crate) fn len(&self) -> usize {
        self.cells.len()
    }

    /// Appends the cells whose number (`key_of`) is `key` to `out`.
    pub(crate) fn lookup(&self, key: u64, key_of: impl Fn(u32) -> u64, out: &mut Vec<u32>) {
        // Fence `b` is the first not below `key`: the run of `key` starts
        // after fence `b - 1`, in block `b - 1` or at fence `b`.
        let b = self.fences.partition_point(|&f| f < key);
        let lo = b.saturating_sub(1) * FENCE;
        let hi = (b * FENCE).min(self.cells.len());
        let first = lo + self.cells[lo..hi].partition_point(|&c| key_of(c) < key);
        out.extend(
            self.cells[first..]
                .iter()
                .take_while(|&&c| key_of(c) == key),
        );
    }

    pub(crate) fn approx_bytes(&self) -> usize {
        self.cells.capacity() * size_of::<u32>() + self.fences.capacity() * size_of::<u64>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(index: &NumberIndex, keys: &[u64], key: u64) -> Vec<u32> {
        let mut out = Vec::new();
        index.lookup(key, |c| keys[c as usize], &mut out);
        out.sort_unstable();
        out
    }

    #[test]
    fn finds_every_run_across_fences() {
        // Runs of 1 to 40 equal numbers, so runs start and end inside
        // blocks, at fences, and span several blocks.
        let keys: Vec<u64> = (0..2_000u64).map(|i| 100 + (i * i) % 997 * 2).collect();
        let pairs = keys
            .iter()
            .enumerate()
            .map(|(c, &k)| (k, c as u32))
            .collect();
        let index = NumberIndex::build(pairs);
        assert_eq!(index.len(), 2_000);
        for key in 95..(100 + 997 * 2 + 5) {
            let want: Vec<u32> = (0..2_000u32).filter(|&c| keys[c as usize] == key).collect();
            assert_eq!(found(&index, &keys, key), want, "{key}");
        }
        let empty = NumberIndex::build(Vec::new());
        assert!(found(&empty, &keys, 100).is_empty());
    }
}
