//! `webhook/query`, `webhook/update`, `webhook/test` (docs/yeastar-api.md §4.2).

use std::time::Duration;

use rand::Rng;
use rand::distr::Alphanumeric;
use serde::Deserialize;
use serde_json::json;

use super::Ctx;
use crate::codes::{ApiError, ApiResult, Reply};
use crate::config::WebhookTarget;
use crate::events::ids::WEBHOOK_CAPABLE;
use crate::webhook_push::send_once;

/// At most this many webhooks.
pub const MAX_WEBHOOKS: usize = 5;

/// `GET webhook/query`.
pub fn query(ctx: &Ctx) -> ApiResult {
    let w = ctx.shared.lock().webhooks.clone();
    Ok(Reply::ok().with(
        "data",
        json!({
            "enb_webhook_event_push": u8::from(w.enabled),
            "webhook_event_push_list": w.targets,
            "webhook_event_push_timeout": w.timeout_secs,
            "webhook_event_push_retry_count": w.retry_count,
            "webhook_event_ids": WEBHOOK_CAPABLE,
        }),
    ))
}

#[derive(Deserialize)]
struct TargetIn {
    url: String,
    #[serde(default)]
    secret: String,
    request_method: String,
    event_ids: Vec<u32>,
}

#[derive(Deserialize)]
struct Update {
    enb_webhook_event_push: Option<u8>,
    webhook_event_push_list: Option<Vec<TargetIn>>,
    webhook_event_push_timeout: Option<u64>,
    webhook_event_push_retry_count: Option<u32>,
}

fn valid_url(u: &str) -> bool {
    reqwest::Url::parse(u).is_ok_and(|u| matches!(u.scheme(), "http" | "https"))
}

fn valid_method(m: &str) -> bool {
    m == "GET" || m == "POST"
}

fn new_secret() -> String {
    rand::rng()
        .sample_iter(&Alphanumeric)
        .take(32)
        .map(char::from)
        .collect()
}

/// `POST webhook/update`: replaces the list (≤ 5; the errcode beyond is unconfirmed, 60002).
pub fn update(ctx: &Ctx) -> ApiResult {
    let body: Update = ctx.json()?;
    if body
        .webhook_event_push_timeout
        .is_some_and(|t| !(3..=10).contains(&t))
        || body
            .webhook_event_push_retry_count
            .is_some_and(|r| !(1..=5).contains(&r))
        || body.enb_webhook_event_push.is_some_and(|e| e > 1)
    {
        return Err(ApiError::ParameterError);
    }
    let targets = match body.webhook_event_push_list {
        None => None,
        Some(list) => {
            if list.len() > MAX_WEBHOOKS {
                return Err(ApiError::MaxLimitation);
            }
            let mut out = Vec::new();
            for t in list {
                let ids_ok = !t.event_ids.is_empty()
                    && t.event_ids
                        .iter()
                        .all(|i| *i == 0 || WEBHOOK_CAPABLE.contains(i));
                if !valid_url(&t.url) || !valid_method(&t.request_method) || !ids_ok {
                    return Err(ApiError::ParameterError);
                }
                out.push(WebhookTarget {
                    url: t.url,
                    secret: if t.secret.is_empty() {
                        new_secret()
                    } else {
                        t.secret
                    },
                    request_method: t.request_method,
                    event_ids: t.event_ids,
                });
            }
            Some(out)
        }
    };
    let mut st = ctx.shared.lock();
    if let Some(t) = targets {
        st.webhooks.targets = t;
    }
    if let Some(t) = body.webhook_event_push_timeout {
        st.webhooks.timeout_secs = t;
    }
    if let Some(r) = body.webhook_event_push_retry_count {
        st.webhooks.retry_count = r;
    }
    if let Some(e) = body.enb_webhook_event_push {
        st.webhooks.enabled = e == 1;
    }
    Ok(Reply::ok())
}

/// `GET webhook/test?url=&secret=&request_method=`: one signed test message; SUCCESS when the
/// target answers 2xx, else FAILURE. The test message's shape is undocumented (unconfirmed).
pub async fn test(ctx: &Ctx) -> ApiResult {
    let url = ctx.q("url").ok_or(ApiError::ParameterError)?.to_owned();
    let method = ctx.q("request_method").unwrap_or("POST").to_owned();
    if !valid_url(&url) || !valid_method(&method) {
        return Err(ApiError::ParameterError);
    }
    let target = WebhookTarget {
        url,
        secret: ctx.q("secret").unwrap_or_default().to_owned(),
        request_method: method,
        event_ids: vec![0],
    };
    let body = json!({
        "type": 0,
        "sn": ctx.shared.settings.serial,
        "msg": "{\"message\":\"This is a test message\"}",
    })
    .to_string();
    let timeout = Duration::from_secs(ctx.shared.lock().webhooks.timeout_secs);
    match send_once(&ctx.shared, &target, &body, timeout, 1).await {
        Some(s) if (200..300).contains(&s) => Ok(Reply::ok()),
        _ => Err(ApiError::Failure),
    }
}
