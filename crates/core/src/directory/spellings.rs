//! Spellings of one number for a CRM search.
//!
//! A CRM search compares the phone fields as typed, so one number is asked
//! for in the forms people type it: `+442079460000`, `+44 20 7946 0000`,
//! `020 7946 0000`, `02079460000`, `442079460000`, `00442079460000`, and
//! the raw text the PBX gave. Records typed some other way are found by the
//! local directory, which compares normalised keys instead.

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
        add(parsed.format().mode(Mode::International).to_string());
        let national = parsed.format().mode(Mode::National).to_string();
        add(national.chars().filter(char::is_ascii_digit).collect());
        add(national);
    }
    add(number.digits().to_owned());
    add(format!("00{}", number.digits()));
    add(raw.trim().to_owned());
    out
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
            "020 7946 0000",
            "02079460000",
            "442079460000",
            "00442079460000",
        ] {
            assert!(all.contains(&s.to_owned()), "{s} missing from {all:?}");
        }
        assert_eq!(all[0], "+442079460000");
        assert_eq!(all.len(), 6, "raw text equal to a spelling is not repeated");
    }
}
