//! One error type for the whole adapter, with Zoho's documented error codes.

use std::fmt;

use serde_json::Value;

/// Crate result alias.
pub type Result<T, E = ZohoError> = std::result::Result<T, E>;

/// Error codes documented for CRM REST v8 (`common.json`, status-codes page) and
/// PhoneBridge v3. Unknown codes are kept verbatim in [`ErrorCode::Other`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    InvalidToken,
    OauthScopeMismatch,
    AuthenticationFailure,
    NoPermission,
    MandatoryNotFound,
    InvalidData,
    DuplicateData,
    LimitReached,
    LimitExceeded,
    CriteriaLimitExceeded,
    TooManyRequests,
    InternalError,
    RequiredParamMissing,
    InvalidModule,
    InvalidQuery,
    SyntaxError,
    InvalidUrlPattern,
    InvalidRequestMethod,
    NotSupported,
    /// COQL: a select alias that is not allowed or clashes.
    InvalidAlias,
    /// An update of a record that is locked (approval, blueprint).
    RecordLocked,
    // PhoneBridge v3
    PbxNotIntegrated,
    InvalidUser,
    ProviderNotRegistered,
    DifferentProviderAlreadyEnabled,
    /// Any code this crate does not know yet.
    Other(String),
}

impl ErrorCode {
    /// Parses Zoho's `code` string (exact, upper case as Zoho sends it).
    pub fn parse(code: &str) -> Self {
        match code {
            "INVALID_TOKEN" => Self::InvalidToken,
            "OAUTH_SCOPE_MISMATCH" => Self::OauthScopeMismatch,
            "AUTHENTICATION_FAILURE" => Self::AuthenticationFailure,
            "NO_PERMISSION" => Self::NoPermission,
            "MANDATORY_NOT_FOUND" => Self::MandatoryNotFound,
            "INVALID_DATA" => Self::InvalidData,
            "DUPLICATE_DATA" => Self::DuplicateData,
            "LIMIT_REACHED" => Self::LimitReached,
            "LIMIT_EXCEEDED" => Self::LimitExceeded,
            "CRITERIA_LIMIT_EXCEEDED" => Self::CriteriaLimitExceeded,
            "TOO_MANY_REQUESTS" => Self::TooManyRequests,
            "INTERNAL_ERROR" => Self::InternalError,
            "REQUIRED_PARAM_MISSING" => Self::RequiredParamMissing,
            "INVALID_MODULE" => Self::InvalidModule,
            "INVALID_QUERY" => Self::InvalidQuery,
            "SYNTAX_ERROR" => Self::SyntaxError,
            "INVALID_URL_PATTERN" => Self::InvalidUrlPattern,
            "INVALID_REQUEST_METHOD" => Self::InvalidRequestMethod,
            "NOT_SUPPORTED" => Self::NotSupported,
            "INVALID_ALIAS" => Self::InvalidAlias,
            "RECORD_LOCKED" => Self::RecordLocked,
            "PBX_NOT_INTEGRATED" => Self::PbxNotIntegrated,
            "INVALID_USER" => Self::InvalidUser,
            "PROVIDER_NOT_REGISTERED" => Self::ProviderNotRegistered,
            "DIFFERENT_PROVIDER_ALREADY_ENABLED" => Self::DifferentProviderAlreadyEnabled,
            other => Self::Other(other.to_owned()),
        }
    }

    /// The wire form of the code.
    pub fn as_str(&self) -> &str {
        match self {
            Self::InvalidToken => "INVALID_TOKEN",
            Self::OauthScopeMismatch => "OAUTH_SCOPE_MISMATCH",
            Self::AuthenticationFailure => "AUTHENTICATION_FAILURE",
            Self::NoPermission => "NO_PERMISSION",
            Self::MandatoryNotFound => "MANDATORY_NOT_FOUND",
            Self::InvalidData => "INVALID_DATA",
            Self::DuplicateData => "DUPLICATE_DATA",
            Self::LimitReached => "LIMIT_REACHED",
            Self::LimitExceeded => "LIMIT_EXCEEDED",
            Self::CriteriaLimitExceeded => "CRITERIA_LIMIT_EXCEEDED",
            Self::TooManyRequests => "TOO_MANY_REQUESTS",
            Self::InternalError => "INTERNAL_ERROR",
            Self::RequiredParamMissing => "REQUIRED_PARAM_MISSING",
            Self::InvalidModule => "INVALID_MODULE",
            Self::InvalidQuery => "INVALID_QUERY",
            Self::SyntaxError => "SYNTAX_ERROR",
            Self::InvalidUrlPattern => "INVALID_URL_PATTERN",
            Self::InvalidRequestMethod => "INVALID_REQUEST_METHOD",
            Self::NotSupported => "NOT_SUPPORTED",
            Self::InvalidAlias => "INVALID_ALIAS",
            Self::RecordLocked => "RECORD_LOCKED",
            Self::PbxNotIntegrated => "PBX_NOT_INTEGRATED",
            Self::InvalidUser => "INVALID_USER",
            Self::ProviderNotRegistered => "PROVIDER_NOT_REGISTERED",
            Self::DifferentProviderAlreadyEnabled => "DIFFERENT_PROVIDER_ALREADY_ENABLED",
            Self::Other(s) => s,
        }
    }

    /// Whether a later identical request may succeed (throttling, server trouble).
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::TooManyRequests | Self::InternalError)
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One Zoho error object: `{"code","details","message","status":"error"}`, plus the
/// HTTP status it came with (for per-record errors: the status of the whole response).
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub status: u16,
    pub code: ErrorCode,
    pub message: String,
    pub details: Value,
}

impl ApiError {
    /// Reads an error object; `None` if `v` is not one (no string `code`).
    pub fn from_value(status: u16, v: &Value) -> Option<Self> {
        let code = v.get("code")?.as_str()?;
        Some(Self {
            status,
            code: ErrorCode::parse(code),
            message: v
                .get("message")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            details: v.get("details").cloned().unwrap_or(Value::Null),
        })
    }

    /// `details.api_name`, the field an error is about (MANDATORY_NOT_FOUND, INVALID_DATA...).
    pub fn api_name(&self) -> Option<&str> {
        self.details.get("api_name").and_then(Value::as_str)
    }

    /// For `NO_PERMISSION`: the permissions the user's profile lacks
    /// (`details.permissions`); empty when Zoho names none.
    pub fn permissions(&self) -> Vec<&str> {
        self.details
            .get("permissions")
            .and_then(Value::as_array)
            .map(|p| p.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default()
    }

    /// For `DUPLICATE_DATA`: the record already holding the unique value,
    /// from `details.duplicate_record{id, module{api_name}}`.
    pub fn duplicate_record(&self) -> Option<DuplicateRecord> {
        if self.code != ErrorCode::DuplicateData {
            return None;
        }
        let dup = self.details.get("duplicate_record")?;
        let id = match dup.get("id")? {
            Value::String(s) if !s.is_empty() => s.clone(),
            Value::Number(n) => n.to_string(),
            _ => return None,
        };
        let module = dup
            .get("module")
            .and_then(|m| m.get("api_name"))
            .and_then(Value::as_str)
            .map(str::to_owned);
        Some(DuplicateRecord { id, module })
    }
}

/// The existing record a `DUPLICATE_DATA` answer names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateRecord {
    pub id: String,
    /// The module's API name, when Zoho gives it.
    pub module: Option<String>,
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (HTTP {}): {}", self.code, self.status, self.message)?;
        if let Some(field) = self.api_name() {
            write!(f, " [field {field}]")?;
        }
        let missing = self.permissions();
        if !missing.is_empty() {
            write!(f, " [permissions {}]", missing.join(", "))?;
        }
        Ok(())
    }
}

/// So a CRM error can keep Zoho's answer as its source.
impl std::error::Error for ApiError {}

/// Errors of the OAuth token endpoint and the consent redirect.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OAuthError {
    /// The user refused consent (`error=access_denied` on the redirect).
    #[error("the user denied access")]
    AccessDenied,
    /// The redirect carried another `error` value.
    #[error("authorization failed: {0}")]
    Authorization(String),
    /// The redirect lacks a required parameter.
    #[error("redirect is missing `{0}`")]
    MissingParameter(&'static str),
    /// The CSRF `state` is missing, forged, bound to another session or expired.
    #[error("invalid OAuth state: {0}")]
    InvalidState(&'static str),
    /// The redirect named an accounts server that is not in the data-centre table.
    #[error("unknown accounts server {0}")]
    UnknownAccountsServer(String),
    /// `{"error":"invalid_code"}`: bad, used or expired grant code or refresh token.
    #[error("invalid_code: grant or refresh token is invalid, used or expired")]
    InvalidCode,
    /// `{"error":"invalid_client"}`: wrong client id/secret or wrong data centre.
    #[error("invalid_client: wrong client credentials or data centre")]
    InvalidClient,
    /// Token-endpoint throttling ("Access Denied", too many token requests).
    #[error("token endpoint throttled the request: {0}")]
    Throttled(String),
    /// Any other `{"error": ...}` value.
    #[error("token endpoint error: {0}")]
    Other(String),
}

impl OAuthError {
    /// Maps the token endpoint's `error` string.
    pub fn from_token_error(error: &str) -> Self {
        match error {
            "invalid_code" => Self::InvalidCode,
            "invalid_client" => Self::InvalidClient,
            e if e.to_ascii_lowercase().contains("access denied") => Self::Throttled(e.to_owned()),
            e => Self::Other(e.to_owned()),
        }
    }

    /// Whether this error means the stored grant can never work again: only
    /// `invalid_code` (revoked, expired or wrong refresh token) and
    /// `invalid_client`. An error string we do not know may be passing trouble
    /// at Zoho, so it is retried rather than shown as "reconnect needed".
    pub fn needs_reconnect(&self) -> bool {
        matches!(self, Self::InvalidCode | Self::InvalidClient)
    }

    /// Whether the same token request may succeed later.
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::Throttled(_) | Self::Other(_))
    }
}

/// Everything that can go wrong talking to Zoho.
#[derive(Debug, thiserror::Error)]
pub enum ZohoError {
    /// A request-level error object from Zoho.
    #[error("Zoho API error {0}")]
    Api(ApiError),
    /// OAuth token endpoint or consent redirect problem.
    #[error(transparent)]
    OAuth(#[from] OAuthError),
    /// The refresh token is revoked/invalid: an admin must connect Zoho again.
    #[error("Zoho connection must be re-authorized: {reason}")]
    ReconnectNeeded { reason: String },
    /// Network trouble before a complete response arrived.
    #[error("transport error: {0}")]
    Transport(#[source] reqwest::Error),
    /// The request did not finish within the configured timeout.
    #[error("request to Zoho timed out")]
    Timeout,
    /// A response this client cannot take as success: empty or non-JSON body,
    /// wrong shape, unexpected status, wrong number of per-record results.
    #[error("unexpected response (HTTP {status}): {detail}")]
    UnexpectedResponse {
        status: u16,
        #[source]
        detail: ringbridge_core::cause::Cause,
    },
    /// The caller asked for something the API cannot express (limits, bad characters).
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// The local 24-hour credit budget would be exceeded by this call.
    #[error("API credit budget exhausted: {used} of {budget} used in the last 24 h")]
    CreditBudgetExhausted { used: u64, budget: u64 },
}

impl ZohoError {
    /// Whether retrying the same request later may succeed.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Api(e) => e.code.is_retryable() || e.status == 429 || e.status >= 500,
            Self::OAuth(e) => e.is_retryable(),
            Self::Transport(_) | Self::Timeout => true,
            Self::UnexpectedResponse { status, .. } => *status == 429 || *status >= 500,
            Self::CreditBudgetExhausted { .. } => true,
            Self::ReconnectNeeded { .. } | Self::InvalidInput(_) => false,
        }
    }

    /// Whether an administrator has to authorize the connection again.
    pub fn needs_reconnect(&self) -> bool {
        match self {
            Self::ReconnectNeeded { .. } => true,
            Self::Api(e) => e.code == ErrorCode::OauthScopeMismatch,
            _ => false,
        }
    }

    /// The Zoho error code, when the error came from Zoho.
    pub fn code(&self) -> Option<&ErrorCode> {
        match self {
            Self::Api(e) => Some(&e.code),
            _ => None,
        }
    }

    pub(crate) fn unexpected(status: u16, detail: impl Into<String>) -> Self {
        Self::UnexpectedResponse {
            status,
            detail: detail.into().into(),
        }
    }

    /// An answer that did not decode: `what` was being read, `err` why not
    /// (kept as the source).
    pub(crate) fn undecodable(
        status: u16,
        what: impl Into<String>,
        err: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        Self::UnexpectedResponse {
            status,
            detail: ringbridge_core::cause::Cause::with_context(what, err),
        }
    }

    pub(crate) fn from_reqwest(e: reqwest::Error) -> Self {
        if e.is_timeout() {
            Self::Timeout
        } else {
            Self::Transport(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn codes_round_trip() {
        for c in [
            "INVALID_TOKEN",
            "OAUTH_SCOPE_MISMATCH",
            "MANDATORY_NOT_FOUND",
            "PBX_NOT_INTEGRATED",
            "DIFFERENT_PROVIDER_ALREADY_ENABLED",
            "SOMETHING_NEW",
        ] {
            assert_eq!(ErrorCode::parse(c).as_str(), c);
        }
        assert_eq!(
            ErrorCode::parse("SOMETHING_NEW"),
            ErrorCode::Other("SOMETHING_NEW".into())
        );
    }

    #[test]
    fn api_error_from_body() {
        let v = json!({"code":"MANDATORY_NOT_FOUND","details":{"api_name":"Last_Name","json_path":"$.data[0].Last_Name"},"message":"required field not found","status":"error"});
        let e = ApiError::from_value(400, &v).expect("error object");
        assert_eq!(e.code, ErrorCode::MandatoryNotFound);
        assert_eq!(e.api_name(), Some("Last_Name"));
        assert!(ApiError::from_value(200, &json!({"data": []})).is_none());
    }

    #[test]
    fn known_codes_round_trip_and_unknown_ones_are_kept() {
        for code in [
            "INVALID_TOKEN",
            "MANDATORY_NOT_FOUND",
            "LIMIT_EXCEEDED",
            "INVALID_ALIAS",
            "RECORD_LOCKED",
            "PBX_NOT_INTEGRATED",
        ] {
            let parsed = ErrorCode::parse(code);
            assert!(!matches!(parsed, ErrorCode::Other(_)), "{code}");
            assert_eq!(parsed.as_str(), code);
        }
        assert_eq!(
            ErrorCode::parse("SOMETHING_NEW"),
            ErrorCode::Other("SOMETHING_NEW".into())
        );
    }

    #[test]
    fn retryability() {
        let api = |status, code: &str| {
            ZohoError::Api(ApiError {
                status,
                code: ErrorCode::parse(code),
                message: String::new(),
                details: Value::Null,
            })
        };
        assert!(api(429, "TOO_MANY_REQUESTS").is_retryable());
        assert!(api(500, "INTERNAL_ERROR").is_retryable());
        assert!(!api(400, "INVALID_DATA").is_retryable());
        assert!(!api(401, "OAUTH_SCOPE_MISMATCH").is_retryable());
        assert!(api(401, "OAUTH_SCOPE_MISMATCH").needs_reconnect());
        assert!(ZohoError::Timeout.is_retryable());
        assert!(!ZohoError::ReconnectNeeded { reason: "x".into() }.is_retryable());
        assert!(ZohoError::OAuth(OAuthError::from_token_error("Access Denied")).is_retryable());
        assert!(OAuthError::from_token_error("invalid_code").needs_reconnect());
        assert!(!OAuthError::from_token_error("Access Denied").needs_reconnect());
        let other = OAuthError::from_token_error("general_error");
        assert!(other.is_retryable() && !other.needs_reconnect());
        assert!(ZohoError::OAuth(other).is_retryable());
        assert!(!ZohoError::OAuth(OAuthError::InvalidClient).is_retryable());
    }
}
