//! The head-turn challenge: pure logic, time passed in. The kiosk flow and the `liveness` CLI
//! both drive it with one [`FaceObservation`] per judged frame.
//!
//! A challenge is a short random sequence of turns. Each step is seen when the yaw passes
//! `turn_deg` the asked way; the next is asked once the face is back to frontal. A clear turn
//! the other way ends the attempt (a replayed video in the wrong order must not "wait its turn").
//! When every step is seen, the most-turned frame of each step is compared with the frontal
//! frame: a flat picture's landmarks stay related by one homography, a head's do not. The selfie
//! is the frontal frame after the last step, of the same tracked face.

use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;

use super::geometry::{P2, planarity_residual};

/// The customer's own left or right. Turning to their left moves the nose toward image right in
/// an unmirrored camera image, which is positive yaw.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Turn {
    Left,
    Right,
}

impl Turn {
    /// +1 for the yaw a turn to the customer's left gives.
    fn sign(self) -> f32 {
        match self {
            Self::Left => 1.0,
            Self::Right => -1.0,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Left => "left",
            Self::Right => "right",
        }
    }

    /// "left,right,left" -> turns. At least two steps, as the challenge needs.
    pub fn parse_list(s: &str) -> Result<Vec<Turn>, String> {
        let turns = s
            .split(',')
            .map(|t| match t.trim().to_ascii_lowercase().as_str() {
                "left" | "l" => Ok(Turn::Left),
                "right" | "r" => Ok(Turn::Right),
                other => Err(format!("'{other}' is not left or right")),
            })
            .collect::<Result<Vec<_>, _>>()?;
        if turns.len() < 2 {
            return Err("a challenge has at least two steps".into());
        }
        Ok(turns)
    }
}

/// A random sequence of `steps` turns from a 64-bit random value (each bit one step).
pub fn draw_turns(steps: u32, random: u64) -> Vec<Turn> {
    (0..steps.clamp(2, 64))
        .map(|i| {
            if random >> i & 1 == 1 {
                Turn::Left
            } else {
                Turn::Right
            }
        })
        .collect()
}

#[derive(Debug, Clone, PartialEq)]
pub struct ChallengeSettings {
    /// Turns asked per attempt (at least 2).
    pub steps: u32,
    /// A step is seen when the head has turned this far the asked way, degrees.
    pub turn_deg: f32,
    /// Back to frontal: within this many degrees.
    pub frontal_deg: f32,
    /// Each step (and each return to frontal) must happen within this long.
    pub step_timeout: Duration,
    /// Below this planarity score (RMS homography residual per inter-ocular distance) the face
    /// moved like a flat picture.
    pub min_planarity: f32,
}

impl Default for ChallengeSettings {
    fn default() -> Self {
        Self {
            steps: 2,
            turn_deg: 15.0,
            frontal_deg: 10.0,
            step_timeout: Duration::from_secs(6),
            min_planarity: 0.03,
        }
    }
}

/// What the gate worker saw of the face in one frame.
#[derive(Debug, Clone, PartialEq)]
pub struct FaceObservation {
    /// The frame's sequence number.
    pub seq: u64,
    /// Changes whenever the face was lost or another face took its place.
    pub track: u64,
    /// Faces that counted in the gate (more than one breaks the binding).
    pub faces: usize,
    /// Head yaw from the landmarks (positive: the customer's left), when they were usable.
    pub yaw_deg: Option<f32>,
    pub landmarks: Option<Arc<[P2]>>,
    /// The gate found this frame fit to send (face in the oval, sharp, lit).
    pub selfie_ok: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LivenessVerdict {
    Live,
    /// The face moved like a flat picture.
    Spoof,
    /// A step was not done in time, or done the other way.
    NoResponse,
    /// No face to challenge.
    NoFace,
}

impl LivenessVerdict {
    pub fn name(self) -> &'static str {
        match self {
            Self::Live => "live",
            Self::Spoof => "spoof",
            Self::NoResponse => "no_response",
            Self::NoFace => "no_face",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepRecord {
    pub asked: Turn,
    pub seen: bool,
    /// From the start of the challenge, when the turn was seen.
    pub at_ms: Option<u64>,
    /// The furthest yaw the asked way, degrees.
    pub peak_deg: f32,
    /// This step's planarity score, once the face came back.
    pub planarity: Option<f32>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ChallengeResult {
    pub verdict: LivenessVerdict,
    pub reason: String,
    pub steps: Vec<StepRecord>,
    /// The lowest step score (the one a flat picture would be judged by), when all were seen.
    pub planarity: Option<f32>,
    pub frames: u32,
    /// The frame to send, for `Live`.
    pub selfie_seq: Option<u64>,
    pub took: Duration,
}

/// A challenge whose face keeps changing (photos swapped, people taking turns) ends after this
/// many restarts, as a failed attempt: in the kiosk and in the `liveness` CLI alike.
pub const MAX_RESTARTS: u32 = 3;

impl ChallengeResult {
    /// An attempt that ended without a challenge result of its own (too many restarts, a clip
    /// that ran out): never live, no selfie.
    pub fn failed(verdict: LivenessVerdict, reason: String, frames: u32, took: Duration) -> Self {
        Self {
            verdict,
            reason,
            steps: Vec::new(),
            planarity: None,
            frames,
            selfie_seq: None,
            took,
        }
    }
}

/// What the customer should do now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ask {
    /// Look straight at the camera (before the first step, and between steps).
    Frontal,
    Turn(Turn),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Status {
    /// Step `step` (0-based) of `of`: do `ask`, by `until`.
    Running {
        step: usize,
        of: usize,
        ask: Ask,
        until: Duration,
    },
    /// The face changed (lost, or another took its place): start again with new turns.
    Restart {
        reason: &'static str,
    },
    Done(ChallengeResult),
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Phase {
    /// Waiting for a frontal frame to start from.
    Settle,
    Turn,
    Return,
}

#[derive(Debug, Clone)]
pub struct Challenge {
    settings: ChallengeSettings,
    steps: Vec<StepRecord>,
    at: usize,
    phase: Phase,
    phase_since: Duration,
    started: Duration,
    track: Option<u64>,
    frontal: Option<Arc<[P2]>>,
    /// The current step's most-turned landmarks.
    peak: Option<Arc<[P2]>>,
    frames: u32,
    /// A face was seen in the current phase.
    face_seen: bool,
}

impl Challenge {
    pub fn new(turns: &[Turn], settings: ChallengeSettings, now: Duration) -> Self {
        Self {
            steps: turns
                .iter()
                .map(|&asked| StepRecord {
                    asked,
                    seen: false,
                    at_ms: None,
                    peak_deg: 0.0,
                    planarity: None,
                })
                .collect(),
            settings,
            at: 0,
            phase: Phase::Settle,
            phase_since: now,
            started: now,
            track: None,
            frontal: None,
            peak: None,
            frames: 0,
            face_seen: false,
        }
    }

    pub fn turns(&self) -> Vec<Turn> {
        self.steps.iter().map(|s| s.asked).collect()
    }

    /// Where the challenge stands without a new frame (for the screen, and timeouts on ticks).
    pub fn status(&self, now: Duration) -> Status {
        let until = self.phase_since + self.settings.step_timeout;
        if now >= until {
            return Status::Done(self.timeout_result(now));
        }
        let ask = match self.phase {
            Phase::Settle | Phase::Return => Ask::Frontal,
            Phase::Turn => Ask::Turn(self.steps[self.at].asked),
        };
        Status::Running {
            step: self.at,
            of: self.steps.len(),
            ask,
            until,
        }
    }

    /// One judged frame.
    pub fn observe(&mut self, obs: &FaceObservation, now: Duration) -> Status {
        if self.steps.is_empty() {
            return Status::Done(self.result(LivenessVerdict::NoResponse, "no steps", None, now));
        }
        if let Status::Done(r) = self.status(now) {
            return Status::Done(r);
        }
        self.frames += 1;
        if obs.faces > 1 {
            return Status::Restart {
                reason: "another face came into view",
            };
        }
        if obs.faces == 0 {
            return self.status(now);
        }
        self.face_seen = true;
        if self.track.is_some_and(|t| t != obs.track) {
            return Status::Restart {
                reason: "the face changed",
            };
        }
        let (Some(yaw), Some(marks)) = (obs.yaw_deg, obs.landmarks.as_ref()) else {
            return self.status(now);
        };
        let frontal = yaw.abs() <= self.settings.frontal_deg;
        match self.phase {
            Phase::Settle => {
                if frontal {
                    self.track = Some(obs.track);
                    self.frontal = Some(Arc::clone(marks));
                    self.next_phase(Phase::Turn, now);
                }
            }
            Phase::Turn => {
                let asked = self.steps[self.at].asked;
                let along = yaw * asked.sign();
                if -along >= self.settings.turn_deg {
                    let wrong = if asked == Turn::Left { "right" } else { "left" };
                    let reason = format!(
                        "step {} asked {} but the head turned {wrong}",
                        self.at + 1,
                        asked.name()
                    );
                    return Status::Done(self.result(
                        LivenessVerdict::NoResponse,
                        reason,
                        None,
                        now,
                    ));
                }
                self.note_peak(along, marks);
                if along >= self.settings.turn_deg {
                    let step = &mut self.steps[self.at];
                    step.seen = true;
                    step.at_ms = Some(now.saturating_sub(self.started).as_millis() as u64);
                    self.next_phase(Phase::Return, now);
                }
            }
            Phase::Return => {
                let along = yaw * self.steps[self.at].asked.sign();
                self.note_peak(along, marks);
                if frontal && self.steps[self.at].planarity.is_none() {
                    let score = match (&self.frontal, &self.peak) {
                        (Some(f), Some(p)) => planarity_residual(f, p),
                        _ => None,
                    };
                    // A fit that fails is no proof of depth: it scores 0 (fail closed).
                    self.steps[self.at].planarity = Some(score.unwrap_or(0.0));
                }
                if frontal && self.steps[self.at].planarity.is_some() {
                    if self.at + 1 < self.steps.len() {
                        self.at += 1;
                        self.peak = None;
                        self.next_phase(Phase::Turn, now);
                    } else if obs.selfie_ok {
                        return Status::Done(self.finish(obs.seq, now));
                    }
                    // Frontal but not fit to send (moving, blurred): wait for a better frame.
                }
            }
        }
        self.status(now)
    }

    fn note_peak(&mut self, along: f32, marks: &Arc<[P2]>) {
        let step = &mut self.steps[self.at];
        if along > step.peak_deg || self.peak.is_none() {
            step.peak_deg = step.peak_deg.max(along);
            self.peak = Some(Arc::clone(marks));
        }
    }

    fn next_phase(&mut self, phase: Phase, now: Duration) {
        self.phase = phase;
        self.phase_since = now;
        self.face_seen = false;
    }

    fn finish(&self, selfie: u64, now: Duration) -> ChallengeResult {
        let score = self
            .steps
            .iter()
            .map(|s| s.planarity.unwrap_or(0.0))
            .fold(f32::INFINITY, f32::min);
        if score < self.settings.min_planarity {
            let reason = format!(
                "the face moved like a flat picture (planarity {score:.4} < {:.4})",
                self.settings.min_planarity
            );
            return self.result(LivenessVerdict::Spoof, reason, Some(score), now);
        }
        let mut r = self.result(
            LivenessVerdict::Live,
            "every turn seen, with depth",
            Some(score),
            now,
        );
        r.selfie_seq = Some(selfie);
        r
    }

    fn timeout_result(&self, now: Duration) -> ChallengeResult {
        let secs = self.settings.step_timeout.as_secs_f32();
        if self.frames == 0 || (!self.face_seen && self.phase == Phase::Settle) {
            return self.result(LivenessVerdict::NoFace, "no face to challenge", None, now);
        }
        let reason = match self.phase {
            Phase::Settle => {
                format!("the face did not look straight at the camera within {secs} s")
            }
            Phase::Turn => format!(
                "step {} ({}) not seen within {secs} s",
                self.at + 1,
                self.steps[self.at].asked.name()
            ),
            Phase::Return => format!(
                "the face did not come back to the camera within {secs} s after step {}",
                self.at + 1
            ),
        };
        self.result(LivenessVerdict::NoResponse, reason, None, now)
    }

    fn result(
        &self,
        verdict: LivenessVerdict,
        reason: impl Into<String>,
        planarity: Option<f32>,
        now: Duration,
    ) -> ChallengeResult {
        ChallengeResult {
            verdict,
            reason: reason.into(),
            steps: self.steps.clone(),
            planarity,
            frames: self.frames,
            selfie_seq: None,
            took: now.saturating_sub(self.started),
        }
    }
}
