//! The admin console over a real socket, with a fake backend standing in
//! for the PBX and Zoho (the browser test drives the real ones).

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use reqwest::header::LOCATION;
use reqwest::{Client, StatusCode};
use ringbridge_core::console::{CrmConnection, CrmGrant, PbxConnection};
use ringbridge_core::crm::CrmUser;
use ringbridge_core::pbx::Extension;
use ringbridge_store::testing::{TestDatabase, fresh_sqlite};
use ringbridge_store::{SecretKey, SqlStore};
use ringbridge_web::auth::{PasswordParams, WebConfig};
use ringbridge_web::console::{
    BackendError, Console, ConsoleBackend, DataCentre, LinkState, LinkStates, PbxInfo,
    ZohoDisconnect,
};
use ringbridge_web::{AppState, router, serve};
use secrecy::ExposeSecret;

mod accounts;
mod confirm;
mod custom_server;
mod disconnect;
mod flows;
mod guards;
mod pbx_zone;
mod phonebridge;
mod settings;
mod settings_checks;

const ADMIN_PW: &str = "admin password 1";
pub const HOSTILE: &str = "<script>alert(1)</script>";

/// Answers like a PBX with three extensions and a Zoho org with two users.
#[derive(Default)]
pub struct FakeBackend {
    pub applied: AtomicUsize,
    pub exchanged: Mutex<Vec<String>>,
    /// Refresh tokens Zoho was asked to revoke.
    pub revoked: Mutex<Vec<String>>,
    /// Zoho cannot be reached for the revocation.
    pub revoke_fails: AtomicBool,
    /// Zoho cannot be reached for its users.
    pub users_fail: AtomicBool,
    /// Zoho cannot be reached for its field metadata.
    pub fields_fail: AtomicBool,
    /// Zoho lists Lee (user u2, extension 1006's e-mail) as inactive.
    pub lee_inactive: AtomicBool,
    /// The Zoho users registered with PhoneBridge (`None`: none kept).
    pub pb_registered: Mutex<Option<Vec<String>>>,
    /// The PBX's time zone, when it tells one.
    pub pbx_zone: Mutex<Option<String>>,
}

/// The Calls module's Call Result values the fake org offers.
pub const CALL_RESULTS: [&str; 4] = [
    "Interested",
    "No response/Busy",
    "Requested call back",
    HOSTILE,
];

#[async_trait]
impl ConsoleBackend for FakeBackend {
    async fn test_pbx(&self, pbx: &PbxConnection) -> Result<PbxInfo, BackendError> {
        if pbx.client_secret.expose_secret() == "wrong" {
            return Err(BackendError::Refused("10004 IP BLOCKED".into()));
        }
        Ok(PbxInfo {
            model: "Yeastar P550".into(),
            version: "37.9.0.1".into(),
            extensions: 3,
            firmware_note: None,
        })
    }

    fn data_centres(&self) -> Vec<DataCentre> {
        vec![
            DataCentre {
                location: "eu".into(),
                accounts_server: "https://accounts.zoho.eu".into(),
            },
            DataCentre {
                location: "custom".into(),
                accounts_server: "http://127.0.0.1:9".into(),
            },
        ]
    }

    fn zoho_redirect_uri(&self) -> String {
        "http://127.0.0.1:8080/console/zoho/callback".into()
    }

    fn zoho_authorize_url(&self, crm: &CrmConnection, state: &str) -> Result<String, BackendError> {
        Ok(format!(
            "{}/oauth/v2/auth?client_id={}&state={state}",
            crm.accounts_server, crm.client_id
        ))
    }

    async fn zoho_exchange(
        &self,
        crm: &CrmConnection,
        query: &str,
    ) -> Result<CrmGrant, BackendError> {
        self.exchanged.lock().unwrap().push(query.to_owned());
        Ok(CrmGrant {
            refresh_token: "1000.refresh".to_owned().into(),
            accounts_server: crm.accounts_server.clone(),
            api_domain: "https://www.zohoapis.eu".into(),
        })
    }

    async fn zoho_disconnect(
        &self,
        _crm: &CrmConnection,
        grant: &CrmGrant,
    ) -> Result<ZohoDisconnect, BackendError> {
        self.revoked
            .lock()
            .unwrap()
            .push(grant.refresh_token.expose_secret().to_owned());
        let revoked = if self.revoke_fails.load(Ordering::SeqCst) {
            Err(BackendError::Unreachable(
                "accounts.zoho.eu: connection timed out".into(),
            ))
        } else {
            Ok(())
        };
        Ok(ZohoDisconnect {
            revoked,
            phonebridge: None,
        })
    }

    async fn pbx_extensions(&self) -> Result<Vec<Extension>, BackendError> {
        let ext = |number: &str, name: &str, email: Option<&str>| Extension {
            number: number.into(),
            name: name.into(),
            email: email.map(Into::into),
            mobile: None,
        };
        Ok(vec![
            ext("1005", "Maya Ortiz", Some("maya@corp.test")),
            ext("1006", HOSTILE, Some("lee@corp.test")),
            ext("1007", "Front desk", None),
        ])
    }

    async fn crm_users(&self) -> Result<Vec<CrmUser>, BackendError> {
        if self.users_fail.load(Ordering::SeqCst) {
            return Err(BackendError::Unreachable(
                "www.zohoapis.eu: timed out".into(),
            ));
        }
        let lee_inactive = self.lee_inactive.load(Ordering::SeqCst);
        let user = |id: &str, name: &str, email: &str| CrmUser {
            id: id.into(),
            email: Some(email.into()),
            name: name.into(),
            active: !(id == "u2" && lee_inactive),
        };
        Ok(vec![
            user("u1", "Maya Ortiz", "maya@corp.test"),
            user("u2", HOSTILE, "lee@corp.test"),
        ])
    }

    async fn crm_picklist(&self, module: &str, field: &str) -> Result<Vec<String>, BackendError> {
        if self.fields_fail.load(Ordering::SeqCst) {
            return Err(BackendError::Unreachable(
                "www.zohoapis.eu: fields timed out".into(),
            ));
        }
        Ok(match (module, field) {
            ("Calls", "Call_Result") => CALL_RESULTS.map(str::to_owned).to_vec(),
            _ => Vec::new(),
        })
    }

    async fn apply(&self) -> Result<(), BackendError> {
        self.applied.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }

    async fn pbx_time_zone(&self) -> Result<Option<String>, BackendError> {
        Ok(self.pbx_zone.lock().unwrap().clone())
    }

    async fn phonebridge_registered(&self) -> Result<Option<Vec<String>>, BackendError> {
        Ok(self.pb_registered.lock().unwrap().clone())
    }

    fn states(&self) -> LinkStates {
        LinkStates {
            pbx: LinkState::Connected,
            crm: LinkState::Failed(HOSTILE.into()),
        }
    }
}

pub struct App {
    pub url: String,
    pub store: SqlStore,
    pub backend: Arc<FakeBackend>,
    _db: TestDatabase,
}

pub struct Page {
    pub status: StatusCode,
    pub location: String,
    pub body: String,
}

impl Page {
    pub fn csrf(&self) -> String {
        let start = "name=\"csrf_token\" value=\"";
        let from = self
            .body
            .find(start)
            .unwrap_or_else(|| panic!("no form in {}", self.body))
            + start.len();
        self.body[from..].split('"').next().unwrap().to_owned()
    }
}

pub fn browser() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn read(response: reqwest::Response) -> Page {
    Page {
        status: response.status(),
        location: response
            .headers()
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned(),
        body: response.text().await.unwrap(),
    }
}

pub async fn start() -> App {
    start_with(WebConfig {
        secure_cookies: false,
        password: PasswordParams::insecure_fast(),
        ..WebConfig::default()
    })
    .await
}

/// The console with the pages' settings `config`.
pub async fn start_with(config: WebConfig) -> App {
    let db = fresh_sqlite();
    let store = SqlStore::open(&db.url, SecretKey::generate())
        .await
        .unwrap();
    start_on(store, db, config, |state| state).await
}

/// The console on `store`, its state finished by `finish`.
pub async fn start_on(
    store: SqlStore,
    db: TestDatabase,
    config: WebConfig,
    finish: impl FnOnce(AppState) -> AppState,
) -> App {
    let backend = Arc::new(FakeBackend::default());
    let shared = Arc::new(store.clone());
    let state = AppState::new(shared.clone(), shared.clone(), None)
        .with_web(config, Arc::new(ringbridge_web::auth::SystemClock))
        .unwrap()
        .with_console(Console {
            store: shared,
            backend: backend.clone(),
        });
    let state = finish(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(serve(listener, router(state, None), std::future::pending()));
    App {
        url,
        store,
        backend,
        _db: db,
    }
}

impl App {
    pub async fn get(&self, client: &Client, path: &str) -> Page {
        read(
            client
                .get(format!("{}{path}", self.url))
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    pub async fn post(&self, client: &Client, path: &str, form: &[(&str, &str)]) -> Page {
        read(
            client
                .post(format!("{}{path}", self.url))
                .form(form)
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    /// Posts `form` with the CSRF token of the page at `from`.
    pub async fn submit(
        &self,
        client: &Client,
        from: &str,
        path: &str,
        form: &[(&str, &str)],
    ) -> Page {
        let csrf = self.get(client, from).await.csrf();
        let mut fields = vec![("csrf_token", csrf.as_str())];
        fields.extend_from_slice(form);
        self.post(client, path, &fields).await
    }

    /// First-run setup: `client` ends up signed in as the admin.
    pub async fn admin(&self) -> Client {
        let client = browser();
        let done = self
            .submit(
                &client,
                "/setup",
                "/setup",
                &[
                    ("username", "root"),
                    ("display_name", "Rita Admin"),
                    ("password", ADMIN_PW),
                    ("password_confirm", ADMIN_PW),
                ],
            )
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
        assert_eq!(done.location, "/console", "setup goes on in the console");
        client
    }

    /// The admin signed in again, in another browser (another session).
    pub async fn admin_again(&self) -> Client {
        let client = browser();
        let signed = self
            .submit(
                &client,
                "/login",
                "/login",
                &[("username", "root"), ("password", ADMIN_PW)],
            )
            .await;
        assert_eq!(signed.status, StatusCode::SEE_OTHER, "{}", signed.body);
        client
    }

    /// An agent account, signed in in a browser of its own.
    pub async fn agent(&self, admin: &Client) -> Client {
        let pw = "agent password 1";
        let made = self
            .submit(
                admin,
                "/admin/accounts",
                "/admin/accounts",
                &[
                    ("username", "ana"),
                    ("display_name", "Ana"),
                    ("role", "agent"),
                    ("extension", "1005"),
                    ("password", pw),
                    ("password_confirm", pw),
                ],
            )
            .await;
        assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
        let agent = browser();
        let signed = self
            .submit(
                &agent,
                "/login",
                "/login",
                &[("username", "ana"), ("password", pw)],
            )
            .await;
        assert_eq!(signed.status, StatusCode::SEE_OTHER, "{}", signed.body);
        agent
    }
}

/// The "Continue to Zoho" link of the Zoho page, unescaped.
pub fn consent_link(body: &str) -> String {
    let start = "id=\"zoho-consent\" class=\"button\" href=\"";
    let from = body
        .find(start)
        .unwrap_or_else(|| panic!("no consent link in {body}"))
        + start.len();
    body[from..]
        .split('"')
        .next()
        .unwrap()
        .replace("&#38;", "&")
        .replace("&amp;", "&")
}

/// `text` without the isolation marks Fluent puts around each argument.
pub fn plain(text: &str) -> String {
    text.replace(['\u{2068}', '\u{2069}'], "")
}

/// `text` shows `HOSTILE` escaped and never as markup.
pub fn assert_inert(text: &str) {
    assert!(!text.contains("<script>"), "raw script tag in {text}");
    assert!(
        text.contains("&lt;script&gt;alert(1)&lt;/script&gt;")
            || text.contains("&#60;script&#62;alert(1)&#60;/script&#62;"),
        "hostile name not shown escaped in {text}"
    );
}
