//! Liveness per frame on one core: the landmark model on the judged face, the head pose, the
//! planarity fit, the whole observer (landmarks + pose + track), and rendering a demo frame.
//! Goal (issue 11): landmarks + liveness checks under 10 ms a frame.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use criterion::{Criterion, criterion_group, criterion_main};
use faceki_kiosk::liveness::geometry::{head_pose, planarity_residual};
use faceki_kiosk::liveness::render::render;
use faceki_kiosk::liveness::testset::{self, Motion};
use faceki_kiosk::liveness::{Landmarker, Observer, Turn, demo};
use faceki_kiosk::selfie::{Gate, GateSettings};

fn benches(c: &mut Criterion) {
    let head = demo::demo_head().expect("demo head");
    let yaw = testset::script(&[Turn::Left, Turn::Right], Motion::BRISK);
    let frames = testset::genuine(&head, &yaw, 1);
    let frontal = &frames[0];
    let turned = frames
        .iter()
        .zip(&yaw)
        .find(|(_, y)| **y >= 30.0)
        .map(|(f, _)| f)
        .expect("a turned frame");
    let mut gate = Gate::new(GateSettings::default()).unwrap();
    let report = gate.check(frontal).unwrap();
    let face = report.faces.first().cloned().expect("a face");
    let mut lm = Landmarker::new().unwrap();
    c.bench_function("landmarks_192", |b| {
        b.iter(|| lm.landmarks(frontal, &face).unwrap())
    });
    let a = lm.landmarks(frontal, &face).unwrap().points;
    let turned_report = gate.check(turned).unwrap();
    let b_marks = lm
        .landmarks(turned, turned_report.faces.first().expect("turned face"))
        .unwrap()
        .points;
    c.bench_function("head_pose", |b| b.iter(|| head_pose(&a).unwrap()));
    c.bench_function("planarity_residual", |b| {
        b.iter(|| planarity_residual(&a, &b_marks).unwrap())
    });
    let mut obs = Observer::new().unwrap();
    c.bench_function("observer_per_frame", |b| {
        b.iter(|| obs.observe(frontal, 1, &report))
    });
    let pose = faceki_kiosk::liveness::render::Pose {
        yaw_deg: 20.0,
        pitch_deg: 0.0,
        roll_deg: 0.0,
        centre: [640.0, 360.0],
        face_width_px: testset::FACE_WIDTH,
    };
    let scene = faceki_kiosk::liveness::render::Scene {
        width: 1280,
        height: 720,
        background: faceki_kiosk::liveness::render::Background::Solid([118, 124, 132]),
        light: [0.3, 0.5, 1.0],
        ambient: 0.55,
        seed: 1,
        noise: 1.5,
    };
    c.bench_function("render_demo_frame_1280x720", |b| {
        b.iter(|| render(&head, &pose, &scene))
    });
}

criterion_group! {
    name = liveness;
    config = Criterion::default().sample_size(20);
    targets = benches
}
criterion_main!(liveness);
