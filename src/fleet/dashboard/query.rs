//! The dashboard's reads. Every value from a request is a bound parameter, never SQL text.

use deadpool_postgres::Pool;
use tokio_postgres::types::ToSql;

use crate::fleet::FleetError;

/// One kiosk's heartbeat row as the dashboard shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct KioskRow {
    pub site: String,
    pub kiosk: String,
    pub version: String,
    /// Seconds since the last beat, by the database's clock.
    pub silent_secs: f64,
    pub heartbeat_secs: i32,
    pub camera: String,
    pub camera_detail: String,
    /// FACEKI's last failure is newer than its last answer.
    pub faceki_failing: bool,
    pub faceki_fail_kind: Option<String>,
    pub last_check: Option<String>,
    pub counts_today: serde_json::Map<String, serde_json::Value>,
    pub backlog: i64,
    pub backlog_warn: i64,
    pub log_error: Option<String>,
    pub liveness_mode: String,
}

pub async fn kiosks(pool: &Pool) -> Result<Vec<KioskRow>, FleetError> {
    let client = get(pool).await?;
    let rows = client
        .query(
            "SELECT site, kiosk, version, extract(epoch FROM now() - beat_at)::float8,
                    heartbeat_secs, camera, camera_detail,
                    faceki_failing,
                    faceki_fail_kind, to_char(last_check_at, 'YYYY-MM-DD HH24:MI'),
                    counts_today::text, backlog, backlog_warn, log_error, liveness_mode
             FROM kiosks ORDER BY site, kiosk",
            &[],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| KioskRow {
            site: r.get(0),
            kiosk: r.get(1),
            version: r.get(2),
            silent_secs: r.get(3),
            heartbeat_secs: r.get(4),
            camera: r.get(5),
            camera_detail: r.get(6),
            faceki_failing: r.get(7),
            faceki_fail_kind: r.get(8),
            last_check: r.get(9),
            counts_today: serde_json::from_str(r.get::<_, &str>(10)).unwrap_or_default(),
            backlog: r.get(11),
            backlog_warn: r.get(12),
            log_error: r.get(13),
            liveness_mode: r.get(14),
        })
        .collect())
}

/// Check-ins since midnight (the dashboard's time zone) per site and outcome.
pub async fn today_by_site(pool: &Pool) -> Result<Vec<(String, String, i64)>, FleetError> {
    let client = get(pool).await?;
    let rows = client
        .query(
            "SELECT site, outcome, count(*) FROM checkins
             WHERE at >= date_trunc('day', now())
             GROUP BY site, outcome ORDER BY site, outcome",
            &[],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect())
}

/// Check-ins today per hour: (hour, passes, others).
pub async fn today_by_hour(pool: &Pool) -> Result<Vec<(i32, i64, i64)>, FleetError> {
    let client = get(pool).await?;
    let rows = client
        .query(
            "SELECT extract(hour FROM at)::int AS h,
                    count(*) FILTER (WHERE outcome = 'pass'),
                    count(*) FILTER (WHERE outcome <> 'pass')
             FROM checkins WHERE at >= date_trunc('day', now())
             GROUP BY h ORDER BY h",
            &[],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect())
}

pub async fn sites(pool: &Pool) -> Result<Vec<String>, FleetError> {
    let client = get(pool).await?;
    let rows = client
        .query("SELECT DISTINCT site FROM kiosks ORDER BY site", &[])
        .await?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}

/// What the search form asks for (already checked: dates are `YYYY-MM-DD`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Search {
    /// Latin or Arabic name, a part of it.
    pub name: Option<String>,
    pub site: Option<String>,
    pub outcome: Option<String>,
    pub from: Option<String>,
    /// Inclusive.
    pub to: Option<String>,
}

/// One check-in row of the fleet store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckinRow {
    pub time: String,
    pub site: String,
    pub kiosk: String,
    pub outcome: String,
    pub detail: String,
    pub code: Option<i64>,
    pub duration_ms: i64,
    pub name: Option<String>,
    pub local_name: Option<String>,
    pub document_masked: Option<String>,
    pub reference_id: Option<String>,
    pub uuid: String,
}

/// Rows matching `s`, newest first: `limit` of them after skipping `offset`.
pub async fn search(
    pool: &Pool,
    s: &Search,
    limit: i64,
    offset: i64,
) -> Result<Vec<CheckinRow>, FleetError> {
    let mut sql = String::from(
        "SELECT to_char(at, 'YYYY-MM-DD HH24:MI:SS'), site, kiosk, outcome, detail, code,
                duration_ms, name, local_name, document_masked, reference_id, uuid::text
         FROM checkins WHERE true",
    );
    let pattern = s.name.as_deref().map(like_pattern);
    let mut params: Vec<&(dyn ToSql + Sync)> = Vec::new();
    if let Some(p) = &pattern {
        params.push(p);
        let n = params.len();
        sql.push_str(&format!(" AND (name ILIKE ${n} OR local_name ILIKE ${n})"));
    }
    if let Some(site) = &s.site {
        params.push(site);
        sql.push_str(&format!(" AND site = ${}", params.len()));
    }
    if let Some(outcome) = &s.outcome {
        params.push(outcome);
        sql.push_str(&format!(" AND outcome = ${}", params.len()));
    }
    if let Some(from) = &s.from {
        params.push(from);
        sql.push_str(&format!(" AND at >= ${}::text::date", params.len()));
    }
    if let Some(to) = &s.to {
        params.push(to);
        sql.push_str(&format!(" AND at < ${}::text::date + 1", params.len()));
    }
    params.push(&limit);
    params.push(&offset);
    sql.push_str(&format!(
        " ORDER BY at DESC, uuid LIMIT ${} OFFSET ${}",
        params.len() - 1,
        params.len()
    ));
    let client = get(pool).await?;
    let rows = client.query(&sql, &params).await?;
    Ok(rows
        .iter()
        .map(|r| CheckinRow {
            time: r.get(0),
            site: r.get(1),
            kiosk: r.get(2),
            outcome: r.get(3),
            detail: r.get(4),
            code: r.get(5),
            duration_ms: r.get(6),
            name: r.get(7),
            local_name: r.get(8),
            document_masked: r.get(9),
            reference_id: r.get(10),
            uuid: r.get(11),
        })
        .collect())
}

/// `%part%` with the LIKE wildcards in `part` taken literally.
fn like_pattern(part: &str) -> String {
    format!(
        "%{}%",
        part.replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    )
}

async fn get(pool: &Pool) -> Result<deadpool_postgres::Object, FleetError> {
    pool.get().await.map_err(|e| match e {
        deadpool_postgres::PoolError::Backend(e) => FleetError::Db(e),
        other => FleetError::Task(other.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_are_literal() {
        assert_eq!(like_pattern("100%_x"), "%100\\%\\_x%");
    }
}
