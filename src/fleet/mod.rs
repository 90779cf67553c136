//! Many branches, one view: the kiosk's check-ins and health in a central PostgreSQL, and the
//! head-office dashboard that reads them.
//!
//! The local check-in log stays the source of truth and is the outbox: [`shipper`] sends unsent
//! rows in batches with an idempotent insert and marks them; [`heartbeat`] upserts this kiosk's
//! health every `heartbeat_secs`. Both run as tokio tasks on the kiosk's runtime and share one
//! connection ([`store::Link`]); a check never waits on either. Nothing here runs while
//! `[fleet] database_url` is empty. [`metrics`] serves Prometheus text when `[metrics] listen`
//! is set, fleet or not.

pub mod auth;
pub mod dashboard;
#[cfg(unix)]
pub mod devcluster;
pub mod health;
pub mod heartbeat;
pub mod metrics;
pub mod shipper;
pub mod store;

use std::sync::{Arc, Mutex, PoisonError};

use thiserror::Error;
use tokio::sync::Notify;

use crate::checkin::CheckinLog;
use crate::config::Settings;

pub use health::KioskHealth;
pub use heartbeat::CameraProbe;
pub use store::{Link, SCHEMA_VERSION, Target};

/// The check-in log as the runtime shares it (`None` when it could not be opened).
pub type SharedLog = Arc<Mutex<Option<CheckinLog>>>;

#[derive(Debug, Error)]
pub enum FleetError {
    /// Never shows the URL itself: it may hold a password.
    #[error("[fleet] database_url is not a usable PostgreSQL URL: {0}")]
    BadUrl(String),
    #[error(
        "plain (unencrypted) PostgreSQL connections are allowed only to this machine or a Unix socket; {0} needs TLS (remove sslmode=disable)"
    )]
    Insecure(String),
    #[error("TLS set-up failed: {0}")]
    Tls(String),
    #[error("cannot connect to the fleet database {target}: {}", pg_detail(.source))]
    Connect {
        target: String,
        source: tokio_postgres::Error,
    },
    #[error("the fleet database {target} did not answer within {secs} s")]
    Timeout { target: String, secs: u64 },
    #[error("fleet database: {}", pg_detail(.0))]
    Db(#[from] tokio_postgres::Error),
    #[error(
        "the fleet database has schema version {found}, newer than this faceki-kiosk knows ({known}): upgrade faceki-kiosk here"
    )]
    SchemaTooNew { found: i32, known: i32 },
    #[error(
        "the fleet database has schema version {found} and this faceki-kiosk needs {known}: run `faceki-kiosk fleet migrate` with the owner's database URL"
    )]
    SchemaTooOld { found: i32, known: i32 },
    #[error("{0}")]
    Config(String),
    #[error("the check-in log: {0}")]
    Log(#[from] crate::checkin::LogError),
    #[error("a background task failed: {0}")]
    Task(String),
}

/// tokio-postgres says only "db error" for what the server said: show the server's words.
pub fn pg_detail(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{} ({})", db.message(), db.code().code()),
        None => {
            let mut s = e.to_string();
            let mut src = std::error::Error::source(e);
            while let Some(inner) = src {
                s.push_str(&format!(": {inner}"));
                src = inner.source();
            }
            s
        }
    }
}

impl FleetError {
    /// Faults a person must fix (a password, a schema, a setting); the rest are the network's
    /// and pass by themselves.
    pub fn needs_person(&self) -> bool {
        match self {
            Self::BadUrl(_)
            | Self::Insecure(_)
            | Self::Tls(_)
            | Self::SchemaTooNew { .. }
            | Self::SchemaTooOld { .. }
            | Self::Config(_)
            | Self::Log(_) => true,
            Self::Connect { source, .. } | Self::Db(source) => source.as_db_error().is_some(),
            Self::Timeout { .. } | Self::Task(_) => false,
        }
    }
}

/// What the shipper knows, for staff and the heartbeat.
#[derive(Debug, Default)]
pub struct FleetStatus {
    inner: Mutex<StatusState>,
}

#[derive(Debug, Clone, Default)]
struct StatusState {
    backlog: u64,
    error: Option<(String, bool)>,
}

impl FleetStatus {
    pub fn set_backlog(&self, n: u64) {
        self.lock().backlog = n;
        metrics::outbox_backlog(n);
    }

    pub fn backlog(&self) -> u64 {
        self.lock().backlog
    }

    pub fn set_error(&self, e: Option<&FleetError>) {
        self.lock().error = e.map(|e| (e.to_string(), e.needs_person()));
    }

    /// The line for the admin panel, or `None` while all is well. A passing network fault is
    /// shown only once check-ins pile up.
    pub fn warning(&self, warn_at: u64) -> Option<String> {
        let s = self.lock().clone();
        let waiting = format!("{} check-ins wait to be sent to head office", s.backlog);
        match s.error {
            Some((e, true)) => Some(format!("Head office database: {e}. {waiting}.")),
            Some((e, false)) if s.backlog >= warn_at => {
                Some(format!("{waiting} (backlog growing): {e}"))
            }
            None if s.backlog >= warn_at => Some(format!("{waiting} (backlog growing).")),
            _ => None,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, StatusState> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The running fleet tasks of one kiosk; dropping it stops them.
pub struct FleetHandle {
    wake: Arc<Notify>,
    status: Arc<FleetStatus>,
    backlog_warn: u64,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl FleetHandle {
    /// Tells the shipper a row was written (it also looks every few seconds by itself).
    pub fn waker(&self) -> Arc<Notify> {
        Arc::clone(&self.wake)
    }

    pub fn status(&self) -> &FleetStatus {
        &self.status
    }

    /// What staff should know about the fleet link, if anything.
    pub fn warning(&self) -> Option<String> {
        self.status.warning(self.backlog_warn)
    }
}

impl Drop for FleetHandle {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

/// Starts what the settings ask for on `tokio`: the shipper and heartbeat when a fleet
/// database is set, the metrics endpoint when `[metrics] listen` is. `None` when neither.
/// A setting that cannot work is logged and shown to staff; the kiosk runs on regardless.
pub fn start(
    tokio: &tokio::runtime::Handle,
    settings: &Settings,
    log: SharedLog,
    health: Arc<KioskHealth>,
    camera: Option<Arc<dyn heartbeat::CameraProbe>>,
) -> Option<FleetHandle> {
    let fleet = &settings.fleet;
    let metrics_on = !settings.metrics.listen.trim().is_empty();
    if !fleet.enabled() && !metrics_on {
        return None;
    }
    let mut handle = FleetHandle {
        wake: Arc::new(Notify::new()),
        status: Arc::new(FleetStatus::default()),
        backlog_warn: fleet.backlog_warn,
        tasks: Vec::new(),
    };
    if metrics_on {
        // Now, so that nothing counted before the listener is up is lost.
        metrics::install();
        match metrics::listen_addr(&settings.metrics.listen) {
            Ok(addr) => {
                let camera = camera.clone();
                handle
                    .tasks
                    .push(tokio.spawn(metrics::serve_logged(addr, camera)));
            }
            Err(e) => tracing::error!("[metrics] listen: {e}; no metrics are served"),
        }
    }
    if !fleet.enabled() {
        return Some(handle);
    }
    if settings.log.retention_days == 0 {
        tracing::warn!(
            "[log] retention_days = 0 keeps no check-ins, so none are sent to the fleet database"
        );
    }
    let identity = match store::Identity::from_settings(fleet) {
        Ok(id) => id,
        Err(e) => {
            tracing::error!(error = %e, "the fleet database is not used");
            handle.status.set_error(Some(&e));
            return Some(handle);
        }
    };
    let target = match Target::parse(fleet.database_url.expose()) {
        Ok(t) => t,
        Err(e) => {
            tracing::error!(error = %e, "the fleet database is not used");
            handle.status.set_error(Some(&e));
            return Some(handle);
        }
    };
    tracing::info!(target = %target.shown(), site = %identity.site, kiosk = %identity.kiosk, "sending check-ins to the fleet database");
    let link = Arc::new(Link::new(target));
    let shipper = shipper::Shipper {
        link: Arc::clone(&link),
        log: Arc::clone(&log),
        identity: identity.clone(),
        batch_size: fleet.batch_size.clamp(1, 10_000),
        status: Arc::clone(&handle.status),
        wake: Arc::clone(&handle.wake),
    };
    handle.tasks.push(tokio.spawn(shipper.run()));
    let beat = heartbeat::Heartbeat {
        link,
        log,
        health,
        camera,
        identity,
        every: std::time::Duration::from_secs(fleet.heartbeat_secs.max(1)),
        backlog_warn: fleet.backlog_warn,
        status: Arc::clone(&handle.status),
    };
    handle.tasks.push(tokio.spawn(beat.run()));
    Some(handle)
}
