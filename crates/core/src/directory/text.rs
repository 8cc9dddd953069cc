//! Compact string storage for the phone directory: one growing buffer per
//! kind of text instead of a `String` (24 bytes plus a heap block) per field.
//!
//! * [`Arena`]: append-only text; a [`StrRef`] (8 bytes) points into it.
//! * [`Interner`]: deduplicated text for values many records share (owner
//!   ids, companies, account ids); a [`Sym`] (4 bytes) names one.
//! * [`PackedId`]: a record id in 8 bytes — the number itself when the id is
//!   plain digits (Zoho's ids are), else a reference into an arena.
//!
//! Nothing is freed on update; the directory counts the garbage and
//! rebuilds these stores when it outweighs the live text.

use std::hash::{BuildHasher, Hash, Hasher, RandomState};

use hashbrown::HashTable;

/// The directory ran past what its 32-bit offsets can address (4 GiB of
/// text, or 4 billion records) — far beyond any real CRM.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the phone directory is full (32-bit offsets exhausted)")]
pub struct DirectoryFull;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct StrRef {
    off: u32,
    len: u32,
}

impl StrRef {
    pub(crate) fn new(off: u32, len: u32) -> Self {
        Self { off, len }
    }

    pub(crate) fn off(self) -> u32 {
        self.off
    }
}

#[derive(Debug, Default, Clone)]
pub(crate) struct Arena {
    buf: String,
}

impl Arena {
    pub(crate) fn with_capacity(bytes: usize) -> Self {
        Self {
            buf: String::with_capacity(bytes),
        }
    }

    pub(crate) fn push(&mut self, text: &str) -> Result<StrRef, DirectoryFull> {
        let off = u32::try_from(self.buf.len()).map_err(|_| DirectoryFull)?;
        let len = u32::try_from(text.len()).map_err(|_| DirectoryFull)?;
        off.checked_add(len).ok_or(DirectoryFull)?;
        self.buf.push_str(text);
        Ok(StrRef { off, len })
    }

    pub(crate) fn get(&self, r: StrRef) -> &str {
        let start = r.off as usize;
        // Refs only come from `push` on this arena, so the range is on
        // char boundaries; `get` keeps a foreign ref from panicking.
        self.buf.get(start..start + r.len as usize).unwrap_or("")
    }

    pub(crate) fn len(&self) -> usize {
        self.buf.len()
    }

    pub(crate) fn capacity(&self) -> usize {
        self.buf.capacity()
    }

    pub(crate) fn shrink_to_fit(&mut self) {
        self.buf.shrink_to_fit();
    }
}

/// An interned string; [`Sym::NONE`] stands for "no value".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Sym(u32);

impl Sym {
    pub(crate) const NONE: Sym = Sym(u32::MAX);
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Interner {
    arena: Arena,
    refs: Vec<StrRef>,
    table: HashTable<u32>,
    hasher: RandomState,
}

impl Interner {
    pub(crate) fn intern(&mut self, text: Option<&str>) -> Result<Sym, DirectoryFull> {
        let Some(text) = text else {
            return Ok(Sym::NONE);
        };
        let hash = self.hasher.hash_one(text);
        let (arena, refs) = (&self.arena, &self.refs);
        if let Some(&i) = self
            .table
            .find(hash, |&i| arena.get(refs[i as usize]) == text)
        {
            return Ok(Sym(i));
        }
        let i = u32::try_from(self.refs.len())
            .ok()
            .filter(|&i| i != u32::MAX)
            .ok_or(DirectoryFull)?;
        let r = self.arena.push(text)?;
        self.refs.push(r);
        let (arena, refs, hasher) = (&self.arena, &self.refs, &self.hasher);
        self.table
            .insert_unique(hash, i, |&j| hasher.hash_one(arena.get(refs[j as usize])));
        Ok(Sym(i))
    }

    pub(crate) fn get(&self, sym: Sym) -> Option<&str> {
        self.refs.get(sym.0 as usize).map(|&r| self.arena.get(r))
    }

    pub(crate) fn approx_bytes(&self) -> usize {
        self.arena.capacity()
            + self.refs.capacity() * size_of::<StrRef>()
            + table_bytes(self.table.capacity(), size_of::<u32>())
    }

    pub(crate) fn shrink_to_fit(&mut self) {
        self.arena.shrink_to_fit();
        self.refs.shrink_to_fit();
        let (arena, refs, hasher) = (&self.arena, &self.refs, &self.hasher);
        self.table
            .shrink_to_fit(|&j| hasher.hash_one(arena.get(refs[j as usize])));
    }
}

/// What a record shares with many others — its company, owner and account
/// id — interned as one triple, so a slot names all three in 4 bytes.
#[derive(Debug, Clone, Default)]
pub(crate) struct Profiles {
    list: Vec<[Sym; 3]>,
    table: HashTable<u32>,
    hasher: RandomState,
}

impl Profiles {
    pub(crate) fn intern(&mut self, profile: [Sym; 3]) -> Result<u32, DirectoryFull> {
        let hash = self.hasher.hash_one(profile);
        let list = &self.list;
        if let Some(&i) = self.table.find(hash, |&i| list[i as usize] == profile) {
            return Ok(i);
        }
        let i = u32::try_from(self.list.len()).map_err(|_| DirectoryFull)?;
        self.list.push(profile);
        let (list, hasher) = (&self.list, &self.hasher);
        self.table
            .insert_unique(hash, i, |&j| hasher.hash_one(list[j as usize]));
        Ok(i)
    }

    pub(crate) fn get(&self, i: u32) -> [Sym; 3] {
        self.list.get(i as usize).copied().unwrap_or([Sym::NONE; 3])
    }

    pub(crate) fn approx_bytes(&self) -> usize {
        self.list.capacity() * size_of::<[Sym; 3]>()
            + table_bytes(self.table.capacity(), size_of::<u32>())
    }

    pub(crate) fn shrink_to_fit(&mut self) {
        self.list.shrink_to_fit();
        let (list, hasher) = (&self.list, &self.hasher);
        self.table
            .shrink_to_fit(|&j| hasher.hash_one(list[j as usize]));
    }
}

/// Heap bytes of a hashbrown table able to hold `capacity` items: buckets
/// are a power of two at most 7/8 full, each with one control byte.
pub(crate) fn table_bytes(capacity: usize, item: usize) -> usize {
    if capacity == 0 {
        return 0;
    }
    let buckets = (capacity * 8 / 7).next_power_of_two();
    buckets * (item + 1)
}

/// A record id in 8 bytes. High bit clear: the id is the decimal number in
/// the low 63 bits (only for canonical digit strings, so every id has one
/// packed form and packed equality is id equality). High bit set: bits
/// 0..32 are an arena offset and bits 32..63 the length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct PackedId(u64);

const TEXT_FLAG: u64 = 1 << 63;

impl PackedId {
    pub(crate) fn bits(self) -> u64 {
        self.0
    }

    pub(crate) fn from_bits(bits: u64) -> Self {
        Self(bits)
    }

    /// The numeric form of `id`, if it has one.
    pub(crate) fn numeric(id: &str) -> Option<PackedId> {
        let canonical = !id.is_empty()
            && id.len() <= 19
            && id.bytes().all(|b| b.is_ascii_digit())
            && (id == "0" || !id.starts_with('0'));
        canonical
            .then(|| id.parse::<u64>().ok())
            .flatten()
            .filter(|n| n & TEXT_FLAG == 0)
            .map(PackedId)
    }

    pub(crate) fn store(id: &str, arena: &mut Arena) -> Result<PackedId, DirectoryFull> {
        if let Some(p) = Self::numeric(id) {
            return Ok(p);
        }
        let r = arena.push(id)?;
        if r.len >= 1 << 31 {
            return Err(DirectoryFull);
        }
        Ok(PackedId(
            TEXT_FLAG | u64::from(r.len) << 32 | u64::from(r.off),
        ))
    }

    fn text_ref(self) -> Option<StrRef> {
        (self.0 & TEXT_FLAG != 0).then_some(StrRef {
            off: self.0 as u32,
            len: ((self.0 & !TEXT_FLAG) >> 32) as u32,
        })
    }

    /// Bytes of arena text this id holds (0 for numeric ids).
    pub(crate) fn text_len(self) -> usize {
        self.text_ref().map_or(0, |r| r.len as usize)
    }

    pub(crate) fn resolve(self, arena: &Arena) -> IdText<'_> {
        match self.text_ref() {
            Some(r) => IdText::Text(arena.get(r)),
            None => IdText::Number(self.0),
        }
    }
}

/// A record id as stored, borrowed from the directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum IdText<'a> {
    Number(u64),
    Text(&'a str),
}

impl<'a> IdText<'a> {
    /// The form `id` takes in the directory, for finding it.
    pub(crate) fn of(id: &'a str) -> Self {
        match PackedId::numeric(id) {
            Some(p) => IdText::Number(p.0),
            None => IdText::Text(id),
        }
    }

    /// Hashes the id so that equal ids hash alike whichever form the caller holds.
    pub(crate) fn hash_into(self, h: &mut impl Hasher) {
        match self {
            IdText::Number(n) => {
                0u8.hash(h);
                n.hash(h);
            }
            IdText::Text(s) => {
                1u8.hash(h);
                s.hash(h);
            }
        }
    }

    pub(crate) fn to_cow(self) -> std::borrow::Cow<'a, str> {
        match self {
            IdText::Number(n) => std::borrow::Cow::Owned(n.to_string()),
            IdText::Text(s) => std::borrow::Cow::Borrowed(s),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_ids_pack_only_in_canonical_form() {
        assert!(PackedId::numeric("5725767000000411001").is_some());
        assert!(PackedId::numeric("0").is_some());
        for id in [
            "",
            "0123",
            "12a",
            "99999999999999999999",
            "9999999999999999999",
        ] {
            assert!(PackedId::numeric(id).is_none(), "{id}");
        }
    }

    #[test]
    fn packed_ids_resolve_to_their_text() {
        let mut arena = Arena::default();
        for id in ["5725767000000411001", "0042", "abc-9", "0"] {
            let p = PackedId::store(id, &mut arena).unwrap();
            assert_eq!(p.resolve(&arena).to_cow(), id);
            assert_eq!(p.resolve(&arena), IdText::of(id));
        }
        assert_eq!(
            PackedId::store("0042", &mut arena).unwrap().text_len(),
            4,
            "a leading zero keeps the id as text"
        );
    }

    #[test]
    fn profiles_deduplicate_triples() {
        let mut i = Interner::default();
        let mut p = Profiles::default();
        let (a, b) = (
            i.intern(Some("Acme")).unwrap(),
            i.intern(Some("owner")).unwrap(),
        );
        let one = p.intern([a, b, Sym::NONE]).unwrap();
        let two = p.intern([b, a, Sym::NONE]).unwrap();
        assert_ne!(one, two);
        assert_eq!(p.intern([a, b, Sym::NONE]).unwrap(), one);
        assert_eq!(p.get(two), [b, a, Sym::NONE]);
    }

    #[test]
    fn interner_deduplicates() {
        let mut i = Interner::default();
        let a = i.intern(Some("owner-1")).unwrap();
        let b = i.intern(Some("owner-2")).unwrap();
        assert_eq!(i.intern(Some("owner-1")).unwrap(), a);
        assert_ne!(a, b);
        assert_eq!(i.intern(None).unwrap(), Sym::NONE);
        assert_eq!(i.get(a), Some("owner-1"));
        assert_eq!(i.get(Sym::NONE), None);
        for n in 0..1000 {
            i.intern(Some(&format!("x{n}"))).unwrap();
        }
        assert_eq!(i.get(b), Some("owner-2"));
    }
}
