//! Errors: the PBX's own `errcode`s ([`ApiError`]) and everything that can go
//! wrong around them ([`YeastarError`]), with one mapping into core's
//! [`PbxError`] classification.

use std::fmt;

use ringbridge_core::cause::Cause;
use ringbridge_core::pbx::PbxError;

/// What the PBX said besides the code: its `errmsg`, and the fields its
/// answer names (`invalid_param_list`, `submsg`, `duplicate_field_list`), so
/// a person is told *which* field was refused.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ErrorDetail {
    /// `errmsg`.
    pub message: String,
    /// The parameters the PBX refused (`invalid_param_list[].field`).
    pub invalid_fields: Vec<String>,
    /// `submsg`, the PBX's further explanation (e.g. on `40003`).
    pub submsg: Option<String>,
    /// `duplicate_field_list`: the fields whose values already exist.
    pub duplicate_fields: Vec<String>,
}

impl From<String> for ErrorDetail {
    fn from(message: String) -> Self {
        Self {
            message,
            ..Self::default()
        }
    }
}

impl From<&str> for ErrorDetail {
    fn from(message: &str) -> Self {
        message.to_owned().into()
    }
}

impl fmt::Display for ErrorDetail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if !self.invalid_fields.is_empty() {
            write!(f, "; refused: {}", self.invalid_fields.join(", "))?;
        }
        if let Some(submsg) = &self.submsg {
            write!(f, "; {submsg}")?;
        }
        if !self.duplicate_fields.is_empty() {
            write!(f, "; already exists: {}", self.duplicate_fields.join(", "))?;
        }
        Ok(())
    }
}

/// Declares [`ApiError`] from the vendor's code table so the code, the
/// variant and the documented name cannot drift apart.
macro_rules! api_errors {
    ($( $(#[$doc:meta])* $variant:ident = $code:literal, $name:literal; )*) => {
        /// A non-zero `errcode` from the PBX, with the `errmsg` it sent.
        /// Codes this version does not know land in [`ApiError::Other`].
        #[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
        pub enum ApiError {
            $(
                $(#[$doc])*
                #[error("{code} {name} ({0})", code = $code, name = $name)]
                $variant(ErrorDetail),
            )*
            /// Any code not in the vendor's table (as of this version).
            #[error("{code} ({detail})")]
            Other { code: i64, detail: ErrorDetail },
        }

        impl ApiError {
            /// Builds the typed error for a wire `errcode` / `errmsg` pair.
            pub fn from_code(code: i64, message: impl Into<String>) -> Self {
                Self::from_detail(code, ErrorDetail::from(message.into()))
            }

            /// Builds the typed error for a wire `errcode` and everything
            /// the answer said about it.
            pub fn from_detail(code: i64, detail: ErrorDetail) -> Self {
                match code {
                    $( $code => Self::$variant(detail), )*
                    _ => Self::Other { code, detail },
                }
            }

            /// The `errmsg` and the fields the PBX named.
            pub fn detail(&self) -> &ErrorDetail {
                match self {
                    $( Self::$variant(d) => d, )*
                    Self::Other { detail, .. } => detail,
                }
            }

            /// The wire `errcode`.
            pub fn code(&self) -> i64 {
                match self {
                    $( Self::$variant(_) => $code, )*
                    Self::Other { code, .. } => *code,
                }
            }

            /// The wire `errmsg`.
            pub fn message(&self) -> &str {
                &self.detail().message
            }
        }
    };
}

api_errors! {
    /// `-2`: also answers malformed requests.
    InternalServerError = -2, "INTERNAL SERVER ERROR";
    Failure = -1, "FAILURE";
    PartialSuccess = 1, "PARTIAL SUCCESS";
    Processing = 2, "PROCESSING";
    /// Unknown endpoint, or not in this API version.
    InterfaceNotExisted = 10001, "INTERFACE NOT EXISTED";
    ApiVersionOutOfMaintenance = 10002, "API VERSION OUT OF MAINTENANCE";
    ApiVersionUnsupported = 10003, "API VERSION UNSUPPORTED";
    /// The access token expired: renew it and retry once.
    TokenExpired = 10004, "TOKEN EXPIRED";
    /// On `get_token`: wrong credentials (unconfirmed) or missing User-Agent.
    AccessDenied = 10005, "ACCESS DENIED";
    /// Feature off or no permission (newer firmware).
    OperationFailed = 10009, "OPERATION FAILED";
    ParameterSyntaxError = 40001, "PARAMETER SYNTAX ERROR";
    ParameterError = 40002, "PARAMETER ERROR";
    DuplicateKeyValue = 40003, "DUPLICATE KEY VALUE";
    FileSizeExceeded = 40004, "FILE SIZE EXCEEDED";
    DataNotFound = 60001, "DATA NOT FOUND";
    /// A creation cap was reached.
    MaxLimitationExceeded = 60002, "MAX LIMITATION EXCEEDED";
    RoleNotExisted = 60101, "ROLE NOT EXISTED";
    /// Too many failed logins from this IP: an admin must unblock it.
    AccountIpBlocked = 70004, "ACCOUNT IP BLOCKED";
    OverloadTaskRunning = 70082, "OVERLOAD_TASK_RUNNING";
    ActionForbidden = 70084, "ACTION FORBIDDEN";
    /// This IP is outside the API allow-list.
    IpForbidden = 70087, "IP FORBIDDEN";
    /// Still referenced, e.g. a contact in a phonebook.
    ConnectionRelationExisted = 70091, "CONNECTION_RELATION_EXISTED";
    PhonebookNotExisted = 70093, "PHONEBOOK_NOT_EXISTED";
    RateNotExisted = 70106, "RATE_NOT_EXISTED";
    OrganizationDisabled = 70120, "ORGANIZATION DISABLED";
    ApiUnavailable = 70123, "API UNAVAILABLE";
    ContactsNotExisted = 70128, "CONTACTS_NOT_EXISTED";
    /// Bad `channel_id` (the vendor spells it "CAHNNEL").
    ChannelIdNotFound = 70130, "CHANNEL ID NOT FOUND";
    OperationNotSupported = 70132, "OPERATION NOT SUPPORTED";
    MaxParticipantsExceeded = 70510, "MAX PARTICIPANTS EXCEEDED";
    TrunkNotAvailable = 70514, "TRUNK NOT AVAILABLE";
    TrunkNotExisted = 70515, "TRUNK NOT EXISTED";
}

impl ApiError {
    /// Codes after which talking to the PBX again only makes things worse
    /// (the IP is blocked or not allowed): stop and alert a person.
    pub fn is_ip_refusal(&self) -> bool {
        matches!(self, Self::AccountIpBlocked(_) | Self::IpForbidden(_))
    }

    /// Codes `get_token` may answer that are not about the credentials,
    /// so asking again later cannot count as another failed login. The
    /// 8-token cap's code is undocumented; `60002` (creation cap) is the
    /// likeliest, and the cap clears by itself as tokens expire.
    pub(crate) fn is_transient_on_login(&self) -> bool {
        matches!(
            self,
            Self::InternalServerError(_)
                | Self::Processing(_)
                | Self::OverloadTaskRunning(_)
                | Self::MaxLimitationExceeded(_)
        )
    }

    /// The classification the engine sees.
    pub fn to_pbx_error(&self) -> PbxError {
        let text = self.to_string();
        match self {
            Self::InternalServerError(_) | Self::TokenExpired(_) => {
                PbxError::Unavailable(Cause::new(self.clone()))
            }
            Self::Processing(_) | Self::OverloadTaskRunning(_) => PbxError::Busy {
                reason: text,
                retry_after: None,
            },
            Self::AccessDenied(_)
            | Self::AccountIpBlocked(_)
            | Self::IpForbidden(_)
            | Self::OrganizationDisabled(_) => PbxError::AccessDenied(text),
            Self::InterfaceNotExisted(_)
            | Self::ApiVersionOutOfMaintenance(_)
            | Self::ApiVersionUnsupported(_)
            | Self::ApiUnavailable(_)
            | Self::OperationNotSupported(_) => PbxError::Unsupported(text),
            Self::DataNotFound(_)
            | Self::PhonebookNotExisted(_)
            | Self::ContactsNotExisted(_)
            | Self::ChannelIdNotFound(_)
            | Self::RoleNotExisted(_)
            | Self::RateNotExisted(_)
            | Self::TrunkNotExisted(_) => PbxError::NotFound(text),
            _ => PbxError::Rejected {
                code: self.code().to_string(),
                message: self.detail().to_string(),
            },
        }
    }
}

/// Everything the Yeastar client can fail with.
#[derive(Debug, thiserror::Error)]
pub enum YeastarError {
    /// The PBX answered with a non-zero `errcode`.
    #[error("PBX error {0}")]
    Api(#[from] ApiError),
    /// The client refused its credentials or its IP was blocked earlier; no
    /// request is sent until [`crate::YeastarClient::reset_access`].
    #[error("PBX access denied, waiting for a person: {0}")]
    AccessDenied(String),
    /// Network fault or timeout (the request URL, which holds the token, is
    /// never part of this message). Shown with its whole chain: `reqwest`'s
    /// own message is vague.
    #[error("cannot reach the PBX: {}", error_chain(.0))]
    Transport(#[source] Cause),
    /// A non-200 HTTP status (API errors come as 200 + `errcode`).
    #[error("PBX answered HTTP {status}")]
    Status { status: u16 },
    /// A body or header we cannot read.
    #[error("unreadable answer from the PBX: {0}")]
    Decode(#[source] Cause),
    /// A request we refuse to send (e.g. an id that is not a number).
    #[error("invalid request: {0}")]
    Invalid(String),
    /// `get_token` refused a new token: the application holds the maximum
    /// of live tokens (8; other processes with the same Client ID, or
    /// leaked ones). Clears as they expire (30 min at most).
    #[error("the PBX's limit of live API tokens is reached ({0})")]
    TokenCap(String),
    /// The client was shut down; its token is revoked.
    #[error("the PBX client was shut down")]
    ShutDown,
    #[error("invalid configuration: {0}")]
    Config(String),
}

impl From<reqwest::Error> for YeastarError {
    fn from(err: reqwest::Error) -> Self {
        // The URL carries `access_token`: never let it into a message.
        let err = err.without_url();
        if let Some(status) = err.status() {
            return Self::Status {
                status: status.as_u16(),
            };
        }
        if err.is_decode() {
            return Self::Decode(Cause::new(err));
        }
        Self::Transport(Cause::new(err))
    }
}

/// `reqwest`'s top-level message is vague ("error sending request"); the
/// sources say what actually happened.
pub fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(inner) = source {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        source = inner.source();
    }
    text
}

impl YeastarError {
    /// True for the 10004 answer that asks for a new token.
    pub fn is_token_expired(&self) -> bool {
        matches!(self, Self::Api(ApiError::TokenExpired(_)))
    }
}

impl From<YeastarError> for PbxError {
    fn from(err: YeastarError) -> Self {
        match &err {
            YeastarError::Api(api) => api.to_pbx_error(),
            YeastarError::AccessDenied(_) => PbxError::AccessDenied(err.to_string()),
            YeastarError::Transport(_) | YeastarError::ShutDown => {
                PbxError::Unavailable(Cause::new(err))
            }
            YeastarError::Status { status } => match status {
                404 | 410 => PbxError::NotFound(err.to_string()),
                429 | 503 => PbxError::Busy {
                    reason: err.to_string(),
                    retry_after: None,
                },
                s if *s >= 500 => PbxError::Unavailable(Cause::new(err)),
                _ => PbxError::Protocol(Cause::new(err)),
            },
            YeastarError::TokenCap(_) => PbxError::Busy {
                reason: err.to_string(),
                retry_after: Some(std::time::Duration::from_secs(60)),
            },
            YeastarError::Decode(_) => PbxError::Protocol(Cause::new(err)),
            YeastarError::Invalid(message) | YeastarError::Config(message) => PbxError::Rejected {
                code: "invalid".to_owned(),
                message: message.clone(),
            },
        }
    }
}

pub type Result<T, E = YeastarError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_codes_round_trip() {
        for code in [
            -2, -1, 1, 2, 10001, 10004, 10005, 60001, 70004, 70087, 70130,
        ] {
            let err = ApiError::from_code(code, "X");
            assert_eq!(err.code(), code);
            assert_eq!(err.message(), "X");
            assert!(!matches!(err, ApiError::Other { .. }), "{code} is known");
        }
    }

    #[test]
    fn unknown_code_is_kept() {
        let err = ApiError::from_code(70516, "WAKE UP CALL SOMETHING");
        assert_eq!(
            err,
            ApiError::Other {
                code: 70516,
                detail: "WAKE UP CALL SOMETHING".into()
            }
        );
        assert_eq!(err.code(), 70516);
        assert!(matches!(err.to_pbx_error(), PbxError::Rejected { code, .. } if code == "70516"));
    }

    #[test]
    fn display_names_the_code() {
        let err = ApiError::from_code(10004, "TOKEN EXPIRED");
        assert_eq!(err.to_string(), "10004 TOKEN EXPIRED (TOKEN EXPIRED)");
    }

    #[test]
    fn classification() {
        let class = |code| ApiError::from_code(code, "m").to_pbx_error();
        assert!(matches!(class(70004), PbxError::AccessDenied(_)));
        assert!(matches!(class(70087), PbxError::AccessDenied(_)));
        assert!(matches!(class(10005), PbxError::AccessDenied(_)));
        assert!(matches!(class(10004), PbxError::Unavailable(_)));
        assert!(matches!(class(-2), PbxError::Unavailable(_)));
        assert!(matches!(class(70082), PbxError::Busy { .. }));
        assert!(matches!(class(70130), PbxError::NotFound(_)));
        assert!(matches!(class(60001), PbxError::NotFound(_)));
        assert!(matches!(class(10001), PbxError::Unsupported(_)));
        assert!(matches!(class(40002), PbxError::Rejected { .. }));
        assert!(ApiError::from_code(70004, "").is_ip_refusal());
        assert!(!ApiError::from_code(10005, "").is_ip_refusal());
    }

    #[test]
    fn client_errors_classify() {
        let pbx: PbxError = YeastarError::AccessDenied("blocked".into()).into();
        assert!(matches!(pbx, PbxError::AccessDenied(_)));
        let pbx: PbxError = YeastarError::Status { status: 404 }.into();
        assert!(matches!(pbx, PbxError::NotFound(_)));
        let pbx: PbxError = YeastarError::Status { status: 502 }.into();
        assert!(pbx.is_retryable());
        let pbx: PbxError = YeastarError::Transport("refused".into()).into();
        assert!(pbx.is_retryable());
        let pbx: PbxError = YeastarError::Decode("x".into()).into();
        assert!(matches!(pbx, PbxError::Protocol(_)));
    }

    #[tokio::test]
    async fn a_connect_error_stays_reachable_below_the_pbx_error() {
        let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!(
            "http://{}/openapi/v1.0/get_token",
            closed.local_addr().expect("addr")
        );
        drop(closed);
        let err = reqwest::Client::new()
            .get(url)
            .send()
            .await
            .expect_err("nothing listens there");
        let pbx = PbxError::from(YeastarError::from(err));
        assert!(matches!(pbx, PbxError::Unavailable(_)), "{pbx:?}");
        assert!(
            pbx.to_string()
                .starts_with("PBX unavailable: cannot reach the PBX: error sending request"),
            "{pbx}"
        );
        let below = Cause::find::<reqwest::Error>(&pbx).expect("the reqwest error in the chain");
        assert!(below.is_connect(), "{below:?}");
        // The URL (it may hold the token) stays out of the kept error too.
        assert!(below.url().is_none());
    }

    #[test]
    fn a_json_decode_error_stays_reachable_below_the_pbx_error() {
        let err = crate::http::decode_body::<serde_json::Value>("extension/list", b"<html>")
            .expect_err("not JSON");
        let pbx = PbxError::from(err);
        assert!(matches!(pbx, PbxError::Protocol(_)), "{pbx:?}");
        assert!(Cause::find::<serde_json::Error>(&pbx).is_some(), "{pbx:?}");
    }
}
