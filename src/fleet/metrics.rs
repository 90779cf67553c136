//! Prometheus metrics for the monitoring a site already runs. Recording is always on (the
//! `metrics` macros cost nothing without a recorder); the recorder is installed and
//! `/metrics` served only when `[metrics] listen` is set.
//!
//! | metric | type | labels |
//! | --- | --- | --- |
//! | `faceki_kiosk_checks_total` | counter | `outcome` |
//! | `faceki_kiosk_check_duration_seconds` | histogram | |
//! | `faceki_kiosk_faceki_errors_total` | counter | `kind` |
//! | `faceki_kiosk_camera_up` | gauge | |
//! | `faceki_kiosk_gate_verdicts_total` | counter | `verdict` |
//! | `faceki_kiosk_outbox_backlog` | gauge | |
//! | `faceki_kiosk_liveness_verdicts_total` | counter | `verdict` |
//! | `faceki_kiosk_fleet_shipped_total` | counter | |
//! | `faceki_kiosk_fleet_errors_total` | counter | |

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use metrics::{counter, gauge, histogram};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use super::heartbeat::CameraProbe;
use crate::faceki::Outcome;

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// Check durations are seconds to a minute (FACEKI's timeout).
const DURATION_BUCKETS: &[f64] = &[0.25, 0.5, 1.0, 1.5, 2.0, 3.0, 5.0, 8.0, 13.0, 30.0, 60.0];

/// Installs the process-wide recorder once; `None` when another recorder was there first.
pub fn install() -> Option<&'static PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            let builder = PrometheusBuilder::new()
                .set_buckets_for_metric(
                    Matcher::Full("faceki_kiosk_check_duration_seconds".into()),
                    DURATION_BUCKETS,
                )
                .ok()?;
            match builder.install_recorder() {
                Ok(h) => {
                    describe();
                    Some(h)
                }
                Err(e) => {
                    tracing::error!(error = %e, "metrics recorder not installed");
                    None
                }
            }
        })
        .as_ref()
}

fn describe() {
    use metrics::{describe_counter, describe_gauge, describe_histogram};
    describe_counter!("faceki_kiosk_checks_total", "Face-checks by outcome");
    describe_histogram!(
        "faceki_kiosk_check_duration_seconds",
        metrics::Unit::Seconds,
        "Time from capture to FACEKI's answer"
    );
    describe_counter!(
        "faceki_kiosk_faceki_errors_total",
        "Checks that ended in an error, by kind"
    );
    describe_gauge!(
        "faceki_kiosk_camera_up",
        "1 while the camera streams frames"
    );
    describe_counter!(
        "faceki_kiosk_gate_verdicts_total",
        "Selfie gate verdicts, one per judged frame"
    );
    describe_gauge!(
        "faceki_kiosk_outbox_backlog",
        "Check-ins waiting to be sent to the fleet database"
    );
    describe_counter!("faceki_kiosk_liveness_verdicts_total", "Liveness verdicts");
    describe_counter!(
        "faceki_kiosk_fleet_shipped_total",
        "Check-ins the fleet database accepted"
    );
    describe_counter!(
        "faceki_kiosk_fleet_errors_total",
        "Failed attempts to reach the fleet database"
    );
}

pub fn check_finished(outcome: &Outcome, took: Duration) {
    counter!("faceki_kiosk_checks_total", "outcome" => outcome.name()).increment(1);
    histogram!("faceki_kiosk_check_duration_seconds").record(took.as_secs_f64());
    if let Outcome::Error { kind, .. } = outcome {
        counter!("faceki_kiosk_faceki_errors_total", "kind" => crate::faceki::wire_name(kind))
            .increment(1);
    }
}

/// One frame judged by the selfie gate.
pub fn gate_verdict(verdict: &'static str) {
    counter!("faceki_kiosk_gate_verdicts_total", "verdict" => verdict).increment(1);
}

/// One liveness decision (`live`, `spoof`, `unsure`, ...): for the liveness check to call.
pub fn liveness_verdict(verdict: &'static str) {
    counter!("faceki_kiosk_liveness_verdicts_total", "verdict" => verdict).increment(1);
}

pub fn camera_up(up: bool) {
    gauge!("faceki_kiosk_camera_up").set(if up { 1.0 } else { 0.0 });
}

pub fn outbox_backlog(n: u64) {
    gauge!("faceki_kiosk_outbox_backlog").set(n as f64);
}

/// `PORT` means loopback; `ADDRESS:PORT` is taken as given.
pub fn listen_addr(s: &str) -> Result<SocketAddr, String> {
    let s = s.trim();
    if let Ok(port) = s.parse::<u16>() {
        return Ok(SocketAddr::from((Ipv4Addr::LOCALHOST, port)));
    }
    s.parse::<SocketAddr>()
        .map_err(|_| format!("{s:?} is neither a port nor ADDRESS:PORT"))
}

/// The current text, with the camera gauge read fresh.
pub fn render(camera: Option<&dyn CameraProbe>) -> Option<String> {
    let handle = install()?;
    if let Some(c) = camera {
        camera_up(c.state().0 == "streaming");
    }
    handle.run_upkeep();
    Some(handle.render())
}

/// Serves `/metrics` until the task is dropped; a failure to listen is logged.
pub async fn serve_logged(addr: SocketAddr, camera: Option<Arc<dyn CameraProbe>>) {
    if let Err(e) = serve(addr, camera).await {
        tracing::error!(%addr, error = %e, "metrics are not served");
    }
}

pub async fn serve(addr: SocketAddr, camera: Option<Arc<dyn CameraProbe>>) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    if !is_loopback(addr.ip()) {
        tracing::warn!(%addr, "metrics are served beyond this machine");
    }
    serve_on(listener, camera).await
}

/// Serves `/metrics` on a bound listener.
pub async fn serve_on(
    listener: tokio::net::TcpListener,
    camera: Option<Arc<dyn CameraProbe>>,
) -> std::io::Result<()> {
    use axum::routing::get;
    if install().is_none() {
        return Err(std::io::Error::other("no metrics recorder"));
    }
    tracing::info!(addr = %listener.local_addr()?, "metrics at /metrics");
    let app = axum::Router::new().route(
        "/metrics",
        get(move || {
            let camera = camera.clone();
            async move {
                let text = render(camera.as_deref()).unwrap_or_default();
                (
                    [(
                        axum::http::header::CONTENT_TYPE,
                        "text/plain; version=0.0.4; charset=utf-8",
                    )],
                    text,
                )
            }
        }),
    );
    axum::serve(listener, app).await
}

fn is_loopback(ip: IpAddr) -> bool {
    ip.is_loopback()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listen_is_loopback_unless_given() {
        assert_eq!(
            listen_addr("9464").unwrap(),
            "127.0.0.1:9464".parse::<SocketAddr>().unwrap()
        );
        assert_eq!(
            listen_addr("0.0.0.0:9464").unwrap(),
            "0.0.0.0:9464".parse::<SocketAddr>().unwrap()
        );
        assert!(listen_addr("everywhere").is_err());
    }
}
