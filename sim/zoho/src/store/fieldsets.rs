//! Each module's standard fields as a new org has them: names, types, lengths and picklist
//! values from Zoho's field lists and record examples (the insert-records examples, the
//! fields-metadata examples, docs/zoho-api.md §5, §6). Lengths and picklist values of a
//! default org are partly unconfirmed (docs/zoho-assumptions.md).

use super::fields::{FieldMeta, FieldType, f, phone, pick, text};
use super::module::Module;

pub(super) const OWNER: FieldMeta = f("Owner", "Owner", FieldType::OwnerLookup, 120);
const SYSTEM: [FieldMeta; 4] = [
    f("Created_By", "Created By", FieldType::OwnerLookup, 120).ro(),
    f("Modified_By", "Modified By", FieldType::OwnerLookup, 120).ro(),
    f("Created_Time", "Created Time", FieldType::DateTime, 120).ro(),
    f("Modified_Time", "Modified Time", FieldType::DateTime, 120).ro(),
];

/// A module's fields: `Owner` first, then `fields`, then what every module ends with
/// (`Description`, `Tag`, the system fields).
macro_rules! module_fields {
    ($($field:expr),* $(,)?) => {
        &[
            OWNER,
            $($field,)*
            f("Description", "Description", FieldType::TextArea, 32_000),
            TAG,
            SYSTEM[0],
            SYSTEM[1],
            SYSTEM[2],
            SYSTEM[3],
        ]
    };
}

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

/// `Tag`: every module has it; a list of `{"name"}` on input.
const TAG: FieldMeta = f("Tag", "Tag", FieldType::Tag, 25);

const SALUTATION: &[&str] = &["-None-", "Mr.", "Mrs.", "Ms.", "Dr.", "Prof."];

/// "Qualified" appears in Zoho's record examples; the rest are a new org's values.
const LEAD_STATUS: &[&str] = &[
    "-None-",
    "Attempted to Contact",
    "Contact in Future",
    "Contacted",
    "Junk Lead",
    "Lost Lead",
    "Not Contacted",
    "Pre-Qualified",
    "Qualified",
    "Not Qualified",
];

const RATING: &[&str] = &[
    "-None-",
    "Acquired",
    "Active",
    "Market Failed",
    "Project Cancelled",
    "Shut Down",
];

const INDUSTRY: &[&str] = &[
    "-None-",
    "ASP",
    "Data/Telecom OEM",
    "ERP",
    "Government/Military",
    "Large Enterprise",
    "ManagementISV",
    "MSP (Management Service Provider)",
    "Network Equipment Enterprise",
    "Non-management ISV",
    "Optical Networking",
    "Service Provider",
    "Small/Medium Enterprise",
    "Storage Equipment",
    "Storage Service Provider",
    "Systems Integrator",
    "Wireless Industry",
    "Communications",
    "Consulting",
    "Education",
    "Financial Services",
    "Government",
    "Manufacturing",
    "Non-Profit",
    "Real Estate",
    "Technology",
];

pub const CONTACTS: &[FieldMeta] = module_fields![
    pick("Salutation", "Salutation", SALUTATION),
    text("First_Name", "First Name", 40),
    text("Last_Name", "Last Name", 80).required(),
    text("Full_Name", "Full Name", 120).ro(),
    f(
        "Account_Name",
        "Account Name",
        FieldType::Lookup(Module::Accounts),
        120,
    ),
    f("Email", "Email", FieldType::Email, 100),
    f("Secondary_Email", "Secondary Email", FieldType::Email, 100),
    text("Title", "Title", 100),
    text("Department", "Department", 100),
    phone("Phone", "Phone"),
    phone("Home_Phone", "Home Phone"),
    phone("Mobile", "Mobile"),
    phone("Other_Phone", "Other Phone"),
    phone("Fax", "Fax"),
    text("Assistant", "Assistant", 100),
    phone("Asst_Phone", "Asst Phone"),
    f(
        "Reports_To",
        "Reports To",
        FieldType::Lookup(Module::Contacts),
        120,
    ),
    pick("Lead_Source", "Lead Source", LEAD_SOURCE),
    f("Date_of_Birth", "Date of Birth", FieldType::Date, 20),
    f("Email_Opt_Out", "Email Opt Out", FieldType::Boolean, 5),
    text("Skype_ID", "Skype ID", 50),
    text("Twitter", "Twitter", 50),
    text("Mailing_Street", "Mailing Street", 250),
    text("Mailing_City", "Mailing City", 100),
    text("Mailing_State", "Mailing State", 100),
    text("Mailing_Zip", "Mailing Zip", 30),
    text("Mailing_Country", "Mailing Country", 100),
    text("Other_Street", "Other Street", 250),
    text("Other_City", "Other City", 100),
    text("Other_State", "Other State", 100),
    text("Other_Zip", "Other Zip", 30),
    text("Other_Country", "Other Country", 100),
];

pub const LEADS: &[FieldMeta] = module_fields![
    pick("Salutation", "Salutation", SALUTATION),
    text("First_Name", "First Name", 40),
    text("Last_Name", "Last Name", 80).required(),
    text("Full_Name", "Full Name", 120).ro(),
    text("Company", "Company", 200).required(),
    text("Designation", "Title", 100),
    f("Email", "Email", FieldType::Email, 100),
    f("Secondary_Email", "Secondary Email", FieldType::Email, 100),
    phone("Phone", "Phone"),
    phone("Mobile", "Mobile"),
    phone("Fax", "Fax"),
    f("Website", "Website", FieldType::Website, 255),
    text("Skype_ID", "Skype ID", 50),
    text("Twitter", "Twitter", 50),
    pick("Lead_Source", "Lead Source", LEAD_SOURCE),
    pick("Lead_Status", "Lead Status", LEAD_STATUS),
    pick("Industry", "Industry", INDUSTRY),
    f("No_of_Employees", "No. of Employees", FieldType::Integer, 9),
    f("Annual_Revenue", "Annual Revenue", FieldType::Currency, 16),
    pick("Rating", "Rating", RATING),
    f("Email_Opt_Out", "Email Opt Out", FieldType::Boolean, 5),
    text("Street", "Street", 250),
    text("City", "City", 100),
    text("State", "State", 100),
    text("Zip_Code", "Zip Code", 30),
    text("Country", "Country", 100),
];

pub const ACCOUNTS: &[FieldMeta] = module_fields![
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
    pick("Industry", "Industry", INDUSTRY),
    f("Employees", "Employees", FieldType::Integer, 9),
    text("Billing_City", "Billing City", 30),
    text("Billing_Country", "Billing Country", 30),
];

pub const DEALS: &[FieldMeta] = module_fields![
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
];

pub const CALLS: &[FieldMeta] = module_fields![
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
];
