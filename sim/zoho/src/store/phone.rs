//! Phone number comparison under the configurable (undocumented by Zoho) matching rule.

use crate::config::PhoneMatchMode;

/// Shortest digit string a suffix match may rest on, so `1` never matches everything.
const MIN_SUFFIX_DIGITS: usize = 7;

fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

/// Whether a stored phone value matches a query under `mode`.
pub fn phone_matches(mode: PhoneMatchMode, stored: &str, query: &str) -> bool {
    match mode {
        PhoneMatchMode::Exact => {
            let q = query.trim();
            !q.is_empty() && stored.trim() == q
        }
        PhoneMatchMode::DigitsEqual => {
            let (a, b) = (digits(stored), digits(query));
            !a.is_empty() && a == b
        }
        PhoneMatchMode::DigitsSuffix => {
            let (a, b) = (digits(stored), digits(query));
            let shorter = a.len().min(b.len());
            shorter >= MIN_SUFFIX_DIGITS && (a.ends_with(&b) || b.ends_with(&a))
        }
    }
}
