//! Secrets and personal data stay where they belong, through a whole session at trace level:
//! 100 checks through the real runtime (camera replay, gate, encode, client, check-in log) and
//! a pass on screen through the real app, against a simulator with a planted secret.
//!
//! Afterwards: the secret and tokens appear nowhere but the 0600 config file; the sample's
//! name, document number, birth date and image URL appear in no log; the data dir holds only
//! the check-in log (names and *masked* numbers, by design, for staff), never the full number;
//! and no image file was written anywhere.
//!
//! One test per binary: it sets this process's XDG dirs and its global log subscriber.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and tools may panic

mod common;

use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime};

use common::kiosk::{has, step_until};
use egui_kittest::Harness;
use faceki_kiosk::cli::logging::{self, FileLog};
use faceki_kiosk::config::Settings;
use faceki_kiosk::faceki::{Outcome, Secret};
use faceki_kiosk::runtime::{Runtime, RuntimeEvent};
use faceki_kiosk::sim::{self, IdImageMode, Scenario, SimConfig, specimen};
use faceki_kiosk::ui::KioskApp;

const SECRET: &str = "PLANTED-secret-e1d9c0ffee";

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files_under(&p));
        } else {
            out.push(p);
        }
    }
    out
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

/// `sim.` followed by 40 lower-case letters: a simulator token.
fn has_token(hay: &[u8]) -> bool {
    hay.windows(44)
        .any(|w| w.starts_with(b"sim.") && w[4..].iter().all(|c| c.is_ascii_lowercase()))
}

fn is_image(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0xff, 0xd8, 0xff])
        || bytes.starts_with(b"\x89PNG")
        || bytes.starts_with(b"GIF8")
        || bytes.starts_with(b"BM")
        || (bytes.len() > 12 && &bytes[8..12] == b"WEBP")
}

/// Runs one check through the runtime and waits for its outcome.
fn check(rt: &mut Runtime, id: u64) -> Outcome {
    let (tx, rx) = mpsc::channel();
    rt.set_waker(move || {
        let _ = tx.send(());
    });
    let selfie = rt.gate.latest().map(|g| g.selfie());
    rt.start_check(id, selfie);
    let t0 = Instant::now();
    loop {
        let _ = rx.recv_timeout(Duration::from_millis(100));
        for ev in rt.drain() {
            if let RuntimeEvent::CheckFinished { check, outcome } = ev {
                assert_eq!(check, id);
                return outcome;
            }
        }
        assert!(t0.elapsed() < Duration::from_secs(30), "check {id} hung");
    }
}

#[test]
fn no_secret_or_personal_data_leaks_anywhere() {
    let home = std::env::temp_dir().join(format!("faceki-privacy-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&home);
    std::fs::create_dir_all(&home).unwrap();
    // Made before the clock starts: the steady clip is a test fixture, not the kiosk's output.
    let clip = common::kiosk::steady_clip();
    let started = SystemTime::now();
    // SAFETY: the only test in this binary, before any thread of ours reads the environment.
    unsafe {
        std::env::set_var("HOME", &home);
        std::env::set_var("XDG_CONFIG_HOME", home.join("config"));
        std::env::set_var("XDG_DATA_HOME", home.join("data"));
        std::env::set_var("XDG_STATE_HOME", home.join("state"));
        std::env::remove_var("FACEKI_CLIENT_SECRET");
        // Anything the kiosk puts in the temp folder lands in our home, to be scanned.
        std::env::set_var("TMPDIR", home.join("tmp"));
    }
    std::fs::create_dir_all(home.join("tmp")).unwrap();
    let settings_path = faceki_kiosk::config::default_path().unwrap();
    assert!(settings_path.starts_with(&home));
    let mut s = Settings::default();
    // The replayed camera cannot answer a head-turn challenge: the pass on screen below is the
    // flow after it.
    s.liveness.mode = faceki_kiosk::liveness::LivenessMode::Off;
    let log_dir = s.log.log_dir().unwrap();
    assert!(log_dir.starts_with(&home));
    // Everything, at trace level, into the log files (stderr off: the files get the same events).
    let guard = logging::init(
        0,
        "off",
        Some(FileLog {
            dir: log_dir.clone(),
            keep_files: 7,
            level: "trace".into(),
        }),
    );
    assert!(guard.file_error.is_none());

    let tokio = tokio::runtime::Runtime::new().unwrap();
    let sim = tokio
        .block_on(sim::start(
            SimConfig {
                client_secret: SECRET.into(),
                // Short-lived tokens: several refreshes land in the logs too.
                token_ttl: Duration::from_secs(4),
                ..SimConfig::default()
            },
            SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
        ))
        .unwrap();
    s.faceki.base_url = sim.base_url();
    s.faceki.client_id = sim::DEMO_CLIENT_ID.into();
    s.faceki.client_secret = Secret::new(SECRET);
    s.kiosk.pin_hash = faceki_kiosk::kiosk::pin::hash("1234").unwrap();
    s.kiosk.pass_display_secs = 1;
    s.save(&settings_path).unwrap();
    let camera = faceki_kiosk::runtime::CameraSource::Replay {
        path: clip,
        fps: 15.0,
    };

    // 100 checks through the runtime, one in ten against an injected fault.
    let mut rt =
        Runtime::start(s.clone(), camera.clone(), None, Some(settings_path.clone())).unwrap();
    let t0 = Instant::now();
    while rt.gate.latest().is_none() {
        assert!(t0.elapsed() < Duration::from_secs(20), "no gated frame");
        std::thread::sleep(Duration::from_millis(20));
    }
    let faults = [
        Scenario::NoMatch,
        Scenario::Code(8006),
        Scenario::Ambiguous,
        Scenario::Html,
        Scenario::Code(8017),
    ];
    let mut passes = 0;
    for i in 0..100u64 {
        let scenario = if i % 10 == 9 {
            faults[(i / 10) as usize % faults.len()]
        } else {
            Scenario::Match
        };
        sim.set_scenario(scenario);
        sim.set_id_image(if i % 7 == 3 {
            IdImageMode::NotFound
        } else {
            IdImageMode::Ok
        });
        let t = Instant::now();
        let outcome = check(&mut rt, i + 1);
        if let Some(p) = outcome.person() {
            passes += 1;
            if let Some(url) = p.id_front_image.clone() {
                rt.fetch_id_image(url);
            }
        }
        rt.record(&outcome, t.elapsed());
    }
    assert!(passes >= 85, "{passes} passes");
    std::thread::sleep(Duration::from_millis(500));
    drop(rt);

    // And a pass on the real screen, name and ID image shown, then cleared.
    sim.set_scenario(Scenario::Match);
    sim.set_id_image(IdImageMode::Ok);
    let rt = Runtime::start(s, camera, None, Some(settings_path.clone())).unwrap();
    let mut h = Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .build_eframe(move |cc| KioskApp::new(cc, rt, false));
    step_until(&mut h, "the pass screen", 20, |h| has(h, "Welcome"));
    assert!(has(&h, specimen::FULL_NAME));
    step_until(&mut h, "the ID image", 10, |h| {
        has(h, "ID document on file")
    });
    step_until(&mut h, "the auto-clear", 10, |h| !has(h, "Welcome"));
    drop(h);
    drop(guard); // flushes the log files

    let image_url = format!("{}/sim/images/id-front.png", sim.base_url());
    let never_anywhere = [SECRET, specimen::DOCUMENT_ID];
    let never_in_logs = [
        specimen::FULL_NAME,
        specimen::LOCAL_NAME,
        specimen::DOB,
        specimen::REFERENCE_ID,
        "id-front.png",
        &image_url,
        "Eileen",
    ];

    let logs = files_under(&log_dir);
    assert!(!logs.is_empty(), "no log file written");
    let mut log_bytes = 0;
    for f in &logs {
        let bytes = std::fs::read(f).unwrap();
        log_bytes += bytes.len();
        for word in never_anywhere.iter().chain(&never_in_logs) {
            assert!(
                !contains(&bytes, word),
                "{word:?} in the log {}",
                f.display()
            );
        }
        assert!(!has_token(&bytes), "a token in the log {}", f.display());
    }
    let text = logs
        .iter()
        .map(|f| std::fs::read_to_string(f).unwrap())
        .collect::<String>();
    // The logs did record the session: this test would pass vacuously on empty files.
    assert!(
        text.contains("got a FACEKI access token"),
        "no token events logged"
    );
    assert!(
        text.contains("TRACE") || text.contains("DEBUG"),
        "not at trace level"
    );
    eprintln!(
        "{} log files, {log_bytes} bytes at trace level, clean",
        logs.len()
    );

    // Config dir: only the config file, owner-only, and the secret only there.
    let config_files = files_under(&home.join("config"));
    assert_eq!(config_files, vec![settings_path.clone()]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&settings_path)
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    // Data dir: only the check-in log; names by design, the full number and secret never.
    let data_files = files_under(&home.join("data"));
    let db = Settings::default().log.checkin_path().unwrap();
    assert!(
        data_files
            .iter()
            .all(|f| f.starts_with(db.parent().unwrap()))
    );
    assert!(data_files.contains(&db), "{data_files:?}");
    for f in &data_files {
        let bytes = std::fs::read(f).unwrap();
        for word in never_anywhere {
            assert!(!contains(&bytes, word), "{word:?} in {}", f.display());
        }
        assert!(!has_token(&bytes));
        assert!(!contains(&bytes, "id-front.png"));
    }

    // No picture anywhere in our home or the temp folder made since the start.
    let mut scanned = 0;
    for f in files_under(&home)
        .into_iter()
        .chain(files_under(&std::env::temp_dir()))
    {
        let Ok(meta) = std::fs::metadata(&f) else {
            continue;
        };
        if meta.modified().map(|m| m < started).unwrap_or(true) || meta.len() > 64 << 20 {
            continue;
        }
        let Ok(bytes) = std::fs::read(&f) else {
            continue;
        };
        scanned += 1;
        assert!(
            !is_image(&bytes),
            "an image file was written: {}",
            f.display()
        );
        assert!(
            !contains(&bytes, SECRET) || f == settings_path,
            "secret in {}",
            f.display()
        );
    }
    eprintln!("{scanned} files made during the session scanned: no images");
    let _ = std::fs::remove_dir_all(&home);
}
