//! Per-module field metadata: the table that drives validation, rendering, search, COQL and
//! `GET /settings/fields`. Names and types follow the SDK's field list (docs/zoho-api.md §5, §6);
//! lengths and picklist values of a default org are partly unconfirmed.

use super::fieldsets;
use super::module::Module;

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
    /// `Tag`: a list of `{"name"}` (`length` is a tag name's limit).
    Tag,
}

impl FieldType {
    /// `data_type` as reported by `GET /settings/fields`.
    pub fn data_type(self) -> &'static str {
        match self {
            Self::Text | Self::CallDuration | Self::Tag => "text",
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

pub(super) const fn f(
    api_name: &'static str,
    label: &'static str,
    ty: FieldType,
    length: u32,
) -> FieldMeta {
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

pub(super) const fn text(api: &'static str, label: &'static str, len: u32) -> FieldMeta {
    f(api, label, FieldType::Text, len)
}

pub(super) const fn phone(api: &'static str, label: &'static str) -> FieldMeta {
    f(api, label, FieldType::Phone, 30)
}

pub(super) const fn pick(
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
    pub(super) const fn required(self) -> Self {
        Self {
            mandatory: true,
            ..self
        }
    }
    pub(super) const fn ro(self) -> Self {
        Self {
            read_only: true,
            ..self
        }
    }
}

/// All fields of a module, in layout order.
pub fn fields(module: Module) -> &'static [FieldMeta] {
    match module {
        Module::Contacts => fieldsets::CONTACTS,
        Module::Leads => fieldsets::LEADS,
        Module::Accounts => fieldsets::ACCOUNTS,
        Module::Deals => fieldsets::DEALS,
        Module::Calls => fieldsets::CALLS,
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
