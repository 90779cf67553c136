//! `faceki-kiosk gate`: the local selfie checks on any photo, so staff can test a camera
//! position and the gate can be judged without spending a paid call.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use serde::Serialize;

use crate::selfie::{Gate, GateSettings, Verdict};

#[derive(Args, Debug)]
pub struct GateArgs {
    /// A photo; repeat for several.
    #[arg(long = "image", value_name = "PATH", required = true)]
    pub images: Vec<PathBuf>,
    /// One JSON object per photo on its own stdout line.
    #[arg(long)]
    pub json: bool,
}

#[derive(Serialize)]
struct FaceJson {
    score: f32,
    #[serde(rename = "box")]
    bbox: [f32; 4],
}

#[derive(Serialize)]
struct Line<'a> {
    image: String,
    verdict: &'static str,
    faces: Vec<FaceJson>,
    hint: &'static str,
    metrics: &'a crate::selfie::gate::Metrics,
}

pub fn run(settings: GateSettings, args: GateArgs) -> anyhow::Result<ExitCode> {
    let mut gate = Gate::new(settings)?;
    let mut all_ok = true;
    let mut out = std::io::stdout().lock();
    for path in &args.images {
        let img = image::open(path)
            .with_context(|| format!("cannot read {}", path.display()))?
            .to_rgb8();
        let report = gate.check(&img)?;
        all_ok &= report.verdict == Verdict::Ok;
        let round = |x: f32| (x * 10.0).round() / 10.0;
        let line = Line {
            image: path.display().to_string(),
            verdict: report.verdict.name(),
            faces: report
                .faces
                .iter()
                .map(|f| FaceJson {
                    score: (f.score * 1000.0).round() / 1000.0,
                    bbox: f.bbox.map(round),
                })
                .collect(),
            hint: crate::i18n::hint(report.hint).text(crate::i18n::Lang::En),
            metrics: &report.metrics,
        };
        if args.json {
            writeln!(out, "{}", serde_json::to_string(&line)?)?;
        } else {
            writeln!(out, "{}: {}  {}", line.image, line.verdict, line.hint)?;
        }
    }
    Ok(if all_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
