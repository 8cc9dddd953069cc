//! `GET /crm/v8/org`.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{Datelike, TimeZone, Utc};
use serde_json::{Value, json};

use super::json;
use crate::config::Edition;
use crate::error::ApiError;
use crate::state::Shared;
use crate::store::Store;
use crate::store::render::format_in_tz;

/// The org with every key spec `org.json` `Org` marks required.
pub fn org_json(store: &Store, edition: Edition, now: chrono::DateTime<Utc>) -> Value {
    let o = &store.org;
    let tz = store.tz();
    let primary = store.primary_user();
    let expiry = Utc
        .with_ymd_and_hms(now.year() + 1, 1, 31, 0, 0, 0)
        .single()
        .unwrap_or(now);
    let paid = edition != Edition::Free;
    json!({
        "id": o.id, "company_name": o.company_name, "primary_email": o.primary_email,
        "primary_zuid": primary.map(|u| u.zuid.clone()),
        "time_zone": tz.name(), "country": o.country, "country_code": o.country_code,
        "currency": o.currency, "iso_code": o.iso_code, "currency_symbol": o.currency_symbol,
        "currency_locale": "en_US", "mc_status": false, "phone": o.phone, "mobile": Value::Null,
        "fax": Value::Null, "street": Value::Null, "city": Value::Null, "state": Value::Null,
        "zip": Value::Null, "description": Value::Null, "alias": Value::Null,
        "photo_id": Value::Null, "zia_portal_id": Value::Null,
        "website": "zylker.example", "employee_count": "10", "domain_name": format!("org{}", o.id),
        "gapps_enabled": false, "translation_enabled": false, "privacy_settings": false,
        "hipaa_compliance_enabled": false, "lite_users_enabled": false, "deletable_org_account": false,
        "oauth_presence": true, "max_per_page": 200, "call_icon": "default",
        "zgid": o.id, "ezgid": o.id, "zia_zgid": 0,
        "type": "Production",
        "created_time": format_in_tz(o.created_time, tz),
        "hierarchy_preferences": {"type": "Role_Hierarchy", "strictly_reporting": false},
        "checkin_preferences": {"restricted_event_types": Value::Null},
        "license_details": {
            "paid": paid, "paid_type": edition.paid_type(),
            "paid_expiry": if paid { json!(format_in_tz(expiry, tz)) } else { Value::Null },
            "users_license_purchased": o.users_license_purchased,
            "trial_type": Value::Null, "trial_expiry": Value::Null, "trial_action": Value::Null,
        },
    })
}

pub async fn org(State(shared): State<Arc<Shared>>) -> Result<Response, ApiError> {
    let now = shared.clock.now();
    let inner = shared.lock();
    let body = json!({"org": [org_json(&inner.store, inner.settings.edition, now)]});
    Ok(json(StatusCode::OK, body))
}
