//! Integration tests: the simulator over real HTTP on loopback.

mod admin;
mod cli;
mod coql;
mod faults;
mod fixture;
mod layout;
mod limits;
mod oauth;
mod oauth_limits;
mod phonebridge;
mod records;
mod schema;
mod search;
mod sharing;
mod standard;

use reqwest::{Method, StatusCode};
use ringbridge_sim_zoho::{SimConfig, SimZoho};
use serde_json::Value;

/// Every scope the API side checks.
pub const ALL: &[&str] = &[
    "ZohoCRM.modules.ALL",
    "ZohoCRM.settings.ALL",
    "ZohoCRM.users.READ",
    "ZohoCRM.org.READ",
    "ZohoCRM.coql.READ",
    "ZohoSearch.securesearch.READ",
    "PhoneBridge.call.log",
];

/// A running simulator plus an HTTP client and a token.
pub struct H {
    pub sim: SimZoho,
    pub http: reqwest::Client,
    pub token: String,
}

/// A response: status and JSON body (`Value::Null` when empty or not JSON).
pub struct R {
    pub status: StatusCode,
    pub body: Value,
    pub text: String,
}

impl H {
    pub async fn new() -> Self {
        Self::with(SimConfig::default()).await
    }

    pub async fn with(config: SimConfig) -> Self {
        let sim = SimZoho::start(config).await.expect("simulator starts");
        let token = sim.issue_tokens(ALL).access_token;
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        Self { sim, http, token }
    }

    pub fn api(&self, path: &str) -> String {
        format!("{}{path}", self.sim.api_url())
    }

    pub fn accounts(&self, path: &str) -> String {
        format!("{}{path}", self.sim.accounts_url())
    }

    pub async fn send(&self, req: reqwest::RequestBuilder) -> R {
        let resp = req.send().await.expect("request sent");
        let status = resp.status();
        let text = resp.text().await.expect("body");
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        R { status, body, text }
    }

    pub fn req(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.req_as(&self.token, method, path)
    }

    pub fn req_as(&self, token: &str, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, self.api(path))
            .header("Authorization", format!("Zoho-oauthtoken {token}"))
    }

    pub async fn get(&self, path: &str) -> R {
        self.send(self.req(Method::GET, path)).await
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> R {
        self.send(self.req(Method::POST, path).json(body)).await
    }

    pub async fn put_json(&self, path: &str, body: &Value) -> R {
        self.send(self.req(Method::PUT, path).json(body)).await
    }

    pub async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> R {
        self.send(self.req(Method::POST, path).form(form)).await
    }

    pub async fn coql(&self, q: &str) -> R {
        self.post_json("/crm/v8/coql", &serde_json::json!({"select_query": q}))
            .await
    }

    /// Token endpoint call with a form body.
    pub async fn token_call(&self, form: &[(&str, &str)]) -> R {
        self.send(self.http.post(self.accounts("/oauth/v2/token")).form(form))
            .await
    }
}

/// Asserts a Zoho error body: exactly the four keys, `status:"error"`, the code.
pub fn assert_error(r: &R, status: u16, code: &str) {
    assert_eq!(r.status.as_u16(), status, "status of {}", r.text);
    let obj = r
        .body
        .as_object()
        .unwrap_or_else(|| panic!("object body: {}", r.text));
    assert_eq!(obj.len(), 4, "four keys in {}", r.text);
    assert_eq!(r.body["status"], "error");
    assert_eq!(r.body["code"], code, "code in {}", r.text);
    assert!(r.body["details"].is_object());
    assert!(r.body["message"].is_string());
}
