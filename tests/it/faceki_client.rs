//! The real client against the real simulator, over loopback HTTP.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use faceki_kiosk::faceki::{
    ClientConfig, ErrorKind, FacekiClient, ImageError, Outcome, RetakeReason, Secret, TokenError,
};
use faceki_kiosk::sim::{self, IdImageMode, Scenario, SimConfig, SimHandle};

const JPEG: &[u8] = include_bytes!("../../assets/demo/grace_hopper.jpg");

async fn start(cfg: SimConfig) -> SimHandle {
    sim::start(cfg, SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
        .await
        .unwrap()
}

fn client_for(sim: &SimHandle, timeout: Duration) -> FacekiClient {
    let mut cfg = ClientConfig::new(
        sim.base_url(),
        sim::DEMO_CLIENT_ID,
        Secret::new(sim::DEMO_CLIENT_SECRET),
    );
    cfg.timeout = timeout;
    FacekiClient::new(cfg).unwrap()
}

async fn check(client: &FacekiClient) -> Outcome {
    client.face_check(bytes::Bytes::from_static(JPEG)).await
}

fn expected(s: Scenario) -> &'static str {
    match s {
        Scenario::Match | Scenario::MatchSeveral | Scenario::Slow(_) => "pass",
        Scenario::NoMatch | Scenario::NotFound => "no_match",
        Scenario::Code(c) if (8003..=8009).contains(&c) || c == 8018 || c == 8019 => "retake",
        Scenario::Denied => "denied",
        Scenario::Ambiguous => "ambiguous",
        _ => "error",
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn every_scenario_gives_its_outcome() {
    let sim = start(SimConfig::default()).await;
    let client = client_for(&sim, Duration::from_secs(20));
    for scenario in Scenario::all() {
        let scenario = if let Scenario::Slow(_) = scenario {
            Scenario::Slow(1)
        } else {
            scenario
        };
        sim.set_scenario(scenario);
        let out = check(&client).await;
        assert_eq!(out.name(), expected(scenario), "{scenario}: {out:?}");
        if let Outcome::Pass { person } = &out {
            assert_eq!(person.full_name, sim::specimen::FULL_NAME);
            assert_eq!(
                person.local_name.as_deref(),
                Some(sim::specimen::LOCAL_NAME)
            );
            assert!(
                person
                    .id_front_image
                    .as_deref()
                    .unwrap()
                    .starts_with(&sim.base_url())
            );
        }
    }
    // One token served the whole run.
    assert_eq!(
        client.stats().token_requests.load(Ordering::Relaxed),
        2,
        "one token, plus one refresh after the 401 scenario"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn error_kinds_for_faults() {
    let sim = start(SimConfig::default()).await;
    let client = client_for(&sim, Duration::from_secs(20));
    for (scenario, kind) in [
        (Scenario::Quota, ErrorKind::Quota),
        (Scenario::Code(7001), ErrorKind::AccountSetup),
        (Scenario::Code(1000), ErrorKind::Service),
        (Scenario::Code(9999), ErrorKind::UnknownCode),
        (Scenario::RateLimited, ErrorKind::RateLimited),
        (Scenario::ServerError, ErrorKind::Service),
        (Scenario::BadGateway, ErrorKind::Service),
        (Scenario::Malformed, ErrorKind::Malformed),
        (Scenario::Html, ErrorKind::Malformed),
        (Scenario::Empty, ErrorKind::Malformed),
        (Scenario::WrongType, ErrorKind::Malformed),
        (Scenario::Huge, ErrorKind::Malformed),
        (Scenario::Reset, ErrorKind::Transport),
    ] {
        sim.set_scenario(scenario);
        match check(&client).await {
            Outcome::Error { kind: k, .. } => assert_eq!(k, kind, "{scenario}"),
            other => panic!("{scenario}: {other:?}"),
        }
    }
    sim.set_scenario(Scenario::Code(8019));
    assert_eq!(
        check(&client).await,
        Outcome::Retake {
            code: 8019,
            reason: RetakeReason::Blurred
        }
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn token_is_cached_across_checks() {
    let sim = start(SimConfig::default()).await;
    let client = client_for(&sim, Duration::from_secs(20));
    for _ in 0..5 {
        assert!(check(&client).await.is_pass());
    }
    let st = sim.stats();
    assert_eq!(st.token_requests, 1);
    assert_eq!(st.face_checks_billed, 5);
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_checks_share_one_token_fetch() {
    let sim = start(SimConfig::default()).await;
    let client = Arc::new(client_for(&sim, Duration::from_secs(20)));
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let c = Arc::clone(&client);
            tokio::spawn(async move { check(&c).await })
        })
        .collect();
    for t in tasks {
        assert!(t.await.unwrap().is_pass());
    }
    assert_eq!(sim.stats().token_requests, 1);
    assert_eq!(sim.stats().face_checks_billed, 8);
}

#[tokio::test(flavor = "multi_thread")]
async fn token_expiry_mid_run_refreshes_once() {
    // A 2 s token is refreshed at half-life, before FACEKI would refuse it.
    let sim = start(SimConfig {
        token_ttl: Duration::from_secs(2),
        ..SimConfig::default()
    })
    .await;
    let client = client_for(&sim, Duration::from_secs(20));
    assert!(check(&client).await.is_pass());
    assert!(check(&client).await.is_pass());
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert!(check(&client).await.is_pass());
    let st = sim.stats();
    assert_eq!(st.token_requests, 2);
    assert_eq!(st.unauthorized, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn revoked_token_is_refreshed_once_and_the_check_retried() {
    let sim = start(SimConfig::default()).await;
    let client = client_for(&sim, Duration::from_secs(20));
    assert!(check(&client).await.is_pass());
    sim.expire_tokens();
    assert!(check(&client).await.is_pass());
    let st = sim.stats();
    assert_eq!(
        (
            st.token_requests,
            st.unauthorized,
            st.face_check_requests,
            st.face_checks_billed
        ),
        (2, 1, 3, 2)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn persistent_401_is_an_auth_error_after_one_refresh() {
    let sim = start(SimConfig {
        scenario: Scenario::Unauthorized,
        ..SimConfig::default()
    })
    .await;
    let client = client_for(&sim, Duration::from_secs(20));
    let outcome = check(&client).await;
    assert!(
        matches!(
            outcome,
            Outcome::Error {
                kind: ErrorKind::Auth,
                ..
            }
        ),
        "{outcome:?}"
    );
    let st = sim.stats();
    assert_eq!((st.token_requests, st.face_check_requests), (2, 2));
}

#[tokio::test(flavor = "multi_thread")]
async fn wrong_secret_is_an_auth_error_and_never_a_check() {
    let sim = start(SimConfig::default()).await;
    let cfg = ClientConfig::new(sim.base_url(), sim::DEMO_CLIENT_ID, Secret::new("wrong"));
    let client = FacekiClient::new(cfg).unwrap();
    assert!(matches!(
        check(&client).await,
        Outcome::Error {
            kind: ErrorKind::Auth,
            ..
        }
    ));
    match client.test_connection().await {
        Err(TokenError::Refused {
            status: 401,
            message,
        }) => {
            assert_eq!(message.as_deref(), Some("invalid client credentials"))
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(sim.stats().face_check_requests, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn slow_server_times_out_with_exactly_one_request() {
    let sim = start(SimConfig {
        scenario: Scenario::Slow(5),
        ..SimConfig::default()
    })
    .await;
    let client = client_for(&sim, Duration::from_secs(1));
    let t0 = Instant::now();
    let out = check(&client).await;
    assert!(
        matches!(
            out,
            Outcome::Error {
                kind: ErrorKind::Timeout,
                ..
            }
        ),
        "{out:?}"
    );
    assert!(t0.elapsed() < Duration::from_secs(4));
    // The paid call may have reached FACEKI: it must not be sent again.
    assert_eq!(sim.stats().face_check_requests, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn unreachable_service_is_an_error() {
    // Bind and drop, so the port is closed.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let cfg = ClientConfig::new(format!("http://127.0.0.1:{port}"), "id", Secret::new("s"));
    let client = FacekiClient::new(cfg).unwrap();
    let out = check(&client).await;
    assert!(
        matches!(
            out,
            Outcome::Error {
                kind: ErrorKind::Unreachable,
                ..
            }
        ),
        "{out:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn empty_or_non_image_upload_is_8001() {
    let sim = start(SimConfig::default()).await;
    let client = client_for(&sim, Duration::from_secs(5));
    let out = client
        .face_check(bytes::Bytes::from_static(b"not a jpeg"))
        .await;
    assert!(
        matches!(
            out,
            Outcome::Error {
                kind: ErrorKind::ClientBug,
                code: Some(8001),
                ..
            }
        ),
        "{out:?}"
    );
    assert_eq!(sim.stats().face_checks_billed, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn id_image_download() {
    let sim = start(SimConfig::default()).await;
    let client = client_for(&sim, Duration::from_secs(5));
    let Outcome::Pass { person } = check(&client).await else {
        panic!("no pass")
    };
    let url = person.id_front_image.clone().unwrap();
    let img = client.fetch_id_image(&url).await.unwrap();
    assert_eq!((img.width, img.height), (1011, 638));
    for (mode, want) in [
        (IdImageMode::NotFound, ImageError::Status(404)),
        (IdImageMode::Forbidden, ImageError::Status(403)),
    ] {
        sim.set_id_image(mode);
        assert_eq!(client.fetch_id_image(&url).await, Err(want));
    }
    sim.set_id_image(IdImageMode::NotAnImage);
    assert!(matches!(
        client.fetch_id_image(&url).await,
        Err(ImageError::NotAnImage(_) | ImageError::Decode(_))
    ));
    sim.set_id_image(IdImageMode::Huge);
    assert!(matches!(
        client.fetch_id_image(&url).await,
        Err(ImageError::TooLarge(_))
    ));
    // The S3 link never gets FACEKI's bearer token.
    assert_eq!(sim.stats().id_image_with_auth, 0);
    assert_eq!(sim.stats().id_image_requests, 5);
    // A failed image never touched the check's outcome; and a non-loopback http link is refused.
    assert_eq!(
        client.fetch_id_image("http://example.com/a.png").await,
        Err(ImageError::Insecure)
    );
    assert_eq!(
        client.fetch_id_image("imagelink").await,
        Err(ImageError::BadUrl)
    );
}
