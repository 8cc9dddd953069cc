//! One field as `GET /settings/fields` describes it: every key Zoho's fields schema
//! (spec `fields.json`, `fields`) marks required, typed as the schema says. Keys Zoho's
//! examples show as `null` for standard fields (`associated_module`, `crypt`, `tooltip`)
//! are `null` here too; the other object keys are objects with unset (`null`) members.
//! Layout-mandatory and unique fields come from the org's [`Layout`].

use serde_json::{Value, json};

use crate::store::Store;
use crate::store::fields::{FieldMeta, FieldType, WHAT_ID_MODULES, field};
use crate::store::module::Module;

pub fn module_ref(m: Module) -> Value {
    json!({"api_name": m.api_name(), "id": format!("5725767{:012}", 1_000 + m.id_suffix())})
}

/// The id of the module's one layout ("Standard").
pub fn layout_id(m: Module) -> String {
    format!("5725767{:012}", 91_000 + m.id_suffix())
}

/// Zoho's `ui_type` codes are internal; the simulator gives each type a fixed number.
fn ui_type(ty: FieldType) -> u32 {
    match ty {
        FieldType::Text | FieldType::CallDuration | FieldType::Tag => 1,
        FieldType::Picklist => 2,
        FieldType::TextArea => 3,
        FieldType::OwnerLookup => 8,
        FieldType::Website => 21,
        FieldType::Date => 24,
        FieldType::Email => 25,
        FieldType::Integer => 32,
        FieldType::Phone => 33,
        FieldType::Currency => 36,
        FieldType::Lookup(_) => 133,
        FieldType::Boolean => 301,
        FieldType::DateTime => 333,
        FieldType::MultiModuleLookup => 437,
    }
}

fn json_type(ty: FieldType) -> &'static str {
    match ty {
        FieldType::Integer => "integer",
        FieldType::Currency => "double",
        FieldType::Boolean => "boolean",
        FieldType::Lookup(_) | FieldType::OwnerLookup | FieldType::MultiModuleLookup => {
            "jsonobject"
        }
        FieldType::Tag => "jsonarray",
        _ => "string",
    }
}

fn unset_module() -> Value {
    json!({"api_name": null, "id": null})
}

/// Profiles of the org's users (each user has one), each allowed to edit writable fields.
fn profiles(store: &Store, read_only: bool) -> Vec<Value> {
    let mut names: Vec<&str> = store.users.iter().map(|u| u.profile.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    let permission = if read_only { "read_only" } else { "read_write" };
    names
        .iter()
        .enumerate()
        .map(|(i, n)| {
            json!({"name": n, "id": format!("5725767{:012}", 26_000 + i), "permission_type": permission})
        })
        .collect()
}

/// Lead fields that carry over on conversion name the same field of the target module.
fn convert_mapping(module: Module, api_name: &str) -> Value {
    if module != Module::Leads {
        return json!({});
    }
    let same = |m: Module| field(m, api_name).map(|f| f.api_name);
    json!({"Contacts": same(Module::Contacts), "Accounts": Value::Null, "Deals": Value::Null})
}

pub fn field_json(store: &Store, module: Module, n: usize, f: &FieldMeta) -> Value {
    let id = format!(
        "5725767{:012}",
        100_000 + module.id_suffix() * 1_000 + n as u64
    );
    let picks: Vec<Value> = f
        .picklist
        .iter()
        .enumerate()
        .map(|(i, v)| {
            json!({"display_value": v, "actual_value": v, "sequence_number": i + 1, "type": "used",
                   "id": format!("{id}{i}"), "colour_code": Value::Null})
        })
        .collect();
    let lookup = match f.ty {
        FieldType::Lookup(target) => {
            json!({"module": module_ref(target), "api_name": Value::Null, "display_label": target.api_name()})
        }
        _ => json!({}),
    };
    let multi = match f.ty {
        FieldType::MultiModuleLookup => json!({
            "api_name": f.api_name, "display_label": f.label,
            "modules": WHAT_ID_MODULES.iter().map(|m| module_ref(*m)).collect::<Vec<_>>()
        }),
        _ => Value::Null,
    };
    let layout_mandatory = store.layout.is_mandatory(module, f.api_name);
    let unique = store
        .layout
        .unique
        .get(&module)
        .is_some_and(|u| u.iter().any(|x| x == f.api_name));
    let writable = !f.read_only;
    let (currency, decimals) = match f.ty {
        FieldType::Currency => (
            json!({"rounding_option": "normal", "precision": 2}),
            json!(2),
        ),
        _ => (json!({}), Value::Null),
    };
    json!({
        "id": id, "api_name": f.api_name, "field_label": f.label, "display_label": f.label,
        "column_name": f.api_name.to_uppercase(), "data_type": f.ty.data_type(),
        "json_type": json_type(f.ty), "ui_type": ui_type(f.ty), "display_type": -1,
        "show_type": 0, "category": 0, "sequence_number": n + 1,
        "quick_sequence_number": (n + 1).to_string(),
        "length": f.length, "decimal_place": decimals, "currency": currency,
        "system_mandatory": f.mandatory, "read_only": f.read_only, "field_read_only": f.read_only,
        "custom_field": false, "created_source": "default", "type": "used",
        "visible": true, "available_in_user_layout": true, "static_field": false,
        "virtual_field": false, "separator": false, "number_separator": false,
        "searchable": f.ty.is_textual(), "filterable": true, "sortable": true,
        "mass_update": writable, "webhook": true, "blueprint_supported": false,
        "businesscard_supported": true, "display_field": module.name_field() == f.api_name,
        "enable_colour_code": false, "colour_code_enabled_by_system": false,
        "pick_list_values_sorted_lexically": false, "pick_list_values": picks,
        "customizable_properties": [], "allowed_modules": [], "file_upolad_optionlist": [],
        "operation_type": {"web_update": writable, "api_create": writable,
                           "web_create": writable, "api_update": writable},
        "view_type": {"view": true, "edit": writable, "create": writable,
                      "quick_create": f.mandatory || layout_mandatory},
        "profiles": profiles(store, f.read_only),
        "layout_associations": [{"id": layout_id(module), "name": "Standard", "api_name": "Standard"}],
        "unique": if unique { json!({"casesensitive": "false"}) } else { json!({}) },
        "lookup": lookup, "multi_module_lookup": multi, "multiselectlookup": {},
        "multiuserlookup": Value::Null, "subform": Value::Null, "formula": {},
        "auto_number": {}, "autonumber": Value::Null, "rollup_summary": Value::Null,
        "common.picklist": Value::Null, "additional_column": Value::Null,
        "associated_module": Value::Null, "crypt": Value::Null, "tooltip": Value::Null,
        "history_tracking": Value::Null,
        "external": {"show": null, "type": null}, "sub_module": unset_module(),
        "refer_from_field": {"id": null, "api_name": null},
        "association_details": {"related_field": unset_module(), "lookup_field": unset_module()},
        "sharing_properties": {}, "email_parser": {"fields_update_supported": null,
                                                   "record_operations_supported": null},
        "hipaa_compliance_enabled": false,
        "hipaa_compliance": {"restricted_in_export": null, "restricted": null},
        "convert_mapping": convert_mapping(module, f.api_name),
        "textarea": if f.ty == FieldType::TextArea { json!({"type": "large"}) } else { json!({}) },
        "_update_existing_records": false,
        "created_time": Value::Null, "modified_time": Value::Null,
    })
}
