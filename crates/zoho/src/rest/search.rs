//! `GET /crm/v8/{Module}/search` by phone, email, word or criteria.

use reqwest::Method;

use super::{
    CRM_V8, MAX_PER_PAGE, Page, Record, RestClient, check_per_page, fields_param, module_segment,
};
use crate::error::{Result, ZohoError};
use crate::transport::{ApiRequest, Operation};

/// Max conditions per criteria (docs say 10; the spec's error says 15: we keep the lower).
pub const MAX_CRITERIA_CONDITIONS: usize = 10;
/// Max values of one `in` condition (spec).
pub const MAX_IN_VALUES: usize = 100;

/// Which converted Leads to include.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Converted {
    True,
    False,
    Both,
}

impl Converted {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::True => "true",
            Self::False => "false",
            Self::Both => "both",
        }
    }
}

/// Criteria comparison operators (v4+; there is no `ends_with`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CriteriaOp {
    Equals,
    NotEqual,
    StartsWith,
    In,
    GreaterThan,
    GreaterEqual,
    LessThan,
    LessEqual,
    Between,
}

impl CriteriaOp {
    fn as_str(self) -> &'static str {
        match self {
            Self::Equals => "equals",
            Self::NotEqual => "not_equal",
            Self::StartsWith => "starts_with",
            Self::In => "in",
            Self::GreaterThan => "greater_than",
            Self::GreaterEqual => "greater_equal",
            Self::LessThan => "less_than",
            Self::LessEqual => "less_equal",
            Self::Between => "between",
        }
    }
}

/// A search criteria expression, rendered as `((Phone:equals:x)or(Mobile:equals:x))`.
#[derive(Debug, Clone, PartialEq)]
pub enum Criteria {
    Cond {
        field: String,
        op: CriteriaOp,
        values: Vec<String>,
    },
    And(Vec<Criteria>),
    Or(Vec<Criteria>),
}

impl Criteria {
    pub fn cond(field: &str, op: CriteriaOp, value: &str) -> Self {
        Self::Cond {
            field: field.to_owned(),
            op,
            values: vec![value.to_owned()],
        }
    }

    pub fn equals(field: &str, value: &str) -> Self {
        Self::cond(field, CriteriaOp::Equals, value)
    }

    pub fn is_in(field: &str, values: &[String]) -> Self {
        Self::Cond {
            field: field.to_owned(),
            op: CriteriaOp::In,
            values: values.to_vec(),
        }
    }

    /// `value` equal in any of `fields` (e.g. Phone or Mobile).
    pub fn any_field_equals(fields: &[&str], value: &str) -> Self {
        Self::Or(fields.iter().map(|f| Self::equals(f, value)).collect())
    }

    /// Number of leaf conditions.
    pub fn conditions(&self) -> usize {
        match self {
            Self::Cond { .. } => 1,
            Self::And(c) | Self::Or(c) => c.iter().map(Self::conditions).sum(),
        }
    }

    /// The wire form (before URL encoding, which the request builder does).
    pub fn render(&self) -> Result<String> {
        let n = self.conditions();
        if n == 0 || n > MAX_CRITERIA_CONDITIONS {
            return Err(ZohoError::InvalidInput(format!(
                "criteria needs 1..={MAX_CRITERIA_CONDITIONS} conditions, has {n}"
            )));
        }
        self.render_inner()
    }

    fn render_inner(&self) -> Result<String> {
        match self {
            Self::Cond { field, op, values } => {
                if field.is_empty()
                    || !field
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '$')
                {
                    return Err(ZohoError::InvalidInput(format!(
                        "invalid criteria field {field:?}"
                    )));
                }
                let limit = match op {
                    CriteriaOp::In => MAX_IN_VALUES,
                    CriteriaOp::Between => 2,
                    _ => 1,
                };
                if values.is_empty()
                    || values.len() > limit
                    || (*op == CriteriaOp::Between && values.len() != 2)
                {
                    return Err(ZohoError::InvalidInput(format!(
                        "{} takes up to {limit} value(s)",
                        op.as_str()
                    )));
                }
                let vals = values
                    .iter()
                    .map(|v| escape_criteria_value(v))
                    .collect::<Result<Vec<_>>>()?;
                Ok(format!("({field}:{}:{})", op.as_str(), vals.join(",")))
            }
            Self::And(children) | Self::Or(children) => {
                let sep = if matches!(self, Self::And(_)) {
                    "and"
                } else {
                    "or"
                };
                match children.as_slice() {
                    [] => Err(ZohoError::InvalidInput("empty criteria group".into())),
                    [one] => one.render_inner(),
                    many => {
                        let parts = many
                            .iter()
                            .map(Self::render_inner)
                            .collect::<Result<Vec<_>>>()?;
                        Ok(format!("({})", parts.join(sep)))
                    }
                }
            }
        }
    }
}

/// Escapes `(`, `)` and `,` with `\` as Zoho requires in criteria values. A
/// backslash itself has no documented escape, so values containing one are refused
/// rather than risk a silently different query.
pub fn escape_criteria_value(v: &str) -> Result<String> {
    if v.contains('\\') {
        return Err(ZohoError::InvalidInput(
            "criteria values cannot contain a backslash".into(),
        ));
    }
    if v.chars().any(char::is_control) {
        return Err(ZohoError::InvalidInput(
            "criteria values cannot contain control characters".into(),
        ));
    }
    let mut out = String::with_capacity(v.len());
    for c in v.chars() {
        if matches!(c, '(' | ')' | ',') {
            out.push('\\');
        }
        out.push(c);
    }
    Ok(out)
}

/// What to search by.
#[derive(Debug, Clone, PartialEq)]
pub enum SearchBy {
    /// All phone-type fields of the module. Matching semantics are undocumented.
    Phone(String),
    Email(String),
    Word(String),
    Criteria(Criteria),
}

/// Parameters of a search call.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchParams {
    pub by: SearchBy,
    /// Optional here (unlike record lists).
    pub fields: Vec<String>,
    pub page: u32,
    pub per_page: u32,
    pub converted: Option<Converted>,
}

impl SearchParams {
    pub fn new(by: SearchBy) -> Self {
        Self {
            by,
            fields: Vec::new(),
            page: 1,
            per_page: MAX_PER_PAGE,
            converted: None,
        }
    }

    pub fn fields(mut self, fields: &[&str]) -> Self {
        self.fields = fields.iter().map(|f| (*f).to_owned()).collect();
        self
    }
}

/// Builds the search request. The query is form-encoded by the URL builder, so a
/// `+` goes out as `%2B` (a raw `+` would reach Zoho as a space).
pub fn build_search(module: &str, p: &SearchParams) -> Result<ApiRequest> {
    let (name, value) = match &p.by {
        SearchBy::Phone(v) => ("phone", non_empty(v)?.to_owned()),
        SearchBy::Email(v) => ("email", non_empty(v)?.to_owned()),
        SearchBy::Word(v) => ("word", non_empty(v)?.to_owned()),
        SearchBy::Criteria(c) => ("criteria", c.render()?),
    };
    let mut r = ApiRequest::new(
        Method::GET,
        format!("{CRM_V8}/{}/search", module_segment(module)?),
        Operation::SearchRecords,
    )
    .query(name, value)
    // module_search.json marks per_page required here.
    .query("per_page", check_per_page(p.per_page)?.to_string())
    .heavy(true);
    if p.page > 1 {
        r = r.query("page", p.page.to_string());
    }
    if !p.fields.is_empty() {
        r = r.query("fields", fields_param(&p.fields)?);
    }
    if let Some(c) = p.converted {
        r = r.query("converted", c.as_str());
    }
    Ok(r)
}

fn non_empty(v: &str) -> Result<&str> {
    let t = v.trim();
    if t.is_empty() {
        Err(ZohoError::InvalidInput("empty search value".into()))
    } else {
        Ok(t)
    }
}

impl RestClient {
    /// One search page; 204 (no match) is an empty page.
    pub async fn search(&self, module: &str, params: &SearchParams) -> Result<Page> {
        let resp = self.conn.execute(&build_search(module, params)?).await?;
        Page::from_response(resp)
    }

    /// First page of records whose phone fields match `phone` (`phone=` search).
    pub async fn search_by_phone(
        &self,
        module: &str,
        phone: &str,
        fields: &[&str],
    ) -> Result<Vec<Record>> {
        let p = SearchParams::new(SearchBy::Phone(phone.to_owned())).fields(fields);
        Ok(self.search(module, &p).await?.records)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(
            escape_criteria_value("Smith (UK), Ltd").expect("ok"),
            "Smith \\(UK\\)\\, Ltd"
        );
        assert!(escape_criteria_value("a\\b").is_err());
    }

    #[test]
    fn criteria_rendering() {
        let c = Criteria::any_field_equals(&["Phone", "Mobile"], "+14155550123");
        assert_eq!(
            c.render().expect("ok"),
            "((Phone:equals:+14155550123)or(Mobile:equals:+14155550123))"
        );
        let c = Criteria::And(vec![
            Criteria::equals("Last_Name", "O(k)"),
            Criteria::is_in("Lead_Source", &["Web".into(), "Cold, Call".into()]),
        ]);
        assert_eq!(
            c.render().expect("ok"),
            "((Last_Name:equals:O\\(k\\))and(Lead_Source:in:Web,Cold\\, Call))"
        );
        let too_many = Criteria::Or(
            (0..11)
                .map(|i| Criteria::equals("Phone", &i.to_string()))
                .collect(),
        );
        assert!(too_many.render().is_err());
        assert!(Criteria::Or(vec![]).render().is_err());
        assert!(Criteria::equals("Pho ne", "1").render().is_err());
    }

    #[test]
    fn phone_is_percent_encoded() {
        let r = build_search(
            "Contacts",
            &SearchParams::new(SearchBy::Phone("+14155550123".into())),
        )
        .expect("ok");
        let url = r.url(&url::Url::parse("https://www.zohoapis.com").expect("url"));
        assert_eq!(url.path(), "/crm/v8/Contacts/search");
        assert!(
            url.query().expect("query").contains("phone=%2B14155550123"),
            "{url}"
        );
        assert!(url.query().expect("query").contains("per_page=200"));
    }

    #[test]
    fn criteria_is_url_encoded_whole() {
        let c = Criteria::any_field_equals(&["Phone", "Mobile"], "+1 (415)");
        let r = build_search("Leads", &SearchParams::new(SearchBy::Criteria(c))).expect("ok");
        let url = r.url(&url::Url::parse("https://www.zohoapis.com").expect("url"));
        let q = url.query().expect("query");
        assert!(
            q.starts_with("criteria=%28%28Phone%3Aequals%3A%2B1+%5C%28415%5C%29%29or"),
            "{q}"
        );
        let back: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        assert_eq!(
            back[0].1,
            "((Phone:equals:+1 \\(415\\))or(Mobile:equals:+1 \\(415\\)))"
        );
    }
}
