//! Compact string storage for the phone directory: one growing buffer per
//! kind of text instead of a `String` (24 bytes plus a heap block) per field.
//!
//! * [`Arena`]: append-only text; a [`StrRef`] (8 bytes) points into it.
//! * [`Interner`]: deduplicated text for values many records share (owner
//!   ids, companies, account ids); a [`Sym`] (4 bytes) names one.
//! * [`IdText`] / [`IdKey`]: a record id as a `u64` when it is plain digits
//!   (Zoho's ids are), else its text.
//!
//! Nothing is freed on update; a merge of the directory copies what is
//! still used into fresh stores ([`Reintern`]).

use std::hash::{BuildHasher, Hash, Hasher, RandomState};

use hashbrown::HashTable;

/// The directory ran past what its 32-bit offsets can address (4 GiB of
/// text, or 2 billion records) — far beyond any real CRM.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the phone directory is full (32-bit offsets exhausted)")]
pub struct DirectoryFull;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct StrRef {
    off: u32,
    len: u32,
}

#[derive(Debug, Default, Clone)]
pub(crate) struct Arena {
    buf: String,
}

impl Arena {
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

/// Fresh interned stores holding only the profiles still in use, filled
/// as a merge meets them: text no record names any more is dropped.
pub(crate) struct Reintern<'a> {
    old_shared: &'a Interner,
    old_profiles: &'a Profiles,
    shared: Interner,
    profiles: Profiles,
    /// Old symbol / profile → new one (`u32::MAX`: not met yet).
    syms: Vec<u32>,
    seen: Vec<u32>,
}

impl<'a> Reintern<'a> {
    pub(crate) fn new(old_shared: &'a Interner, old_profiles: &'a Profiles) -> Self {
        Self {
            old_shared,
            old_profiles,
            shared: Interner::default(),
            profiles: Profiles::default(),
            syms: vec![u32::MAX; old_shared.refs.len()],
            seen: vec![u32::MAX; old_profiles.list.len()],
        }
    }

    /// The new number of old profile `old`.
    pub(crate) fn map(&mut self, old: u32) -> Result<u32, DirectoryFull> {
        if let Some(&new) = self.seen.get(old as usize)
            && new != u32::MAX
        {
            return Ok(new);
        }
        let mut triple = [Sym::NONE; 3];
        for (new, sym) in triple.iter_mut().zip(self.old_profiles.get(old)) {
            let Some(slot) = self.syms.get_mut(sym.0 as usize) else {
                continue; // Sym::NONE
            };
            if *slot == u32::MAX {
                *slot = self.shared.intern(self.old_shared.get(sym))?.0;
            }
            *new = Sym(*slot);
        }
        let new = self.profiles.intern(triple)?;
        if let Some(seen) = self.seen.get_mut(old as usize) {
            *seen = new;
        }
        Ok(new)
    }

    pub(crate) fn finish(mut self) -> (Interner, Profiles) {
        self.shared.shrink_to_fit();
        self.profiles.shrink_to_fit();
        (self.shared, self.profiles)
    }
}

/// Heap bytes of a hashbrown table able to hold `capacity` items: buckets
/// are a power of two at most 7/8 full (small tables: up to 4 buckets,
/// one empty), each with one control byte, plus a group (16) of
/// control bytes more.
pub(crate) fn table_bytes(capacity: usize, item: usize) -> usize {
    if capacity == 0 {
        return 0;
    }
    let buckets = if capacity < 8 {
        (capacity + 1).next_power_of_two()
    } else {
        (capacity * 8 / 7).next_power_of_two()
    };
    (buckets * item).next_multiple_of(16) + buckets + 16
}

/// The numeric form of `id`, if it has one: only canonical digit strings
/// (no sign, no leading zero), so every id has one form and numeric
/// equality is id equality. Zoho's 19-digit ids always fit a `u64`.
pub(crate) fn numeric_id(id: &str) -> Option<u64> {
    let canonical = !id.is_empty()
        && id.len() <= 19
        && id.bytes().all(|b| b.is_ascii_digit())
        && (id == "0" || !id.starts_with('0'));
    canonical.then(|| id.parse::<u64>().ok()).flatten()
}

/// A record id held by the directory's delta: the number when the id is
/// one (Zoho's are), else the text (simulators' and other CRMs' ids).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum IdKey {
    Number(u64),
    Text(Box<str>),
}

impl IdKey {
    pub(crate) fn of(id: &str) -> Self {
        match numeric_id(id) {
            Some(n) => IdKey::Number(n),
            None => IdKey::Text(id.into()),
        }
    }

    pub(crate) fn as_text(&self) -> IdText<'_> {
        match self {
            IdKey::Number(n) => IdText::Number(*n),
            IdKey::Text(s) => IdText::Text(s),
        }
    }

    /// Heap bytes of the id (its text, if it is not a number).
    pub(crate) fn heap_bytes(&self) -> usize {
        match self {
            IdKey::Number(_) => 0,
            IdKey::Text(s) => s.len(),
        }
    }
}

/// A record id as stored, borrowed from the directory. The derived order
/// (every number before every text) is the order of the base segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum IdText<'a> {
    Number(u64),
    Text(&'a str),
}

impl<'a> IdText<'a> {
    /// The form `id` takes in the directory, for finding it.
    pub(crate) fn of(id: &'a str) -> Self {
        match numeric_id(id) {
            Some(n) => IdText::Number(n),
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
    fn numeric_ids_only_in_canonical_form() {
        assert_eq!(numeric_id("5725767000000411001"), Some(5725767000000411001));
        assert_eq!(numeric_id("9999999999999999999"), Some(9999999999999999999));
        assert_eq!(numeric_id("0"), Some(0));
        for id in ["", "0123", "12a", "99999999999999999999", "+1", " 1"] {
            assert!(numeric_id(id).is_none(), "{id}");
        }
    }

    #[test]
    fn ids_keep_their_text_and_order_numbers_first() {
        for id in ["5725767000000411001", "0042", "abc-9", "0", "客户-1"] {
            assert_eq!(IdKey::of(id).as_text().to_cow(), id);
            assert_eq!(IdKey::of(id).as_text(), IdText::of(id));
        }
        assert_eq!(
            IdKey::of("0042").heap_bytes(),
            4,
            "a leading zero keeps the id as text"
        );
        assert!(IdText::of("99") < IdText::of("100"));
        assert!(IdText::of("100") < IdText::of("0042"));
        assert!(IdText::of("0042") < IdText::of("abc"));
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
