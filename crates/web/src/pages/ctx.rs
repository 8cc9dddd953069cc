//! What every page needs to render: the reader's language, the CSRF token
//! for its forms, and who is signed in — and the helper that renders a
//! template with them.

use askama::Template;
use axum::extract::FromRequestParts;
use axum::http::header::{CONTENT_TYPE, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::Duration;
use ringbridge_core::accounts::{Account, Role};

use super::assets;
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::WebError;
use crate::i18n::{self, LANG_COOKIE, Lang};
use crate::{csrf, session};

/// A remembered language lasts a year.
const LANG_COOKIE_DAYS: i64 = 365;

/// The page context. Extract it after [`CurrentUser`] (if the handler has
/// one) so `user` is filled in.
#[derive(Debug, Clone)]
pub struct PageCtx {
    pub lang: Lang,
    /// The CSRF token for this page's forms (empty on error pages).
    pub csrf: String,
    pub user: Option<Account>,
    /// The confirmation of what the previous request did (a catalogue id,
    /// from `?done=`; see [`super::flash`]).
    pub flash: Option<&'static str>,
    /// Cookies the response must set: the chosen language, the anonymous
    /// CSRF binding.
    cookies: Vec<HeaderValue>,
}

impl PageCtx {
    /// A context with no session work: for error pages.
    pub(crate) fn bare(lang: Lang) -> Self {
        Self {
            lang,
            csrf: String::new(),
            user: None,
            flash: None,
            cookies: Vec::new(),
        }
    }

    /// A message in the page's language.
    pub fn t(&self, id: &str) -> String {
        self.lang.t(id)
    }

    /// A message with one argument.
    pub fn t1(&self, id: &str, name: &'static str, value: &str) -> String {
        self.lang.t_args(id, &[(name, value)])
    }

    /// A role's name in the page's language.
    pub fn role(&self, role: &Role) -> String {
        self.t(match role {
            Role::Admin => "role-admin",
            Role::Agent => "role-agent",
        })
    }

    pub fn languages(&self) -> [Lang; 2] {
        Lang::ALL
    }

    pub fn css_url(&self) -> &'static str {
        assets::css_url()
    }

    /// The console pages' script (a served file: the CSP allows no inline one).
    pub fn console_js_url(&self) -> &'static str {
        assets::console_js_url()
    }

    /// The other pages' script (copy buttons).
    pub fn pages_js_url(&self) -> &'static str {
        assets::pages_js_url()
    }

    /// Renders `page` with `status`, setting the context's cookies. Pages
    /// are personal, so nothing may cache them.
    pub fn render(&self, status: StatusCode, page: &impl Template) -> Result<Response, WebError> {
        let html = page.render()?;
        let mut response = (status, html).into_response();
        let headers = response.headers_mut();
        headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        for cookie in &self.cookies {
            headers.append(SET_COOKIE, cookie.clone());
        }
        Ok(response)
    }
}

impl FromRequestParts<AppState> for PageCtx {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        let chosen = i18n::choose(parts.uri.query(), &parts.headers);
        let token = csrf::for_request(state, &parts.headers).await?;
        let mut cookies = Vec::new();
        if chosen.remember {
            cookies.extend(session::set_cookie(
                &state.web.config,
                LANG_COOKIE,
                chosen.lang.tag(),
                Some(Duration::days(LANG_COOKIE_DAYS)),
            ));
        }
        cookies.extend(token.set_cookie);
        Ok(Self {
            lang: chosen.lang,
            csrf: token.value,
            user: parts
                .extensions
                .get::<CurrentUser>()
                .map(|u| u.account.clone()),
            flash: super::flash::from_query(parts.uri.query()),
            cookies,
        })
    }
}
