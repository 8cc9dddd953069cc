//! Text that came from outside (a caller ID, a display name, a CRM name) made
//! safe to put into a one-line field: no control characters, no newlines, no
//! bidirectional overrides that would make a log read differently than it is,
//! and never longer than the field takes.

/// Characters that reorder how text is displayed (Unicode bidi embeddings,
/// overrides and isolates, and the invisible direction marks).
fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
}

/// One line of plain text: control characters, newlines and bidi controls
/// removed (a newline or tab becomes a space, so words stay apart), runs of
/// spaces collapsed, ends trimmed.
pub fn single_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars() {
        if is_bidi_control(c) {
            continue;
        }
        let c = if c.is_whitespace() { ' ' } else { c };
        if c.is_control() {
            continue;
        }
        if c == ' ' {
            space = !out.is_empty();
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        out.push(c);
    }
    out
}

/// At most `max_chars` characters (cut on a character boundary, never in the
/// middle of one).
pub fn truncate_chars(text: &str, max_chars: usize) -> &str {
    match text.char_indices().nth(max_chars) {
        Some((end, _)) => &text[..end],
        None => text,
    }
}

/// [`single_line`], then [`truncate_chars`] (trailing space of the cut trimmed).
pub fn fit_line(text: &str, max_chars: usize) -> String {
    truncate_chars(&single_line(text), max_chars)
        .trim_end()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newlines_controls_and_bidi_overrides_are_removed() {
        assert_eq!(
            single_line("+1415\u{202E}5550123\n[x]\r\tnext\u{0}\u{7}"),
            "+14155550123 [x] next"
        );
        assert_eq!(
            single_line("  Ana \u{2067}Pereira\u{2069}  "),
            "Ana Pereira"
        );
        assert_eq!(single_line("\n\u{202E}\n"), "");
    }

    #[test]
    fn truncation_keeps_whole_characters() {
        assert_eq!(truncate_chars("Zoë Ünal", 3), "Zoë");
        assert_eq!(truncate_chars("王小明先生", 2), "王小");
        assert_eq!(truncate_chars("abc", 10), "abc");
        assert_eq!(fit_line("ab\ncd ef", 5), "ab cd");
        assert_eq!(fit_line("ab cd", 3), "ab");
    }
}
