//! Search `criteria`: `((Field:op:value)and(Field:op:value))`, values escaped with `\`.

use serde_json::{Value, json};

use crate::config::PhoneMatchMode;
use crate::error::ApiError;
use crate::store::Record;
use crate::store::compare::{literal, orderable, stored};
use crate::store::fields::{FieldMeta, FieldType, field};
use crate::store::module::Module;
use crate::store::phone::phone_matches;

/// Conditions per criteria (docs: 10; spec's error text says 15).
pub const MAX_CONDITIONS: usize = 10;
/// Values in one `in`.
pub const MAX_IN_VALUES: usize = 100;

const OPS: [&str; 9] = [
    "equals",
    "not_equal",
    "starts_with",
    "in",
    "greater_than",
    "greater_equal",
    "less_than",
    "less_equal",
    "between",
];

#[derive(Debug, Clone)]
pub enum Criteria {
    And(Vec<Criteria>),
    Or(Vec<Criteria>),
    Cond {
        field: &'static FieldMeta,
        op: String,
        values: Vec<String>,
    },
}

fn invalid_query(details: Value) -> ApiError {
    ApiError::new(
        axum::http::StatusCode::BAD_REQUEST,
        "INVALID_QUERY",
        "Invalid query formed",
        details,
    )
}

fn syntax() -> ApiError {
    invalid_query(json!({"api_name": "criteria", "param_name": "criteria"}))
}

struct Parser<'a> {
    s: &'a [u8],
    pos: usize,
    module: Module,
    conditions: usize,
}

/// Parses and checks criteria against the module's fields.
pub fn parse(module: Module, input: &str) -> Result<Criteria, ApiError> {
    let mut p = Parser {
        s: input.trim().as_bytes(),
        pos: 0,
        module,
        conditions: 0,
    };
    let c = p.expr()?;
    if p.pos != p.s.len() {
        return Err(syntax());
    }
    if p.conditions > MAX_CONDITIONS {
        return Err(ApiError::new(
            axum::http::StatusCode::BAD_REQUEST,
            "CRITERIA_LIMIT_EXCEEDED",
            &format!("no of criterium that can be given exceed the limit {MAX_CONDITIONS}"),
            json!({}),
        ));
    }
    Ok(c)
}

impl Parser<'_> {
    fn eat_word(&mut self, w: &str) -> bool {
        let end = self.pos + w.len();
        if end <= self.s.len() && self.s[self.pos..end].eq_ignore_ascii_case(w.as_bytes()) {
            self.pos = end;
            return true;
        }
        false
    }

    /// `group (and|or group)*`, `and` binding tighter than `or`.
    fn expr(&mut self) -> Result<Criteria, ApiError> {
        let mut ors = vec![self.and_chain()?];
        while self.eat_word("or") {
            ors.push(self.and_chain()?);
        }
        Ok(if ors.len() == 1 {
            ors.remove(0)
        } else {
            Criteria::Or(ors)
        })
    }

    fn and_chain(&mut self) -> Result<Criteria, ApiError> {
        let mut ands = vec![self.group()?];
        while self.eat_word("and") {
            ands.push(self.group()?);
        }
        Ok(if ands.len() == 1 {
            ands.remove(0)
        } else {
            Criteria::And(ands)
        })
    }

    fn group(&mut self) -> Result<Criteria, ApiError> {
        if self.s.get(self.pos) != Some(&b'(') {
            return Err(syntax());
        }
        self.pos += 1;
        let inner = if self.s.get(self.pos) == Some(&b'(') {
            self.expr()?
        } else {
            self.condition()?
        };
        if self.s.get(self.pos) != Some(&b')') {
            return Err(syntax());
        }
        self.pos += 1;
        Ok(inner)
    }

    fn until_colon(&mut self) -> Result<String, ApiError> {
        let start = self.pos;
        while self.pos < self.s.len() && self.s[self.pos] != b':' {
            if matches!(self.s[self.pos], b'(' | b')') {
                return Err(syntax());
            }
            self.pos += 1;
        }
        if self.pos >= self.s.len() {
            return Err(syntax());
        }
        let out = String::from_utf8_lossy(&self.s[start..self.pos])
            .trim()
            .to_owned();
        self.pos += 1;
        Ok(out)
    }

    fn condition(&mut self) -> Result<Criteria, ApiError> {
        let name = self.until_colon()?;
        let op = self.until_colon()?.to_lowercase();
        let list_op = op == "in" || op == "between";
        let mut values = vec![String::new()];
        loop {
            match self.s.get(self.pos) {
                None => return Err(syntax()),
                Some(b')') => break,
                Some(b'\\') => {
                    let next = *self.s.get(self.pos + 1).ok_or_else(syntax)?;
                    if let Some(v) = values.last_mut() {
                        v.push(next as char);
                    }
                    self.pos += 2;
                    continue;
                }
                Some(b',') if list_op => values.push(String::new()),
                Some(_) => {
                    // Re-decode multi-byte UTF-8 by taking the whole char.
                    let rest = std::str::from_utf8(&self.s[self.pos..]).map_err(|_| syntax())?;
                    let ch = rest.chars().next().ok_or_else(syntax)?;
                    if let Some(v) = values.last_mut() {
                        v.push(ch);
                    }
                    self.pos += ch.len_utf8();
                    continue;
                }
            }
            self.pos += 1;
        }
        self.conditions += 1;
        let meta = field(self.module, &name).ok_or_else(|| {
            invalid_query(
                json!({"reason": "the field is not available in the module", "api_name": name}),
            )
        })?;
        check(meta, &op, &values)?;
        Ok(Criteria::Cond {
            field: meta,
            op,
            values: values.into_iter().map(|v| v.trim().to_owned()).collect(),
        })
    }
}

fn check(meta: &'static FieldMeta, op: &str, values: &[String]) -> Result<(), ApiError> {
    let bad_op = || {
        invalid_query(
            json!({"operator": op, "reason": "the operator is not supported for the field", "api_name": meta.api_name}),
        )
    };
    if !OPS.contains(&op) {
        return Err(bad_op());
    }
    let ordering = matches!(
        op,
        "greater_than" | "greater_equal" | "less_than" | "less_equal" | "between"
    );
    if ordering && !orderable(meta) {
        return Err(bad_op());
    }
    if op == "starts_with" && !meta.ty.is_textual() {
        return Err(bad_op());
    }
    if op == "in" && values.len() > MAX_IN_VALUES {
        return Err(ApiError::new(
            axum::http::StatusCode::BAD_REQUEST,
            "INVALID_QUERY",
            "Only 100 values are allowed in \"IN\" criteria",
            json!({"api_name": meta.api_name}),
        ));
    }
    if op == "between" && values.len() != 2 {
        return Err(bad_op());
    }
    for v in values {
        if literal(meta, v).is_none() {
            return Err(invalid_query(json!({
                "expected_data_type": meta.ty.data_type(), "reason": "the value is not valid for the field", "api_name": meta.api_name
            })));
        }
    }
    Ok(())
}

/// How conditions behave; `equals` on text fields acts like "contains" when the criteria has
/// more than one condition (documented Zoho quirk).
#[derive(Debug, Clone, Copy)]
pub struct EvalOpts {
    pub phone_mode: PhoneMatchMode,
    pub multi: bool,
}

pub fn condition_count(c: &Criteria) -> usize {
    match c {
        Criteria::And(v) | Criteria::Or(v) => v.iter().map(condition_count).sum(),
        Criteria::Cond { .. } => 1,
    }
}

fn equals(meta: &FieldMeta, raw: &Value, lit: &str, opts: EvalOpts) -> bool {
    if meta.ty == FieldType::Phone {
        return raw
            .as_str()
            .is_some_and(|s| phone_matches(opts.phone_mode, s, lit));
    }
    let (Some(a), Some(b)) = (stored(meta, raw), literal(meta, lit)) else {
        return false;
    };
    match (a.text(), b.text()) {
        (Some(x), Some(y)) if opts.multi && meta.ty.is_textual() => x.contains(y),
        _ => a == b,
    }
}

pub fn matches(c: &Criteria, rec: &Record, opts: EvalOpts) -> bool {
    match c {
        Criteria::And(v) => v.iter().all(|c| matches(c, rec, opts)),
        Criteria::Or(v) => v.iter().any(|c| matches(c, rec, opts)),
        Criteria::Cond { field, op, values } => {
            let raw = rec.get(field.api_name).cloned().unwrap_or(Value::Null);
            let first = values.first().map(String::as_str).unwrap_or_default();
            let ord = |lit: &str| {
                stored(field, &raw).and_then(|a| literal(field, lit).and_then(|b| a.cmp(&b)))
            };
            use std::cmp::Ordering::*;
            match op.as_str() {
                "equals" => equals(field, &raw, first, opts),
                "not_equal" => !equals(field, &raw, first, opts),
                "in" => values.iter().any(|v| equals(field, &raw, v, opts)),
                "starts_with" => match (stored(field, &raw), literal(field, first)) {
                    (Some(a), Some(b)) => a
                        .text()
                        .zip(b.text())
                        .is_some_and(|(x, y)| x.starts_with(y)),
                    _ => false,
                },
                "greater_than" => ord(first) == Some(Greater),
                "greater_equal" => matches!(ord(first), Some(Greater | Equal)),
                "less_than" => ord(first) == Some(Less),
                "less_equal" => matches!(ord(first), Some(Less | Equal)),
                "between" => {
                    let hi = values.get(1).map(String::as_str).unwrap_or_default();
                    matches!(ord(first), Some(Greater | Equal))
                        && matches!(ord(hi), Some(Less | Equal))
                }
                _ => false,
            }
        }
    }
}
