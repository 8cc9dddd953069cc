//! A complete ringbridge on one machine: the Yeastar and Zoho simulators,
//! the real adapters talking to them over loopback, storage, ingest and the
//! engine. The demo runs on it, and so do the end-to-end tests.

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use ringbridge_core::console::CrmMode;
use ringbridge_core::crm::Crm;
use ringbridge_core::outbox::{JobKind, OutboxCounts};
use ringbridge_core::pbx::Pbx;
use ringbridge_core::phone::NumberPlan;
use ringbridge_core::settings::EngineSettings;
use ringbridge_core::store::Storage;
use ringbridge_engine::directory::{DirectoryService, RefreshTask};
use ringbridge_engine::live::LiveCalls;
use ringbridge_engine::{
    Engine, Generation, IngestConfig, Ingested, PbxStream, StreamStatus, Tuning,
};
use ringbridge_sim_yeastar::{SimSettings, SimYeastar};
use ringbridge_sim_zoho::{SimConfig, SimZoho};
use ringbridge_store::{SecretKey, SqlStore};
use ringbridge_web::AppState;
use ringbridge_web::recordings::{
    PageSessions, RecordingLinker, RecordingService, load_or_create_keys,
};
use ringbridge_yeastar::{EventStreamConfig, YeastarClient, YeastarConfig};
use ringbridge_zoho::crm::{ZohoCrm, ZohoCrmConfig};
use ringbridge_zoho::{ConnectionOptions, ZohoConnection};
use secrecy::SecretString;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use url::Url;

use crate::serve::crm::{
    CrmRuntime, EngineInputs, ZohoEndpoints, call_marker_key, start_engine, zoho_connection,
};
use crate::serve::phonebridge::{self, PhoneBridge};

/// The scopes the test world's Zoho grant has: the ones ringbridge asks an
/// admin for (one list, `ringbridge_zoho::oauth::DEFAULT_SCOPES`).
pub const ZOHO_SCOPES: &[&str] = ringbridge_zoho::oauth::DEFAULT_SCOPES;

pub struct WorldOptions {
    /// `None`: SQLite in a fresh temporary directory.
    pub database_url: Option<String>,
    pub settings: EngineSettings,
    pub tuning: Tuning,
    pub plan: NumberPlan,
    pub pbx: SimSettings,
    pub zoho: SimConfig,
    pub ingest: IngestConfig,
    pub events: EventStreamConfig,
    pub zoho_options: ConnectionOptions,
    /// Start in PhoneBridge mode (Zoho pops and logs calls from
    /// ringbridge's notifications; no REST call logs). Either way the mode
    /// can be switched later with `World::phonebridge`.
    pub phonebridge: bool,
}

impl Default for WorldOptions {
    fn default() -> Self {
        let timing = crate::config::Timing::default();
        let mut ingest = timing.ingest("pbx");
        ingest.tick = Duration::from_millis(500);
        ingest.settle = chrono::Duration::milliseconds(200);
        // The simulator plays calls faster than real time, so its clock runs
        // ahead of ours: catch-up must look far past our clock.
        ingest.clock_skew = chrono::Duration::days(30);
        ingest.reconcile_every = Some(Duration::from_secs(3));
        Self {
            database_url: None,
            settings: EngineSettings::default(),
            tuning: Tuning {
                flush_delay: Duration::from_millis(500),
                poll: Duration::from_millis(200),
                ..timing.tuning()
            },
            plan: NumberPlan::new("US").expect("US is a country"),
            pbx: SimSettings::default(),
            zoho: SimConfig::default(),
            ingest,
            events: EventStreamConfig::default(),
            zoho_options: ConnectionOptions::default(),
            phonebridge: false,
        }
    }
}

pub struct World {
    pub pbx_sim: SimYeastar,
    pub zoho_sim: SimZoho,
    pub store: SqlStore,
    pub yeastar: YeastarClient,
    pub zoho: ZohoConnection,
    pub crm: Arc<ZohoCrm>,
    pub engine: Engine,
    pub directory: Arc<DirectoryService>,
    pub stream: watch::Receiver<StreamStatus>,
    pub updates: Option<mpsc::Receiver<Ingested>>,
    /// The refresh token the Zoho connection uses (tests revoke it).
    pub zoho_refresh_token: String,
    /// The running pipeline (ingest under the stream lease, the fan-out,
    /// PhoneBridge's notifier), built as `serve` builds it.
    generation: Generation,
    /// ringbridge's HTTP surface (recordings, health, pages) for this world.
    pub http_url: String,
    /// Recording playback (tests switch "require sign-in" on).
    pub recordings: Arc<RecordingService>,
    /// PhoneBridge (registration, notifier); in REST mode until switched.
    pub phonebridge: Arc<PhoneBridge>,
    http: JoinHandle<std::io::Result<()>>,
    _refresh: RefreshTask,
    _data_dir: Option<tempfile::TempDir>,
}

impl World {
    pub async fn start(options: WorldOptions) -> Result<Self> {
        let pbx_sim = SimYeastar::start(options.pbx)
            .await
            .context("starting the Yeastar simulator")?;
        let zoho_sim = SimZoho::start(options.zoho)
            .await
            .context("starting the Zoho simulator")?;

        let (url, data_dir) = match options.database_url {
            Some(url) => (url, None),
            None => {
                let dir = tempfile::tempdir()?;
                (
                    format!("sqlite://{}", dir.path().join("ringbridge.db").display()),
                    Some(dir),
                )
            }
        };
        let store = SqlStore::open(&url, SecretKey::generate()).await?;
        let storage: Arc<dyn Storage> = Arc::new(store.clone());

        let yeastar = YeastarClient::new(YeastarConfig::new(
            &pbx_sim.base_url(),
            pbx_sim.client_id(),
            SecretString::from(pbx_sim.client_secret().to_owned()),
            chrono_tz::UTC,
        )?)?;

        let (zoho, zoho_refresh_token) = connect_zoho(&zoho_sim, options.zoho_options)?;
        let mode = if options.phonebridge {
            CrmMode::PhoneBridge
        } else {
            CrmMode::Rest
        };
        let crm = Arc::new(ZohoCrm::new(
            zoho.rest(),
            ZohoCrmConfig {
                marker_key: call_marker_key(&store),
                ..ZohoCrmConfig::default()
            },
        ));
        let crm_port: Arc<dyn Crm> = crm.clone();
        let pbx_port: Arc<dyn Pbx> = Arc::new(yeastar.clone());
        // ringbridge's own HTTP surface, so recording links in call logs work.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let http_url = format!("http://{}", listener.local_addr()?);
        let keys = load_or_create_keys(&store).await?;
        let inputs = EngineInputs {
            pbx: pbx_port.clone(),
            pbx_id: options.ingest.pbx_id.clone(),
            plan: options.plan,
            settings: options.settings,
            tuning: options.tuning,
            recordings: Some(Arc::new(RecordingLinker::new(&http_url, keys.clone()))),
            // Deterministic starts: the first call already has its owner.
            wait_for_users: true,
        };
        let CrmRuntime {
            engine,
            directory,
            refresh,
            ..
        } = start_engine(crm_port.clone(), &store, inputs).await?;
        let live = Arc::new(
            LiveCalls::new(directory.clone(), crm_port).with_engine(engine.context().clone()),
        );
        let mut generation = Generation::new(CancellationToken::new());
        let phonebridge = phonebridge::start(
            engine.context().clone(),
            &zoho,
            storage.clone(),
            &http_url,
            mode,
            &mut generation,
        )
        .await
        .context("PhoneBridge")?;
        // Deterministic starts: the directory holds the CRM's numbers before calls come.
        let mut sync = directory.sync_status();
        tokio::time::timeout(
            Duration::from_secs(20),
            sync.wait_for(|s| s.last_ok_at.is_some()),
        )
        .await
        .context("the phone directory's first sync did not finish")??;
        let state = AppState::new(storage.clone(), Arc::new(store.clone()), None)
            .with_live(live.clone())
            .with_engine(engine.context().clone())
            .with_phonebridge(phonebridge.registration.clone());
        // Signed-in sessions are what "recordings require sign-in" checks.
        let recordings = Arc::new(
            RecordingService::new(
                keys,
                Arc::new(store.clone()),
                Arc::new(store.clone()),
                pbx_port.clone(),
            )
            .with_session_check(Arc::new(PageSessions::new(&state))),
        );
        let state = state.with_recordings(recordings.clone());
        let http = tokio::spawn(ringbridge_web::serve(
            listener,
            ringbridge_web::router(state, None),
            std::future::pending(),
        ));

        let mut ingest_config = options.ingest;
        ingest_config.number_plan = engine.context().plan.clone();
        let stream = generation.ingest(PbxStream {
            store: storage,
            pbx: pbx_port,
            source: Arc::new(yeastar.event_source(options.events)),
            ingest: ingest_config,
            lease_ttl: Duration::from_secs(crate::config::Timing::default().ingest_lease_secs),
        });
        // Live updates feed the agents' panel hub, then whoever watches (the demo's view).
        generation.with_live(live);
        let updates = generation.feed(4096);
        generation.fan_out();
        let world = Self {
            pbx_sim,
            zoho_sim,
            store,
            yeastar,
            zoho,
            crm,
            engine,
            directory,
            stream,
            updates: Some(updates),
            zoho_refresh_token,
            generation,
            http_url,
            recordings,
            phonebridge,
            http,
            _refresh: refresh,
            _data_dir: data_dir,
        };
        world.wait_connected(Duration::from_secs(10)).await?;
        Ok(world)
    }

    async fn wait_connected(&self, timeout: Duration) -> Result<()> {
        let mut status = self.stream.clone();
        tokio::time::timeout(timeout, status.wait_for(|s| *s == StreamStatus::Connected))
            .await
            .context("the PBX event stream did not connect")??;
        Ok(())
    }

    /// Outbox counts summed over every job kind.
    pub async fn outbox(&self) -> Result<OutboxCounts> {
        let mut total = OutboxCounts::default();
        for kind in JobKind::ALL {
            let c = ringbridge_core::outbox::OutboxStore::counts(&self.store, kind).await?;
            total.pending += c.pending;
            total.in_flight += c.in_flight;
            total.done += c.done;
            total.failed += c.failed;
        }
        Ok(total)
    }

    pub async fn counts(&self, kind: JobKind) -> Result<OutboxCounts> {
        Ok(ringbridge_core::outbox::OutboxStore::counts(&self.store, kind).await?)
    }

    /// Waits until `expected_calls` calls were queued and no job is left
    /// pending or in flight.
    pub async fn settle(&self, expected_calls: u64, timeout: Duration) -> Result<OutboxCounts> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let calls = self.counts(JobKind::ProcessCall).await?;
            let all = self.outbox().await?;
            if calls.pending + calls.in_flight + calls.done + calls.failed >= expected_calls
                && all.pending + all.in_flight == 0
            {
                return Ok(all);
            }
            if tokio::time::Instant::now() >= deadline {
                anyhow::bail!(
                    "not settled after {timeout:?}: {expected_calls} calls expected; processing {calls:?}, all jobs {all:?}"
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn stop(self) {
        self.generation.stop().await;
        self.http.abort();
        self.engine.stop();
        self.yeastar.shutdown().await;
        self.store.close().await;
    }
}

/// A Zoho connection to the simulator, as an admin's consent would have made it.
fn connect_zoho(sim: &SimZoho, options: ConnectionOptions) -> Result<(ZohoConnection, String)> {
    let tokens = sim.issue_tokens(ZOHO_SCOPES);
    let endpoints = ZohoEndpoints {
        client_id: sim.client_id().to_owned(),
        client_secret: SecretString::from(sim.client_secret().to_owned()),
        redirect_uri: Url::parse(&sim.config().redirect_uris[0])?,
        accounts_server: Url::parse(sim.accounts_url())?,
        api_domain: Url::parse(sim.api_url())?,
    };
    let refresh = tokens.refresh_token.clone();
    Ok((
        zoho_connection(
            endpoints,
            SecretString::from(tokens.refresh_token),
            options,
            None,
        ),
        refresh,
    ))
}
