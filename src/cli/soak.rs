//! `faceki-kiosk soak`: thousands of checks through the real FACEKI client against the
//! in-process simulator, with injected faults, to show the kiosk keeps working and never lies.
//!
//! Reports panics, false passes (a pass for anything but a clean match), outcomes that differ
//! from what each fault must give, RSS at start and end, and token requests against the
//! number the token lifetime calls for. Exits non-zero when any of those is wrong.

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context;
use bytes::Bytes;
use clap::Args;
use rand::{Rng, SeedableRng};
use serde::Serialize;

use crate::faceki::{ClientConfig, FacekiClient, Outcome, Secret};
use crate::sim::{self, Scenario, SimConfig};

#[derive(Args, Debug)]
pub struct SoakArgs {
    /// How many checks.
    #[arg(long, default_value_t = 10_000)]
    pub checks: u64,
    /// Share of checks that meet an injected fault.
    #[arg(long, default_value_t = 0.1)]
    pub fault_rate: f64,
    /// Lifetime of the simulator's tokens: short, so a soak covers many refreshes.
    #[arg(long, default_value_t = 10)]
    pub token_ttl: u64,
    /// The client's timeout per check; the "slow" fault answers after twice this.
    #[arg(long, default_value_t = 1)]
    pub timeout: u64,
    /// Seed for the fault sequence (runs are repeatable).
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Print the report as one JSON object.
    #[arg(long)]
    pub json: bool,
}

/// An injected fault: what the simulator does, and what the kiosk must make of it.
#[derive(Clone, Copy)]
struct Fault {
    scenario: Scenario,
    /// Revoke every token first (a 401 mid-session on a token the client thinks is good).
    revoke: bool,
    expect: &'static str,
    /// Also acceptable: a 401 is sent before the upload is read and the connection closed, so
    /// the client may see the reset before the reply (a transport error, still fail-closed).
    or_else: Option<&'static str>,
}

fn faults(timeout: u64) -> Vec<Fault> {
    let f = |scenario, expect| Fault {
        scenario,
        revoke: false,
        expect,
        or_else: None,
    };
    vec![
        Fault {
            scenario: Scenario::Match,
            revoke: true,
            expect: "pass",
            or_else: None,
        },
        Fault {
            or_else: Some("error:transport"),
            ..f(Scenario::Unauthorized, "error:auth")
        },
        f(Scenario::RateLimited, "error:rate_limited"),
        f(Scenario::ServerError, "error:service"),
        f(Scenario::BadGateway, "error:service"),
        f(Scenario::Slow(timeout * 2), "error:timeout"),
        f(Scenario::Malformed, "error:malformed"),
        f(Scenario::Html, "error:malformed"),
        f(Scenario::Huge, "error:malformed"),
        f(Scenario::Empty, "error:malformed"),
        f(Scenario::WrongType, "error:malformed"),
        f(Scenario::Reset, "error:transport"),
        f(Scenario::Code(9999), "error:unknown_code"),
        f(Scenario::Quota, "error:quota"),
        f(Scenario::Code(8006), "retake"),
        f(Scenario::NoMatch, "no_match"),
        f(Scenario::Ambiguous, "ambiguous"),
        f(Scenario::Denied, "denied"),
    ]
}

/// `pass`, `no_match`, ..., or `error:<kind>`.
fn label(o: &Outcome) -> String {
    match o {
        Outcome::Error { kind, .. } => format!("error:{}", crate::faceki::wire_name(kind)),
        other => other.name().to_owned(),
    }
}

#[derive(Serialize, Default)]
pub struct SoakReport {
    pub checks: u64,
    pub faults_injected: u64,
    pub panics: u64,
    pub false_passes: u64,
    pub unexpected: u64,
    pub outcomes: BTreeMap<String, u64>,
    pub rss_start_kib: u64,
    pub rss_end_kib: u64,
    pub rss_growth_kib: i64,
    pub token_requests: u64,
    /// Refreshes the faults force: one per revoked token and per 401 check.
    pub token_requests_forced: u64,
    /// The most scheduled refreshes the run may need (elapsed / refresh interval, + 1).
    pub token_requests_scheduled_max: u64,
    /// Simulated token lifetimes the run lasted (elapsed / ttl).
    pub token_lifetimes: f64,
    pub elapsed_s: f64,
    pub checks_per_s: f64,
}

/// Resident memory from `/proc/self/status` (Linux), in KiB; 0 elsewhere.
pub fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

pub fn run(args: SoakArgs) -> anyhow::Result<ExitCode> {
    let report = super::runtime()?.block_on(soak(&args))?;
    if args.json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        println!(
            "{} checks in {:.1} s ({:.0}/s), {} with injected faults",
            report.checks, report.elapsed_s, report.checks_per_s, report.faults_injected
        );
        println!(
            "panics {}  false passes {}  unexpected outcomes {}",
            report.panics, report.false_passes, report.unexpected
        );
        println!(
            "RSS {} KiB -> {} KiB ({:+} KiB)",
            report.rss_start_kib, report.rss_end_kib, report.rss_growth_kib
        );
        println!(
            "token requests {} over {:.1} token lifetimes: {} forced by injected 401s/revocations, \
             {} scheduled (at most {} allowed)",
            report.token_requests,
            report.token_lifetimes,
            report.token_requests_forced,
            report
                .token_requests
                .saturating_sub(report.token_requests_forced),
            report.token_requests_scheduled_max
        );
        for (k, n) in &report.outcomes {
            println!("  {k:<22} {n}");
        }
    }
    // A refresh storm, or a token used past its life, shows here.
    let tokens_ok = report.token_requests >= report.token_requests_forced
        && report.token_requests
            <= report.token_requests_forced + report.token_requests_scheduled_max;
    let bad = report.panics > 0
        || report.false_passes > 0
        || report.unexpected > 0
        || !tokens_ok
        // Growth is judged on a run long enough to matter.
        || (report.checks >= 5_000 && report.rss_growth_kib > 5 * 1024);
    Ok(if bad {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

async fn soak(args: &SoakArgs) -> anyhow::Result<SoakReport> {
    let ttl = Duration::from_secs(args.token_ttl.max(2));
    let sim = sim::start(
        SimConfig {
            token_ttl: ttl,
            ..SimConfig::default()
        },
        SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
    )
    .await?;
    let mut cfg = ClientConfig::new(
        sim.base_url(),
        sim::DEMO_CLIENT_ID,
        Secret::new(sim::DEMO_CLIENT_SECRET),
    );
    cfg.timeout = Duration::from_secs(args.timeout.max(1));
    let client = std::sync::Arc::new(FacekiClient::new(cfg)?);
    let jpeg = Bytes::from(demo_upload()?);
    let faults = faults(args.timeout.max(1));
    let mut rng = rand::rngs::StdRng::seed_from_u64(args.seed);
    let mut report = SoakReport::default();
    let mut forced_refreshes = 0u64;

    // Warm-up: every fault once (the 4 MiB cap on a huge body, timeouts, resets), then plain
    // matches, so the allocator's high-water mark is reached before RSS is first read: what
    // the soak then measures is growth (a leak), not the first use of each path.
    for f in &faults {
        sim.set_scenario(f.scenario);
        let _ = client.face_check(jpeg.clone()).await;
    }
    sim.set_scenario(Scenario::Match);
    for _ in 0..50 {
        let _ = client.face_check(jpeg.clone()).await;
    }
    let tokens_before = sim.stats().token_requests;
    report.rss_start_kib = rss_kib();
    let t0 = Instant::now();
    for _ in 0..args.checks {
        let fault = rng
            .random_bool(args.fault_rate.clamp(0.0, 1.0))
            .then(|| faults[rng.random_range(0..faults.len())]);
        let (scenario, expect, or_else) = match fault {
            Some(f) => {
                report.faults_injected += 1;
                if f.revoke {
                    sim.expire_tokens();
                    forced_refreshes += 1;
                }
                if f.scenario == Scenario::Unauthorized {
                    forced_refreshes += 1;
                }
                (f.scenario, f.expect, f.or_else)
            }
            None => (Scenario::Match, "pass", None),
        };
        sim.set_scenario(scenario);
        let c = std::sync::Arc::clone(&client);
        let body = jpeg.clone();
        // A panic inside a check must not end the soak: count it.
        let got = match tokio::spawn(async move { c.face_check(body).await }).await {
            Ok(o) => label(&o),
            Err(e) if e.is_panic() => {
                report.panics += 1;
                "panic".into()
            }
            Err(_) => "cancelled".into(),
        };
        if got == "pass" && expect != "pass" {
            report.false_passes += 1;
        }
        if got != expect && Some(got.as_str()) != or_else {
            report.unexpected += 1;
            tracing::warn!(%scenario, expect, got, "unexpected outcome");
        }
        *report.outcomes.entry(got).or_default() += 1;
        report.checks += 1;
    }
    let elapsed = t0.elapsed();
    report.rss_end_kib = rss_kib();
    report.rss_growth_kib = report.rss_end_kib as i64 - report.rss_start_kib as i64;
    report.token_requests = sim.stats().token_requests - tokens_before;
    // The client refreshes `min(60 s, ttl/2)` before expiry.
    let refresh_every = ttl - (ttl / 2).min(Duration::from_secs(60));
    report.token_requests_forced = forced_refreshes;
    report.token_requests_scheduled_max =
        (elapsed.as_secs_f64() / refresh_every.as_secs_f64()).floor() as u64 + 1;
    report.token_lifetimes = elapsed.as_secs_f64() / ttl.as_secs_f64();
    report.elapsed_s = elapsed.as_secs_f64();
    report.checks_per_s = report.checks as f64 / elapsed.as_secs_f64().max(1e-9);
    sim.stop();
    Ok(report)
}

/// The bundled demo photo, cut and encoded as the kiosk's upload.
fn demo_upload() -> anyhow::Result<Vec<u8>> {
    let img = image::load_from_memory(include_bytes!("../../assets/demo/visitor.jpg"))
        .context("the bundled demo photo")?
        .to_rgb8();
    let shape = crate::config::Settings::default()
        .selfie
        .upload_shape(&crate::selfie::GateSettings::default());
    let upload = crate::selfie::encode::prepare_upload(&img, None, shape);
    Ok(crate::selfie::encode::encode_jpeg(&upload, 85)?)
}
