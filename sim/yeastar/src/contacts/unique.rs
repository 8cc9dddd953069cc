//! `40003 DUPLICATE KEY VALUE` for contacts: two contacts sharing a phonebook may not share a
//! number or an e-mail address (unconfirmed which fields the PBX compares and how; numbers
//! are compared on their digits, e-mail without case).

use super::ContactBook;
use crate::codes::ApiError;

/// What a contact would hold after a write.
pub(super) struct Candidate<'a> {
    /// The contact being updated (absent on create).
    pub id: Option<u64>,
    /// Specific phonebooks it would be in.
    pub books: &'a [u64],
    /// Its numbers, `(num_type, number)`.
    pub numbers: &'a [(String, String)],
    /// Its e-mail.
    pub email: &'a str,
}

fn digits(number: &str) -> String {
    number.chars().filter(char::is_ascii_digit).collect()
}

impl ContactBook {
    /// Whether contact `other` shares a phonebook with the candidate.
    fn shares_book(&self, books: &[u64], other: u64) -> bool {
        self.books
            .values()
            .any(|b| b.sel_all || (books.contains(&b.id) && b.members.contains(&other)))
    }

    /// Refuses a write that would give two contacts of one phonebook the same number or
    /// e-mail, naming the field as the PBX does.
    pub(super) fn check_unique(&self, candidate: &Candidate<'_>) -> Result<(), ApiError> {
        if !self.unique_in_phonebook {
            return Ok(());
        }
        let numbers: Vec<String> = candidate
            .numbers
            .iter()
            .map(|(_, n)| digits(n))
            .filter(|d| !d.is_empty())
            .collect();
        let email = candidate.email.trim().to_lowercase();
        for other in self.contacts.values() {
            if Some(other.id) == candidate.id || !self.shares_book(candidate.books, other.id) {
                continue;
            }
            if other
                .numbers
                .iter()
                .any(|(_, n)| numbers.contains(&digits(n)))
            {
                return Err(ApiError::duplicate(
                    "the number already exists in the phonebook",
                    &["number"],
                ));
            }
            if !email.is_empty() && other.email.trim().to_lowercase() == email {
                return Err(ApiError::duplicate(
                    "the email already exists in the phonebook",
                    &["email"],
                ));
            }
        }
        Ok(())
    }

    /// Specific phonebooks contact `id` is in now.
    pub(super) fn specific_books_of(&self, id: u64) -> Vec<u64> {
        self.books
            .values()
            .filter(|b| !b.sel_all && b.members.contains(&id))
            .map(|b| b.id)
            .collect()
    }
}
