//! The gate worker: a thread that runs the gate on the camera's newest frame, off the UI
//! thread, at a lower rate while nobody is in front, and says when a selfie is ready.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::camera::{Camera, Frame};
use crate::liveness::{FaceObservation, Observer};

use super::gate::{DetailMemory, Gate, GateReport, GateSettings, Steadiness};

#[derive(Debug, Clone)]
pub struct WorkerOptions {
    /// Checks per second while a face is in view.
    pub active_fps: f32,
    /// Checks per second while nobody is there, or nobody is being guided (a result, the PIN
    /// pad): saves CPU all day.
    pub idle_fps: f32,
    /// All checks must hold this long, face still, before auto-capture.
    pub steady: Duration,
}

impl Default for WorkerOptions {
    fn default() -> Self {
        Self {
            // The preview shows 15 frames a second; hints and the steady spell (900 ms, six
            // checks) need fewer, and each check is the kiosk's largest CPU cost after painting
            // (BENCHMARKS.md, "Paint cost").
            active_fps: 7.5,
            // Enough to notice someone walking up within half a second; the whole-frame look
            // is the gate's only cost while the hall is empty.
            idle_fps: 2.0,
            steady: Duration::from_millis(900),
        }
    }
}

/// The newest judgement, with the frame it was made on.
#[derive(Debug, Clone)]
pub struct GateOutput {
    pub frame: Frame,
    pub report: GateReport,
    /// OK and steady for the whole spell: capture this frame.
    pub ready: bool,
    /// How far into the steady spell, 0..1.
    pub progress: f32,
    /// How long the detector and checks took.
    pub took: Duration,
    /// The landmarks' look at the judged face, while a challenge asks for it
    /// ([`GateWorker::observe`]).
    pub face: Option<FaceObservation>,
}

/// A frame to send and the face to cut the upload around.
#[derive(Debug, Clone)]
pub struct Selfie {
    pub image: Arc<image::RgbImage>,
    pub face: Option<crate::selfie::Face>,
}

impl GateOutput {
    /// This judged frame as the selfie, cut around the face the gate judged first.
    pub fn selfie(&self) -> Selfie {
        Selfie {
            image: Arc::clone(&self.frame.image),
            face: self.report.faces.first().cloned(),
        }
    }
}

/// Called after each judgement with whether anyone is in view.
type Waker = Arc<dyn Fn(bool) + Send + Sync>;

struct Shared {
    latest: Mutex<Option<GateOutput>>,
    error: Mutex<Option<String>>,
    stop: AtomicBool,
    waker: Mutex<Option<Waker>>,
    /// A challenge runs: landmarks on each judged frame.
    observe: AtomicBool,
    /// The screen guides whoever is in view (the live preview shows): the full rate.
    guiding: AtomicBool,
    /// `guiding` was just turned on: cut the idle wait short.
    nudge: AtomicBool,
}

use crate::lock;

pub struct GateWorker {
    shared: Arc<Shared>,
    /// To set the camera's rate at once when the screen starts or stops guiding.
    camera: Arc<Camera>,
}

impl GateWorker {
    pub fn spawn(camera: Arc<Camera>, settings: GateSettings, opts: WorkerOptions) -> Self {
        let shared = Arc::new(Shared {
            latest: Mutex::new(None),
            error: Mutex::new(None),
            stop: AtomicBool::new(false),
            waker: Mutex::new(None),
            observe: AtomicBool::new(false),
            guiding: AtomicBool::new(true),
            nudge: AtomicBool::new(false),
        });
        let s = Arc::clone(&shared);
        let for_thread = Arc::clone(&camera);
        let spawned =
            std::thread::Builder::new()
                .name("gate".into())
                .spawn(move || match Gate::new(settings) {
                    Ok(gate) => run(gate, &for_thread, &opts, &s),
                    Err(e) => {
                        tracing::error!(error = %e, "the face detector could not start");
                        *lock(&s.error) = Some(e.to_string());
                    }
                });
        if let Err(e) = spawned {
            *lock(&shared.error) = Some(e.to_string());
        }
        Self { shared, camera }
    }

    pub fn latest(&self) -> Option<GateOutput> {
        lock(&self.shared.latest).clone()
    }

    /// Set when the detector could not start: the kiosk cannot judge selfies.
    pub fn error(&self) -> Option<String> {
        lock(&self.shared.error).clone()
    }

    /// `waker(someone_in_view)` runs after each judgement, on the gate thread.
    pub fn set_waker(&self, waker: impl Fn(bool) + Send + Sync + 'static) {
        *lock(&self.shared.waker) = Some(Arc::new(waker));
    }

    /// Landmarks, yaw and the face's track on each judged frame (a challenge runs), or not.
    pub fn observe(&self, on: bool) {
        self.shared.observe.store(on, Ordering::Relaxed);
    }

    /// Whether the screen guides the person in view (the live preview shows). While it does
    /// not (a result, the verifying spinner, the PIN pad) the gate and the camera's decoding
    /// run at the idle rate even with someone there: nothing on screen uses more, and a result
    /// is shown for several seconds to the person still standing there (BENCHMARKS.md, "Paint
    /// cost"). Both ways the camera's rate changes at once; turning it on also wakes the gate,
    /// whose next check (within 50 ms) sets the camera's rate by who is there.
    pub fn set_guiding(&self, on: bool) {
        let was = self.shared.guiding.swap(on, Ordering::Relaxed);
        if was != on {
            self.camera.set_active(on);
        }
        if on && !was {
            self.shared.nudge.store(true, Ordering::Relaxed);
        }
    }

    /// See [`GateWorker::set_guiding`].
    pub fn guiding(&self) -> bool {
        self.shared.guiding.load(Ordering::Relaxed)
    }

    /// Starts the steady spell afresh (after a capture, or when a new visitor starts).
    pub fn clear(&self) {
        *lock(&self.shared.latest) = None;
    }
}

impl Drop for GateWorker {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::Relaxed);
    }
}

fn run(mut gate: Gate, camera: &Camera, opts: &WorkerOptions, shared: &Shared) {
    let start = Instant::now();
    let mut steady = Steadiness::default();
    let mut detail = DetailMemory::default();
    let mut last_seq = 0;
    let mut someone_there = false;
    // Loaded on the first challenge: a kiosk with liveness off never pays for the model.
    let mut observer: Option<Observer> = None;
    let mut observer_failed = false;
    while !shared.stop.load(Ordering::Relaxed) {
        let fps = if someone_there && shared.guiding.load(Ordering::Relaxed) {
            opts.active_fps
        } else {
            opts.idle_fps
        };
        let period = Duration::from_secs_f32(1.0 / fps.max(0.1));
        let tick = Instant::now();
        match camera.latest() {
            Some(frame) if frame.seq != last_seq => {
                last_seq = frame.seq;
                let t0 = Instant::now();
                match gate.check_stream(&frame.image) {
                    Ok(mut report) => {
                        let now = start.elapsed();
                        detail.judge(&mut report, now, &gate.settings);
                        let took = t0.elapsed();
                        someone_there = !report.faces.is_empty();
                        // Nobody there, or nobody guided: the camera decodes only a few frames
                        // a second.
                        camera.set_active(someone_there && shared.guiding.load(Ordering::Relaxed));
                        let cleared = lock(&shared.latest).is_none();
                        if cleared {
                            steady.reset();
                        }
                        crate::fleet::metrics::gate_verdict(report.verdict.name());
                        let ready = steady.observe(&report, now, opts.steady);
                        let progress = steady.progress(now, opts.steady);
                        let face = if shared.observe.load(Ordering::Relaxed) {
                            if observer.is_none() && !observer_failed {
                                match Observer::new() {
                                    Ok(o) => observer = Some(o),
                                    Err(e) => {
                                        // No landmarks, no yaw: every challenge then ends as
                                        // "no response", never as a pass. Staff see why.
                                        tracing::error!(error = %e, "liveness cannot start");
                                        *lock(&shared.error) = Some(e.to_string());
                                        observer_failed = true;
                                    }
                                }
                            }
                            observer
                                .as_mut()
                                .map(|o| o.observe(&frame.image, frame.seq, &report))
                        } else {
                            if let Some(o) = observer.as_mut() {
                                o.reset();
                            }
                            None
                        };
                        *lock(&shared.latest) = Some(GateOutput {
                            frame,
                            report,
                            ready,
                            progress,
                            took,
                            face,
                        });
                        let waker = lock(&shared.waker).clone();
                        if let Some(w) = waker {
                            w(someone_there);
                        }
                    }
                    Err(e) => tracing::warn!(error = %e, "gate check failed on a frame"),
                }
            }
            _ => {}
        }
        // Sleeps out the period in slices, so a screen that starts guiding is not kept
        // waiting for the idle rate's next check.
        while tick.elapsed() < period && !shared.stop.load(Ordering::Relaxed) {
            if shared.nudge.swap(false, Ordering::Relaxed) {
                break;
            }
            std::thread::sleep(
                period
                    .saturating_sub(tick.elapsed())
                    .min(Duration::from_millis(50)),
            );
        }
    }
}
