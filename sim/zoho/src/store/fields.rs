//! Per-module field metadata: the table that drives validation, rendering, search, COQL and
//! `GET /settings/fields`. Names and types follow the SDK's field list (docs/zoho-api.md §5, §6);
//! lengths and picklist values of a default org are partly unconfirmed.

use super::module::Module;

#[path = "tasks.rs"]
mod tasks;

/// A field's data type as the simulator enforces it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    Text,
    TextArea,
    Email,
    Phone,
    Website,
    Picklist,
    Integer,
    Currency,
    Boolean,
    Date,
    DateTime,
    /// Lookup to one module: `{"id"}`.
    Lookup(Module),
    /// User lookup (`Owner`, `Created_By`).
    OwnerLookup,
    /// `What_Id`: lookup into the module named by `$se_module`.
    MultiModuleLookup,
    /// `Call_Duration`: text `mm:ss`, minutes may exceed 59.
    CallDuration,
}

impl FieldType {
    /// `data_type` as reported by `GET /settings/fields`.
    pub fn data_type(self) -> &'static str {
        match self {
            Self::Text | Self::CallDuration => "text",
            Self::TextArea => "textarea",
            Self::Email => "email",
            Self::Phone => "phone",
            Self::Website => "website",
            Self::Picklist => "picklist",
            Self::Integer => "integer",
            Self::Currency => "currency",
            Self::Boolean => "boolean",
            Self::Date => "date",
            Self::DateTime => "datetime",
            Self::Lookup(_) => "lookup",
            Self::OwnerLookup => "ownerlookup",
            Self::MultiModuleLookup => "multimodulelookup",
        }
    }

    /// Text-like types searched by `word=` and compared case-insensitively.
    pub fn is_textual(self) -> bool {
        matches!(
            self,
            Self::Text
                | Self::TextArea
                | Self::Email
                | Self::Phone
                | Self::Website
                | Self::Picklist
        )
    }
}

/// One field of a module.
#[derive(Debug, Clone, Copy)]
pub struct FieldMeta {
    pub api_name: &'static str,
    pub label: &'static str,
    pub ty: FieldType,
    pub length: u32,
    pub mandatory: bool,
    pub read_only: bool,
    pub picklist: &'static [&'static str],
}

const fn f(api_name: &'static str, label: &'static str, ty: FieldType, length: u32) -> FieldMeta {
    FieldMeta {
        api_name,
        label,
        ty,
        length,
        mandatory: false,
        read_only: false,
        picklist: &[],
    }
}

const fn text(api: &'static str, label: &'static str, len: u32) -> FieldMeta {
    f(api, label, FieldType::Text, len)
}

const fn phone(api: &'static str, label: &'static str) -> FieldMeta {
    f(api, label, FieldType::Phone, 30)
}

const fn pick(
    api: &'static str,
    label: &'static str,
    values: &'static [&'static str],
) -> FieldMeta {
    FieldMeta {
        picklist: values,
        ..f(api, label, FieldType::Picklist, 120)
    }
}

impl FieldMeta {
    const fn required(self) -> Self {
        Self {
            mandatory: true,
            ..self
        }
    }
    const fn ro(self) -> Self {
        Self {
            read_only: true,
            ..self
        }
    }
}

const OWNER: FieldMeta = f("Owner", "Owner", FieldType::OwnerLookup, 120);
const SYSTEM: [FieldMeta; 4] = [
    f("Created_By", "Created By", FieldType::OwnerLookup, 120).ro(),
    f("Modified_By", "Modified By", FieldType::OwnerLookup, 120).ro(),
    f("Created_Time", "Created Time", FieldType::DateTime, 120).ro(),
    f("Modified_Time", "Modified Time", FieldType::DateTime, 120).ro(),
];

const LEAD_SOURCE: &[&str] = &[
    "-None-",
    "Advertisement",
    "Cold Call",
    "Employee Referral",
    "External Referral",
    "Online Store",
    "Partner",
    "Public Relations",
    "Sales Email Alias",
    "Seminar Partner",
    "Internal Seminar",
    "Trade Show",
    "Web Download",
    "Web Research",
    "Chat",
];

const CONTACTS: &[FieldMeta] = &[
    OWNER,
    text("First_Name", "First Name", 40),
    text("Last_Name", "Last Name", 80).required(),
    text("Full_Name", "Full Name", 120).ro(),
    f("Email", "Email", FieldType::Email, 100),
    f("Secondary_Email", "Secondary Email", FieldType::Email, 100),
    phone("Phone", "Phone"),
    phone("Mobile", "Mobile"),
    phone("Home_Phone", "Home Phone"),
    phone("Other_Phone", "Other Phone"),
    phone("Asst_Phone", "Asst Phone"),
    phone("Fax", "Fax"),
    f(
        "Account_Name",
        "Account Name",
        FieldType::Lookup(Module::Accounts),
        120,
    ),
    text("Title", "Title", 100),
    text("Department", "Department", 100),
    pick("Lead_Source", "Lead Source", LEAD_SOURCE),
    f("Date_of_Birth", "Date of Birth", FieldType::Date, 20),
    text("Mailing_City", "Mailing City", 100),
    text("Mailing_Country", "Mailing Country", 100),
    f("Description", "Description", FieldType::TextArea, 32_000),
    SYSTEM[0],
    SYSTEM[1],
    SYSTEM[2],
    SYSTEM[3],
];

const LEADS: &[FieldMeta] = &[
    OWNER,
    text("First_Name", "First Name", 40),
    text("Last_Name", "Last Name", 80).required(),
    text("Full_Name", "Full Name", 120).ro(),
    text("Company", "Company", 200).required(),
    text("Designation", "Title", 100),
    f("Email", "Email", FieldType::Email, 100),
    phone("Phone", "Phone"),
    phone("Mobile", "Mobile"),
    phone("Fax", "Fax"),
    f("Website", "Website", FieldType::Website, 255),
    pick("Lead_Source", "Lead Source", LEAD_SOURCE),
    pick(
        "Lead_Status",
        "Lead Status",
        &[
            "-None-",
            "Attempted to Contact",
            "Contact in Future",
            "Contacted",
            "Junk Lead",
            "Lost Lead",
            "Not Contacted",
            "Pre-Qualified",
            "Not Qualified",
        ],
    ),
    f("No_of_Employees", "No. of Employees", FieldType::Integer, 9),
    f("Description", "Description", FieldType::TextArea, 32_000),
    SYSTEM[0],
    SYSTEM[1],
    SYSTEM[2],
    SYSTEM[3],
];

const ACCOUNTS: &[FieldMeta] = &[
    OWNER,
    text("Account_Name", "Account Name", 200).required(),
    phone("Phone", "Phone"),
    phone("Fax", "Fax"),
    f("Website", "Website", FieldType::Website, 255),
    pick(
        "Account_Type",
        "Account Type",
        &[
            "-None-",
            "Analyst",
            "Competitor",
            "Customer",
            "Distributor",
            "Integrator",
            "Investor",
            "Other",
            "Partner",
            "Press",
            "Prospect",
            "Reseller",
            "Supplier",
            "Vendor",
        ],
    ),
    text("Industry", "Industry", 120),
    f("Employees", "Employees", FieldType::Integer, 9),
    text("Billing_City", "Billing City", 30),
    text("Billing_Country", "Billing Country", 30),
    f("Description", "Description", FieldType::TextArea, 32_000),
    SYSTEM[0],
    SYSTEM[1],
    SYSTEM[2],
    SYSTEM[3],
];

const DEALS: &[FieldMeta] = &[
    OWNER,
    text("Deal_Name", "Deal Name", 120).required(),
    pick(
        "Stage",
        "Stage",
        &[
            "Qualification",
            "Needs Analysis",
            "Value Proposition",
            "Identify Decision Makers",
            "Proposal/Price Quote",
            "Negotiation/Review",
            "Closed Won",
            "Closed Lost",
            "Closed Lost to Competition",
        ],
    )
    .required(),
    f("Closing_Date", "Closing Date", FieldType::Date, 20).required(),
    f("Amount", "Amount", FieldType::Currency, 16),
    f(
        "Account_Name",
        "Account Name",
        FieldType::Lookup(Module::Accounts),
        120,
    ),
    f(
        "Contact_Name",
        "Contact Name",
        FieldType::Lookup(Module::Contacts),
        120,
    ),
    f("Description", "Description", FieldType::TextArea, 32_000),
    SYSTEM[0],
    SYSTEM[1],
    SYSTEM[2],
    SYSTEM[3],
];

const CALLS: &[FieldMeta] = &[
    OWNER,
    text("Subject", "Subject", 200).required(),
    pick("Call_Type", "Call Type", &["Inbound", "Outbound", "Missed"]).required(),
    f(
        "Call_Start_Time",
        "Call Start Time",
        FieldType::DateTime,
        120,
    )
    .required(),
    f(
        "Call_Duration",
        "Call Duration",
        FieldType::CallDuration,
        10,
    ),
    f(
        "Call_Duration_in_seconds",
        "Call Duration (in seconds)",
        FieldType::Integer,
        9,
    )
    .ro(),
    f(
        "Who_Id",
        "Contact Name",
        FieldType::Lookup(Module::Contacts),
        120,
    ),
    f("What_Id", "Related To", FieldType::MultiModuleLookup, 120),
    pick(
        "Call_Purpose",
        "Call Purpose",
        &[
            "-None-",
            "Prospecting",
            "Administrative",
            "Negotiation",
            "Demo",
            "Project",
            "Desk",
        ],
    ),
    pick(
        "Call_Result",
        "Call Result",
        &[
            "-None-",
            "Interested",
            "Not interested",
            "No response/Busy",
            "Requested more info",
            "Requested call back",
            "Invalid number",
        ],
    ),
    pick(
        "Outgoing_Call_Status",
        "Outgoing Call Status",
        &["Scheduled", "Completed", "Overdue", "Cancelled"],
    ),
    text("Call_Agenda", "Call Agenda", 2_000),
    f("Description", "Description", FieldType::TextArea, 32_000),
    text("Caller_ID", "Caller ID", 30),
    text("Dialled_Number", "Dialled Number", 30),
    f(
        "Voice_Recording__s",
        "Voice Recording",
        FieldType::Website,
        255,
    ),
    f("CTI_Entry", "CTI Entry", FieldType::Boolean, 5).ro(),
    f(
        "Scheduled_In_CRM",
        "Scheduled In CRM",
        FieldType::Boolean,
        5,
    )
    .ro(),
    SYSTEM[0],
    SYSTEM[1],
    SYSTEM[2],
    SYSTEM[3],
];

/// All fields of a module, in layout order.
pub fn fields(module: Module) -> &'static [FieldMeta] {
    match module {
        Module::Contacts => CONTACTS,
        Module::Leads => LEADS,
        Module::Accounts => ACCOUNTS,
        Module::Deals => DEALS,
        Module::Calls => CALLS,
        Module::Tasks => tasks::TASKS,
    }
}

/// One field by API name (case-sensitive).
pub fn field(module: Module, api_name: &str) -> Option<&'static FieldMeta> {
    fields(module).iter().find(|f| f.api_name == api_name)
}

/// Modules `What_Id` may point to (with `$se_module`) in this simulator.
pub const WHAT_ID_MODULES: [Module; 3] = [Module::Leads, Module::Accounts, Module::Deals];

/// Phone-type fields of a module (what `phone=` search scans).
pub fn phone_fields(module: Module) -> impl Iterator<Item = &'static FieldMeta> {
    fields(module).iter().filter(|f| f.ty == FieldType::Phone)
}
