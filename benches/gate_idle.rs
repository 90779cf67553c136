//! What the gate worker costs in CPU, nobody there and someone in front: the worker (default
//! rates) on the demo clip's empty-wall frames, then on its steady centred face, replayed at
//! 15 fps, `SECS` seconds each (default 20). Reads the `gate` thread's CPU time from
//! /proc/self/task (Linux). `cargo bench --bench gate_idle`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use faceki_kiosk::camera::{Camera, CaptureOptions, ReplaySource};
use faceki_kiosk::selfie::GateSettings;
use faceki_kiosk::selfie::worker::{GateWorker, WorkerOptions};

/// CPU time (user + system) of this process's thread called `name`.
fn thread_cpu(name: &str) -> Option<Duration> {
    for task in std::fs::read_dir("/proc/self/task").ok()? {
        let dir = task.ok()?.path();
        let comm = std::fs::read_to_string(dir.join("comm")).ok()?;
        if comm.trim() != name {
            continue;
        }
        let stat = std::fs::read_to_string(dir.join("stat")).ok()?;
        // Fields after the ")" that closes the name: utime and stime are the 12th and 13th.
        let rest = &stat[stat.rfind(')')? + 2..];
        let f: Vec<&str> = rest.split(' ').collect();
        let ticks: u64 = f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?;
        // /proc reports in USER_HZ, 100 on Linux.
        return Some(Duration::from_millis(ticks * 10));
    }
    None
}

type Res<T> = Result<T, Box<dyn std::error::Error>>;

fn run(label: &str, frames: &[&[u8]], secs: u64) -> Res<()> {
    let data: Vec<u8> = frames.concat();
    let src = ReplaySource::from_mjpeg(label, &data, 15.0)?;
    let cam = Arc::new(Camera::spawn(
        Box::new(move || Box::new(src)),
        CaptureOptions::default(),
    ));
    let worker = GateWorker::spawn(
        Arc::clone(&cam),
        GateSettings::default(),
        WorkerOptions::default(),
    );
    // Let the models load, then measure.
    std::thread::sleep(Duration::from_secs(3));
    let (c0, t0) = (thread_cpu("gate").ok_or("no gate thread")?, Instant::now());
    let mut checks = 0u64;
    let mut last = 0;
    while t0.elapsed() < Duration::from_secs(secs) {
        if let Some(o) = worker.latest() {
            if o.frame.seq != last {
                last = o.frame.seq;
                checks += 1;
            }
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let cpu = thread_cpu("gate").ok_or("no gate thread")? - c0;
    let wall = t0.elapsed();
    println!(
        "{label}: gate thread {:.2}% of one core ({:.0} ms CPU in {:.1} s, {:.1} checks/s)",
        cpu.as_secs_f64() / wall.as_secs_f64() * 100.0,
        cpu.as_secs_f64() * 1000.0,
        wall.as_secs_f64(),
        checks as f64 / wall.as_secs_f64()
    );
    drop(worker);
    // The old worker's thread ends within one period; let it go before the next run.
    std::thread::sleep(Duration::from_secs(1));
    Ok(())
}

fn main() -> Res<()> {
    let secs = std::env::var("SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20);
    let clip = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/assets/demo/clip.mjpeg"
    ))?;
    let frames = faceki_kiosk::camera::mjpeg::split_frames(&clip);
    // The clip opens on 12 frames of the empty wall; frames 44-63 hold a steady centred face.
    run("nobody (empty wall)", &frames[..12], secs)?;
    run("a face, held still", &frames[44..64], secs)
}
