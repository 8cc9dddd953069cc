//! The fixed-size record slot of the [`super::PhoneDirectory`] and the
//! small encodings it uses.

use crate::crm::CrmModule;

/// Names longer than this many bytes are cut (at a character boundary):
/// the slot keeps a 16-bit length. CRM name fields are far shorter.
pub const MAX_NAME_BYTES: usize = u16::MAX as usize;
/// Numbers kept per record; CRMs have a handful of phone fields.
pub const MAX_NUMBERS_PER_RECORD: usize = u8::MAX as usize;

pub(super) const NO_MODULE: u8 = 0xF;

/// Rebuild the text stores once garbage exceeds this and half the live text.
pub(super) const COMPACT_MIN_GARBAGE: usize = 1 << 20;

pub(super) fn module_code(m: CrmModule) -> u8 {
    match m {
        CrmModule::Contacts => 0,
        CrmModule::Leads => 1,
        CrmModule::Accounts => 2,
        CrmModule::Deals => 3,
    }
}

pub(super) fn module_of(code: u8) -> Option<CrmModule> {
    match code {
        0 => Some(CrmModule::Contacts),
        1 => Some(CrmModule::Leads),
        2 => Some(CrmModule::Accounts),
        3 => Some(CrmModule::Deals),
        _ => None,
    }
}

pub(super) fn split(v: u64) -> [u32; 2] {
    [v as u32, (v >> 32) as u32]
}

pub(super) fn join(v: [u32; 2]) -> u64 {
    u64::from(v[0]) | u64::from(v[1]) << 32
}

/// One record. `u64`s are stored as `[u32; 2]` so the slot packs to 36
/// bytes with 4-byte alignment instead of 40.
#[derive(Debug, Clone, Copy)]
pub(super) struct Slot {
    pub(super) modified_ms: [u32; 2],
    pub(super) id: [u32; 2],
    /// The number itself when `count == 1`, else the offset of `count`
    /// numbers in `extra`.
    pub(super) numbers: [u32; 2],
    pub(super) name_off: u32,
    /// Company, owner and account id, interned together (`Profiles`).
    pub(super) profile: u32,
    pub(super) name_len: u16,
    /// Low nibble: the record's module; high nibble: the account's module.
    pub(super) modules: u8,
    /// Numbers of the record; 0 marks a free slot.
    pub(super) count: u8,
}

const _: () = assert!(size_of::<Slot>() == 36, "a slot is 36 bytes");

/// A record's numbers: a single one is held in its slot, several in `extra`.
pub(super) enum Keys<'a> {
    One([u64; 1]),
    Many(&'a [u64]),
}

impl Keys<'_> {
    pub(super) fn as_slice(&self) -> &[u64] {
        match self {
            Keys::One(k) => k,
            Keys::Many(s) => s,
        }
    }
}
