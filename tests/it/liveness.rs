//! Liveness on the synthetic test set (`liveness::testset`): rendered 3D heads wearing the
//! fixture photos, and attacks made from the same photos. Every genuine visitor who does as
//! asked must pass (BPCER goal at most 5%: none of these may fail), and no print, no wrong-order
//! replay and no head that does not do as asked may pass. The screen replay in the asked order is
//! the hard case: its result is reported, not required. Run with `--nocapture` for the table.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use faceki_kiosk::liveness::demo::head_from_photo;
use faceki_kiosk::liveness::judge::Judge;
use faceki_kiosk::liveness::render::TexturedHead;
use faceki_kiosk::liveness::testset::{self, Clip, Species};
use faceki_kiosk::liveness::{ChallengeResult, ChallengeSettings, LivenessVerdict};
use faceki_kiosk::selfie::GateSettings;

use crate::common::frames::{astronaut, hopper};

fn heads() -> &'static [(&'static str, TexturedHead)] {
    static HEADS: OnceLock<Vec<(&'static str, TexturedHead)>> = OnceLock::new();
    HEADS.get_or_init(|| {
        vec![
            ("hopper", head_from_photo(&hopper()).expect("hopper's head")),
            (
                "astronaut",
                head_from_photo(&astronaut()).expect("astronaut's head"),
            ),
        ]
    })
}

fn head_refs() -> Vec<(&'static str, &'static TexturedHead)> {
    heads().iter().map(|(n, h)| (*n, h)).collect()
}

fn judge(clips: &[Clip]) -> Vec<(&Clip, ChallengeResult)> {
    let mut judge = Judge::new(GateSettings::default()).expect("models load");
    let settings = ChallengeSettings::default();
    clips
        .iter()
        .map(|c| {
            let r = judge.run(c.frames.iter().cloned(), testset::FPS, &c.ask, &settings);
            eprintln!(
                "{:<45} {:<12} {:>5} ms  planarity {:>7} peaks {:?}  {}",
                c.name,
                r.verdict.name(),
                r.took.as_millis(),
                r.planarity.map_or("-".into(), |p| format!("{p:.4}")),
                r.steps
                    .iter()
                    .map(|s| s.peak_deg.round())
                    .collect::<Vec<_>>(),
                r.reason
            );
            (c, r)
        })
        .collect()
}

/// Per species: clips, judged live.
fn table(results: &[(&Clip, ChallengeResult)]) -> BTreeMap<Species, (usize, usize)> {
    let mut t = BTreeMap::new();
    for (c, r) in results {
        let e = t.entry(c.species).or_insert((0, 0));
        e.0 += 1;
        if r.verdict == LivenessVerdict::Live {
            e.1 += 1;
        }
    }
    for (s, (n, live)) in &t {
        eprintln!("{:<45} {live}/{n} judged live", s.name());
    }
    t
}

#[test]
fn genuine_visitors_who_do_as_asked_pass() {
    let clips = testset::genuine_clips(&head_refs());
    let results = judge(&clips);
    table(&results);
    let refused: Vec<_> = results
        .iter()
        .filter(|(_, r)| r.verdict != LivenessVerdict::Live)
        .map(|(c, r)| format!("{}: {} ({})", c.name, r.verdict.name(), r.reason))
        .collect();
    // The time a genuine visitor spends in the challenge (BENCHMARKS.md).
    let mut took: Vec<u128> = results.iter().map(|(_, r)| r.took.as_millis()).collect();
    took.sort_unstable();
    eprintln!(
        "time in the challenge: median {} ms, range {}-{} ms",
        took[took.len() / 2],
        took[0],
        took[took.len() - 1]
    );
    // BPCER: at most 5% (of 16 clips, none).
    assert!(
        refused.len() * 20 <= results.len(),
        "genuine visitors refused: {refused:#?}"
    );
    // A pass always names its selfie: a frame of the challenge.
    for (c, r) in &results {
        if r.verdict == LivenessVerdict::Live {
            let seq = r.selfie_seq.expect("a live verdict names its frame");
            assert!(seq as usize <= c.frames.len());
        }
    }
}

#[test]
fn heads_that_do_not_do_as_asked_do_not_pass() {
    let clips = testset::wrong_clips(&head_refs());
    let results = judge(&clips);
    for (c, r) in &results {
        assert_ne!(r.verdict, LivenessVerdict::Live, "{} passed", c.name);
    }
}

#[test]
fn no_print_passes() {
    let (h, a) = (hopper(), astronaut());
    let clips = testset::print_clips(&[("hopper", &h), ("astronaut", &a)]);
    let results = judge(&clips);
    let t = table(&results);
    for species in [
        Species::PrintStill,
        Species::PrintTilted,
        Species::PrintSlid,
    ] {
        let (n, live) = t.get(&species).copied().unwrap_or((0, 0));
        assert!(n > 0, "{species:?} has no clips");
        assert_eq!(live, 0, "APCER of {} is {live}/{n}", species.name());
    }
}

#[test]
fn screen_replays_in_the_wrong_order_do_not_pass() {
    let clips = testset::screen_clips(&head_refs());
    let results = judge(&clips);
    let t = table(&results);
    let (n, live) = t[&Species::ScreenReplayWrongOrder];
    assert_eq!(live, 0, "wrong-order replays judged live: {live}/{n}");
    // The asked-order replay is reported (see docs/security.md), not required either way.
    assert!(t.contains_key(&Species::ScreenReplay));
}

// ---- The `liveness` and `check --replay` commands, from outside ----

const BIN: &str = env!("CARGO_BIN_EXE_faceki-kiosk");

/// Writes `frames` as a folder of JPEG files, the way an operator might export a recording.
fn clip_folder(name: &str, frames: &[image::RgbImage]) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("faceki-liveness-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (i, f) in frames.iter().enumerate() {
        f.save(dir.join(format!("frame_{i:04}.jpg"))).unwrap();
    }
    dir
}

fn run(args: &[&str]) -> (i32, serde_json::Value) {
    let out = std::process::Command::new(BIN).args(args).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout.lines().last().unwrap_or_default();
    let json = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    (out.status.code().unwrap_or(-1), json)
}

#[test]
fn the_liveness_command_judges_any_clip() {
    let (_, head) = &heads()[0];
    let seq = [
        faceki_kiosk::liveness::Turn::Left,
        faceki_kiosk::liveness::Turn::Right,
    ];
    let yaw = testset::script(&seq, testset::Motion::BRISK);
    let live = clip_folder("live", &testset::genuine(head, &yaw, 5));
    let photo = hopper();
    let flat = clip_folder("print", &testset::print(&photo, &[0.0; 40], &[0.0; 40], 9));
    let live_s = live.to_str().unwrap();
    let args = |clip| {
        vec![
            "liveness",
            "--replay",
            clip,
            "--fps",
            "10",
            "--challenge",
            "left,right",
            "--json",
        ]
    };
    let (code, json) = run(&args(live_s));
    assert_eq!(code, 0, "{json}");
    assert_eq!(json["verdict"], "live");
    assert_eq!(json["steps"][0]["asked"], "left");
    assert_eq!(json["steps"][0]["seen"], true);
    assert!(json["steps"][1]["at_ms"].as_u64().unwrap() > 0);
    assert!(json["planarity"].as_f64().unwrap() > 0.03);
    assert!(json["frames"].as_u64().unwrap() > 10);

    // Asked the other way round, the same recording is refused.
    let mut other = args(live_s);
    other[6] = "right,left";
    let (code, json) = run(&other);
    assert_eq!((code, json["verdict"].as_str()), (1, Some("no_response")));

    let (code, json) = run(&args(flat.to_str().unwrap()));
    assert_eq!(code, 1, "{json}");
    assert_ne!(json["verdict"], "live");

    let (code, json) = run(&args("/nonexistent/clip.mjpeg"));
    assert_eq!((code, json["verdict"].as_str()), (2, Some("error")));

    // `check --replay`: the paid call only after a live verdict, on the challenge's frame.
    let check = |clip: &str| {
        run(&[
            "check",
            "--demo",
            "--replay",
            clip,
            "--fps",
            "10",
            "--challenge",
            "left,right",
            "--json",
        ])
    };
    let (code, json) = check(live_s);
    assert_eq!(
        (code, json["outcome"].as_str()),
        (0, Some("pass")),
        "{json}"
    );
    let (code, json) = check(flat.to_str().unwrap());
    assert_eq!(code, 1, "{json}");
    assert_eq!(json["outcome"], "liveness_failed");
    let _ = std::fs::remove_dir_all(live);
    let _ = std::fs::remove_dir_all(flat);
}
