//! Zoho's error body (`{"code","details","message","status":"error"}`) and the crate error type.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// One Zoho API error: the HTTP status plus the four-key body of spec `common.json` `API_Exception`.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: String,
    pub details: Value,
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &str, message: &str, details: Value) -> Self {
        Self {
            status,
            code: code.to_owned(),
            details,
            message: message.to_owned(),
        }
    }

    /// The JSON body, as Zoho sends it (also used for per-record items inside `data[]`).
    pub fn body(&self) -> Value {
        json!({"code": self.code, "details": self.details, "message": self.message, "status": "error"})
    }

    pub fn invalid_token() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "INVALID_TOKEN",
            "invalid oauth token",
            json!({}),
        )
    }

    pub fn scope_mismatch() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "OAUTH_SCOPE_MISMATCH",
            "invalid oauth scope to access this URL",
            json!({}),
        )
    }

    pub fn mandatory_not_found(api_name: &str, json_path: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "MANDATORY_NOT_FOUND",
            "required field not found",
            json!({"api_name": api_name, "json_path": json_path}),
        )
    }

    pub fn invalid_data(details: Value) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "INVALID_DATA",
            "invalid data",
            details,
        )
    }

    /// `the id given seems to be invalid` with `{"id"}` (spec `common.json` `InvalidIDError`).
    pub fn invalid_id(id: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "INVALID_DATA",
            "the id given seems to be invalid",
            json!({"id": id}),
        )
    }

    /// A bad query parameter. Details `{"param_name"}` follow spec `fields.json`; the exact shape
    /// for every endpoint is unconfirmed.
    pub fn invalid_param(param_name: &str) -> Self {
        Self::invalid_data(json!({"param_name": param_name}))
    }

    /// A missing mandatory parameter (message from spec `record.json`; details shape unconfirmed).
    pub fn required_param(param_name: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "REQUIRED_PARAM_MISSING",
            "One of the expected parameter is missing",
            json!({"param_name": param_name}),
        )
    }

    pub fn invalid_module() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "INVALID_MODULE",
            "the module name given seems to be invalid",
            json!({"resource_path_index": 0}),
        )
    }

    pub fn invalid_url() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "INVALID_URL_PATTERN",
            "Please check if the URL trying to access is a correct one",
            json!({}),
        )
    }

    pub fn invalid_method() -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "INVALID_REQUEST_METHOD",
            "The http request method type is not a valid one",
            json!({}),
        )
    }

    /// 429 with `code` (`TOO_MANY_REQUESTS` as documented, or `SimConfig::rate_limit_code`)
    /// and empty `details`; the message text is unconfirmed (docs/zoho-api.md §2.2).
    pub fn too_many_requests(code: &str, message: &str) -> Self {
        Self::new(StatusCode::TOO_MANY_REQUESTS, code, message, json!({}))
    }

    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "INTERNAL_ERROR",
            "Internal server error occurred.",
            json!({}),
        )
    }

    pub fn limit_exceeded(message: &str, details: Value) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "LIMIT_EXCEEDED", message, details)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, axum::Json(self.body())).into_response()
    }
}

/// Errors of the simulator's Rust API (not of the simulated HTTP API).
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: std::net::SocketAddr,
        source: std::io::Error,
    },
    #[error("server failed: {0}")]
    Serve(#[source] std::io::Error),
    #[error("unknown module {0:?}")]
    UnknownModule(String),
    #[error("unknown user {0:?}")]
    UnknownUser(String),
    #[error("zoho user {0:?} has no PhoneBridge registration for this action")]
    NotRegistered(String),
    #[error("record rejected: {} {}", .0.code, .0.details)]
    Rejected(ApiError),
    #[error("calling the PBX side failed: {0}")]
    Outbound(#[from] reqwest::Error),
    #[error("invalid configuration: {0}")]
    Config(String),
}
