//! Command line: `check`, `sim` (and, as the issues land, the GUI, `gate`, `doctor`, `log`).

mod check;
mod gate;
mod sim;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(
    name = "faceki-kiosk",
    version,
    about = "Face log-in kiosk backed by FACEKI's face-check API"
)]
pub struct Cli {
    /// Config file (default: the platform's config dir, e.g. ~/.config/faceki-kiosk/config.toml).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Demo mode: a built-in FACEKI simulator (nothing can reach the real FACEKI), the webcam if
    /// there is one, else the bundled camera clip. Staff PIN 1234.
    #[arg(long)]
    pub demo: bool,
    /// With --demo: the simulator's first answer (switch it in the admin panel).
    #[arg(long, default_value = "match")]
    pub scenario: crate::sim::Scenario,
    /// A normal window instead of full-screen kiosk mode.
    #[arg(long)]
    pub windowed: bool,
    /// Play this MJPEG file or image folder instead of the webcam.
    #[arg(long, value_name = "PATH")]
    pub replay: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Check photos against FACEKI's face-check, as the kiosk would (a paid call per photo).
    Check(check::CheckArgs),
    /// Run the local selfie checks (face, size, centring, pose, sharpness, light) on photos.
    Gate(gate::GateArgs),
    /// List the cameras this machine offers, by index and name.
    Cameras,
    /// Serve the FACEKI simulator (token and face-check endpoints) for tests and demos.
    Sim(sim::SimArgs),
}

fn init_logging(verbose: u8, default: &str) {
    let level = match verbose {
        0 => default,
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level));
    // Logs go to stderr so `--json` output on stdout stays machine-readable.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        // Colour codes only for a person at a terminal, never in files or pipes.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false)
        .try_init();
}

/// The binary's entry point.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Some(Command::Check(args)) => {
            init_logging(cli.verbose, "warn");
            check::run(cli.config.as_deref(), args)
        }
        Some(Command::Gate(args)) => {
            init_logging(cli.verbose, "warn");
            crate::config::Settings::load(cli.config.as_deref())
                .map_err(anyhow::Error::from)
                .and_then(|s| gate::run(s.gate, args))
        }
        Some(Command::Cameras) => {
            init_logging(cli.verbose, "warn");
            list_cameras()
        }
        Some(Command::Sim(args)) => {
            init_logging(cli.verbose, "info");
            sim::run(args)
        }
        None => {
            init_logging(cli.verbose, "info");
            run_kiosk(&cli)
        }
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// The kiosk window: settings, camera, runtime, then eframe on this (the main) thread.
fn run_kiosk(cli: &Cli) -> anyhow::Result<ExitCode> {
    use crate::runtime::{CameraSource, Runtime};
    let config_path = cli.config.clone().or_else(crate::config::default_path);
    let mut settings = crate::config::Settings::load(cli.config.as_deref())?;
    let camera = match (&cli.replay, cli.demo) {
        (Some(path), _) => CameraSource::Replay {
            path: path.clone(),
            fps: settings.camera.replay_fps,
        },
        (None, true) => match crate::camera::webcam::list_cameras() {
            Ok(list) if !list.is_empty() => CameraSource::Webcam {
                index: list[0].index,
                size: settings.camera.capture,
            },
            _ => CameraSource::DemoClip { fps: 15.0 },
        },
        (None, false) => CameraSource::from_settings(&settings),
    };
    let demo = cli.demo.then_some(cli.scenario);
    if cli.demo && settings.kiosk.pin_hash.is_empty() {
        settings.kiosk.pin_hash = crate::kiosk::pin::hash("1234")?;
    }
    // Demo mode writes nothing to disk.
    let path = if cli.demo { None } else { config_path };
    let kiosk_mode = settings.kiosk.fullscreen && !cli.windowed;
    let rt = Runtime::start(settings, camera, demo, path)?;
    crate::ui::run(rt, kiosk_mode)?;
    Ok(ExitCode::SUCCESS)
}

fn list_cameras() -> anyhow::Result<ExitCode> {
    let cams = crate::camera::webcam::list_cameras()?;
    if cams.is_empty() {
        println!("No camera found. The kiosk will show \"camera missing\" and keep looking.");
        return Ok(ExitCode::from(1));
    }
    for c in cams {
        println!("{}\t{}", c.index, c.name);
    }
    Ok(ExitCode::SUCCESS)
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .thread_name("faceki-io")
        .build()?)
}
