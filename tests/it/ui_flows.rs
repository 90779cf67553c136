//! The whole app under egui_kittest: replay camera, simulator on loopback, real threads.
//! Controls are found by their labels, as a screen reader would.

use crate::common;

use std::time::{Duration, Instant};

use common::kiosk::{demo, harness_with, has, has_part, steady_clip, step_until};
use egui_kittest::kittest::Queryable;
use faceki_kiosk::config::Settings;
use faceki_kiosk::runtime::CameraSource;
use faceki_kiosk::sim::{self, Scenario};

#[test]
fn pass_shows_the_name_and_the_id_image_then_clears() {
    let mut h = demo(Scenario::Match, |s| s.kiosk.pass_display_secs = 3);
    step_until(&mut h, "the pass screen", 20, |h| has(h, "Welcome"));
    assert!(has(&h, sim::specimen::FULL_NAME));
    assert!(has(&h, sim::specimen::LOCAL_NAME));
    assert!(has(&h, "Document •••••0000"));
    step_until(&mut h, "the ID image", 10, |h| {
        has(h, "ID document on file")
    });
    assert_eq!(h.state().rt.sim().unwrap().stats().id_image_with_auth, 0);
    // The result leaves the screen by itself, with the person's data.
    step_until(&mut h, "the auto-clear", 10, |h| !has(h, "Welcome"));
    assert!(!has(&h, sim::specimen::FULL_NAME));
}

#[test]
fn no_match_then_try_again() {
    let mut h = demo(Scenario::NoMatch, |_| {});
    step_until(&mut h, "no match", 20, |h| has(h, "Not recognised"));
    assert!(has_part(&h, "We could not find you"));
    // Nothing on this screen shows the camera: the gate and the decoding idle.
    assert!(!h.state().rt.gate.guiding());
    h.get_by_label("Try again").click();
    step_until(&mut h, "back to the camera", 5, |h| {
        has_part(h, "Camera preview")
    });
    assert!(h.state().rt.gate.guiding());
}

#[test]
fn retake_shows_faceki_hint() {
    let mut h = demo(Scenario::Code(8006), |_| {});
    step_until(&mut h, "retake", 20, |h| has(h, "Let's take that again"));
    assert!(has(
        &h,
        "We could not see a face. Please look at the camera."
    ));
    assert!(has(&h, "Code 8006"));
}

#[test]
fn ambiguous_asks_for_staff() {
    let mut h = demo(Scenario::Ambiguous, |_| {});
    step_until(&mut h, "ambiguous", 20, |h| has(h, "Please see staff"));
    assert!(has_part(&h, "could not confirm who you are"));
    assert!(!has(&h, "Welcome"));
}

#[test]
fn service_down_is_not_a_pass() {
    let mut h = demo(Scenario::Match, |s| s.faceki.timeout_secs = 3);
    h.state_mut().rt.stop_sim();
    step_until(&mut h, "service error", 25, |h| {
        has(h, "Service not reachable")
    });
    assert!(!has(&h, "Welcome"));
}

#[test]
fn camera_missing_screen() {
    let mut s = Settings::default();
    s.kiosk.pin_hash = faceki_kiosk::kiosk::pin::hash("1234").unwrap();
    let mut h = harness_with(
        s,
        CameraSource::Replay {
            path: "/nonexistent/clip.mjpeg".into(),
            fps: 15.0,
        },
        Some(Scenario::Match),
    );
    step_until(&mut h, "camera missing", 15, |h| {
        has(h, "Camera not available")
    });
}

#[test]
fn attempt_limit_leads_to_cooldown() {
    let mut h = demo(Scenario::NoMatch, |s| {
        s.kiosk.max_attempts = 2;
        s.kiosk.fail_display_secs = 1;
    });
    for _ in 0..2 {
        step_until(&mut h, "a failure", 20, |h| has(h, "Not recognised"));
        h.get_by_label("Try again").click();
        h.step();
    }
    step_until(&mut h, "cooldown", 10, |h| has(h, "Too many attempts"));
}

#[test]
fn wrong_pin_locks_out_and_right_pin_opens_admin() {
    let mut h = demo(Scenario::Match, |s| s.kiosk.auto_capture = false);
    step_until(&mut h, "the staff button", 10, |h| has(h, "Staff"));
    h.get_by_label("Staff").click();
    step_until(&mut h, "the PIN pad", 5, |h| has(h, "Staff PIN"));
    for attempt in 0..5 {
        for d in ["9", "9", "9", "9"] {
            h.get_by_label(d).click();
            h.step();
        }
        h.get_by_label("OK").click();
        let want = if attempt < 4 {
            format!("Wrong PIN. {} tries left.", 4 - attempt)
        } else {
            "Too many wrong PINs".into()
        };
        step_until(&mut h, &want, 10, |h| has_part(h, &want));
    }
    // Even the right PIN is refused while locked.
    for d in ["1", "2", "3", "4"] {
        h.get_by_label(d).click();
        h.step();
    }
    h.get_by_label("OK").click();
    for _ in 0..20 {
        h.step();
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(!has(&h, "Kiosk settings"));
    assert!(has_part(&h, "Too many wrong PINs"));
}

#[test]
fn right_pin_opens_admin() {
    let mut h = demo(Scenario::Match, |s| s.kiosk.auto_capture = false);
    step_until(&mut h, "the staff button", 10, |h| has(h, "Staff"));
    h.get_by_label("Staff").click();
    step_until(&mut h, "the PIN pad", 5, |h| has(h, "Staff PIN"));
    for d in ["1", "2", "3", "4"] {
        h.get_by_label(d).click();
        h.step();
    }
    h.get_by_label("OK").click();
    step_until(&mut h, "the admin panel", 10, |h| has(h, "Kiosk settings"));
    assert!(has_part(&h, "Today: 0 checks"));
    h.get_by_label("Test connection").click();
    step_until(&mut h, "the token test", 10, |h| {
        has_part(h, "Connected: FACEKI gave this kiosk a token.")
    });
}

#[test]
fn first_start_opens_setup_never_a_check() {
    let mut h = harness_with(
        Settings::default(),
        CameraSource::Replay {
            path: steady_clip(),
            fps: 15.0,
        },
        None,
    );
    step_until(&mut h, "setup", 5, |h| has(h, "Set up this kiosk"));
    // A steady face in front changes nothing.
    let t0 = Instant::now();
    while t0.elapsed() < Duration::from_secs(2) {
        h.step();
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(has(&h, "Set up this kiosk"));
    assert!(!has(&h, "Checking…"));
}

// The same flows in Arabic, with controls found by their Arabic labels.

const AR_WELCOME: &str = "أهلًا وسهلًا";

fn arabic(s: &mut Settings) {
    s.kiosk.language = "ar".into();
}

#[test]
fn arabic_pass_shows_the_arabic_welcome_and_name() {
    let mut h = demo(Scenario::Match, |s| {
        arabic(s);
        s.kiosk.pass_display_secs = 30;
    });
    step_until(&mut h, "the Arabic pass screen", 20, |h| has(h, AR_WELCOME));
    assert!(has(&h, sim::specimen::FULL_NAME));
    assert!(has(&h, sim::specimen::LOCAL_NAME));
    // The masked number keeps its shape inside Arabic; screen readers get it in logical order.
    assert!(has(&h, "رقم الوثيقة •••••0000"));
    assert!(!has(&h, "Welcome"));
    step_until(&mut h, "the ID image", 10, |h| {
        has(h, "وثيقة الهوية المسجّلة")
    });
    h.get_by_label("تم").click();
    step_until(&mut h, "the pass to clear", 5, |h| !has(h, AR_WELCOME));
    assert!(!has(&h, sim::specimen::FULL_NAME));
}

#[test]
fn arabic_no_match_then_try_again() {
    let mut h = demo(Scenario::NoMatch, arabic);
    step_until(&mut h, "no match", 20, |h| has(h, "لم نتعرّف عليك"));
    assert!(has_part(&h, "لم نعثر على بياناتك"));
    h.get_by_label("إعادة المحاولة").click();
    step_until(&mut h, "back to the camera", 5, |h| {
        has_part(h, "معاينة الكاميرا")
    });
}

#[test]
fn arabic_staff_pin_pad_is_labelled() {
    let mut h = demo(Scenario::Match, |s| {
        arabic(s);
        s.kiosk.auto_capture = false;
    });
    step_until(&mut h, "the capture button", 10, |h| has(h, "التقاط صورة"));
    h.get_by_label("للموظفين").click();
    step_until(&mut h, "the PIN pad", 5, |h| has(h, "الرمز السري للموظفين"));
    for d in ["9", "9", "9", "9"] {
        h.get_by_label(d).click();
        h.step();
    }
    h.get_by_label("موافق").click();
    step_until(&mut h, "the wrong-PIN line", 10, |h| {
        has(h, "رمز خاطئ. المحاولات المتبقية: 4.")
    });
    assert!(has(&h, "مسح"));
    h.get_by_label("إلغاء").click();
    step_until(&mut h, "back to the camera", 5, |h| has(h, "للموظفين"));
}

#[test]
fn arabic_camera_missing_screen() {
    let mut s = Settings::default();
    s.kiosk.pin_hash = faceki_kiosk::kiosk::pin::hash("1234").unwrap();
    arabic(&mut s);
    let mut h = harness_with(
        s,
        CameraSource::Replay {
            path: "/nonexistent/clip.mjpeg".into(),
            fps: 15.0,
        },
        Some(Scenario::Match),
    );
    step_until(&mut h, "camera missing", 15, |h| {
        has(h, "الكاميرا غير متاحة")
    });
    assert!(has_part(&h, "جارٍ إعادة المحاولة تلقائيًا"));
    h.get_by_label("للموظفين").click();
    step_until(&mut h, "the PIN pad", 5, |h| has(h, "الرمز السري للموظفين"));
}

#[test]
fn language_switch_lasts_for_the_visitor_then_resets() {
    let mut h = demo(Scenario::Match, |s| s.kiosk.auto_capture = false);
    step_until(&mut h, "the language switch", 10, |h| has(h, "العربية"));
    assert!(has(&h, "Face sign-in"));
    h.get_by_label("العربية").click();
    step_until(&mut h, "Arabic", 5, |h| has(h, "تسجيل الدخول بالوجه"));
    // The switch now offers the way back, in English.
    assert!(has(&h, "English"));
    assert!(!has(&h, "Face sign-in"));
    step_until(&mut h, "the capture button", 10, |h| has(h, "التقاط صورة"));
    h.get_by_label("التقاط صورة").click();
    step_until(&mut h, "the Arabic pass screen", 20, |h| has(h, AR_WELCOME));
    h.get_by_label("تم").click();
    // The visitor got in: the next one starts in the configured language.
    step_until(&mut h, "English again", 5, |h| has(h, "Face sign-in"));
    assert!(has(&h, "العربية"));
    assert_eq!(h.state().lang, faceki_kiosk::i18n::Lang::En);
}

/// Settings for snapshots: results stay an hour, so their time-left bar does not move.
fn snapshot_settings() -> Settings {
    let mut s = Settings::default();
    s.kiosk.pin_hash = faceki_kiosk::kiosk::pin::hash("1234").unwrap();
    s.kiosk.pass_display_secs = 3600;
    s.kiosk.fail_display_secs = 3600;
    s
}

// One snapshot of the whole app (demo banner, real fonts, a real pass); each screen on its own
// is in screens.rs.

#[test]
fn snapshot_of_the_whole_app_on_a_pass() {
    let mut h = harness_with(
        snapshot_settings(),
        CameraSource::Replay {
            path: steady_clip(),
            fps: 15.0,
        },
        Some(Scenario::Match),
    );
    step_until(&mut h, "the ID image", 20, |h| {
        has(h, "ID document on file")
    });
    h.step();
    h.snapshot("app_pass_demo");
}

/// The live preview through the app's own wgpu pipeline (the UI tests render with wgpu): the
/// camera image under the oval, no panel fill under it.
#[test]
fn snapshot_of_the_whole_app_guiding_someone() {
    let dir = std::env::temp_dir().join(format!("faceki-kiosk-still-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let clip = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/assets/demo/clip.mjpeg"
    ))
    .unwrap();
    let frames = faceki_kiosk::camera::mjpeg::split_frames(&clip);
    std::fs::write(dir.join("frame.jpg"), frames[20]).unwrap();
    let mut h = harness_with(
        snapshot_settings(),
        CameraSource::Replay {
            path: dir,
            fps: 15.0,
        },
        Some(Scenario::Match),
    );
    step_until(&mut h, "the hint", 15, |h| {
        has_part(h, "Camera preview. Please")
    });
    for _ in 0..3 {
        h.step();
        std::thread::sleep(Duration::from_millis(80));
    }
    h.snapshot("app_positioning_demo");
}
