//! The Zoho org: data centre, token and scopes, edition, time zone,
//! credits, the Calls fields and Call Result values ringbridge writes,
//! whether Leads and Contacts can be created as configured, and
//! PhoneBridge. Reads only.

use std::collections::BTreeSet;

use ringbridge_core::console::CrmMode;
use ringbridge_core::pbx::Extension;
use ringbridge_core::settings::UnknownNumberAction;
use ringbridge_core::store::Store;
use ringbridge_store::SqlStore;
use ringbridge_zoho::dc::DcTable;
use ringbridge_zoho::oauth::DEFAULT_SCOPES;
use ringbridge_zoho::rest::{Fields, Org, RestClient};
use ringbridge_zoho::{ConnectionOptions, Edition, ErrorCode, ZohoConnection, ZohoError};
use secrecy::{ExposeSecret, SecretString};

use super::DoctorOptions;
use super::probes;
use super::report::{Area, Report, Status};
use crate::config::{Config, ZohoConfig};
use crate::serve::crm::{REFRESH_TOKEN_SECRET, ZohoEndpoints, zoho_connection};
use crate::serve::phonebridge::REGISTRATIONS_SECRET;

/// Requested with the others but not used by ringbridge's own calls.
const NOT_NEEDED: &[&str] = &[
    "ZohoCRM.notifications.ALL",
    // Optional: without it Zoho's own refusal names a layout-mandatory field.
    "ZohoCRM.settings.layouts.READ",
    // Optional: only missed-call follow-ups create Tasks.
    "ZohoCRM.modules.tasks.ALL",
    "ZohoCRM.bulk.READ",
    "PhoneBridge.zohoone.search",
];

/// The Call_Result values ringbridge writes besides the configured ones.
const BUILT_IN_RESULTS: &[&str] = &["No response/Busy", "Invalid number"];

/// The fields ringbridge fills when it creates a Contact or a Lead.
pub(super) const FILLED_ON_CREATE: &[&str] =
    &["Last_Name", "First_Name", "Phone", "Owner", "Company"];

pub(super) struct ZohoSide<'a> {
    pub config: &'a Config,
    pub zoho: &'a ZohoConfig,
    pub store: Option<&'a SqlStore>,
    pub extensions: Option<&'a [Extension]>,
}

impl ZohoSide<'_> {
    pub async fn check(&self, report: &mut Report, options: &DoctorOptions) {
        data_centre(report, self.zoho);
        let Some(conn) = self.connect(report, options).await else {
            return;
        };
        if let Err(err) = conn.tokens().access_token().await {
            let seen = match &err {
                ZohoError::ReconnectNeeded { reason } => format!(
                    "{reason}: the grant is revoked or invalid; connect Zoho again in the console"
                ),
                other => other.to_string(),
            };
            report.push(Area::Zoho, "token", Status::Fail, seen);
            return;
        }
        report.push(
            Area::Zoho,
            "token",
            Status::Ok,
            "the refresh token gave an access token",
        );
        scopes(report, &conn, self.zoho.mode);
        let rest = conn.rest();
        let org = match rest.org().await {
            Ok(org) => org,
            Err(err) => {
                report.push(Area::Zoho, "org", Status::Fail, err.to_string());
                return;
            }
        };
        org_checks(report, self.config, self.zoho.mode, &org);
        match rest.fields("Calls").await {
            Ok(fields) => calls_fields(report, self.config, self.zoho, &fields),
            Err(err) => report.push(Area::Zoho, "calls fields", Status::Fail, err.to_string()),
        }
        for (module, action) in [
            ("Contacts", UnknownNumberAction::CreateContact),
            ("Leads", UnknownNumberAction::CreateLead),
        ] {
            creatable(report, self.config, &rest, module, action).await;
        }
        self.phonebridge(report, &conn).await;
        probes::run(report, &conn, &org, self.zoho.mode, options).await;
    }

    async fn connect(
        &self,
        report: &mut Report,
        options: &DoctorOptions,
    ) -> Option<ZohoConnection> {
        let refresh = match self.refresh_token().await {
            Ok(Some(token)) => token,
            Ok(None) => {
                report.push(
                    Area::Zoho,
                    "token",
                    Status::Fail,
                    "no refresh token: connect Zoho in the admin console (or set zoho.refresh_token_file)",
                );
                return None;
            }
            Err(err) => {
                report.push(Area::Zoho, "token", Status::Fail, format!("{err:#}"));
                return None;
            }
        };
        report.hide(refresh.expose_secret());
        let endpoints = (|| {
            anyhow::Ok(ZohoEndpoints {
                client_id: self.zoho.client_id.clone(),
                client_secret: self.zoho.client_secret()?,
                redirect_uri: self.zoho.redirect_uri.clone(),
                accounts_server: self.zoho.accounts_server.clone(),
                api_domain: self.zoho.api_domain.clone(),
            })
        })();
        match endpoints {
            Ok(endpoints) => Some(zoho_connection(
                endpoints,
                refresh,
                ConnectionOptions {
                    timeout: options.timeout,
                    ..ConnectionOptions::default()
                },
                // A token of its own, not serve's stored one: the refresh
                // answer names the granted scopes.
                None,
            )),
            Err(err) => {
                report.push(Area::Zoho, "token", Status::Fail, format!("{err:#}"));
                None
            }
        }
    }

    async fn refresh_token(&self) -> anyhow::Result<Option<SecretString>> {
        if let Some(token) = self.zoho.refresh_token()? {
            return Ok(Some(token));
        }
        match self.store {
            Some(store) => Ok(store.secret(REFRESH_TOKEN_SECRET).await?),
            None => Ok(None),
        }
    }

    /// The org's integration, and each mapped extension's PhoneBridge user
    /// and registration.
    async fn phonebridge(&self, report: &mut Report, conn: &ZohoConnection) {
        if self.zoho.mode != CrmMode::PhoneBridge {
            report.push(
                Area::Zoho,
                "phonebridge",
                Status::Ok,
                "not used: REST mode (ringbridge writes the call logs)",
            );
            return;
        }
        let users = match conn.phonebridge().all_users().await {
            Ok(users) => users,
            Err(err) => {
                let not_integrated =
                    matches!(&err, ZohoError::Api(api) if api.code == ErrorCode::PbxNotIntegrated);
                let seen = if not_integrated {
                    format!("{err}: serve integrates the org when it starts in PhoneBridge mode")
                } else {
                    err.to_string()
                };
                report.push(Area::Zoho, "phonebridge", Status::Fail, seen);
                return;
            }
        };
        report.push(
            Area::Zoho,
            "phonebridge",
            Status::Ok,
            format!("integrated; {} PhoneBridge users", users.len()),
        );
        let registered = self.registered_users().await;
        let Some(extensions) = self.extensions else {
            report.push(
                Area::Zoho,
                "phonebridge users",
                Status::NotObservable,
                "the PBX's extensions could not be listed",
            );
            return;
        };
        let mut lines = Vec::new();
        let mut status = Status::Ok;
        for ext in extensions {
            let Some(email) = &ext.email else { continue };
            let user = users.iter().find(|u| {
                u.email
                    .as_deref()
                    .is_some_and(|e| e.eq_ignore_ascii_case(email))
            });
            let line = match (user, &registered) {
                (None, _) => {
                    status = Status::Warn;
                    format!("{} {email}: no PhoneBridge user", ext.number)
                }
                (Some(u), Some(ids)) if ids.contains(&u.zohouser) => {
                    format!("{} → {}: registered", ext.number, u.zohouser)
                }
                (Some(u), Some(_)) => {
                    status = Status::Warn;
                    format!("{} → {}: not registered", ext.number, u.zohouser)
                }
                (Some(u), None) => format!("{} → {}", ext.number, u.zohouser),
            };
            lines.push(line);
        }
        let mut seen = lines.join("; ");
        if registered.is_none() {
            seen.push_str(" (registrations are ringbridge's record; its database was not read)");
        }
        report.push(Area::Zoho, "phonebridge users", status, seen);
    }

    /// The Zoho users ringbridge registered, from its own record (Zoho has
    /// no endpoint that lists registrations).
    async fn registered_users(&self) -> Option<BTreeSet<String>> {
        let secret = self.store?.secret(REGISTRATIONS_SECRET).await.ok()?;
        let Some(secret) = secret else {
            return Some(BTreeSet::new());
        };
        let map: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(secret.expose_secret()).ok()?;
        Some(map.keys().cloned().collect())
    }
}

fn data_centre(report: &mut Report, zoho: &ZohoConfig) {
    let table = DcTable::default();
    // As written in the file (a parsed URL ends its bare host with '/').
    let accounts = zoho.accounts_server.as_str().trim_end_matches('/');
    let api = zoho.api_domain.as_str().trim_end_matches('/');
    let seen = match table.trusted_accounts_server(accounts) {
        Ok(dc) => {
            let api_matches = dc.api_domain.as_str().trim_end_matches('/') == api;
            let text = format!("{}: accounts {accounts}, API {api}", dc.location);
            if !api_matches {
                report.push(
                    Area::Zoho,
                    "data centre",
                    Status::Warn,
                    format!(
                        "{text} (the {} API domain is {})",
                        dc.location, dc.api_domain
                    ),
                );
                return;
            }
            text
        }
        Err(_) => format!("custom accounts server {accounts}, API {api}"),
    };
    report.push(Area::Zoho, "data centre", Status::Ok, seen);
}

/// The scopes ringbridge's calls need in `mode`.
fn needed_scopes(mode: CrmMode) -> Vec<&'static str> {
    DEFAULT_SCOPES
        .iter()
        .copied()
        .filter(|s| !NOT_NEEDED.contains(s))
        .filter(|s| mode == CrmMode::PhoneBridge || !s.starts_with("PhoneBridge."))
        .collect()
}

/// Whether granted scope `granted` includes `needed` (`ZohoCRM.modules.ALL`
/// includes `ZohoCRM.modules.calls.ALL`, which includes `…calls.READ`).
fn covers(granted: &str, needed: &str) -> bool {
    let granted: Vec<&str> = granted.split('.').collect();
    let needed: Vec<&str> = needed.split('.').collect();
    if granted.len() > needed.len() {
        return false;
    }
    for (i, part) in granted.iter().enumerate() {
        if i == granted.len() - 1 && part.eq_ignore_ascii_case("ALL") {
            return true;
        }
        if !part.eq_ignore_ascii_case(needed[i]) {
            return false;
        }
    }
    granted.len() == needed.len()
}

fn scopes(report: &mut Report, conn: &ZohoConnection, mode: CrmMode) {
    let granted = conn.tokens().token_set().scopes;
    if granted.is_empty() {
        report.push(
            Area::Zoho,
            "scopes",
            Status::NotObservable,
            "the token answer named no scopes",
        );
        return;
    }
    let needed = needed_scopes(mode);
    let missing: Vec<&str> = needed
        .iter()
        .copied()
        .filter(|n| !granted.iter().any(|g| covers(g, n)))
        .collect();
    if missing.is_empty() {
        report.push(
            Area::Zoho,
            "scopes",
            Status::Ok,
            format!(
                "the {} scopes {} mode needs are granted ({})",
                needed.len(),
                mode.as_str(),
                granted.join(" ")
            ),
        );
    } else {
        report.push(
            Area::Zoho,
            "scopes",
            Status::Fail,
            format!(
                "missing {}; granted: {}. Connect Zoho again in the console to grant them",
                missing.join(", "),
                granted.join(" ")
            ),
        );
    }
}

fn org_checks(report: &mut Report, config: &Config, mode: CrmMode, org: &Org) {
    report.push(
        Area::Zoho,
        "org",
        Status::Ok,
        format!(
            "{} (id {}, {})",
            org.company_name.as_deref().unwrap_or("unnamed"),
            org.id,
            org.org_type.as_deref().unwrap_or("type not given")
        ),
    );
    let edition = org.edition();
    let license = org.license_details.clone().unwrap_or_default();
    let paid_type = if license.paid {
        license.paid_type.clone()
    } else {
        license.trial_type.clone().map(|t| format!("trial {t}"))
    }
    .unwrap_or_else(|| "free".to_owned());
    let named = format!("{edition:?} (license: {paid_type})");
    if mode == CrmMode::PhoneBridge && edition == Edition::Free {
        report.push(
            Area::Zoho,
            "edition",
            Status::Fail,
            format!("{named}: PhoneBridge needs a paid edition; use REST mode or upgrade"),
        );
    } else {
        report.push(Area::Zoho, "edition", Status::Ok, named);
    }
    let pbx_zone = config
        .pbx
        .as_ref()
        .map_or("not configured", |p| p.time_zone.name());
    let (status, seen) = match org.tz() {
        Ok(_) => (
            Status::Ok,
            format!(
                "{} (call start times are written in it; the PBX's: {pbx_zone})",
                org.time_zone
            ),
        ),
        Err(err) => (Status::Fail, err.to_string()),
    };
    report.push(Area::Zoho, "time zone", status, seen);
    let users = license.users_license_purchased.unwrap_or(1);
    report.push(
        Area::Zoho,
        "daily credits",
        match org.daily_credits() {
            Some(_) => Status::Ok,
            None => Status::NotObservable,
        },
        match org.daily_credits() {
            Some(credits) => format!(
                "{credits} a day for {edition:?} with {users} licences (add-on credits and today's use are not visible to the API)"
            ),
            None => "not documented for this edition".to_owned(),
        },
    );
}

fn calls_fields(report: &mut Report, config: &Config, zoho: &ZohoConfig, fields: &Fields) {
    let mut notes = vec![format!("{} fields", fields.0.len())];
    let mut status = Status::Ok;
    if fields.has("Voice_Recording__s") {
        notes.push("Voice_Recording__s present (recording links go there)".to_owned());
    } else {
        status = Status::Warn;
        notes
            .push("no Voice_Recording__s: recording links go into the description only".to_owned());
    }
    if let Some(key) = &zoho.call_key_field {
        if fields.has(key) {
            notes.push(format!("call key field {key} present"));
        } else {
            status = Status::Fail;
            notes.push(format!(
                "zoho.call_key_field {key:?} does not exist in Calls: create it (text, unique) or remove the setting"
            ));
        }
    }
    report.push(Area::Zoho, "calls fields", status, notes.join("; "));
    let mut wanted: BTreeSet<&str> = BUILT_IN_RESULTS.iter().copied().collect();
    wanted.extend(config.engine.call_results.values().map(String::as_str));
    let Some(field) = fields.get("Call_Result") else {
        report.push(
            Area::Zoho,
            "call results",
            Status::Warn,
            "Calls has no Call_Result field: results are left out",
        );
        return;
    };
    let missing: Vec<&str> = wanted
        .iter()
        .copied()
        .filter(|v| !fields.allows("Call_Result", v))
        .collect();
    let values = field.pick_list_values.len();
    if missing.is_empty() {
        report.push(
            Area::Zoho,
            "call results",
            Status::Ok,
            format!(
                "every value ringbridge writes is in the picklist ({}; {values} values)",
                wanted.into_iter().collect::<Vec<_>>().join(", ")
            ),
        );
    } else {
        report.push(
            Area::Zoho,
            "call results",
            Status::Fail,
            format!(
                "not in the Call_Result picklist: {}; add them in Zoho or change the console's call results",
                missing.join(", ")
            ),
        );
    }
}

/// Mandatory fields of `module` that ringbridge does not fill.
pub(super) fn unfilled_mandatory(fields: &Fields) -> Vec<&str> {
    fields
        .0
        .iter()
        .filter(|f| f.system_mandatory && !f.read_only)
        .map(|f| f.api_name.as_str())
        .filter(|name| !FILLED_ON_CREATE.contains(name))
        .collect()
}

async fn creatable(
    report: &mut Report,
    config: &Config,
    rest: &RestClient,
    module: &str,
    action: UnknownNumberAction,
) {
    let name = format!("create {module}");
    let used = config.engine.unknown_inbound == action || config.engine.unknown_outbound == action;
    let fields = match rest.fields(module).await {
        Ok(fields) => fields,
        Err(err) => {
            report.push(Area::Zoho, &name, Status::Fail, err.to_string());
            return;
        }
    };
    let unfilled = unfilled_mandatory(&fields);
    let purpose = if used {
        "the settings create them for unknown numbers"
    } else {
        "agents may create them from the panel"
    };
    let (status, seen) = if unfilled.is_empty() {
        (
            Status::Ok,
            format!("ringbridge fills every mandatory field ({purpose})"),
        )
    } else {
        (
            if used { Status::Fail } else { Status::Warn },
            format!(
                "mandatory fields ringbridge does not fill: {} ({purpose}); make them optional in Zoho's layout",
                unfilled.join(", ")
            ),
        )
    };
    report.push(Area::Zoho, &name, status, seen);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_coverage() {
        assert!(covers("ZohoCRM.modules.ALL", "ZohoCRM.modules.calls.ALL"));
        assert!(covers(
            "ZohoCRM.modules.calls.ALL",
            "ZohoCRM.modules.calls.READ"
        ));
        assert!(covers("zohocrm.org.read", "ZohoCRM.org.READ"));
        assert!(!covers(
            "ZohoCRM.modules.calls.READ",
            "ZohoCRM.modules.calls.ALL"
        ));
        assert!(!covers(
            "ZohoCRM.modules.leads.ALL",
            "ZohoCRM.modules.calls.ALL"
        ));
        assert!(!covers("ZohoCRM.org.READ", "ZohoCRM.org"));
        let rest = needed_scopes(CrmMode::Rest);
        assert!(rest.contains(&"ZohoCRM.coql.READ"));
        assert!(!rest.iter().any(|s| s.starts_with("PhoneBridge.")));
        assert!(needed_scopes(CrmMode::PhoneBridge).contains(&"PhoneBridge.call.log"));
    }

    #[test]
    fn mandatory_fields_ringbridge_leaves_empty() {
        let fields: Vec<ringbridge_zoho::rest::FieldMeta> =
            serde_json::from_value(serde_json::json!([
                {"api_name": "Last_Name", "system_mandatory": true},
                {"api_name": "Company", "system_mandatory": true},
                {"api_name": "Lead_Source", "system_mandatory": true},
                {"api_name": "Created_Time", "system_mandatory": true, "read_only": true},
                {"api_name": "Email"}
            ]))
            .expect("fields");
        assert_eq!(unfilled_mandatory(&Fields(fields)), vec!["Lead_Source"]);
    }
}
