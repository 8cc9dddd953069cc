//! PhoneBridge v3 under `/phonebridge/v3/`: integrate, users, click-to-dial and call-control
//! registration, call notifications (which log Calls records) and the simulator's own calls
//! to the PBX side.

pub mod notify;
pub mod outbound;
pub mod params;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use axum::Extension;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::api::{json, no_content, query};
use crate::auth::AuthCtx;
use crate::config::Edition;
use crate::error::ApiError;
use crate::state::{Inner, Shared};
pub use params::NameValue;

/// A call-control action and the registration parameter holding its URI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CallControlAction {
    Answer,
    Hangup,
    Mute,
    Unmute,
    Hold,
    Unhold,
    Keypress,
}

impl CallControlAction {
    pub const ALL: [Self; 7] = [
        Self::Answer,
        Self::Hangup,
        Self::Mute,
        Self::Unmute,
        Self::Hold,
        Self::Unhold,
        Self::Keypress,
    ];

    pub fn param(self) -> &'static str {
        match self {
            Self::Answer => "answeruri",
            Self::Hangup => "hungupuri",
            Self::Mute => "muteuri",
            Self::Unmute => "unmuteuri",
            Self::Hold => "holduri",
            Self::Unhold => "unholduri",
            Self::Keypress => "keypressuri",
        }
    }
}

/// What `POST /clicktodial` registered for a user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClickToDialReg {
    pub uri: String,
    pub authorization: Option<NameValue>,
    pub params: Vec<NameValue>,
}

/// What `POST /callcontrol` registered for a user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallControlReg {
    pub uris: BTreeMap<CallControlAction, String>,
    pub authorization: Option<NameValue>,
    pub params: Vec<NameValue>,
}

/// A received `callnotify` (or `clicktodialerror`), with the simulator's answer.
#[derive(Debug, Clone)]
pub struct Notification {
    pub at: DateTime<Utc>,
    /// `callnotify` or `clicktodialerror`.
    pub endpoint: &'static str,
    pub params: HashMap<String, String>,
    pub status: u16,
    pub error_code: Option<String>,
    /// The Calls record created from a terminal notification.
    pub call_id: Option<String>,
}

impl Notification {
    pub fn param(&self, k: &str) -> Option<&str> {
        self.params.get(k).map(String::as_str)
    }
}

/// A request the simulator made to the PBX side.
#[derive(Debug, Clone)]
pub struct OutboundCall {
    pub url: String,
    pub form: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    pub status: Option<u16>,
}

#[derive(Debug, Default)]
pub struct PbState {
    pub integrated: bool,
    pub clicktodial: BTreeMap<String, ClickToDialReg>,
    pub callcontrol: BTreeMap<String, CallControlReg>,
    pub notifications: Vec<Notification>,
    pub outbound: Vec<OutboundCall>,
}

pub fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route(
            "/phonebridge/v3/integrate",
            post(integrate).delete(disintegrate),
        )
        .route("/phonebridge/v3/users", get(users))
        .route(
            "/phonebridge/v3/clicktodial",
            post(clicktodial).delete(unregister_clicktodial),
        )
        .route(
            "/phonebridge/v3/callcontrol",
            post(callcontrol).delete(unregister_callcontrol),
        )
        .route("/phonebridge/v3/callnotify", post(notify::callnotify))
        .route(
            "/phonebridge/v3/clicktodialerror",
            post(notify::clicktodialerror),
        )
}

pub fn success() -> Response {
    json(
        StatusCode::OK,
        json!({"status": "success", "code": "SUCCESS"}),
    )
}

/// `PBX_NOT_INTEGRATED` (body from the v2 docs; status 400 unconfirmed).
pub fn not_integrated() -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "PBX_NOT_INTEGRATED",
        "PBX Integration is not enabled",
        json!({}),
    )
}

/// v2-style `{"param": name}` details (the v3 shape is unconfirmed).
pub fn missing(param: &str) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "REQUIRED_PARAM_MISSING",
        "One of the expected parameter is missing",
        json!({"param": param}),
    )
}

pub fn invalid_param(param: &str) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "INVALID_DATA",
        "invalid data",
        json!({"param": param}),
    )
}

pub fn invalid_user() -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "INVALID_USER",
        "invalid user",
        json!({}),
    )
}

/// Query and form body merged; blank values count as absent.
pub fn form(raw: Option<&str>, body: &[u8]) -> HashMap<String, String> {
    crate::oauth::routes::params(raw, body)
        .into_iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .collect()
}

/// The `zohouser` (default: the token's user), which must be an active CRM user.
pub fn zohouser(
    inner: &Inner,
    p: &HashMap<String, String>,
    auth: &AuthCtx,
) -> Result<String, ApiError> {
    let id = p
        .get("zohouser")
        .cloned()
        .unwrap_or_else(|| auth.user_id.clone());
    match inner.store.user(&id) {
        Some(u) if u.active => Ok(id),
        _ => Err(invalid_user()),
    }
}

fn http_url(s: &str) -> bool {
    url::Url::parse(s).is_ok_and(|u| matches!(u.scheme(), "http" | "https"))
}

/// Free editions have no PhoneBridge unless configured otherwise (unconfirmed, see
/// `SimConfig::phonebridge_on_free`).
async fn integrate(State(shared): State<Arc<Shared>>) -> Result<Response, ApiError> {
    let mut inner = shared.lock();
    if inner.settings.edition == Edition::Free && !shared.config.phonebridge_on_free {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "NO_PERMISSION",
            "permission denied",
            // Every NO_PERMISSION names what is missing (spec `common.json`
            // `PermissionError`); the name of PhoneBridge's permission is unconfirmed.
            json!({"permissions": ["PhoneBridge"]}),
        ));
    }
    inner.pb.integrated = true;
    Ok(success())
}

async fn disintegrate(State(shared): State<Arc<Shared>>) -> Result<Response, ApiError> {
    let mut inner = shared.lock();
    inner.pb.integrated = false;
    inner.pb.clicktodial.clear();
    inner.pb.callcontrol.clear();
    Ok(success())
}

async fn users(
    State(shared): State<Arc<Shared>>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let q = query(raw.as_deref());
    let num = |k: &str, d: usize| match q.get(k) {
        None => Ok(d),
        Some(v) => v
            .parse::<usize>()
            .ok()
            .filter(|n| *n >= 1)
            .ok_or_else(|| invalid_param(k)),
    };
    let (page, per_page) = (num("page", 1)?, num("perPage", 200)?);
    if per_page > 1_000 {
        return Err(invalid_param("perPage"));
    }
    let inner = shared.lock();
    if !inner.pb.integrated {
        return Err(not_integrated());
    }
    let active: Vec<Value> = inner
        .store
        .users
        .iter()
        .filter(|u| u.active)
        .map(|u| json!({"zohouser": u.id, "email": u.email, "username": u.full_name()}))
        .collect();
    let page_items: Vec<Value> = active
        .iter()
        .skip((page - 1) * per_page)
        .take(per_page)
        .cloned()
        .collect();
    if page_items.is_empty() {
        return Ok(no_content());
    }
    let last = active.len().div_ceil(per_page).max(1);
    let uri = |p: usize| {
        format!(
            "{}/phonebridge/v3/users?page={p}&perPage={per_page}",
            shared.api_url
        )
    };
    Ok(json(
        StatusCode::OK,
        json!({
            "navigation": {"firstPage": {"uri": uri(1)}, "lastPage": {"uri": uri(last)}},
            "users": page_items,
            "paging": {"perPage": per_page, "page": page},
        }),
    ))
}

fn auth_and_params(
    p: &HashMap<String, String>,
    list_key: &str,
) -> Result<(Option<NameValue>, Vec<NameValue>), ApiError> {
    let auth = match p.get("authorizationparam") {
        Some(s) => {
            Some(params::parse_object(s).ok_or_else(|| invalid_param("authorizationparam"))?)
        }
        None => None,
    };
    let list = match p.get(list_key) {
        Some(s) => params::parse_array(s).ok_or_else(|| invalid_param(list_key))?,
        None => Vec::new(),
    };
    Ok((auth, list))
}

async fn clicktodial(
    State(shared): State<Arc<Shared>>,
    Extension(auth): Extension<AuthCtx>,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> Result<Response, ApiError> {
    let p = form(raw.as_deref(), &body);
    let mut inner = shared.lock();
    if !inner.pb.integrated {
        return Err(not_integrated());
    }
    let uri = p
        .get("clicktodialuri")
        .ok_or_else(|| missing("clicktodialuri"))?;
    if !http_url(uri) {
        return Err(invalid_param("clicktodialuri"));
    }
    let user = zohouser(&inner, &p, &auth)?;
    let (authorization, params) = auth_and_params(&p, "clicktodialparam")?;
    inner.pb.clicktodial.insert(
        user,
        ClickToDialReg {
            uri: uri.clone(),
            authorization,
            params,
        },
    );
    Ok(success())
}

async fn unregister_clicktodial(
    State(shared): State<Arc<Shared>>,
    Extension(auth): Extension<AuthCtx>,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> Result<Response, ApiError> {
    let p = form(raw.as_deref(), &body);
    let mut inner = shared.lock();
    if !inner.pb.integrated {
        return Err(not_integrated());
    }
    let user = zohouser(&inner, &p, &auth)?;
    inner.pb.clicktodial.remove(&user);
    Ok(success())
}

/// At least one `*uri` is required (guess: registering nothing makes no sense).
async fn callcontrol(
    State(shared): State<Arc<Shared>>,
    Extension(auth): Extension<AuthCtx>,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> Result<Response, ApiError> {
    let p = form(raw.as_deref(), &body);
    let mut inner = shared.lock();
    if !inner.pb.integrated {
        return Err(not_integrated());
    }
    let mut uris = BTreeMap::new();
    for action in CallControlAction::ALL {
        if let Some(u) = p.get(action.param()) {
            if !http_url(u) {
                return Err(invalid_param(action.param()));
            }
            uris.insert(action, u.clone());
        }
    }
    if uris.is_empty() {
        return Err(missing("answeruri"));
    }
    let user = zohouser(&inner, &p, &auth)?;
    let (authorization, params) = auth_and_params(&p, "callcontrolparam")?;
    inner.pb.callcontrol.insert(
        user,
        CallControlReg {
            uris,
            authorization,
            params,
        },
    );
    Ok(success())
}

async fn unregister_callcontrol(
    State(shared): State<Arc<Shared>>,
    Extension(auth): Extension<AuthCtx>,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> Result<Response, ApiError> {
    let p = form(raw.as_deref(), &body);
    let mut inner = shared.lock();
    if !inner.pb.integrated {
        return Err(not_integrated());
    }
    let user = zohouser(&inner, &p, &auth)?;
    inner.pb.callcontrol.remove(&user);
    Ok(success())
}
