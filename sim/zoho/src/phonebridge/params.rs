//! PhoneBridge's JSON-like form values: `{name:x,value:y}` and `[{name:a,value:b}, ...]`,
//! keys and values unquoted as in Zoho's examples (quotes, single or double, are tolerated).

/// One `name`/`value` pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameValue {
    pub name: String,
    pub value: String,
}

struct Scan<'a> {
    c: Vec<char>,
    i: usize,
    _src: &'a str,
}

impl Scan<'_> {
    fn ws(&mut self) {
        while self.c.get(self.i).is_some_and(|c| c.is_whitespace()) {
            self.i += 1;
        }
    }

    fn eat(&mut self, ch: char) -> Option<()> {
        self.ws();
        (self.c.get(self.i) == Some(&ch)).then(|| self.i += 1)
    }

    fn peek(&mut self) -> Option<char> {
        self.ws();
        self.c.get(self.i).copied()
    }

    fn key(&mut self) -> Option<String> {
        self.ws();
        let start = self.i;
        while self.c.get(self.i).is_some_and(|c| *c != ':') {
            self.i += 1;
        }
        let k: String = self.c[start..self.i].iter().collect();
        self.eat(':')?;
        Some(unquote(k.trim()).to_ascii_lowercase())
    }

    /// A value: quoted up to the closing quote, or unquoted up to `,` / `}` at brace depth 0
    /// (so `{to}` survives unquoted).
    fn value(&mut self) -> Option<String> {
        self.ws();
        if let Some(q) = self
            .c
            .get(self.i)
            .copied()
            .filter(|c| *c == '\'' || *c == '"')
        {
            self.i += 1;
            let start = self.i;
            while self.c.get(self.i).is_some_and(|c| *c != q) {
                self.i += 1;
            }
            let v: String = self.c[start..self.i].iter().collect();
            self.eat(q)?;
            return Some(v);
        }
        let start = self.i;
        let mut depth = 0u32;
        while let Some(&c) = self.c.get(self.i) {
            match c {
                '{' => depth += 1,
                '}' if depth == 0 => break,
                '}' => depth -= 1,
                ',' if depth == 0 => break,
                _ => {}
            }
            self.i += 1;
        }
        Some(
            self.c[start..self.i]
                .iter()
                .collect::<String>()
                .trim()
                .to_owned(),
        )
    }

    fn object(&mut self) -> Option<NameValue> {
        self.eat('{')?;
        let (mut name, mut value) = (None, None);
        for n in 0..2 {
            if n == 1 {
                self.eat(',')?;
            }
            match self.key()?.as_str() {
                "name" => name = Some(self.value()?),
                "value" => value = Some(self.value()?),
                _ => return None,
            }
        }
        self.eat('}')?;
        Some(NameValue {
            name: name?,
            value: value?,
        })
    }
}

fn unquote(s: &str) -> &str {
    let t = s.trim();
    for q in ['"', '\''] {
        if let Some(inner) = t.strip_prefix(q).and_then(|x| x.strip_suffix(q)) {
            return inner;
        }
    }
    t
}

fn scanner(s: &str) -> Scan<'_> {
    Scan {
        c: s.chars().collect(),
        i: 0,
        _src: s,
    }
}

/// `{name:x,value:y}`.
pub fn parse_object(s: &str) -> Option<NameValue> {
    let mut sc = scanner(s);
    let nv = sc.object()?;
    sc.ws();
    (sc.i == sc.c.len()).then_some(nv)
}

/// `[{name:a,value:b}, {name:c,value:d}]` (an empty `[]` is allowed).
pub fn parse_array(s: &str) -> Option<Vec<NameValue>> {
    let mut sc = scanner(s);
    sc.eat('[')?;
    let mut out = Vec::new();
    if sc.peek() == Some(']') {
        sc.i += 1;
    } else {
        loop {
            out.push(sc.object()?);
            match sc.peek()? {
                ',' => sc.i += 1,
                ']' => {
                    sc.i += 1;
                    break;
                }
                _ => return None,
            }
        }
    }
    sc.ws();
    (sc.i == sc.c.len()).then_some(out)
}

/// Replaces the `{to}` placeholder (quoted or not) with the callee number.
pub fn fill_placeholder(value: &str, number: &str) -> String {
    value.replace("'{to}'", number).replace("{to}", number)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nv(name: &str, value: &str) -> NameValue {
        NameValue {
            name: name.into(),
            value: value.into(),
        }
    }

    #[test]
    fn parses_zoho_unquoted_shapes() {
        assert_eq!(
            parse_object("{name:Authorization,value:Bearer abc}"),
            Some(nv("Authorization", "Bearer abc"))
        );
        assert_eq!(
            parse_array(
                "[{name:pbxuserid,value:pbxuser1234}, {name:emailaddress,value:xyz@pbx.com}]"
            ),
            Some(vec![
                nv("pbxuserid", "pbxuser1234"),
                nv("emailaddress", "xyz@pbx.com")
            ])
        );
        assert_eq!(
            parse_array("[{name:callee,value:'{to}'}]"),
            Some(vec![nv("callee", "{to}")])
        );
        assert_eq!(
            parse_array("[{name:callee,value:{to}}]"),
            Some(vec![nv("callee", "{to}")])
        );
        assert_eq!(
            parse_object(r#"{"name":"k","value":"v"}"#),
            Some(nv("k", "v"))
        );
        assert_eq!(parse_array("[]"), Some(vec![]));
    }

    #[test]
    fn rejects_malformed() {
        assert_eq!(parse_object("{name:a}"), None);
        assert_eq!(parse_object("{name:a,value:b} trailing"), None);
        assert_eq!(parse_array("[{name:a,value:b}"), None);
        assert_eq!(parse_array("{name:a,value:b}"), None);
        assert_eq!(parse_object("{name:a,other:b}"), None);
    }

    #[test]
    fn fills_placeholder() {
        assert_eq!(fill_placeholder("'{to}'", "+1555"), "+1555");
        assert_eq!(fill_placeholder("tel:{to}", "+1555"), "tel:+1555");
    }
}
