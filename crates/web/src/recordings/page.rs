//! The small page shown instead of a recording: why it cannot be played
//! and what to do, in the reader's language (the catalogues'
//! `recording-*` messages, rendered by an askama template that escapes
//! everything put into it).

use askama::Template;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use ringbridge_core::recording::CapabilityError;

use crate::i18n::{self, Lang};

/// Why a link did not play.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    Link(CapabilityError),
    Revoked,
    /// The call has no recording, or ringbridge no longer knows it.
    NoRecording,
    /// The PBX says the file is gone.
    GoneFromPbx,
    PbxUnreachable,
    /// ringbridge's own storage failed.
    Unavailable,
    /// Sign-in is required and this request has no session.
    SignInRequired,
    /// The administrator turned recording links off.
    Disabled,
}

impl Refusal {
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Link(CapabilityError::Malformed) => StatusCode::NOT_FOUND,
            Self::Link(CapabilityError::BadSignature | CapabilityError::UnknownKey(_)) => {
                StatusCode::FORBIDDEN
            }
            Self::Link(CapabilityError::Expired(_)) | Self::Revoked | Self::Disabled => {
                StatusCode::GONE
            }
            Self::NoRecording | Self::GoneFromPbx => StatusCode::NOT_FOUND,
            Self::PbxUnreachable => StatusCode::BAD_GATEWAY,
            Self::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::SignInRequired => StatusCode::UNAUTHORIZED,
        }
    }

    /// The catalogue ids of the page's title and text, and whether to add
    /// "ask your administrator for a new link".
    fn ids(&self) -> (&'static str, &'static str, bool) {
        match self {
            Self::Link(CapabilityError::Malformed) => (
                "recording-malformed-title",
                "recording-malformed-text",
                true,
            ),
            Self::Link(CapabilityError::BadSignature) => {
                ("recording-altered-title", "recording-altered-text", true)
            }
            Self::Link(CapabilityError::UnknownKey(_)) => {
                ("recording-retired-title", "recording-retired-text", true)
            }
            Self::Link(CapabilityError::Expired(_)) => {
                ("recording-expired-title", "recording-expired-text", true)
            }
            Self::Revoked => ("recording-revoked-title", "recording-revoked-text", true),
            Self::NoRecording => ("recording-none-title", "recording-none-text", false),
            Self::GoneFromPbx => ("recording-gone-title", "recording-gone-text", false),
            Self::PbxUnreachable => ("recording-pbx-down-title", "recording-pbx-down-text", false),
            Self::Unavailable => (
                "recording-unavailable-title",
                "recording-unavailable-text",
                false,
            ),
            Self::Disabled => ("recording-disabled-title", "recording-disabled-text", true),
            Self::SignInRequired => ("recording-sign-in-title", "recording-sign-in-text", false),
        }
    }

    /// The page in `lang` (an askama template: everything in it is escaped).
    pub fn page(&self, lang: Lang) -> Html<String> {
        let (title_id, text_id, ask) = self.ids();
        let message = match self {
            Self::Link(CapabilityError::Expired(at)) => lang.t_args(
                text_id,
                &[("until", &at.format("%Y-%m-%d %H:%M").to_string())],
            ),
            _ => lang.t(text_id),
        };
        let page = RefusedPage {
            lang: lang.tag(),
            title: lang.t(title_id),
            message,
            ask: ask.then(|| lang.t("recording-ask")),
        };
        // A template that cannot render is a bug caught by the tests; the
        // status still tells the reader what happened.
        Html(page.render().unwrap_or_default())
    }
}

#[derive(Template)]
#[template(path = "recording_refused.html")]
struct RefusedPage {
    lang: &'static str,
    title: String,
    message: String,
    ask: Option<String>,
}

impl IntoResponse for Refusal {
    /// In English; [`localize`] re-renders it in the reader's language.
    fn into_response(self) -> Response {
        let mut response = (self.status(), self.page(Lang::En)).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'"),
        );
        headers.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        );
        response.extensions_mut().insert(self);
        response
    }
}

/// Middleware of the recording routes: a refusal page is written in the
/// language the reader's browser (or `?lang=`, or the remembered choice)
/// asks for.
pub async fn localize(request: Request, next: Next) -> Response {
    let lang = i18n::choose(request.uri().query(), request.headers()).lang;
    let mut response = next.run(request).await;
    if lang != Lang::En
        && let Some(refusal) = response.extensions_mut().remove::<Refusal>()
    {
        let (mut parts, _) = response.into_parts();
        parts.headers.remove(header::CONTENT_LENGTH);
        let Html(body) = refusal.page(lang);
        return Response::from_parts(parts, Body::from(body));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_speaks_the_readers_language() {
        let Html(en) = Refusal::Revoked.page(Lang::En);
        assert!(
            en.contains("<h1>This recording link has been revoked</h1>"),
            "{en}"
        );
        assert!(en.contains("<html lang=\"en\">"), "{en}");
        let Html(zh) = Refusal::Revoked.page(Lang::ZhCn);
        assert!(
            zh.contains("此录音链接已被撤销") && zh.contains("lang=\"zh-CN\""),
            "{zh}"
        );
        for lang in Lang::ALL {
            for refusal in [
                Refusal::Link(CapabilityError::Malformed),
                Refusal::Link(CapabilityError::BadSignature),
                Refusal::Link(CapabilityError::UnknownKey("k0".into())),
                Refusal::Link(CapabilityError::Expired(chrono::Utc::now())),
                Refusal::Revoked,
                Refusal::NoRecording,
                Refusal::GoneFromPbx,
                Refusal::PbxUnreachable,
                Refusal::Unavailable,
                Refusal::Disabled,
                Refusal::SignInRequired,
            ] {
                let (title, text, _) = refusal.ids();
                // `has` looks a message up without arguments: the one that
                // needs `$until` is checked through its rendered page.
                let Html(page) = refusal.page(lang);
                assert!(
                    lang.has(title) && (lang.has(text) || page.contains("UTC")),
                    "{lang:?} {refusal:?}: {page}"
                );
            }
        }
    }

    #[test]
    fn statuses_match_the_reason() {
        let cases = [
            (Refusal::Link(CapabilityError::BadSignature), 403),
            (Refusal::Link(CapabilityError::UnknownKey("k0".into())), 403),
            (Refusal::Link(CapabilityError::Malformed), 404),
            (Refusal::Revoked, 410),
            (Refusal::PbxUnreachable, 502),
            (Refusal::SignInRequired, 401),
        ];
        for (refusal, status) in cases {
            assert_eq!(refusal.status().as_u16(), status, "{refusal:?}");
        }
    }
}
