//! What the console last read from the PBX and the CRM for its pages: the
//! PBX's extensions and time zone, the CRM's users and picklists.
//!
//! The dashboard, the users page and the settings page show these on every
//! render. Asking each time would cost a PBX login (Yeastar allows 8 live
//! tokens per application) and Zoho API calls per page view; a short memory
//! keeps page views free while a change made at the PBX or in Zoho still
//! shows within [`FRESH_FOR`]. Applying a new configuration forgets all.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use ringbridge_core::crm::CrmUser;
use ringbridge_core::pbx::Extension;

/// How long a list read from the PBX or Zoho is shown without asking again.
pub const FRESH_FOR: Duration = Duration::from_secs(30);

#[derive(Default)]
pub struct ListCache {
    extensions: Slot<Vec<Extension>>,
    users: Slot<Vec<CrmUser>>,
    pbx_time_zone: Slot<Option<String>>,
    /// By `module/field`.
    picklists: Mutex<HashMap<String, Slot<Vec<String>>>>,
}

impl ListCache {
    pub async fn extensions<E, F>(&self, load: F) -> Result<Vec<Extension>, E>
    where
        F: Future<Output = Result<Vec<Extension>, E>>,
    {
        self.extensions.get_or(load).await
    }

    pub async fn users<E, F>(&self, load: F) -> Result<Vec<CrmUser>, E>
    where
        F: Future<Output = Result<Vec<CrmUser>, E>>,
    {
        self.users.get_or(load).await
    }

    pub async fn pbx_time_zone<E, F>(&self, load: F) -> Result<Option<String>, E>
    where
        F: Future<Output = Result<Option<String>, E>>,
    {
        self.pbx_time_zone.get_or(load).await
    }

    pub async fn picklist<E, F>(&self, module: &str, field: &str, load: F) -> Result<Vec<String>, E>
    where
        F: Future<Output = Result<Vec<String>, E>>,
    {
        let key = format!("{module}/{field}");
        let slot = self
            .picklists
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(key)
            .or_default()
            .clone();
        slot.get_or(load).await
    }

    /// The configuration changed: the next page asks again.
    pub fn forget(&self) {
        self.extensions.forget();
        self.users.forget();
        self.pbx_time_zone.forget();
        self.picklists
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }
}

/// Shared, so a picklist's slot can be used outside the map's lock.
struct Slot<T>(std::sync::Arc<Mutex<Option<(Instant, T)>>>);

impl<T> Default for Slot<T> {
    fn default() -> Self {
        Self(std::sync::Arc::new(Mutex::new(None)))
    }
}

impl<T> Clone for Slot<T> {
    fn clone(&self) -> Self {
        Self(self.0.clone())
    }
}

impl<T: Clone> Slot<T> {
    /// The remembered value while fresh, else `load`'s (remembered when it
    /// succeeds; a failure is not, so the next page tries again). Two
    /// pages loading at once may both ask: harmless, and no lock is held
    /// across the request.
    async fn get_or<E>(&self, load: impl Future<Output = Result<T, E>>) -> Result<T, E> {
        if let Some((at, value)) = self.lock().as_ref()
            && at.elapsed() < FRESH_FOR
        {
            return Ok(value.clone());
        }
        let value = load.await?;
        *self.lock() = Some((Instant::now(), value.clone()));
        Ok(value)
    }

    fn forget(&self) {
        *self.lock() = None;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<(Instant, T)>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_fresh_list_is_reused_a_failure_is_not_and_forget_asks_again() {
        let cache = ListCache::default();
        let user = |name: &str| CrmUser {
            id: name.to_owned(),
            name: name.to_owned(),
            email: None,
            active: true,
        };
        let failed: Result<Vec<CrmUser>, &str> = cache.users(async { Err("Zoho down") }).await;
        assert_eq!(failed, Err("Zoho down"));
        let first = cache.users(async { Ok::<_, &str>(vec![user("a")]) }).await;
        assert_eq!(first.unwrap()[0].id, "a");
        let cached = cache.users(async { Ok::<_, &str>(vec![user("b")]) }).await;
        assert_eq!(
            cached.unwrap()[0].id,
            "a",
            "within FRESH_FOR the list is reused"
        );
        cache.forget();
        let after = cache.users(async { Ok::<_, &str>(vec![user("c")]) }).await;
        assert_eq!(after.unwrap()[0].id, "c", "a new configuration asks again");
    }
}
