//! The check-in log: one SQLite row per check, so a branch manager can see who was logged in.
//!
//! What is stored is deliberately small: time, outcome, FACEKI code, duration, and for passes
//! the name, the *masked* document number and FACEKI's referenceId. Never the selfie, never an
//! image, never the full document number. Rows older than the retention are deleted at start
//! and daily; a retention of 0 days keeps nothing at all.
//!
//! With a fleet database configured the log is also the outbox: each row has a UUID and a
//! `shipped_at` time, the shipper sends unsent rows and marks them, and retention keeps every
//! unsent row (up to [`Retention::outbox_cap`]).

use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, OptionalExtension, params};
use thiserror::Error;

use crate::faceki::Outcome;

mod csv;

pub use csv::{defuse, write_csv, write_csv_file, write_table};

/// The file name inside the data dir.
pub const FILE_NAME: &str = "checkins.sqlite";

#[derive(Debug, Error)]
pub enum LogError {
    #[error("check-in log {path}: {source}")]
    Sqlite {
        path: String,
        source: rusqlite::Error,
    },
    #[error("check-in log {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error(
        "check-in log {path} was written by a newer faceki-kiosk (schema {found}, this build knows {known})"
    )]
    TooNew {
        path: String,
        found: i64,
        known: i64,
    },
    #[error("not a date (want YYYY-MM-DD): {0:?}")]
    BadDate(String),
    #[error("this platform has no data folder; set [log] checkin_db in the config")]
    NoFolder,
    #[error("the check-in log is not open")]
    NotOpen,
}

/// One check, as it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkin {
    /// Names this check everywhere it goes (the fleet store inserts each UUID once).
    pub uuid: String,
    /// Unix seconds.
    pub at: i64,
    /// [`Outcome::name`]: pass, no_match, retake, denied, ambiguous, error, liveness_failed.
    pub outcome: String,
    /// For errors, the kind (timeout, auth, ...); for retakes the reason; for liveness failures
    /// the verdict (spoof, no_response, no_face); empty otherwise.
    pub detail: String,
    pub code: Option<i64>,
    pub duration_ms: u64,
    pub name: Option<String>,
    pub local_name: Option<String>,
    pub document_masked: Option<String>,
    pub reference_id: Option<String>,
}

impl Checkin {
    /// The row for an outcome. Only a pass carries personal data, and then only what staff need.
    pub fn from_outcome(outcome: &Outcome, took: Duration, at: SystemTime) -> Self {
        let person = outcome.person();
        let detail = match outcome {
            Outcome::Error { kind, .. } => crate::faceki::wire_name(kind),
            Outcome::Retake { reason, .. } => crate::faceki::wire_name(reason),
            Outcome::NotLive { kind, .. } => crate::faceki::wire_name(kind),
            _ => String::new(),
        };
        Self {
            uuid: new_uuid(),
            at: unix_secs(at),
            outcome: outcome.name().to_owned(),
            detail,
            code: outcome.code(),
            duration_ms: u64::try_from(took.as_millis()).unwrap_or(u64::MAX),
            name: person.map(|p| p.full_name.clone()),
            local_name: person.and_then(|p| p.local_name.clone()),
            document_masked: person.and_then(|p| p.masked_document_id()),
            reference_id: person.and_then(|p| p.reference_id.clone()),
        }
    }
}

/// A row read back, with its local time already formatted by SQLite.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub id: i64,
    /// Local time, `YYYY-MM-DD HH:MM:SS`.
    pub local_time: String,
    pub checkin: Checkin,
}

/// What the staff view asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    /// Local date `YYYY-MM-DD` and later; `None` = all kept rows.
    pub since: Option<String>,
    /// Only rows whose Latin or local name contains this (case-insensitive for ASCII).
    pub name: Option<String>,
    pub limit: Option<u32>,
}

impl Query {
    pub fn today() -> Self {
        Self {
            since: Some("today".into()),
            ..Self::default()
        }
    }
}

/// A fresh random (v4) UUID for a check-in.
pub fn new_uuid() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// What retention may delete.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    /// Days rows are kept; 0 keeps nothing at all.
    pub days: u32,
    /// `Some(cap)` while a fleet database is configured: unsent rows are kept past `days`, up
    /// to `cap` of them (then the oldest expired ones go, with an error in the log).
    pub outbox_cap: Option<u64>,
}

impl Retention {
    pub fn days(days: u32) -> Self {
        Self {
            days,
            outbox_cap: None,
        }
    }

    pub fn from_settings(s: &crate::config::Settings) -> Self {
        Self {
            days: s.log.retention_days,
            outbox_cap: s.fleet.enabled().then_some(s.fleet.max_backlog),
        }
    }
}

/// An unsent row, as the shipper reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsent {
    pub id: i64,
    pub checkin: Checkin,
}

/// Each entry moves the schema one version up; `PRAGMA user_version` records where a file is.
const MIGRATIONS: &[&str] = &[
    // 1: the first schema.
    "CREATE TABLE checkins (
        id INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        outcome TEXT NOT NULL,
        code INTEGER,
        duration_ms INTEGER NOT NULL,
        name TEXT,
        local_name TEXT,
        document_masked TEXT,
        reference_id TEXT
    );
    CREATE INDEX checkins_at ON checkins(at);",
    // 2: why a check failed (error kind / retake reason), for the staff view.
    "ALTER TABLE checkins ADD COLUMN detail TEXT NOT NULL DEFAULT '';",
    // 3: the outbox for the fleet store. Rows from before get their UUID in `backfill_uuids`.
    "ALTER TABLE checkins ADD COLUMN uuid TEXT;
    ALTER TABLE checkins ADD COLUMN shipped_at INTEGER;
    CREATE UNIQUE INDEX checkins_uuid ON checkins(uuid);
    CREATE INDEX checkins_unsent ON checkins(id) WHERE shipped_at IS NULL;",
];

pub struct CheckinLog {
    conn: Connection,
    path: String,
    retention: Retention,
}

impl CheckinLog {
    /// Opens (creating if needed) the log at `path` and applies the retention once.
    pub fn open(path: &Path, retention_days: u32) -> Result<Self, LogError> {
        Self::open_with(path, Retention::days(retention_days))
    }

    /// As [`CheckinLog::open`], keeping unsent rows when `retention` says so.
    pub fn open_with(path: &Path, retention: Retention) -> Result<Self, LogError> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|source| LogError::Io {
                path: path.display().to_string(),
                source,
            })?;
        }
        let conn = Connection::open(path).map_err(|source| LogError::Sqlite {
            path: path.display().to_string(),
            source,
        })?;
        restrict_permissions(path);
        Self::with_connection(conn, path.display().to_string(), retention)
    }

    /// A log that lives in memory only (demo mode writes nothing to disk).
    pub fn in_memory(retention_days: u32) -> Result<Self, LogError> {
        Self::in_memory_with(Retention::days(retention_days))
    }

    pub fn in_memory_with(retention: Retention) -> Result<Self, LogError> {
        let conn = Connection::open_in_memory().map_err(|source| LogError::Sqlite {
            path: ":memory:".into(),
            source,
        })?;
        Self::with_connection(conn, ":memory:".into(), retention)
    }

    fn with_connection(
        conn: Connection,
        path: String,
        retention: Retention,
    ) -> Result<Self, LogError> {
        let mut log = Self {
            conn,
            path,
            retention,
        };
        // Deleted rows (expired names) are overwritten, not left in free pages of the file.
        log.conn
            .pragma_update(None, "secure_delete", true)
            .map_err(|e| log.err(e))?;
        log.migrate()?;
        log.backfill_uuids()?;
        log.apply_retention(SystemTime::now())?;
        Ok(log)
    }

    fn err(&self, source: rusqlite::Error) -> LogError {
        LogError::Sqlite {
            path: self.path.clone(),
            source,
        }
    }

    pub fn schema_version(&self) -> Result<i64, LogError> {
        self.conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| self.err(e))
    }

    fn migrate(&mut self) -> Result<(), LogError> {
        let known = MIGRATIONS.len() as i64;
        let found = self.schema_version()?;
        if found > known {
            return Err(LogError::TooNew {
                path: self.path.clone(),
                found,
                known,
            });
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
            // Each step and its version bump commit together, so a crash leaves a known version.
            let tx = self.conn.transaction().map_err(|e| LogError::Sqlite {
                path: self.path.clone(),
                source: e,
            })?;
            let step = tx
                .execute_batch(sql)
                .and_then(|()| tx.pragma_update(None, "user_version", i as i64 + 1))
                .and_then(|()| tx.commit());
            step.map_err(|e| self.err(e))?;
        }
        Ok(())
    }

    /// Rows written before the outbox existed get their UUID once, here.
    fn backfill_uuids(&mut self) -> Result<(), LogError> {
        let ids: Vec<i64> = {
            let mut stmt = self
                .conn
                .prepare("SELECT id FROM checkins WHERE uuid IS NULL")
                .map_err(|e| self.err(e))?;
            stmt.query_map([], |r| r.get(0))
                .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
                .map_err(|e| self.err(e))?
        };
        if ids.is_empty() {
            return Ok(());
        }
        let tx = self.conn.transaction().map_err(|e| LogError::Sqlite {
            path: self.path.clone(),
            source: e,
        })?;
        let done = ids
            .iter()
            .try_for_each(|id| {
                tx.execute(
                    "UPDATE checkins SET uuid = ?1 WHERE id = ?2",
                    params![new_uuid(), id],
                )
                .map(drop)
            })
            .and_then(|()| tx.commit());
        done.map_err(|e| self.err(e))
    }

    pub fn retention_days(&self) -> u32 {
        self.retention.days
    }

    /// Deletes rows older than the retention (all rows when it is 0). Returns how many. While
    /// the log is an outbox, unsent rows stay, unless more than the cap wait: then the oldest
    /// expired ones go, and that is logged as an error (they will never reach head office).
    pub fn apply_retention(&mut self, now: SystemTime) -> Result<usize, LogError> {
        let cutoff = if self.retention.days == 0 {
            i64::MAX
        } else {
            unix_secs(now) - i64::from(self.retention.days) * 86_400
        };
        let Some(cap) = self.retention.outbox_cap else {
            return self
                .conn
                .execute("DELETE FROM checkins WHERE at < ?1", params![cutoff])
                .map_err(|e| self.err(e));
        };
        let sent = self
            .conn
            .execute(
                "DELETE FROM checkins WHERE at < ?1 AND shipped_at IS NOT NULL",
                params![cutoff],
            )
            .map_err(|e| self.err(e))?;
        let over = self.backlog()?.saturating_sub(cap);
        if over == 0 {
            return Ok(sent);
        }
        let dropped = self
            .conn
            .execute(
                "DELETE FROM checkins WHERE id IN (SELECT id FROM checkins
                     WHERE shipped_at IS NULL AND at < ?1 ORDER BY id LIMIT ?2)",
                params![cutoff, i64::try_from(over).unwrap_or(i64::MAX)],
            )
            .map_err(|e| self.err(e))?;
        if dropped > 0 {
            tracing::error!(
                dropped,
                cap,
                "unsent check-ins deleted: the backlog for the fleet database is over [fleet] max_backlog"
            );
        }
        Ok(sent + dropped)
    }

    /// How many rows wait to be sent to the fleet store.
    pub fn backlog(&self) -> Result<u64, LogError> {
        self.conn
            .query_row(
                "SELECT count(*) FROM checkins WHERE shipped_at IS NULL",
                [],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| u64::try_from(n).unwrap_or(0))
            .map_err(|e| self.err(e))
    }

    /// The oldest `limit` unsent rows, oldest first.
    pub fn unsent(&self, limit: u32) -> Result<Vec<Unsent>, LogError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, uuid, at, outcome, detail, code, duration_ms, name, local_name,
                        document_masked, reference_id
                 FROM checkins WHERE shipped_at IS NULL ORDER BY id LIMIT ?1",
            )
            .map_err(|e| self.err(e))?;
        stmt.query_map(params![limit], |r| {
            Ok(Unsent {
                id: r.get(0)?,
                checkin: Checkin {
                    uuid: r.get(1)?,
                    at: r.get(2)?,
                    outcome: r.get(3)?,
                    detail: r.get(4)?,
                    code: r.get(5)?,
                    duration_ms: u64::try_from(r.get::<_, i64>(6)?).unwrap_or(0),
                    name: r.get(7)?,
                    local_name: r.get(8)?,
                    document_masked: r.get(9)?,
                    reference_id: r.get(10)?,
                },
            })
        })
        .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
        .map_err(|e| self.err(e))
    }

    /// Marks rows as sent (the fleet store has them).
    pub fn mark_shipped(&mut self, ids: &[i64], now: SystemTime) -> Result<(), LogError> {
        let at = unix_secs(now);
        let tx = self.conn.transaction().map_err(|e| LogError::Sqlite {
            path: self.path.clone(),
            source: e,
        })?;
        let done = ids
            .iter()
            .try_for_each(|id| {
                tx.execute(
                    "UPDATE checkins SET shipped_at = ?1 WHERE id = ?2",
                    params![at, id],
                )
                .map(drop)
            })
            .and_then(|()| tx.commit());
        done.map_err(|e| self.err(e))
    }

    /// Check-ins per outcome since local midnight (for the heartbeat).
    pub fn counts_today(&self) -> Result<Vec<(String, u64)>, LogError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT outcome, count(*) FROM checkins
                 WHERE date(at, 'unixepoch', 'localtime') = date('now', 'localtime')
                 GROUP BY outcome",
            )
            .map_err(|e| self.err(e))?;
        stmt.query_map([], |r| {
            Ok((r.get(0)?, u64::try_from(r.get::<_, i64>(1)?).unwrap_or(0)))
        })
        .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
        .map_err(|e| self.err(e))
    }

    /// Writes one row. With a retention of 0 nothing is written at all.
    pub fn record(&mut self, c: &Checkin) -> Result<(), LogError> {
        if self.retention.days == 0 {
            return Ok(());
        }
        self.conn
            .execute(
                "INSERT INTO checkins (uuid, at, outcome, detail, code, duration_ms, name,
                     local_name, document_masked, reference_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![
                    c.uuid,
                    c.at,
                    c.outcome,
                    c.detail,
                    c.code,
                    i64::try_from(c.duration_ms).unwrap_or(i64::MAX),
                    c.name,
                    c.local_name,
                    c.document_masked,
                    c.reference_id
                ],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Rows matching `q`, newest first.
    pub fn query(&self, q: &Query) -> Result<Vec<Row>, LogError> {
        let since = match q.since.as_deref() {
            None => None,
            Some("today") => Some(
                self.conn
                    .query_row("SELECT date('now', 'localtime')", [], |r| {
                        r.get::<_, String>(0)
                    })
                    .map_err(|e| self.err(e))?,
            ),
            Some(d) => Some(parse_date(d)?),
        };
        let pattern = q
            .name
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                format!(
                    "%{}%",
                    s.replace('\\', "\\\\")
                        .replace('%', "\\%")
                        .replace('_', "\\_")
                )
            });
        let mut stmt = self
            .conn
            .prepare(
                "SELECT id, datetime(at, 'unixepoch', 'localtime'), at, outcome, detail, code,
                        duration_ms, name, local_name, document_masked, reference_id, uuid
                 FROM checkins
                 WHERE (?1 IS NULL OR date(at, 'unixepoch', 'localtime') >= ?1)
                   AND (?2 IS NULL OR name LIKE ?2 ESCAPE '\\' OR local_name LIKE ?2 ESCAPE '\\')
                 ORDER BY at DESC, id DESC
                 LIMIT ?3",
            )
            .map_err(|e| self.err(e))?;
        let limit = q.limit.map(i64::from).unwrap_or(-1);
        let rows = stmt
            .query_map(params![since, pattern, limit], |r| {
                Ok(Row {
                    id: r.get(0)?,
                    local_time: r.get(1)?,
                    checkin: Checkin {
                        uuid: r.get(11)?,
                        at: r.get(2)?,
                        outcome: r.get(3)?,
                        detail: r.get(4)?,
                        code: r.get(5)?,
                        duration_ms: u64::try_from(r.get::<_, i64>(6)?).unwrap_or(0),
                        name: r.get(7)?,
                        local_name: r.get(8)?,
                        document_masked: r.get(9)?,
                        reference_id: r.get(10)?,
                    },
                })
            })
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .map_err(|e| self.err(e))?;
        Ok(rows)
    }

    /// The newest row's time, if any (for `doctor`).
    pub fn newest(&self) -> Result<Option<String>, LogError> {
        self.conn
            .query_row(
                "SELECT datetime(max(at), 'unixepoch', 'localtime') FROM checkins",
                [],
                |r| r.get::<_, Option<String>>(0),
            )
            .optional()
            .map(Option::flatten)
            .map_err(|e| self.err(e))
    }

    /// Test hook: refuses writes from now on, as a read-only file system would.
    #[cfg(feature = "test-hooks")]
    pub fn set_read_only(&self, read_only: bool) {
        if let Err(e) = self.conn.pragma_update(None, "query_only", read_only) {
            tracing::warn!(error = %e, "query_only could not be set");
        }
    }

    /// Test hook: forgets that rows were sent, as a crash between the fleet insert and the
    /// local mark would.
    #[cfg(feature = "test-hooks")]
    pub fn forget_shipped(&mut self) -> Result<usize, LogError> {
        self.conn
            .execute("UPDATE checkins SET shipped_at = NULL", [])
            .map_err(|e| self.err(e))
    }

    /// Test hook: caps the database size so inserts fail as on a full disk.
    #[cfg(test)]
    pub fn limit_pages(&self, pages: u32) -> Result<(), LogError> {
        self.conn
            .pragma_update(None, "max_page_count", pages)
            .map_err(|e| self.err(e))
    }
}

/// The UTC calendar date of a day count since 1970 (Howard Hinnant's civil-from-days).
pub fn civil_date(days: u64) -> String {
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// `YYYY-MM-DD`, checked (SQLite would compare any string).
pub fn parse_date(s: &str) -> Result<String, LogError> {
    let b = s.as_bytes();
    let ok = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    let month = s.get(5..7).and_then(|m| m.parse::<u8>().ok());
    let day = s.get(8..10).and_then(|d| d.parse::<u8>().ok());
    match (ok, month, day) {
        (true, Some(1..=12), Some(1..=31)) => Ok(s.to_owned()),
        _ => Err(LogError::BadDate(s.to_owned())),
    }
}

fn unix_secs(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(_) => 0,
    }
}

/// Names of people are in it: owner only.
fn restrict_permissions(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Err(e) = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)) {
            tracing::warn!(error = %e, "could not make the check-in log owner-only");
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::faceki::{ErrorKind, Person};

    fn person() -> Person {
        Person {
            full_name: "Eileen Marie Specimen".into(),
            local_name: Some("إيلين ماري سبيسمن".into()),
            document_id: Some("X00001234".into()),
            country: None,
            reference_id: Some("ref-1".into()),
            record_id: None,
            id_front_image: Some("https://example.com/id.png".into()),
        }
    }

    fn pass() -> Outcome {
        Outcome::Pass {
            person: Box::new(person()),
        }
    }

    #[test]
    fn a_pass_stores_the_masked_number_only() {
        let c = Checkin::from_outcome(&pass(), Duration::from_millis(812), SystemTime::now());
        assert_eq!(c.outcome, "pass");
        assert_eq!(c.document_masked.as_deref(), Some("•••••1234"));
        assert_eq!(c.duration_ms, 812);
        let mut log = CheckinLog::in_memory(30).unwrap();
        log.record(&c).unwrap();
        let rows = log.query(&Query::today()).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].checkin, c);
        let all = format!("{rows:?}");
        assert!(!all.contains("X00001234"));
        assert!(!all.contains("id.png"));
    }

    #[test]
    fn every_outcome_gets_a_row() {
        let outcomes = [
            pass(),
            Outcome::NoMatch { code: Some(8013) },
            Outcome::Retake {
                code: 8006,
                reason: crate::faceki::RetakeReason::TooSmall,
            },
            Outcome::Denied {
                code: Some(0),
                status: "PENDING".into(),
            },
            Outcome::Ambiguous { people: 2 },
            Outcome::error(ErrorKind::Timeout, None, "slow"),
            Outcome::NotLive {
                kind: crate::faceki::NotLiveKind::Spoof,
                detail: "flat".into(),
            },
        ];
        let mut log = CheckinLog::in_memory(30).unwrap();
        for o in &outcomes {
            log.record(&Checkin::from_outcome(o, Duration::ZERO, SystemTime::now()))
                .unwrap();
        }
        let rows = log.query(&Query::default()).unwrap();
        let mut names: Vec<_> = rows.iter().map(|r| r.checkin.outcome.as_str()).collect();
        names.sort_unstable();
        assert_eq!(
            names,
            [
                "ambiguous",
                "denied",
                "error",
                "liveness_failed",
                "no_match",
                "pass",
                "retake"
            ]
        );
        let spoof = rows
            .iter()
            .find(|r| r.checkin.outcome == "liveness_failed")
            .unwrap();
        assert_eq!(spoof.checkin.detail, "spoof");
        let err = rows.iter().find(|r| r.checkin.outcome == "error").unwrap();
        assert_eq!(err.checkin.detail, "timeout");
        assert!(
            rows.iter()
                .filter(|r| r.checkin.outcome != "pass")
                .all(|r| r.checkin.name.is_none())
        );
    }

    #[test]
    fn retention_deletes_old_rows_and_zero_keeps_nothing() {
        let now = SystemTime::now();
        let mut log = CheckinLog::in_memory(30).unwrap();
        let old = now - Duration::from_secs(31 * 86_400);
        let recent = now - Duration::from_secs(29 * 86_400);
        log.record(&Checkin::from_outcome(&pass(), Duration::ZERO, old))
            .unwrap();
        log.record(&Checkin::from_outcome(&pass(), Duration::ZERO, recent))
            .unwrap();
        assert_eq!(log.apply_retention(now).unwrap(), 1);
        assert_eq!(log.query(&Query::default()).unwrap().len(), 1);

        let mut none = CheckinLog::in_memory(0).unwrap();
        none.record(&Checkin::from_outcome(&pass(), Duration::ZERO, now))
            .unwrap();
        assert!(none.query(&Query::default()).unwrap().is_empty());
    }

    #[test]
    fn search_by_name_latin_or_arabic_and_since() {
        let mut log = CheckinLog::in_memory(30).unwrap();
        let now = SystemTime::now();
        log.record(&Checkin::from_outcome(&pass(), Duration::ZERO, now))
            .unwrap();
        let mut other = person();
        other.full_name = "Grace 100% Hopper_".into();
        other.local_name = None;
        log.record(&Checkin::from_outcome(
            &Outcome::Pass {
                person: Box::new(other),
            },
            Duration::ZERO,
            now - Duration::from_secs(3 * 86_400),
        ))
        .unwrap();
        let find = |name: &str| {
            log.query(&Query {
                name: Some(name.into()),
                ..Query::default()
            })
            .unwrap()
            .len()
        };
        assert_eq!(find("specimen"), 1);
        assert_eq!(find("ماري"), 1);
        assert_eq!(find("100%"), 1);
        assert_eq!(find("0%H"), 0, "% is literal, not a wildcard");
        assert_eq!(find(""), 2);
        assert_eq!(log.query(&Query::today()).unwrap().len(), 1);
        assert!(matches!(
            log.query(&Query {
                since: Some("2026-13-01".into()),
                ..Query::default()
            }),
            Err(LogError::BadDate(_))
        ));
    }

    #[test]
    fn migrations_are_versioned_and_rerunnable() {
        let dir = std::env::temp_dir().join(format!("faceki-checkin-mig-{}", std::process::id()));
        let path = dir.join(FILE_NAME);
        {
            // A version-1 file, as the first release wrote it.
            std::fs::create_dir_all(&dir).unwrap();
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(MIGRATIONS[0]).unwrap();
            conn.pragma_update(None, "user_version", 1).unwrap();
            conn.execute(
                "INSERT INTO checkins (at, outcome, duration_ms) VALUES (?1, 'no_match', 5)",
                params![unix_secs(SystemTime::now())],
            )
            .unwrap();
        }
        let log = CheckinLog::open(&path, 30).unwrap();
        assert_eq!(log.schema_version().unwrap(), MIGRATIONS.len() as i64);
        let old = &log.query(&Query::default()).unwrap()[0].checkin;
        assert_eq!(old.detail, "");
        assert!(
            uuid::Uuid::parse_str(&old.uuid).is_ok(),
            "backfilled: {old:?}"
        );
        assert_eq!(log.backlog().unwrap(), 1, "an old row is sent too");
        drop(log);
        let log = CheckinLog::open(&path, 30).unwrap();
        assert_eq!(log.query(&Query::default()).unwrap().len(), 1);
        log.conn.pragma_update(None, "user_version", 99).unwrap();
        drop(log);
        assert!(matches!(
            CheckinLog::open(&path, 30),
            Err(LogError::TooNew { found: 99, .. })
        ));
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn the_outbox_sends_oldest_first_and_marks_rows() {
        let mut log = CheckinLog::in_memory_with(Retention {
            days: 30,
            outbox_cap: Some(100),
        })
        .unwrap();
        let now = SystemTime::now();
        for _ in 0..5 {
            log.record(&Checkin::from_outcome(&pass(), Duration::ZERO, now))
                .unwrap();
        }
        let first = log.unsent(3).unwrap();
        assert_eq!(first.len(), 3);
        assert!(first.windows(2).all(|w| w[0].id < w[1].id));
        assert_ne!(first[0].checkin.uuid, first[1].checkin.uuid);
        log.mark_shipped(&[first[0].id, first[1].id, first[2].id], now)
            .unwrap();
        assert_eq!(log.backlog().unwrap(), 2);
        let rest = log.unsent(10).unwrap();
        assert_eq!(rest.len(), 2);
        assert!(rest[0].id > first[2].id);
        let counts = log.counts_today().unwrap();
        assert_eq!(counts, vec![("pass".to_owned(), 5)]);
    }

    #[test]
    fn retention_keeps_unsent_rows_up_to_the_cap() {
        let now = SystemTime::now();
        let old = now - Duration::from_secs(40 * 86_400);
        let mut log = CheckinLog::in_memory_with(Retention {
            days: 30,
            outbox_cap: Some(3),
        })
        .unwrap();
        for _ in 0..5 {
            log.record(&Checkin::from_outcome(&pass(), Duration::ZERO, old))
                .unwrap();
        }
        let sent = log.unsent(1).unwrap()[0].id;
        log.mark_shipped(&[sent], now).unwrap();
        // The sent expired row goes; of the four unsent, the oldest one over the cap goes.
        assert_eq!(log.apply_retention(now).unwrap(), 2);
        assert_eq!(log.backlog().unwrap(), 3);
        // Without a fleet, expired rows go whether sent or not.
        let mut plain = CheckinLog::in_memory(30).unwrap();
        plain
            .record(&Checkin::from_outcome(&pass(), Duration::ZERO, old))
            .unwrap();
        assert_eq!(plain.apply_retention(now).unwrap(), 1);
    }

    #[test]
    fn civil_dates() {
        assert_eq!(civil_date(0), "1970-01-01");
        assert_eq!(civil_date(20_417), "2025-11-25");
        assert_eq!(civil_date(11_016), "2000-02-29");
    }

    #[test]
    fn a_full_disk_is_an_error_not_a_panic() {
        let mut log = CheckinLog::in_memory(30).unwrap();
        log.limit_pages(1).unwrap();
        let c = Checkin::from_outcome(&pass(), Duration::ZERO, SystemTime::now());
        let mut failed = false;
        for _ in 0..200 {
            if log.record(&c).is_err() {
                failed = true;
                break;
            }
        }
        assert!(failed, "a 1-page database must fill up");
    }
}
