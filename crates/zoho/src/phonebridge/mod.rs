//! Zoho PhoneBridge v3 (`{api_domain}/phonebridge/v3/...`): enable the integration,
//! register click-to-dial and call control per user, stream call events; and the
//! inbound side, parsing what Zoho sends to our click-to-dial / call-control URLs.

mod client;
pub mod from_core;
mod inbound;
mod notify;
mod params;

use reqwest::Method;
use serde::Deserialize;
use url::Url;

pub use client::{PhoneBridgeClient, state_refused};
pub use inbound::{
    CallControl, CallControlAction, ClickToDial, InboundNames, InboundParams, InboundRefusal,
    InboundRequest, authenticate_call_control, authenticate_click_to_dial, parse_inbound,
    verify_secret,
};
pub use notify::{
    CallNotify, CallState, ClickToDialError, Direction, Unattended, format_start_time,
};
pub use params::{
    AuthorizationParam, Param, ParamValue, format_array, format_authorization, format_object,
};

use crate::error::{Result, ZohoError};
use crate::transport::{ApiRequest, Operation};

/// Path prefix of PhoneBridge v3.
pub const PB_V3: &str = "/phonebridge/v3";

/// What `POST /clicktodial` registers for one user.
#[derive(Debug, Clone)]
pub struct ClickToDialRegistration {
    /// Our URL Zoho calls when the user clicks a number.
    pub uri: Url,
    pub zohouser: Option<String>,
    pub authorization: Option<AuthorizationParam>,
    /// Pairs Zoho echoes back, e.g. our extension, or `'{to}'` under another name.
    pub params: Vec<Param>,
}

/// What `POST /callcontrol` registers for one user (only the URLs we support).
#[derive(Debug, Clone, Default)]
pub struct CallControlRegistration {
    pub answer: Option<Url>,
    pub hangup: Option<Url>,
    pub mute: Option<Url>,
    pub unmute: Option<Url>,
    pub hold: Option<Url>,
    pub unhold: Option<Url>,
    pub keypress: Option<Url>,
    pub zohouser: Option<String>,
    pub authorization: Option<AuthorizationParam>,
    pub params: Vec<Param>,
}

/// One PhoneBridge user.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct PbUser {
    /// Legacy v2 called it `userid`.
    #[serde(alias = "userid")]
    pub zohouser: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub username: Option<String>,
}

/// `POST /phonebridge/v3/integrate` (no parameters; idempotent per provider docs).
pub fn build_integrate(enable: bool) -> ApiRequest {
    let m = if enable { Method::POST } else { Method::DELETE };
    pb(ApiRequest::new(
        m,
        format!("{PB_V3}/integrate"),
        Operation::PbIntegrate,
    ))
    .idempotent(true)
}

/// `GET /phonebridge/v3/users?page=..&perPage=..` (perPage 1..=1000).
pub fn build_pb_users(page: u32, per_page: u32) -> Result<ApiRequest> {
    if !(1..=1000).contains(&per_page) {
        return Err(ZohoError::InvalidInput("perPage must be 1..=1000".into()));
    }
    Ok(pb(ApiRequest::new(
        Method::GET,
        format!("{PB_V3}/users"),
        Operation::PbUsers,
    ))
    .query("page", page.max(1).to_string())
    .query("perPage", per_page.to_string()))
}

/// `POST /phonebridge/v3/clicktodial` (form).
pub fn build_enable_click_to_dial(r: &ClickToDialRegistration) -> Result<ApiRequest> {
    let mut f = vec![("clicktodialuri".to_owned(), r.uri.to_string())];
    common_user_fields(
        &mut f,
        r.zohouser.as_deref(),
        r.authorization.as_ref(),
        "clicktodialparam",
        &r.params,
    )?;
    Ok(pb(ApiRequest::new(
        Method::POST,
        format!("{PB_V3}/clicktodial"),
        Operation::PbClickToDial,
    ))
    .form(f)
    .idempotent(true))
}

/// `POST /phonebridge/v3/callcontrol` (form).
pub fn build_enable_call_control(r: &CallControlRegistration) -> Result<ApiRequest> {
    let mut f = Vec::new();
    for (name, url) in [
        ("answeruri", &r.answer),
        ("hungupuri", &r.hangup),
        ("muteuri", &r.mute),
        ("unmuteuri", &r.unmute),
        ("holduri", &r.hold),
        ("unholduri", &r.unhold),
        ("keypressuri", &r.keypress),
    ] {
        if let Some(u) = url {
            f.push((name.to_owned(), u.to_string()));
        }
    }
    if f.is_empty() {
        return Err(ZohoError::InvalidInput(
            "call control needs at least one URI".into(),
        ));
    }
    common_user_fields(
        &mut f,
        r.zohouser.as_deref(),
        r.authorization.as_ref(),
        "callcontrolparam",
        &r.params,
    )?;
    Ok(pb(ApiRequest::new(
        Method::POST,
        format!("{PB_V3}/callcontrol"),
        Operation::PbCallControl,
    ))
    .form(f)
    .idempotent(true))
}

/// `DELETE /phonebridge/v3/clicktodial` or `/callcontrol` for one user. `zohouser`
/// goes in the form body as provider code does (placement unconfirmed).
pub fn build_disable(call_control: bool, zohouser: &str) -> ApiRequest {
    let (path, op) = if call_control {
        ("callcontrol", Operation::PbCallControl)
    } else {
        ("clicktodial", Operation::PbClickToDial)
    };
    pb(ApiRequest::new(
        Method::DELETE,
        format!("{PB_V3}/{path}"),
        op,
    ))
    .form(vec![("zohouser".into(), zohouser.to_owned())])
}

/// `POST /phonebridge/v3/callnotify`. Not idempotent: a repeated terminal event may
/// be logged twice, so timeouts are not retried here (the caller's outbox decides).
pub fn build_call_notify(n: &CallNotify) -> Result<ApiRequest> {
    Ok(pb(ApiRequest::new(
        Method::POST,
        format!("{PB_V3}/callnotify"),
        Operation::PbCallNotify,
    ))
    .form(n.to_form()?))
}

/// `POST /phonebridge/v3/clicktodialerror`.
pub fn build_click_to_dial_error(e: &ClickToDialError) -> Result<ApiRequest> {
    Ok(pb(ApiRequest::new(
        Method::POST,
        format!("{PB_V3}/clicktodialerror"),
        Operation::PbClickToDialError,
    ))
    .form(e.to_form()?))
}

/// PhoneBridge calls are not documented to use CRM API credits.
fn pb(r: ApiRequest) -> ApiRequest {
    r.credits(0)
}

fn common_user_fields(
    f: &mut Vec<(String, String)>,
    zohouser: Option<&str>,
    auth: Option<&AuthorizationParam>,
    params_name: &str,
    params: &[Param],
) -> Result<()> {
    if let Some(u) = zohouser {
        f.push(("zohouser".into(), u.to_owned()));
    }
    if let Some(a) = auth {
        f.push(("authorizationparam".into(), format_authorization(a)?));
    }
    if !params.is_empty() {
        f.push((params_name.to_owned(), format_array(params)?));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::RequestBody;

    fn form(r: &ApiRequest) -> &[(String, String)] {
        match &r.body {
            RequestBody::Form(f) => f,
            other => panic!("form body expected, got {other:?}"),
        }
    }

    #[test]
    fn click_to_dial_registration_form() {
        let r = ClickToDialRegistration {
            uri: Url::parse("https://rb.example.com/zoho/clicktodial").expect("url"),
            zohouser: Some("4000000012345".into()),
            authorization: Some(AuthorizationParam {
                name: "X-RB-Token".into(),
                value: "tok123".into(),
            }),
            params: vec![Param::text("ext", "1001"), Param::callee_number("callee")],
        };
        let req = build_enable_click_to_dial(&r).expect("ok");
        assert_eq!(req.path, "/phonebridge/v3/clicktodial");
        assert_eq!(req.credits, 0);
        let f = form(&req);
        assert!(f.contains(&(
            "clicktodialuri".into(),
            "https://rb.example.com/zoho/clicktodial".into()
        )));
        assert!(f.contains(&(
            "authorizationparam".into(),
            "{name:X-RB-Token,value:tok123}".into()
        )));
        assert!(f.contains(&(
            "clicktodialparam".into(),
            "[{name:ext,value:1001}, {name:callee,value:'{to}'}]".into()
        )));
        assert!(!format!("{r:?}").contains("tok123"));
        assert!(
            !format!("{req:?}").contains("tok123"),
            "request Debug redacts the secret"
        );
    }

    #[test]
    fn call_control_needs_a_uri() {
        assert!(build_enable_call_control(&CallControlRegistration::default()).is_err());
        let r = CallControlRegistration {
            hangup: Some(Url::parse("https://rb.example.com/cc/hangup").expect("url")),
            zohouser: Some("1".into()),
            ..Default::default()
        };
        let req = build_enable_call_control(&r).expect("ok");
        assert_eq!(
            form(&req)[0],
            (
                "hungupuri".into(),
                "https://rb.example.com/cc/hangup".into()
            )
        );
        let d = build_disable(true, "1");
        assert_eq!(d.method, Method::DELETE);
        assert_eq!(d.path, "/phonebridge/v3/callcontrol");
    }

    #[test]
    fn users_page_request() {
        let r = build_pb_users(1, 200).expect("ok");
        assert_eq!(
            r.query,
            vec![
                ("page".to_owned(), "1".to_owned()),
                ("perPage".into(), "200".into())
            ]
        );
        assert!(build_pb_users(1, 1001).is_err());
        let u: PbUser = serde_json::from_str(r#"{"userid":"9","email":"a@b.c"}"#).expect("legacy");
        assert_eq!(u.zohouser, "9");
    }
}
