//! `faceki-kiosk log`: the check-in log from the command line.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Subcommand};

use crate::checkin::{CheckinLog, Query, parse_date, write_csv, write_csv_file};
use crate::config::Settings;

#[derive(Args, Debug)]
pub struct LogArgs {
    #[command(subcommand)]
    pub command: LogCommand,
}

#[derive(Subcommand, Debug)]
pub enum LogCommand {
    /// Write check-ins to a CSV file (UTF-8, for spreadsheets).
    Export {
        /// First local date to include, YYYY-MM-DD (default: every kept row).
        #[arg(long, value_name = "DATE")]
        since: Option<String>,
        /// The CSV file to write; `-` for standard output.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
}

pub fn run(config: Option<&std::path::Path>, args: LogArgs) -> anyhow::Result<ExitCode> {
    let settings = Settings::load(config)?;
    let path = settings
        .log
        .checkin_path()
        .context("this platform has no data folder; set [log] checkin_db")?;
    match args.command {
        LogCommand::Export { since, out } => {
            let since = since.as_deref().map(parse_date).transpose()?;
            if !path.exists() {
                anyhow::bail!("there is no check-in log at {} yet", path.display());
            }
            let log =
                CheckinLog::open_with(&path, crate::checkin::Retention::from_settings(&settings))?;
            let rows = log.query(&Query {
                since,
                ..Query::default()
            })?;
            if out.as_os_str() == "-" {
                write_csv(&rows, std::io::stdout().lock())?;
            } else {
                write_csv_file(&rows, &out)
                    .with_context(|| format!("cannot write {}", out.display()))?;
                eprintln!("{} check-ins written to {}", rows.len(), out.display());
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
