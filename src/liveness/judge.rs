//! A challenge judged over a sequence of frames, with the kiosk's own parts: the gate (detector
//! and checks), the landmark observer and the challenge logic. The `liveness` CLI, the tests
//! and the benchmarks use it; time is the frame's place in the clip, so a run is repeatable.

use std::time::Duration;

use image::RgbImage;

use super::challenge::MAX_RESTARTS;
use super::{
    Challenge, ChallengeResult, ChallengeSettings, LivenessVerdict, Observer, Status, Turn,
};
use crate::selfie::{DetailMemory, Gate, GateSettings};

pub struct Judge {
    gate: Gate,
    observer: Observer,
}

impl Judge {
    pub fn new(gate: GateSettings) -> Result<Self, String> {
        Ok(Self {
            gate: Gate::new(gate).map_err(|e| e.to_string())?,
            observer: Observer::new().map_err(|e| e.to_string())?,
        })
    }

    /// Runs one challenge asking `turns` over `frames` shown at `fps`. A clip that ends before
    /// the challenge does ends it as a timeout would.
    pub fn run(
        &mut self,
        frames: impl IntoIterator<Item = RgbImage>,
        fps: f32,
        turns: &[Turn],
        settings: &ChallengeSettings,
    ) -> ChallengeResult {
        self.observer.reset();
        let mut detail = DetailMemory::default();
        let period = Duration::from_secs_f32(1.0 / fps.max(0.1));
        let mut now = Duration::ZERO;
        let mut challenge = Challenge::new(turns, settings.clone(), now);
        let mut restarts = 0;
        let mut frames_seen = 0u32;
        for (i, frame) in frames.into_iter().enumerate() {
            now = period * i as u32;
            frames_seen += 1;
            let mut report = match self.gate.check_stream(&frame) {
                Ok(r) => r,
                Err(e) => {
                    tracing::warn!(error = %e, "gate failed on a frame");
                    continue;
                }
            };
            detail.judge(&mut report, now, &self.gate.settings);
            let obs = self.observer.observe(&frame, i as u64 + 1, &report);
            match challenge.observe(&obs, now) {
                Status::Running { .. } => {}
                Status::Restart { reason } => {
                    restarts += 1;
                    tracing::info!(reason, restarts, "challenge restarted");
                    if restarts > MAX_RESTARTS {
                        return ChallengeResult::failed(
                            LivenessVerdict::NoResponse,
                            format!("the face changed {restarts} times"),
                            frames_seen,
                            now,
                        );
                    }
                    challenge = Challenge::new(turns, settings.clone(), now);
                }
                Status::Done(mut r) => {
                    r.frames = frames_seen;
                    return r;
                }
            }
        }
        // The clip ended: whatever is still asked was not done.
        let end = now + settings.step_timeout + period;
        match challenge.status(end) {
            Status::Done(mut r) => {
                r.frames = frames_seen;
                r.reason = format!("the clip ended: {}", r.reason);
                r
            }
            _ => ChallengeResult::failed(
                LivenessVerdict::NoResponse,
                "the clip ended".into(),
                frames_seen,
                now,
            ),
        }
    }
}
