//! Company contacts and phonebooks (docs/yeastar-api.md §10). Writes send `number_list`
//! (`[{num_type, number}]`); reads come back as flat fields (`business`,
//! `mobile2`, ...), so both shapes are mapped here.

use ringbridge_core::pbx::{PbxContact, PbxContactId, PbxNumberKind, Phonebook, PhonebookId};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use super::{Created, Done, numeric_id};
use crate::client::YeastarClient;
use crate::error::{Result, YeastarError};
use crate::wire::{self, WireText};

/// The number slots of a contact and their write name (`num_type`); the
/// read name drops `_number` (`mobile_number2` → `mobile2`).
const SLOTS: [(PbxNumberKind, &str); 7] = [
    (PbxNumberKind::Business, "business_number"),
    (PbxNumberKind::Business, "business_number2"),
    (PbxNumberKind::Mobile, "mobile_number"),
    (PbxNumberKind::Mobile, "mobile_number2"),
    (PbxNumberKind::Home, "home_number"),
    (PbxNumberKind::Home, "home_number2"),
    (PbxNumberKind::Other, "other_number"),
];

/// The PBX's limit on one number.
const MAX_NUMBER_LEN: usize = 31;

/// A list/search/get row (read shape). Fax numbers (`business_fax`,
/// `home_fax`) are not read: nobody calls from a fax line.
#[derive(Debug, Deserialize)]
pub(crate) struct ContactRow {
    id: WireText,
    #[serde(default)]
    contact_name: Option<WireText>,
    /// Not in list rows per docs/yeastar-api.md §10, but taken when a PBX sends it.
    #[serde(default)]
    first_name: Option<WireText>,
    #[serde(default)]
    last_name: Option<WireText>,
    #[serde(default)]
    company: Option<WireText>,
    #[serde(default)]
    email: Option<WireText>,
    #[serde(default)]
    remark: Option<WireText>,
    #[serde(default)]
    phonebook_list: Option<Vec<PhonebookRow>>,
    #[serde(default)]
    business: Option<WireText>,
    #[serde(default)]
    business2: Option<WireText>,
    #[serde(default)]
    mobile: Option<WireText>,
    #[serde(default)]
    mobile2: Option<WireText>,
    #[serde(default)]
    home: Option<WireText>,
    #[serde(default)]
    home2: Option<WireText>,
    #[serde(default)]
    other: Option<WireText>,
}

#[derive(Debug, Deserialize)]
struct PhonebookRow {
    id: WireText,
    #[serde(default)]
    name: Option<WireText>,
}

impl From<PhonebookRow> for Phonebook {
    fn from(row: PhonebookRow) -> Self {
        Self {
            id: PhonebookId(row.id.into_string()),
            name: wire::opt_text(row.name).unwrap_or_default(),
        }
    }
}

impl From<ContactRow> for PbxContact {
    fn from(row: ContactRow) -> Self {
        // Same order as SLOTS.
        let values = [
            row.business,
            row.business2,
            row.mobile,
            row.mobile2,
            row.home,
            row.home2,
            row.other,
        ];
        let numbers = SLOTS
            .iter()
            .zip(values)
            .filter_map(|((kind, _), value)| Some((*kind, wire::opt_text(value)?)))
            .collect();
        // List rows carry only `contact_name` (first + last in the PBX's name
        // format), which cannot be split reliably: it becomes the first name.
        let (first_name, last_name) = match wire::opt_text(row.first_name) {
            Some(first) => (first, wire::opt_text(row.last_name)),
            None => (wire::opt_text(row.contact_name).unwrap_or_default(), None),
        };
        PbxContact {
            id: Some(PbxContactId(row.id.into_string())),
            first_name,
            last_name,
            company: wire::opt_text(row.company),
            email: wire::opt_text(row.email),
            numbers,
            remark: wire::opt_text(row.remark),
            phonebooks: row
                .phonebook_list
                .unwrap_or_default()
                .into_iter()
                .map(|p| PhonebookId(p.id.into_string()))
                .collect(),
        }
    }
}

/// The write shape of `company_contact/create|update`.
#[derive(Debug, Serialize, PartialEq)]
struct ContactWrite<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<i64>,
    first_name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    company: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<&'a str>,
    phonebook_id_list: Vec<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    remark: Option<&'a str>,
    number_list: Vec<NumberEntry>,
}

#[derive(Debug, Serialize, PartialEq, Eq)]
struct NumberEntry {
    num_type: &'static str,
    number: String,
}

/// Puts numbers into the PBX's fixed slots: two per kind (one "other"); a
/// number with no free slot of its kind goes to "other" if free, else it is
/// dropped with a warning. Numbers the PBX would refuse are dropped too.
fn number_list(numbers: &[(PbxNumberKind, String)]) -> Vec<NumberEntry> {
    let mut used = [false; SLOTS.len()];
    let mut out = Vec::new();
    for (kind, number) in numbers {
        let number = number.trim();
        if !is_valid_number(number) {
            tracing::warn!(number, "skipping a number the PBX would refuse");
            continue;
        }
        let slot = SLOTS
            .iter()
            .enumerate()
            .position(|(i, (k, _))| k == kind && !used[i])
            .or_else(|| {
                let other = SLOTS.len() - 1;
                (!used[other]).then_some(other)
            });
        match slot {
            Some(i) => {
                used[i] = true;
                out.push(NumberEntry {
                    num_type: SLOTS[i].1,
                    number: number.to_owned(),
                });
            }
            None => tracing::warn!(number, "no free number slot on the PBX contact"),
        }
    }
    out
}

/// Digits, space, `( ) . - +`, at most 31 characters, at least one digit.
fn is_valid_number(number: &str) -> bool {
    number.len() <= MAX_NUMBER_LEN
        && number.chars().any(|c| c.is_ascii_digit())
        && number
            .chars()
            .all(|c| c.is_ascii_digit() || " ().-+".contains(c))
}

fn write_shape(
    id: Option<i64>,
    contact: &PbxContact,
    clear_absent: bool,
) -> Result<ContactWrite<'_>> {
    // On update, absent fields are sent empty so they are cleared: the
    // contact is replaced, not merged.
    fn field(value: &Option<String>, clear_absent: bool) -> Option<&str> {
        match value {
            Some(v) => Some(v.as_str()),
            None if clear_absent => Some(""),
            None => None,
        }
    }
    let first_name = contact.first_name.trim();
    if first_name.is_empty() {
        return Err(YeastarError::Invalid(
            "a PBX contact needs a first name".into(),
        ));
    }
    Ok(ContactWrite {
        id,
        first_name,
        last_name: field(&contact.last_name, clear_absent),
        company: field(&contact.company, clear_absent),
        email: field(&contact.email, clear_absent),
        phonebook_id_list: contact
            .phonebooks
            .iter()
            .map(|p| numeric_id("phonebook", &p.0))
            .collect::<Result<_>>()?,
        remark: field(&contact.remark, clear_absent),
        number_list: number_list(&contact.numbers),
    })
}

/// `phonebook/get`: a phonebook with its members.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhonebookDetail {
    pub id: PhonebookId,
    pub name: String,
    /// `sel_all` (every contact, new ones included) or `sel_specific`.
    pub member_select: Option<String>,
    pub contacts: Vec<PbxContact>,
}

/// Whether `phonebook/get` nests its answer in `data` is undocumented.
#[derive(Debug, Deserialize)]
struct PhonebookGet<'a> {
    #[serde(borrow, default)]
    data: Option<&'a RawValue>,
}

#[derive(Debug, Deserialize)]
struct PhonebookGetData {
    id: WireText,
    #[serde(default)]
    name: Option<WireText>,
    #[serde(default)]
    member_select: Option<WireText>,
    #[serde(default)]
    contacts_list: Option<Vec<ContactRow>>,
}

/// `POST phonebook/update`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PhonebookUpdate {
    pub id: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub member_select: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub add_contacts_id_list: Vec<i64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub del_contacts_id_list: Vec<i64>,
}

impl YeastarClient {
    /// Every company contact.
    pub async fn company_contact_list(&self) -> Result<Vec<PbxContact>> {
        let rows: Vec<ContactRow> = self.get_all("company_contact/list", &[]).await?;
        Ok(rows.into_iter().map(PbxContact::from).collect())
    }

    /// Contacts whose name or number matches `query` (matching rules are the
    /// PBX's, undocumented).
    pub async fn company_contact_search(&self, query: &str) -> Result<Vec<PbxContact>> {
        let q = [("search_value", query.to_owned())];
        let rows: Vec<ContactRow> = self.get_all("company_contact/search", &q).await?;
        Ok(rows.into_iter().map(PbxContact::from).collect())
    }

    pub async fn company_contact_create(&self, contact: &PbxContact) -> Result<PbxContactId> {
        let body = write_shape(None, contact, false)?;
        if body.number_list.is_empty() {
            return Err(YeastarError::Invalid("a PBX contact needs a number".into()));
        }
        let created: Created = self.post("company_contact/create", &body).await?;
        Ok(PbxContactId(created.id.into_string()))
    }

    /// Replaces the contact's fields, numbers and phonebooks.
    pub async fn company_contact_update(
        &self,
        id: &PbxContactId,
        contact: &PbxContact,
    ) -> Result<()> {
        let body = write_shape(Some(numeric_id("contact", &id.0)?), contact, true)?;
        let Done {} = self.post("company_contact/update", &body).await?;
        Ok(())
    }

    pub async fn phonebook_list(&self) -> Result<Vec<Phonebook>> {
        let rows: Vec<PhonebookRow> = self.get_all("phonebook/list", &[]).await?;
        Ok(rows.into_iter().map(Phonebook::from).collect())
    }

    /// Phonebooks whose name matches `query` (the PBX's matching rules are
    /// undocumented; the simulator matches a case-insensitive substring).
    pub async fn phonebook_search(&self, query: &str) -> Result<Vec<Phonebook>> {
        let q = [("search_value", query.to_owned())];
        let rows: Vec<PhonebookRow> = self.get_all("phonebook/search", &q).await?;
        Ok(rows.into_iter().map(Phonebook::from).collect())
    }

    /// Creates a phonebook holding the contacts chosen one by one.
    pub async fn phonebook_create(&self, name: &str) -> Result<PhonebookId> {
        let body = serde_json::json!({ "name": name, "member_select": "sel_specific" });
        let created: Created = self.post("phonebook/create", &body).await?;
        Ok(PhonebookId(created.id.into_string()))
    }

    pub async fn phonebook_get(&self, id: &PhonebookId) -> Result<PhonebookDetail> {
        let q = [("id", numeric_id("phonebook", &id.0)?.to_string())];
        let answer: Box<RawValue> = self.get("phonebook/get", &q).await?;
        let bad = |e: serde_json::Error| {
            YeastarError::Decode(ringbridge_core::cause::Cause::with_context(
                "phonebook/get",
                e,
            ))
        };
        let wrapper: PhonebookGet<'_> = serde_json::from_str(answer.get()).map_err(bad)?;
        let data: PhonebookGetData =
            serde_json::from_str(wrapper.data.unwrap_or(&answer).get()).map_err(bad)?;
        Ok(PhonebookDetail {
            id: PhonebookId(data.id.into_string()),
            name: wire::opt_text(data.name).unwrap_or_default(),
            member_select: wire::opt_text(data.member_select),
            contacts: data
                .contacts_list
                .unwrap_or_default()
                .into_iter()
                .map(PbxContact::from)
                .collect(),
        })
    }

    pub async fn phonebook_update(&self, update: &PhonebookUpdate) -> Result<()> {
        let Done {} = self.post("phonebook/update", update).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contact() -> PbxContact {
        PbxContact {
            id: None,
            first_name: "Lena".into(),
            last_name: Some("Brandt".into()),
            company: Some("Nordwerk GmbH".into()),
            email: Some("lena@nordwerk.test".into()),
            numbers: vec![
                (PbxNumberKind::Business, "+49 30 901820".into()),
                (PbxNumberKind::Mobile, "+49 151 2345678".into()),
            ],
            remark: Some("crm:Contacts:4410000000098765".into()),
            phonebooks: vec![PhonebookId("4".into())],
        }
    }

    #[test]
    fn create_body_matches_the_doc() {
        let body = serde_json::to_value(write_shape(None, &contact(), false).expect("valid"))
            .expect("json");
        let doc: serde_json::Value = serde_json::from_str(
            r#"{"first_name":"Lena","last_name":"Brandt","company":"Nordwerk GmbH","email":"lena@nordwerk.test",
 "phonebook_id_list":[4],"remark":"crm:Contacts:4410000000098765",
 "number_list":[{"num_type":"business_number","number":"+49 30 901820"},
                {"num_type":"mobile_number","number":"+49 151 2345678"}]}"#,
        )
        .expect("doc json");
        assert_eq!(body, doc);
    }

    #[test]
    fn update_clears_absent_fields() {
        let mut c = contact();
        c.company = None;
        let body =
            serde_json::to_value(write_shape(Some(57), &c, true).expect("valid")).expect("json");
        assert_eq!(body["id"], 57);
        assert_eq!(body["company"], "");
    }

    #[test]
    fn slots_fill_then_overflow_to_other() {
        let numbers = [
            (PbxNumberKind::Mobile, "1".to_owned()),
            (PbxNumberKind::Mobile, "2".to_owned()),
            (PbxNumberKind::Mobile, "3".to_owned()),
            (PbxNumberKind::Mobile, "4".to_owned()),
            (PbxNumberKind::Home, "call me maybe".to_owned()),
        ];
        let list = number_list(&numbers);
        let types: Vec<_> = list.iter().map(|n| n.num_type).collect();
        assert_eq!(types, ["mobile_number", "mobile_number2", "other_number"]);
    }

    #[test]
    fn read_shape_maps_back() {
        let row: ContactRow = serde_json::from_str(
            r#"{"id":57,"contact_name":"Lena Brandt","company":"Nordwerk GmbH","email":"lena@nordwerk.test",
               "phonebook_list":[{"id":4,"name":"CRM"}],"remark":"r","business":"+49 30 901820",
               "mobile2":"+49 151 2345678","home":"","business_fax":"+49 30 1"}"#,
        )
        .expect("row");
        let c = PbxContact::from(row);
        assert_eq!(c.id, Some(PbxContactId("57".into())));
        assert_eq!(c.first_name, "Lena Brandt");
        assert_eq!(c.last_name, None);
        assert_eq!(
            c.numbers,
            vec![
                (PbxNumberKind::Business, "+49 30 901820".to_owned()),
                (PbxNumberKind::Mobile, "+49 151 2345678".to_owned()),
            ]
        );
        assert_eq!(c.phonebooks, vec![PhonebookId("4".into())]);
    }

    #[test]
    fn refuses_what_the_pbx_would() {
        let mut c = contact();
        c.first_name = " ".into();
        assert!(write_shape(None, &c, false).is_err());
        let mut c = contact();
        c.phonebooks = vec![PhonebookId("crm".into())];
        assert!(write_shape(None, &c, false).is_err());
        assert!(!is_valid_number(
            "+49 (30) 901820-1.2 extra long number here"
        ));
        assert!(is_valid_number("+49 (30) 901820-1.2"));
    }
}
