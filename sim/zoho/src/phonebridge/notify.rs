//! `POST /callnotify` and `POST /clicktodialerror`. Every request is recorded with the
//! simulator's answer; a terminal notification logs a Calls record the way Zoho is described to
//! (docs/zoho-phonebridge.md §6) — the field mapping below is our guess where that page says
//! "unconfirmed".

use std::collections::HashMap;
use std::sync::Arc;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDateTime, Utc};
use serde_json::{Map, Value, json};

use super::{Notification, form, invalid_param, invalid_user, missing, not_integrated, success};
use crate::auth::AuthCtx;
use crate::config::{PhoneBridgeStrictness, PhoneMatchMode};
use crate::error::ApiError;
use crate::state::{Inner, Shared};
use crate::store::fields::phone_fields;
use crate::store::module::Module;
use crate::store::phone::phone_matches;
use crate::store::validate::{canonical_utc, format_duration};
use crate::store::{Store, WriteCtx};

const UNATTENDED: [&str; 6] = [
    "busy",
    "invalid",
    "blocked",
    "notavailable",
    "noanswer",
    "rejected",
];

fn is_terminal(ty: &str, state: &str) -> bool {
    state == "ended"
        || (ty == "received" && state == "missed")
        || (ty == "dialed" && UNATTENDED.contains(&state))
}

/// `yyyy-MM-dd HH:mm:ss`, GMT.
fn parse_start(s: &str) -> Option<DateTime<Utc>> {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S")
        .ok()
        .map(|n| n.and_utc())
}

struct Checked {
    user: String,
    terminal: Option<(DateTime<Utc>, u64)>,
}

fn check(inner: &Inner, p: &HashMap<String, String>, auth: &AuthCtx) -> Result<Checked, ApiError> {
    if !inner.pb.integrated {
        return Err(not_integrated());
    }
    for k in ["type", "state", "id", "from", "to"] {
        if !p.contains_key(k) {
            return Err(missing(k));
        }
    }
    let (ty, state) = (p["type"].as_str(), p["state"].as_str());
    let valid = match ty {
        "received" => ["ringing", "answered", "ended", "missed"].contains(&state),
        "dialed" => {
            ["ringing", "answered", "ended"].contains(&state) || UNATTENDED.contains(&state)
        }
        _ => return Err(invalid_param("type")),
    };
    if !valid {
        return Err(invalid_param("state"));
    }
    // One provider (Vobiz) reports the live API rejecting these states with 400.
    let disputed = state == "missed" || UNATTENDED.contains(&state);
    if disputed && inner.settings.strictness == PhoneBridgeStrictness::ObservedLive {
        return Err(invalid_param("state"));
    }
    let terminal = if is_terminal(ty, state) {
        let raw = p.get("start_time").ok_or_else(|| missing("start_time"))?;
        let start = parse_start(raw).ok_or_else(|| invalid_param("start_time"))?;
        let duration = match p.get("duration") {
            Some(d) => d
                .trim()
                .parse::<u64>()
                .map_err(|_| invalid_param("duration"))?,
            None => 0,
        };
        Some((start, duration))
    } else {
        None
    };
    if let Some(v) = p.get("voiceuri")
        && !url::Url::parse(v).is_ok_and(|u| matches!(u.scheme(), "http" | "https"))
    {
        return Err(invalid_param("voiceuri"));
    }
    let user = p
        .get("zohouser")
        .cloned()
        .unwrap_or_else(|| auth.user_id.clone());
    // Pop-ups and logging only work for users registered through /clicktodial
    // (docs/zoho-phonebridge.md §7).
    if !inner.pb.clicktodial.contains_key(&user)
        || inner.store.user(&user).is_none_or(|u| !u.active)
    {
        return Err(invalid_user());
    }
    Ok(Checked { user, terminal })
}

/// First Contact, then Lead, with a phone field matching `number`.
fn match_caller(store: &Store, mode: PhoneMatchMode, number: &str) -> Option<(Module, String)> {
    [Module::Contacts, Module::Leads].into_iter().find_map(|m| {
        store
            .records(m)
            .find(|r| {
                phone_fields(m).any(|f| {
                    r.get(f.api_name)
                        .and_then(Value::as_str)
                        .is_some_and(|v| phone_matches(mode, v, number))
                })
            })
            .and_then(|r| r["id"].as_str().map(|id| (m, id.to_owned())))
    })
}

fn clip(s: &str) -> String {
    s.chars().take(30).collect()
}

/// Builds and stores the Calls record. Guesses: inbound `ended` with duration 0 is Missed;
/// unattended outbound states are Outbound calls without duration, with a Call_Result; a
/// Contact match goes to `Who_Id`, a Lead match to `What_Id` + `$se_module`; the recording
/// link points at the simulator (Zoho copies `voiceuri` to its own host).
fn log_call(
    shared: &Shared,
    inner: &mut Inner,
    p: &HashMap<String, String>,
    user: &str,
    start: DateTime<Utc>,
    secs: u64,
    n: usize,
) -> String {
    let (ty, state) = (p["type"].as_str(), p["state"].as_str());
    let (from, to) = (p["from"].as_str(), p["to"].as_str());
    let customer = if ty == "received" { from } else { to };
    let (call_type, result) = match (ty, state) {
        ("received", "ended") if secs > 0 => ("Inbound", None),
        ("received", _) => ("Missed", None),
        ("dialed", "ended") if secs > 0 => ("Outbound", None),
        ("dialed", "invalid" | "blocked") => ("Outbound", Some("Invalid number")),
        _ => ("Outbound", Some("No response/Busy")),
    };
    let subject = match call_type {
        "Inbound" => format!("Incoming call from {customer}"),
        "Missed" => format!("Missed call from {customer}"),
        _ => format!("Outgoing call to {customer}"),
    };
    let mut rec = Map::new();
    rec.insert("Owner".into(), json!({"id": user}));
    rec.insert("Subject".into(), json!(subject));
    rec.insert("Call_Type".into(), json!(call_type));
    rec.insert("Call_Start_Time".into(), json!(canonical_utc(start)));
    if secs > 0 && call_type != "Missed" {
        rec.insert("Call_Duration".into(), json!(format_duration(secs)));
    }
    if let Some(r) = result {
        rec.insert("Call_Result".into(), json!(r));
    }
    match match_caller(&inner.store, inner.settings.phone_match, customer) {
        Some((Module::Contacts, id)) => {
            rec.insert("Who_Id".into(), json!({"id": id}));
        }
        Some((m, id)) => {
            rec.insert("What_Id".into(), json!({"id": id}));
            rec.insert("$se_module".into(), json!(m.api_name()));
        }
        None => {}
    }
    rec.insert("Caller_ID".into(), json!(clip(from)));
    rec.insert("Dialled_Number".into(), json!(clip(to)));
    if p.contains_key("voiceuri") {
        rec.insert(
            "Voice_Recording__s".into(),
            json!(format!(
                "{}/_sim/phonebridge/recordings/{n}",
                shared.api_url
            )),
        );
    }
    rec.insert(
        "Description".into(),
        json!(format!("PhoneBridge call {} ({ty}/{state})", p["id"])),
    );
    rec.insert("CTI_Entry".into(), json!(true));
    let ctx = WriteCtx {
        user_id: user.to_owned(),
        now: shared.clock.now(),
    };
    inner.store.insert_clean(Module::Calls, rec, &ctx)
}

pub async fn callnotify(
    State(shared): State<Arc<Shared>>,
    Extension(auth): Extension<AuthCtx>,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> Response {
    let p = form(raw.as_deref(), &body);
    let mut inner = shared.lock();
    let n = inner.pb.notifications.len();
    let outcome = check(&inner, &p, &auth);
    let call_id = match &outcome {
        Ok(Checked {
            user,
            terminal: Some((start, secs)),
        }) => Some(log_call(&shared, &mut inner, &p, user, *start, *secs, n)),
        _ => None,
    };
    record(
        &mut inner,
        &shared,
        "callnotify",
        p,
        &outcome.as_ref().map(|_| ()),
        call_id,
    );
    match outcome {
        Ok(_) => success(),
        Err(e) => e.into_response(),
    }
}

fn record(
    inner: &mut Inner,
    shared: &Shared,
    endpoint: &'static str,
    params: HashMap<String, String>,
    outcome: &Result<(), &ApiError>,
    call_id: Option<String>,
) {
    inner.pb.notifications.push(Notification {
        at: shared.clock.now(),
        endpoint,
        params,
        status: outcome
            .as_ref()
            .map_or_else(|e| e.status.as_u16(), |()| 200),
        error_code: outcome.as_ref().err().map(|e| e.code.clone()),
        call_id,
    });
}

/// Dial failure report: `code`, `from`, `to` required; `code` from the documented list.
pub async fn clicktodialerror(
    State(shared): State<Arc<Shared>>,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> Response {
    let p = form(raw.as_deref(), &body);
    let mut inner = shared.lock();
    let outcome = (|| {
        if !inner.pb.integrated {
            return Err(not_integrated());
        }
        for k in ["code", "from", "to"] {
            if !p.contains_key(k) {
                return Err(missing(k));
            }
        }
        if !UNATTENDED.contains(&p["code"].as_str()) {
            return Err(invalid_param("code"));
        }
        Ok(())
    })();
    record(
        &mut inner,
        &shared,
        "clicktodialerror",
        p,
        &outcome.as_ref().map(|_| ()),
        None,
    );
    match outcome {
        Ok(()) => success(),
        Err(e) => e.into_response(),
    }
}
