//! The thin runtime layer: carries out the flow's effects with real IO (the camera, the gate
//! worker, the FACEKI client on tokio, disk) and hands results back as messages. The UI thread
//! only sends requests and drains [`RuntimeEvent`]s; nothing here blocks it.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::Duration;

use bytes::Bytes;

use crate::camera::{Camera, CaptureOptions, FrameSource, ReplaySource, SourceFactory};
use crate::config::Settings;
use crate::faceki::{ErrorKind, FacekiClient, IdImage, ImageError, Outcome, Secret, TokenError};
use crate::selfie::encode;
use crate::selfie::worker::{GateWorker, WorkerOptions};
use crate::sim::{self, Scenario, SimHandle};

/// The demo camera: the bundled clip, so the demo runs anywhere.
pub const DEMO_CLIP: &[u8] = include_bytes!("../assets/demo/clip.mjpeg");

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
                Self::DemoClip { fps } => {
                    match ReplaySource::from_mjpeg("demo clip", DEMO_CLIP, fps) {
                        Ok(s) => Box::new(s),
                        Err(e) => Box::new(Missing(e.to_string())),
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
    Cameras(Result<Vec<crate::camera::webcam::CameraChoice>, String>),
    SettingsSaved {
        result: Result<(), String>,
        pin_hash: Option<String>,
    },
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

pub struct Runtime {
    tokio: tokio::runtime::Runtime,
    pub camera: Arc<Camera>,
    pub gate: GateWorker,
    client: Option<Arc<FacekiClient>>,
    sim: Option<SimHandle>,
    tx: Sender<RuntimeEvent>,
    rx: Receiver<RuntimeEvent>,
    checks: Vec<(u64, tokio::task::JoinHandle<()>)>,
    pub counters: Counters,
    pub settings: Settings,
    /// Where settings are saved; `None` in demo mode (nothing is written).
    pub config_path: Option<PathBuf>,
    pub client_error: Option<String>,
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
        let tokio = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .thread_name("faceki-io")
            .build()?;
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
        let camera = Arc::new(Camera::spawn(camera.factory(), CaptureOptions::default()));
        let gate = GateWorker::spawn(
            Arc::clone(&camera),
            settings.gate.clone(),
            WorkerOptions::default(),
        );
        let (tx, rx) = channel();
        let mut rt = Self {
            tokio,
            camera,
            gate,
            client: None,
            sim,
            tx,
            rx,
            checks: Vec::new(),
            counters: Counters::default(),
            settings,
            config_path,
            client_error: None,
        };
        rt.rebuild_client();
        Ok(rt)
    }

    pub fn is_demo(&self) -> bool {
        self.sim.is_some()
    }

    pub fn sim(&self) -> Option<&SimHandle> {
        self.sim.as_ref()
    }

    /// Stops the in-process simulator (tests: "service down").
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
                self.client_error = Some(e.to_string());
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

    /// Starts check `check` with the gate's newest frame: crop, encode, face-check, all off the
    /// UI thread. Without a client or a frame it ends at once in an error (never a pass).
    pub fn start_check(&mut self, check: u64, waker: impl Fn() + Send + 'static) {
        let tx = self.tx.clone();
        let Some(client) = self.client.clone() else {
            let _ = tx.send(RuntimeEvent::CheckFinished {
                check,
                outcome: Outcome::error(
                    ErrorKind::Auth,
                    None,
                    "FACEKI is not set up on this kiosk",
                ),
            });
            waker();
            return;
        };
        // The gate's frame is the one it judged; fall back to the newest camera frame.
        let gated = self.gate.latest();
        let (frame, face) = match gated {
            Some(g) => (Some(g.frame.image.clone()), g.report.faces.first().cloned()),
            None => (self.camera.latest().map(|f| f.image), None),
        };
        let shape = self.settings.selfie.upload_shape(&self.settings.gate);
        let quality = self.settings.selfie.jpeg_quality;
        let handle = self.tokio.spawn(async move {
            let outcome = match frame {
                None => Outcome::error(ErrorKind::ClientBug, None, "no camera frame to send"),
                Some(image) => {
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
            let _ = tx.send(RuntimeEvent::CheckFinished { check, outcome });
            waker();
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

    pub fn fetch_id_image(&self, url: String, waker: impl Fn() + Send + 'static) {
        let Some(client) = self.client.clone() else {
            return;
        };
        let tx = self.tx.clone();
        self.tokio.spawn(async move {
            let result = client.fetch_id_image(&url).await;
            if let Err(e) = &result {
                // A failed image never fails the check: it only shows a placeholder.
                tracing::warn!(error = %e, "ID image not shown");
            }
            let _ = tx.send(RuntimeEvent::IdImage { url, result });
            waker();
        });
    }

    pub fn test_connection(&self, waker: impl Fn() + Send + 'static) {
        let tx = self.tx.clone();
        let client = FacekiClient::new(self.settings.client_config());
        self.tokio.spawn(async move {
            let result = match client {
                Ok(c) => c.test_connection().await,
                Err(e) => Err(TokenError::Malformed(e.to_string())),
            };
            let _ = tx.send(RuntimeEvent::ConnectionTested(result));
            waker();
        });
    }

    /// Verifies a PIN against the stored hash on a blocking thread (argon2 is slow on purpose).
    pub fn check_pin(&self, pin: String, waker: impl Fn() + Send + 'static) {
        let tx = self.tx.clone();
        let stored = self.settings.kiosk.pin_hash.clone();
        self.tokio.spawn_blocking(move || {
            let ok = crate::kiosk::pin::verify(&pin, &stored);
            let _ = tx.send(RuntimeEvent::PinChecked { ok });
            waker();
        });
    }

    /// Applies new settings now and writes them in the background (not in demo mode).
    pub fn save_settings(
        &mut self,
        new: Settings,
        new_pin: Option<String>,
        waker: impl Fn() + Send + 'static,
    ) {
        let demo = self.is_demo();
        let old_faceki = self.settings.faceki.clone();
        self.settings = new;
        if demo {
            // Demo mode never talks to the real FACEKI, whatever was typed.
            self.settings.faceki = old_faceki;
        }
        self.rebuild_client();
        let tx = self.tx.clone();
        let path = self.config_path.clone();
        let mut to_write = self.settings.clone();
        self.tokio.spawn_blocking(move || {
            let pin_hash = match new_pin.map(|p| crate::kiosk::pin::hash(&p)) {
                Some(Ok(h)) => Some(h),
                Some(Err(e)) => {
                    let _ = tx.send(RuntimeEvent::SettingsSaved {
                        result: Err(e.to_string()),
                        pin_hash: None,
                    });
                    waker();
                    return;
                }
                None => None,
            };
            if let Some(h) = &pin_hash {
                to_write.kiosk.pin_hash = h.clone();
            }
            let result = match path {
                Some(p) if !demo => to_write.save(&p).map_err(|e| e.to_string()),
                _ => Ok(()),
            };
            if let Err(e) = &result {
                // Shown to staff in the admin panel; the kiosk keeps running on what it has.
                tracing::error!(error = %e, "settings could not be saved");
            }
            let _ = tx.send(RuntimeEvent::SettingsSaved { result, pin_hash });
            waker();
        });
    }

    /// Takes the PIN hash made in the background after a save.
    pub fn apply_saved_pin(&mut self, pin_hash: Option<String>) {
        if let Some(h) = pin_hash {
            self.settings.kiosk.pin_hash = h;
        }
    }

    pub fn record(&mut self, outcome: &Outcome, took: Duration) {
        self.counters.checks += 1;
        self.counters.total_check_time += took;
        if outcome.is_pass() {
            self.counters.passes += 1;
        }
    }

    pub fn set_scenario(&self, scenario: Scenario) {
        if let Some(s) = &self.sim {
            s.set_scenario(scenario);
        }
    }
}

impl Runtime {
    /// Lists cameras on a blocking thread (the OS query can take a moment).
    pub fn list_cameras(&self, waker: impl Fn() + Send + 'static) {
        let tx = self.tx.clone();
        self.tokio.spawn_blocking(move || {
            let result = crate::camera::webcam::list_cameras().map_err(|e| e.to_string());
            let _ = tx.send(RuntimeEvent::Cameras(result));
            waker();
        });
    }
}
