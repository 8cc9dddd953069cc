//! Connecting the PBX: its address and OpenAPI client, tested before they
//! are stored ("test connection" shows the model, firmware and extension
//! count).

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use ringbridge_core::console::PbxConnection;
use secrecy::SecretString;
use serde::Deserialize;

use super::{Nav, PbxInfo, apply, console, explain};
use crate::AppState;
use crate::auth::RequireAdmin;
use crate::error::WebError;
use crate::pages::PageCtx;

#[derive(Template)]
#[template(path = "console_pbx.html")]
struct PbxPage<'a> {
    ctx: &'a PageCtx,
    nav: Nav,
    form: &'a PbxForm,
    /// A client secret is stored (the field may stay empty to keep it).
    has_secret: bool,
    info: Option<PbxInfo>,
    saved: bool,
    errors: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct PbxForm {
    #[serde(default)]
    base_url: String,
    #[serde(default)]
    client_id: String,
    #[serde(default)]
    client_secret: String,
    #[serde(default)]
    accept_invalid_certs: Option<String>,
    /// `test` only tests; anything else tests and stores.
    #[serde(default)]
    action: String,
}

impl PbxForm {
    fn insecure(&self) -> bool {
        self.accept_invalid_certs.is_some()
    }
}

/// `http(s)://host[:port]`, nothing a header or a log could be fooled by.
fn base_url(text: &str) -> Result<String, &'static str> {
    let text = text.trim().trim_end_matches('/');
    let rest = text
        .strip_prefix("https://")
        .or_else(|| text.strip_prefix("http://"));
    match rest {
        Some(host)
            if !host.is_empty() && !host.chars().any(|c| c.is_whitespace() || c.is_control()) =>
        {
            Ok(text.to_owned())
        }
        _ => Err("console-pbx-bad-url"),
    }
}

pub async fn show(
    _admin: RequireAdmin,
    ctx: PageCtx,
    State(state): State<AppState>,
) -> Result<Response, WebError> {
    let console = console(&state)?;
    let stored = console.store.console().await?.pbx;
    let form = PbxForm {
        base_url: stored
            .as_ref()
            .map(|p| p.base_url.clone())
            .unwrap_or_default(),
        client_id: stored
            .as_ref()
            .map(|p| p.client_id.clone())
            .unwrap_or_default(),
        accept_invalid_certs: stored
            .as_ref()
            .filter(|p| p.accept_invalid_certs)
            .map(|_| "on".to_owned()),
        ..PbxForm::default()
    };
    let page = PbxPage {
        ctx: &ctx,
        nav: Nav("/console/pbx"),
        form: &form,
        has_secret: stored.is_some(),
        info: None,
        saved: false,
        errors: Vec::new(),
    };
    ctx.render(StatusCode::OK, &page)
}

pub async fn submit(
    RequireAdmin(admin): RequireAdmin,
    ctx: PageCtx,
    State(state): State<AppState>,
    Form(form): Form<PbxForm>,
) -> Result<Response, WebError> {
    let console = console(&state)?;
    let stored = console.store.console().await?.pbx;
    let render = |status, info, saved, errors| {
        ctx.render(
            status,
            &PbxPage {
                ctx: &ctx,
                nav: Nav("/console/pbx"),
                form: &form,
                has_secret: stored.is_some(),
                info,
                saved,
                errors,
            },
        )
    };
    let mut problems = Vec::new();
    let url = base_url(&form.base_url).map_err(|e| problems.push(e)).ok();
    let client_id = form.client_id.trim();
    if client_id.is_empty() || client_id.len() > 200 {
        problems.push("console-pbx-bad-client-id");
    }
    // An empty secret keeps the stored one.
    let secret = match (form.client_secret.trim(), &stored) {
        ("", Some(p)) => Some(p.client_secret.clone()),
        ("", None) => {
            problems.push("console-pbx-need-secret");
            None
        }
        (s, _) => Some(SecretString::from(s.to_owned())),
    };
    let (Some(base_url), Some(client_secret), true) = (url, secret, problems.is_empty()) else {
        let errors = problems.into_iter().map(|id| ctx.t(id)).collect();
        return render(StatusCode::UNPROCESSABLE_ENTITY, None, false, errors);
    };
    let pbx = PbxConnection {
        base_url,
        client_id: client_id.to_owned(),
        client_secret,
        accept_invalid_certs: form.insecure(),
    };
    let info = match console.backend.test_pbx(&pbx).await {
        Ok(info) => info,
        Err(err) => {
            let errors = vec![explain(&ctx, &err)];
            return render(StatusCode::UNPROCESSABLE_ENTITY, None, false, errors);
        }
    };
    let save = form.action != "test";
    if save {
        console.store.put_pbx(&pbx).await?;
        tracing::info!(by = %admin.account.username, base_url = %pbx.base_url, "PBX connection stored");
        apply(console).await;
    }
    render(StatusCode::OK, Some(info), save, Vec::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_are_http_and_plain() {
        assert_eq!(
            base_url(" https://pbx.test:8088/ ").unwrap(),
            "https://pbx.test:8088"
        );
        assert!(base_url("http://127.0.0.1:1").is_ok());
        for bad in [
            "",
            "pbx.test",
            "ftp://pbx",
            "https://",
            "https://a b",
            "javascript:alert(1)",
        ] {
            assert!(base_url(bad).is_err(), "{bad:?}");
        }
    }
}
