//! The kiosk's own overhead per check: from "capture" (the flow's StartCheck) through crop,
//! JPEG encode, HTTP to the in-process simulator answering at once, decision, and the result
//! arriving back on the UI side. `cargo bench --bench check_overhead`. Under `cargo test` it
//! runs a few checks only, to prove it works.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and tools may panic

use std::time::{Duration, Instant};

use faceki_kiosk::config::Settings;
use faceki_kiosk::runtime::{CameraSource, Runtime, RuntimeEvent};
use faceki_kiosk::sim::Scenario;

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let n = if full { 300 } else { 5 };
    let mut rt = Runtime::start(
        Settings::default(),
        CameraSource::DemoClip { fps: 15.0 },
        Some(Scenario::Match),
        None,
    )
    .expect("runtime starts");
    // Wait for the gate to have judged a frame with a face (the clip's person walks in).
    let t0 = Instant::now();
    while !rt.gate.latest().is_some_and(|g| g.report.is_ok()) {
        assert!(
            t0.elapsed() < Duration::from_secs(30),
            "no good frame from the demo clip"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    let mut times = Vec::with_capacity(n);
    for check in 0..n as u64 {
        let start = Instant::now();
        let selfie = rt.gate.latest().map(|g| g.selfie());
        rt.start_check(check, selfie);
        let outcome = loop {
            if let Some(RuntimeEvent::CheckFinished { outcome, .. }) = rt
                .drain()
                .into_iter()
                .find(|e| matches!(e, RuntimeEvent::CheckFinished { .. }))
            {
                break outcome;
            }
            std::thread::sleep(Duration::from_micros(200));
        };
        times.push(start.elapsed());
        assert!(outcome.is_pass(), "{outcome:?}");
    }
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let median = times[times.len() / 2];
    let p95 = times[(times.len() * 95 / 100).min(times.len() - 1)];
    if full {
        println!(
            "check overhead over {n} checks: median {:.2} ms, p95 {:.2} ms, max {:.2} ms",
            ms(median),
            ms(p95),
            ms(*times.last().unwrap())
        );
    } else {
        println!("check overhead: smoke run ok ({n} checks)");
    }
}
