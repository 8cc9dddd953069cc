//! COQL tokens with their line/column (1-based) for `SYNTAX_ERROR` details.

use super::CoqlError;

#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    /// Identifier or keyword (keywords are matched case-insensitively by the parser).
    Word(String),
    Str(String),
    Num(String),
    LParen,
    RParen,
    Comma,
    Star,
    /// `=`, `!=`, `<>`, `<`, `>`, `<=`, `>=`.
    Cmp(String),
    Eof,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    pub tok: Tok,
    pub line: u32,
    pub column: u32,
    pub text: String,
}

impl Token {
    pub fn is_kw(&self, kw: &str) -> bool {
        matches!(&self.tok, Tok::Word(w) if w.eq_ignore_ascii_case(kw))
    }

    pub fn error(&self) -> CoqlError {
        CoqlError::Syntax {
            line: self.line,
            column: self.column,
            near: if self.tok == Tok::Eof {
                String::new()
            } else {
                self.text.clone()
            },
        }
    }
}

pub fn lex(src: &str) -> Result<Vec<Token>, CoqlError> {
    let chars: Vec<char> = src.chars().collect();
    let (mut i, mut line, mut col) = (0usize, 1u32, 1u32);
    let mut out = Vec::new();
    while i < chars.len() {
        let c = chars[i];
        let (start_line, start_col, start) = (line, col, i);
        if c == '\n' {
            i += 1;
            line += 1;
            col = 1;
            continue;
        }
        if c.is_whitespace() {
            i += 1;
            col += 1;
            continue;
        }
        let tok = match c {
            '(' => {
                i += 1;
                Tok::LParen
            }
            ')' => {
                i += 1;
                Tok::RParen
            }
            ',' => {
                i += 1;
                Tok::Comma
            }
            '*' => {
                i += 1;
                Tok::Star
            }
            '=' | '<' | '>' | '!' => {
                let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
                let op = if ["!=", "<>", "<=", ">="].contains(&two.as_str()) {
                    two
                } else if c == '!' {
                    return Err(CoqlError::Syntax {
                        line,
                        column: col,
                        near: "!".into(),
                    });
                } else {
                    c.to_string()
                };
                i += op.len();
                Tok::Cmp(op)
            }
            '\'' => {
                let mut s = String::new();
                i += 1;
                loop {
                    match chars.get(i) {
                        None => {
                            return Err(CoqlError::Syntax {
                                line: start_line,
                                column: start_col,
                                near: "'".into(),
                            });
                        }
                        Some('\\') if i + 1 < chars.len() => {
                            s.push(chars[i + 1]);
                            i += 2;
                        }
                        Some('\'') if chars.get(i + 1) == Some(&'\'') => {
                            s.push('\'');
                            i += 2;
                        }
                        Some('\'') => {
                            i += 1;
                            break;
                        }
                        Some(ch) => {
                            s.push(*ch);
                            i += 1;
                        }
                    }
                }
                Tok::Str(s)
            }
            c if c.is_ascii_digit()
                || (c == '-' && chars.get(i + 1).is_some_and(char::is_ascii_digit)) =>
            {
                i += 1;
                while chars
                    .get(i)
                    .is_some_and(|d| d.is_ascii_digit() || *d == '.')
                {
                    i += 1;
                }
                Tok::Num(chars[start..i].iter().collect())
            }
            c if c.is_alphanumeric() || c == '_' || c == '$' => {
                while chars
                    .get(i)
                    .is_some_and(|d| d.is_alphanumeric() || matches!(d, '_' | '$' | '.'))
                {
                    i += 1;
                }
                Tok::Word(chars[start..i].iter().collect())
            }
            other => {
                return Err(CoqlError::Syntax {
                    line,
                    column: col,
                    near: other.to_string(),
                });
            }
        };
        let text: String = chars[start..i].iter().collect();
        col += (i - start) as u32;
        out.push(Token {
            tok,
            line: start_line,
            column: start_col,
            text,
        });
    }
    out.push(Token {
        tok: Tok::Eof,
        line,
        column: col,
        text: String::new(),
    });
    Ok(out)
}
