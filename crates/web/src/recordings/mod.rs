//! Recording playback: `GET /recordings/{token}` checks the link (signed,
//! not expired, not revoked), finds the call's recording and streams it
//! from the PBX with byte ranges, so a browser's player can seek. The PBX's
//! credentials never leave ringbridge; the file is never held in memory.
//!
//! The link alone is enough by default. An administrator can also require
//! sign-in ([`RecordingService::set_require_sign_in`]); the session itself
//! is checked by whatever [`SessionCheck`] the pages provide. The link
//! policy in force (off, expire after N days) is applied when a link is
//! used, so a stricter policy reaches links already sent; a key rotation
//! read from the store ([`RecordingService::with_stored_keys`]) ends every
//! older link on every node at once.

mod linker;
mod page;
mod range;
mod sessions;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, RwLock};

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use chrono::{DateTime, Duration, Utc};
use ringbridge_core::console::RecordingLinkPolicy;
use ringbridge_core::outbox::{JobKind, OutboxStore};
use ringbridge_core::pbx::{Pbx, PbxError, RecordingRef, RecordingStream};
use ringbridge_core::recording::{
    CapabilityError, CapabilityId, IssuedLink, RecordingCapability, RecordingKeys, RecordingStore,
};
use ringbridge_core::store::{Store, StoreError};
use ringbridge_core::tracker::CallOutcome;

pub use linker::{
    KEYS_SECRET, KeySetupError, RecordingLinker, load_or_create_keys, parse_keys, replace_keys,
    rotate_keys,
};
pub use page::Refusal;
use range::{ByteRange, Window};
pub use sessions::PageSessions;

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// How the recording routes ask whether a request comes from a signed-in
/// person (implemented by the pages' sessions).
pub trait SessionCheck: Send + Sync {
    fn signed_in<'a>(&'a self, headers: &'a HeaderMap) -> BoxFuture<'a, bool>;

    /// Where to send someone who must sign in first; `return_to` is the
    /// link's path. `None` shows a page asking to sign in.
    fn sign_in_url(&self, return_to: &str) -> Option<String> {
        let _ = return_to;
        None
    }
}

/// Everything playback needs.
pub struct RecordingService {
    keys: RwLock<RecordingKeys>,
    /// Where the keys live when every node shares them: read at each use.
    key_store: Option<Arc<dyn Store>>,
    links: Arc<dyn RecordingStore>,
    outbox: Arc<dyn OutboxStore>,
    pbx: Arc<dyn Pbx>,
    require_sign_in: AtomicBool,
    policy: Mutex<RecordingLinkPolicy>,
    session: Option<Arc<dyn SessionCheck>>,
}

impl RecordingService {
    pub fn new(
        keys: RecordingKeys,
        links: Arc<dyn RecordingStore>,
        outbox: Arc<dyn OutboxStore>,
        pbx: Arc<dyn Pbx>,
    ) -> Self {
        Self {
            keys: RwLock::new(keys),
            key_store: None,
            links,
            outbox,
            pbx,
            require_sign_in: AtomicBool::new(false),
            policy: Mutex::new(RecordingLinkPolicy::UntilRevoked),
            session: None,
        }
    }

    /// Verifies links with the keys in `store` as they are at each use
    /// ([`KEYS_SECRET`]), so a rotation on any node applies at once.
    pub fn with_stored_keys(mut self, store: Arc<dyn Store>) -> Self {
        self.key_store = Some(store);
        self
    }

    /// The admin's link policy, applied when a link is used: `Off` refuses
    /// every link, `ExpireAfterDays` every link issued longer ago.
    pub fn set_policy(&self, policy: RecordingLinkPolicy) {
        *self.policy.lock().unwrap_or_else(|e| e.into_inner()) = policy;
    }

    pub fn policy(&self) -> RecordingLinkPolicy {
        *self.policy.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn with_session_check(mut self, check: Arc<dyn SessionCheck>) -> Self {
        self.session = Some(check);
        self
    }

    /// The admin's setting: links also need a signed-in session. Without a
    /// [`SessionCheck`] every request is then refused (fail closed).
    pub fn set_require_sign_in(&self, required: bool) {
        self.require_sign_in.store(required, Ordering::Relaxed);
    }

    pub fn require_sign_in(&self) -> bool {
        self.require_sign_in.load(Ordering::Relaxed)
    }

    /// The keys links are checked against now: the stored ones when the
    /// keys are shared ([`Self::with_stored_keys`]), else those given.
    pub async fn keys(&self) -> Result<RecordingKeys, Refusal> {
        if let Some(store) = &self.key_store {
            let stored = store
                .secret(KEYS_SECRET)
                .await
                .map_err(|e| unavailable(&e))?;
            if let Some(text) = stored {
                use secrecy::ExposeSecret;
                let keys = parse_keys(text.expose_secret()).map_err(|err| {
                    tracing::error!(error = %err, "stored recording keys are unreadable");
                    Refusal::Unavailable
                })?;
                *self.keys.write().unwrap_or_else(|e| e.into_inner()) = keys.clone();
                return Ok(keys);
            }
        }
        Ok(self.keys.read().unwrap_or_else(|e| e.into_inner()).clone())
    }

    /// Replaces the signing keys with one new key: every link issued
    /// before stops working, here and (through the store) on every node.
    pub async fn rotate(&self) -> Result<(), Refusal> {
        let keys = match &self.key_store {
            Some(store) => replace_keys(store.as_ref()).await.map_err(|err| {
                tracing::error!(error = %err, "recording keys not rotated");
                Refusal::Unavailable
            })?,
            None => {
                return Err(Refusal::Unavailable);
            }
        };
        *self.keys.write().unwrap_or_else(|e| e.into_inner()) = keys;
        Ok(())
    }

    /// Revokes one remembered link; `false` when unknown.
    pub async fn revoke_id(&self, id: &CapabilityId) -> Result<bool, StoreError> {
        self.links.revoke_link(id, Utc::now()).await
    }

    /// Revokes every link of a call issued until now, opened or not.
    pub async fn revoke_call(&self, call_key: &str) -> Result<u64, StoreError> {
        self.links.revoke_call(call_key, Utc::now()).await
    }

    /// The latest links seen, newest first (for the admin).
    pub async fn recent_links(&self, limit: u32) -> Result<Vec<IssuedLink>, StoreError> {
        self.links.recent_links(limit).await
    }

    /// The policy's verdict on a link issued at `issued_at`.
    fn check_policy(&self, issued_at: DateTime<Utc>, now: DateTime<Utc>) -> Result<(), Refusal> {
        match self.policy() {
            RecordingLinkPolicy::Off => Err(Refusal::Disabled),
            RecordingLinkPolicy::UntilRevoked => Ok(()),
            RecordingLinkPolicy::ExpireAfterDays(days) => {
                let until = issued_at + Duration::days(i64::from(days));
                if until <= now {
                    Err(Refusal::Link(CapabilityError::Expired(until)))
                } else {
                    Ok(())
                }
            }
        }
    }

    /// Revokes the link an admin pasted (as a full URL or the token alone),
    /// even one never opened. Returns its id.
    pub async fn revoke_link_text(&self, link: &str) -> Result<CapabilityId, Refusal> {
        let token = link.rsplit('/').next().unwrap_or(link);
        // Verified as of the earliest time: an expired link may be revoked too.
        let capability = self
            .keys()
            .await?
            .verify(token, DateTime::<Utc>::MIN_UTC)
            .map_err(Refusal::Link)?;
        let now = Utc::now();
        let revoke = async {
            self.links
                .remember_link(&IssuedLink::new(&capability))
                .await?;
            self.links.revoke_link(&capability.id, now).await
        };
        revoke.await.map_err(|e| unavailable(&e))?;
        Ok(capability.id)
    }

    /// Sign-in gate: `Some(response)` when the request may not go on.
    async fn gate(&self, headers: &HeaderMap, uri: &Uri) -> Option<Response> {
        if !self.require_sign_in() {
            return None;
        }
        let Some(session) = &self.session else {
            tracing::warn!("recordings require sign-in, but no session check is configured");
            return Some(Refusal::SignInRequired.into_response());
        };
        if session.signed_in(headers).await {
            return None;
        }
        Some(match session.sign_in_url(uri.path()) {
            Some(url) => Redirect::to(&url).into_response(),
            None => Refusal::SignInRequired.into_response(),
        })
    }

    /// Not revoked, and the recording it plays; remembers a link seen for
    /// the first time.
    async fn admit(&self, capability: &RecordingCapability) -> Result<RecordingRef, Refusal> {
        let known = self
            .links
            .recording_link(&capability.id)
            .await
            .map_err(|e| unavailable(&e))?;
        if known.as_ref().is_some_and(|l| l.revoked_at.is_some())
            || self
                .links
                .is_revoked(capability)
                .await
                .map_err(|e| unavailable(&e))?
        {
            return Err(Refusal::Revoked);
        }
        let remembered = known.as_ref().and_then(|l| l.recording.clone());
        let recording = match capability.recording.clone().or(remembered.clone()) {
            Some(r) => r,
            None => self
                .recording_of_call(&capability.call_key)
                .await?
                .ok_or(Refusal::NoRecording)?,
        };
        if remembered.is_none() {
            let link = IssuedLink {
                recording: Some(recording.clone()),
                ..IssuedLink::new(capability)
            };
            // Only the admin's list needs this; playback goes on without it.
            if let Err(err) = self.links.remember_link(&link).await {
                tracing::warn!(error = %err, "could not remember a recording link");
            }
        }
        Ok(recording)
    }

    /// The recording in the call's `ProcessCall` job (what the PBX reported).
    async fn recording_of_call(&self, call_key: &str) -> Result<Option<RecordingRef>, Refusal> {
        let job = self
            .outbox
            .job(JobKind::ProcessCall, call_key)
            .await
            .map_err(|e| unavailable(&e))?;
        let Some(job) = job else { return Ok(None) };
        match job.decode::<CallOutcome>() {
            Ok(outcome) => Ok(outcome.record.recording),
            Err(err) => {
                tracing::warn!(call = call_key, error = %err, "unreadable call outcome");
                Ok(None)
            }
        }
    }

    /// Opens the recording for `wanted`, falling back to the whole file
    /// when the PBX cannot serve the range itself.
    async fn open(
        &self,
        recording: &RecordingRef,
        wanted: Option<ByteRange>,
    ) -> Result<Reply, PbxError> {
        let asked = wanted.and_then(ByteRange::for_pbx);
        let mut stream = match self.pbx.recording(recording, asked).await {
            Ok(stream) => stream,
            // A PBX may refuse a range (416, or not at all): the whole file
            // tells its size, and the window is cut here.
            Err(err) if asked.is_some() && !is_final(&err) => {
                self.pbx.recording(recording, None).await?
            }
            Err(err) => return Err(err),
        };
        if asked.is_some() && stream.range.is_none() && stream.length.is_none() {
            // Part or whole? Unknowable without a size: take the whole file.
            stream = self.pbx.recording(recording, None).await?;
        }
        let (Some(wanted), Some(total)) = (wanted, stream.length) else {
            return Ok(Reply::Whole(stream));
        };
        let Some((first, last)) = wanted.resolve(total) else {
            return Ok(Reply::Unsatisfiable(total));
        };
        let mut starts_at = stream.range.map_or(0, |(start, _)| start);
        if first < starts_at {
            stream = self.pbx.recording(recording, None).await?;
            starts_at = 0;
        }
        Ok(Reply::Part {
            skip: first - starts_at,
            first,
            last,
            total,
            stream,
        })
    }
}

/// Errors that asking again differently would not fix.
fn is_final(err: &PbxError) -> bool {
    matches!(
        err,
        PbxError::Unavailable(_)
            | PbxError::Busy { .. }
            | PbxError::AccessDenied(_)
            | PbxError::NotFound(_)
    )
}

fn unavailable(err: &StoreError) -> Refusal {
    tracing::error!(error = %err, "recording links: storage failed");
    Refusal::Unavailable
}

enum Reply {
    Whole(RecordingStream),
    Part {
        skip: u64,
        first: u64,
        last: u64,
        total: u64,
        stream: RecordingStream,
    },
    Unsatisfiable(u64),
}

/// The recording routes, with their own state.
pub fn routes(service: Arc<RecordingService>) -> Router {
    Router::new()
        .route("/recordings/{token}", get(play))
        .layer(axum::middleware::from_fn(page::localize))
        .with_state(service)
}

async fn play(
    State(service): State<Arc<RecordingService>>,
    Path(token): Path<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    if let Some(refused) = service.gate(&headers, &uri).await {
        return refused;
    }
    let now = Utc::now();
    let keys = match service.keys().await {
        Ok(keys) => keys,
        Err(refusal) => return refusal.into_response(),
    };
    let capability = match keys.verify(&token, now) {
        Ok(capability) => capability,
        Err(err) => {
            tracing::info!(reason = %err, "recording link refused");
            return Refusal::Link(err).into_response();
        }
    };
    if let Err(refusal) = service.check_policy(capability.issued_at, now) {
        tracing::info!(?refusal, "recording link refused by the policy in force");
        return refusal.into_response();
    }
    let recording = match service.admit(&capability).await {
        Ok(recording) => recording,
        Err(refusal) => return refusal.into_response(),
    };
    let wanted = headers
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
        .and_then(ByteRange::parse);
    match service.open(&recording, wanted).await {
        Ok(reply) => respond(reply, method == Method::HEAD),
        Err(err) => {
            tracing::warn!(call = %capability.call_key, error = %err, "recording not fetched");
            match err {
                PbxError::NotFound(_) | PbxError::Rejected { .. } => Refusal::GoneFromPbx,
                _ => Refusal::PbxUnreachable,
            }
            .into_response()
        }
    }
}

fn respond(reply: Reply, head: bool) -> Response {
    let (status, stream, window, content_range) = match reply {
        Reply::Unsatisfiable(total) => {
            let mut response = StatusCode::RANGE_NOT_SATISFIABLE.into_response();
            set(
                &mut response,
                header::CONTENT_RANGE,
                &format!("bytes */{total}"),
            );
            set(&mut response, header::ACCEPT_RANGES, "bytes");
            return response;
        }
        Reply::Whole(stream) => {
            let length = stream.length;
            (StatusCode::OK, stream, (0, length), None)
        }
        Reply::Part {
            skip,
            first,
            last,
            total,
            stream,
        } => (
            StatusCode::PARTIAL_CONTENT,
            stream,
            (skip, Some(last - first + 1)),
            Some(format!("bytes {first}-{last}/{total}")),
        ),
    };
    let (skip, length) = window;
    let body = if head {
        Body::empty()
    } else {
        Body::from_stream(Window::new(stream.body, skip, length))
    };
    let mut response = (status, body).into_response();
    set(&mut response, header::CONTENT_TYPE, &stream.content_type);
    set(&mut response, header::ACCEPT_RANGES, "bytes");
    if let Some(length) = length {
        set(&mut response, header::CONTENT_LENGTH, &length.to_string());
    }
    if let Some(range) = content_range {
        set(&mut response, header::CONTENT_RANGE, &range);
    }
    // Recordings are personal data: no shared or lasting copies.
    set(&mut response, header::CACHE_CONTROL, "private, no-store");
    set(&mut response, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(&mut response, header::CONTENT_DISPOSITION, "inline");
    response
}

fn set(response: &mut Response, name: header::HeaderName, value: &str) {
    match HeaderValue::from_str(value) {
        Ok(value) => {
            response.headers_mut().insert(name, value);
        }
        Err(_) => tracing::warn!(header = %name, "header value not sent: not valid in HTTP"),
    }
}
