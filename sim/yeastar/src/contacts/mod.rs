//! Company contacts and phonebooks (docs/yeastar-api.md §10): write shape in, flat read shape out.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::codes::ApiError;
use crate::config::NameFormat;
use crate::sample::Company;

mod books;
mod unique;

use unique::Candidate;

/// `num_type` (write) → read field name.
pub const NUM_TYPES: &[(&str, &str)] = &[
    ("business_number", "business"),
    ("business_number2", "business2"),
    ("mobile_number", "mobile"),
    ("mobile_number2", "mobile2"),
    ("home_number", "home"),
    ("home_number2", "home2"),
    ("other_number", "other"),
    ("business_fax", "business_fax"),
    ("home_fax", "home_fax"),
];

fn read_field(num_type: &str) -> Option<&'static str> {
    NUM_TYPES
        .iter()
        .find(|(w, _)| *w == num_type)
        .map(|(_, r)| *r)
}

/// A stored company contact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    /// Id.
    pub id: u64,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Company.
    pub company: String,
    /// E-mail.
    pub email: String,
    /// Remark.
    pub remark: String,
    /// `(num_type, number)` in write shape.
    pub numbers: Vec<(String, String)>,
    /// Address: zip code.
    pub zip_code: String,
    /// Address: street.
    pub street: String,
    /// Address: city.
    pub city: String,
    /// Address: state.
    pub state: String,
    /// Address: country.
    pub country: String,
}

/// A stored phonebook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phonebook {
    /// Id.
    pub id: u64,
    /// Name.
    pub name: String,
    /// `sel_all`: holds every contact, new ones included.
    pub sel_all: bool,
    /// Members of a `sel_specific` book.
    pub members: BTreeSet<u64>,
}

/// One `number_list` entry.
#[derive(Debug, Clone, Deserialize)]
pub struct NumberInput {
    /// Write-shape type, e.g. `business_number`.
    pub num_type: String,
    /// The number.
    pub number: String,
}

/// Body of `company_contact/create` and `update`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ContactInput {
    /// Required on update.
    pub id: Option<u64>,
    /// Required on create.
    pub first_name: Option<String>,
    /// Optional fields.
    pub last_name: Option<String>,
    /// Company.
    pub company: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// Phonebooks to be a member of.
    pub phonebook_id_list: Option<Vec<u64>>,
    /// Remark.
    pub remark: Option<String>,
    /// Required on create; replaces the numbers on update.
    pub number_list: Option<Vec<NumberInput>>,
    /// Address.
    pub zip_code: Option<String>,
    /// Address.
    pub street: Option<String>,
    /// Address.
    pub city: Option<String>,
    /// Address.
    pub state: Option<String>,
    /// Address.
    pub country: Option<String>,
}

fn valid_number(n: &str) -> bool {
    !n.is_empty()
        && n.chars().count() <= 31
        && n.chars()
            .all(|c| c.is_ascii_digit() || " ().-+".contains(c))
}

fn check_numbers(list: &[NumberInput]) -> Result<Vec<(String, String)>, ApiError> {
    let refused = |value: &str| ApiError::invalid_param("number_list", "INVALID", value);
    if list.is_empty() {
        return Err(refused(""));
    }
    let mut seen = BTreeSet::new();
    let mut out = Vec::with_capacity(list.len());
    for n in list {
        if read_field(&n.num_type).is_none()
            || !valid_number(&n.number)
            || !seen.insert(n.num_type.as_str())
        {
            return Err(refused(&n.number));
        }
        out.push((n.num_type.clone(), n.number.clone()));
    }
    Ok(out)
}

fn check_first_name(name: &str) -> Result<(), ApiError> {
    if name.trim().is_empty() || name.chars().count() > 255 {
        return Err(ApiError::invalid_param("first_name", "LENGTH", name));
    }
    Ok(())
}

/// Contacts plus phonebooks, with the PBX's rules.
#[derive(Debug, Clone)]
pub struct ContactBook {
    contacts: BTreeMap<u64, Contact>,
    books: BTreeMap<u64, Phonebook>,
    next_contact: u64,
    next_book: u64,
    /// Contact cap.
    pub max_contacts: usize,
    /// Phonebook cap.
    pub max_books: usize,
    /// Name format.
    pub name_format: NameFormat,
    /// Refuse deleting contacts still in a specific phonebook.
    pub strict_delete: bool,
    /// Refuse two contacts of one phonebook sharing a number or e-mail (`40003`).
    pub unique_in_phonebook: bool,
}

impl ContactBook {
    /// Seeds from the company data.
    pub fn seeded(company: &Company, name_format: NameFormat) -> Self {
        let mut book = Self {
            contacts: BTreeMap::new(),
            books: BTreeMap::new(),
            next_contact: 1,
            next_book: 1,
            max_contacts: usize::MAX,
            max_books: usize::MAX,
            name_format,
            strict_delete: true,
            unique_in_phonebook: false,
        };
        let mut ids = Vec::new();
        for c in &company.contacts {
            let id = book.next_contact;
            book.next_contact += 1;
            book.contacts.insert(
                id,
                Contact {
                    id,
                    first_name: c.first_name.clone(),
                    last_name: c.last_name.clone(),
                    company: c.company.clone(),
                    email: c.email.clone(),
                    remark: String::new(),
                    numbers: c.numbers.clone(),
                    zip_code: String::new(),
                    street: String::new(),
                    city: String::new(),
                    state: String::new(),
                    country: String::new(),
                },
            );
            ids.push(id);
        }
        for p in &company.phonebooks {
            let id = book.next_book;
            book.next_book += 1;
            let members = p
                .contacts
                .iter()
                .filter_map(|i| ids.get(*i).copied())
                .collect();
            book.books.insert(
                id,
                Phonebook {
                    id,
                    name: p.name.clone(),
                    sel_all: p.all_contacts,
                    members,
                },
            );
        }
        book
    }

    /// All contacts.
    pub fn contacts(&self) -> Vec<Contact> {
        self.contacts.values().cloned().collect()
    }

    /// One contact.
    pub fn contact(&self, id: u64) -> Option<&Contact> {
        self.contacts.get(&id)
    }

    /// All phonebooks.
    pub fn phonebooks(&self) -> Vec<Phonebook> {
        self.books.values().cloned().collect()
    }

    /// One phonebook.
    pub fn phonebook(&self, id: u64) -> Option<&Phonebook> {
        self.books.get(&id)
    }

    /// Contact ids held by a phonebook (all contacts for `sel_all`).
    pub fn book_members(&self, book: &Phonebook) -> Vec<u64> {
        if book.sel_all {
            self.contacts.keys().copied().collect()
        } else {
            book.members.iter().copied().collect()
        }
    }

    fn check_books(&self, ids: &[u64]) -> Result<(), ApiError> {
        if ids.iter().all(|id| self.books.contains_key(id)) {
            Ok(())
        } else {
            Err(ApiError::PhonebookNotExisted)
        }
    }

    fn set_membership(&mut self, contact: u64, ids: &[u64]) {
        for book in self.books.values_mut().filter(|b| !b.sel_all) {
            if ids.contains(&book.id) {
                book.members.insert(contact);
            } else {
                book.members.remove(&contact);
            }
        }
    }

    /// `company_contact/create`.
    pub fn create_contact(&mut self, input: ContactInput) -> Result<u64, ApiError> {
        let first_name = input
            .first_name
            .ok_or_else(|| ApiError::invalid_param("first_name", "REQUIRED", ""))?;
        check_first_name(&first_name)?;
        let numbers = check_numbers(
            input
                .number_list
                .as_deref()
                .ok_or_else(|| ApiError::invalid_param("number_list", "REQUIRED", ""))?,
        )?;
        let books = input.phonebook_id_list.unwrap_or_default();
        self.check_books(&books)?;
        self.check_unique(&Candidate {
            id: None,
            books: &books,
            numbers: &numbers,
            email: input.email.as_deref().unwrap_or_default(),
        })?;
        if self.contacts.len() >= self.max_contacts {
            return Err(ApiError::MaxLimitation);
        }
        let id = self.next_contact;
        self.next_contact += 1;
        self.contacts.insert(
            id,
            Contact {
                id,
                first_name,
                last_name: input.last_name.unwrap_or_default(),
                company: input.company.unwrap_or_default(),
                email: input.email.unwrap_or_default(),
                remark: input.remark.unwrap_or_default(),
                numbers,
                zip_code: input.zip_code.unwrap_or_default(),
                street: input.street.unwrap_or_default(),
                city: input.city.unwrap_or_default(),
                state: input.state.unwrap_or_default(),
                country: input.country.unwrap_or_default(),
            },
        );
        self.set_membership(id, &books);
        Ok(id)
    }

    /// `company_contact/update`: given fields replace stored ones; `number_list` replaces all
    /// numbers and `phonebook_id_list` the specific-book membership (both unconfirmed).
    pub fn update_contact(&mut self, input: ContactInput) -> Result<(), ApiError> {
        let id = input
            .id
            .ok_or_else(|| ApiError::invalid_param("id", "REQUIRED", ""))?;
        if !self.contacts.contains_key(&id) {
            return Err(ApiError::ContactNotExisted);
        }
        if let Some(f) = &input.first_name {
            check_first_name(f)?;
        }
        let numbers = input
            .number_list
            .as_deref()
            .map(check_numbers)
            .transpose()?;
        if let Some(books) = &input.phonebook_id_list {
            self.check_books(books)?;
        }
        let current = &self.contacts[&id];
        let books = input
            .phonebook_id_list
            .clone()
            .unwrap_or_else(|| self.specific_books_of(id));
        self.check_unique(&Candidate {
            id: Some(id),
            books: &books,
            numbers: numbers.as_deref().unwrap_or(&current.numbers),
            email: input.email.as_deref().unwrap_or(&current.email),
        })?;
        let c = self
            .contacts
            .get_mut(&id)
            .ok_or(ApiError::ContactNotExisted)?;
        let set = |dst: &mut String, src: Option<String>| {
            if let Some(v) = src {
                *dst = v;
            }
        };
        set(&mut c.first_name, input.first_name);
        set(&mut c.last_name, input.last_name);
        set(&mut c.company, input.company);
        set(&mut c.email, input.email);
        set(&mut c.remark, input.remark);
        set(&mut c.zip_code, input.zip_code);
        set(&mut c.street, input.street);
        set(&mut c.city, input.city);
        set(&mut c.state, input.state);
        set(&mut c.country, input.country);
        if let Some(n) = numbers {
            c.numbers = n;
        }
        if let Some(books) = input.phonebook_id_list {
            self.set_membership(id, &books);
        }
        Ok(())
    }

    /// `company_contact/delete`.
    pub fn delete_contact(&mut self, id: u64) -> Result<(), ApiError> {
        if !self.contacts.contains_key(&id) {
            return Err(ApiError::ContactNotExisted);
        }
        // 70091 "still referenced, e.g. contact in a phonebook": which references block a
        // delete is unconfirmed; the switch lets tests run either way.
        if self.strict_delete
            && self
                .books
                .values()
                .any(|b| !b.sel_all && b.members.contains(&id))
        {
            return Err(ApiError::RelationExisted);
        }
        self.contacts.remove(&id);
        for b in self.books.values_mut() {
            b.members.remove(&id);
        }
        Ok(())
    }

    /// `contact_name` per the name format.
    pub fn contact_name(&self, c: &Contact) -> String {
        let (a, b) = match self.name_format {
            NameFormat::FirstLast => (&c.first_name, &c.last_name),
            NameFormat::LastFirst => (&c.last_name, &c.first_name),
        };
        [a.as_str(), b.as_str()]
            .iter()
            .filter(|s| !s.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn books_of(&self, id: u64) -> Vec<Value> {
        self.books
            .values()
            .filter(|b| b.sel_all || b.members.contains(&id))
            .map(|b| json!({"id": b.id, "name": b.name}))
            .collect()
    }

    /// List/search row: flat number fields, no address fields.
    pub fn contact_row(&self, c: &Contact) -> Value {
        let mut m = Map::new();
        m.insert("id".into(), c.id.into());
        m.insert("contact_name".into(), self.contact_name(c).into());
        m.insert("company".into(), c.company.clone().into());
        m.insert("email".into(), c.email.clone().into());
        m.insert("phonebook_list".into(), Value::Array(self.books_of(c.id)));
        m.insert("remark".into(), c.remark.clone().into());
        for (t, n) in &c.numbers {
            if let Some(field) = read_field(t) {
                m.insert(field.into(), n.clone().into());
            }
        }
        Value::Object(m)
    }

    /// `company_contact/get`: the row plus names and address.
    pub fn contact_detail(&self, c: &Contact) -> Value {
        let mut v = self.contact_row(c);
        if let Value::Object(m) = &mut v {
            for (k, val) in [
                ("first_name", &c.first_name),
                ("last_name", &c.last_name),
                ("zip_code", &c.zip_code),
                ("street", &c.street),
                ("city", &c.city),
                ("state", &c.state),
                ("country", &c.country),
            ] {
                m.insert(k.into(), val.clone().into());
            }
        }
        v
    }

    /// Whether a contact matches a `search_value` (case-insensitive substring of the name,
    /// company, e-mail or any number; the PBX's exact rules are undocumented).
    pub fn matches(&self, c: &Contact, needle: &str) -> bool {
        let needle = needle.to_lowercase();
        let hay = [self.contact_name(c), c.company.clone(), c.email.clone()];
        hay.iter().any(|h| h.to_lowercase().contains(&needle))
            || c.numbers.iter().any(|(_, n)| n.contains(&needle))
    }
}
