//! Liveness: is a live person in front of the camera, not a photo or a screen? Checked on the
//! kiosk, before the paid call, with a head-turn challenge (active) and a 3D check on the
//! landmarks (a flat picture's landmarks stay related by one homography; a head's do not).
//!
//! - [`landmarks`]: MediaPipe's 468-point FaceMesh model (tract), on the gate thread;
//! - [`geometry`]: head pose from the landmarks, homography fit, planarity score;
//! - [`challenge`]: the challenge's logic, pure, driven by the kiosk flow and the CLI;
//! - [`render`] and [`attack`]: rendered 3D heads and presentation attacks, for tests, the
//!   demo visitor and the benchmarks;
//! - [`demo`]: a rendered visitor that turns the way the kiosk asks.

pub mod attack;
pub mod challenge;
pub mod demo;
pub mod geometry;
pub mod judge;
pub mod landmarks;
pub mod render;
pub mod testset;

use std::time::Duration;

use serde::{Deserialize, Serialize};

pub use challenge::{
    Ask, Challenge, ChallengeResult, ChallengeSettings, FaceObservation, LivenessVerdict, Status,
    StepRecord, Turn, draw_turns,
};
pub use landmarks::{LandmarkError, Landmarker, Landmarks};

use crate::selfie::{GateReport, Verdict};

/// `[liveness]` in the config file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct LivenessSettings {
    /// `challenge` (default): a head-turn challenge before every check. `off`: a photo or a
    /// screen showing an enrolled customer can pass.
    pub mode: LivenessMode,
    /// Turns asked per attempt (2 to 5).
    pub steps: u32,
    /// How far a turn must go to count, degrees.
    pub turn_degrees: f32,
    /// Within this many degrees the face counts as looking straight at the camera.
    pub frontal_degrees: f32,
    /// Time for each turn, and for each return to the camera, seconds.
    pub step_timeout_secs: f32,
    /// The 3D check's threshold (landmark homography residual per eye distance).
    pub min_planarity: f32,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum LivenessMode {
    #[default]
    Challenge,
    Off,
}

impl LivenessMode {
    pub fn name(self) -> &'static str {
        match self {
            Self::Challenge => "challenge",
            Self::Off => "off",
        }
    }
}

impl Default for LivenessSettings {
    fn default() -> Self {
        let c = ChallengeSettings::default();
        Self {
            mode: LivenessMode::default(),
            steps: c.steps,
            turn_degrees: c.turn_deg,
            frontal_degrees: c.frontal_deg,
            step_timeout_secs: c.step_timeout.as_secs_f32(),
            min_planarity: c.min_planarity,
        }
    }
}

impl LivenessSettings {
    pub fn enabled(&self) -> bool {
        self.mode == LivenessMode::Challenge
    }

    /// The challenge's settings, with out-of-range values brought into range.
    pub fn challenge(&self) -> ChallengeSettings {
        let finite = |v: f32, default: f32| if v.is_finite() { v } else { default };
        let d = ChallengeSettings::default();
        ChallengeSettings {
            steps: self.steps.clamp(2, 5),
            turn_deg: finite(self.turn_degrees, d.turn_deg).clamp(10.0, 40.0),
            frontal_deg: finite(self.frontal_degrees, d.frontal_deg).clamp(3.0, 15.0),
            step_timeout: Duration::from_secs_f32(
                finite(self.step_timeout_secs, 6.0).clamp(1.0, 30.0),
            ),
            // Never below a small positive floor: 0 would let any flat picture through.
            min_planarity: finite(self.min_planarity, d.min_planarity).max(0.005),
        }
    }
}

/// Follows the face the gate judges from frame to frame and numbers it: a new number whenever
/// it was lost for a moment or another face took its place, which restarts a challenge.
#[derive(Debug, Default)]
pub struct Tracker {
    id: u64,
    last: Option<[f32; 3]>,
    missed: u32,
}

/// Frames without the face after which it counts as gone (0.4 s at the worker's 7.5 a second).
const LOST_AFTER: u32 = 3;

impl Tracker {
    /// The track of the gate's first face in this report, and how many faces count.
    pub fn follow(&mut self, report: &GateReport) -> (u64, usize) {
        let Some(face) = report.faces.first() else {
            self.missed += 1;
            if self.missed >= LOST_AFTER {
                self.last = None;
            }
            return (self.id, 0);
        };
        self.missed = 0;
        let c = face.centre();
        let size = face.bbox[2].max(face.bbox[3]);
        let same = self.last.is_some_and(|[x, y, s]| {
            let moved = ((c.x - x).powi(2) + (c.y - y).powi(2)).sqrt();
            moved < 0.5 * s && size / s > 0.67 && size / s < 1.5
        });
        if !same {
            self.id += 1;
        }
        self.last = Some([c.x, c.y, size]);
        let faces = if report.verdict == Verdict::MultipleFaces {
            2
        } else {
            1
        };
        (self.id, faces)
    }

    pub fn reset(&mut self) {
        self.last = None;
        self.missed = 0;
    }
}

/// The gate thread's part: landmarks of the judged face, its yaw and its track.
pub struct Observer {
    landmarker: Landmarker,
    tracker: Tracker,
}

impl Observer {
    pub fn new() -> Result<Self, LandmarkError> {
        Ok(Self {
            landmarker: Landmarker::new()?,
            tracker: Tracker::default(),
        })
    }

    /// One judged frame. Landmarks that fail or that the model doubts give no yaw: the
    /// challenge waits (and times out), never guesses.
    pub fn observe(
        &mut self,
        frame: &image::RgbImage,
        seq: u64,
        report: &GateReport,
    ) -> FaceObservation {
        let (track, faces) = self.tracker.follow(report);
        let mut obs = FaceObservation {
            seq,
            track,
            faces,
            yaw_deg: None,
            landmarks: None,
            selfie_ok: report.is_ok(),
        };
        let Some(face) = report.faces.first().filter(|_| faces == 1) else {
            return obs;
        };
        match self.landmarker.landmarks(frame, face) {
            Ok(marks) if marks.presence >= 0.5 => {
                obs.yaw_deg = geometry::head_pose(&marks.points).map(|p| p.yaw_deg);
                obs.landmarks = Some(marks.points);
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "landmarks failed on a frame"),
        }
        obs
    }

    pub fn reset(&mut self) {
        self.tracker.reset();
    }
}
