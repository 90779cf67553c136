//! The thin runtime layer: carries out the flow's effects with real IO (the camera, the gate
//! worker, the FACEKI client on tokio, disk) and hands results back as messages. The UI thread
//! only sends requests and drains [`RuntimeEvent`]s; nothing here blocks it.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;

use crate::camera::{
    Camera, CameraError, CaptureOptions, FrameSource, ReplaySource, SourceFactory,
};
use crate::checkin::{Checkin, CheckinLog, LogError, Query, Row};
use crate::config::{Settings, SettingsError};
use crate::faceki::{
    ConfigError, ErrorKind, FacekiClient, IdImage, ImageError, Outcome, Secret, TokenError,
};
use crate::kiosk::pin::PinError;
use crate::selfie::encode;
use crate::selfie::worker::{GateWorker, WorkerOptions};
use crate::sim::{self, Scenario, SimHandle};

/// Where the demo clip is looked for, first found wins: the package's copy, one under the
/// prefix the binary is installed in, the source tree it was built from. Not embedded: it was
/// 9 MB of every binary (12%) for a demo path few kiosks take (`--demo` with liveness off and
/// no webcam; BENCHMARKS.md, "Binary size").
pub fn demo_clip_candidates(exe: Option<&Path>) -> Vec<PathBuf> {
    const IN_SHARE: &str = "share/faceki-kiosk/demo/clip.mjpeg";
    let mut paths = vec![Path::new("/usr").join(IN_SHARE)];
    if let Some(prefix) = exe.and_then(Path::parent).and_then(Path::parent) {
        paths.push(prefix.join(IN_SHARE));
    }
    paths.push(Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo/clip.mjpeg"));
    paths
}

/// Where frames come from.
#[derive(Debug, Clone)]
pub enum CameraSource {
    Webcam {
        index: u32,
        size: crate::camera::webcam::CaptureSize,
    },
    Replay {
        path: PathBuf,
        fps: f32,
    },
    /// The bundled demo clip.
    DemoClip {
        fps: f32,
    },
    /// The rendered demo visitor, who turns the way the kiosk asks (`cue`, set by the app).
    DemoVisitor {
        cue: Arc<crate::liveness::demo::DemoCue>,
    },
    /// A replay with faults injected on a schedule (fault-injection runs and tests).
    Faulty {
        path: PathBuf,
        fps: f32,
        plan: crate::camera::FaultPlan,
    },
}

impl CameraSource {
    pub fn from_settings(s: &Settings) -> Self {
        match &s.camera.replay {
            Some(path) => Self::Replay {
                path: path.clone(),
                fps: s.camera.replay_fps,
            },
            None => Self::Webcam {
                index: s.camera.index,
                size: s.camera.capture,
            },
        }
    }

    fn factory(self) -> SourceFactory {
        Box::new(move || -> Box<dyn FrameSource> {
            match self {
                Self::Webcam { index, size } => {
                    Box::new(crate::camera::webcam::WebcamSource::new(index, size))
                }
                Self::Replay { path, fps } => match ReplaySource::from_path(&path, fps) {
                    Ok(s) => Box::new(s),
                    Err(e) => Box::new(Missing(e.to_string())),
                },
                Self::Faulty { path, fps, plan } => match ReplaySource::from_path(&path, fps) {
                    Ok(s) => Box::new(crate::camera::FaultySource::new(s, plan)),
                    Err(e) => Box::new(Missing(e.to_string())),
                },
                Self::DemoVisitor { cue } => Box::new(crate::liveness::demo::DemoVisitor::new(cue)),
                Self::DemoClip { fps } => {
                    let exe = std::env::current_exe().ok();
                    let candidates = demo_clip_candidates(exe.as_deref());
                    let found = candidates.iter().find(|p| p.is_file());
                    match found.map(|p| ReplaySource::from_path(p, fps)) {
                        Some(Ok(s)) => Box::new(s),
                        Some(Err(e)) => Box::new(Missing(e.to_string())),
                        None => Box::new(Missing(format!(
                            "the demo clip is not installed (looked in {})",
                            candidates
                                .iter()
                                .map(|p| p.display().to_string())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ))),
                    }
                }
            }
        })
    }
}

/// A source that never opens: a replay file that could not be read shows as "camera missing".
struct Missing(String);

impl FrameSource for Missing {
    fn name(&self) -> String {
        "camera".into()
    }
    fn open(&mut self) -> Result<crate::camera::StreamInfo, crate::camera::CameraError> {
        Err(crate::camera::CameraError::Open(self.0.clone()))
    }
    fn next_frame(&mut self) -> Result<crate::camera::RawFrame, crate::camera::CameraError> {
        Err(crate::camera::CameraError::Gone(self.0.clone()))
    }
    fn close(&mut self) {}
}

/// Results coming back to the UI thread.
#[derive(Debug)]
pub enum RuntimeEvent {
    CheckFinished {
        check: u64,
        outcome: Outcome,
    },
    IdImage {
        url: String,
        result: Result<IdImage, ImageError>,
    },
    ConnectionTested(Result<Duration, TokenError>),
    PinChecked {
        ok: bool,
    },
    Cameras(Result<Vec<crate::camera::webcam::CameraChoice>, CameraError>),
    SettingsSaved {
        result: Result<(), SaveError>,
        pin_hash: Option<String>,
    },
    /// A check-in row could not be written (`None`: writing works again).
    CheckinLog(Option<LogError>),
    Checkins(Result<Vec<Row>, LogError>),
    Exported(Result<(usize, PathBuf), LogError>),
}

/// Why new settings could not be saved.
#[derive(Debug, thiserror::Error)]
pub enum SaveError {
    #[error(transparent)]
    Pin(#[from] PinError),
    #[error(transparent)]
    Settings(#[from] SettingsError),
}

/// Today's counters for the admin panel.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Counters {
    pub checks: u32,
    pub passes: u32,
    pub total_check_time: Duration,
}

impl Counters {
    pub fn average(&self) -> Option<Duration> {
        (self.checks > 0).then(|| self.total_check_time / self.checks)
    }
}

/// Wakes the UI thread so it drains the runtime's messages (egui's `request_repaint`).
pub type Waker = Arc<dyn Fn() + Send + Sync>;

/// The way back to the UI thread: a message, then a wake-up.
#[derive(Clone)]
struct Reply {
    tx: Sender<RuntimeEvent>,
    wake: Waker,
}

impl Reply {
    fn send(&self, event: RuntimeEvent) {
        // The receiver lives as long as the runtime; a send can only fail during shutdown.
        let _ = self.tx.send(event);
        (self.wake)();
    }
}

/// The tokio runtime for all IO: two workers are plenty for one check at a time, the ID
/// image, the simulator and the background writers, and leave the cores to the camera and gate.
pub fn io_runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .thread_name("faceki-io")
        .build()
}

pub struct Runtime {
    tokio: tokio::runtime::Runtime,
    pub camera: Arc<Camera>,
    pub gate: GateWorker,
    client: Option<Arc<FacekiClient>>,
    sim: Option<SimHandle>,
    tx: Sender<RuntimeEvent>,
    rx: Receiver<RuntimeEvent>,
    waker: Waker,
    checks: Vec<(u64, tokio::task::JoinHandle<()>)>,
    pub counters: Counters,
    pub settings: Settings,
    /// Where settings are saved; `None` in demo mode (nothing is written).
    pub config_path: Option<PathBuf>,
    /// Why the FACEKI settings are not usable, while they are not.
    pub client_error: Option<ConfigError>,
    /// The check-in log; `None` when it could not be opened (the kiosk runs on without it).
    checkins: Arc<Mutex<Option<CheckinLog>>>,
    /// Why check-ins are not being recorded, for staff; `None` while all is well.
    pub checkin_error: Option<LogError>,
    /// What the heartbeat and metrics report about this kiosk.
    pub health: Arc<crate::fleet::KioskHealth>,
    /// The shipper, heartbeat and metrics; `None` when none is configured.
    fleet: Option<crate::fleet::FleetHandle>,
    /// What the demo visitor should do, when the camera is the demo visitor.
    pub demo_cue: Option<Arc<crate::liveness::demo::DemoCue>>,
}

impl Runtime {
    /// Starts the camera, the gate worker and the tokio runtime. In demo mode the FACEKI
    /// simulator runs in-process and the client can only reach it.
    pub fn start(
        mut settings: Settings,
        camera: CameraSource,
        demo: Option<Scenario>,
        config_path: Option<PathBuf>,
    ) -> anyhow::Result<Self> {
        let tokio = io_runtime()?;
        let sim = match demo {
            Some(scenario) => {
                let cfg = sim::SimConfig {
                    scenario,
                    ..sim::SimConfig::default()
                };
                let handle =
                    tokio.block_on(sim::start(cfg, SocketAddr::from((Ipv4Addr::LOCALHOST, 0))))?;
                settings.faceki.base_url = handle.base_url();
                settings.faceki.client_id = sim::DEMO_CLIENT_ID.into();
                settings.faceki.client_secret = Secret::new(sim::DEMO_CLIENT_SECRET);
                Some(handle)
            }
            None => None,
        };
        let demo_cue = match &camera {
            CameraSource::DemoVisitor { cue } => Some(Arc::clone(cue)),
            _ => None,
        };
        let camera = Arc::new(Camera::spawn(camera.factory(), CaptureOptions::default()));
        let gate = GateWorker::spawn(
            Arc::clone(&camera),
            settings.gate.clone(),
            WorkerOptions::default(),
        );
        let (tx, rx) = channel();
        // Demo mode writes nothing to disk: its check-ins live in memory.
        let retention = crate::checkin::Retention::from_settings(&settings);
        let opened = match (demo.is_some(), settings.log.checkin_path()) {
            (true, _) => CheckinLog::in_memory_with(retention),
            (false, Some(path)) => CheckinLog::open_with(&path, retention),
            (false, None) => Err(LogError::NoFolder),
        };
        let (checkins, checkin_error) = match opened {
            Ok(log) => (Some(log), None),
            Err(e) => {
                tracing::error!(error = %e, "check-ins will not be recorded");
                (None, Some(e))
            }
        };
        let checkins = Arc::new(Mutex::new(checkins));
        tokio.spawn(daily_retention(Arc::clone(&checkins)));
        let health = Arc::new(crate::fleet::KioskHealth::new());
        health.set_liveness_mode(settings.liveness.mode.name());
        health.log_written(checkin_error.as_ref().map(ToString::to_string).as_deref());
        let fleet = crate::fleet::start(
            tokio.handle(),
            &settings,
            Arc::clone(&checkins),
            Arc::clone(&health),
            Some(Arc::clone(&camera) as Arc<dyn crate::fleet::CameraProbe>),
        );
        let mut rt = Self {
            tokio,
            camera,
            gate,
            client: None,
            sim,
            tx,
            rx,
            waker: Arc::new(|| {}),
            checks: Vec::new(),
            counters: Counters::default(),
            settings,
            config_path,
            client_error: None,
            checkins,
            checkin_error,
            health,
            fleet,
            demo_cue,
        };
        rt.rebuild_client();
        Ok(rt)
    }

    /// Called after each message for the UI thread (e.g. egui's `request_repaint`).
    pub fn set_waker(&mut self, waker: impl Fn() + Send + Sync + 'static) {
        self.waker = Arc::new(waker);
    }

    fn reply(&self) -> Reply {
        Reply {
            tx: self.tx.clone(),
            wake: Arc::clone(&self.waker),
        }
    }

    /// Runs `work` on tokio; its message (if any) goes to the UI thread.
    fn spawn<F>(&self, work: F) -> tokio::task::JoinHandle<()>
    where
        F: Future<Output = Option<RuntimeEvent>> + Send + 'static,
    {
        let reply = self.reply();
        self.tokio.spawn(async move {
            if let Some(event) = work.await {
                reply.send(event);
            }
        })
    }

    /// Runs `work` on a blocking thread (disk, argon2, device queries); its message (if any)
    /// goes to the UI thread.
    fn spawn_blocking<F>(&self, work: F)
    where
        F: FnOnce() -> Option<RuntimeEvent> + Send + 'static,
    {
        let reply = self.reply();
        self.tokio.spawn_blocking(move || {
            if let Some(event) = work() {
                reply.send(event);
            }
        });
    }

    pub fn is_demo(&self) -> bool {
        self.sim.is_some()
    }

    pub fn sim(&self) -> Option<&SimHandle> {
        self.sim.as_ref()
    }

    /// Test hook: stops the in-process simulator ("the service is down").
    #[cfg(feature = "test-hooks")]
    pub fn stop_sim(&mut self) {
        if let Some(s) = self.sim.take() {
            s.stop();
        }
    }

    /// Rebuilds the FACEKI client from the current settings (after the admin saved them).
    pub fn rebuild_client(&mut self) {
        if !self.settings.has_credentials() {
            self.client = None;
            self.client_error = None;
            return;
        }
        match FacekiClient::new(self.settings.client_config()) {
            Ok(c) => {
                self.client = Some(Arc::new(c));
                self.client_error = None;
            }
            Err(e) => {
                tracing::error!(error = %e, "FACEKI settings are not usable");
                self.client = None;
                self.client_error = Some(e);
            }
        }
    }

    pub fn configured(&self) -> bool {
        self.client.is_some()
    }

    /// Every message that arrived since the last call. Never blocks.
    pub fn drain(&self) -> Vec<RuntimeEvent> {
        self.rx.try_iter().collect()
    }

    /// Starts check `check` with `selfie`, a frame the gate judged: crop, encode, face-check,
    /// all off the UI thread. Without a client or a frame it ends at once in an error (never a
    /// pass).
    pub fn start_check(&mut self, check: u64, selfie: Option<crate::selfie::worker::Selfie>) {
        let client = self.client.clone();
        let (frame, face) = match selfie {
            Some(s) => (Some(s.image), s.face),
            None => (None, None),
        };
        let shape = self.settings.selfie.upload_shape(&self.settings.gate);
        let quality = self.settings.selfie.jpeg_quality;
        let handle = self.spawn(async move {
            let outcome = match (client, frame) {
                (None, _) => {
                    Outcome::error(ErrorKind::Auth, None, "FACEKI is not set up on this kiosk")
                }
                (_, None) => Outcome::error(ErrorKind::ClientBug, None, "no camera frame to send"),
                (Some(client), Some(image)) => {
                    let encoded = tokio::task::spawn_blocking(move || {
                        let upload = encode::prepare_upload(&image, face.as_ref(), shape);
                        encode::encode_jpeg(&upload, quality)
                    })
                    .await;
                    match encoded {
                        Ok(Ok(jpeg)) => client.face_check(Bytes::from(jpeg)).await,
                        Ok(Err(e)) => Outcome::error(ErrorKind::ClientBug, None, e.to_string()),
                        Err(e) => Outcome::error(ErrorKind::ClientBug, None, e.to_string()),
                    }
                }
            };
            Some(RuntimeEvent::CheckFinished { check, outcome })
        });
        self.checks.retain(|(_, h)| !h.is_finished());
        self.checks.push((check, handle));
    }

    pub fn cancel_check(&mut self, check: u64) {
        for (id, h) in &self.checks {
            if *id == check {
                h.abort();
            }
        }
    }

    pub fn fetch_id_image(&self, url: String) {
        let Some(client) = self.client.clone() else {
            return;
        };
        self.spawn(async move {
            let result = client.fetch_id_image(&url).await;
            if let Err(e) = &result {
                // A failed image never fails the check: it only shows a placeholder.
                tracing::warn!(error = %e, "ID image not shown");
            }
            Some(RuntimeEvent::IdImage { url, result })
        });
    }

    pub fn test_connection(&self) {
        let client = FacekiClient::new(self.settings.client_config());
        self.spawn(async move {
            let result = match client {
                Ok(c) => c.test_connection().await,
                Err(e) => Err(TokenError::Malformed(e.to_string())),
            };
            Some(RuntimeEvent::ConnectionTested(result))
        });
    }

    /// Verifies a PIN against the stored hash on a blocking thread (argon2 is slow on purpose).
    pub fn check_pin(&self, pin: String) {
        let stored = self.settings.kiosk.pin_hash.clone();
        self.spawn_blocking(move || {
            let ok = crate::kiosk::pin::verify(&pin, &stored);
            Some(RuntimeEvent::PinChecked { ok })
        });
    }

    /// Applies new settings now and writes them in the background (not in demo mode).
    pub fn save_settings(&mut self, new: Settings, new_pin: Option<String>) {
        let demo = self.is_demo();
        let old_faceki = self.settings.faceki.clone();
        self.settings = new;
        if demo {
            // Demo mode never talks to the real FACEKI, whatever was typed.
            self.settings.faceki = old_faceki;
        }
        self.rebuild_client();
        let path = self.config_path.clone();
        let mut to_write = self.settings.clone();
        self.spawn_blocking(move || {
            let pin_hash = match new_pin.map(|p| crate::kiosk::pin::hash(&p)).transpose() {
                Ok(h) => h,
                Err(e) => {
                    return Some(RuntimeEvent::SettingsSaved {
                        result: Err(e.into()),
                        pin_hash: None,
                    });
                }
            };
            if let Some(h) = &pin_hash {
                to_write.kiosk.pin_hash = h.clone();
            }
            // A secret that came from the environment stays there, out of the file.
            let from_env = std::env::var(crate::config::ENV_CLIENT_SECRET)
                .is_ok_and(|v| !v.trim().is_empty() && v == to_write.faceki.client_secret.expose());
            if from_env {
                to_write.faceki.client_secret = Secret::default();
            }
            let url_from_env = std::env::var(crate::config::ENV_FLEET_DATABASE_URL)
                .is_ok_and(|v| !v.trim().is_empty() && v == to_write.fleet.database_url.expose());
            if url_from_env {
                to_write.fleet.database_url = Secret::default();
            }
            let result = match path {
                Some(p) if !demo => to_write.save(&p).map_err(SaveError::from),
                _ => Ok(()),
            };
            if let Err(e) = &result {
                // Shown to staff in the admin panel; the kiosk keeps running on what it has.
                tracing::error!(error = %e, "settings could not be saved");
            }
            Some(RuntimeEvent::SettingsSaved { result, pin_hash })
        });
    }

    /// Takes the PIN hash made in the background after a save.
    pub fn apply_saved_pin(&mut self, pin_hash: Option<String>) {
        if let Some(h) = pin_hash {
            self.settings.kiosk.pin_hash = h;
        }
    }

    /// Counts a finished check and writes its check-in row in the background. A failed write
    /// never stops the kiosk: it is logged and shown to staff.
    pub fn record(&mut self, outcome: &Outcome, took: Duration) {
        self.counters.checks += 1;
        self.counters.total_check_time += took;
        if outcome.is_pass() {
            self.counters.passes += 1;
        }
        self.health.check_finished(outcome, took);
        let row = Checkin::from_outcome(outcome, took, std::time::SystemTime::now());
        let log = Arc::clone(&self.checkins);
        let had_error = self.checkin_error.is_some();
        let health = Arc::clone(&self.health);
        let shipper = self.fleet.as_ref().map(|f| f.waker());
        self.spawn_blocking(move || {
            // Not open: already reported at start.
            let result = crate::lock(&log).as_mut()?.record(&row);
            health.log_written(result.as_ref().err().map(ToString::to_string).as_deref());
            if let (Ok(()), Some(s)) = (&result, shipper) {
                s.notify_one();
            }
            match result {
                Ok(()) if had_error => {
                    tracing::info!("check-ins are being recorded again");
                    Some(RuntimeEvent::CheckinLog(None))
                }
                Ok(()) => None,
                Err(e) => {
                    tracing::error!(error = %e, "a check-in could not be recorded");
                    Some(RuntimeEvent::CheckinLog(Some(e)))
                }
            }
        });
    }

    /// What staff should know about sending check-ins to head office (backlog growing, the
    /// database refusing this kiosk); `None` while all is well or no fleet is configured.
    pub fn fleet_warning(&self) -> Option<String> {
        self.fleet.as_ref().and_then(|f| f.warning())
    }

    /// Test hook: makes the check-in log refuse writes (as a read-only or full disk would).
    #[cfg(feature = "test-hooks")]
    pub fn checkin_log_read_only(&self, read_only: bool) {
        if let Some(log) = crate::lock(&self.checkins).as_ref() {
            log.set_read_only(read_only);
        }
    }

    /// Check-ins for the staff view, newest first.
    pub fn query_checkins(&self, q: Query) {
        let log = Arc::clone(&self.checkins);
        self.spawn_blocking(move || {
            let result = match crate::lock(&log).as_ref() {
                Some(log) => log.query(&q),
                None => Err(LogError::NotOpen),
            };
            Some(RuntimeEvent::Checkins(result))
        });
    }

    /// Writes the check-ins since `since` (a local date, or all) to a CSV file.
    pub fn export_checkins(&self, since: Option<String>, out: PathBuf) {
        let log = Arc::clone(&self.checkins);
        self.spawn_blocking(move || {
            let rows = match crate::lock(&log).as_ref() {
                Some(log) => log.query(&Query {
                    since,
                    ..Query::default()
                }),
                None => Err(LogError::NotOpen),
            };
            let result = rows.and_then(|rows| {
                crate::checkin::write_csv_file(&rows, &out).map_err(|source| LogError::Io {
                    path: out.display().to_string(),
                    source,
                })?;
                Ok((rows.len(), out))
            });
            if let Err(e) = &result {
                tracing::error!(error = %e, "check-ins could not be exported");
            }
            Some(RuntimeEvent::Exported(result))
        });
    }

    /// Where the staff view's export goes by default: next to the check-in log (the temp
    /// folder in demo mode, which keeps nothing of its own on disk).
    pub fn export_path(&self) -> PathBuf {
        let day = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() / 86_400)
            .unwrap_or(0);
        let dir = if self.is_demo() {
            std::env::temp_dir()
        } else {
            self.settings
                .log
                .checkin_path()
                .and_then(|p| p.parent().map(|d| d.join("exports")))
                .unwrap_or_else(std::env::temp_dir)
        };
        dir.join(format!("checkins-{}.csv", crate::checkin::civil_date(day)))
    }

    pub fn set_scenario(&self, scenario: Scenario) {
        if let Some(s) = &self.sim {
            s.set_scenario(scenario);
        }
    }

    /// Lists cameras on a blocking thread (the OS query can take a moment).
    pub fn list_cameras(&self) {
        self.spawn_blocking(|| Some(RuntimeEvent::Cameras(crate::camera::webcam::list_cameras())));
    }
}

/// Deletes expired check-ins once a day while the kiosk runs (it also does so at start).
async fn daily_retention(log: Arc<Mutex<Option<CheckinLog>>>) {
    let mut every = tokio::time::interval(Duration::from_secs(24 * 3600));
    every.tick().await;
    loop {
        every.tick().await;
        let log = Arc::clone(&log);
        let done = tokio::task::spawn_blocking(move || {
            crate::lock(&log)
                .as_mut()
                .map(|l| l.apply_retention(std::time::SystemTime::now()))
        })
        .await;
        match done {
            Ok(Some(Ok(n))) => tracing::info!(deleted = n, "expired check-ins deleted"),
            Ok(Some(Err(e))) => {
                tracing::error!(error = %e, "expired check-ins could not be deleted")
            }
            Ok(None) | Err(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_clip_is_looked_for_where_the_package_and_a_prefix_put_it_then_the_source() {
        let c = demo_clip_candidates(Some(Path::new("/opt/fk/bin/faceki-kiosk")));
        assert_eq!(c[0], Path::new("/usr/share/faceki-kiosk/demo/clip.mjpeg"));
        assert_eq!(
            c[1],
            Path::new("/opt/fk/share/faceki-kiosk/demo/clip.mjpeg")
        );
        // A build from the source tree finds the tree's copy.
        assert!(c[2].is_file(), "{:?}", c[2]);
        assert_eq!(demo_clip_candidates(None).len(), 2);
    }
}
