//! Checking what people type into the account forms. Problems are Fluent
//! message ids, shown next to the form in the reader's language.

use ringbridge_core::accounts::{Username, UsernameError};

use crate::auth::{PasswordProblem, check_new_password};

/// Display names are for people; longer ones break layouts.
pub const DISPLAY_NAME_MAX: usize = 100;

/// Every message id this module can return, for the locale test.
#[cfg(test)]
pub const MESSAGE_IDS: [&str; 7] = [
    "form-username-empty",
    "form-username-long",
    "form-username-chars",
    "form-display-name",
    "form-password-short",
    "form-password-long",
    "form-password-mismatch",
];

pub fn username(text: &str) -> Result<Username, &'static str> {
    Username::parse(text).map_err(|e| match e {
        UsernameError::Empty => "form-username-empty",
        UsernameError::TooLong { .. } => "form-username-long",
        UsernameError::BadCharacter => "form-username-chars",
    })
}

/// Trimmed, 1..=100 characters, no control characters.
pub fn display_name(text: &str) -> Result<String, &'static str> {
    let text = text.trim();
    let count = text.chars().count();
    if count == 0 || count > DISPLAY_NAME_MAX || text.chars().any(char::is_control) {
        Err("form-display-name")
    } else {
        Ok(text.to_owned())
    }
}

pub fn new_password(password: &str, confirm: &str) -> Result<(), &'static str> {
    match check_new_password(password) {
        Err(PasswordProblem::TooShort) => Err("form-password-short"),
        Err(PasswordProblem::TooLong) => Err("form-password-long"),
        Ok(()) if password != confirm => Err("form-password-mismatch"),
        Ok(()) => Ok(()),
    }
}

/// The account fields of a form, checked: every problem, not just the first.
pub fn account(
    name: &str,
    display: &str,
    password: &str,
    confirm: &str,
) -> Result<(Username, String), Vec<&'static str>> {
    let name = username(name);
    let display = display_name(display);
    let password = new_password(password, confirm);
    match (name, display, password) {
        (Ok(n), Ok(d), Ok(())) => Ok((n, d)),
        (n, d, p) => Err([n.err(), d.err(), p.err()].into_iter().flatten().collect()),
    }
}

/// A sign-in redirect target: a path on this site, never another site
/// (`//evil`, `/\evil`) — else the home page.
pub fn safe_next(next: &str) -> &str {
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && !next.chars().any(|c| c.is_control() || c == '\\');
    if ok { next } else { "/" }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    #[test]
    fn account_forms_report_every_problem() {
        assert_eq!(
            account("a b", " ", "short", "short").unwrap_err(),
            vec![
                "form-username-chars",
                "form-display-name",
                "form-password-short"
            ]
        );
        assert_eq!(
            account("ana", "Ana", "long enough pw", "long enough pW").unwrap_err(),
            vec!["form-password-mismatch"]
        );
        let (name, display) =
            account(" Ana ", " <b>Ana</b> ", "long enough pw", "long enough pw").unwrap();
        assert_eq!((name.as_str(), display.as_str()), ("ana", "<b>Ana</b>"));
        assert_eq!(display_name("a\u{0007}b"), Err("form-display-name"));
        assert_eq!(
            display_name(&"名".repeat(100)).unwrap().chars().count(),
            100
        );
        assert!(display_name(&"名".repeat(101)).is_err());
    }

    #[test]
    fn redirects_stay_on_this_site() {
        assert_eq!(
            safe_next("/admin/accounts?lang=en"),
            "/admin/accounts?lang=en"
        );
        for bad in [
            "",
            "https://evil.test",
            "//evil.test",
            "/\\evil.test",
            "/a\\b",
            "/a\nb",
            "evil",
        ] {
            assert_eq!(safe_next(bad), "/", "{bad:?}");
        }
    }

    #[test]
    fn every_form_problem_is_explained_in_every_language() {
        for id in MESSAGE_IDS {
            for lang in Lang::ALL {
                assert!(lang.has(id), "{lang:?} lacks {id}");
            }
        }
    }
}
