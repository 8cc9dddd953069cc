//! COQL (`POST /crm/v8/coql`): a small query builder that respects Zoho's limits,
//! batched phone lookups, and pagination.

use std::collections::HashSet;

use reqwest::Method;
use serde_json::json;

use super::{CRM_V8, Page, Record, RestClient, module_segment};
use crate::error::{Result, ZohoError};
use crate::transport::{ApiRequest, Operation, cost};

/// At most 25 criteria in WHERE.
pub const MAX_COQL_CRITERIA: usize = 25;
/// At most 50 values in `in (...)`.
pub const MAX_COQL_IN_VALUES: usize = 50;
/// LIMIT maximum.
pub const MAX_COQL_LIMIT: u32 = 2_000;
/// At most 50 SELECT fields.
const MAX_SELECT: usize = 50;
/// LIMIT + OFFSET reach; beyond it we page by `id > last id`.
const OFFSET_REACH: u32 = 100_000;

/// A WHERE condition.
#[derive(Debug, Clone, PartialEq)]
pub enum CoqlCondition {
    Eq(String, String),
    In(String, Vec<String>),
    Like(String, String),
    Gt(String, String),
    /// `field between 'a' and 'b'` (inclusive).
    Between(String, String, String),
    And(Vec<CoqlCondition>),
    Or(Vec<CoqlCondition>),
}

impl CoqlCondition {
    fn criteria(&self) -> usize {
        match self {
            Self::And(c) | Self::Or(c) => c.iter().map(Self::criteria).sum(),
            _ => 1,
        }
    }

    /// Renders with explicit nesting: Zoho wants `(A or (B or C))` for > 2 criteria.
    fn render(&self) -> Result<String> {
        Ok(match self {
            Self::Eq(f, v) => format!("{} = {}", field(f)?, literal(v)?),
            Self::Gt(f, v) => format!("{} > {}", field(f)?, literal(v)?),
            Self::Like(f, v) => format!("{} like {}", field(f)?, literal(v)?),
            Self::Between(f, a, b) => {
                format!("{} between {} and {}", field(f)?, literal(a)?, literal(b)?)
            }
            Self::In(f, vs) => {
                if vs.is_empty() || vs.len() > MAX_COQL_IN_VALUES {
                    return Err(ZohoError::InvalidInput(format!(
                        "`in` takes 1..={MAX_COQL_IN_VALUES} values"
                    )));
                }
                let vals = vs.iter().map(|v| literal(v)).collect::<Result<Vec<_>>>()?;
                format!("{} in ({})", field(f)?, vals.join(","))
            }
            Self::And(c) | Self::Or(c) => {
                let op = if matches!(self, Self::And(_)) {
                    "and"
                } else {
                    "or"
                };
                match c.as_slice() {
                    [] => return Err(ZohoError::InvalidInput("empty COQL group".into())),
                    [one] => one.render()?,
                    [first, rest @ ..] => {
                        let tail = if rest.len() == 1 {
                            rest[0].render()?
                        } else if op == "and" {
                            Self::And(rest.to_vec()).render()?
                        } else {
                            Self::Or(rest.to_vec()).render()?
                        };
                        format!("({} {op} {})", first.render()?, tail)
                    }
                }
            }
        })
    }
}

fn field(f: &str) -> Result<&str> {
    if !f.is_empty()
        && f.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '$')
    {
        Ok(f)
    } else {
        Err(ZohoError::InvalidInput(format!("invalid COQL field {f:?}")))
    }
}

/// A single-quoted string. Quote escaping is not documented for v8 COQL, so values
/// with `'` or `\` are refused instead of guessed at.
fn literal(v: &str) -> Result<String> {
    if v.contains(['\'', '\\']) || v.chars().any(char::is_control) {
        return Err(ZohoError::InvalidInput(format!(
            "COQL value {v:?} contains a quote, backslash or control character"
        )));
    }
    Ok(format!("'{v}'"))
}

/// `select .. from .. where .. order by .. limit .. offset ..`
#[derive(Debug, Clone, PartialEq)]
pub struct CoqlQuery {
    pub select: Vec<String>,
    pub from: String,
    pub filter: CoqlCondition,
    /// `(field, ascending)`.
    pub order_by: Vec<(String, bool)>,
    pub limit: u32,
    pub offset: u32,
}

impl CoqlQuery {
    pub fn new(select: &[&str], from: &str, filter: CoqlCondition) -> Self {
        Self {
            select: select.iter().map(|s| (*s).to_owned()).collect(),
            from: from.to_owned(),
            filter,
            order_by: Vec::new(),
            limit: 200,
            offset: 0,
        }
    }

    /// The `select_query` text.
    pub fn render(&self) -> Result<String> {
        if self.select.is_empty() || self.select.len() > MAX_SELECT {
            return Err(ZohoError::InvalidInput(format!(
                "select 1..={MAX_SELECT} fields"
            )));
        }
        let n = self.filter.criteria();
        if n > MAX_COQL_CRITERIA {
            return Err(ZohoError::InvalidInput(format!(
                "{n} criteria, COQL allows {MAX_COQL_CRITERIA}"
            )));
        }
        if !(1..=MAX_COQL_LIMIT).contains(&self.limit) {
            return Err(ZohoError::InvalidInput(format!(
                "limit must be 1..={MAX_COQL_LIMIT}"
            )));
        }
        let select = self
            .select
            .iter()
            .map(|s| field(s))
            .collect::<Result<Vec<_>>>()?;
        let mut q = format!(
            "select {} from {} where {}",
            select.join(", "),
            module_segment(&self.from)?,
            self.filter.render()?
        );
        if !self.order_by.is_empty() {
            let parts = self
                .order_by
                .iter()
                .map(|(f, asc)| {
                    Ok(format!(
                        "{} {}",
                        field(f)?,
                        if *asc { "asc" } else { "desc" }
                    ))
                })
                .collect::<Result<Vec<_>>>()?;
            q.push_str(&format!(" order by {}", parts.join(", ")));
        }
        q.push_str(&format!(" limit {}", self.limit));
        if self.offset > 0 {
            q.push_str(&format!(" offset {}", self.offset));
        }
        Ok(q)
    }
}

/// `POST /crm/v8/coql`. Read-only, so safe to retry; heavy; 1/2/3 credits by LIMIT.
pub fn build_coql(q: &CoqlQuery) -> Result<ApiRequest> {
    Ok(
        ApiRequest::new(Method::POST, format!("{CRM_V8}/coql"), Operation::Coql)
            .json(json!({ "select_query": q.render()? }))
            .credits(cost::coql(q.limit))
            .heavy(true)
            .idempotent(true),
    )
}

/// Queries that find records of `module` whose `phone_fields` hold any of `numbers`:
/// `(Phone in (...) or Mobile in (...))`, numbers split so no `in` has more than 50
/// values. Several forms of a number (E.164, national) can simply all be passed.
pub fn phone_lookup_queries(
    module: &str,
    select: &[&str],
    phone_fields: &[&str],
    numbers: &[String],
) -> Result<Vec<CoqlQuery>> {
    if phone_fields.is_empty() || phone_fields.len() > MAX_COQL_CRITERIA {
        return Err(ZohoError::InvalidInput(format!(
            "1..={MAX_COQL_CRITERIA} phone fields"
        )));
    }
    let mut unique: Vec<String> = Vec::new();
    let mut seen = HashSet::new();
    for n in numbers.iter().map(|n| n.trim()).filter(|n| !n.is_empty()) {
        if seen.insert(n) {
            unique.push(n.to_owned());
        }
    }
    unique
        .chunks(MAX_COQL_IN_VALUES)
        .map(|chunk| {
            let filter = CoqlCondition::Or(
                phone_fields
                    .iter()
                    .map(|f| CoqlCondition::In((*f).to_owned(), chunk.to_vec()))
                    .collect(),
            );
            let mut q = CoqlQuery::new(select, module, filter);
            q.limit = MAX_COQL_LIMIT.min(200);
            // Render once now so a bad value fails before anything is sent.
            q.render().map(|_| q)
        })
        .collect()
}

impl RestClient {
    /// One COQL page; 204 / no rows is an empty page.
    pub async fn coql(&self, q: &CoqlQuery) -> Result<Page> {
        let resp = self.conn.execute(&build_coql(q)?).await?;
        Page::from_response(resp)
    }

    /// All rows of a query: LIMIT/OFFSET pages while `more_records`, then
    /// `id > last id` paging beyond Zoho's 100,000-row offset reach.
    pub async fn coql_all(&self, q: &CoqlQuery) -> Result<Vec<Record>> {
        let mut q = q.clone();
        let mut out = Vec::new();
        loop {
            let page = self.coql(&q).await?;
            let n = page.records.len() as u32;
            let last_id = page.records.last().and_then(|r| r.id().map(str::to_owned));
            out.extend(page.records);
            if !page.info.more_records || n == 0 {
                return Ok(out);
            }
            if q.offset + q.limit + q.limit <= OFFSET_REACH {
                q.offset += q.limit;
            } else {
                if !(q.order_by.is_empty() || q.order_by == [("id".to_owned(), true)]) {
                    return Err(ZohoError::InvalidInput(
                        "past 100,000 rows COQL pages by id; the query must be ordered by id"
                            .into(),
                    ));
                }
                let last = last_id.ok_or_else(|| {
                    ZohoError::unexpected(200, "COQL rows without `id`; select `id` to page")
                })?;
                let base = match &q.filter {
                    CoqlCondition::And(c) if matches!(c.last(), Some(CoqlCondition::Gt(f, _)) if f == "id") => {
                        c[..c.len() - 1].to_vec()
                    }
                    other => vec![other.clone()],
                };
                let mut parts = base;
                parts.push(CoqlCondition::Gt("id".into(), last));
                q.filter = CoqlCondition::And(parts);
                q.order_by = vec![("id".into(), true)];
                q.offset = 0;
            }
        }
    }

    /// Records of `module` whose phone fields hold any of `numbers` (all batches,
    /// de-duplicated by id).
    pub async fn coql_lookup_phones(
        &self,
        module: &str,
        select: &[&str],
        phone_fields: &[&str],
        numbers: &[String],
    ) -> Result<Vec<Record>> {
        let mut out: Vec<Record> = Vec::new();
        let mut ids = HashSet::new();
        for q in phone_lookup_queries(module, select, phone_fields, numbers)? {
            for r in self.coql_all(&q).await? {
                let fresh = r.id().map(|id| ids.insert(id.to_owned())).unwrap_or(true);
                if fresh {
                    out.push(r);
                }
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_documented_shape() {
        let q = CoqlQuery::new(
            &["id", "Full_Name", "Phone", "Mobile"],
            "Contacts",
            CoqlCondition::Or(vec![
                CoqlCondition::In(
                    "Phone".into(),
                    vec!["+14155550123".into(), "4155550123".into()],
                ),
                CoqlCondition::In(
                    "Mobile".into(),
                    vec!["+14155550123".into(), "4155550123".into()],
                ),
            ]),
        );
        assert_eq!(
            q.render().expect("ok"),
            "select id, Full_Name, Phone, Mobile from Contacts where (Phone in ('+14155550123','4155550123') or Mobile in ('+14155550123','4155550123')) limit 200"
        );
    }

    #[test]
    fn nests_more_than_two() {
        let c = CoqlCondition::Or(vec![
            CoqlCondition::Eq("A".into(), "1".into()),
            CoqlCondition::Eq("B".into(), "2".into()),
            CoqlCondition::Eq("C".into(), "3".into()),
        ]);
        assert_eq!(c.render().expect("ok"), "(A = '1' or (B = '2' or C = '3'))");
        let b = CoqlCondition::Between(
            "Call_Start_Time".into(),
            "2025-03-10T14:00:00+01:00".into(),
            "2025-03-10T15:00:00+01:00".into(),
        );
        assert_eq!(
            b.render().expect("ok"),
            "Call_Start_Time between '2025-03-10T14:00:00+01:00' and '2025-03-10T15:00:00+01:00'"
        );
    }

    #[test]
    fn limits_and_quotes() {
        let q = CoqlQuery::new(
            &["id"],
            "Leads",
            CoqlCondition::Eq("Last_Name".into(), "O'Brien".into()),
        );
        assert!(q.render().is_err());
        let many = CoqlCondition::Or(
            (0..26)
                .map(|i| CoqlCondition::Eq("F".into(), i.to_string()))
                .collect(),
        );
        assert!(CoqlQuery::new(&["id"], "Leads", many).render().is_err());
        let mut q = CoqlQuery::new(&["id"], "Leads", CoqlCondition::Eq("F".into(), "x".into()));
        q.limit = 2001;
        assert!(q.render().is_err());
        q.limit = 1000;
        assert_eq!(build_coql(&q).expect("ok").credits, 2);
    }

    #[test]
    fn phone_batches_respect_50_values() {
        let numbers: Vec<String> = (0..120).map(|i| format!("+1415555{i:04}")).collect();
        let qs = phone_lookup_queries(
            "Contacts",
            &["id", "Phone"],
            &["Phone", "Mobile", "Home_Phone"],
            &numbers,
        )
        .expect("ok");
        assert_eq!(qs.len(), 3);
        for q in &qs {
            let text = q.render().expect("ok");
            assert!(text.contains("(Phone in ("));
            assert!(
                text.contains("or (Mobile in (") && text.contains("or Home_Phone in ("),
                "{text}"
            );
        }
        let CoqlCondition::Or(parts) = &qs[2].filter else {
            unreachable!("or")
        };
        let CoqlCondition::In(_, vals) = &parts[0] else {
            unreachable!("in")
        };
        assert_eq!(vals.len(), 20);
        let dup = vec!["+1".to_owned(), "+1".to_owned(), " ".to_owned()];
        let qs = phone_lookup_queries("Contacts", &["id"], &["Phone"], &dup).expect("ok");
        assert_eq!(qs.len(), 1);
        assert!(qs[0].render().expect("ok").contains("Phone in ('+1')"));
    }
}
