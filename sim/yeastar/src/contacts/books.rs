//! Phonebook operations of [`ContactBook`].

use serde_json::{Value, json};

use super::{ContactBook, Phonebook};
use crate::codes::ApiError;

fn duplicate_name() -> ApiError {
    ApiError::duplicate("the phonebook name already exists", &["name"])
}

impl ContactBook {
    /// `phonebook/create`.
    pub fn create_book(&mut self, name: &str, sel_all: bool, add: &[u64]) -> Result<u64, ApiError> {
        if name.trim().is_empty() || name.chars().count() > 127 {
            return Err(ApiError::invalid_param("name", "LENGTH", name));
        }
        if self.books.values().any(|b| b.name == name) {
            return Err(duplicate_name());
        }
        if !add.iter().all(|id| self.contacts.contains_key(id)) {
            return Err(ApiError::ContactNotExisted);
        }
        if self.books.len() >= self.max_books {
            return Err(ApiError::MaxLimitation);
        }
        let id = self.next_book;
        self.next_book += 1;
        self.books.insert(
            id,
            Phonebook {
                id,
                name: name.to_owned(),
                sel_all,
                members: add.iter().copied().collect(),
            },
        );
        Ok(id)
    }

    /// `phonebook/update`.
    pub fn update_book(
        &mut self,
        id: u64,
        name: Option<&str>,
        sel_all: Option<bool>,
        add: &[u64],
        del: &[u64],
    ) -> Result<(), ApiError> {
        if !self.books.contains_key(&id) {
            return Err(ApiError::PhonebookNotExisted);
        }
        if let Some(n) = name {
            if n.trim().is_empty() {
                return Err(ApiError::invalid_param("name", "LENGTH", n));
            }
            if self.books.values().any(|b| b.name == n && b.id != id) {
                return Err(duplicate_name());
            }
        }
        if !add.iter().chain(del).all(|c| self.contacts.contains_key(c)) {
            return Err(ApiError::ContactNotExisted);
        }
        let book = self
            .books
            .get_mut(&id)
            .ok_or(ApiError::PhonebookNotExisted)?;
        if let Some(n) = name {
            book.name = n.to_owned();
        }
        if let Some(all) = sel_all {
            book.sel_all = all;
        }
        book.members.extend(add.iter().copied());
        for d in del {
            book.members.remove(d);
        }
        Ok(())
    }

    /// `phonebook/delete`.
    pub fn delete_book(&mut self, id: u64) -> Result<(), ApiError> {
        self.books
            .remove(&id)
            .map(|_| ())
            .ok_or(ApiError::PhonebookNotExisted)
    }

    /// Phonebook list row.
    pub fn book_row(&self, b: &Phonebook) -> Value {
        json!({
            "id": b.id,
            "name": b.name,
            "member_select": if b.sel_all { "sel_all" } else { "sel_specific" },
            "total": self.book_members(b).len(),
        })
    }
}
