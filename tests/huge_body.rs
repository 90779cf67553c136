//! A 64 MB reply must be abandoned, not read into memory. Its own test binary, so the RSS
//! reading is not disturbed by other tests running in parallel.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and tools may panic

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use faceki_kiosk::faceki::{ClientConfig, ErrorKind, FacekiClient, Outcome, Secret};
use faceki_kiosk::sim::{self, Scenario, SimConfig};

fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread")]
async fn huge_reply_is_capped() {
    let cfg = SimConfig {
        scenario: Scenario::Huge,
        ..SimConfig::default()
    };
    let sim = sim::start(cfg, SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
        .await
        .unwrap();
    let mut cc = ClientConfig::new(
        sim.base_url(),
        sim::DEMO_CLIENT_ID,
        Secret::new(sim::DEMO_CLIENT_SECRET),
    );
    cc.timeout = Duration::from_secs(30);
    let client = FacekiClient::new(cc).unwrap();
    let jpeg = bytes::Bytes::from_static(include_bytes!("../assets/demo/grace_hopper.jpg"));
    let before = rss_kib();
    for _ in 0..3 {
        let out = client.face_check(jpeg.clone()).await;
        assert!(
            matches!(
                out,
                Outcome::Error {
                    kind: ErrorKind::Malformed,
                    ..
                }
            ),
            "{out:?}"
        );
    }
    let grown_mib = rss_kib().saturating_sub(before) / 1024;
    // Peak RSS: reading the 64 MB body would push it far past this.
    assert!(grown_mib < 24, "peak RSS grew by {grown_mib} MiB");
}
