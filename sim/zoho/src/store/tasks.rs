//! The Tasks module's fields (an activity module, like Calls): `Subject` is
//! mandatory; `Who_Id` takes a Contact and `What_Id` + `$se_module` a Lead,
//! Account or Deal, as Zoho documents for activities; `Due_Date` is a date
//! (`yyyy-MM-dd`). Picklist values are those of a default org (unconfirmed).
//! A child of `fields`, whose field builders it uses.

use super::fieldsets::{OWNER, SYSTEM};
use super::{FieldMeta, FieldType, f, pick, text};
use crate::store::module::Module;

pub(super) const TASKS: &[FieldMeta] = &[
    OWNER,
    text("Subject", "Subject", 255).required(),
    f("Due_Date", "Due Date", FieldType::Date, 20),
    f(
        "Who_Id",
        "Contact Name",
        FieldType::Lookup(Module::Contacts),
        120,
    ),
    f("What_Id", "Related To", FieldType::MultiModuleLookup, 120),
    pick(
        "Status",
        "Status",
        &[
            "Not Started",
            "Deferred",
            "In Progress",
            "Completed",
            "Waiting for input",
        ],
    ),
    pick(
        "Priority",
        "Priority",
        &["High", "Highest", "Low", "Lowest", "Normal"],
    ),
    f("Description", "Description", FieldType::TextArea, 32_000),
    f("Closed_Time", "Closed Time", FieldType::DateTime, 120).ro(),
    SYSTEM[0],
    SYSTEM[1],
    SYSTEM[2],
    SYSTEM[3],
];
