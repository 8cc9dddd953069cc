//! The agent panel's live feed (`/api/calls/stream`) over a real socket:
//! call updates fed into the hub reach the right agents' SSE streams,
//! enriched with the matched record.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use ringbridge_core::accounts::{AccountProfile, NewAccount, Role, Username};
use ringbridge_core::crm::{
    CallLog, Crm, CrmError, CrmModule, CrmRecord, CrmRecordRef, CrmUser, NewRecord, RecordPage,
};
use ringbridge_core::pbx::{CallDirection, CallId};
use ringbridge_core::tracker::CallUpdate;
use ringbridge_engine::live::LiveCalls;
use ringbridge_engine::matcher::{CallerMatcher, Match};
use ringbridge_store::testing::TestDatabase;
use ringbridge_web::auth::api_tokens;
use ringbridge_web::{AppState, router, serve};
use serde_json::Value;

use super::open;

/// What `async_trait` methods return, written out (no macro in this crate).
type Fut<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

const KNOWN: &str = "+15550100";

/// Knows one number; counts lookups.
#[derive(Default)]
struct FakeMatcher {
    lookups: AtomicUsize,
}

impl CallerMatcher for FakeMatcher {
    fn lookup<'life0, 'life1, 'life2, 'async_trait>(
        &'life0 self,
        number: &'life1 str,
        _owner: Option<&'life2 str>,
    ) -> Fut<'async_trait, Result<Match, CrmError>>
    where
        'life0: 'async_trait,
        'life1: 'async_trait,
        'life2: 'async_trait,
        Self: 'async_trait,
    {
        self.lookups.fetch_add(1, Ordering::SeqCst);
        let chosen = (number == KNOWN).then(|| CrmRecord {
            reference: CrmRecordRef {
                module: CrmModule::Contacts,
                id: "c-42".into(),
            },
            name: "Ada Lovelace".into(),
            company: None,
            email: None,
            phones: vec![KNOWN.into()],
            owner_id: None,
            account: None,
            modified_at: DateTime::<Utc>::UNIX_EPOCH,
        });
        Box::pin(async move {
            Ok(Match {
                chosen,
                others: Vec::new(),
            })
        })
    }

    fn remember<'life0, 'life1, 'async_trait>(
        &'life0 self,
        _record: &'life1 CrmRecord,
    ) -> Fut<'async_trait, ()>
    where
        'life0: 'async_trait,
        'life1: 'async_trait,
        Self: 'async_trait,
    {
        Box::pin(async {})
    }
}

/// Only screen-pop URLs matter here; everything else is refused.
struct FakeCrm;

fn unused<'a, T: Send + 'a>() -> Fut<'a, Result<T, CrmError>> {
    Box::pin(async { Err(CrmError::Protocol("not used by the live feed".into())) })
}

impl Crm for FakeCrm {
    fn find_by_phone<'life0, 'life1, 'life2, 'async_trait>(
        &'life0 self,
        _modules: &'life1 [CrmModule],
        _candidates: &'life2 [String],
    ) -> Fut<'async_trait, Result<Vec<CrmRecord>, CrmError>>
    where
        'life0: 'async_trait,
        'life1: 'async_trait,
        'life2: 'async_trait,
        Self: 'async_trait,
    {
        unused()
    }

    fn records_changed_since<'life0, 'async_trait>(
        &'life0 self,
        _module: CrmModule,
        _since: Option<DateTime<Utc>>,
        _page: Option<String>,
    ) -> Fut<'async_trait, Result<RecordPage, CrmError>>
    where
        'life0: 'async_trait,
        Self: 'async_trait,
    {
        unused()
    }

    fn log_calls<'life0, 'life1, 'async_trait>(
        &'life0 self,
        _logs: &'life1 [CallLog],
    ) -> Fut<'async_trait, Result<Vec<Result<String, CrmError>>, CrmError>>
    where
        'life0: 'async_trait,
        'life1: 'async_trait,
        Self: 'async_trait,
    {
        unused()
    }

    fn find_logged_calls<'life0, 'life1, 'async_trait>(
        &'life0 self,
        _logs: &'life1 [CallLog],
    ) -> Fut<'async_trait, Result<Vec<Option<String>>, CrmError>>
    where
        'life0: 'async_trait,
        'life1: 'async_trait,
        Self: 'async_trait,
    {
        unused()
    }

    fn create_record<'life0, 'life1, 'async_trait>(
        &'life0 self,
        _record: &'life1 NewRecord,
    ) -> Fut<'async_trait, Result<CrmRecord, CrmError>>
    where
        'life0: 'async_trait,
        'life1: 'async_trait,
        Self: 'async_trait,
    {
        unused()
    }

    fn users<'life0, 'async_trait>(
        &'life0 self,
    ) -> Fut<'async_trait, Result<Vec<CrmUser>, CrmError>>
    where
        'life0: 'async_trait,
        Self: 'async_trait,
    {
        unused()
    }

    fn record_url(&self, record: &CrmRecordRef) -> String {
        format!(
            "https://crm.example/{}/{}",
            record.module.as_str(),
            record.id
        )
    }
}

struct Panel {
    url: String,
    state: AppState,
    hub: Arc<LiveCalls>,
    matcher: Arc<FakeMatcher>,
    _db: TestDatabase,
}

impl Panel {
    async fn start(with_hub: bool) -> Self {
        let (store, db) = open().await;
        let store = Arc::new(store);
        let matcher = Arc::new(FakeMatcher::default());
        let hub = Arc::new(LiveCalls::new(matcher.clone(), Arc::new(FakeCrm)));
        let mut state = AppState::new(store.clone(), store, None);
        if with_hub {
            state = state.with_live(hub.clone());
        }
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(serve(
            listener,
            router(state.clone(), None),
            std::future::pending(),
        ));
        Self {
            url,
            state,
            hub,
            matcher,
            _db: db,
        }
    }

    /// An agent account at `extension`; returns its bearer token.
    async fn agent(&self, name: &str, extension: Option<&str>) -> String {
        let account = self
            .state
            .accounts
            .create_account(&NewAccount {
                username: Username::parse(name).unwrap(),
                password_hash: "not used: bearer tokens only".into(),
                profile: AccountProfile {
                    display_name: name.into(),
                    role: Role::Agent,
                    crm_user_id: None,
                    extension: extension.map(str::to_owned),
                    disabled: false,
                },
                at: Utc::now(),
            })
            .await
            .unwrap();
        api_tokens::issue(&self.state, account.id, "panel test")
            .await
            .unwrap()
            .1
    }

    async fn connect(&self, token: Option<&str>) -> reqwest::Response {
        let mut request = reqwest::Client::new().get(format!("{}/api/calls/stream", self.url));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.unwrap()
    }

    /// A connected stream (subscribed once the response head is back).
    async fn stream(&self, token: &str) -> Stream {
        let response = self.connect(Some(token)).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/event-stream")
        );
        Stream {
            response,
            buffer: String::new(),
        }
    }

    async fn apply(&self, update: CallUpdate) {
        self.hub.apply(&update).await;
    }
}

struct Stream {
    response: reqwest::Response,
    buffer: String,
}

impl Stream {
    /// The next event's JSON (keep-alive comments skipped).
    async fn next(&mut self) -> Value {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let data: Vec<&str> = block
                    .lines()
                    .filter_map(|l| l.strip_prefix("data:"))
                    .map(str::trim_start)
                    .collect();
                if !data.is_empty() {
                    return serde_json::from_str(&data.join("\n")).unwrap();
                }
                continue;
            }
            let chunk = tokio::time::timeout(Duration::from_secs(5), self.response.chunk())
                .await
                .expect("an event within 5 s")
                .unwrap()
                .expect("the stream stays open");
            self.buffer.push_str(std::str::from_utf8(&chunk).unwrap());
        }
    }
}

fn call(id: &str) -> CallId {
    CallId(id.into())
}

fn ringing(id: &str, extension: &str, number: Option<&str>) -> CallUpdate {
    CallUpdate::Ringing {
        call_id: call(id),
        extension: extension.into(),
        other_party: number.map(str::to_owned),
        direction: if number.is_some() {
            CallDirection::Inbound
        } else {
            CallDirection::Internal
        },
    }
}

fn answered(id: &str, extension: &str, number: &str) -> CallUpdate {
    CallUpdate::Answered {
        call_id: call(id),
        extension: extension.into(),
        other_party: Some(number.into()),
    }
}

#[tokio::test]
async fn a_known_caller_rings_then_talks_then_ends_with_its_record() {
    let panel = Panel::start(true).await;
    let token = panel.agent("ada", Some("1005")).await;
    // Ringing before the panel connects: it comes as the snapshot.
    panel.apply(ringing("c1", "1005", Some(KNOWN))).await;
    let mut stream = panel.stream(&token).await;

    let first = stream.next().await;
    assert_eq!(first["call_id"], "c1");
    assert_eq!(first["extension"], "1005");
    assert_eq!(first["state"], "ringing");
    assert_eq!(first["number"], KNOWN);
    assert_eq!(first["answered_elsewhere"], false);
    assert_eq!(first["record"]["name"], "Ada Lovelace");
    assert_eq!(first["record"]["module"], "Contacts");
    assert_eq!(first["record"]["url"], "https://crm.example/Contacts/c-42");

    panel.apply(answered("c1", "1005", KNOWN)).await;
    let talking = stream.next().await;
    assert_eq!(talking["state"], "talking");
    assert_eq!(talking["record"]["name"], "Ada Lovelace");

    panel
        .apply(CallUpdate::Left {
            call_id: call("c1"),
            extension: "1005".into(),
        })
        .await;
    let ended = stream.next().await;
    assert_eq!(ended["state"], "ended");
    assert_eq!(ended["record"]["url"], "https://crm.example/Contacts/c-42");
    // One lookup for the whole call.
    assert_eq!(panel.matcher.lookups.load(Ordering::SeqCst), 1);

    // A new connection sees no ended call.
    panel.apply(ringing("c2", "1005", Some("+15550999"))).await;
    let mut again = panel.stream(&token).await;
    let unknown = again.next().await;
    assert_eq!(unknown["call_id"], "c2");
    assert_eq!(unknown["record"], Value::Null);
}

#[tokio::test]
async fn a_ring_group_call_closes_for_the_others_when_one_answers() {
    let panel = Panel::start(true).await;
    let ada = panel.agent("ada", Some("1005")).await;
    let bob = panel.agent("bob", Some("1006")).await;
    let mut at_1005 = panel.stream(&ada).await;
    let mut at_1006 = panel.stream(&bob).await;

    panel.apply(ringing("g1", "1005", Some(KNOWN))).await;
    panel.apply(ringing("g1", "1006", Some(KNOWN))).await;
    panel.apply(answered("g1", "1005", KNOWN)).await;
    panel
        .apply(CallUpdate::RingStopped {
            call_id: call("g1"),
            extension: "1006".into(),
            answered_elsewhere: true,
        })
        .await;

    assert_eq!(at_1005.next().await["state"], "ringing");
    assert_eq!(at_1005.next().await["state"], "talking");
    let rang = at_1006.next().await;
    assert_eq!(rang["state"], "ringing");
    assert_eq!(rang["record"]["name"], "Ada Lovelace");
    let closed = at_1006.next().await;
    assert_eq!(closed["call_id"], "g1");
    assert_eq!(closed["state"], "ended");
    assert_eq!(closed["answered_elsewhere"], true);
    assert_eq!(panel.matcher.lookups.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn an_agent_sees_only_calls_at_their_extension_and_internal_calls_are_not_looked_up() {
    let panel = Panel::start(true).await;
    let carol = panel.agent("carol", Some("1007")).await;
    let mut at_1007 = panel.stream(&carol).await;

    panel.apply(ringing("x1", "1005", Some(KNOWN))).await;
    panel.apply(ringing("x2", "1007", None)).await;

    // The first event carol gets is her own (internal) call, not 1005's.
    let own = at_1007.next().await;
    assert_eq!(own["call_id"], "x2");
    assert_eq!(own["number"], Value::Null);
    assert_eq!(own["record"], Value::Null);
    assert_eq!(panel.matcher.lookups.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn refusals_no_extension_unauthenticated_and_no_hub() {
    let panel = Panel::start(true).await;
    let token = panel.agent("dave", None).await;
    let response = panel.connect(Some(&token)).await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "no_extension");

    assert_eq!(panel.connect(None).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        panel.connect(Some("rbt_not-a-token")).await.status(),
        StatusCode::UNAUTHORIZED
    );

    let without = Panel::start(false).await;
    let token = without.agent("erin", Some("1008")).await;
    let response = without.connect(Some(&token)).await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "live_calls_unavailable");
}
