//! `faceki-kiosk liveness`: the kiosk's head-turn challenge on a recorded clip, for operators
//! and for judging the liveness check from outside. No paid call is made.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use serde::Serialize;

use crate::camera::{ReplaySource, decode};
use crate::config::Settings;
use crate::liveness::judge::Judge;
use crate::liveness::{ChallengeResult, StepRecord, Turn, draw_turns};

#[derive(Args, Debug)]
pub struct LivenessArgs {
    /// The clip: an MJPEG file or a folder of images (played in name order).
    #[arg(long, value_name = "PATH")]
    pub replay: PathBuf,
    /// Frames per second the clip was recorded at.
    #[arg(long, default_value_t = 30.0)]
    pub fps: f32,
    /// The turns to ask, e.g. `left,right`, or `random` (as the kiosk draws them).
    #[arg(long, default_value = "random")]
    pub challenge: String,
    /// One JSON line on stdout (the default is a short text).
    #[arg(long)]
    pub json: bool,
}

#[derive(Serialize)]
struct Line<'a> {
    verdict: &'static str,
    steps: &'a [StepRecord],
    planarity: Option<f32>,
    frames: u32,
    reason: &'a str,
}

/// The turns to ask: a list, or random ones.
pub fn turns(spec: &str, steps: u32) -> Result<Vec<Turn>, String> {
    if spec.trim().eq_ignore_ascii_case("random") {
        Ok(draw_turns(steps, rand::random()))
    } else {
        Turn::parse_list(spec)
    }
}

/// Plays the clip through the challenge; returns the verdict and the clip's frames (the
/// selfie is one of them). Errors (unreadable clip, model missing) are exit 2.
pub fn judge_clip(
    settings: &Settings,
    args: &LivenessArgs,
) -> anyhow::Result<(ChallengeResult, Vec<image::RgbImage>)> {
    let challenge = settings.liveness.challenge();
    let turns = turns(&args.challenge, challenge.steps).map_err(anyhow::Error::msg)?;
    let source = ReplaySource::from_path(&args.replay, args.fps)?;
    anyhow::ensure!(
        !source.is_empty(),
        "{} holds no frames",
        args.replay.display()
    );
    let mut frames = Vec::with_capacity(source.len());
    for i in 0..source.len() {
        let img = source
            .frame(i)
            .and_then(|jpeg| decode(crate::camera::RawFrame::Jpeg(jpeg)))
            .map_err(|e| anyhow::anyhow!("frame {i} of {}: {e}", args.replay.display()))?;
        frames.push(img);
    }
    let mut judge = Judge::new(settings.gate.clone()).map_err(anyhow::Error::msg)?;
    let result = judge.run(frames.iter().cloned(), args.fps, &turns, &challenge);
    Ok((result, frames))
}

pub fn run(settings: &Settings, args: LivenessArgs) -> anyhow::Result<ExitCode> {
    let result = match judge_clip(settings, &args) {
        Ok((r, _)) => r,
        Err(e) if args.json => {
            let line = serde_json::json!({"verdict": "error", "reason": format!("{e:#}")});
            println!("{line}");
            return Ok(ExitCode::from(2));
        }
        Err(e) => return Err(e),
    };
    if args.json {
        let line = Line {
            verdict: result.verdict.name(),
            steps: &result.steps,
            planarity: result.planarity,
            frames: result.frames,
            reason: &result.reason,
        };
        println!("{}", serde_json::to_string(&line)?);
    } else {
        let asked: Vec<&str> = result.steps.iter().map(|s| s.asked.name()).collect();
        println!(
            "{}: {} (asked {}, {} frames{})",
            result.verdict.name(),
            result.reason,
            asked.join(","),
            result.frames,
            result
                .planarity
                .map(|p| format!(", planarity {p:.4}"))
                .unwrap_or_default()
        );
    }
    Ok(
        if result.verdict == crate::liveness::LivenessVerdict::Live {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        },
    )
}
