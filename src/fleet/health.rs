//! What a kiosk knows about its own health, for the heartbeat and the metrics. The runtime
//! updates it at a few points (a check finished, a check-in row written or not); the camera's
//! state is read from the camera itself when a beat goes out.

use std::sync::{Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::faceki::Outcome;

#[derive(Debug)]
pub struct KioskHealth {
    inner: Mutex<HealthState>,
}

/// A copy of the health, as of one moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HealthState {
    /// Unix seconds.
    pub started_at: i64,
    /// Last time FACEKI gave an answer about a face (any outcome but an error), Unix ms (two
    /// checks can end in the same second, and which came last matters).
    pub faceki_ok_at: Option<i64>,
    /// Unix ms.
    pub faceki_fail_at: Option<i64>,
    /// The error kind of the last failure (`auth`, `quota`, `unreachable`, ...).
    pub faceki_fail_kind: Option<String>,
    /// The last check ended in an error (FACEKI is failing now, not just once today).
    pub faceki_failing: bool,
    /// Unix ms.
    pub last_check_at: Option<i64>,
    /// Why check-ins are not being recorded locally; `None` while they are.
    pub log_error: Option<String>,
    /// `challenge` or `off` (`[liveness] mode`).
    pub liveness_mode: String,
}

impl Default for KioskHealth {
    fn default() -> Self {
        Self::new()
    }
}

impl KioskHealth {
    pub fn new() -> Self {
        Self {
            inner: Mutex::new(HealthState {
                started_at: unix_now(),
                faceki_ok_at: None,
                faceki_fail_at: None,
                faceki_fail_kind: None,
                faceki_failing: false,
                last_check_at: None,
                log_error: None,
                liveness_mode: "off".into(),
            }),
        }
    }

    /// A check ended (called by the runtime for every outcome); also counts it for metrics.
    pub fn check_finished(&self, outcome: &Outcome, took: Duration) {
        super::metrics::check_finished(outcome, took);
        let now = unix_now_ms();
        let mut s = self.lock();
        s.last_check_at = Some(now);
        match outcome {
            Outcome::Error { kind, .. } => {
                s.faceki_fail_at = Some(now);
                s.faceki_fail_kind = Some(crate::faceki::wire_name(kind));
                s.faceki_failing = true;
            }
            // Refused on the kiosk: FACEKI was not asked, so nothing is known of it.
            Outcome::NotLive { .. } => {}
            _ => {
                s.faceki_ok_at = Some(now);
                s.faceki_failing = false;
            }
        }
    }

    /// The local check-in log was written (`None`) or not (why).
    pub fn log_written(&self, error: Option<&str>) {
        self.lock().log_error = error.map(str::to_owned);
    }

    pub fn set_liveness_mode(&self, mode: &str) {
        self.lock().liveness_mode = mode.to_owned();
    }

    pub fn snapshot(&self) -> HealthState {
        self.lock().clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HealthState> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

pub fn unix_now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

pub fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::faceki::ErrorKind;

    #[test]
    fn failures_and_answers_are_kept_apart() {
        let h = KioskHealth::new();
        h.check_finished(
            &Outcome::error(ErrorKind::Auth, None, "401"),
            Duration::from_millis(5),
        );
        let s = h.snapshot();
        assert_eq!(s.faceki_fail_kind.as_deref(), Some("auth"));
        assert!(s.faceki_ok_at.is_none());
        assert!(s.faceki_failing);
        h.check_finished(&Outcome::NoMatch { code: Some(8013) }, Duration::ZERO);
        let s = h.snapshot();
        assert!(s.faceki_ok_at.is_some());
        assert!(!s.faceki_failing);
        assert_eq!(s.liveness_mode, "off");
        h.log_written(Some("disk full"));
        assert_eq!(h.snapshot().log_error.as_deref(), Some("disk full"));
    }
}
