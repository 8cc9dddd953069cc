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

/// A SIP trunk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trunk {
    /// Trunk name.
    pub name: String,
    /// Trunk *Call Status Monitor*: only monitored trunks appear as 30011 members.
    pub monitored: bool,
    /// Default DID for inbound calls.
    pub did_number: String,
    /// DID name.
    pub did_name: String,
    /// Outbound caller ID (`dod_number`).
    pub dod_number: String,
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

fn ext(id: u32, number: &str, name: &str, email: &str, role: &str) -> Extension {
    Extension {
        id,
        number: number.into(),
        caller_id_name: name.into(),
        email_addr: email.into(),
        mobile_number: String::new(),
        role_name: role.into(),
        presence_status: "available".into(),
        timezone: "Global Time Zone[0 UTC]".into(),
        online: OnlineStatus {
            sip_phone: true,
            linkus_desktop: id.is_multiple_of(2),
            linkus_mobile: false,
            linkus_web: false,
        },
        outbound_allowed: true,
        device_addr: format!("192.0.2.{}:5060", 10 + id % 200),
    }
}

impl Company {
    /// The default sample company: eight extensions (1008 has no name, no e-mail and no
    /// outbound permission), ring group 6300 *Sales*, queue 6400 *CC_Team*, a monitored trunk
    /// *CarrierA* (DID 8800) and an unmonitored *CarrierB*, three contacts, two phonebooks.
    pub fn sample() -> Self {
        let mut extensions = vec![
            ext(101, "1001", "Ana Silva", "ana@corp.test", "Administrator"),
            ext(102, "1002", "Ben Okafor", "ben@corp.test", "Supervisor"),
            ext(103, "1003", "Chen Wei", "chen@corp.test", "Employee"),
            ext(104, "1004", "Dana Kim", "dana@corp.test", "Employee"),
            ext(112, "1005", "Maya Ortiz", "maya@corp.test", "Employee"),
            ext(113, "1006", "Omar Haddad", "omar@corp.test", "Employee"),
            ext(114, "1007", "Priya Nair", "priya@corp.test", "Employee"),
            ext(115, "1008", "", "", "Employee"),
        ];
        if let Some(e) = extensions.last_mut() {
            e.outbound_allowed = false;
        }
        if let Some(e) = extensions.get_mut(4) {
            e.mobile_number = "+1 555 0100".into();
        }
        Self {
            extensions,
            ring_groups: vec![RingGroup {
                number: "6300".into(),
                name: "Sales".into(),
                members: vec!["1005".into(), "1006".into(), "1007".into()],
            }],
            queues: vec![Queue {
                number: "6400".into(),
                name: "CC_Team".into(),
                agents: vec!["1002".into(), "1003".into(), "1004".into()],
            }],
            trunks: vec![
                Trunk {
                    name: "CarrierA".into(),
                    monitored: true,
                    did_number: "8800".into(),
                    did_name: "Main line".into(),
                    dod_number: "8800".into(),
                },
                Trunk {
                    name: "CarrierB".into(),
                    monitored: false,
                    did_number: "8801".into(),
                    did_name: "Support line".into(),
                    dod_number: "8801".into(),
                },
            ],
            contacts: vec![
                ContactSeed {
                    first_name: "Lena".into(),
                    last_name: "Brandt".into(),
                    company: "Nordwerk GmbH".into(),
                    email: "lena@nordwerk.test".into(),
                    numbers: vec![
                        ("business_number".into(), "+49 30 901820".into()),
                        ("mobile_number".into(), "+49 151 2345678".into()),
                    ],
                },
                ContactSeed {
                    first_name: "Tom".into(),
                    last_name: "Reyes".into(),
                    company: "Acme Supply".into(),
                    email: String::new(),
                    numbers: vec![("business_number".into(), "5550123".into())],
                },
                ContactSeed {
                    first_name: "Ines".into(),
                    last_name: "Moreau".into(),
                    company: String::new(),
                    email: "ines@example.test".into(),
                    numbers: vec![("mobile_number".into(), "5550188".into())],
                },
            ],
            phonebooks: vec![
                PhonebookSeed {
                    name: "Company Directory".into(),
                    all_contacts: true,
                    contacts: Vec::new(),
                },
                PhonebookSeed {
                    name: "Suppliers".into(),
                    all_contacts: false,
                    contacts: vec![1],
                },
            ],
        }
    }
}
