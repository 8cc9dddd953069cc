//! The CRM modules the simulator stores.

use std::fmt;

/// A CRM module (API names are case-sensitive, as in Zoho).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Module {
    Contacts,
    Leads,
    Accounts,
    Deals,
    Calls,
    /// Activities to do (`ringbridge` files missed-call follow-ups here).
    Tasks,
}

impl Module {
    pub const ALL: [Module; 6] = [
        Module::Contacts,
        Module::Leads,
        Module::Accounts,
        Module::Deals,
        Module::Calls,
        Module::Tasks,
    ];

    /// Parses an API name exactly (`contacts` is not `Contacts`).
    pub fn parse(name: &str) -> Option<Module> {
        Self::ALL.into_iter().find(|m| m.api_name() == name)
    }

    pub fn api_name(self) -> &'static str {
        match self {
            Self::Contacts => "Contacts",
            Self::Leads => "Leads",
            Self::Accounts => "Accounts",
            Self::Deals => "Deals",
            Self::Calls => "Calls",
            Self::Tasks => "Tasks",
        }
    }

    /// Lower-case name used in OAuth scopes (`ZohoCRM.modules.contacts.READ`).
    pub fn scope_name(self) -> &'static str {
        match self {
            Self::Contacts => "contacts",
            Self::Leads => "leads",
            Self::Accounts => "accounts",
            Self::Deals => "deals",
            Self::Calls => "calls",
            Self::Tasks => "tasks",
        }
    }

    /// The field whose value is a lookup's `name`.
    pub fn name_field(self) -> &'static str {
        match self {
            Self::Contacts | Self::Leads => "Full_Name",
            Self::Accounts => "Account_Name",
            Self::Deals => "Deal_Name",
            Self::Calls | Self::Tasks => "Subject",
        }
    }

    /// Fields used for upsert duplicate checks when none are given (system duplicate-check
    /// fields per module; the exact defaults are unconfirmed).
    pub fn default_duplicate_fields(self) -> &'static [&'static str] {
        match self {
            Self::Contacts | Self::Leads => &["Email"],
            Self::Accounts => &["Account_Name"],
            Self::Deals => &["Deal_Name"],
            Self::Calls | Self::Tasks => &[],
        }
    }

    /// A stable id for the module in metadata responses.
    pub fn id_suffix(self) -> u64 {
        match self {
            Self::Contacts => 3,
            Self::Leads => 1,
            Self::Accounts => 2,
            Self::Deals => 4,
            Self::Calls => 9,
            Self::Tasks => 10,
        }
    }
}

impl fmt::Display for Module {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.api_name())
    }
}
