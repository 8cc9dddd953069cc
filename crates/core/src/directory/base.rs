//! The base segment of the [`super::PhoneDirectory`]: every record as of
//! the last merge, as parallel arrays (struct of arrays, no padding) in id
//! order, so the order itself is the id index (binary search).
//!
//! Per record: the id's low 32 bits (the high halves are kept once per
//! run of ids sharing them — one org's Zoho ids share them), the modules
//! (1 byte), the modification time (4), the end of its name in one string
//! (4), its company/owner/account triple (4), its first number (8) and that
//! number's cell in the [`NumberIndex`] (4). Further numbers of a record
//! are in `extra`, with their owner. Ids that are not numbers sort after
//! all the numeric ones and are kept as text.
//!
//! The base is rebuilt, never grown: a removed or rewritten record is only
//! marked dead here (the live copy of a rewritten one is in the delta).

use super::numbers::NumberIndex;
use super::text::{DirectoryFull, IdText};

/// A cell with this bit names `extra[cell & !EXTRA]`, else the first
/// number of record `cell`.
const EXTRA: u32 = 1 << 31;

/// One name offset is kept per this many records; reading a name skips
/// at most this many less one before it (a few cache lines).
const NAME_MARK: usize = 16;

#[derive(Debug, Clone, Default)]
pub(crate) struct Base {
    id_lo: Vec<u32>,
    /// `(high 32 bits, first record)` of each run of numeric ids.
    id_runs: Vec<(u32, u32)>,
    /// Text ids of records `id_lo.len()..`, end to end.
    id_text: String,
    id_text_ends: Vec<u32>,
    /// Low nibble: the record's module; high nibble: its account's.
    pub(crate) modules: Vec<u8>,
    /// Seconds since the Unix epoch (see `slot::modified_secs`).
    pub(crate) modified: Vec<u32>,
    /// Each name after its length (LEB128: one byte below 128), end to
    /// end; `name_marks` has where every [`NAME_MARK`]th one starts.
    names: Vec<u8>,
    name_marks: Vec<u32>,
    pub(crate) profiles: Vec<u32>,
    first: Vec<u64>,
    /// Records with more than one number, ascending, and where their
    /// further numbers start in `extra` (one more entry: the end).
    multi: Vec<u32>,
    multi_at: Vec<u32>,
    extra: Vec<u64>,
    extra_owner: Vec<u32>,
    index: NumberIndex,
    dead: Vec<u64>,
    dead_count: usize,
    dead_numbers: usize,
}

/// What the base keeps of one record, for building and reading it back.
pub(crate) struct BaseRecord<'a> {
    pub(crate) id: IdText<'a>,
    pub(crate) modules: u8,
    pub(crate) modified: u32,
    pub(crate) name: &'a str,
    pub(crate) profile: u32,
    pub(crate) numbers: &'a [u64],
}

impl Base {
    /// Records, dead ones included (slot numbers below this are the base's).
    pub(crate) fn len(&self) -> usize {
        self.modules.len()
    }

    pub(crate) fn live(&self) -> usize {
        self.len() - self.dead_count
    }

    pub(crate) fn dead_count(&self) -> usize {
        self.dead_count
    }

    /// Numbers of live records.
    pub(crate) fn live_numbers(&self) -> usize {
        self.index.len() - self.dead_numbers
    }

    pub(crate) fn is_dead(&self, slot: u32) -> bool {
        self.dead[slot as usize / 64] & 1 << (slot % 64) != 0
    }

    pub(crate) fn kill(&mut self, slot: u32) {
        if !self.is_dead(slot) {
            self.dead[slot as usize / 64] |= 1 << (slot % 64);
            self.dead_count += 1;
            self.dead_numbers += 1 + self.extra_range(slot).len();
        }
    }

    pub(crate) fn id(&self, slot: u32) -> IdText<'_> {
        let s = slot as usize;
        if s < self.id_lo.len() {
            let run = self.id_runs.partition_point(|r| r.1 <= slot) - 1;
            let hi = u64::from(self.id_runs[run].0);
            return IdText::Number(hi << 32 | u64::from(self.id_lo[s]));
        }
        let t = s - self.id_lo.len();
        IdText::Text(span(&self.id_text, &self.id_text_ends, t))
    }

    /// Bytes of name text, dead records' included.
    pub(crate) fn name_bytes(&self) -> usize {
        self.names.len()
    }

    pub(crate) fn name(&self, slot: u32) -> &str {
        let s = slot as usize;
        let mut at = self.name_marks[s / NAME_MARK] as usize;
        for _ in 0..s % NAME_MARK {
            let (len, n) = read_len(&self.names[at..]);
            at += n + len;
        }
        let (len, n) = read_len(&self.names[at..]);
        // Only whole names are written; `get` and `unwrap_or` keep a bad
        // offset from panicking.
        let bytes = self.names.get(at + n..at + n + len).unwrap_or(&[]);
        std::str::from_utf8(bytes).unwrap_or("")
    }

    fn extra_range(&self, slot: u32) -> std::ops::Range<usize> {
        match self.multi.binary_search(&slot) {
            Ok(i) => self.multi_at[i] as usize..self.multi_at[i + 1] as usize,
            Err(_) => 0..0,
        }
    }

    /// The record's numbers, first one first.
    pub(crate) fn numbers(&self, slot: u32) -> Vec<u64> {
        let mut out = vec![self.first[slot as usize]];
        out.extend_from_slice(&self.extra[self.extra_range(slot)]);
        out
    }

    /// The live records having `key`.
    pub(crate) fn lookup(&self, key: u64, out: &mut Vec<u32>) {
        let start = out.len();
        let key_of = |c: u32| {
            if c & EXTRA == 0 {
                self.first[c as usize]
            } else {
                self.extra[(c & !EXTRA) as usize]
            }
        };
        self.index.lookup(key, key_of, out);
        for c in &mut out[start..] {
            if *c & EXTRA != 0 {
                *c = self.extra_owner[(*c & !EXTRA) as usize];
            }
        }
        let mut i = start;
        while i < out.len() {
            if self.is_dead(out[i]) {
                out.swap_remove(i);
            } else {
                i += 1;
            }
        }
    }

    /// The record with `id` in module `code`, live or dead.
    pub(crate) fn find(&self, code: u8, id: IdText<'_>) -> Option<u32> {
        let numeric = self.id_lo.len();
        let range = match id {
            IdText::Number(n) => {
                let hi = (n >> 32) as u32;
                let run = self.id_runs.binary_search_by_key(&hi, |r| r.0).ok()?;
                let start = self.id_runs[run].1 as usize;
                let end = self.id_runs.get(run + 1).map_or(numeric, |r| r.1 as usize);
                let lo = n as u32;
                let first = start + self.id_lo[start..end].partition_point(|&l| l < lo);
                first..end
            }
            IdText::Text(t) => {
                let count = self.id_text_ends.len();
                let first = partition(count, |i| span(&self.id_text, &self.id_text_ends, i) < t);
                numeric + first..numeric + count
            }
        };
        // Equal ids sit together, one per module.
        range
            .take_while(|&s| self.id(s as u32) == id)
            .find(|&s| self.modules[s] & 0xF == code)
            .map(|s| s as u32)
    }

    pub(crate) fn approx_bytes(&self) -> usize {
        self.id_lo.capacity() * 4
            + self.id_runs.capacity() * 8
            + self.id_text.capacity()
            + self.id_text_ends.capacity() * 4
            + self.modules.capacity()
            + self.modified.capacity() * 4
            + self.names.capacity()
            + self.name_marks.capacity() * 4
            + self.profiles.capacity() * 4
            + self.first.capacity() * 8
            + self.multi.capacity() * 4
            + self.multi_at.capacity() * 4
            + self.extra.capacity() * 8
            + self.extra_owner.capacity() * 4
            + self.index.approx_bytes()
            + self.dead.capacity() * 8
    }

    /// `(part, bytes)` of the heap, for reports.
    pub(crate) fn parts(&self) -> Vec<(&'static str, usize)> {
        vec![
            (
                "base ids",
                self.id_lo.capacity() * 4 + self.id_runs.capacity() * 8,
            ),
            (
                "base text ids",
                self.id_text.capacity() + self.id_text_ends.capacity() * 4,
            ),
            ("base modules", self.modules.capacity()),
            ("base modified", self.modified.capacity() * 4),
            ("base names", self.names.capacity()),
            ("base name marks", self.name_marks.capacity() * 4),
            ("base profiles", self.profiles.capacity() * 4),
            ("base first numbers", self.first.capacity() * 8),
            (
                "base further numbers",
                (self.multi.capacity() + self.multi_at.capacity() + self.extra_owner.capacity())
                    * 4
                    + self.extra.capacity() * 8,
            ),
            ("base number index", self.index.approx_bytes()),
            ("base dead bits", self.dead.capacity() * 8),
        ]
    }
}

/// Text `i` of strings stored end to end with their end offsets.
fn span<'a>(text: &'a str, ends: &[u32], i: usize) -> &'a str {
    let start = if i == 0 { 0 } else { ends[i - 1] as usize };
    // Offsets are only written at char boundaries; `get` keeps a bad one
    // from panicking.
    text.get(start..ends[i] as usize).unwrap_or("")
}

/// The first `i` in `0..n` for which `below(i)` is false (`below` must be
/// true then false over the range).
fn partition(n: usize, below: impl Fn(usize) -> bool) -> usize {
    let (mut lo, mut hi) = (0, n);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if below(mid) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    lo
}

/// Builds a [`Base`] from records given in id order (numeric ids first).
pub(crate) struct BaseBuilder {
    base: Base,
    pairs: Vec<(u64, u32)>,
}

impl BaseBuilder {
    pub(crate) fn with_capacity(records: usize, numbers: usize, name_bytes: usize) -> Self {
        let base = Base {
            id_lo: Vec::with_capacity(records),
            modules: Vec::with_capacity(records),
            modified: Vec::with_capacity(records),
            names: Vec::with_capacity(name_bytes + records),
            name_marks: Vec::with_capacity(records.div_ceil(NAME_MARK)),
            profiles: Vec::with_capacity(records),
            first: Vec::with_capacity(records),
            ..Base::default()
        };
        Self {
            base,
            pairs: Vec::with_capacity(numbers),
        }
    }

    pub(crate) fn push(&mut self, r: &BaseRecord<'_>) -> Result<(), DirectoryFull> {
        let b = &mut self.base;
        let slot = u32::try_from(b.len())
            .ok()
            .filter(|&s| s < EXTRA)
            .ok_or(DirectoryFull)?;
        match r.id {
            IdText::Number(n) => {
                debug_assert!(b.id_text_ends.is_empty(), "numeric ids come first");
                let hi = (n >> 32) as u32;
                if b.id_runs.last().is_none_or(|run| run.0 != hi) {
                    b.id_runs.push((hi, slot));
                }
                b.id_lo.push(n as u32);
            }
            IdText::Text(t) => {
                b.id_text.push_str(t);
                b.id_text_ends.push(end_offset(b.id_text.len())?);
            }
        }
        b.modules.push(r.modules);
        b.modified.push(r.modified);
        if (slot as usize).is_multiple_of(NAME_MARK) {
            b.name_marks.push(end_offset(b.names.len())?);
        }
        write_len(&mut b.names, r.name.len());
        b.names.extend_from_slice(r.name.as_bytes());
        b.profiles.push(r.profile);
        let (&first, rest) = r.numbers.split_first().ok_or(DirectoryFull)?;
        b.first.push(first);
        self.pairs.push((first, slot));
        if !rest.is_empty() {
            b.multi.push(slot);
            b.multi_at.push(cell_offset(b.extra.len())?);
            for &key in rest {
                self.pairs.push((key, EXTRA | cell_offset(b.extra.len())?));
                b.extra.push(key);
                b.extra_owner.push(slot);
            }
        }
        Ok(())
    }

    pub(crate) fn finish(mut self) -> Base {
        let mut b = self.base;
        if !b.multi.is_empty() {
            b.multi_at.push(b.extra.len() as u32);
        }
        b.index = NumberIndex::build(std::mem::take(&mut self.pairs));
        b.dead = vec![0; b.len().div_ceil(64)];
        b.name_marks.shrink_to_fit();
        for v in [&mut b.id_lo, &mut b.profiles] {
            v.shrink_to_fit();
        }
        b.id_runs.shrink_to_fit();
        b.id_text.shrink_to_fit();
        b.id_text_ends.shrink_to_fit();
        b.modules.shrink_to_fit();
        b.modified.shrink_to_fit();
        b.names.shrink_to_fit();
        b.first.shrink_to_fit();
        b.multi.shrink_to_fit();
        b.multi_at.shrink_to_fit();
        b.extra.shrink_to_fit();
        b.extra_owner.shrink_to_fit();
        b
    }
}

fn end_offset(len: usize) -> Result<u32, DirectoryFull> {
    u32::try_from(len).map_err(|_| DirectoryFull)
}

/// Appends `len` as LEB128 (7 bits a byte, high bit: more follow).
fn write_len(out: &mut Vec<u8>, mut len: usize) {
    while len >= 0x80 {
        out.push(len as u8 | 0x80);
        len >>= 7;
    }
    out.push(len as u8);
}

/// The length at the start of `bytes` and how many bytes it took.
fn read_len(bytes: &[u8]) -> (usize, usize) {
    let (mut len, mut shift) = (0, 0);
    for (i, &b) in bytes.iter().enumerate() {
        len |= usize::from(b & 0x7F) << shift;
        if b & 0x80 == 0 {
            return (len, i + 1);
        }
        shift += 7;
    }
    (0, bytes.len())
}

fn cell_offset(n: usize) -> Result<u32, DirectoryFull> {
    u32::try_from(n)
        .ok()
        .filter(|&n| n < EXTRA)
        .ok_or(DirectoryFull)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_round_trip_in_leb128() {
        for len in [0, 1, 127, 128, 300, 16_383, 16_384, 65_535, 1 << 30] {
            let mut buf = vec![];
            write_len(&mut buf, len);
            buf.push(0xAA);
            assert_eq!(read_len(&buf), (len, buf.len() - 1), "{len}");
        }
        assert_eq!(read_len(&[0x80]), (0, 1), "a cut length reads as empty");
    }
}
