//! The synthetic liveness test set: genuine visitors (rendered 3D heads wearing a fixture photo,
//! turning as asked, at several speeds and angles) and presentation attacks by species (a flat
//! print held still, tilted or slid in the asked order; a screen replaying a rendered visitor).
//! Made in code, so the tests, the benchmarks and anyone judging the check see the same clips.
//! It is synthetic: the figures it gives say how the check treats these clips, not a lab's
//! certification.

use image::RgbImage;

use super::Turn;
use super::attack::{print_frame, screen_frame};
use super::render::{Background, Pose, Scene, TexturedHead, render};

pub const W: u32 = 1280;
pub const H: u32 = 720;
/// The gate worker's rate: the challenge sees about this many frames a second.
pub const FPS: f32 = 10.0;
/// A face filling the oval (eye distance ~130 px, over the gate's 90).
pub const FACE_WIDTH: f32 = 288.0;

/// What a clip is, for the tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Species {
    /// A rendered head doing what was asked.
    Genuine,
    /// A rendered head that does not turn, turns the wrong way, or in another order.
    GenuineWrong,
    PrintStill,
    PrintTilted,
    PrintSlid,
    /// A screen replaying a rendered visitor, in the asked order (the hard case).
    ScreenReplay,
    /// The same replay in another order than asked.
    ScreenReplayWrongOrder,
}

impl Species {
    pub fn name(self) -> &'static str {
        match self {
            Self::Genuine => "genuine, as asked",
            Self::GenuineWrong => "genuine, wrong way / no turn / other order",
            Self::PrintStill => "print held still (tremor)",
            Self::PrintTilted => "print tilted in the asked order",
            Self::PrintSlid => "print slid sideways in the asked order",
            Self::ScreenReplay => "screen replay, asked order",
            Self::ScreenReplayWrongOrder => "screen replay, other order",
        }
    }

    pub fn is_attack(self) -> bool {
        !matches!(self, Self::Genuine | Self::GenuineWrong)
    }
}

/// How a scripted person moves: peak angle and speed.
#[derive(Debug, Clone, Copy)]
pub struct Motion {
    pub peak_deg: f32,
    pub speed_deg_s: f32,
    /// Frames before reacting to each ask.
    pub react_frames: usize,
}

impl Motion {
    pub const BRISK: Motion = Motion {
        peak_deg: 32.0,
        speed_deg_s: 110.0,
        react_frames: 3,
    };
    pub const CAREFUL: Motion = Motion {
        peak_deg: 24.0,
        speed_deg_s: 60.0,
        react_frames: 5,
    };
}

/// The yaw, frame by frame at [`FPS`], of someone doing `turns` with `m`: frontal first, each
/// turn out and back, frontal at the end (long enough for the selfie).
pub fn script(turns: &[Turn], m: Motion) -> Vec<f32> {
    let per_frame = m.speed_deg_s / FPS;
    let mut yaw = vec![0.0; 5];
    for t in turns {
        let sign = match t {
            Turn::Left => 1.0,
            Turn::Right => -1.0,
        };
        yaw.extend(std::iter::repeat_n(0.0, m.react_frames));
        let mut a: f32 = 0.0;
        while a < m.peak_deg {
            a = (a + per_frame).min(m.peak_deg);
            yaw.push(sign * a);
        }
        yaw.extend([sign * m.peak_deg; 2]);
        while a > 0.0 {
            a = (a - per_frame).max(0.0);
            yaw.push(sign * a);
        }
        yaw.extend([0.0; 3]);
    }
    yaw.extend([0.0; 6]);
    yaw
}

fn scene(seed: u64) -> Scene {
    Scene {
        width: W,
        height: H,
        background: Background::Solid([118, 124, 132]),
        light: [0.3, 0.5, 1.0],
        ambient: 0.55,
        seed,
        // No sensor noise: it changes nothing the landmark model sees at this size, and adding
        // it per pixel is most of a frame's cost in the unoptimised test build.
        noise: 0.0,
    }
}

/// A small, slow sway: nobody holds perfectly still (and the gate's steadiness allows it).
fn sway(i: usize) -> (f32, f32, [f32; 2]) {
    let t = i as f32 / FPS;
    (
        (t * 0.5).sin() * 1.0,
        (t * 0.43).sin() * 1.0,
        [(t * 0.9).sin() * 3.0, (t * 0.7).cos() * 2.0],
    )
}

/// A rendered visitor following `yaw`.
pub fn genuine(head: &TexturedHead, yaw: &[f32], seed: u64) -> Vec<RgbImage> {
    yaw.iter()
        .enumerate()
        .map(|(i, &y)| {
            let (pitch, roll, d) = sway(i);
            let pose = Pose {
                yaw_deg: y,
                pitch_deg: pitch,
                roll_deg: roll,
                centre: [W as f32 / 2.0 + d[0], H as f32 / 2.0 + d[1]],
                face_width_px: FACE_WIDTH,
            };
            render(head, &pose, &scene(seed.wrapping_add(i as u64)))
        })
        .collect()
}

/// The photo as a print, held up where a face would be; `tilt` (degrees about the vertical
/// axis) and `slide` (pixels) per frame, with a hand's tremor.
pub fn print(photo: &RgbImage, tilt: &[f32], slide: &[f32], seed: u64) -> Vec<RgbImage> {
    let bg = Background::Solid([118, 124, 132]);
    // The print is larger than the face on it: the fixture portraits show head and shoulders.
    let width = FACE_WIDTH * photo.width() as f32 / (photo.width() as f32 * 0.45);
    tilt.iter()
        .zip(slide)
        .enumerate()
        .map(|(i, (&t, &s))| {
            let pose = Pose {
                yaw_deg: t,
                pitch_deg: 0.0,
                roll_deg: 0.0,
                centre: [W as f32 / 2.0 + s, H as f32 / 2.0],
                face_width_px: width,
            };
            print_frame(photo, &bg, &pose, W, H, (1.5, seed.wrapping_add(i as u64)))
        })
        .collect()
}

/// A phone or tablet held up to the camera, playing `frames` (a rendered visitor).
pub fn screen(frames: &[RgbImage], seed: u64) -> Vec<RgbImage> {
    let bg = Background::Solid([118, 124, 132]);
    frames
        .iter()
        .enumerate()
        .map(|(i, f)| {
            // The device is held close, so the face on it is about the size of a real one.
            let pose = Pose {
                yaw_deg: 0.0,
                pitch_deg: 0.0,
                roll_deg: 0.0,
                centre: [W as f32 / 2.0, H as f32 / 2.0],
                face_width_px: W as f32 * 0.95,
            };
            screen_frame(f, &bg, &pose, W, H, seed.wrapping_add(i as u64))
        })
        .collect()
}

/// One clip of the set.
pub struct Clip {
    pub species: Species,
    pub name: String,
    /// The turns to ask when judging it.
    pub ask: Vec<Turn>,
    pub frames: Vec<RgbImage>,
}

fn other_order(turns: &[Turn]) -> Vec<Turn> {
    let flipped: Vec<Turn> = turns
        .iter()
        .map(|t| match t {
            Turn::Left => Turn::Right,
            Turn::Right => Turn::Left,
        })
        .collect();
    flipped
}

/// The step sequences every genuine visitor is tried with.
pub const SEQUENCES: [[Turn; 2]; 4] = [
    [Turn::Left, Turn::Right],
    [Turn::Right, Turn::Left],
    [Turn::Left, Turn::Left],
    [Turn::Right, Turn::Right],
];

/// Genuine visitors: each head, each sequence, brisk and careful.
pub fn genuine_clips(heads: &[(&str, &TexturedHead)]) -> Vec<Clip> {
    let mut out = Vec::new();
    for (h, (name, head)) in heads.iter().enumerate() {
        for (s, seq) in SEQUENCES.iter().enumerate() {
            for (m, (mname, motion)) in [("brisk", Motion::BRISK), ("careful", Motion::CAREFUL)]
                .into_iter()
                .enumerate()
            {
                let seed = (h * 100 + s * 10 + m) as u64;
                out.push(Clip {
                    species: Species::Genuine,
                    name: format!("{name} {} {mname}", names(seq)),
                    ask: seq.to_vec(),
                    frames: genuine(head, &script(seq, motion), seed),
                });
            }
        }
    }
    out
}

/// Real heads that do not do what is asked: no turn, the wrong way, another order.
pub fn wrong_clips(heads: &[(&str, &TexturedHead)]) -> Vec<Clip> {
    let ask = [Turn::Left, Turn::Right];
    let mut out = Vec::new();
    for (h, (name, head)) in heads.iter().enumerate() {
        let seed = 1000 + h as u64 * 10;
        out.push(Clip {
            species: Species::GenuineWrong,
            name: format!("{name} never turns"),
            ask: ask.to_vec(),
            frames: genuine(head, &[0.0; 60], seed),
        });
        out.push(Clip {
            species: Species::GenuineWrong,
            name: format!("{name} turns the wrong way"),
            ask: ask.to_vec(),
            frames: genuine(head, &script(&other_order(&ask), Motion::BRISK), seed + 1),
        });
    }
    out
}

/// Prints of each photo: still, tilted and slid in the asked order.
pub fn print_clips(photos: &[(&str, &RgbImage)]) -> Vec<Clip> {
    let ask = [Turn::Left, Turn::Right];
    let mut out = Vec::new();
    for (p, (name, photo)) in photos.iter().enumerate() {
        let seed = 2000 + p as u64 * 10;
        let n = 60;
        out.push(Clip {
            species: Species::PrintStill,
            name: format!("{name} print, still"),
            ask: ask.to_vec(),
            frames: print(photo, &vec![0.0; n], &vec![0.0; n], seed),
        });
        for (m, motion) in [Motion::BRISK, Motion::CAREFUL].into_iter().enumerate() {
            // Turning the print "to the left" as a head would: its right edge away.
            let tilt: Vec<f32> = script(&ask, motion).iter().map(|y| y * 1.2).collect();
            out.push(Clip {
                species: Species::PrintTilted,
                name: format!("{name} print, tilted {}", ["brisk", "careful"][m]),
                ask: ask.to_vec(),
                frames: print(photo, &tilt, &vec![0.0; tilt.len()], seed + 1 + m as u64),
            });
        }
        let slide: Vec<f32> = script(&ask, Motion::BRISK)
            .iter()
            .map(|y| y * 5.0)
            .collect();
        out.push(Clip {
            species: Species::PrintSlid,
            name: format!("{name} print, slid"),
            ask: ask.to_vec(),
            frames: print(photo, &vec![0.0; slide.len()], &slide, seed + 5),
        });
    }
    out
}

/// A screen replaying a genuine visitor: in the asked order, and in another.
pub fn screen_clips(heads: &[(&str, &TexturedHead)]) -> Vec<Clip> {
    let played = [Turn::Left, Turn::Right];
    let mut out = Vec::new();
    for (h, (name, head)) in heads.iter().enumerate() {
        let seed = 3000 + h as u64 * 10;
        let shown = screen(&genuine(head, &script(&played, Motion::BRISK), seed), seed);
        out.push(Clip {
            species: Species::ScreenReplayWrongOrder,
            name: format!("{name} screen replay, other order"),
            ask: other_order(&played),
            frames: shown.clone(),
        });
        out.push(Clip {
            species: Species::ScreenReplay,
            name: format!("{name} screen replay, asked order"),
            ask: played.to_vec(),
            frames: shown,
        });
    }
    out
}

fn names(turns: &[Turn]) -> String {
    turns.iter().map(|t| t.name()).collect::<Vec<_>>().join(",")
}
