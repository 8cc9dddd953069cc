//! API result codes and the one place that turns results into HTTP responses.
//!
//! The PBX answers API errors as HTTP 200 with `errcode ≠ 0` (docs/yeastar-api.md §1, §3), so
//! every handler returns `Result<Reply, ApiError>` and this module renders both as a 200 JSON
//! body.

use axum::Json;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

/// A vendor error code with its vendor message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// `-2 INTERNAL SERVER ERROR`
    Internal,
    /// `-1 FAILURE`
    Failure,
    /// `10001 INTERFACE NOT EXISTED`
    InterfaceNotExisted,
    /// `10004 TOKEN EXPIRED`
    TokenExpired,
    /// `10005 ACCESS DENIED`
    AccessDenied,
    /// `40002 PARAMETER ERROR`
    ParameterError,
    /// `40003 DUPLICATE KEY VALUE`
    DuplicateKey,
    /// `60001 DATA NOT FOUND`
    DataNotFound,
    /// `60002 MAX LIMITATION EXCEEDED`
    MaxLimitation,
    /// `70004 ACCOUNT IP BLOCKED`
    IpBlocked,
    /// `70082 OVERLOAD_TASK_RUNNING`
    OverloadTaskRunning,
    /// `70087 IP FORBIDDEN`
    IpForbidden,
    /// `70091 CONNECTION_RELATION_EXISTED`
    RelationExisted,
    /// `70093 PHONEBOOK_NOT_EXISTED`
    PhonebookNotExisted,
    /// `70128 CONTACTS_NOT_EXISTED`
    ContactNotExisted,
    /// `70130 CAHNNEL ID NOT FOUND` (vendor's spelling)
    ChannelNotFound,
    /// `70132 OPERATION NOT SUPPORTED`
    OperationNotSupported,
    /// One of the codes above with the detail fields the PBX adds to it
    /// (`invalid_param_list`, `submsg`, `duplicate_field_list`).
    Detailed(Box<ApiError>, Map<String, Value>),
}

impl ApiError {
    /// `40002 PARAMETER ERROR` naming the refused parameter, as the vendor's examples do:
    /// `invalid_param_list: [{field, validation_type, value}]`.
    pub fn invalid_param(field: &str, validation_type: &str, value: &str) -> Self {
        Self::ParameterError.with_invalid_param(field, validation_type, Some(value))
    }

    /// `-1 FAILURE` for refused API credentials, naming the field (the vendor's `get_token`
    /// example). The refused value is a secret and is not echoed.
    pub fn credentials_refused(field: &str) -> Self {
        Self::Failure.with_invalid_param(field, "INVALID", None)
    }

    /// `40003 DUPLICATE KEY VALUE` with the vendor's `submsg` and `duplicate_field_list`.
    pub fn duplicate(submsg: &str, fields: &[&str]) -> Self {
        let mut details = Map::new();
        details.insert("submsg".into(), submsg.into());
        details.insert("duplicate_field_list".into(), json!(fields));
        Self::Detailed(Box::new(Self::DuplicateKey), details)
    }

    fn with_invalid_param(self, field: &str, validation_type: &str, value: Option<&str>) -> Self {
        let mut item = Map::new();
        item.insert("field".into(), field.into());
        item.insert("validation_type".into(), validation_type.into());
        if let Some(value) = value {
            item.insert("value".into(), value.into());
        }
        let mut details = Map::new();
        details.insert("invalid_param_list".into(), json!([item]));
        Self::Detailed(Box::new(self), details)
    }

    /// The error without its details (what tests and handlers compare on).
    pub fn base(&self) -> &Self {
        match self {
            Self::Detailed(base, _) => base.base(),
            other => other,
        }
    }

    /// Numeric `errcode`.
    pub fn code(&self) -> i64 {
        match self {
            Self::Detailed(base, _) => base.code(),
            Self::Internal => -2,
            Self::Failure => -1,
            Self::InterfaceNotExisted => 10001,
            Self::TokenExpired => 10004,
            Self::AccessDenied => 10005,
            Self::ParameterError => 40002,
            Self::DuplicateKey => 40003,
            Self::DataNotFound => 60001,
            Self::MaxLimitation => 60002,
            Self::IpBlocked => 70004,
            Self::OverloadTaskRunning => 70082,
            Self::IpForbidden => 70087,
            Self::RelationExisted => 70091,
            Self::PhonebookNotExisted => 70093,
            Self::ContactNotExisted => 70128,
            Self::ChannelNotFound => 70130,
            Self::OperationNotSupported => 70132,
        }
    }

    /// `errmsg` as the vendor spells it.
    pub fn message(&self) -> &'static str {
        match self {
            Self::Detailed(base, _) => base.message(),
            Self::Internal => "INTERNAL SERVER ERROR",
            Self::Failure => "FAILURE",
            Self::InterfaceNotExisted => "INTERFACE NOT EXISTED",
            Self::TokenExpired => "TOKEN EXPIRED",
            Self::AccessDenied => "ACCESS DENIED",
            Self::ParameterError => "PARAMETER ERROR",
            Self::DuplicateKey => "DUPLICATE KEY VALUE",
            Self::DataNotFound => "DATA NOT FOUND",
            Self::MaxLimitation => "MAX LIMITATION EXCEEDED",
            Self::IpBlocked => "ACCOUNT IP BLOCKED",
            Self::OverloadTaskRunning => "OVERLOAD_TASK_RUNNING",
            Self::IpForbidden => "IP FORBIDDEN",
            Self::RelationExisted => "CONNECTION_RELATION_EXISTED",
            Self::PhonebookNotExisted => "PHONEBOOK_NOT_EXISTED",
            Self::ContactNotExisted => "CONTACTS_NOT_EXISTED",
            Self::ChannelNotFound => "CAHNNEL ID NOT FOUND",
            Self::OperationNotSupported => "OPERATION NOT SUPPORTED",
        }
    }

    /// The error as a JSON body.
    pub fn body(&self) -> Value {
        let mut body = json!({"errcode": self.code(), "errmsg": self.message()});
        if let (Self::Detailed(_, details), Value::Object(map)) = (self, &mut body) {
            map.extend(details.clone());
        }
        body
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        Json(self.body()).into_response()
    }
}

/// A successful reply: `errcode` 0 plus extra top-level fields.
#[derive(Debug, Clone, Default)]
pub struct Reply(pub Map<String, Value>);

impl Reply {
    /// Just `{"errcode":0,"errmsg":"SUCCESS"}`.
    pub fn ok() -> Self {
        Self(Map::new())
    }

    /// Adds a top-level field.
    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.0.insert(key.to_owned(), value.into());
        self
    }

    /// The full body.
    pub fn body(self) -> Value {
        let mut map = Map::new();
        map.insert("errcode".into(), 0.into());
        map.insert("errmsg".into(), "SUCCESS".into());
        map.extend(self.0);
        Value::Object(map)
    }
}

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        Json(self.body()).into_response()
    }
}

/// What every API handler returns.
pub type ApiResult = Result<Reply, ApiError>;
