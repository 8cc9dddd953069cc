//! `GET /panel`: the agent panel's page, and its script and stylesheet.
//!
//! The page is a shell; `panel.js` fills it from the API. The script's
//! words come from the page itself (a hidden list of translated
//! messages), so the panel speaks the language the page was served in.

use std::sync::LazyLock;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use ringbridge_core::visibility::VisibilityError;

use super::settings::PopSettings;
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{ErrorKind, WebError};
use crate::pages::PageCtx;
use crate::pages::assets::{hashed, immutable};

const JS: &str = include_str!("../../static/panel.js");
/// The pop rule, one file for the panel and the browser extension: the
/// extension must carry its own code, so the file lives there and is
/// embedded here.
const POP_JS: &str = include_str!("../../../../extension/pop-rules.js");
const RECENT_JS: &str = include_str!("../../static/panel-recent.js");
const CSS: &str = include_str!("../../static/panel.css");

/// Messages the script shows, looked up in the page's language.
pub const SCRIPT_MESSAGES: &[&str] = &[
    "panel-state-ringing",
    "panel-state-talking",
    "panel-state-ended",
    "panel-answered-elsewhere",
    "panel-unknown",
    "panel-open-in-zoho",
    "panel-choose-record",
    "panel-module-Contacts",
    "panel-module-Leads",
    "panel-module-Accounts",
    "panel-module-Deals",
    "panel-create-contact",
    "panel-create-lead",
    "panel-popup-blocked",
    "panel-notify-title",
    "panel-dial-started",
    "panel-dial-failed",
    "panel-created",
    "panel-existed",
    "panel-create-failed",
    "panel-link-when_logged",
    "panel-link-queued",
    "panel-link-updated",
    "panel-link-not_logged",
    "panel-link-log_failed",
    "panel-link-busy",
    "panel-log-queued",
    "panel-log-written",
    "panel-log-failed",
    "panel-log-not_logged",
    "panel-direction-inbound",
    "panel-direction-outbound",
    "panel-direction-internal",
    "panel-missed",
    "panel-play",
    "panel-now-playing",
    "panel-no-calls",
    "panel-no-recent",
    "panel-saved",
    "panel-call-this",
    "panel-record-hidden",
    "panel-no-crm-details",
    "panel-add-note",
    "panel-note-saved",
    "panel-note-busy",
    "panel-note-failed",
    "panel-note-error-not_your_call",
    "panel-note-error-note_empty",
    "panel-note-error-note_too_long",
    "panel-note-error-bad_result",
    "panel-not-linked",
];

static JS_FILE: LazyLock<String> = LazyLock::new(|| hashed("panel", "js", JS));
static POP_JS_FILE: LazyLock<String> = LazyLock::new(|| hashed("pop-rules", "js", POP_JS));
static RECENT_JS_FILE: LazyLock<String> = LazyLock::new(|| hashed("panel-recent", "js", RECENT_JS));
static CSS_FILE: LazyLock<String> = LazyLock::new(|| hashed("panel", "css", CSS));

#[derive(Template)]
#[template(path = "panel.html")]
struct PanelPage<'a> {
    ctx: &'a PageCtx,
    extension: Option<&'a str>,
    pops: PopSettings,
    messages: Vec<(&'static str, String)>,
    live: bool,
    /// PhoneBridge mode: Zoho pops the calls; the panel opens no tabs.
    zoho_pops: bool,
    /// The agent's own Zoho grant is needed but revoked or expired: the
    /// "No CRM details" banner shows from the start, not after a pop.
    no_grant: bool,
}

impl PanelPage<'_> {
    fn js_url(&self) -> String {
        format!("/static/panel/{}", *JS_FILE)
    }

    fn pop_js_url(&self) -> String {
        format!("/static/panel/{}", *POP_JS_FILE)
    }

    fn recent_js_url(&self) -> String {
        format!("/static/panel/{}", *RECENT_JS_FILE)
    }

    fn panel_css_url(&self) -> String {
        format!("/static/panel/{}", *CSS_FILE)
    }
}

pub async fn show(
    user: CurrentUser,
    ctx: PageCtx,
    State(state): State<AppState>,
) -> Result<Response, WebError> {
    let pops = PopSettings::load(state.store.as_ref(), user.account.id).await?;
    let messages = SCRIPT_MESSAGES.iter().map(|id| (*id, ctx.t(id))).collect();
    let no_grant = match &state.engine {
        Some(engine) => matches!(
            engine
                .crm_for(user.account.profile.crm_user_id.as_deref())
                .await,
            Err(VisibilityError::NoGrant)
        ),
        None => false,
    };
    ctx.render(
        StatusCode::OK,
        &PanelPage {
            ctx: &ctx,
            extension: user.account.profile.extension.as_deref(),
            pops,
            messages,
            live: state.live.is_some(),
            zoho_pops: super::settings::zoho_pops(&state),
            no_grant,
        },
    )
}

pub async fn asset(Path(file): Path<String>) -> Response {
    let (body, kind) = if file == *JS_FILE {
        (JS, "text/javascript; charset=utf-8")
    } else if file == *POP_JS_FILE {
        (POP_JS, "text/javascript; charset=utf-8")
    } else if file == *RECENT_JS_FILE {
        (RECENT_JS, "text/javascript; charset=utf-8")
    } else if file == *CSS_FILE {
        (CSS, "text/css; charset=utf-8")
    } else {
        return ErrorKind::NotFound.into_response();
    };
    immutable(body, kind)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    #[test]
    fn every_script_message_is_translated() {
        for id in SCRIPT_MESSAGES {
            for lang in Lang::ALL {
                assert!(lang.has(id), "{lang:?} lacks {id}");
            }
        }
    }

    #[test]
    fn asset_names_carry_their_hash() {
        assert!(JS_FILE.starts_with("panel.") && JS_FILE.ends_with(".js"));
        assert_ne!(hashed("panel", "js", "a"), hashed("panel", "js", "b"));
    }
}
