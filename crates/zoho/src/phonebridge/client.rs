//! The PhoneBridge client of one connection: success markers, and the
//! fallback for call states a Zoho DC refuses.

use serde_json::Value;

use super::{
    CallControlRegistration, CallNotify, CallState, ClickToDialError, ClickToDialRegistration,
    PbUser, build_call_notify, build_click_to_dial_error, build_disable, build_enable_call_control,
    build_enable_click_to_dial, build_integrate, build_pb_users,
};
use crate::error::{ApiError, ErrorCode, Result, ZohoError};
use crate::transport::{ApiRequest, RawResponse, ZohoConnection};

/// Accepts `{"status":"success",...}` / `{"code":"SUCCESS",...}` only.
fn expect_success(resp: RawResponse) -> Result<Value> {
    if !resp.is_success() {
        return Err(resp.into_error());
    }
    let status = resp.status;
    let v = resp.json()?;
    let ok = v
        .get("status")
        .and_then(Value::as_str)
        .is_some_and(|s| s.eq_ignore_ascii_case("success"))
        || v.get("code").and_then(Value::as_str) == Some("SUCCESS");
    if ok {
        return Ok(v);
    }
    Err(match ApiError::from_value(status, &v) {
        Some(e) => ZohoError::Api(e),
        None => ZohoError::unexpected(status, format!("no success marker in {v}")),
    })
}

/// Whether a 400 says "this state is not accepted" rather than something the
/// `ended` fallback would hit as well. Zoho's code for it is undocumented (one
/// provider only reports "400"): we take `INVALID_DATA` about `state` (or about no
/// named parameter) and any code this crate does not know. `PBX_NOT_INTEGRATED`,
/// `INVALID_USER`, `REQUIRED_PARAM_MISSING` and the rest are real errors.
pub fn state_refused(e: &ApiError) -> bool {
    if e.status != 400 {
        return false;
    }
    let param = e.details.get("param").and_then(Value::as_str);
    match &e.code {
        ErrorCode::InvalidData => param.is_none_or(|p| p == "state"),
        ErrorCode::Other(_) => true,
        _ => false,
    }
}

/// The PhoneBridge client of one connection. Cheap to clone.
#[derive(Debug, Clone)]
pub struct PhoneBridgeClient {
    conn: ZohoConnection,
    terminal_fallback: bool,
}

impl PhoneBridgeClient {
    pub fn new(conn: ZohoConnection) -> Self {
        Self {
            conn,
            terminal_fallback: true,
        }
    }

    /// Whether a refused `missed`/unattended state is re-sent as `ended` with
    /// `duration=0` (default on; the states are documented but one provider saw
    /// them refused by live Zoho).
    pub fn with_terminal_fallback(mut self, on: bool) -> Self {
        self.terminal_fallback = on;
        self
    }

    async fn call(&self, req: ApiRequest) -> Result<Value> {
        expect_success(self.conn.execute(&req).await?)
    }

    /// Enables the integration for the org (call first).
    pub async fn integrate(&self) -> Result<()> {
        self.call(build_integrate(true)).await.map(drop)
    }

    /// Disables the integration for the org.
    pub async fn unintegrate(&self) -> Result<()> {
        self.call(build_integrate(false)).await.map(drop)
    }

    /// One page of users.
    pub async fn users(&self, page: u32, per_page: u32) -> Result<Vec<PbUser>> {
        let resp = self.conn.execute(&build_pb_users(page, per_page)?).await?;
        if resp.status == 204 {
            return Ok(Vec::new());
        }
        if !resp.is_success() {
            return Err(resp.into_error());
        }
        let status = resp.status;
        let v = resp.json()?;
        let users = v
            .get("users")
            .cloned()
            .ok_or_else(|| ZohoError::unexpected(status, "answer without `users`"))?;
        serde_json::from_value(users)
            .map_err(|e| ZohoError::unexpected(status, format!("bad users: {e}")))
    }

    /// All users (pages until one comes back short).
    pub async fn all_users(&self) -> Result<Vec<PbUser>> {
        const PER_PAGE: u32 = 200;
        let mut out = Vec::new();
        for page in 1.. {
            let users = self.users(page, PER_PAGE).await?;
            let n = users.len();
            out.extend(users);
            if n < PER_PAGE as usize {
                break;
            }
        }
        Ok(out)
    }

    pub async fn enable_click_to_dial(&self, r: &ClickToDialRegistration) -> Result<()> {
        self.call(build_enable_click_to_dial(r)?).await.map(drop)
    }

    pub async fn disable_click_to_dial(&self, zohouser: &str) -> Result<()> {
        self.call(build_disable(false, zohouser)).await.map(drop)
    }

    pub async fn enable_call_control(&self, r: &CallControlRegistration) -> Result<()> {
        self.call(build_enable_call_control(r)?).await.map(drop)
    }

    pub async fn disable_call_control(&self, zohouser: &str) -> Result<()> {
        self.call(build_disable(true, zohouser)).await.map(drop)
    }

    /// Sends a call event. For a `missed`/unattended state that this DC refuses as
    /// a state (see [`state_refused`]), falls back to `ended` + `duration=0`, and once
    /// that fallback went through, remembers to send it directly.
    pub async fn call_notify(&self, n: &CallNotify) -> Result<()> {
        let quirks = self.conn.quirks();
        let (known_refused, mark): (bool, fn(&crate::transport::Quirks)) = match n.state {
            CallState::Missed { .. } => (
                quirks.pb_missed_rejected(),
                crate::transport::Quirks::set_pb_missed_rejected,
            ),
            CallState::Unattended { .. } => (
                quirks.pb_unattended_rejected(),
                crate::transport::Quirks::set_pb_unattended_rejected,
            ),
            _ => return self.call(build_call_notify(n)?).await.map(drop),
        };
        let fallback = n.as_zero_length_ended().filter(|_| self.terminal_fallback);
        if let (true, Some(f)) = (known_refused, &fallback) {
            return self.call(build_call_notify(f)?).await.map(drop);
        }
        match (self.call(build_call_notify(n)?).await, &fallback) {
            (Err(ZohoError::Api(e)), Some(f)) if state_refused(&e) => {
                tracing::warn!(state = n.state.name(), code = %e.code, message = %e.message,
                    "PhoneBridge refused the state; re-sending as ended with duration 0");
                self.call(build_call_notify(f)?).await?;
                // Only a fallback Zoho took proves the state itself was the problem.
                mark(quirks);
                Ok(())
            }
            (other, _) => other.map(drop),
        }
    }

    /// Reports a click-to-dial that could not be started.
    pub async fn click_to_dial_error(&self, e: &ClickToDialError) -> Result<()> {
        self.call(build_click_to_dial_error(e)?).await.map(drop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn success_marker_required() {
        let r = |status: u16, body: &str| RawResponse {
            status,
            headers: Default::default(),
            body: body.as_bytes().to_vec(),
        };
        assert!(expect_success(r(200, r#"{"status":"success","code":"SUCCESS"}"#)).is_ok());
        assert!(expect_success(r(200, "")).is_err());
        assert!(expect_success(r(200, "{}")).is_err());
        let e = expect_success(r(
            400,
            r#"{"code":"PBX_NOT_INTEGRATED","details":{},"message":"x","status":"error"}"#,
        ))
        .expect_err("err");
        assert_eq!(e.code(), Some(&crate::error::ErrorCode::PbxNotIntegrated));
        let e = expect_success(r(403, r#"{"code":"DIFFERENT_PROVIDER_ALREADY_ENABLED","details":{},"message":"x","status":"error"}"#))
            .expect_err("err");
        assert_eq!(
            e.code(),
            Some(&crate::error::ErrorCode::DifferentProviderAlreadyEnabled)
        );
    }

    #[test]
    fn only_a_refused_state_falls_back() {
        let e = |code: &str, details: Value| ApiError {
            status: 400,
            code: ErrorCode::parse(code),
            message: String::new(),
            details,
        };
        assert!(state_refused(&e(
            "INVALID_DATA",
            serde_json::json!({"param": "state"})
        )));
        assert!(state_refused(&e("INVALID_DATA", Value::Null)));
        assert!(state_refused(&e("STATE_NOT_SUPPORTED", Value::Null)));
        assert!(!state_refused(&e(
            "INVALID_DATA",
            serde_json::json!({"param": "voiceuri"})
        )));
        for code in [
            "PBX_NOT_INTEGRATED",
            "INVALID_USER",
            "REQUIRED_PARAM_MISSING",
            "INVALID_TOKEN",
        ] {
            assert!(!state_refused(&e(code, Value::Null)), "{code}");
        }
        let mut server = e("INVALID_DATA", Value::Null);
        server.status = 500;
        assert!(!state_refused(&server));
    }
}
