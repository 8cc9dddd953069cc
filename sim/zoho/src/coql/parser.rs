//! COQL parser. Like Zoho, one nesting level holds at most two criteria joined by `and`/`or`;
//! more need explicit parentheses (`(A and (B and C))`, docs/zoho-api.md §4.2).

use super::CoqlError;
use super::lexer::{Tok, Token, lex};

/// A literal in a condition.
#[derive(Debug, Clone, PartialEq)]
pub enum Lit {
    Str(String),
    Num(String),
    Bool(bool),
}

impl Lit {
    pub fn as_text(&self) -> String {
        match self {
            Lit::Str(s) | Lit::Num(s) => s.clone(),
            Lit::Bool(b) => b.to_string(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    /// `field op literal` with op one of `=`, `!=`, `<`, `>`, `<=`, `>=`.
    Cmp {
        field: String,
        op: String,
        value: Lit,
    },
    In {
        field: String,
        negated: bool,
        values: Vec<Lit>,
    },
    Like {
        field: String,
        negated: bool,
        pattern: String,
    },
    IsNull {
        field: String,
        negated: bool,
    },
    Between {
        field: String,
        low: Lit,
        high: Lit,
    },
}

impl Expr {
    /// Number of criteria (leaf conditions).
    pub fn criteria(&self) -> usize {
        match self {
            Expr::And(a, b) | Expr::Or(a, b) => a.criteria() + b.criteria(),
            _ => 1,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    pub fields: Vec<String>,
    pub module: String,
    pub filter: Option<Expr>,
    /// `(field, ascending)`.
    pub order: Vec<(String, bool)>,
    pub limit: Option<u64>,
    pub offset: Option<u64>,
}

struct P {
    toks: Vec<Token>,
    pos: usize,
}

pub fn parse(src: &str) -> Result<Query, CoqlError> {
    let mut p = P {
        toks: lex(src)?,
        pos: 0,
    };
    let q = p.query()?;
    if p.peek().tok != Tok::Eof {
        return Err(p.peek().error());
    }
    Ok(q)
}

const RESERVED: [&str; 14] = [
    "select", "from", "where", "and", "or", "order", "by", "limit", "offset", "in", "not", "like",
    "is", "between",
];

impl P {
    fn peek(&self) -> &Token {
        &self.toks[self.pos.min(self.toks.len() - 1)]
    }

    fn bump(&mut self) -> Token {
        let t = self.peek().clone();
        if self.pos < self.toks.len() - 1 {
            self.pos += 1;
        }
        t
    }

    fn kw(&mut self, kw: &str) -> bool {
        if self.peek().is_kw(kw) {
            self.pos += 1;
            return true;
        }
        false
    }

    fn expect_kw(&mut self, kw: &str) -> Result<(), CoqlError> {
        if self.kw(kw) {
            Ok(())
        } else {
            Err(self.peek().error())
        }
    }

    fn expect(&mut self, tok: Tok) -> Result<(), CoqlError> {
        if self.peek().tok == tok {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.peek().error())
        }
    }

    fn ident(&mut self) -> Result<String, CoqlError> {
        match &self.peek().tok {
            Tok::Word(w) if !RESERVED.iter().any(|r| w.eq_ignore_ascii_case(r)) => {
                let w = w.clone();
                self.pos += 1;
                Ok(w)
            }
            _ => Err(self.peek().error()),
        }
    }

    fn number(&mut self) -> Result<u64, CoqlError> {
        match &self.peek().tok {
            Tok::Num(n) => {
                let v = n.parse().map_err(|_| self.peek().error())?;
                self.pos += 1;
                Ok(v)
            }
            _ => Err(self.peek().error()),
        }
    }

    fn query(&mut self) -> Result<Query, CoqlError> {
        self.expect_kw("select")?;
        let mut fields = vec![self.ident()?];
        while self.peek().tok == Tok::Comma {
            self.pos += 1;
            fields.push(self.ident()?);
        }
        self.expect_kw("from")?;
        let module = self.ident()?;
        let filter = if self.kw("where") {
            Some(self.cond()?)
        } else {
            None
        };
        let mut order = Vec::new();
        if self.kw("order") {
            self.expect_kw("by")?;
            loop {
                let f = self.ident()?;
                let asc = if self.kw("desc") {
                    false
                } else {
                    self.kw("asc");
                    true
                };
                order.push((f, asc));
                if self.peek().tok != Tok::Comma {
                    break;
                }
                self.pos += 1;
            }
        }
        let (mut limit, mut offset) = (None, None);
        if self.kw("limit") {
            let first = self.number()?;
            if self.peek().tok == Tok::Comma {
                self.pos += 1;
                offset = Some(first);
                limit = Some(self.number()?);
            } else {
                limit = Some(first);
                if self.kw("offset") {
                    offset = Some(self.number()?);
                }
            }
        }
        Ok(Query {
            fields,
            module,
            filter,
            order,
            limit,
            offset,
        })
    }

    /// `primary [(and|or) primary]` — a third operand at the same level is a syntax error.
    fn cond(&mut self) -> Result<Expr, CoqlError> {
        let left = self.primary()?;
        let and = self.peek().is_kw("and");
        if !and && !self.peek().is_kw("or") {
            return Ok(left);
        }
        self.pos += 1;
        let right = self.primary()?;
        if self.peek().is_kw("and") || self.peek().is_kw("or") {
            return Err(self.peek().error());
        }
        Ok(if and {
            Expr::And(Box::new(left), Box::new(right))
        } else {
            Expr::Or(Box::new(left), Box::new(right))
        })
    }

    fn primary(&mut self) -> Result<Expr, CoqlError> {
        if self.peek().tok == Tok::LParen {
            self.pos += 1;
            let e = self.cond()?;
            self.expect(Tok::RParen)?;
            return Ok(e);
        }
        let field = self.ident()?;
        if let Tok::Cmp(op) = self.peek().tok.clone() {
            self.pos += 1;
            let op = if op == "<>" { "!=".to_owned() } else { op };
            return Ok(Expr::Cmp {
                field,
                op,
                value: self.literal()?,
            });
        }
        if self.kw("is") {
            let negated = self.kw("not");
            self.expect_kw("null")?;
            return Ok(Expr::IsNull { field, negated });
        }
        if self.kw("between") {
            let low = self.literal()?;
            self.expect_kw("and")?;
            let high = self.literal()?;
            return Ok(Expr::Between { field, low, high });
        }
        let negated = self.kw("not");
        if self.kw("in") {
            self.expect(Tok::LParen)?;
            let mut values = vec![self.literal()?];
            while self.peek().tok == Tok::Comma {
                self.pos += 1;
                values.push(self.literal()?);
            }
            self.expect(Tok::RParen)?;
            return Ok(Expr::In {
                field,
                negated,
                values,
            });
        }
        if self.kw("like") {
            return match self.bump() {
                Token {
                    tok: Tok::Str(pattern),
                    ..
                } => Ok(Expr::Like {
                    field,
                    negated,
                    pattern,
                }),
                t => Err(t.error()),
            };
        }
        Err(self.peek().error())
    }

    fn literal(&mut self) -> Result<Lit, CoqlError> {
        let t = self.bump();
        match t.tok {
            Tok::Str(s) => Ok(Lit::Str(s)),
            Tok::Num(n) => Ok(Lit::Num(n)),
            Tok::Word(w) if w.eq_ignore_ascii_case("true") => Ok(Lit::Bool(true)),
            Tok::Word(w) if w.eq_ignore_ascii_case("false") => Ok(Lit::Bool(false)),
            _ => Err(t.error()),
        }
    }
}
