//! The shape of a company file, as written by people: optional keys have defaults, and
//! values other entries refer to keep their position so errors can point at them.

use serde::{Deserialize, Deserializer};
use toml::Spanned;

use crate::config::{DisplayFormat, Edition};

/// A text value parsed with [`std::str::FromStr`] while deserializing, so a bad value is
/// reported at its own line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parsed<T>(pub T);

impl<'de, T> Deserialize<'de> for Parsed<T>
where
    T: std::str::FromStr,
    T::Err: std::fmt::Display,
{
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse()
            .map(Parsed)
            .map_err(|e| serde::de::Error::custom(format!("{text:?}: {e}")))
    }
}

/// `[pbx]`: the device itself. Every key is optional; absent keys keep the simulator's
/// defaults (or the command-line flags).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PbxEntry {
    /// `firmware_version`, e.g. `37.12.0.20`.
    pub firmware: Option<String>,
    /// Edition: sets the model name and the firmware's first part.
    pub edition: Option<Edition>,
    /// `model_name`.
    pub model_name: Option<String>,
    /// Serial number (`sn` of every event).
    pub serial: Option<String>,
    /// IANA time zone, e.g. `Europe/Berlin`.
    pub time_zone: Option<Parsed<chrono_tz::Tz>>,
    /// Display format in the vendor's notation, e.g. `DD/MM/YYYY HH:mm:ss`.
    pub display_format: Option<Parsed<DisplayFormat>>,
}

fn employee() -> String {
    "Employee".into()
}

fn available() -> String {
    "available".into()
}

fn yes() -> bool {
    true
}

fn desk_phone() -> Vec<Spanned<String>> {
    vec![Spanned::new(0..0, "sip_phone".into())]
}

/// `[[extensions]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExtensionEntry {
    /// Extension number.
    pub number: Spanned<String>,
    /// Caller ID name; absent: unset (the PBX then shows the number).
    #[serde(default)]
    pub name: String,
    /// E-mail (how ringbridge pairs the extension with a CRM user).
    #[serde(default)]
    pub email: String,
    /// Mobile number.
    #[serde(default)]
    pub mobile: String,
    /// Role, e.g. `Administrator`, `Supervisor`, `Employee` (default).
    #[serde(default = "employee")]
    pub role: String,
    /// Internal id (`extension/get?id=`); default: the next free one.
    pub id: Option<Spanned<u32>>,
    /// Presence status (default `available`).
    #[serde(default = "available")]
    pub presence: String,
    /// Clients online: `sip_phone`, `linkus_desktop`, `linkus_mobile`, `linkus_web`
    /// (default: the desk phone only).
    #[serde(default = "desk_phone")]
    pub online: Vec<Spanned<String>>,
    /// May dial external numbers (default `true`).
    #[serde(default = "yes")]
    pub outbound: bool,
    /// Device `IP:port` in CDR `src_addr`; default: one derived from the id.
    pub device_addr: Option<String>,
}

/// `[[ring_groups]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RingGroupEntry {
    /// Group number.
    pub number: Spanned<String>,
    /// Name.
    pub name: String,
    /// Member extensions.
    pub members: Vec<Spanned<String>>,
}

/// `[[queues]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueueEntry {
    /// Queue number.
    pub number: Spanned<String>,
    /// Name.
    pub name: String,
    /// Agent extensions.
    pub agents: Vec<Spanned<String>>,
}

/// One DID of a trunk.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DidEntry {
    /// Number as the trunk delivers it.
    pub number: String,
    /// Name (CDR `did_name`).
    #[serde(default)]
    pub name: String,
}

/// `[[trunks]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrunkEntry {
    /// Trunk name.
    pub name: Spanned<String>,
    /// *Call Status Monitor* on (default `true`).
    #[serde(default = "yes")]
    pub monitored: bool,
    /// DIDs; the first is the default for inbound calls.
    #[serde(default)]
    pub dids: Vec<DidEntry>,
    /// Outbound caller ID; default: the first DID.
    pub dod: Option<String>,
}

/// One number of a contact.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NumberEntry {
    /// `business_number`, `mobile_number`, ... (the API's `num_type`).
    #[serde(rename = "type")]
    pub num_type: Spanned<String>,
    /// The number.
    pub number: String,
}

/// `[[contacts]]`: a company contact.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContactEntry {
    /// First name.
    #[serde(default)]
    pub first_name: String,
    /// Last name.
    #[serde(default)]
    pub last_name: String,
    /// Company.
    #[serde(default)]
    pub company: String,
    /// E-mail.
    #[serde(default)]
    pub email: String,
    /// Numbers.
    #[serde(default)]
    pub numbers: Vec<NumberEntry>,
    /// Names of the (specific-contacts) phonebooks it is a member of.
    #[serde(default)]
    pub phonebooks: Vec<Spanned<String>>,
}

/// `[[phonebooks]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PhonebookEntry {
    /// Name.
    pub name: Spanned<String>,
    /// Holds every company contact (`sel_all`); otherwise the contacts that name it.
    #[serde(default)]
    pub all_contacts: bool,
}

/// The whole file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompanyEntry {
    /// The device.
    #[serde(default)]
    pub pbx: PbxEntry,
    /// Extensions.
    #[serde(default)]
    pub extensions: Vec<ExtensionEntry>,
    /// Ring groups.
    #[serde(default)]
    pub ring_groups: Vec<RingGroupEntry>,
    /// Queues.
    #[serde(default)]
    pub queues: Vec<QueueEntry>,
    /// Trunks; the first is the default for scenarios that name none.
    #[serde(default)]
    pub trunks: Vec<TrunkEntry>,
    /// Company contacts.
    #[serde(default)]
    pub contacts: Vec<ContactEntry>,
    /// Phonebooks.
    #[serde(default)]
    pub phonebooks: Vec<PhonebookEntry>,
}
