//! Fault injection through the whole app (egui_kittest, replay camera, simulator): for each
//! fault, the screen the customer sees, that no fault ever shows a pass, and that the kiosk
//! recovers by itself. The table in docs/reliability.md is this file, in words.

use crate::common;

use std::time::Duration;

use common::kiosk::{demo, harness_with, has, has_part, next_visitor, steady_clip, step_until};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use faceki_kiosk::camera::FaultPlan;
use faceki_kiosk::config::Settings;
use faceki_kiosk::runtime::CameraSource;
use faceki_kiosk::sim::{IdImageMode, Scenario, specimen};
use faceki_kiosk::ui::KioskApp;

const WELCOME: &str = "Welcome";

/// Waits for a fresh result titled `title`, checks it is not a pass, dismisses it.
fn expect_result(h: &mut Harness<'_, KioskApp>, scenario: Scenario, title: &str, button: &str) {
    h.state().rt.set_scenario(scenario);
    next_visitor(h);
    step_until(h, &format!("{scenario}: {title}"), 30, |h| has(h, title));
    assert!(!has(h, WELCOME), "{scenario} showed a pass");
    assert!(!has(h, specimen::FULL_NAME), "{scenario} showed a name");
    h.get_by_label(button).click();
    step_until(h, "the result to leave", 5, |h| !has(h, title));
}

/// The next check passes: the kiosk recovered from whatever came before.
fn expect_pass(h: &mut Harness<'_, KioskApp>) {
    h.state().rt.set_scenario(Scenario::Match);
    next_visitor(h);
    step_until(h, "a pass after the fault", 30, |h| has(h, WELCOME));
    h.get_by_label("Done").click();
    step_until(h, "the pass to leave", 5, |h| !has(h, WELCOME));
}

#[test]
fn service_faults_never_pass_and_the_next_check_does() {
    let mut h = demo(Scenario::Match, |s| {
        s.kiosk.max_attempts = 1000;
        s.kiosk.fail_display_secs = 60;
        s.kiosk.pass_display_secs = 60;
        s.faceki.timeout_secs = 1;
    });
    const DOWN: &str = "Service not reachable";
    const WRONG: &str = "Something went wrong";
    let cases = [
        (Scenario::RateLimited, DOWN, "Try again"),
        (Scenario::ServerError, DOWN, "Try again"),
        (Scenario::BadGateway, DOWN, "Try again"),
        (Scenario::Slow(3), DOWN, "Try again"),
        (Scenario::Reset, DOWN, "Try again"),
        (Scenario::Malformed, WRONG, "Try again"),
        (Scenario::Html, WRONG, "Try again"),
        (Scenario::Empty, WRONG, "Try again"),
        (Scenario::WrongType, WRONG, "Try again"),
        (Scenario::Huge, WRONG, "Try again"),
        (Scenario::Code(9999), WRONG, "Try again"),
        (Scenario::Code(8006), "Let's take that again", "Try again"),
        (Scenario::NoMatch, "Not recognised", "Try again"),
        (Scenario::Denied, "Please see staff", "OK"),
        (Scenario::Ambiguous, "Please see staff", "OK"),
    ];
    for (scenario, title, button) in cases {
        expect_result(&mut h, scenario, title, button);
        expect_pass(&mut h);
    }
    // A token revoked mid-session: refreshed once, and the check still passes.
    h.state().rt.sim().unwrap().expire_tokens();
    expect_pass(&mut h);
}

#[test]
fn staff_level_faults_pause_the_kiosk_then_it_retries_by_itself() {
    for scenario in [
        Scenario::Unauthorized,
        Scenario::Quota,
        Scenario::Code(7001),
    ] {
        let mut h = demo(scenario, |s| s.kiosk.pass_display_secs = 60);
        // Retry after 2 s instead of 2 min.
        h.state_mut()
            .change_flow_settings(|f| f.service_retry = Duration::from_secs(2));
        step_until(&mut h, "out of service", 30, |h| {
            has(h, "Temporarily out of service")
        });
        assert!(has_part(&h, "Please see staff"), "{scenario}");
        assert!(!has(&h, WELCOME));
        // Staff fix the account; the kiosk notices on its own.
        h.state().rt.set_scenario(Scenario::Match);
        step_until(&mut h, "a pass after the retry", 40, |h| has(h, WELCOME));
    }
}

#[test]
fn service_unreachable_then_back() {
    let mut h = demo(Scenario::Match, |s| {
        s.faceki.timeout_secs = 2;
        s.kiosk.pass_display_secs = 60;
    });
    let base = h.state().rt.settings.faceki.base_url.clone();
    h.state_mut().rt.stop_sim();
    step_until(&mut h, "unreachable", 30, |h| {
        has(h, "Service not reachable")
    });
    assert!(!has(&h, WELCOME));
    assert!(base.starts_with("http://127.0.0.1:"));
}

#[test]
fn camera_gone_mid_capture_and_back() {
    let mut s = Settings::default();
    s.kiosk.pin_hash = faceki_kiosk::kiosk::pin::hash("1234").unwrap();
    s.kiosk.pass_display_secs = 60;
    s.kiosk.auto_capture = false;
    // Frames 20..80 fail: the camera is unplugged for about four seconds, then comes back.
    let camera = CameraSource::Faulty {
        path: steady_clip(),
        fps: 15.0,
        plan: FaultPlan {
            outage: Some((20, 60)),
            ..FaultPlan::default()
        },
    };
    let mut h = harness_with(s, camera, Some(Scenario::Match));
    step_until(&mut h, "the photo button", 20, |h| has(h, "Take photo"));
    step_until(&mut h, "camera missing", 20, |h| {
        has(h, "Camera not available")
    });
    assert!(!has(&h, WELCOME));
    step_until(&mut h, "the camera back", 30, |h| has(h, "Take photo"));
    h.get_by_label("Take photo").click();
    step_until(&mut h, "a pass once it is back", 30, |h| has(h, WELCOME));
}

#[test]
fn corrupt_frames_are_skipped() {
    let mut s = Settings::default();
    s.kiosk.pin_hash = faceki_kiosk::kiosk::pin::hash("1234").unwrap();
    s.kiosk.pass_display_secs = 60;
    let camera = CameraSource::Faulty {
        path: steady_clip(),
        fps: 15.0,
        plan: FaultPlan {
            corrupt_every: 3,
            ..FaultPlan::default()
        },
    };
    let mut h = harness_with(s, camera, Some(Scenario::Match));
    step_until(&mut h, "a pass despite corrupt frames", 30, |h| {
        has(h, WELCOME)
    });
    assert!(!has(&h, "Camera not available"));
}

#[test]
fn id_image_faults_show_a_placeholder_never_fail_the_pass() {
    let mut h = demo(Scenario::Match, |s| s.kiosk.pass_display_secs = 60);
    for mode in [
        IdImageMode::NotFound,
        IdImageMode::Forbidden,
        IdImageMode::NotAnImage,
        IdImageMode::Huge,
    ] {
        h.state().rt.sim().unwrap().set_id_image(mode);
        next_visitor(&mut h);
        step_until(&mut h, "a pass", 30, |h| has(h, WELCOME));
        step_until(&mut h, &format!("{mode:?}: the placeholder"), 20, |h| {
            has(h, "ID document image not available")
        });
        assert!(has(&h, specimen::FULL_NAME));
        h.get_by_label("Done").click();
        step_until(&mut h, "the pass to leave", 5, |h| !has(h, WELCOME));
    }
    // A slow image: the pass clears on time and the late image does not bring it back.
    h.state_mut()
        .change_flow_settings(|f| f.pass_display = Duration::from_secs(2));
    h.state().rt.sim().unwrap().set_id_image(IdImageMode::Slow);
    next_visitor(&mut h);
    step_until(&mut h, "a pass", 30, |h| has(h, WELCOME));
    step_until(&mut h, "the auto-clear", 10, |h| !has(h, WELCOME));
    assert!(!has(&h, specimen::FULL_NAME));
}
