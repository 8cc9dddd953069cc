//! Single flight: at most one remote lookup per number at a time. Later
//! callers for the same number wait for the first, then find its answer in
//! the directory or the miss cache instead of asking the CRM again.

use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::sync::{Arc, Mutex, PoisonError};

#[derive(Debug)]
pub(crate) struct Flights<K> {
    gates: Mutex<HashMap<K, Arc<tokio::sync::Mutex<()>>>>,
}

impl<K> Default for Flights<K> {
    fn default() -> Self {
        Self {
            gates: Mutex::new(HashMap::new()),
        }
    }
}

impl<K: Hash + Eq + Clone> Flights<K> {
    /// Runs `work` while no other `run` for `key` is running.
    pub(crate) async fn run<F, Fut, T>(&self, key: K, work: F) -> T
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = T>,
    {
        let ticket = Ticket::new(self, key);
        // Declared after `ticket`, so dropped before it (also when this
        // future is cancelled while waiting), letting `ticket` clean up.
        let _turn = ticket.gate.lock().await;
        work().await
    }

    /// Keys with a run in flight or waiting.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.gates
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}

struct Ticket<'a, K: Hash + Eq> {
    flights: &'a Flights<K>,
    key: Option<K>,
    gate: Arc<tokio::sync::Mutex<()>>,
}

impl<'a, K: Hash + Eq + Clone> Ticket<'a, K> {
    fn new(flights: &'a Flights<K>, key: K) -> Self {
        let gate = flights
            .gates
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(key.clone())
            .or_default()
            .clone();
        Self {
            flights,
            key: Some(key),
            gate,
        }
    }
}

impl<K: Hash + Eq> Drop for Ticket<'_, K> {
    fn drop(&mut self) {
        let mut gates = self
            .flights
            .gates
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        // The map's copy and ours: nobody else holds or waits for this gate.
        if Arc::strong_count(&self.gate) == 2
            && let Some(key) = self.key.take()
        {
            gates.remove(&key);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn one_runs_at_a_time_per_key_and_the_map_empties() {
        let flights = Arc::new(Flights::<u32>::default());
        let running = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let (flights, running, most) = (flights.clone(), running.clone(), most.clone());
                tokio::spawn(async move {
                    flights
                        .run(7, || async {
                            let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                            most.fetch_max(now, Ordering::SeqCst);
                            tokio::time::sleep(Duration::from_millis(2)).await;
                            running.fetch_sub(1, Ordering::SeqCst);
                        })
                        .await
                })
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
        assert_eq!(most.load(Ordering::SeqCst), 1);
        assert_eq!(flights.len(), 0);
    }

    #[tokio::test]
    async fn a_cancelled_waiter_leaves_nothing_behind() {
        let flights = Flights::<u32>::default();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let leader = flights.run(1, || async {
            let _ = rx.await;
        });
        tokio::pin!(leader);
        // Start the leader, then a waiter that gives up.
        assert!(futures_util::poll!(&mut leader).is_pending());
        let waiter = tokio::time::timeout(Duration::from_millis(5), flights.run(1, || async {}));
        assert!(waiter.await.is_err());
        tx.send(()).unwrap();
        leader.await;
        assert_eq!(flights.len(), 0);
    }
}
