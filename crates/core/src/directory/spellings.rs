//! Spellings of one number for a CRM search.
//!
//! A CRM search compares the phone fields as typed, so one number is asked
//! for in the forms people type it: `+442079460000`, `+44 20 7946 0000`,
//! `0044 20 7946 0000`, `020 7946 0000`, `(020) 7946-0000`, `02079460000`,
//! `442079460000`, `00442079460000`, and the raw text the PBX gave. Records
//! typed some other way are found by the local directory, which compares
//! normalised keys instead.

use phonenumber::Mode;

use crate::phone::E164;

/// The spellings of `number` (as it came, `raw`), without duplicates,
/// E.164 first.
pub fn spellings(number: &E164, raw: &str) -> Vec<String> {
    let mut out = vec![number.as_str().to_owned()];
    let mut add = |s: String| {
        if !s.is_empty() && !out.contains(&s) {
            out.push(s);
        }
    };
    if let Ok(parsed) = phonenumber::parse(None, number.as_str()) {
        let international = parsed.format().mode(Mode::International).to_string();
        add(format!("00{}", international.trim_start_matches('+')));
        add(international);
        let national = parsed.format().mode(Mode::National).to_string();
        add(national.chars().filter(char::is_ascii_digit).collect());
        add(bracketed(&national));
        add(national);
    }
    add(number.digits().to_owned());
    add(format!("00{}", number.digits()));
    add(raw.trim().to_owned());
    // As the PBX gave it, digits only: a number the metadata does not know
    // may be stored that way (its national form above is a guess).
    add(raw.chars().filter(char::is_ascii_digit).collect());
    out
}

/// `020 7946 0000` as `(020) 7946-0000`: the area code in brackets, the
/// rest joined by dashes. Empty when the national form has no groups or
/// already has brackets (US numbers are formatted that way).
fn bracketed(national: &str) -> String {
    let mut groups = national.split(' ');
    match (groups.next(), national.contains('(')) {
        (Some(area), false) if national.contains(' ') => {
            format!("({area}) {}", groups.collect::<Vec<_>>().join("-"))
        }
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uk_number_spellings() {
        let n = E164::parse("+442079460000").unwrap();
        let all = spellings(&n, " 02079460000 ");
        for s in [
            "+442079460000",
            "+44 20 7946 0000",
            "0044 20 7946 0000",
            "020 7946 0000",
            "(020) 7946-0000",
            "02079460000",
            "442079460000",
            "00442079460000",
        ] {
            assert!(all.contains(&s.to_owned()), "{s} missing from {all:?}");
        }
        assert_eq!(all[0], "+442079460000");
        assert_eq!(all.len(), 8, "raw text equal to a spelling is not repeated");
    }

    #[test]
    fn us_numbers_keep_their_own_brackets() {
        let n = E164::parse("+14155550123").unwrap();
        let all = spellings(&n, "4155550123");
        assert!(all.contains(&"(415) 555-0123".to_owned()), "{all:?}");
        assert!(all.contains(&"001 415-555-0123".to_owned()), "{all:?}");
        assert!(!all.iter().any(|s| s.starts_with("((")), "{all:?}");
    }
}
