//! `extension/list|search|get|query|update` (docs/yeastar-api.md §11).

use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::Ctx;
use crate::codes::{ApiError, ApiResult, Reply};
use crate::events::{Event, ids};
use crate::sample::Extension;

const SORTABLE: &[&str] = &[
    "id",
    "number",
    "caller_id_name",
    "email_addr",
    "mobile_number",
    "presence_status",
];

const PRESENCE: &[&str] = &[
    "available",
    "away",
    "business_trip",
    "do_not_disturb",
    "lunch",
    "off_work",
];

fn client(on: bool, dev: &str) -> Value {
    if on {
        json!({"status": 1, "ext_dev_type": dev})
    } else {
        json!({"status": 0})
    }
}

/// `Ext_Basicinfo`: `email_addr` / `mobile_number` absent when empty.
pub fn row(e: &Extension) -> Value {
    let mut m = Map::new();
    m.insert("id".into(), e.id.into());
    m.insert("number".into(), e.number.clone().into());
    m.insert("caller_id_name".into(), e.display_name().into());
    if !e.email_addr.is_empty() {
        m.insert("email_addr".into(), e.email_addr.clone().into());
    }
    if !e.mobile_number.is_empty() {
        m.insert("mobile_number".into(), e.mobile_number.clone().into());
    }
    m.insert("role_name".into(), e.role_name.clone().into());
    m.insert("presence_status".into(), e.presence_status.clone().into());
    m.insert("timezone".into(), e.timezone.clone().into());
    m.insert(
        "online_status".into(),
        json!({
            "sip_phone": client(e.online.sip_phone, "sipphone"),
            "linkus_desktop": client(e.online.linkus_desktop, "linkusdesktop"),
            "linkus_mobile": client(e.online.linkus_mobile, "linkusmobile"),
            "linkus_web": client(e.online.linkus_web, "linkusweb"),
        }),
    );
    Value::Object(m)
}

/// `GET extension/list`.
pub fn list(ctx: &Ctx) -> ApiResult {
    let paging = ctx.paging(SORTABLE)?;
    let rows = ctx.shared.lock().extensions.iter().map(row).collect();
    Ok(paging.reply(rows, str::to_owned))
}

/// `GET extension/search?search_value=`: substring of number, name or e-mail.
pub fn search(ctx: &Ctx) -> ApiResult {
    let paging = ctx.paging(SORTABLE)?;
    let needle = ctx.q("search_value").unwrap_or_default().to_lowercase();
    let rows = ctx
        .shared
        .lock()
        .extensions
        .iter()
        .filter(|e| {
            [&e.number, &e.caller_id_name, &e.email_addr]
                .iter()
                .any(|f| f.to_lowercase().contains(&needle))
        })
        .map(row)
        .collect();
    Ok(paging.reply(rows, str::to_owned))
}

/// `GET extension/get?id=`.
pub fn get(ctx: &Ctx) -> ApiResult {
    let id = ctx.q_id("id")?;
    let st = ctx.shared.lock();
    let e = st
        .extensions
        .iter()
        .find(|e| u64::from(e.id) == id)
        .ok_or(ApiError::DataNotFound)?;
    Ok(Reply::ok().with("data", row(e)))
}

/// `GET extension/query?id=1,2,3` (several ids; unknown ids are skipped).
pub fn query(ctx: &Ctx) -> ApiResult {
    let raw = ctx
        .q("id")
        .or_else(|| ctx.q("ids"))
        .ok_or(ApiError::ParameterError)?;
    let ids: Vec<u64> = raw
        .split(',')
        .map(|s| s.trim().parse().map_err(|_| ApiError::ParameterError))
        .collect::<Result<_, _>>()?;
    let st = ctx.shared.lock();
    let rows: Vec<Value> = st
        .extensions
        .iter()
        .filter(|e| ids.contains(&u64::from(e.id)))
        .map(row)
        .collect();
    Ok(Reply::ok()
        .with("total_number", rows.len())
        .with("data", Value::Array(rows)))
}

#[derive(Deserialize)]
struct Update {
    id: u64,
    presence_status: Option<String>,
}

/// `POST extension/update` (presence only): emits 30009.
pub fn update(ctx: &Ctx) -> ApiResult {
    let body: Update = ctx.json()?;
    let mut st = ctx.shared.lock();
    let e = st
        .extensions
        .iter_mut()
        .find(|e| u64::from(e.id) == body.id)
        .ok_or(ApiError::DataNotFound)?;
    if let Some(p) = body.presence_status {
        if !PRESENCE.contains(&p.as_str()) {
            return Err(ApiError::ParameterError);
        }
        if e.presence_status != p {
            e.presence_status.clone_from(&p);
            let ev = Event::new(
                ids::EXTENSION_PRESENCE,
                json!({"extension": e.number, "status": p}),
            );
            ctx.shared.bus.publish(ev);
        }
    }
    Ok(Reply::ok())
}
