//! Checking a parsed query against the module's fields and Zoho's COQL limits, and running it.

use std::cmp::Ordering;

use serde_json::Value;

use super::CoqlError;
use super::parser::{Expr, Lit, Query};
use crate::store::compare::{Typed, like, literal, orderable, stored};
use crate::store::fields::{FieldMeta, field};
use crate::store::module::Module;
use crate::store::render::{Style, render};
use crate::store::{Record, Store};

pub const MAX_SELECT: usize = 50;
pub const MAX_CRITERIA: usize = 25;
pub const MAX_IN_VALUES: usize = 50;
pub const MAX_LIMIT: u64 = 2_000;
pub const DEFAULT_LIMIT: u64 = 200;
pub const MAX_REACH: u64 = 100_000;
pub const MAX_ORDER_BY: usize = 10;

fn column(module: Module, name: &str) -> Result<&'static FieldMeta, CoqlError> {
    field(module, name).ok_or_else(|| CoqlError::Column(name.to_owned()))
}

fn lit_ok(meta: &FieldMeta, lit: &Lit) -> Result<(), CoqlError> {
    literal(meta, &lit.as_text())
        .map(|_| ())
        .ok_or_else(|| CoqlError::Value {
            column: meta.api_name.to_owned(),
            expected: meta.ty.data_type(),
        })
}

fn check_expr(module: Module, e: &Expr) -> Result<(), CoqlError> {
    match e {
        Expr::And(a, b) | Expr::Or(a, b) => {
            check_expr(module, a)?;
            check_expr(module, b)
        }
        Expr::Cmp { field, op, value } => {
            let meta = column(module, field)?;
            if op != "=" && op != "!=" && !orderable(meta) {
                return Err(CoqlError::Operator {
                    column: field.clone(),
                    operator: op.clone(),
                });
            }
            lit_ok(meta, value)
        }
        Expr::In { field, values, .. } => {
            let meta = column(module, field)?;
            if values.len() > MAX_IN_VALUES {
                return Err(CoqlError::Limit {
                    clause: "where",
                    limit: MAX_IN_VALUES as u64,
                });
            }
            values.iter().try_for_each(|v| lit_ok(meta, v))
        }
        Expr::Like { field, .. } => {
            let meta = column(module, field)?;
            if !meta.ty.is_textual() {
                return Err(CoqlError::Operator {
                    column: field.clone(),
                    operator: "like".into(),
                });
            }
            Ok(())
        }
        Expr::IsNull { field, .. } => column(module, field).map(|_| ()),
        Expr::Between { field, low, high } => {
            let meta = column(module, field)?;
            if !orderable(meta) {
                return Err(CoqlError::Operator {
                    column: field.clone(),
                    operator: "between".into(),
                });
            }
            lit_ok(meta, low)?;
            lit_ok(meta, high)
        }
    }
}

/// Validates the query; returns its module.
pub fn check(q: &Query) -> Result<Module, CoqlError> {
    let module = Module::parse(&q.module).ok_or_else(|| CoqlError::Module(q.module.clone()))?;
    if q.fields.len() > MAX_SELECT {
        return Err(CoqlError::Limit {
            clause: "select",
            limit: MAX_SELECT as u64,
        });
    }
    for f in q.fields.iter().filter(|f| *f != "id") {
        column(module, f)?;
    }
    if let Some(e) = &q.filter {
        if e.criteria() > MAX_CRITERIA {
            return Err(CoqlError::Limit {
                clause: "where",
                limit: MAX_CRITERIA as u64,
            });
        }
        check_expr(module, e)?;
    }
    if q.order.len() > MAX_ORDER_BY {
        return Err(CoqlError::Limit {
            clause: "order by",
            limit: MAX_ORDER_BY as u64,
        });
    }
    for (f, _) in q.order.iter().filter(|(f, _)| f != "id") {
        column(module, f)?;
    }
    let limit = q.limit.unwrap_or(DEFAULT_LIMIT);
    if limit > MAX_LIMIT {
        return Err(CoqlError::Limit {
            clause: "limit",
            limit: MAX_LIMIT,
        });
    }
    if limit + q.offset.unwrap_or(0) > MAX_REACH {
        return Err(CoqlError::Limit {
            clause: "offset",
            limit: MAX_REACH,
        });
    }
    Ok(module)
}

fn value_of(module: Module, rec: &Record, name: &str) -> (Option<&'static FieldMeta>, Value) {
    (
        field(module, name),
        rec.get(name).cloned().unwrap_or(Value::Null),
    )
}

fn typed(module: Module, rec: &Record, name: &str) -> Option<(Typed, &'static FieldMeta)> {
    let (meta, v) = value_of(module, rec, name);
    let meta = meta?;
    stored(meta, &v).map(|t| (t, meta))
}

fn eval(module: Module, rec: &Record, e: &Expr) -> bool {
    let cmp = |f: &str, lit: &Lit| -> Option<Ordering> {
        let (a, meta) = typed(module, rec, f)?;
        a.cmp(&literal(meta, &lit.as_text())?)
    };
    match e {
        Expr::And(a, b) => eval(module, rec, a) && eval(module, rec, b),
        Expr::Or(a, b) => eval(module, rec, a) || eval(module, rec, b),
        Expr::Cmp { field, op, value } => {
            let Some(ord) = cmp(field, value) else {
                return false;
            };
            match op.as_str() {
                "=" => ord == Ordering::Equal,
                "!=" => ord != Ordering::Equal,
                "<" => ord == Ordering::Less,
                ">" => ord == Ordering::Greater,
                "<=" => ord != Ordering::Greater,
                ">=" => ord != Ordering::Less,
                _ => false,
            }
        }
        Expr::In {
            field,
            negated,
            values,
        } => {
            if typed(module, rec, field).is_none() {
                return false;
            }
            values
                .iter()
                .any(|v| cmp(field, v) == Some(Ordering::Equal))
                != *negated
        }
        Expr::Like {
            field,
            negated,
            pattern,
        } => match typed(module, rec, field) {
            Some((Typed::Text(s), _)) => like(&s, pattern) != *negated,
            _ => false,
        },
        Expr::IsNull { field, negated } => typed(module, rec, field).is_none() != *negated,
        Expr::Between { field, low, high } => {
            matches!(cmp(field, low), Some(Ordering::Greater | Ordering::Equal))
                && matches!(cmp(field, high), Some(Ordering::Less | Ordering::Equal))
        }
    }
}

fn order(module: Module, a: &Record, b: &Record, keys: &[(String, bool)]) -> Ordering {
    for (f, asc) in keys {
        let ka = if f == "id" {
            a.get("id")
                .and_then(Value::as_str)
                .map(|s| Typed::Text(s.into()))
        } else {
            typed(module, a, f).map(|t| t.0)
        };
        let kb = if f == "id" {
            b.get("id")
                .and_then(Value::as_str)
                .map(|s| Typed::Text(s.into()))
        } else {
            typed(module, b, f).map(|t| t.0)
        };
        // Nulls sort first ascending.
        let o = match (ka, kb) {
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Less,
            (Some(_), None) => Ordering::Greater,
            (Some(x), Some(y)) => x.cmp(&y).unwrap_or(Ordering::Equal),
        };
        let o = if *asc { o } else { o.reverse() };
        if o != Ordering::Equal {
            return o;
        }
    }
    Ordering::Equal
}

/// Runs a checked query: rows (`id` always included, lookups as `{"id"}`) and `more_records`.
/// Only records `visible` accepts are considered.
pub fn run(
    store: &Store,
    module: Module,
    q: &Query,
    visible: impl Fn(&Record) -> bool,
) -> (Vec<Value>, bool) {
    let mut rows: Vec<&Record> = store
        .records(module)
        .filter(|r| visible(r))
        .filter(|r| q.filter.as_ref().is_none_or(|e| eval(module, r, e)))
        .collect();
    let mut keys = q.order.clone();
    keys.push(("id".into(), true));
    rows.sort_by(|a, b| order(module, a, b, &keys));
    let offset = q.offset.unwrap_or(0) as usize;
    let limit = q.limit.unwrap_or(DEFAULT_LIMIT) as usize;
    let more = rows.len() > offset + limit;
    let out = rows
        .into_iter()
        .skip(offset)
        .take(limit)
        .map(|r| render(store, module, r, Some(&q.fields), Style::Coql))
        .collect();
    (out, more)
}
