//! `faceki-kiosk fleet`: the head-office side. The database URL is `[fleet] database_url`
//! of the config (or `FACEKI_FLEET_DATABASE_URL`), with the role each command needs: the
//! owner for `migrate` and `user add`, the read-only dashboard role for `serve`.

use std::io::{BufRead, IsTerminal, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Args, Subcommand};

use crate::config::Settings;
use crate::fleet::dashboard::{self, ServeOptions};
use crate::fleet::store::{self, Roles};
use crate::fleet::{Target, auth};

#[derive(Args, Debug)]
pub struct FleetArgs {
    #[command(subcommand)]
    pub command: FleetCommand,
}

#[derive(Subcommand, Debug)]
pub enum FleetCommand {
    /// Bring the fleet database to this version's schema and grant the kiosk and dashboard
    /// roles their rights (run with the owner's URL).
    Migrate {
        /// The role kiosks connect as.
        #[arg(long, default_value = "faceki_kiosk")]
        kiosk_role: String,
        /// The (read-only) role the dashboard connects as.
        #[arg(long, default_value = "faceki_dashboard")]
        dashboard_role: String,
    },
    /// Print the SQL that creates the database and its three roles (for a superuser to run).
    Roles {
        #[arg(long, default_value = "faceki_fleet")]
        database: String,
    },
    /// Head-office users of the dashboard.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Serve the head-office dashboard.
    Serve {
        /// Address to listen on, e.g. 127.0.0.1:8443 (plain HTTP only on loopback).
        #[arg(long, value_name = "ADDR")]
        listen: SocketAddr,
        /// PEM certificate chain: serve HTTPS.
        #[arg(long, value_name = "FILE", requires = "tls_key")]
        tls_cert: Option<PathBuf>,
        /// PEM private key for --tls-cert.
        #[arg(long, value_name = "FILE", requires = "tls_cert")]
        tls_key: Option<PathBuf>,
        /// Behind an HTTPS reverse proxy: mark cookies Secure.
        #[arg(long)]
        secure_cookies: bool,
    },
    /// Can this machine reach the fleet database, at the right schema? And this kiosk's backlog.
    Status,
}

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Add a user (or set a new password). The password is asked for on the terminal, or read
    /// as one line from standard input.
    Add { name: String },
    /// Remove a user.
    Remove { name: String },
}

pub fn run(config: Option<&Path>, args: FleetArgs) -> anyhow::Result<ExitCode> {
    let settings = Settings::load(config)?;
    if let FleetCommand::Roles { database } = &args.command {
        print!("{}", store::roles_sql(&Roles::default(), database));
        return Ok(ExitCode::SUCCESS);
    }
    if !settings.fleet.enabled() {
        bail!(
            "no fleet database: set [fleet] database_url in the config, or {}",
            crate::config::ENV_FLEET_DATABASE_URL
        );
    }
    let target = Target::parse(settings.fleet.database_url.expose())?;
    let rt = super::runtime()?;
    match args.command {
        FleetCommand::Roles { .. } => Ok(ExitCode::SUCCESS),
        FleetCommand::Migrate {
            kiosk_role,
            dashboard_role,
        } => rt.block_on(async {
            let mut client = target.connect().await?;
            let roles = Roles {
                kiosk: kiosk_role,
                dashboard: dashboard_role,
            };
            let m = store::migrate(&mut client, &roles).await?;
            if m.from == m.to {
                println!("{}: schema {} already, nothing to do", target.shown(), m.to);
            } else {
                println!("{}: schema {} -> {}", target.shown(), m.from, m.to);
            }
            for r in [&roles.kiosk, &roles.dashboard] {
                if m.granted.contains(r) {
                    println!("granted role {r}");
                } else {
                    println!(
                        "role {r} does not exist (see `faceki-kiosk fleet roles`); not granted"
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }),
        FleetCommand::User { command } => {
            let (name, password) = match &command {
                UserCommand::Add { name } => {
                    auth::valid_name(name)?;
                    let pw = read_password()?;
                    (name.clone(), Some(auth::hash_password(&pw)?))
                }
                UserCommand::Remove { name } => (name.clone(), None),
            };
            rt.block_on(async {
                let client = target.connect().await?;
                store::check_schema(&client).await?;
                match password {
                    Some(hash) => {
                        client
                            .execute(
                                "INSERT INTO dashboard_users (name, password_hash) VALUES ($1, $2)
                                 ON CONFLICT (name) DO UPDATE SET password_hash = EXCLUDED.password_hash",
                                &[&name, &hash],
                            )
                            .await
                            .context("the user could not be saved")?;
                        println!("user {name} saved");
                    }
                    None => {
                        let n = client
                            .execute("DELETE FROM dashboard_users WHERE name = $1", &[&name])
                            .await?;
                        if n == 0 {
                            bail!("there is no user {name}");
                        }
                        println!("user {name} removed");
                    }
                }
                Ok(ExitCode::SUCCESS)
            })
        }
        FleetCommand::Serve {
            listen,
            tls_cert,
            tls_key,
            secure_cookies,
        } => {
            let tls = tls_cert.zip(tls_key);
            if tls.is_none() && !listen.ip().is_loopback() {
                bail!(
                    "the dashboard shows names: plain HTTP is served only on this machine. Use --tls-cert and --tls-key, or listen on 127.0.0.1 behind an HTTPS proxy (with --secure-cookies)"
                );
            }
            let opts = ServeOptions {
                tls,
                secure_cookies,
                timezone: settings.fleet.timezone.clone(),
            };
            rt.block_on(async {
                let pool = dashboard::pool(target, &opts.timezone).await?;
                dashboard::serve(pool, listen, &opts).await?;
                Ok(ExitCode::SUCCESS)
            })
        }
        FleetCommand::Status => {
            let reach = rt.block_on(async {
                let client = target.connect().await?;
                let v = store::schema_version(&client).await?;
                store::check_schema(&client).await.map(|()| v)
            });
            let mut code = ExitCode::SUCCESS;
            match reach {
                Ok(v) => println!("ok    {}: reachable, schema {v}", target.shown()),
                Err(e) => {
                    println!("FAIL  {e}");
                    code = ExitCode::from(1);
                }
            }
            match store::Identity::from_settings(&settings.fleet) {
                Ok(id) => println!("ok    this kiosk reports as {} / {}", id.site, id.kiosk),
                Err(e) => {
                    println!("FAIL  {e}");
                    code = ExitCode::from(1);
                }
            }
            if let Some(path) = settings.log.checkin_path().filter(|p| p.exists()) {
                let log = crate::checkin::CheckinLog::open_with(
                    &path,
                    crate::checkin::Retention::from_settings(&settings),
                )?;
                println!("      {} check-ins wait to be sent", log.backlog()?);
            }
            Ok(code)
        }
    }
}

/// From the terminal without echo (twice), or one line from a pipe.
fn read_password() -> anyhow::Result<String> {
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        let mut line = String::new();
        stdin.lock().read_line(&mut line)?;
        return Ok(line.trim_end_matches(['\r', '\n']).to_owned());
    }
    let first = prompt_hidden("Password: ")?;
    let again = prompt_hidden("Again: ")?;
    if first != again {
        bail!("the two passwords differ");
    }
    Ok(first)
}

fn prompt_hidden(prompt: &str) -> anyhow::Result<String> {
    eprint!("{prompt}");
    std::io::stderr().flush()?;
    let _echo = EchoOff::new();
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    eprintln!();
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

/// Terminal echo off for as long as it lives.
struct EchoOff(Option<libc::termios>);

impl EchoOff {
    fn new() -> Self {
        // SAFETY: tcgetattr/tcsetattr on stdin with a zeroed, then filled, termios struct.
        unsafe {
            let mut t: libc::termios = std::mem::zeroed();
            if libc::tcgetattr(libc::STDIN_FILENO, &mut t) != 0 {
                return Self(None);
            }
            let old = t;
            t.c_lflag &= !libc::ECHO;
            if libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, &t) != 0 {
                return Self(None);
            }
            Self(Some(old))
        }
    }
}

impl Drop for EchoOff {
    fn drop(&mut self) {
        if let Some(old) = self.0 {
            // SAFETY: restores the settings read in `new`.
            unsafe {
                libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, &old);
            }
        }
    }
}
