//! A throw-away PostgreSQL cluster (Debian's server binaries): `initdb` into a temporary
//! folder, listening only on a Unix socket there, stopped and deleted when dropped. For the
//! tests, the benchmark and `fleet demo`; never for a real fleet.
//!
//! PostgreSQL refuses to run as root, so as root the server runs as the `postgres` system user
//! (made by Debian's package). A watchdog process stops the server and deletes the folder if
//! this process dies without dropping it (a panic that aborts, a kill).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};

/// The superuser's password inside a dev cluster (it listens on a private socket only).
pub const SUPERUSER_PASSWORD: &str = "dev-superuser";

pub struct DevCluster {
    dir: PathBuf,
    bin: PathBuf,
    as_postgres: bool,
    pub port: u16,
    watchdog: Option<Child>,
}

#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    #[error(
        "no PostgreSQL server binaries (looked for {0}); install Debian's `postgresql` package"
    )]
    NoServer(String),
    #[error("{what}: {detail}")]
    Failed { what: String, detail: String },
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// Where Debian keeps the server binaries (the newest version), or `$PG_BIN`.
pub fn server_bin() -> Result<PathBuf, ClusterError> {
    if let Some(dir) = std::env::var_os("PG_BIN") {
        return Ok(PathBuf::from(dir));
    }
    let root = Path::new("/usr/lib/postgresql");
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir(root)
        .map_err(|_| ClusterError::NoServer(root.display().to_string()))?
        .filter_map(Result::ok)
        .filter_map(|e| {
            let v = e.file_name().to_string_lossy().parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((v, bin))
        })
        .collect();
    versions.sort();
    versions
        .pop()
        .map(|(_, b)| b)
        .ok_or_else(|| ClusterError::NoServer(root.display().to_string()))
}

impl DevCluster {
    /// initdb and start; returns when the server accepts connections.
    pub fn start() -> Result<Self, ClusterError> {
        static N: AtomicU32 = AtomicU32::new(0);
        let bin = server_bin()?;
        let as_postgres = is_root();
        let dir = std::env::temp_dir().join(format!(
            "faceki-pg-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)?;
        let pwfile = dir.join("pw");
        std::fs::write(&pwfile, SUPERUSER_PASSWORD)?;
        if as_postgres {
            chown_to_postgres(&dir)?;
            chown_to_postgres(&pwfile)?;
        }
        let mut c = Self {
            dir,
            bin,
            as_postgres,
            port: 5432,
            watchdog: None,
        };
        c.watchdog = c.spawn_watchdog().ok();
        let data = c.data_dir();
        c.run(
            "initdb",
            &[
                "-D",
                path_str(&data),
                "-U",
                "postgres",
                "--auth=scram-sha-256",
                &format!("--pwfile={}", pwfile.display()),
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "-N",
            ],
        )?;
        c.start_server()?;
        Ok(c)
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.join("data")
    }

    /// The folder holding the server's socket.
    pub fn socket_dir(&self) -> &Path {
        &self.dir
    }

    /// Starts the (stopped) server again, on the same socket.
    pub fn start_server(&self) -> Result<(), ClusterError> {
        let opts = format!(
            "-p {} -k {} -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200",
            self.port,
            self.dir.display()
        );
        let log = self.dir.join("server.log");
        self.run(
            "pg_ctl",
            &[
                "-D",
                path_str(&self.data_dir()),
                "-o",
                &opts,
                "-l",
                path_str(&log),
                "-w",
                "-t",
                "60",
                "start",
            ],
        )
    }

    /// Stops the server (fast: open connections are closed); the data stays.
    pub fn stop_server(&self) -> Result<(), ClusterError> {
        self.run(
            "pg_ctl",
            &["-D", path_str(&self.data_dir()), "-m", "fast", "-w", "stop"],
        )
    }

    /// A URL to database `db` as `user` over the socket.
    pub fn url(&self, user: &str, password: &str, db: &str) -> String {
        let host: String =
            url::form_urlencoded::byte_serialize(self.dir.display().to_string().as_bytes())
                .collect();
        let enc =
            |s: &str| -> String { url::form_urlencoded::byte_serialize(s.as_bytes()).collect() };
        format!(
            "postgresql://{}:{}@{host}:{}/{}",
            enc(user),
            enc(password),
            self.port,
            enc(db)
        )
    }

    pub fn superuser_url(&self, db: &str) -> String {
        self.url("postgres", SUPERUSER_PASSWORD, db)
    }

    fn run(&self, tool: &str, args: &[&str]) -> Result<(), ClusterError> {
        let out = self
            .command(tool)
            .args(args)
            .stdin(Stdio::null())
            .output()?;
        if out.status.success() {
            return Ok(());
        }
        let log = std::fs::read_to_string(self.dir.join("server.log")).unwrap_or_default();
        Err(ClusterError::Failed {
            what: format!("{tool} {}", args.last().copied().unwrap_or("")),
            detail: format!(
                "{}{}\n{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr),
                log.lines().rev().take(10).collect::<Vec<_>>().join("\n")
            ),
        })
    }

    fn command(&self, tool: &str) -> Command {
        let exe = self.bin.join(tool);
        if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(exe);
            c
        } else {
            Command::new(exe)
        }
    }

    /// A shell that waits for this process to end, then stops the server and removes the
    /// folder: the clean-up for a process that never runs `Drop` (statics, aborts, kills).
    fn spawn_watchdog(&self) -> std::io::Result<Child> {
        let pg_ctl = self.bin.join("pg_ctl");
        let stop = if self.as_postgres {
            format!(
                "runuser -u postgres -- {} -D {} -m immediate stop",
                pg_ctl.display(),
                self.data_dir().display()
            )
        } else {
            format!(
                "{} -D {} -m immediate stop",
                pg_ctl.display(),
                self.data_dir().display()
            )
        };
        let script = format!(
            "while kill -0 {pid} 2>/dev/null; do sleep 1; done; {stop} >/dev/null 2>&1; rm -rf {dir}",
            pid = std::process::id(),
            dir = self.dir.display()
        );
        use std::os::unix::process::CommandExt;
        Command::new("sh")
            .args(["-c", &script])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            // Its own process group: whatever kills ours (a test harness, a terminal) must
            // not take the clean-up with it.
            .process_group(0)
            .spawn()
    }
}

impl Drop for DevCluster {
    fn drop(&mut self) {
        let _ = self.run(
            "pg_ctl",
            &[
                "-D",
                path_str(&self.data_dir()),
                "-m",
                "immediate",
                "-w",
                "stop",
            ],
        );
        let _ = std::fs::remove_dir_all(&self.dir);
        if let Some(mut w) = self.watchdog.take() {
            let _ = w.kill();
            let _ = w.wait();
        }
    }
}

fn path_str(p: &Path) -> &str {
    p.to_str().unwrap_or_default()
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

fn chown_to_postgres(path: &Path) -> Result<(), ClusterError> {
    let out = Command::new("chown")
        .arg("postgres:postgres")
        .arg(path)
        .output()?;
    if out.status.success() {
        Ok(())
    } else {
        Err(ClusterError::Failed {
            what: format!("chown postgres {}", path.display()),
            detail: String::from_utf8_lossy(&out.stderr).into_owned(),
        })
    }
}
