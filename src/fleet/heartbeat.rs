//! Every `heartbeat_secs` the kiosk upserts one row about itself: version, camera, FACEKI's
//! last answer or failure, last check, today's counts, the outbox backlog, the local log's
//! health and the liveness mode. A kiosk that stops beating shows as offline.

use std::sync::{Arc, PoisonError};
use std::time::Duration;

use super::health::KioskHealth;
use super::store::{self, Beat, Identity, Link};
use super::{FleetError, FleetStatus, SharedLog};
use crate::camera::{Camera, CameraStatus};

/// Where the heartbeat reads the camera's state: (`streaming`, `starting`, `disconnected`,
/// `stopped`, or `none`; a detail such as the camera's name or why it is gone).
pub trait CameraProbe: Send + Sync {
    fn state(&self) -> (&'static str, String);
}

impl CameraProbe for Camera {
    fn state(&self) -> (&'static str, String) {
        match self.status() {
            CameraStatus::Starting => ("starting", String::new()),
            CameraStatus::Streaming { name, .. } => ("streaming", name),
            CameraStatus::Disconnected { reason, .. } => ("disconnected", reason),
            CameraStatus::Stopped => ("stopped", String::new()),
        }
    }
}

pub struct Heartbeat {
    pub link: Arc<Link>,
    pub log: SharedLog,
    pub health: Arc<KioskHealth>,
    pub camera: Option<Arc<dyn CameraProbe>>,
    pub identity: Identity,
    pub every: Duration,
    pub backlog_warn: u64,
    pub status: Arc<FleetStatus>,
}

impl Heartbeat {
    pub async fn run(self) {
        let mut tick = tokio::time::interval(self.every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(e) = self.beat().await {
                // The shipper reports the link's faults; a missed beat is only detail.
                tracing::debug!(error = %e, "heartbeat not sent");
                self.link.reset().await;
            }
        }
    }

    pub async fn beat(&self) -> Result<(), FleetError> {
        let beat = self.gather().await;
        let target = self.link.target().shown().to_owned();
        let client = store::timed(&target, self.link.client()).await?;
        store::timed(&target, store::upsert_beat(&client, &self.identity, &beat)).await
    }

    /// Today's counts come from the local log (they survive a restart); the rest from memory.
    pub async fn gather(&self) -> Beat {
        let log = Arc::clone(&self.log);
        let counted = tokio::task::spawn_blocking(move || {
            let guard = log.lock().unwrap_or_else(PoisonError::into_inner);
            guard.as_ref().map(|l| (l.counts_today(), l.backlog()))
        })
        .await
        .ok()
        .flatten();
        let mut counts = serde_json::Map::new();
        if let Some((Ok(today), backlog)) = counted {
            for (outcome, n) in today {
                counts.insert(outcome, n.into());
            }
            if let Ok(n) = backlog {
                self.status.set_backlog(n);
            }
        }
        let (camera, camera_detail) = self
            .camera
            .as_ref()
            .map_or(("none", String::new()), |c| c.state());
        super::metrics::camera_up(camera == "streaming");
        let h = self.health.snapshot();
        Beat {
            version: env!("CARGO_PKG_VERSION").into(),
            started_at: h.started_at,
            heartbeat_secs: i32::try_from(self.every.as_secs()).unwrap_or(i32::MAX),
            camera: camera.into(),
            camera_detail: camera_detail.chars().take(200).collect(),
            faceki_ok_at: h.faceki_ok_at,
            faceki_fail_at: h.faceki_fail_at,
            faceki_fail_kind: h.faceki_fail_kind,
            faceki_failing: h.faceki_failing,
            last_check_at: h.last_check_at,
            counts_today: serde_json::Value::Object(counts),
            backlog: i64::try_from(self.status.backlog()).unwrap_or(i64::MAX),
            backlog_warn: i64::try_from(self.backlog_warn).unwrap_or(i64::MAX),
            log_error: h.log_error.map(|e| e.chars().take(200).collect()),
            liveness_mode: h.liveness_mode,
        }
    }
}
