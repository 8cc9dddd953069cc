//! Starts and owns the engine's workers.

use std::sync::Arc;
use std::time::Duration;

use ringbridge_core::crm::CrmError;
use ringbridge_core::pbx::PbxError;
use ringbridge_core::usermap::UserMap;
use tokio::task::JoinHandle;

use crate::context::EngineContext;
use crate::jobs;

#[derive(Debug, thiserror::Error)]
pub enum MappingError {
    #[error("cannot list the PBX's extensions: {0}")]
    Pbx(#[from] PbxError),
    #[error("cannot list the CRM's users: {0}")]
    Crm(#[from] CrmError),
}

/// The running engine: one worker per job kind on this node.
pub struct Engine {
    ctx: Arc<EngineContext>,
    workers: Vec<JoinHandle<()>>,
}

impl Engine {
    pub fn start(ctx: Arc<EngineContext>) -> Self {
        let workers = vec![
            spawn(ctx.clone(), "process", |c| {
                Box::pin(async move { jobs::process::run(&c).await })
            }),
            spawn(ctx.clone(), "write", |c| {
                Box::pin(async move { jobs::write::run(&c).await })
            }),
            spawn(ctx.clone(), "create", |c| {
                Box::pin(async move { jobs::create::run(&c).await })
            }),
            spawn(ctx.clone(), "phonebook", |c| {
                Box::pin(async move { jobs::phonebook::run(&c).await })
            }),
            spawn(ctx.clone(), "phonebridge", |c| {
                Box::pin(async move { jobs::notify::run(&c).await })
            }),
            spawn(ctx.clone(), "notes", |c| {
                Box::pin(async move { jobs::annotate::run(&c).await })
            }),
            spawn(ctx.clone(), "tasks", |c| {
                Box::pin(async move { jobs::tasks::run(&c).await })
            }),
        ];
        Self { ctx, workers }
    }

    pub fn context(&self) -> &Arc<EngineContext> {
        &self.ctx
    }

    /// Re-maps extensions to users every `every` (new staff, changed e-mails).
    pub fn keep_user_map_fresh(&mut self, every: Duration) {
        let ctx = self.ctx.clone();
        self.workers.push(tokio::spawn(async move {
            loop {
                tokio::time::sleep(every).await;
                if let Err(err) = refresh_user_map(&ctx).await {
                    tracing::warn!(error = %err, "could not refresh the extension-to-user map; keeping the previous one");
                }
            }
        }));
    }

    /// Maps extensions to CRM users first (a failure is logged: calls are
    /// then logged without an owner until a later mapping works), then
    /// starts the workers and re-maps every `remap_every`. No call is
    /// processed before the first mapping was tried.
    pub async fn start_mapped(ctx: Arc<EngineContext>, remap_every: Duration) -> Self {
        if let Err(err) = refresh_user_map(&ctx).await {
            tracing::warn!(error = %err, "could not map extensions to CRM users yet; calls are logged without an owner until it works");
        }
        let mut engine = Self::start(ctx);
        engine.keep_user_map_fresh(remap_every);
        engine
    }

    /// [`Self::start_mapped`] in the background: the service is ready
    /// without waiting for the PBX and the CRM to answer, and still no call
    /// waiting in the outbox is processed without its owner merely because
    /// the map was not made yet.
    pub fn start_after_first_mapping(ctx: Arc<EngineContext>, remap_every: Duration) -> Self {
        let first = ctx.clone();
        let starter = tokio::spawn(async move {
            let engine = Self::start_mapped(first, remap_every).await;
            // Aborting the starter (`stop`) drops this and stops the workers.
            let _running = StopOnDrop(Some(engine));
            std::future::pending::<()>().await;
        });
        Self {
            ctx,
            workers: vec![starter],
        }
    }

    pub fn stop(self) {
        for worker in self.workers {
            worker.abort();
        }
    }
}

/// Stops the engine it holds when dropped.
struct StopOnDrop(Option<Engine>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        if let Some(engine) = self.0.take() {
            engine.stop();
        }
    }
}

/// Maps extensions to CRM users by e-mail, keeping manual pairs.
async fn refresh_user_map(ctx: &EngineContext) -> Result<usize, MappingError> {
    let extensions = ctx.pbx.extensions().await?;
    let users = ctx.crm.users().await?;
    let map = UserMap::match_by_email(&extensions, &users, &ctx.users());
    let mapped = map.len();
    ctx.set_users(map);
    tracing::info!(
        mapped,
        extensions = extensions.len(),
        "extensions mapped to CRM users by e-mail"
    );
    Ok(mapped)
}

type WorkerFuture = std::pin::Pin<
    Box<dyn std::future::Future<Output = Result<(), ringbridge_core::store::StoreError>> + Send>,
>;

/// Runs a worker loop; a storage error is logged and the loop restarts
/// after a pause (the database may be restarting).
fn spawn(
    ctx: Arc<EngineContext>,
    name: &'static str,
    run: fn(Arc<EngineContext>) -> WorkerFuture,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            if let Err(err) = run(ctx.clone()).await {
                tracing::error!(worker = name, error = %err, "engine worker hit a storage error; restarting in 1 s");
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    })
}
