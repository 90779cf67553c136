//! Logging: stderr for a person at a terminal, plus daily-rotated files for the kiosk.
//!
//! Levels mean something: `error` needs a person (credentials refused, camera gone for good,
//! the check-in log cannot be written), `warn` is a fault the kiosk recovered from, `info` is
//! the day's story (start, token refreshes, camera open), `debug`/`trace` are for engineers.
//! Nothing logged names a person, a document number, an image URL, the secret or a token: the
//! types that carry them (`Secret`, `Person`) redact themselves, and a test greps the logs.

use std::path::PathBuf;

use tracing_subscriber::Layer;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// Where and how much to write to files.
pub struct FileLog {
    pub dir: PathBuf,
    pub keep_files: usize,
    pub level: String,
}

/// Keeps the background log writer alive; dropping it flushes the file.
pub struct LogGuard {
    _file: Option<tracing_appender::non_blocking::WorkerGuard>,
    /// Why the file log could not be set up, for the caller to report once logging runs.
    pub file_error: Option<String>,
}

fn level_for(verbose: u8, default: &str) -> String {
    match verbose {
        0 => default.to_owned(),
        1 => "info".into(),
        2 => "debug".into(),
        _ => "trace".into(),
    }
}

/// Sets up logging once per process (later calls do nothing). `RUST_LOG` overrides stderr.
pub fn init(verbose: u8, default: &str, file: Option<FileLog>) -> LogGuard {
    let level = level_for(verbose, default);
    let stderr_filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(&level));
    // Logs go to stderr so `--json` output on stdout stays machine-readable.
    let stderr = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        // Colour codes only for a person at a terminal, never in files or pipes.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false)
        .with_filter(stderr_filter);

    let mut file_error = None;
    let mut guard = None;
    let file_layer = file.and_then(|f| match open_file(&f) {
        Ok((writer, g)) => {
            guard = Some(g);
            let filter = tracing_subscriber::EnvFilter::try_new(&f.level)
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
            Some(
                tracing_subscriber::fmt::layer()
                    .with_writer(writer)
                    .with_ansi(false)
                    .with_target(true)
                    .with_filter(filter),
            )
        }
        Err(e) => {
            file_error = Some(format!("log files in {}: {e}", f.dir.display()));
            None
        }
    });
    let _ = tracing_subscriber::registry()
        .with(stderr)
        .with(file_layer)
        .try_init();
    LogGuard {
        _file: guard,
        file_error,
    }
}

/// A daily-rotated file written by a background thread, so a slow disk never stalls the UI.
fn open_file(
    f: &FileLog,
) -> Result<
    (
        tracing_appender::non_blocking::NonBlocking,
        tracing_appender::non_blocking::WorkerGuard,
    ),
    String,
> {
    std::fs::create_dir_all(&f.dir).map_err(|e| e.to_string())?;
    let appender = tracing_appender::rolling::Builder::new()
        .rotation(tracing_appender::rolling::Rotation::DAILY)
        .filename_prefix("faceki-kiosk")
        .filename_suffix("log")
        .max_log_files(f.keep_files.max(1))
        .build(&f.dir)
        .map_err(|e| e.to_string())?;
    Ok(tracing_appender::non_blocking(appender))
}
