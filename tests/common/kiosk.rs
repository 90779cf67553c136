//! Driving the whole kiosk app under egui_kittest: replay camera, simulator, real threads.
// Each test binary uses only some of these.
#![allow(dead_code)]

use std::path::PathBuf;
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use faceki_kiosk::config::Settings;
use faceki_kiosk::runtime::{CameraSource, Runtime};
use faceki_kiosk::sim::Scenario;
use faceki_kiosk::ui::KioskApp;

/// The steady, centred part of the demo clip, looping: a customer holding still.
pub fn steady_clip() -> PathBuf {
    let path =
        std::env::temp_dir().join(format!("faceki-kiosk-steady-{}.mjpeg", std::process::id()));
    if !path.exists() {
        let clip = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/assets/demo/clip.mjpeg"
        ))
        .unwrap();
        let frames = faceki_kiosk::camera::mjpeg::split_frames(&clip);
        // Written aside and renamed: a replay reads its file a frame at a time, so a test
        // starting meanwhile must never see it half written.
        let part = path.with_extension(format!("part-{:?}", std::thread::current().id()));
        std::fs::write(&part, frames[44..64].concat()).unwrap();
        std::fs::rename(&part, &path).unwrap();
    }
    path
}

pub fn steady_camera() -> CameraSource {
    CameraSource::Replay {
        path: steady_clip(),
        fps: 15.0,
    }
}

/// The app on a replayed camera. A recording cannot answer a random head-turn challenge, so
/// these flows are the ones after it: liveness off, as `[liveness] mode = "off"` sets it. The
/// challenge's own flows use [`harness_live`].
pub fn harness_with(
    mut settings: Settings,
    camera: CameraSource,
    demo: Option<Scenario>,
) -> Harness<'static, KioskApp> {
    settings.liveness.mode = faceki_kiosk::liveness::LivenessMode::Off;
    harness_live(settings, camera, demo)
}

/// The app with the settings as given, liveness included.
pub fn harness_live(
    settings: Settings,
    camera: CameraSource,
    demo: Option<Scenario>,
) -> Harness<'static, KioskApp> {
    let rt = Runtime::start(settings, camera, demo, None).unwrap();
    Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .build_eframe(move |cc| KioskApp::new(cc, rt, false))
}

/// Demo mode (in-process simulator) with the steady clip and staff PIN 1234.
pub fn demo(scenario: Scenario, tweak: impl FnOnce(&mut Settings)) -> Harness<'static, KioskApp> {
    let mut s = Settings::default();
    s.kiosk.pin_hash = faceki_kiosk::kiosk::pin::hash("1234").unwrap();
    tweak(&mut s);
    harness_with(s, steady_camera(), Some(scenario))
}

/// Steps the app (real threads run meanwhile) until `found` holds; panics after `secs`.
pub fn step_until(
    h: &mut Harness<'_, KioskApp>,
    what: &str,
    secs: u64,
    mut found: impl FnMut(&Harness<'_, KioskApp>) -> bool,
) {
    let t0 = Instant::now();
    loop {
        h.step();
        if found(h) {
            return;
        }
        assert!(
            t0.elapsed() < Duration::from_secs(secs),
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

pub fn has(h: &Harness<'_, KioskApp>, label: &str) -> bool {
    h.query_by_label(label).is_some()
}

pub fn has_part(h: &Harness<'_, KioskApp>, part: &str) -> bool {
    h.query_all_by_label_contains(part).next().is_some()
}

/// Staff button, PIN 1234, admin panel open.
pub fn open_admin(h: &mut Harness<'_, KioskApp>) {
    step_until(h, "the staff button", 10, |h| has(h, "Staff"));
    h.get_by_label("Staff").click();
    step_until(h, "the PIN pad", 5, |h| has(h, "Staff PIN"));
    for d in ["1", "2", "3", "4"] {
        h.get_by_label(d).click();
        h.step();
    }
    h.get_by_label("OK").click();
    step_until(h, "the admin panel", 10, |h| has(h, "Kiosk settings"));
}

/// After a pass the kiosk waits for that person to leave; the next visitor taps "Take photo".
/// Does nothing when the kiosk is not waiting.
pub fn next_visitor(h: &mut Harness<'_, KioskApp>) {
    if h.state().flow.awaiting_departure() {
        step_until(h, "the photo button", 10, |h| has(h, "Take photo"));
        h.get_by_label("Take photo").click();
        h.step();
    }
}
