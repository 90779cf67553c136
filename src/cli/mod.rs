//! Command line: the kiosk window (default), `check`, `gate`, `liveness`, `cameras`, `sim`,
//! `doctor`, `log`, `soak`, `fleet`.

mod check;
mod doctor;
mod fleet;
mod gate;
pub mod liveness;
mod log;
pub mod logging;
mod sim;
pub mod soak;

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
    /// Run the kiosk's head-turn liveness challenge on a recorded clip (no paid call).
    Liveness(liveness::LivenessArgs),
    /// List the cameras this machine offers, by index and name.
    Cameras,
    /// Serve the FACEKI simulator (token and face-check endpoints) for tests and demos.
    Sim(sim::SimArgs),
    /// Check this kiosk's setup (config, camera, FACEKI sign-in, fonts, folders) and say what is wrong.
    Doctor,
    /// The check-in log.
    Log(log::LogArgs),
    /// Thousands of checks against the built-in simulator with injected faults (reliability).
    Soak(soak::SoakArgs),
    /// Head office: the fleet database (migrate, roles, users) and the dashboard.
    Fleet(fleet::FleetArgs),
}

fn init_logging(verbose: u8, default: &str) -> logging::LogGuard {
    logging::init(verbose, default, None)
}

/// The binary's entry point.
pub fn main() -> ExitCode {
    let _ = crate::PROCESS_START.set(std::time::Instant::now());
    tune_allocator();
    let cli = Cli::parse();
    let result = match cli.command {
        Some(Command::Check(args)) => {
            let _log = init_logging(cli.verbose, "warn");
            check::run(cli.config.as_deref(), args)
        }
        Some(Command::Gate(args)) => {
            let _log = init_logging(cli.verbose, "warn");
            crate::config::Settings::load(cli.config.as_deref())
                .map_err(anyhow::Error::from)
                .and_then(|s| gate::run(s.gate, args))
        }
        Some(Command::Liveness(args)) => {
            let _log = init_logging(cli.verbose, "warn");
            crate::config::Settings::load(cli.config.as_deref())
                .map_err(anyhow::Error::from)
                .and_then(|s| liveness::run(&s, args))
        }
        Some(Command::Cameras) => {
            let _log = init_logging(cli.verbose, "warn");
            list_cameras()
        }
        Some(Command::Sim(args)) => {
            let _log = init_logging(cli.verbose, "info");
            sim::run(args)
        }
        Some(Command::Doctor) => {
            let _log = init_logging(cli.verbose, "error");
            doctor::run(cli.config.as_deref())
        }
        Some(Command::Log(args)) => {
            let _log = init_logging(cli.verbose, "warn");
            log::run(cli.config.as_deref(), args)
        }
        Some(Command::Soak(args)) => {
            let _log = init_logging(cli.verbose, "error");
            soak::run(args)
        }
        Some(Command::Fleet(args)) => {
            let _log = init_logging(cli.verbose, "info");
            fleet::run(cli.config.as_deref(), args)
        }
        None => run_kiosk(&cli),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// The kiosk window: settings, logging, camera, runtime, then eframe on this (the main) thread.
fn run_kiosk(cli: &Cli) -> anyhow::Result<ExitCode> {
    use crate::runtime::{CameraSource, Runtime};
    let config_path = cli.config.clone().or_else(crate::config::default_path);
    // Settings first: they say where the log files go. A bad file is reported on stderr.
    let mut settings = crate::config::Settings::load(cli.config.as_deref())?;
    // Demo mode writes nothing to disk: no log files either.
    let file = (!cli.demo)
        .then(|| settings.log.log_dir())
        .flatten()
        .map(|dir| logging::FileLog {
            dir,
            keep_files: settings.log.keep_files,
            level: settings.log.file_level.clone(),
        });
    let log = logging::init(cli.verbose, "info", file);
    if let Some(e) = &log.file_error {
        tracing::error!("no log files: {e}");
    }
    if let Some(path) = config_path.as_deref().filter(|_| !cli.demo) {
        match crate::config::Settings::secure_file(path) {
            Ok(Some(fixed)) => tracing::warn!("{fixed}"),
            Ok(None) => {}
            Err(e) => {
                tracing::error!(error = %e, "the config file holds the secret and is readable by others")
            }
        }
    }
    tracing::info!(
        version = env!("CARGO_PKG_VERSION"),
        demo = cli.demo,
        "faceki-kiosk starting"
    );
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
            // The clip cannot answer a random challenge: a rendered visitor that can.
            _ if settings.liveness.enabled() => CameraSource::DemoVisitor {
                cue: std::sync::Arc::default(),
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
    tracing::info!("faceki-kiosk stopped");
    Ok(ExitCode::SUCCESS)
}

/// Allocator settings for a process that runs for months.
///
/// glibc raises its mmap threshold each time a large block is freed, so later multi-megabyte
/// buffers (a capped 4 MiB reply, a decoded ID image) come from the heap and stay in RSS for
/// good: about 10 MB held after the first faults of a months-long run. A fixed threshold keeps
/// them mmapped and handed back on free. It is 2 MiB, not lower: the detectors' tensors
/// (0.4-1.2 MB, a dozen per frame) must stay on the heap, or every frame mmaps and faults
/// them in again (at 256 KiB that was a tenth of the gate thread's CPU, in the kernel).
fn tune_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: mallopt only tunes the allocator; called before any thread is started.
        let ok = unsafe { libc::mallopt(libc::M_MMAP_THRESHOLD, 2 * 1024 * 1024) };
        if ok != 1 {
            eprintln!("warning: could not set the allocator's mmap threshold");
        }
        // Each thread that allocates gets its own arena by default (up to 8 per core), and
        // each keeps its freed memory: two arenas held 8 MB less in the demo (BENCHMARKS.md).
        // SAFETY: as above.
        if unsafe { libc::mallopt(libc::M_ARENA_MAX, 2) } != 1 {
            eprintln!("warning: could not limit the allocator's arenas");
        }
    }
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
    Ok(crate::runtime::io_runtime()?)
}
