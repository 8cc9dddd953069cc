//! The simulator acting as Zoho towards the PBX side: a user clicks a number
//! (POST to `clicktodialuri`) or a call-bar button (POST to a call-control URI).

use super::params::fill_placeholder;
use super::{CallControlAction, NameValue, OutboundCall};
use crate::config::AuthParamPlacement;
use crate::error::SimError;
use crate::state::Shared;

async fn post(
    shared: &Shared,
    url: String,
    mut form: Vec<(String, String)>,
    auth: Option<NameValue>,
) -> Result<u16, SimError> {
    let mut headers = Vec::new();
    if let Some(a) = auth {
        match shared.config.auth_param_placement {
            AuthParamPlacement::Header => headers.push((a.name, a.value)),
            AuthParamPlacement::Param => form.push((a.name, a.value)),
        }
    }
    let mut req = shared
        .http
        .post(&url)
        .timeout(shared.config.outbound_timeout)
        .form(&form);
    for (k, v) in &headers {
        req = req.header(k.as_str(), v.as_str());
    }
    let result = req.send().await;
    let status = result.as_ref().ok().map(|r| r.status().as_u16());
    shared.lock().pb.outbound.push(OutboundCall {
        url,
        form,
        headers,
        status,
    });
    Ok(result?.status().as_u16())
}

/// Zoho's click-to-dial: `tonumber` plus each `clicktodialparam` pair (`{to}` replaced by the
/// number), and `authorizationparam` as header or param per config.
pub async fn click_to_dial(shared: &Shared, zohouser: &str, number: &str) -> Result<u16, SimError> {
    let reg = shared
        .lock()
        .pb
        .clicktodial
        .get(zohouser)
        .cloned()
        .ok_or_else(|| SimError::NotRegistered(zohouser.to_owned()))?;
    let mut form = vec![("tonumber".to_owned(), number.to_owned())];
    form.extend(
        reg.params
            .into_iter()
            .map(|p| (p.name, fill_placeholder(&p.value, number))),
    );
    post(shared, reg.uri, form, reg.authorization).await
}

/// A call-bar action: the `callcontrolparam` pairs, the call id and (for keypress) the digit,
/// under the configured field names (Zoho's own are undocumented).
pub async fn call_control(
    shared: &Shared,
    zohouser: &str,
    action: CallControlAction,
    call_id: &str,
    digit: Option<&str>,
) -> Result<u16, SimError> {
    let reg = shared
        .lock()
        .pb
        .callcontrol
        .get(zohouser)
        .cloned()
        .ok_or_else(|| SimError::NotRegistered(zohouser.to_owned()))?;
    let url = reg
        .uris
        .get(&action)
        .cloned()
        .ok_or_else(|| SimError::NotRegistered(zohouser.to_owned()))?;
    let names = &shared.config.call_control_names;
    let mut form: Vec<(String, String)> =
        reg.params.into_iter().map(|p| (p.name, p.value)).collect();
    form.push((names.call_id.clone(), call_id.to_owned()));
    if let Some(d) = digit {
        form.push((names.digit.clone(), d.to_owned()));
    }
    post(shared, url, form, reg.authorization).await
}
