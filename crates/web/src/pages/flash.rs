//! The one-line confirmation after a change ("Mode saved.", "Account
//! disabled."): the handler redirects to `…?done=<what>` and the page it
//! lands on shows the message for that word (the layout does, for every
//! page). Only the words listed here show anything, so a crafted link can
//! put no text of its own on a page — it can only say "saved".

use axum::response::{IntoResponse, Redirect, Response};

/// The query parameter naming what was done.
const PARAM: &str = "done";

/// What was done → the catalogue message saying so.
const DONE: [(&str, &str); 14] = [
    ("mode", "flash-mode"),
    ("user", "flash-user"),
    ("user-auto", "flash-user-auto"),
    ("zoho", "flash-zoho"),
    ("link-revoked", "flash-link-revoked"),
    ("key-rotated", "flash-key-rotated"),
    ("account-created", "flash-account-created"),
    ("account-saved", "flash-account-saved"),
    ("disable", "flash-account-disabled"),
    ("enable", "flash-account-enabled"),
    ("delete", "flash-account-deleted"),
    ("revoke-tokens", "flash-tokens-revoked"),
    ("session-ended", "flash-session-ended"),
    ("token-revoked", "flash-token-revoked"),
    ("zoho-revoked", "flash-zoho-revoked"),
];

/// The message id a query string's `done=` names, if it is a known one.
pub fn from_query(query: Option<&str>) -> Option<&'static str> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query?).ok()?;
    let (_, what) = pairs.iter().find(|(k, _)| k == PARAM)?;
    DONE.iter()
        .find(|(w, _)| *w == what.as_str())
        .map(|(_, id)| *id)
}

/// A redirect to `path` (which may end in `#fragment`) saying `what` was
/// done. `what` must be one of the listed words.
pub fn redirect(path: &str, what: &'static str) -> Response {
    debug_assert!(DONE.iter().any(|(w, _)| *w == what), "unknown flash {what}");
    let (path, fragment) = match path.split_once('#') {
        Some((p, f)) => (p, format!("#{f}")),
        None => (path, String::new()),
    };
    let joiner = if path.contains('?') { '&' } else { '?' };
    Redirect::to(&format!("{path}{joiner}{PARAM}={what}{fragment}")).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_listed_words_say_anything() {
        assert_eq!(from_query(Some("done=mode")), Some("flash-mode"));
        assert_eq!(
            from_query(Some("lang=en&done=delete")),
            Some("flash-account-deleted")
        );
        assert_eq!(from_query(Some("done=%3Cscript%3E")), None);
        assert_eq!(from_query(Some("done=")), None);
        assert_eq!(from_query(None), None);
    }

    #[test]
    fn every_flash_is_in_every_language() {
        for lang in crate::i18n::Lang::ALL {
            for (_, id) in DONE {
                assert!(lang.has(id), "{id} missing in {}", lang.tag());
            }
        }
    }

    #[test]
    fn the_word_goes_before_the_fragment() {
        let r = redirect("/console/users#x", "user");
        let to = r.headers().get("location").unwrap().to_str().unwrap();
        assert_eq!(to, "/console/users?done=user#x");
        let r = redirect("/admin/accounts?a=1", "delete");
        let to = r.headers().get("location").unwrap().to_str().unwrap();
        assert_eq!(to, "/admin/accounts?a=1&done=delete");
    }
}
