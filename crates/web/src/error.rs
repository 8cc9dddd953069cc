//! The one place page and API errors become HTTP. A handler (or the CSRF
//! check, or an extractor) answers with a bare status marked with an
//! [`ErrorKind`]; the pages' outer layer (`pages::layers::finish`) turns the mark
//! into a page in the reader's language, or JSON on `/api/*`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use ringbridge_core::accounts::AccountError;
use ringbridge_core::store::StoreError;

use crate::auth::PasswordError;

/// What went wrong, as the person asking sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    BadRequest,
    /// No valid session or token (API only: pages redirect to sign-in).
    Unauthorized,
    /// Signed in, but not allowed.
    Forbidden,
    /// The CSRF token is missing or wrong.
    Csrf,
    NotFound,
    TooManyRequests,
    Internal,
}

impl ErrorKind {
    pub const ALL: [ErrorKind; 7] = [
        Self::BadRequest,
        Self::Unauthorized,
        Self::Forbidden,
        Self::Csrf,
        Self::NotFound,
        Self::TooManyRequests,
        Self::Internal,
    ];

    pub fn status(self) -> StatusCode {
        match self {
            Self::BadRequest => StatusCode::BAD_REQUEST,
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::Forbidden | Self::Csrf => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// A stable code for API clients.
    pub fn code(self) -> &'static str {
        match self {
            Self::BadRequest => "bad_request",
            Self::Unauthorized => "unauthorized",
            Self::Forbidden => "forbidden",
            Self::Csrf => "csrf",
            Self::NotFound => "not_found",
            Self::TooManyRequests => "too_many_requests",
            Self::Internal => "internal",
        }
    }

    /// The Fluent message explaining it.
    pub fn message_id(self) -> &'static str {
        match self {
            Self::BadRequest => "error-bad-request",
            Self::Unauthorized => "error-unauthorized",
            Self::Forbidden => "error-forbidden",
            Self::Csrf => "error-csrf",
            Self::NotFound => "error-not-found",
            Self::TooManyRequests => "error-too-many",
            Self::Internal => "error-internal",
        }
    }
}

impl IntoResponse for ErrorKind {
    fn into_response(self) -> Response {
        let mut response = self.status().into_response();
        response.extensions_mut().insert(self);
        response
    }
}

/// A handler's failure.
#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Password(#[from] PasswordError),
    #[error("cannot render a page: {0}")]
    Render(#[from] askama::Error),
    #[error("cannot build a response header")]
    Header,
    /// A refusal with nothing to log.
    #[error("{0:?}")]
    Refused(ErrorKind),
}

impl From<AccountError> for WebError {
    fn from(err: AccountError) -> Self {
        match err {
            AccountError::Store(e) => Self::Store(e),
            // Callers that can say something better match it first.
            AccountError::UsernameTaken(_) => Self::Refused(ErrorKind::BadRequest),
        }
    }
}

impl From<ErrorKind> for WebError {
    fn from(kind: ErrorKind) -> Self {
        Self::Refused(kind)
    }
}

impl WebError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::Refused(kind) => *kind,
            Self::Password(PasswordError::Busy) => ErrorKind::TooManyRequests,
            _ => ErrorKind::Internal,
        }
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let kind = self.kind();
        if kind == ErrorKind::Internal {
            tracing::error!(error = %self, "request failed");
        }
        let mut response = kind.into_response();
        if kind == ErrorKind::TooManyRequests {
            // Hashing slots free up within a second or two.
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from_static("1"),
            );
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    #[test]
    fn every_error_is_explained_in_every_language() {
        for kind in ErrorKind::ALL {
            for lang in Lang::ALL {
                assert!(lang.has(kind.message_id()), "{lang:?} lacks {kind:?}");
            }
        }
    }

    #[test]
    fn internal_errors_hide_their_detail() {
        let err = WebError::Store(StoreError::Database("password=hunter2".into()));
        let response = err.into_response();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(
            response.extensions().get::<ErrorKind>(),
            Some(&ErrorKind::Internal)
        );
    }
}
