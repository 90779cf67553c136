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
            init_logging(cli.verbose, "warn");
            eprintln!(
                "The kiosk window is not built yet; try `faceki-kiosk check --demo` or `faceki-kiosk --help`."
            );
            Ok(ExitCode::from(2))
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
