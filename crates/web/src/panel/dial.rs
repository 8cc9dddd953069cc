//! Click-to-call: `POST /api/dial` with `{"number": "..."}`. The PBX rings
//! the signed-in agent's extension first, then the number. Reached from
//! the panel (session + CSRF header) and the browser extension (token).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::{Refusal, agent_extension, engine, refusal};
use crate::AppState;
use crate::auth::CurrentUser;

/// Longer strings are not phone numbers.
const MAX_DIGITS: usize = 32;

#[derive(Debug, Deserialize)]
pub struct DialRequest {
    pub number: String,
}

/// The number as the PBX dials it: digits, with a leading `+` kept, and
/// the spaces, dashes, dots and brackets people (and CRM pages) write
/// removed. `None` when anything else is in it, or it is not 2..=32 digits.
pub fn clean_number(text: &str) -> Option<String> {
    let text = text.trim();
    let text = text.strip_prefix("tel:").unwrap_or(text);
    let (plus, rest) = match text.strip_prefix('+') {
        Some(rest) => ("+", rest),
        None => ("", text),
    };
    let mut digits = String::with_capacity(rest.len());
    for c in rest.chars() {
        match c {
            '0'..='9' => digits.push(c),
            ' ' | '-' | '.' | '(' | ')' | '\u{a0}' => {}
            _ => return None,
        }
    }
    (2..=MAX_DIGITS)
        .contains(&digits.len())
        .then(|| format!("{plus}{digits}"))
}

pub async fn dial(
    user: CurrentUser,
    State(state): State<AppState>,
    Json(request): Json<DialRequest>,
) -> Result<Response, Refusal> {
    let ctx = engine(&state)?;
    let extension = agent_extension(&user)?;
    let Some(number) = clean_number(&request.number) else {
        return Err(refusal(
            StatusCode::UNPROCESSABLE_ENTITY,
            "bad_number",
            "That is not a phone number.",
        ));
    };
    match ctx.pbx.dial(&extension, &number).await {
        Ok(call_id) => {
            tracing::info!(username = %user.account.username, %extension, %call_id, "click-to-call");
            Ok((
                StatusCode::ACCEPTED,
                Json(serde_json::json!({
                    "call_id": call_id.as_str(),
                    "extension": extension,
                    "number": number,
                })),
            )
                .into_response())
        }
        Err(err) => {
            tracing::warn!(%extension, error = %err, "click-to-call failed");
            Err(refusal(
                StatusCode::BAD_GATEWAY,
                "dial_failed",
                &err.to_string(),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_cleaned_as_people_write_them() {
        assert_eq!(
            clean_number("+1 (415) 555-0123").as_deref(),
            Some("+14155550123")
        );
        assert_eq!(
            clean_number("tel:+44.20.7946.0018").as_deref(),
            Some("+442079460018")
        );
        assert_eq!(clean_number(" 1005 ").as_deref(), Some("1005"));
        assert_eq!(clean_number("5"), None);
        assert_eq!(clean_number("555-CALL-NOW"), None);
        assert_eq!(clean_number("1005;drop"), None);
        assert_eq!(clean_number(&"9".repeat(33)), None);
        assert_eq!(clean_number("+"), None);
    }
}
