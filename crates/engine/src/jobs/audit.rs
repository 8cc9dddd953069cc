//! Writing the audit trail from the workers. A failed audit insert is
//! logged, not raised: the write it describes has already happened (or
//! failed), and retrying the job for the sake of its audit row would
//! repeat a remote write.

use ringbridge_core::audit::AuditEntry;

use crate::context::EngineContext;

impl EngineContext {
    /// Records one write (or refused request) in the audit trail; a failure
    /// to record is logged, never in the way of the work itself.
    pub async fn audit(&self, entry: AuditEntry) {
        if let Err(err) = self.store.record(&entry).await {
            tracing::warn!(key = %entry.key, action = %entry.action, target = %entry.target, error = %err, "could not record a write in the audit trail");
        }
    }
}
