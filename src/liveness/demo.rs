//! The demo visitor: a rendered 3D head (the canonical face mesh wearing a fixture photo) that
//! walks up, turns the way the kiosk asks, and leaves after its result, so `--demo` shows the
//! whole flow, challenge included. The bundled clip cannot answer a random challenge.

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::{Duration, Instant};

use image::RgbImage;

use super::landmarks::Landmarker;
use super::render::{Background, Mesh, Pose, Scene, TexturedHead, render};
use crate::camera::{CameraError, FrameSource, RawFrame, StreamInfo};
use crate::selfie::detector::Region;
use crate::selfie::{Detector, Model};

/// The demo visitor's face: Grace Hopper (public domain, US Navy), as in the demo clip.
const PHOTO: &[u8] = include_bytes!("../../assets/demo/grace_hopper.jpg");

/// What the kiosk shows, as far as the visitor cares: the app sets it, the visitor reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Cue {
    /// Attract, positioning, anything else: stand there looking at the camera.
    Look = 0,
    TurnLeft = 1,
    TurnRight = 2,
    /// A result is on screen: time to go.
    Done = 3,
}

#[derive(Debug, Default)]
pub struct DemoCue(AtomicU8);

impl DemoCue {
    pub fn set(&self, cue: Cue) {
        self.0.store(cue as u8, Ordering::Relaxed);
    }

    pub fn get(&self) -> Cue {
        match self.0.load(Ordering::Relaxed) {
            1 => Cue::TurnLeft,
            2 => Cue::TurnRight,
            3 => Cue::Done,
            _ => Cue::Look,
        }
    }
}

/// A textured head made from a frontal photo: its own 468 landmarks are where each mesh
/// vertex samples the photo.
pub fn head_from_photo(photo: &RgbImage) -> Result<TexturedHead, String> {
    let (w, h) = photo.dimensions();
    let mut detector = Detector::new(Model::FullRange).map_err(|e| e.to_string())?;
    let face = detector
        .detect(photo, Region::whole_frame(w, h))
        .map_err(|e| e.to_string())?
        .into_iter()
        .next()
        .ok_or("no face in the photo")?;
    let mut landmarker = Landmarker::new().map_err(|e| e.to_string())?;
    let marks = landmarker
        .landmarks(photo, &face)
        .map_err(|e| e.to_string())?;
    let mesh = Mesh::canonical().map_err(|e| e.to_string())?;
    TexturedHead::new(mesh, photo.clone(), marks.points.to_vec()).map_err(|e| e.to_string())
}

/// The demo photo's head (built once per process: a detector and landmark run).
pub fn demo_head() -> Result<TexturedHead, String> {
    let photo = image::load_from_memory(PHOTO)
        .map_err(|e| e.to_string())?
        .to_rgb8();
    head_from_photo(&photo)
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Visit {
    Away { since: Duration },
    Arriving { since: Duration },
    Here,
    Leaving { since: Duration },
}

/// How far a person turns when asked, how fast, and how long they take to react.
const TURN_DEG: f32 = 30.0;
const TURN_SPEED_DEG_S: f32 = 90.0;
const REACTION: Duration = Duration::from_millis(400);
/// Longer than the kiosk's `idle_after` (3 s), so it sees the visitor gone and the next one starts by itself.
const AWAY_FOR: Duration = Duration::from_millis(5000);
const WALK: Duration = Duration::from_millis(1200);
/// A result stays this long before the visitor leaves (they read it first).
const READ_RESULT: Duration = Duration::from_millis(3000);

pub struct DemoVisitor {
    cue: Arc<DemoCue>,
    head: Option<Arc<TexturedHead>>,
    width: u32,
    height: u32,
    fps: f32,
    start: Instant,
    next_due: Instant,
    last: Duration,
    visit: Visit,
    yaw: f32,
    /// The cue seen, and since when: the visitor reacts after [`REACTION`].
    cue_seen: (Cue, Duration),
    frames: u64,
    visits: u32,
}

impl DemoVisitor {
    pub fn new(cue: Arc<DemoCue>) -> Self {
        let now = Instant::now();
        Self {
            cue,
            head: None,
            width: 1280,
            height: 720,
            fps: 15.0,
            start: now,
            next_due: now,
            last: Duration::ZERO,
            visit: Visit::Away {
                since: Duration::ZERO,
            },
            yaw: 0.0,
            cue_seen: (Cue::Look, Duration::ZERO),
            frames: 0,
            visits: 0,
        }
    }

    /// Advances the visitor to `now` (from the source's start) and renders the frame.
    fn frame(&mut self, now: Duration) -> RgbImage {
        let dt = now.saturating_sub(self.last).as_secs_f32();
        self.last = now;
        let cue = self.cue.get();
        if cue != self.cue_seen.0 {
            self.cue_seen = (cue, now);
        }
        let acting = now.saturating_sub(self.cue_seen.1) >= REACTION;
        self.visit = match self.visit {
            // The first visitor comes at once: a newcomer to the demo should not wait.
            Visit::Away { since } if now - since >= AWAY_FOR || self.visits == 0 => {
                self.visits += 1;
                Visit::Arriving { since: now }
            }
            Visit::Arriving { since } if now - since >= WALK => Visit::Here,
            Visit::Here if cue == Cue::Done && now - self.cue_seen.1 >= READ_RESULT => {
                Visit::Leaving { since: now }
            }
            Visit::Leaving { since } if now - since >= WALK => Visit::Away { since: now },
            v => v,
        };
        let target = match (self.visit, cue, acting) {
            (Visit::Here, Cue::TurnLeft, true) => TURN_DEG,
            (Visit::Here, Cue::TurnRight, true) => -TURN_DEG,
            _ => 0.0,
        };
        let step = TURN_SPEED_DEG_S * dt;
        self.yaw += (target - self.yaw).clamp(-step, step);
        let (w, h) = (self.width as f32, self.height as f32);
        // Walking in from the right of the picture and out to the left.
        let offset = match self.visit {
            Visit::Away { .. } => None,
            Visit::Arriving { since } => {
                Some(1.0 - (now - since).as_secs_f32() / WALK.as_secs_f32())
            }
            Visit::Here => Some(0.0),
            Visit::Leaving { since } => Some(-(now - since).as_secs_f32() / WALK.as_secs_f32()),
        };
        let scene = Scene {
            width: self.width,
            height: self.height,
            background: Background::Solid([118, 124, 132]),
            light: [0.3, 0.5, 1.0],
            ambient: 0.55,
            seed: self.frames,
            noise: 1.5,
        };
        let t = now.as_secs_f32();
        match (offset, &self.head) {
            (Some(off), Some(head)) => {
                // A person never stands perfectly still: a little sway, under the gate's
                // steadiness limit.
                let pose = Pose {
                    yaw_deg: self.yaw + (t * 0.7).sin() * 0.8,
                    pitch_deg: (t * 0.5).sin() * 1.0,
                    roll_deg: (t * 0.43).sin() * 1.0,
                    centre: [w / 2.0 + off * w * 0.6, h * 0.5],
                    face_width_px: h * 0.40,
                };
                render(head, &pose, &scene)
            }
            _ => render_empty(&scene),
        }
    }
}

fn render_empty(scene: &Scene) -> RgbImage {
    match &scene.background {
        Background::Solid(c) => RgbImage::from_pixel(scene.width, scene.height, image::Rgb(*c)),
        Background::Image(img) => image::imageops::resize(
            img,
            scene.width,
            scene.height,
            image::imageops::FilterType::Triangle,
        ),
    }
}

impl FrameSource for DemoVisitor {
    fn name(&self) -> String {
        "demo visitor (rendered)".into()
    }

    fn open(&mut self) -> Result<StreamInfo, CameraError> {
        if self.head.is_none() {
            self.head = Some(Arc::new(demo_head().map_err(CameraError::Open)?));
        }
        self.start = Instant::now();
        self.next_due = self.start;
        self.last = Duration::ZERO;
        self.visit = Visit::Away {
            since: Duration::ZERO,
        };
        Ok(StreamInfo {
            width: self.width,
            height: self.height,
            fps: self.fps,
            format: "rendered".into(),
        })
    }

    fn next_frame(&mut self) -> Result<RawFrame, CameraError> {
        // Paced like a camera: block until the next frame is due.
        let now = Instant::now();
        if self.next_due > now {
            std::thread::sleep(self.next_due - now);
        }
        self.next_due += Duration::from_secs_f32(1.0 / self.fps);
        if self.next_due < Instant::now() {
            // Fell behind (a loaded machine): do not try to catch up with a burst.
            self.next_due = Instant::now();
        }
        self.frames += 1;
        let img = self.frame(self.start.elapsed());
        Ok(RawFrame::Rgb(img))
    }

    fn close(&mut self) {}
}
