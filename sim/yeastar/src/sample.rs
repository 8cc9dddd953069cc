//! The simulated company: seed data types and the default sample company.

use serde::{Deserialize, Serialize};

/// Which Linkus/phone clients of an extension are online (`online_status`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OnlineStatus {
    /// Desk phone registered.
    pub sip_phone: bool,
    /// Linkus desktop online.
    pub linkus_desktop: bool,
    /// Linkus mobile online.
    pub linkus_mobile: bool,
    /// Linkus web online.
    pub linkus_web: bool,
}

/// An extension.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extension {
    /// Internal id (`extension/get?id=`).
    pub id: u32,
    /// Extension number.
    pub number: String,
    /// Caller ID name; empty means "unset" (the API then shows the number).
    pub caller_id_name: String,
    /// E-mail; empty means absent from API rows.
    pub email_addr: String,
    /// Mobile number; empty means absent from API rows.
    pub mobile_number: String,
    /// `Administrator`, `Supervisor`, `Employee`, ...
    pub role_name: String,
    /// Presence status.
    pub presence_status: String,
    /// Time zone label.
    pub timezone: String,
    /// Online clients.
    pub online: OnlineStatus,
    /// Whether the extension may dial external numbers.
    pub outbound_allowed: bool,
    /// Device address for CDR `src_addr` (documentation range).
    pub device_addr: String,
}

impl Extension {
    /// `caller_id_name`, or the number when unset (as the PBX reports it).
    pub fn display_name(&self) -> &str {
        if self.caller_id_name.is_empty() {
            &self.number
        } else {
            &self.caller_id_name
        }
    }
}

/// A ring group (ring-all strategy).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RingGroup {
    /// Group number (`call_path` of its members).
    pub number: String,
    /// Name, e.g. `Sales`.
    pub name: String,
    /// Member extension numbers.
    pub members: Vec<String>,
}

/// A call queue (ring-all strategy).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Queue {
    /// Queue number.
    pub number: String,
    /// Name, e.g. `CC_Team`.
    pub name: String,
    /// Agent extension numbers.
    pub agents: Vec<String>,
}

/// A DID (a number of the company that reaches the PBX over a trunk) and its name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Did {
    /// Number as the trunk delivers it.
    pub number: String,
    /// Name shown as CDR `did_name`.
    pub name: String,
}

/// A SIP trunk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trunk {
    /// Trunk name.
    pub name: String,
    /// Trunk *Call Status Monitor*: only monitored trunks appear as 30011 members.
    pub monitored: bool,
    /// DIDs on this trunk; the first is the default for inbound calls that name none.
    pub dids: Vec<Did>,
    /// Outbound caller ID (`dod_number`).
    pub dod_number: String,
}

impl Trunk {
    /// The default DID's number (empty when the trunk has none).
    pub fn default_did(&self) -> String {
        self.dids
            .first()
            .map(|d| d.number.clone())
            .unwrap_or_default()
    }

    /// The name of DID `number` on this trunk (empty when it is not one of its DIDs).
    pub fn did_name(&self, number: &str) -> String {
        self.dids
            .iter()
            .find(|d| d.number == number)
            .map(|d| d.name.clone())
            .unwrap_or_default()
    }
}

/// A seed company contact, in the API's write shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactSeed {
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Company.
    pub company: String,
    /// E-mail.
    pub email: String,
    /// `(num_type, number)` pairs.
    pub numbers: Vec<(String, String)>,
}

/// A seed phonebook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhonebookSeed {
    /// Name.
    pub name: String,
    /// `true` = `sel_all`.
    pub all_contacts: bool,
    /// Indexes (0-based) into [`Company::contacts`] for `sel_specific` books.
    pub contacts: Vec<usize>,
}

/// The whole company the simulated PBX serves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Company {
    /// Extensions.
    pub extensions: Vec<Extension>,
    /// Ring groups.
    pub ring_groups: Vec<RingGroup>,
    /// Queues.
    pub queues: Vec<Queue>,
    /// Trunks; the first is the default for scenarios that name none.
    pub trunks: Vec<Trunk>,
    /// Company contacts.
    pub contacts: Vec<ContactSeed>,
    /// Phonebooks.
    pub phonebooks: Vec<PhonebookSeed>,
}

impl Company {
    /// The default sample company, loaded from the built-in company file
    /// (`company/demo.toml`): eight extensions (1008 has no name, no e-mail and no outbound
    /// permission), ring group 6300 *Sales*, queue 6400 *CC_Team*, a monitored trunk
    /// *CarrierA* (DID 8800) and an unmonitored *CarrierB*, three contacts, two phonebooks.
    pub fn sample() -> Self {
        crate::company::CompanyFile::builtin().company
    }
}
