//! The head-turn challenge in the whole app (egui_kittest): its prompt and its timeout in both
//! languages, a flat picture ending on the staff message with no paid call, and a pass only
//! after the challenge, with the rendered demo visitor doing the turns.

use std::sync::Arc;

use faceki_kiosk::config::Settings;
use faceki_kiosk::kiosk::{Event, Screen};
use faceki_kiosk::liveness::geometry::{P2, canonical_vertices};
use faceki_kiosk::liveness::{FaceObservation, LivenessMode};
use faceki_kiosk::runtime::CameraSource;
use faceki_kiosk::sim::Scenario;

use crate::common::kiosk::{harness_live, has, has_part, steady_camera, step_until};

fn settings(lang: &str, step_timeout: f32) -> Settings {
    let mut s = Settings::default();
    s.kiosk.pin_hash = faceki_kiosk::kiosk::pin::hash("1234").unwrap();
    s.kiosk.language = lang.into();
    s.liveness.mode = LivenessMode::Challenge;
    s.liveness.step_timeout_secs = step_timeout;
    s
}

const TURN_EN: &str = "Slowly turn your head to your";
const TURN_AR: &str = "أدر رأسك ببطء إلى";

#[test]
fn the_prompt_then_the_timeout_in_english_and_arabic() {
    for (lang, turn, timed_out) in [
        ("en", TURN_EN, "We did not see the head turns we asked for"),
        ("ar", TURN_AR, "لم نرَ حركات الرأس المطلوبة"),
    ] {
        // The steady clip's customer looks at the camera and never turns.
        let mut h = harness_live(settings(lang, 2.0), steady_camera(), Some(Scenario::Match));
        step_until(&mut h, "the turn prompt", 30, |h| has_part(h, turn));
        assert!(matches!(h.state().flow.screen(), Screen::Challenge { .. }));
        step_until(&mut h, "the timeout", 20, |h| has_part(h, timed_out));
        let stats = h.state().rt.sim().unwrap().stats();
        assert_eq!(
            stats.face_check_requests, 0,
            "no paid call without the turns"
        );
    }
}

/// The canonical face, squeezed as a tilted print is: a flat picture "turning".
fn flat(squeeze: f32) -> Arc<[P2]> {
    canonical_vertices()
        .iter()
        .map(|v| [640.0 + v[0] * 20.0 * squeeze, 360.0 - v[1] * 20.0])
        .collect()
}

#[test]
fn a_flat_picture_ends_on_the_staff_message_without_a_paid_call() {
    for (lang, message) in [
        (
            "en",
            "We could not confirm that you are here in person. Please ask staff.",
        ),
        (
            "ar",
            "لم نتمكن من التأكد من وجودك شخصيًا. يُرجى مراجعة الموظفين.",
        ),
    ] {
        let mut h = harness_live(settings(lang, 6.0), steady_camera(), Some(Scenario::Match));
        step_until(&mut h, "the challenge", 30, |h| {
            matches!(h.state().flow.screen(), Screen::Challenge { .. })
        });
        // The gate thread stops looking (its landmarks are of the clip's real face); the test
        // says instead what it would report of a print tilted one way and the other, landmarks
        // saying yaw while staying one homography of the frontal frame.
        h.state().rt.gate.observe(false);
        let mut seq = 1_000_000;
        let mut t_yaw = |h: &mut egui_kittest::Harness<'_, faceki_kiosk::ui::KioskApp>,
                         yaw: f32| {
            seq += 1;
            h.state_mut().inject(Event::Face(FaceObservation {
                seq,
                track: 99,
                faces: 1,
                yaw_deg: Some(yaw),
                landmarks: Some(flat(yaw.to_radians().cos())),
                selfie_ok: true,
            }));
            h.step();
        };
        for _ in 0..200 {
            let Screen::Challenge { ask, .. } = *h.state().flow.screen() else {
                break;
            };
            let yaw = match ask {
                faceki_kiosk::liveness::Ask::Turn(faceki_kiosk::liveness::Turn::Left) => 25.0,
                faceki_kiosk::liveness::Ask::Turn(faceki_kiosk::liveness::Turn::Right) => -25.0,
                faceki_kiosk::liveness::Ask::Frontal => 0.0,
            };
            t_yaw(&mut h, yaw);
        }
        step_until(&mut h, "the staff message", 10, |h| has(h, message));
        assert!(!has(&h, "Welcome"));
        assert_eq!(
            h.state().rt.sim().unwrap().stats().face_check_requests,
            0,
            "a picture never costs a check"
        );
    }
}

#[test]
fn the_demo_visitor_passes_only_after_the_challenge() {
    let camera = CameraSource::DemoVisitor {
        cue: Arc::default(),
    };
    let mut h = harness_live(settings("en", 8.0), camera, Some(Scenario::Match));
    step_until(&mut h, "the turn prompt", 60, |h| has_part(h, TURN_EN));
    assert_eq!(h.state().rt.sim().unwrap().stats().face_check_requests, 0);
    step_until(&mut h, "the pass screen", 90, |h| has(h, "Welcome"));
    assert_eq!(h.state().rt.sim().unwrap().stats().face_check_requests, 1);
}
