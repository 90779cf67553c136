//! When the kiosk paints. Each paint costs real CPU where there is no GPU (software rendering),
//! so the UI wakes only as often as the screen can change: camera frames wake it while someone
//! is guided, the gate when a face appears on the attract screen, the runtime when a message
//! arrives, and a slow tick drives timers.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::kiosk::{Flow, Screen};
use crate::runtime::Runtime;

pub struct RepaintPolicy {
    /// Camera frames wake the UI (someone is being guided).
    live: Arc<AtomicBool>,
    /// A face appearing wakes the UI (the attract screen is showing).
    watch: Arc<AtomicBool>,
}

/// How the camera and the gate ask for a paint. `request_repaint()` (a zero delay) makes egui
/// paint twice "to let things settle"; a non-zero delay paints once. One frame, one paint.
const SOON: Duration = Duration::from_millis(1);

impl RepaintPolicy {
    /// Hands the camera, the gate worker and the runtime their wake-ups.
    pub fn install(ctx: &egui::Context, rt: &mut Runtime) -> Self {
        let live = Arc::new(AtomicBool::new(false));
        let watch = Arc::new(AtomicBool::new(true));
        let (c, l) = (ctx.clone(), Arc::clone(&live));
        rt.camera.set_waker(move || {
            if l.load(Ordering::Relaxed) {
                c.request_repaint_after(SOON);
            }
        });
        // While someone is guided the camera's frames drive the paints and the gate's newest
        // verdict rides along with them: waking for both would paint up to twice as often.
        let (c, w) = (ctx.clone(), Arc::clone(&watch));
        rt.gate.set_waker(move |someone| {
            if someone && w.load(Ordering::Relaxed) {
                c.request_repaint_after(SOON);
            }
        });
        let c = ctx.clone();
        rt.set_waker(move || c.request_repaint());
        Self { live, watch }
    }

    /// Whether someone is being guided: the preview follows the camera.
    pub fn live(&self) -> bool {
        self.live.load(Ordering::Relaxed)
    }

    /// Sets the wake-ups for the screen on show and asks for the next timer tick.
    pub fn update(&self, ctx: &egui::Context, flow: &Flow) {
        let screen = flow.screen();
        let live = matches!(
            screen,
            Screen::Positioning { .. } | Screen::Countdown { .. } | Screen::Challenge { .. }
        );
        self.live.store(live, Ordering::Relaxed);
        self.watch
            .store(matches!(screen, Screen::Attract), Ordering::Relaxed);
        // Timers (result display, cooldown, idle) need a tick even when nothing else happens;
        // while someone is guided the camera paints more often than any tick would.
        let tick = match screen {
            // The spinner turns.
            Screen::Verifying { .. }
            | Screen::StaffPin {
                status: crate::kiosk::PinStatus::Checking,
            } => Duration::ZERO,
            // The time-left bar.
            Screen::Result { .. } => Duration::from_millis(250),
            _ => Duration::from_secs(1),
        };
        if tick.is_zero() {
            ctx.request_repaint();
        } else {
            ctx.request_repaint_after(tick);
        }
    }
}

/// How often the UI runs and its slowest frame, for the measurements in BENCHMARKS.md.
pub struct FrameStats {
    start: Instant,
    passes: u32,
    since: Instant,
    /// Longest `logic` + `ui` time after start-up.
    pub slowest: Duration,
}

impl Default for FrameStats {
    fn default() -> Self {
        Self {
            start: Instant::now(),
            passes: 0,
            since: Instant::now(),
            slowest: Duration::ZERO,
        }
    }
}

impl FrameStats {
    /// Counts one UI pass; logs the rate every 5 s.
    pub fn pass(&mut self, screen: &Screen) {
        self.passes += 1;
        if self.since.elapsed() >= Duration::from_secs(5) {
            let rate = self.passes as f32 / self.since.elapsed().as_secs_f32();
            tracing::debug!(passes_per_s = rate, screen = ?std::mem::discriminant(screen), "UI repaint rate");
            self.passes = 0;
            self.since = Instant::now();
        }
    }

    /// Keeps the slowest time after start-up (font atlas and first textures excluded): what a
    /// customer would feel.
    pub fn took(&mut self, took: Duration) {
        if took > self.slowest && self.start.elapsed() > Duration::from_secs(3) {
            self.slowest = took;
            tracing::debug!(ms = took.as_secs_f64() * 1e3, "slowest UI frame so far");
        }
    }
}
