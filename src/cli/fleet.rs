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
    /// See the dashboard without a database of your own: a throw-away PostgreSQL (Debian's
    /// `postgresql` package), four simulated kiosks feeding it, the dashboard on --listen.
    /// Everything is deleted on Ctrl-C.
    Demo {
        #[arg(long, default_value = "127.0.0.1:8090")]
        listen: SocketAddr,
    },
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
    if let FleetCommand::Demo { listen } = args.command {
        return demo(listen);
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
        FleetCommand::Roles { .. } | FleetCommand::Demo { .. } => Ok(ExitCode::SUCCESS),
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
#[cfg(unix)]
struct EchoOff(Option<libc::termios>);

#[cfg(not(unix))]
struct EchoOff;

#[cfg(not(unix))]
impl EchoOff {
    fn new() -> Self {
        Self
    }
}

#[cfg(unix)]
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

#[cfg(unix)]
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

/// The demo kiosks' cameras: one is unplugged.
#[cfg(unix)]
struct DemoCamera(bool);

#[cfg(unix)]
impl crate::fleet::CameraProbe for DemoCamera {
    fn state(&self) -> (&'static str, String) {
        if self.0 {
            ("streaming", "demo camera".into())
        } else {
            ("disconnected", "USB camera unplugged".into())
        }
    }
}

#[cfg(not(unix))]
fn demo(_listen: SocketAddr) -> anyhow::Result<ExitCode> {
    bail!("fleet demo runs Debian's PostgreSQL server binaries: Linux only")
}

#[cfg(unix)]
fn demo(listen: SocketAddr) -> anyhow::Result<ExitCode> {
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    use crate::checkin::{Checkin, CheckinLog, Retention};
    use crate::faceki::{ErrorKind, Outcome, Person};
    use crate::fleet::devcluster::DevCluster;

    if !listen.ip().is_loopback() {
        bail!("the demo listens on this machine only (e.g. 127.0.0.1:8090)");
    }
    eprintln!("Starting a throw-away PostgreSQL cluster...");
    let cluster = DevCluster::start()?;
    let rt = super::runtime()?;
    let (kiosk_url, dash_url) = rt.block_on(async {
        let admin = Target::parse(&cluster.superuser_url("postgres"))?
            .connect()
            .await?;
        // One statement per call: CREATE DATABASE refuses to run inside a transaction.
        for sql in [
            "CREATE DATABASE faceki_fleet",
            "CREATE ROLE faceki_kiosk LOGIN PASSWORD 'demo-kiosk'",
            "CREATE ROLE faceki_dashboard LOGIN PASSWORD 'demo-dashboard'",
        ] {
            admin.batch_execute(sql).await?;
        }
        let mut owner = Target::parse(&cluster.superuser_url("faceki_fleet"))?
            .connect()
            .await?;
        store::migrate(&mut owner, &Roles::default()).await?;
        let hash = auth::hash_password("demo-password")?;
        owner
            .execute(
                "INSERT INTO dashboard_users (name, password_hash) VALUES ('demo', $1)",
                &[&hash],
            )
            .await?;
        Ok::<_, anyhow::Error>((
            cluster.url("faceki_kiosk", "demo-kiosk", "faceki_fleet"),
            cluster.url("faceki_dashboard", "demo-dashboard", "faceki_fleet"),
        ))
    })?;
    let names = [
        ("Eileen Marie Specimen", "إيلين ماري سبيسمن"),
        ("Grace Hopper", "غريس هوبر"),
        ("Omar Haddad", "عمر حداد"),
        ("Amina Rahman", "أمينة رحمن"),
    ];
    let kiosks = [
        ("Riyadh", "desk-1", true),
        ("Riyadh", "desk-2", true),
        ("Jeddah", "lobby", true),
        ("Dammam", "entrance", false),
    ];
    let mut running = Vec::new();
    for (site, kiosk, camera) in kiosks {
        let mut s = Settings::default();
        s.fleet.database_url = crate::faceki::Secret::new(kiosk_url.clone());
        s.fleet.site = site.into();
        s.fleet.kiosk = kiosk.into();
        s.fleet.heartbeat_secs = 5;
        let log = Arc::new(Mutex::new(Some(CheckinLog::in_memory_with(
            Retention::from_settings(&s),
        )?)));
        let health = Arc::new(crate::fleet::KioskHealth::new());
        let handle = crate::fleet::start(
            rt.handle(),
            &s,
            Arc::clone(&log),
            Arc::clone(&health),
            Some(Arc::new(DemoCamera(camera))),
        )
        .context("the demo kiosk's fleet link")?;
        running.push((log, health, handle));
    }
    let visitors = std::thread::spawn(move || {
        for n in 0u64.. {
            let (log, health, handle) = &running[(n % 4) as usize];
            let (name, local) = names[(n / 4 % 4) as usize];
            let outcome = match n % 7 {
                3 => Outcome::NoMatch { code: Some(8013) },
                5 if n % 4 == 2 => Outcome::error(ErrorKind::Auth, None, "credentials refused"),
                _ => Outcome::Pass {
                    person: Box::new(Person {
                        full_name: name.into(),
                        local_name: Some(local.into()),
                        document_id: Some(format!("X0000{:04}", n % 10_000)),
                        country: None,
                        reference_id: None,
                        record_id: None,
                        id_front_image: None,
                    }),
                },
            };
            let took = Duration::from_millis(600 + n % 900);
            health.check_finished(&outcome, took);
            let row = Checkin::from_outcome(&outcome, took, std::time::SystemTime::now());
            if let Some(l) = log.lock().ok().as_mut().and_then(|g| g.as_mut()) {
                if let Err(e) = l.record(&row) {
                    tracing::warn!(error = %e, "demo check-in not recorded");
                }
            }
            handle.waker().notify_one();
            std::thread::sleep(Duration::from_millis(1500));
        }
    });
    let opts = ServeOptions::default();
    let result = rt.block_on(async {
        let pool = dashboard::pool(Target::parse(&dash_url)?, "").await?;
        let dash = dashboard::spawn(pool, listen, &opts).await?;
        println!("Dashboard: {}/  (user demo, password demo-password). Ctrl-C stops and deletes everything.", dash.url());
        // Ctrl-C or a service stop: either way the cluster is deleted on the way out.
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
        tokio::select! {
            r = tokio::signal::ctrl_c() => r?,
            _ = term.recv() => {}
        }
        Ok::<_, anyhow::Error>(())
    });
    drop(visitors);
    drop(cluster);
    result.map(|()| ExitCode::SUCCESS)
}
