//! The small page shown instead of a recording: why it cannot be played
//! and what to do. Everything put into it is escaped.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use ringbridge_core::recording::CapabilityError;

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

    fn text(&self) -> (&'static str, String) {
        const ASK: &str = "Ask your ringbridge administrator for a new link.";
        match self {
            Self::Link(CapabilityError::Malformed) => (
                "This is not a valid recording link",
                format!("The link may have been cut off when it was copied. {ASK}"),
            ),
            Self::Link(CapabilityError::BadSignature) => (
                "This recording link has been altered",
                format!("ringbridge did not issue this link as it is, so it will not play. {ASK}"),
            ),
            Self::Link(CapabilityError::UnknownKey(_)) => (
                "This recording link is no longer accepted",
                format!("It was signed with a key this server has retired. {ASK}"),
            ),
            Self::Link(CapabilityError::Expired(at)) => (
                "This recording link has expired",
                format!(
                    "It was valid until {} UTC. {ASK}",
                    at.format("%Y-%m-%d %H:%M")
                ),
            ),
            Self::Revoked => (
                "This recording link has been revoked",
                format!("An administrator withdrew access to this recording. {ASK}"),
            ),
            Self::NoRecording => (
                "No recording for this call",
                "ringbridge has no recording for this call.".to_owned(),
            ),
            Self::GoneFromPbx => (
                "The recording is no longer on the phone system",
                "The phone system no longer has this recording; it may have been deleted \
                 or archived."
                    .to_owned(),
            ),
            Self::PbxUnreachable => (
                "The phone system cannot be reached",
                "ringbridge could not fetch the recording from the phone system. \
                 Try again in a few minutes."
                    .to_owned(),
            ),
            Self::Unavailable => (
                "Recordings are unavailable right now",
                "ringbridge cannot check this link at the moment. Try again in a few minutes."
                    .to_owned(),
            ),
            Self::Disabled => (
                "Recording links are turned off",
                format!("An administrator turned recording links off. {ASK}"),
            ),
            Self::SignInRequired => (
                "Sign in to play this recording",
                "Your administrator requires you to be signed in to ringbridge. \
                 Sign in, then open this link again."
                    .to_owned(),
            ),
        }
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let (title, message) = self.text();
        let mut response = (self.status(), page(title, &message)).into_response();
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
        response
    }
}

fn page(title: &str, message: &str) -> Html<String> {
    let (title, message) = (escape(title), escape(message));
    Html(format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} · ringbridge</title>\
         <style>body{{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:4rem auto;\
         padding:0 1rem;color:#222}}h1{{font-size:1.3rem}}p.by{{color:#777;font-size:.85rem}}</style>\
         </head><body><h1>{title}</h1><p>{message}</p><p class=\"by\">ringbridge</p></body></html>\n"
    ))
}

/// HTML text escaping (also safe inside quoted attributes).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
        let Html(body) = page("<b>", "x & y");
        assert!(
            body.contains("<h1>&lt;b&gt;</h1>") && body.contains("x &amp; y"),
            "{body}"
        );
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
