//! The capture thread: owns the source, decodes, publishes the newest frame, and turns a run of
//! errors into "disconnected" followed by reopen attempts, so the kiosk recovers by itself.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use image::RgbImage;

use super::{CameraStatus, Frame, SourceFactory, decode_into};

#[derive(Debug, Clone)]
pub struct CaptureOptions {
    /// How long to wait before reopening a camera that failed or vanished.
    pub retry_every: Duration,
    /// Consecutive bad frames that mean the camera is gone.
    pub errors_before_disconnect: u32,
    /// Width of the mirrored preview copy.
    pub preview_width: u32,
    /// Frames decoded per second while someone is in view: what the preview shows (the gate
    /// takes fewer). A webcam delivers 30; 15 keeps the mirror smooth for someone finding the
    /// oval and halves decoding, the preview copy and painting (BENCHMARKS.md, "Paint cost").
    pub active_fps: f32,
    /// Frames decoded per second while nobody is in view ([`Camera::set_active`] off): the
    /// device still delivers every frame, but decoding and the preview copy are most of the
    /// camera's CPU, and an empty hall needs only enough for the gate to notice a visitor.
    pub idle_fps: f32,
}

impl Default for CaptureOptions {
    fn default() -> Self {
        Self {
            retry_every: Duration::from_secs(3),
            errors_before_disconnect: 10,
            preview_width: 640,
            active_fps: 15.0,
            idle_fps: 3.0,
        }
    }
}

/// Counters for tests, benchmarks and the admin panel.
#[derive(Debug, Default)]
pub struct CameraStats {
    pub frames: AtomicU64,
    pub bad_frames: AtomicU64,
    pub disconnects: AtomicU64,
    pub opens: AtomicU64,
    /// Frames read from the device but not decoded (nobody in view).
    pub skipped: AtomicU64,
}

type Waker = Arc<dyn Fn() + Send + Sync>;

struct Shared {
    latest: Mutex<Option<Frame>>,
    status: Mutex<CameraStatus>,
    stop: AtomicBool,
    waker: Mutex<Option<Waker>>,
    stats: CameraStats,
    /// Someone is in view: decode `active_fps`, else `idle_fps`.
    active: AtomicBool,
}

use crate::lock;

impl Shared {
    fn wake(&self) {
        let waker = lock(&self.waker).clone();
        if let Some(w) = waker {
            w();
        }
    }

    fn set_status(&self, status: CameraStatus) {
        let changed = {
            let mut s = lock(&self.status);
            let changed = *s != status;
            *s = status;
            changed
        };
        if changed {
            self.wake();
        }
    }

    /// Sleeps up to `d`, waking early when asked to stop. Returns false when stopping.
    fn sleep(&self, d: Duration) -> bool {
        let until = Instant::now() + d;
        while Instant::now() < until {
            if self.stop.load(Ordering::Relaxed) {
                return false;
            }
            std::thread::sleep(Duration::from_millis(50).min(until - Instant::now()));
        }
        !self.stop.load(Ordering::Relaxed)
    }
}

/// A camera that says it streams but has sent nothing for this long counts as lost: a hung
/// driver looks like that.
pub const STALE_AFTER: Duration = Duration::from_secs(4);

/// A running camera. Reading it never blocks on the device.
pub struct Camera {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
    started: Instant,
}

impl Camera {
    /// Starts the capture thread; `factory` builds the source on that thread.
    pub fn spawn(factory: SourceFactory, opts: CaptureOptions) -> Self {
        let shared = Arc::new(Shared {
            latest: Mutex::new(None),
            status: Mutex::new(CameraStatus::Starting),
            stop: AtomicBool::new(false),
            waker: Mutex::new(None),
            stats: CameraStats::default(),
            // Until someone says otherwise (the gate worker, once it runs): the full rate.
            active: AtomicBool::new(true),
        });
        let s = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("camera".into())
            .spawn(move || run(factory, &s, &opts));
        let thread = match thread {
            Ok(t) => Some(t),
            Err(e) => {
                tracing::error!(error = %e, "could not start the camera thread");
                shared.set_status(CameraStatus::Disconnected {
                    name: "camera".into(),
                    reason: e.to_string(),
                });
                None
            }
        };
        Self {
            shared,
            thread,
            started: Instant::now(),
        }
    }

    /// The newest frame, if any. Cheap: clones an `Arc`.
    pub fn latest(&self) -> Option<Frame> {
        lock(&self.shared.latest).clone()
    }

    pub fn status(&self) -> CameraStatus {
        lock(&self.shared.status).clone()
    }

    /// Why the kiosk cannot use the camera now, or `None` when it can: disconnected, stopped,
    /// or streaming nothing for [`STALE_AFTER`] (after a first grace period of that length).
    pub fn trouble(&self) -> Option<String> {
        match self.status() {
            CameraStatus::Starting => None,
            CameraStatus::Streaming { .. } => {
                let stale = self
                    .latest()
                    .is_none_or(|f| f.captured_at.elapsed() > STALE_AFTER);
                (stale && self.started.elapsed() > STALE_AFTER).then(|| "no frames".to_owned())
            }
            CameraStatus::Disconnected { reason, .. } => Some(reason),
            CameraStatus::Stopped => Some("stopped".to_owned()),
        }
    }

    pub fn stats(&self) -> &CameraStats {
        &self.shared.stats
    }

    /// Someone is in view ([`CaptureOptions::active_fps`] decoded) or not (`idle_fps`).
    pub fn set_active(&self, active: bool) {
        self.shared.active.store(active, Ordering::Relaxed);
    }

    /// Called (from the capture thread) after each new frame or status change; e.g. to ask egui
    /// for a repaint or to wake the gate worker.
    pub fn set_waker(&self, waker: impl Fn() + Send + Sync + 'static) {
        *lock(&self.shared.waker) = Some(Arc::new(waker));
    }

    /// Stops the thread and waits for it (at most one frame period plus a close).
    pub fn shutdown(mut self) {
        self.shared.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Camera {
    fn drop(&mut self) {
        // Never join here: a drop on the UI thread must not wait for a device.
        self.shared.stop.store(true, Ordering::Relaxed);
    }
}

/// The last two values published, so the one before last can be taken back for its buffer.
struct Recycle<T> {
    before_last: Option<Arc<T>>,
    last: Option<Arc<T>>,
}

impl<T> Default for Recycle<T> {
    fn default() -> Self {
        Self {
            before_last: None,
            last: None,
        }
    }
}

impl<T> Recycle<T> {
    /// The one before last, if nobody else holds it any more.
    fn take(&mut self) -> Option<T> {
        self.before_last
            .take()
            .and_then(|v| Arc::try_unwrap(v).ok())
    }

    fn published(&mut self, v: &Arc<T>) {
        self.before_last = self.last.replace(Arc::clone(v));
    }
}

fn run(factory: SourceFactory, shared: &Shared, opts: &CaptureOptions) {
    let mut source = factory();
    let name = source.name();
    let mut seq = 0u64;
    'reopen: while !shared.stop.load(Ordering::Relaxed) {
        shared.stats.opens.fetch_add(1, Ordering::Relaxed);
        match source.open() {
            Ok(info) => {
                tracing::info!(camera = %name, ?info, "camera streaming");
                shared.set_status(CameraStatus::Streaming {
                    name: name.clone(),
                    info,
                });
            }
            Err(e) => {
                tracing::warn!(camera = %name, error = %e, "camera could not be opened; retrying");
                shared.set_status(CameraStatus::Disconnected {
                    name: name.clone(),
                    reason: e.to_string(),
                });
                if !shared.sleep(opts.retry_every) {
                    break;
                }
                continue;
            }
        }
        let mut bad_run = 0u32;
        let period = |fps: f32| Duration::from_secs_f32(1.0 / fps.max(0.1));
        let (active_period, idle_period) = (period(opts.active_fps), period(opts.idle_fps));
        let mut last_decode: Option<Instant> = None;
        // Decodes and preview copies go into the buffers of the ones before last, once the gate
        // and the screen have let go of them: no fresh mapping to fault in and zero per frame.
        let mut images = Recycle::<RgbImage>::default();
        let mut previews = Recycle::<super::Preview>::default();
        while !shared.stop.load(Ordering::Relaxed) {
            let raw = source.next_frame();
            let every = if shared.active.load(Ordering::Relaxed) {
                active_period
            } else {
                idle_period
            };
            // A frame a little early still counts, so a 30 fps camera gives 15 despite jitter.
            let early = last_decode.is_some_and(|t| t.elapsed() + every / 8 < every);
            if raw.is_ok() && early {
                shared.stats.skipped.fetch_add(1, Ordering::Relaxed);
                continue;
            }
            // `Gone` from the source is final for this opening; bad frames are counted.
            let reuse = images.take().map(RgbImage::into_raw).unwrap_or_default();
            let result = raw.and_then(|raw| decode_into(raw, reuse));
            last_decode = Some(Instant::now());
            match result {
                Ok(image) => {
                    bad_run = 0;
                    seq += 1;
                    let reuse = previews.take().map(|p| p.rgba).unwrap_or_default();
                    let preview = Arc::new(super::Preview::mirrored_into(
                        &image,
                        opts.preview_width,
                        reuse,
                    ));
                    let frame = Frame {
                        image: Arc::new(image),
                        preview,
                        seq,
                        captured_at: Instant::now(),
                    };
                    images.published(&frame.image);
                    previews.published(&frame.preview);
                    *lock(&shared.latest) = Some(frame);
                    shared.stats.frames.fetch_add(1, Ordering::Relaxed);
                    shared.wake();
                }
                Err(e) => {
                    shared.stats.bad_frames.fetch_add(1, Ordering::Relaxed);
                    bad_run += 1;
                    let gone = matches!(e, super::CameraError::Gone(_));
                    if gone || bad_run >= opts.errors_before_disconnect {
                        tracing::warn!(camera = %name, error = %e, "camera disconnected; will retry");
                        shared.stats.disconnects.fetch_add(1, Ordering::Relaxed);
                        source.close();
                        // An old frame must not be mistaken for a live one.
                        *lock(&shared.latest) = None;
                        shared.set_status(CameraStatus::Disconnected {
                            name: name.clone(),
                            reason: e.to_string(),
                        });
                        if !shared.sleep(opts.retry_every) {
                            break 'reopen;
                        }
                        continue 'reopen;
                    }
                    tracing::debug!(camera = %name, error = %e, "bad frame skipped");
                }
            }
        }
    }
    source.close();
    shared.set_status(CameraStatus::Stopped);
}
