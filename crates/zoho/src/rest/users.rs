//! `GET /crm/v8/users`: CRM users, to map them to PBX extensions (by email) and
//! to use their `id` as a record `Owner`.

use chrono::{DateTime, SecondsFormat, Utc};
use reqwest::Method;
use reqwest::header::HeaderName;
use serde::Deserialize;
use serde_json::Value;

use super::{CRM_V8, PageInfo, RestClient, check_per_page};
use crate::error::{Result, ZohoError};
use crate::transport::{ApiRequest, Operation};

/// `type=` filter of the users list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserType {
    ActiveUsers,
    DeactiveUsers,
    ConfirmedUsers,
    NotConfirmedUsers,
    ActiveConfirmedUsers,
    CurrentUser,
}

impl UserType {
    fn as_str(self) -> &'static str {
        match self {
            Self::ActiveUsers => "ActiveUsers",
            Self::DeactiveUsers => "DeactiveUsers",
            Self::ConfirmedUsers => "ConfirmedUsers",
            Self::NotConfirmedUsers => "NotConfirmedUsers",
            Self::ActiveConfirmedUsers => "ActiveConfirmedUsers",
            Self::CurrentUser => "CurrentUser",
        }
    }
}

/// `{"name","id"}` of role/profile.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct NamedRef {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
}

/// One CRM user (fields beyond these are ignored).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct User {
    pub id: String,
    #[serde(default)]
    pub zuid: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub full_name: Option<String>,
    /// `active`, `disabled`, `deleted` (values unconfirmed).
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub confirm: Option<bool>,
    #[serde(default)]
    pub role: Option<NamedRef>,
    #[serde(default)]
    pub profile: Option<NamedRef>,
    /// IANA name in the docs; the spec types it as an object, so kept raw.
    #[serde(default)]
    pub time_zone: Option<Value>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub mobile: Option<String>,
}

/// One page of users; `NotModified` for 304.
#[derive(Debug, Clone, PartialEq)]
pub enum UsersPage {
    NotModified,
    Page { users: Vec<User>, info: PageInfo },
}

/// `GET /crm/v8/users?type=..&page=..&per_page=..` (+ `If-Modified-Since`).
pub fn build_users(
    kind: Option<UserType>,
    page: u32,
    per_page: u32,
    modified_since: Option<DateTime<Utc>>,
) -> Result<ApiRequest> {
    let mut r = ApiRequest::new(Method::GET, format!("{CRM_V8}/users"), Operation::ListUsers);
    if let Some(k) = kind {
        r = r.query("type", k.as_str());
    }
    r = r
        .query("page", page.max(1).to_string())
        .query("per_page", check_per_page(per_page)?.to_string());
    if let Some(since) = modified_since {
        r = r.header(
            HeaderName::from_static("if-modified-since"),
            since.to_rfc3339_opts(SecondsFormat::Secs, false),
        );
    }
    Ok(r)
}

impl RestClient {
    /// One users page.
    pub async fn list_users(
        &self,
        kind: Option<UserType>,
        page: u32,
        per_page: u32,
        modified_since: Option<DateTime<Utc>>,
    ) -> Result<UsersPage> {
        let resp = self
            .conn
            .execute(&build_users(kind, page, per_page, modified_since)?)
            .await?;
        match resp.status {
            304 => Ok(UsersPage::NotModified),
            204 => Ok(UsersPage::Page {
                users: Vec::new(),
                info: PageInfo::default(),
            }),
            200 => {
                let v = resp.json()?;
                let users = v
                    .get("users")
                    .cloned()
                    .ok_or_else(|| ZohoError::unexpected(200, "users answer without `users`"))?;
                let users: Vec<User> = serde_json::from_value(users)
                    .map_err(|e| ZohoError::undecodable(200, "bad users", e))?;
                let info = v
                    .get("info")
                    .cloned()
                    .map(serde_json::from_value)
                    .transpose()
                    .ok()
                    .flatten()
                    .unwrap_or_default();
                Ok(UsersPage::Page { users, info })
            }
            _ => Err(resp.into_error()),
        }
    }

    /// Every user of a type, all pages.
    pub async fn all_users(&self, kind: UserType) -> Result<Vec<User>> {
        let mut out = Vec::new();
        let mut page = 1;
        loop {
            match self
                .list_users(Some(kind), page, super::MAX_PER_PAGE, None)
                .await?
            {
                UsersPage::NotModified => break,
                UsersPage::Page { users, info } => {
                    let n = users.len();
                    out.extend(users);
                    if !info.more_records || n == 0 {
                        break;
                    }
                    page += 1;
                }
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn request_shape() {
        let r = build_users(Some(UserType::ActiveUsers), 2, 200, None).expect("ok");
        assert_eq!(r.path, "/crm/v8/users");
        assert_eq!(
            r.query,
            vec![
                ("type".to_owned(), "ActiveUsers".to_owned()),
                ("page".into(), "2".into()),
                ("per_page".into(), "200".into())
            ]
        );
    }

    #[test]
    fn documented_user_parses() {
        let u: User = serde_json::from_value(json!({"id":"5725767000000411001","zuid":"60012345","email":"jane@zylker.example","full_name":"Jane Doe",
            "status":"active","confirm":true,"role":{"name":"CEO","id":"5725767000000026005"},"profile":{"name":"Administrator","id":"5725767000000026011"},
            "time_zone":"Europe/Berlin","locale":"en_US","phone":"+4930123456","mobile":null}))
        .expect("user");
        assert_eq!(u.email.as_deref(), Some("jane@zylker.example"));
        assert_eq!(u.role.map(|r| r.id), Some("5725767000000026005".into()));
    }
}
