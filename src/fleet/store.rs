//! The fleet store: connecting (with the TLS rule), the versioned schema, and the writes a
//! kiosk makes. The dashboard's reads are in `dashboard::query`.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio_postgres::config::{Host, SslMode};
use tokio_postgres::{Client, Config};
use tokio_postgres_rustls::MakeRustlsConnect;

use super::FleetError;
use crate::checkin::Unsent;
use crate::config::FleetSettings;

/// How long one statement (or a connection attempt) may take before the link is dropped.
pub const STATEMENT_TIMEOUT: Duration = Duration::from_secs(30);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Each entry moves the schema one version up; `fleet_schema.version` records where a
/// database is. Applied only by `faceki-kiosk fleet migrate`, never by a kiosk.
const MIGRATIONS: &[&str] = &[
    // 1: check-ins, kiosk heartbeats, dashboard users.
    "CREATE TABLE checkins (
        uuid uuid PRIMARY KEY,
        site text NOT NULL,
        kiosk text NOT NULL,
        at timestamptz NOT NULL,
        outcome text NOT NULL,
        detail text NOT NULL DEFAULT '',
        code bigint,
        duration_ms bigint NOT NULL,
        name text,
        local_name text,
        document_masked text,
        reference_id text,
        received_at timestamptz NOT NULL DEFAULT now()
    );
    -- Today's per-site and per-hour counts read this index alone (no heap visits).
    CREATE INDEX checkins_at ON checkins (at) INCLUDE (site, outcome);
    CREATE INDEX checkins_site_at ON checkins (site, at);
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
    CREATE INDEX checkins_names ON checkins
        USING gin (name gin_trgm_ops, local_name gin_trgm_ops);
    CREATE TABLE kiosks (
        site text NOT NULL,
        kiosk text NOT NULL,
        version text NOT NULL,
        started_at timestamptz NOT NULL,
        beat_at timestamptz NOT NULL DEFAULT now(),
        heartbeat_secs integer NOT NULL,
        camera text NOT NULL,
        camera_detail text NOT NULL DEFAULT '',
        faceki_ok_at timestamptz,
        faceki_fail_at timestamptz,
        faceki_fail_kind text,
        faceki_failing boolean NOT NULL DEFAULT false,
        last_check_at timestamptz,
        counts_today jsonb NOT NULL DEFAULT '{}',
        backlog bigint NOT NULL DEFAULT 0,
        backlog_warn bigint NOT NULL DEFAULT 0,
        log_error text,
        liveness_mode text NOT NULL DEFAULT 'off',
        PRIMARY KEY (site, kiosk)
    );
    CREATE TABLE dashboard_users (
        name text PRIMARY KEY,
        password_hash text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
    );",
];

/// The schema this build reads and writes.
pub const SCHEMA_VERSION: i32 = MIGRATIONS.len() as i32;

/// Who this kiosk is in the fleet store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub site: String,
    pub kiosk: String,
}

impl Identity {
    pub fn from_settings(s: &FleetSettings) -> Result<Self, FleetError> {
        let site = s.site.trim();
        if site.is_empty() {
            return Err(FleetError::Config(
                "[fleet] site is not set: name the branch this kiosk stands in".into(),
            ));
        }
        Ok(Self {
            site: site.to_owned(),
            kiosk: s.kiosk_name(),
        })
    }
}

/// A parsed database URL with the TLS rule applied: verified TLS (the system's roots) unless
/// every host is this machine or a Unix socket.
#[derive(Clone)]
pub struct Target {
    config: Config,
    tls: MakeRustlsConnect,
    shown: String,
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Target").field("db", &self.shown).finish()
    }
}

impl Target {
    pub fn parse(url: &str) -> Result<Self, FleetError> {
        let mut config: Config = url
            .trim()
            .parse()
            .map_err(|e: tokio_postgres::Error| FleetError::BadUrl(e.to_string()))?;
        if config.get_hosts().is_empty() && config.get_hostaddrs().is_empty() {
            // libpq's default on Debian: the local server's socket.
            config.host_path("/var/run/postgresql");
        }
        let explicit_ssl = url.to_ascii_lowercase().contains("sslmode");
        let shown = describe(&config);
        if is_local(&config) {
            if !explicit_ssl {
                config.ssl_mode(SslMode::Disable);
            }
        } else {
            if config.get_ssl_mode() == SslMode::Disable {
                return Err(FleetError::Insecure(shown));
            }
            config.ssl_mode(SslMode::Require);
        }
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        config.keepalives_idle(Duration::from_secs(60));
        if config.get_application_name().is_none() {
            config.application_name("faceki-kiosk");
        }
        Ok(Self {
            config,
            tls: tls_connector()?,
            shown,
        })
    }

    /// `user@host:port/db`, never the password: for logs and messages.
    pub fn shown(&self) -> &str {
        &self.shown
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub fn config_mut(&mut self) -> &mut Config {
        &mut self.config
    }

    pub fn tls(&self) -> MakeRustlsConnect {
        self.tls.clone()
    }

    /// Connects and drives the connection on the current tokio runtime.
    pub async fn connect(&self) -> Result<Client, FleetError> {
        let attempt = self.config.connect(self.tls.clone());
        let (client, conn) = match tokio::time::timeout(CONNECT_TIMEOUT * 2, attempt).await {
            Ok(Ok(c)) => c,
            Ok(Err(source)) => {
                return Err(FleetError::Connect {
                    target: self.shown.clone(),
                    source,
                });
            }
            Err(_) => {
                return Err(FleetError::Timeout {
                    target: self.shown.clone(),
                    secs: (CONNECT_TIMEOUT * 2).as_secs(),
                });
            }
        };
        tokio::spawn(async move {
            // The users of the client see the failure and report it; this is the detail.
            if let Err(e) = conn.await {
                tracing::debug!(error = %e, "fleet database connection closed");
            }
        });
        Ok(client)
    }
}

fn is_local(config: &Config) -> bool {
    let hosts_local = config.get_hosts().iter().all(|h| match h {
        Host::Tcp(name) => {
            name.eq_ignore_ascii_case("localhost")
                || name.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
        }
        #[cfg(unix)]
        Host::Unix(_) => true,
    });
    hosts_local && config.get_hostaddrs().iter().all(IpAddr::is_loopback)
}

fn describe(config: &Config) -> String {
    let hosts: Vec<String> = config
        .get_hosts()
        .iter()
        .zip(config.get_ports().iter().chain(std::iter::repeat(&5432)))
        .map(|(h, port)| match h {
            Host::Tcp(name) => format!("{name}:{port}"),
            #[cfg(unix)]
            Host::Unix(path) => format!("{}:{port}", path.display()),
        })
        .collect();
    format!(
        "{}@{}/{}",
        config.get_user().unwrap_or("?"),
        hosts.join(","),
        config.get_dbname().unwrap_or("")
    )
}

/// rustls with the platform verifier (the system's CA store), the provider pinned so that
/// another crate enabling a second one cannot make the choice ambiguous.
fn tls_connector() -> Result<MakeRustlsConnect, FleetError> {
    use rustls_platform_verifier::BuilderVerifierExt;
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .and_then(|b| b.with_platform_verifier())
        .map_err(|e| FleetError::Tls(e.to_string()))?
        .with_no_client_auth();
    Ok(MakeRustlsConnect::new(config))
}

/// One lazily (re)connected client shared by a kiosk's shipper and heartbeat. The schema is
/// checked on each new connection; a mismatch is an error, never a silent migration.
pub struct Link {
    target: Target,
    client: tokio::sync::Mutex<Option<Arc<Client>>>,
}

impl Link {
    pub fn new(target: Target) -> Self {
        Self {
            target,
            client: tokio::sync::Mutex::new(None),
        }
    }

    pub fn target(&self) -> &Target {
        &self.target
    }

    pub async fn client(&self) -> Result<Arc<Client>, FleetError> {
        let mut guard = self.client.lock().await;
        if let Some(c) = guard.as_ref().filter(|c| !c.is_closed()) {
            return Ok(Arc::clone(c));
        }
        *guard = None;
        let client = self.target.connect().await?;
        check_schema(&client).await?;
        let client = Arc::new(client);
        *guard = Some(Arc::clone(&client));
        Ok(client)
    }

    /// Drops the connection after a failure; the next use reconnects.
    pub async fn reset(&self) {
        *self.client.lock().await = None;
    }
}

/// Runs `fut` with the statement timeout.
pub async fn timed<T>(
    target: &str,
    fut: impl std::future::Future<Output = Result<T, FleetError>>,
) -> Result<T, FleetError> {
    tokio::time::timeout(STATEMENT_TIMEOUT, fut)
        .await
        .unwrap_or_else(|_| {
            Err(FleetError::Timeout {
                target: target.to_owned(),
                secs: STATEMENT_TIMEOUT.as_secs(),
            })
        })
}

/// The schema version of the database (0: never migrated).
pub async fn schema_version(client: &Client) -> Result<i32, FleetError> {
    let exists: bool = client
        .query_one("SELECT to_regclass('fleet_schema') IS NOT NULL", &[])
        .await?
        .get(0);
    if !exists {
        return Ok(0);
    }
    let row = client
        .query_opt("SELECT max(version) FROM fleet_schema", &[])
        .await?;
    Ok(row.and_then(|r| r.get::<_, Option<i32>>(0)).unwrap_or(0))
}

/// Ok when the database is at exactly this build's schema.
pub async fn check_schema(client: &Client) -> Result<(), FleetError> {
    let found = schema_version(client).await?;
    match found.cmp(&SCHEMA_VERSION) {
        std::cmp::Ordering::Equal => Ok(()),
        std::cmp::Ordering::Greater => Err(FleetError::SchemaTooNew {
            found,
            known: SCHEMA_VERSION,
        }),
        std::cmp::Ordering::Less => Err(FleetError::SchemaTooOld {
            found,
            known: SCHEMA_VERSION,
        }),
    }
}

/// What `migrate` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Migrated {
    pub from: i32,
    pub to: i32,
    /// Roles that were granted their privileges.
    pub granted: Vec<String>,
}

/// The roles `migrate` grants to, when they exist.
#[derive(Debug, Clone)]
pub struct Roles {
    /// Inserts check-ins and upserts its heartbeat; cannot read check-ins.
    pub kiosk: String,
    /// Reads everything, writes nothing.
    pub dashboard: String,
}

impl Default for Roles {
    fn default() -> Self {
        Self {
            kiosk: "faceki_kiosk".into(),
            dashboard: "faceki_dashboard".into(),
        }
    }
}

/// Brings the database to this build's schema in one transaction (others wait on an advisory
/// lock), then grants the kiosk and dashboard roles what they need, if those roles exist.
/// The kiosk role may read the `uuid` column only: `ON CONFLICT (uuid)` needs that, and a
/// stolen kiosk password then still reads no names.
pub async fn migrate(client: &mut Client, roles: &Roles) -> Result<Migrated, FleetError> {
    let tx = client.transaction().await?;
    tx.execute("SELECT pg_advisory_xact_lock(7406142025)", &[])
        .await?;
    tx.batch_execute("CREATE TABLE IF NOT EXISTS fleet_schema (version integer NOT NULL)")
        .await?;
    let from: i32 = tx
        .query_one("SELECT coalesce(max(version), 0) FROM fleet_schema", &[])
        .await?
        .get(0);
    if from > SCHEMA_VERSION {
        return Err(FleetError::SchemaTooNew {
            found: from,
            known: SCHEMA_VERSION,
        });
    }
    for sql in MIGRATIONS.iter().skip(usize::try_from(from).unwrap_or(0)) {
        tx.batch_execute(sql).await?;
    }
    tx.execute("DELETE FROM fleet_schema", &[]).await?;
    tx.execute(
        "INSERT INTO fleet_schema (version) VALUES ($1)",
        &[&SCHEMA_VERSION],
    )
    .await?;
    let mut granted = Vec::new();
    for (role, grants) in [
        (
            &roles.kiosk,
            "GRANT SELECT ON fleet_schema TO {r};
             GRANT INSERT ON checkins TO {r};
             GRANT SELECT (uuid) ON checkins TO {r};
             GRANT SELECT, INSERT, UPDATE ON kiosks TO {r};",
        ),
        (
            &roles.dashboard,
            "GRANT SELECT ON fleet_schema, checkins, kiosks, dashboard_users TO {r};",
        ),
    ] {
        let exists = tx
            .query_opt("SELECT 1 FROM pg_roles WHERE rolname = $1", &[role])
            .await?
            .is_some();
        if exists {
            let r = quote_ident(role);
            tx.batch_execute(&format!("GRANT USAGE ON SCHEMA public TO {r};"))
                .await?;
            tx.batch_execute(&grants.replace("{r}", &r)).await?;
            granted.push(role.clone());
        }
    }
    tx.commit().await?;
    Ok(Migrated {
        from,
        to: SCHEMA_VERSION,
        granted,
    })
}

/// The SQL that creates the three roles and the database (run once as a superuser).
pub fn roles_sql(roles: &Roles, database: &str) -> String {
    let (k, d) = (quote_ident(&roles.kiosk), quote_ident(&roles.dashboard));
    let db = quote_ident(database);
    format!(
        "-- Run as a PostgreSQL superuser (e.g. sudo -u postgres psql), with your own passwords.
-- The owner runs `faceki-kiosk fleet migrate` and `fleet user add`; kiosks use {k}
-- (insert check-ins, upsert their heartbeat, never read check-ins); the dashboard uses {d}
-- (read only).
CREATE ROLE faceki_owner LOGIN PASSWORD 'change-me-owner';
CREATE DATABASE {db} OWNER faceki_owner ENCODING 'UTF8';
CREATE ROLE {k} LOGIN PASSWORD 'change-me-kiosk';
CREATE ROLE {d} LOGIN PASSWORD 'change-me-dashboard';
ALTER ROLE {d} SET default_transaction_read_only = on;
-- Then, as the owner:  FACEKI_FLEET_DATABASE_URL=postgres://faceki_owner:…@host/{database} faceki-kiosk fleet migrate
"
    )
}

/// A SQL identifier, quoted.
pub fn quote_ident(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// Inserts a batch; a UUID the store already has is skipped (a resend after a crash between
/// the insert and the local mark). Returns how many rows were new.
pub async fn insert_checkins(
    client: &Client,
    who: &Identity,
    rows: &[Unsent],
) -> Result<u64, FleetError> {
    let mut uuids = Vec::with_capacity(rows.len());
    let mut at = Vec::with_capacity(rows.len());
    let mut outcome = Vec::with_capacity(rows.len());
    let mut detail = Vec::with_capacity(rows.len());
    let mut code = Vec::with_capacity(rows.len());
    let mut ms = Vec::with_capacity(rows.len());
    let mut name = Vec::with_capacity(rows.len());
    let mut local = Vec::with_capacity(rows.len());
    let mut doc = Vec::with_capacity(rows.len());
    let mut reference = Vec::with_capacity(rows.len());
    for r in rows {
        let c = &r.checkin;
        uuids.push(parse_uuid(&c.uuid));
        at.push(c.at);
        outcome.push(c.outcome.as_str());
        detail.push(c.detail.as_str());
        code.push(c.code);
        ms.push(i64::try_from(c.duration_ms).unwrap_or(i64::MAX));
        name.push(c.name.as_deref());
        local.push(c.local_name.as_deref());
        doc.push(c.document_masked.as_deref());
        reference.push(c.reference_id.as_deref());
    }
    let n = client
        .execute(
            "INSERT INTO checkins (uuid, site, kiosk, at, outcome, detail, code, duration_ms,
                 name, local_name, document_masked, reference_id)
             SELECT u, $2, $3, to_timestamp(a), o, d, c, ms, n, ln, dm, r
             FROM unnest($1::uuid[], $4::bigint[], $5::text[], $6::text[], $7::bigint[],
                         $8::bigint[], $9::text[], $10::text[], $11::text[], $12::text[])
                  AS t(u, a, o, d, c, ms, n, ln, dm, r)
             ON CONFLICT (uuid) DO NOTHING",
            &[
                &uuids, &who.site, &who.kiosk, &at, &outcome, &detail, &code, &ms, &name, &local,
                &doc, &reference,
            ],
        )
        .await?;
    Ok(n)
}

/// Our own UUIDs always parse; anything else gets a stable stand-in (so a resend is still
/// recognised) rather than blocking the queue.
fn parse_uuid(s: &str) -> uuid::Uuid {
    uuid::Uuid::parse_str(s)
        .unwrap_or_else(|_| uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, s.as_bytes()))
}

/// One heartbeat, as the kiosk sends it.
#[derive(Debug, Clone, PartialEq)]
pub struct Beat {
    pub version: String,
    pub started_at: i64,
    pub heartbeat_secs: i32,
    /// `streaming`, `starting`, `disconnected`, `stopped` or `none`.
    pub camera: String,
    pub camera_detail: String,
    /// Unix ms, as the three times below.
    pub faceki_ok_at: Option<i64>,
    pub faceki_fail_at: Option<i64>,
    pub faceki_fail_kind: Option<String>,
    /// The last check ended in an error.
    pub faceki_failing: bool,
    pub last_check_at: Option<i64>,
    /// `{"pass": 3, "no_match": 1, ...}` for the kiosk's local day.
    pub counts_today: serde_json::Value,
    pub backlog: i64,
    pub backlog_warn: i64,
    pub log_error: Option<String>,
    pub liveness_mode: String,
}

/// Upserts this kiosk's row; `beat_at` is the database's clock, so kiosk clocks don't matter.
pub async fn upsert_beat(client: &Client, who: &Identity, b: &Beat) -> Result<(), FleetError> {
    let counts = b.counts_today.to_string();
    client
        .execute(
            "INSERT INTO kiosks (site, kiosk, version, started_at, beat_at, heartbeat_secs,
                 camera, camera_detail, faceki_ok_at, faceki_fail_at, faceki_fail_kind,
                 last_check_at, counts_today, backlog, backlog_warn, log_error, liveness_mode,
                 faceki_failing)
             VALUES ($1, $2, $3, to_timestamp($4), now(), $5, $6, $7, to_timestamp($8),
                 to_timestamp($9), $10, to_timestamp($11), $12::text::jsonb, $13, $14, $15, $16,
                 $17)
             ON CONFLICT (site, kiosk) DO UPDATE SET
                 version = EXCLUDED.version, started_at = EXCLUDED.started_at,
                 beat_at = EXCLUDED.beat_at, heartbeat_secs = EXCLUDED.heartbeat_secs,
                 camera = EXCLUDED.camera, camera_detail = EXCLUDED.camera_detail,
                 faceki_ok_at = EXCLUDED.faceki_ok_at, faceki_fail_at = EXCLUDED.faceki_fail_at,
                 faceki_fail_kind = EXCLUDED.faceki_fail_kind,
                 faceki_failing = EXCLUDED.faceki_failing,
                 last_check_at = EXCLUDED.last_check_at, counts_today = EXCLUDED.counts_today,
                 backlog = EXCLUDED.backlog, backlog_warn = EXCLUDED.backlog_warn,
                 log_error = EXCLUDED.log_error, liveness_mode = EXCLUDED.liveness_mode",
            &[
                &who.site,
                &who.kiosk,
                &b.version,
                &(b.started_at as f64),
                &b.heartbeat_secs,
                &b.camera,
                &b.camera_detail,
                &b.faceki_ok_at.map(ms_to_secs),
                &b.faceki_fail_at.map(ms_to_secs),
                &b.faceki_fail_kind,
                &b.last_check_at.map(ms_to_secs),
                &counts,
                &b.backlog,
                &b.backlog_warn,
                &b.log_error,
                &b.liveness_mode,
                &b.faceki_failing,
            ],
        )
        .await?;
    Ok(())
}

fn ms_to_secs(ms: i64) -> f64 {
    ms as f64 / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_only_to_this_machine() {
        for local in [
            "postgres://k:pw@localhost/fleet",
            "postgres://k:pw@127.0.0.1:5433/fleet",
            "postgres://k@[::1]/fleet",
            "postgres://k@%2Frun%2Fpostgresql/fleet",
            "postgres:///fleet",
        ] {
            let t = Target::parse(local).unwrap();
            assert_eq!(t.config().get_ssl_mode(), SslMode::Disable, "{local}");
        }
        let t = Target::parse("postgres://k:pw@localhost/fleet?sslmode=require").unwrap();
        assert_eq!(t.config().get_ssl_mode(), SslMode::Require);
        for remote in [
            "postgres://k:pw@db.example.com/fleet",
            "postgres://k:pw@10.0.0.5/fleet?sslmode=prefer",
        ] {
            let t = Target::parse(remote).unwrap();
            assert_eq!(t.config().get_ssl_mode(), SslMode::Require, "{remote}");
        }
        let err =
            Target::parse("postgres://k:hunter2@db.example.com/fleet?sslmode=disable").unwrap_err();
        let msg = err.to_string();
        assert!(matches!(err, FleetError::Insecure(_)), "{msg}");
        assert!(msg.contains("db.example.com"), "{msg}");
        assert!(!msg.contains("hunter2"), "{msg}");
    }

    #[test]
    fn messages_never_show_the_password() {
        let t = Target::parse("postgres://kiosk:s3cr3t@db.example.com:6432/fleet").unwrap();
        assert_eq!(t.shown(), "kiosk@db.example.com:6432/fleet");
        assert!(!format!("{t:?}").contains("s3cr3t"));
        let err = Target::parse("postgres://kiosk:s3cr3t@db.example.com/fleet?sslmode=bogus")
            .unwrap_err();
        assert!(!err.to_string().contains("s3cr3t"), "{err}");
    }

    #[test]
    fn a_site_is_required() {
        let mut s = FleetSettings::default();
        assert!(Identity::from_settings(&s).is_err());
        s.site = " Jeddah ".into();
        s.kiosk = "desk-1".into();
        let id = Identity::from_settings(&s).unwrap();
        assert_eq!((id.site.as_str(), id.kiosk.as_str()), ("Jeddah", "desk-1"));
    }

    #[test]
    fn identifiers_are_quoted() {
        assert_eq!(quote_ident("a\"b"), "\"a\"\"b\"");
    }
}
