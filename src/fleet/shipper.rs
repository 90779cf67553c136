//! Sends unsent check-ins from the local log to the fleet store: oldest first, in batches,
//! each batch one idempotent insert, then marked sent locally. A crash between the two only
//! means the batch goes again and the store skips the UUIDs it has: nothing lost, nothing
//! twice. While the store cannot be reached it backs off (1 s doubling to a minute) and tries
//! again; the local log keeps everything meanwhile.

use std::sync::{Arc, PoisonError};
use std::time::{Duration, SystemTime};

use tokio::sync::Notify;

use super::store::{self, Identity, Link};
use super::{FleetError, FleetStatus, SharedLog};
use crate::checkin::Unsent;

/// How often the shipper looks for new rows when nobody woke it.
const IDLE_POLL: Duration = Duration::from_secs(5);
const MAX_BACKOFF: Duration = Duration::from_secs(60);

pub struct Shipper {
    pub link: Arc<Link>,
    pub log: SharedLog,
    pub identity: Identity,
    pub batch_size: u32,
    pub status: Arc<FleetStatus>,
    pub wake: Arc<Notify>,
}

impl Shipper {
    pub async fn run(self) {
        let mut backoff = Backoff::default();
        let mut last_error: Option<String> = None;
        loop {
            match self.ship_some().await {
                Ok(sent) => {
                    if last_error.take().is_some() {
                        tracing::info!("the fleet database is reachable again");
                    }
                    self.status.set_error(None);
                    backoff.reset();
                    if sent == 0 {
                        // Nothing waiting: sleep until a row is written (or the poll).
                        let _ = tokio::time::timeout(IDLE_POLL, self.wake.notified()).await;
                    }
                }
                Err(e) => {
                    let shown = e.to_string();
                    // Once per distinct fault, not once per retry.
                    if last_error.as_deref() != Some(shown.as_str()) {
                        if e.needs_person() {
                            tracing::error!(error = %e, "check-ins cannot be sent to the fleet database");
                        } else {
                            tracing::warn!(error = %e, "check-ins wait: the fleet database is not reachable");
                        }
                        last_error = Some(shown);
                    }
                    self.status.set_error(Some(&e));
                    ::metrics::counter!("faceki_kiosk_fleet_errors_total").increment(1);
                    self.link.reset().await;
                    tokio::time::sleep(backoff.next()).await;
                }
            }
        }
    }

    /// Sends one batch. Returns how many rows were in it (0: nothing waited).
    pub async fn ship_some(&self) -> Result<usize, FleetError> {
        let limit = self.batch_size;
        let batch = self.with_log(move |log| log.unsent(limit)).await?;
        if batch.is_empty() {
            self.refresh_backlog().await;
            return Ok(0);
        }
        let target = self.link.target().shown().to_owned();
        let client = store::timed(&target, self.link.client()).await?;
        let new = store::timed(&target, async {
            store::insert_checkins(&client, &self.identity, &batch).await
        })
        .await?;
        let ids: Vec<i64> = batch.iter().map(|u: &Unsent| u.id).collect();
        let n = ids.len();
        self.with_log(move |log| log.mark_shipped(&ids, SystemTime::now()))
            .await?;
        ::metrics::counter!("faceki_kiosk_fleet_shipped_total").increment(new);
        if (new as usize) < n {
            tracing::debug!(
                resent = n - new as usize,
                "check-ins the fleet database already had"
            );
        }
        self.refresh_backlog().await;
        Ok(n)
    }

    async fn refresh_backlog(&self) {
        match self.with_log(|log| log.backlog()).await {
            Ok(n) => self.status.set_backlog(n),
            Err(e) => tracing::debug!(error = %e, "backlog not counted"),
        }
    }

    /// Runs `f` on the log on a blocking thread (SQLite is synchronous).
    async fn with_log<T: Send + Default + 'static>(
        &self,
        f: impl FnOnce(&mut crate::checkin::CheckinLog) -> Result<T, crate::checkin::LogError>
        + Send
        + 'static,
    ) -> Result<T, FleetError> {
        let log = Arc::clone(&self.log);
        tokio::task::spawn_blocking(move || {
            let mut guard = log.lock().unwrap_or_else(PoisonError::into_inner);
            match guard.as_mut() {
                Some(log) => f(log).map_err(FleetError::from),
                // No log, nothing to send (already reported at start).
                None => Ok(T::default()),
            }
        })
        .await
        .map_err(|e| FleetError::Task(e.to_string()))?
    }
}

/// Exponential back-off with a little jitter, so a thousand kiosks do not reconnect in step
/// after the database comes back.
#[derive(Debug, Default)]
struct Backoff {
    failures: u32,
}

impl Backoff {
    fn next(&mut self) -> Duration {
        self.failures = self.failures.saturating_add(1);
        let base = Duration::from_secs(1 << (self.failures.min(7) - 1)).min(MAX_BACKOFF);
        let jitter = Duration::from_millis(rand::random::<u64>() % 500);
        base + jitter
    }

    fn reset(&mut self) {
        self.failures = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_to_a_minute() {
        let mut b = Backoff::default();
        let secs: Vec<u64> = (0..9).map(|_| b.next().as_secs()).collect();
        assert_eq!(secs, [1, 2, 4, 8, 16, 32, 60, 60, 60]);
        b.reset();
        assert_eq!(b.next().as_secs(), 1);
    }
}
