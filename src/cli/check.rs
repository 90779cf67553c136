//! `faceki-kiosk check`: face-check photos from the command line.

use std::io::Write;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use clap::Args;
use serde::Serialize;

use crate::config::Settings;
use crate::faceki::{ErrorKind, FacekiClient, Outcome, Secret};
use crate::i18n::{self, Lang};
use crate::selfie::encode::{self, UploadShape};
use crate::selfie::{Gate, GateReport, Verdict};
use crate::sim;

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// A photo in any common format; repeat to check several in order with one token.
    #[arg(long = "image", value_name = "PATH")]
    pub images: Vec<PathBuf>,
    /// One JSON object per photo on its own stdout line.
    #[arg(long)]
    pub json: bool,
    /// Seconds allowed per face-check (default: the config's, 60).
    #[arg(long, value_name = "SECS")]
    pub timeout: Option<u64>,
    /// Skip the local selfie checks (face present, size, light, sharpness) before the paid call.
    #[arg(long)]
    pub skip_gate: bool,
    /// Check against an in-process FACEKI simulator instead of FACEKI (no account needed).
    #[arg(long)]
    pub demo: bool,
    /// With --demo: the simulator's scenario (match, no-match, code-8006, denied, ...).
    #[arg(long, requires = "demo", default_value = "match")]
    pub scenario: sim::Scenario,
    /// A recorded clip (MJPEG or image folder) played as the camera: the kiosk's head-turn
    /// challenge runs on it first, and only a live verdict spends the paid call, on the
    /// challenge's own frontal frame.
    #[arg(long, value_name = "PATH", conflicts_with = "images")]
    pub replay: Option<PathBuf>,
    /// With --replay: the clip's frames per second.
    #[arg(long, default_value_t = 30.0, requires = "replay")]
    pub fps: f32,
    /// With --replay: the turns to ask (`left,right`, ...) or `random`.
    #[arg(long, default_value = "random", requires = "replay")]
    pub challenge: String,
}

/// One line of `--json` output.
#[derive(Serialize)]
struct Report<'a> {
    image: String,
    outcome: &'static str,
    code: Option<i64>,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    error_kind: Option<ErrorKind>,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<&'a str>,
    /// The local gate's verdict when it refused the photo (no paid call was made).
    #[serde(skip_serializing_if = "Option::is_none")]
    gate: Option<&'static str>,
    person: Option<PersonReport<'a>>,
}

#[derive(Serialize)]
struct PersonReport<'a> {
    full_name: &'a str,
    local_name: Option<&'a str>,
    document_id: Option<&'a str>,
    id_front_image: Option<&'a str>,
}

/// The demo photo bundled with the binary: used by `check --demo` when no `--image` is given.
const DEMO_PHOTO: &[u8] = include_bytes!("../../assets/demo/visitor.jpg");

enum Photo {
    File(PathBuf),
    Bundled,
}

impl Photo {
    fn name(&self) -> String {
        match self {
            Self::File(p) => p.display().to_string(),
            Self::Bundled => "(bundled demo photo)".into(),
        }
    }

    fn read(&self) -> anyhow::Result<Vec<u8>> {
        match self {
            Self::File(p) => {
                std::fs::read(p).with_context(|| format!("cannot read {}", p.display()))
            }
            Self::Bundled => Ok(DEMO_PHOTO.to_vec()),
        }
    }
}

/// What became of one photo before any paid call.
enum Prepared {
    Upload(Vec<u8>),
    Refused(GateReport),
    /// The clip did not pass the liveness challenge: no paid call.
    NotLive(Outcome),
}

/// The clip through the challenge; on a live verdict, its frontal frame as the upload.
fn live_selfie(
    settings: &Settings,
    args: &CheckArgs,
    clip: &Path,
    shape: UploadShape,
    quality: u8,
) -> anyhow::Result<Prepared> {
    let largs = super::liveness::LivenessArgs {
        replay: clip.to_owned(),
        fps: args.fps,
        challenge: args.challenge.clone(),
        json: args.json,
    };
    let (result, frames) = super::liveness::judge_clip(settings, &largs)?;
    let selfie = match (result.verdict, result.selfie_seq) {
        (crate::liveness::LivenessVerdict::Live, Some(seq)) => {
            frames.get(seq.saturating_sub(1) as usize)
        }
        _ => None,
    };
    let Some(selfie) = selfie else {
        let kind = match result.verdict {
            crate::liveness::LivenessVerdict::Spoof => crate::faceki::NotLiveKind::Spoof,
            crate::liveness::LivenessVerdict::NoFace => crate::faceki::NotLiveKind::NoFace,
            _ => crate::faceki::NotLiveKind::NoResponse,
        };
        return Ok(Prepared::NotLive(Outcome::NotLive {
            kind,
            detail: result.reason,
        }));
    };
    let mut gate = Gate::new(settings.gate.clone())?;
    let report = gate.check(selfie)?;
    let upload = encode::prepare_upload(selfie, report.faces.first(), shape);
    Ok(Prepared::Upload(encode::encode_jpeg(&upload, quality)?))
}

/// Any image the `image` crate reads: through the gate (unless skipped), then cut and encoded
/// as the kiosk's JPEG upload.
fn prepare(
    bytes: &[u8],
    gate: Option<&mut Gate>,
    shape: UploadShape,
    quality: u8,
) -> anyhow::Result<Prepared> {
    let img = image::load_from_memory(bytes)
        .context("not an image this program can read")?
        .to_rgb8();
    let face = match gate {
        Some(gate) => {
            let report = gate.check(&img)?;
            if report.verdict != Verdict::Ok {
                return Ok(Prepared::Refused(report));
            }
            report.faces.first().cloned()
        }
        None => None,
    };
    let upload = match face {
        Some(f) => encode::prepare_upload(&img, Some(&f), shape),
        // Without the gate the photo goes as it is, as FACEKI's own clients send it.
        None => img,
    };
    Ok(Prepared::Upload(encode::encode_jpeg(&upload, quality)?))
}

pub fn run(config: Option<&Path>, args: CheckArgs) -> anyhow::Result<ExitCode> {
    let mut settings = Settings::load(config)?;
    if let Some(t) = args.timeout {
        settings.faceki.timeout_secs = t;
    }
    let photos: Vec<Photo> = if let Some(clip) = &args.replay {
        vec![Photo::File(clip.clone())]
    } else if args.images.is_empty() {
        anyhow::ensure!(
            args.demo,
            "give at least one --image PATH (or --demo to use the bundled photo)"
        );
        vec![Photo::Bundled]
    } else {
        args.images.iter().cloned().map(Photo::File).collect()
    };
    let rt = super::runtime()?;
    rt.block_on(async move {
        // In demo mode nothing can reach the real FACEKI: the client points at the simulator.
        let _sim = if args.demo {
            let cfg = sim::SimConfig {
                scenario: args.scenario,
                ..sim::SimConfig::default()
            };
            let handle = sim::start(cfg, SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).await?;
            settings.faceki.base_url = handle.base_url();
            settings.faceki.client_id = sim::DEMO_CLIENT_ID.into();
            settings.faceki.client_secret = Secret::new(sim::DEMO_CLIENT_SECRET);
            Some(handle)
        } else {
            None
        };
        let client =
            Arc::new(FacekiClient::new(settings.client_config()).context("FACEKI settings")?);
        let (mut any_error, mut all_pass) = (false, true);
        let mut gate = if args.skip_gate {
            None
        } else {
            Some(Gate::new(settings.gate.clone())?)
        };
        let shape = settings.selfie.upload_shape(&settings.gate);
        let quality = settings.selfie.jpeg_quality;
        for photo in &photos {
            let prepared = match &args.replay {
                Some(clip) => live_selfie(&settings, &args, clip, shape, quality),
                None => photo
                    .read()
                    .and_then(|b| prepare(&b, gate.as_mut(), shape, quality)),
            };
            let outcome = match prepared {
                Ok(Prepared::NotLive(outcome)) => {
                    all_pass = false;
                    print_outcome(&photo.name(), &outcome, args.json)?;
                    continue;
                }
                Ok(Prepared::Upload(jpeg)) => client.face_check(jpeg.into()).await,
                Ok(Prepared::Refused(report)) => {
                    all_pass = false;
                    print_refusal(&photo.name(), &report, args.json)?;
                    continue;
                }
                Err(e) => Outcome::error(ErrorKind::ClientBug, None, format!("{e:#}")),
            };
            any_error |= matches!(outcome, Outcome::Error { .. });
            all_pass &= outcome.is_pass();
            print_outcome(&photo.name(), &outcome, args.json)?;
        }
        // 0: every photo passed; 2: any ended in an error; 1: otherwise (no match, retake, ...).
        Ok(if any_error {
            ExitCode::from(2)
        } else if all_pass {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        })
    })
}

/// The gate refused the photo: reported as a retake, with no FACEKI code (no call was made).
fn print_refusal(name: &str, report: &GateReport, json: bool) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    if json {
        let line = Report {
            image: name.to_owned(),
            outcome: "retake",
            code: None,
            message: i18n::hint(report.hint).text(Lang::En).to_owned(),
            error_kind: None,
            detail: None,
            gate: Some(report.verdict.name()),
            person: None,
        };
        writeln!(out, "{}", serde_json::to_string(&line)?)?;
    } else {
        writeln!(
            out,
            "{name}: RETAKE (local check: {})  {}",
            report.verdict.name(),
            i18n::hint(report.hint).text(Lang::En)
        )?;
    }
    Ok(())
}

fn print_outcome(name: &str, outcome: &Outcome, json: bool) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    let person = outcome.person();
    if json {
        let (error_kind, detail) = match outcome {
            Outcome::Error { kind, detail, .. } => (Some(*kind), Some(detail.as_str())),
            Outcome::NotLive { detail, .. } => (None, Some(detail.as_str())),
            _ => (None, None),
        };
        let report = Report {
            image: name.to_owned(),
            outcome: outcome.name(),
            code: outcome.code(),
            message: i18n::outcome(outcome).text(Lang::En).to_owned(),
            error_kind,
            detail,
            gate: None,
            person: person.map(|p| PersonReport {
                full_name: &p.full_name,
                local_name: p.local_name.as_deref(),
                document_id: p.document_id.as_deref(),
                id_front_image: p.id_front_image.as_deref(),
            }),
        };
        writeln!(out, "{}", serde_json::to_string(&report)?)?;
    } else {
        match (outcome, person) {
            (_, Some(p)) => {
                let doc = p
                    .masked_document_id()
                    .unwrap_or_else(|| "no document number".into());
                let local = p
                    .local_name
                    .as_deref()
                    .map(|l| format!(" / {l}"))
                    .unwrap_or_default();
                writeln!(out, "{name}: PASS  {}{local}  ({doc})", p.full_name)?;
            }
            (Outcome::Error { kind, code, detail }, None) => {
                let code = code.map(|c| format!(" code {c}")).unwrap_or_default();
                writeln!(
                    out,
                    "{name}: ERROR ({kind:?}{code})  {}  [{detail}]",
                    i18n::outcome(outcome).text(Lang::En)
                )?;
            }
            (_, None) => {
                let code = outcome
                    .code()
                    .map(|c| format!(" code {c}"))
                    .unwrap_or_default();
                writeln!(
                    out,
                    "{name}: {}{code}  {}",
                    outcome.name().to_uppercase(),
                    i18n::outcome(outcome).text(Lang::En)
                )?;
            }
        }
    }
    Ok(())
}
