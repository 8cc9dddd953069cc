//! Recording links over a real socket, streamed from the Yeastar simulator
//! through the real adapter.

use std::sync::Arc;
use std::time::Duration;

use axum::http::HeaderMap;
use chrono::{DateTime, Utc};
use ringbridge_core::outbox::{JobKind, OutboxStore};
use ringbridge_core::pbx::{CallRecord, Pbx};
use ringbridge_core::recording::{CapabilityError, CapabilityId, RecordingCapability};
use ringbridge_core::recording::{RecordingKeys, RecordingStore, SigningKey};
use ringbridge_core::tracker::CallOutcome;
use ringbridge_engine::RecordingLinks;
use ringbridge_sim_yeastar::{SimSettings, SimYeastar};
use ringbridge_store::testing::{TestDatabase, fresh_sqlite};
use ringbridge_store::{SecretKey, SqlStore};
use ringbridge_web::recordings::{
    BoxFuture, RecordingLinker, RecordingService, SessionCheck, load_or_create_keys, rotate_keys,
    routes,
};
use ringbridge_web::{AppState, router};
use ringbridge_yeastar::{YeastarClient, YeastarConfig};
use secrecy::SecretString;

pub struct Setup {
    pub sim: SimYeastar,
    pub store: SqlStore,
    pub service: Arc<RecordingService>,
    pub linker: RecordingLinker,
    pub url: String,
    pub call_key: String,
    /// The recording's bytes as the PBX holds them.
    pub wav: Vec<u8>,
    /// The adapter talking to the simulated PBX.
    pub pbx: Arc<YeastarClient>,
    pub db: TestDatabase,
}

fn keys() -> RecordingKeys {
    RecordingKeys::new(SigningKey::new("k1", &[7; 32]).unwrap())
}

fn sim_now(sim: &SimYeastar) -> DateTime<Utc> {
    DateTime::from_timestamp(sim.clock().now(), 0).unwrap()
}

fn outcome(record: CallRecord) -> CallOutcome {
    CallOutcome {
        call_id: record.call_id.clone(),
        direction: record.direction,
        other_party: Some(record.from_number.clone()),
        internal_parties: None,
        answered: true,
        initiator: None,
        talked: vec![record.to_number.clone()],
        rang: vec![record.to_number.clone()],
        via: None,
        record,
    }
}

/// An answered, recorded inbound call on the simulated PBX, its
/// `ProcessCall` job in the store, and ringbridge serving recordings.
pub async fn setup() -> Setup {
    let sim = SimYeastar::start(SimSettings::for_tests()).await.unwrap();
    let start = sim_now(&sim);
    sim.play_builtin("inbound_answered").await.unwrap();
    let mut config = YeastarConfig::new(
        &sim.base_url(),
        sim.client_id(),
        SecretString::from(sim.client_secret().to_owned()),
        chrono_tz::UTC,
    )
    .unwrap();
    config.request_timeout = Duration::from_secs(5);
    config.connect_timeout = Duration::from_secs(5);
    let pbx = Arc::new(YeastarClient::new(config).unwrap());
    let records = pbx
        .call_records(start, sim_now(&sim) + chrono::Duration::seconds(1))
        .await
        .unwrap();
    let record = records
        .into_iter()
        .find(|r| r.recording.is_some())
        .expect("a recorded call");
    let file = record.recording.clone().unwrap();
    let wav = sim
        .recordings()
        .into_iter()
        .find(|r| r.file == file.0)
        .expect("the PBX holds the file")
        .bytes
        .to_vec();

    let db = fresh_sqlite();
    let store = SqlStore::open(&db.url, SecretKey::generate())
        .await
        .unwrap();
    let call_key = format!("pbx:{}", record.call_id.0);
    let payload = serde_json::to_string(&outcome(record)).unwrap();
    store
        .enqueue(JobKind::ProcessCall, &call_key, &payload, Utc::now())
        .await
        .unwrap();

    let service = Arc::new(RecordingService::new(
        keys(),
        Arc::new(store.clone()),
        Arc::new(store.clone()),
        pbx.clone(),
    ));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    // The service's whole router, as `serve` builds it.
    let shared = Arc::new(store.clone());
    let state = AppState::new(shared.clone(), shared, None).with_recordings(service.clone());
    tokio::spawn(ringbridge_web::serve(
        listener,
        router(state, None),
        std::future::pending(),
    ));
    Setup {
        sim,
        store,
        service,
        linker: RecordingLinker::new(&format!("{url}/"), keys()),
        url,
        call_key,
        wav,
        pbx,
        db,
    }
}

pub async fn get(url: &str, range: Option<&str>) -> reqwest::Response {
    let mut request = reqwest::Client::new().get(url);
    if let Some(range) = range {
        request = request.header("range", range);
    }
    request.send().await.unwrap()
}

fn header(response: &reqwest::Response, name: &str) -> String {
    response
        .headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

pub async fn refused(response: reqwest::Response, status: u16, says: &str) {
    assert_eq!(response.status(), status);
    assert!(header(&response, "content-type").starts_with("text/html"));
    let page = response.text().await.unwrap();
    assert!(page.contains(says), "{says:?} not in {page}");
}

#[tokio::test]
async fn a_link_plays_the_whole_recording_and_is_remembered() {
    let s = setup().await;
    let link = s.linker.link(&s.call_key);
    assert!(
        link.starts_with(&format!("{}/recordings/", s.url)),
        "{link}"
    );

    let response = get(&link, None).await;
    assert_eq!(response.status(), 200);
    assert_eq!(header(&response, "content-type"), "audio/wav");
    assert_eq!(header(&response, "accept-ranges"), "bytes");
    assert_eq!(header(&response, "content-length"), s.wav.len().to_string());
    let body = response.bytes().await.unwrap();
    assert!(body.starts_with(b"RIFF") && &body[8..12] == b"WAVE");
    assert_eq!(body, s.wav);

    let links = s.store.links_for_call(&s.call_key).await.unwrap();
    assert_eq!(links.len(), 1);
    assert!(links[0].recording.is_some(), "{links:?}");
    assert_eq!(links[0].revoked_at, None);
}

#[tokio::test]
async fn ranges_seek_with_206_and_content_range() {
    let s = setup().await;
    let link = s.linker.link(&s.call_key);
    let total = s.wav.len();

    let part = get(&link, Some("bytes=100-199")).await;
    assert_eq!(part.status(), 206);
    assert_eq!(
        header(&part, "content-range"),
        format!("bytes 100-199/{total}")
    );
    assert_eq!(header(&part, "content-length"), "100");
    assert_eq!(part.bytes().await.unwrap(), s.wav[100..200]);

    let tail = get(&link, Some(&format!("bytes={}-", total - 10))).await;
    assert_eq!(tail.status(), 206);
    assert_eq!(
        header(&tail, "content-range"),
        format!("bytes {}-{}/{total}", total - 10, total - 1)
    );
    assert_eq!(tail.bytes().await.unwrap(), s.wav[total - 10..]);

    // A suffix is cut here from the whole file.
    let suffix = get(&link, Some("bytes=-16")).await;
    assert_eq!(suffix.status(), 206);
    assert_eq!(
        header(&suffix, "content-range"),
        format!("bytes {}-{}/{total}", total - 16, total - 1)
    );
    assert_eq!(suffix.bytes().await.unwrap(), s.wav[total - 16..]);

    // An end past the file is clipped to it.
    let clipped = get(&link, Some(&format!("bytes={}-{}", total - 4, total + 50))).await;
    assert_eq!(clipped.status(), 206);
    assert_eq!(clipped.bytes().await.unwrap(), s.wav[total - 4..]);

    let beyond = get(&link, Some(&format!("bytes={total}-"))).await;
    assert_eq!(beyond.status(), 416);
    assert_eq!(header(&beyond, "content-range"), format!("bytes */{total}"));

    let head = reqwest::Client::new().head(&link).send().await.unwrap();
    assert_eq!(head.status(), 200);
    assert_eq!(header(&head, "content-length"), total.to_string());
    assert_eq!(header(&head, "accept-ranges"), "bytes");
    assert!(head.bytes().await.unwrap().is_empty());
}

#[tokio::test]
async fn altered_and_foreign_links_are_refused_with_a_page() {
    let s = setup().await;
    let link = s.linker.link(&s.call_key);
    let (base, token) = link.rsplit_once('/').unwrap();

    // One character changed in the middle of the token.
    let mut chars: Vec<char> = token.chars().collect();
    let middle = chars.len() / 2;
    chars[middle] = if chars[middle] == 'A' { 'B' } else { 'A' };
    let altered = format!("{base}/{}", chars.into_iter().collect::<String>());
    refused(get(&altered, None).await, 403, "altered").await;

    let other_server = RecordingLinker::new(
        &s.url,
        RecordingKeys::new(SigningKey::new("k1", &[8; 32]).unwrap()),
    );
    refused(
        get(&other_server.link(&s.call_key), None).await,
        403,
        "altered",
    )
    .await;

    let retired_key = RecordingLinker::new(
        &s.url,
        RecordingKeys::new(SigningKey::new("k0", &[7; 32]).unwrap()),
    );
    refused(
        get(&retired_key.link(&s.call_key), None).await,
        403,
        "no longer accepted",
    )
    .await;

    let cut = &link[..link.len() - 20];
    let response = get(cut, None).await;
    assert!(matches!(response.status().as_u16(), 403 | 404));

    refused(
        get(&format!("{}/recordings/%3Cscript%3E", s.url), None).await,
        404,
        "not a valid recording link",
    )
    .await;
    assert_eq!(s.sim.request_count("download"), 0, "the PBX was not asked");
}

#[tokio::test]
async fn revoked_links_are_gone() {
    let s = setup().await;
    let opened = s.linker.link(&s.call_key);
    assert_eq!(get(&opened, None).await.status(), 200);
    let pasted = s.linker.link(&s.call_key);

    // One link, pasted by an admin, before anyone opened it.
    s.service.revoke_link_text(&pasted).await.unwrap();
    refused(get(&pasted, None).await, 410, "revoked").await;
    assert_eq!(get(&opened, None).await.status(), 200, "only that link");

    // The whole call: links already sent, opened or not.
    let sent = s.linker.link(&s.call_key);
    s.store.revoke_call(&s.call_key, Utc::now()).await.unwrap();
    refused(get(&opened, None).await, 410, "revoked").await;
    refused(get(&sent, None).await, 410, "revoked").await;
}

#[tokio::test]
async fn expired_links_say_so() {
    let s = setup().await;
    let linker = s.linker.clone().with_ttl(chrono::Duration::hours(1));
    let now = Utc::now();
    let fresh = linker.url(&linker.capability(&s.call_key, None, now));
    assert_eq!(get(&fresh, None).await.status(), 200);
    let old = linker.url(&linker.capability(&s.call_key, None, now - chrono::Duration::hours(2)));
    refused(get(&old, None).await, 410, "expired").await;
}

#[tokio::test]
async fn a_call_without_a_recording_is_not_found() {
    let s = setup().await;
    refused(
        get(&s.linker.link("pbx:no-such-call"), None).await,
        404,
        "no recording",
    )
    .await;
}

#[tokio::test]
async fn an_unreachable_pbx_is_a_bad_gateway() {
    let s = setup().await;
    let link = s.linker.link(&s.call_key);
    s.sim.stop().await;
    refused(get(&link, None).await, 502, "cannot be reached").await;
}

/// Signed in when the request carries `x-test-session: yes`.
struct HeaderSession {
    sign_in_page: Option<&'static str>,
}

impl SessionCheck for HeaderSession {
    fn signed_in<'a>(&'a self, headers: &'a HeaderMap) -> BoxFuture<'a, bool> {
        let yes = headers
            .get("x-test-session")
            .is_some_and(|v| v.as_bytes() == b"yes");
        Box::pin(async move { yes })
    }

    fn sign_in_url(&self, return_to: &str) -> Option<String> {
        self.sign_in_page
            .map(|page| format!("{page}?next={return_to}"))
    }
}

#[tokio::test]
async fn sign_in_can_be_required_on_top_of_the_link() {
    let s = setup().await;
    let link = s.linker.link(&s.call_key);
    s.service.set_require_sign_in(true);
    // No session check wired: refused rather than open.
    refused(get(&link, None).await, 401, "Sign in").await;

    let service = RecordingService::new(
        keys(),
        Arc::new(s.store.clone()),
        Arc::new(s.store.clone()),
        Arc::new(
            YeastarClient::new(
                YeastarConfig::new(
                    &s.sim.base_url(),
                    s.sim.client_id(),
                    SecretString::from(s.sim.client_secret().to_owned()),
                    chrono_tz::UTC,
                )
                .unwrap(),
            )
            .unwrap(),
        ),
    )
    .with_session_check(Arc::new(HeaderSession {
        sign_in_page: Some("/signin"),
    }));
    service.set_require_sign_in(true);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(ringbridge_web::serve(
        listener,
        routes(Arc::new(service)),
        std::future::pending(),
    ));
    let link = link.replace(&s.url, &url);
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let anonymous = no_redirects.get(&link).send().await.unwrap();
    assert_eq!(anonymous.status(), 303);
    let location = header(&anonymous, "location");
    assert!(
        location.starts_with("/signin?next=/recordings/"),
        "{location}"
    );

    let signed_in = no_redirects
        .get(&link)
        .header("x-test-session", "yes")
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status(), 200);
    assert_eq!(signed_in.bytes().await.unwrap(), s.wav);
}

#[tokio::test]
async fn signing_keys_are_kept_in_the_store_and_rotate() {
    let db = fresh_sqlite();
    let store = SqlStore::open(&db.url, SecretKey::generate())
        .await
        .unwrap();
    let capability = RecordingCapability {
        id: CapabilityId([1; 16]),
        call_key: "pbx:1".into(),
        recording: None,
        // Links carry whole seconds.
        issued_at: DateTime::from_timestamp(Utc::now().timestamp(), 0).unwrap(),
        expires_at: None,
    };
    let first = load_or_create_keys(&store).await.unwrap();
    let token = first.sign(&capability);
    // Another node (or a restart) loads the same keys.
    let again = load_or_create_keys(&store).await.unwrap();
    assert_eq!(again.current().id(), first.current().id());
    assert_eq!(again.verify(&token, Utc::now()), Ok(capability.clone()));

    let rotated = rotate_keys(&store).await.unwrap();
    assert_ne!(rotated.current().id(), first.current().id());
    assert_ne!(rotated.sign(&capability), token);
    assert_eq!(rotated.verify(&token, Utc::now()), Ok(capability.clone()));
    assert_eq!(
        load_or_create_keys(&store).await.unwrap().current().id(),
        rotated.current().id()
    );
    // Two retired keys are kept; the third rotation drops the first key.
    rotate_keys(&store).await.unwrap();
    let last = rotate_keys(&store).await.unwrap();
    assert_eq!(last.previous().len(), 2);
    assert_eq!(
        last.verify(&token, Utc::now()),
        Err(CapabilityError::UnknownKey(first.current().id().to_owned()))
    );
}

#[tokio::test]
async fn a_refused_link_is_explained_in_the_readers_language() {
    let s = setup().await;
    let link = s.linker.link(&s.call_key);
    s.service.revoke_link_text(&link).await.unwrap();
    let chinese = reqwest::Client::new()
        .get(&link)
        .header("accept-language", "zh-CN,zh;q=0.9,en;q=0.5")
        .send()
        .await
        .unwrap();
    assert_eq!(chinese.status(), 410);
    assert_eq!(header(&chinese, "cache-control"), "no-store");
    refused(chinese, 410, "此录音链接已被撤销").await;
    // `?lang=` wins over the browser's languages; English is the default.
    refused(
        get(&format!("{link}?lang=en"), None).await,
        410,
        "has been revoked",
    )
    .await;
    refused(get(&link, None).await, 410, "has been revoked").await;
}
