//! A COQL subset: `select f1, f2 from Module [where ...] [order by f [asc|desc], ...]
//! [limit n [offset m] | limit m, n]` with `=`, `!=`, `<`, `>`, `<=`, `>=`, `[not] in`,
//! `[not] like`, `is [not] null`, `between`, `and`/`or` and parentheses.

pub mod eval;
pub mod lexer;
pub mod parser;

/// A COQL failure, mapped to Zoho's 400 bodies by the API layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CoqlError {
    /// `SYNTAX_ERROR` with `{line, column, near}`.
    Syntax {
        line: u32,
        column: u32,
        near: String,
    },
    /// `LIMIT_EXCEEDED` for a clause.
    Limit { clause: &'static str, limit: u64 },
    /// `INVALID_QUERY` "column given seems to be invalid".
    Column(String),
    /// `INVALID_QUERY` for an unknown module.
    Module(String),
    /// `INVALID_QUERY` "value given seems to be invalid for the column".
    Value {
        column: String,
        expected: &'static str,
    },
    /// `INVALID_QUERY` "data type not supported" (operator not usable on the column type).
    Operator { column: String, operator: String },
}
