//! The binary from outside: `faceki-kiosk sim` served as its own process and `faceki-kiosk check`
//! run against it, as an operator or a script would.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_faceki-kiosk");
const PHOTO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/demo/visitor.jpg");
/// Eyes 86 px apart: below FACEKI's 90, so the local gate refuses it.
const SMALL_FACE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/demo/grace_hopper.jpg");
const SECRET: &str = "planted-Secret-7f3a9c";

struct Sim {
    child: Child,
    base: String,
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_sim(extra: &[&str]) -> Sim {
    let mut child = Command::new(BIN)
        .args(["sim", "--port", "0", "--client-secret", SECRET])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let base = line.trim().rsplit(' ').next().unwrap().to_owned();
    assert!(base.starts_with("http://127.0.0.1:"), "{line}");
    Sim { child, base }
}

fn set_scenario(sim: &Sim, scenario: &str) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let resp = reqwest::Client::new()
            .post(format!("{}/sim/scenario", sim.base))
            .json(&serde_json::json!({ "scenario": scenario }))
            .send()
            .await
            .unwrap();
        assert!(resp.status().is_success());
    });
}

/// The simulator's request counters.
fn sim_stats(sim: &Sim) -> Value {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        reqwest::get(format!("{}/sim/stats", sim.base))
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    })
}

fn check(sim: &Sim, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(BIN)
        .arg("check")
        .args(args)
        .env("FACEKI_API_BASE", &sim.base)
        .env("FACEKI_CLIENT_ID", "demo-client")
        .env("FACEKI_CLIENT_SECRET", SECRET)
        .env_remove("RUST_LOG")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn check_json_against_sim_for_every_scenario() {
    let sim = start_sim(&[]);
    let cases = [
        ("match", "pass", 0, Some(0)),
        ("match-several", "pass", 0, Some(0)),
        ("no-match", "no_match", 1, Some(0)),
        ("not-found", "no_match", 1, Some(8013)),
        ("code-8003", "retake", 1, Some(8003)),
        ("code-8004", "retake", 1, Some(8004)),
        ("code-8005", "retake", 1, Some(8005)),
        ("code-8006", "retake", 1, Some(8006)),
        ("code-8007", "retake", 1, Some(8007)),
        ("code-8008", "retake", 1, Some(8008)),
        ("code-8009", "retake", 1, Some(8009)),
        ("code-8018", "retake", 1, Some(8018)),
        ("code-8019", "retake", 1, Some(8019)),
        ("denied", "denied", 1, Some(0)),
        ("ambiguous", "ambiguous", 1, Some(0)),
        ("quota", "error", 2, Some(8017)),
        ("code-7001", "error", 2, Some(7001)),
        ("code-1000", "error", 2, Some(1000)),
        ("code-8012", "error", 2, Some(8012)),
        ("unauthorized", "error", 2, None),
        ("rate-limited", "error", 2, None),
        ("server-error", "error", 2, Some(1000)),
        ("bad-gateway", "error", 2, None),
        ("malformed", "error", 2, None),
        ("html", "error", 2, None),
        ("huge", "error", 2, None),
        ("empty", "error", 2, None),
        ("wrong-type", "error", 2, None),
        ("reset", "error", 2, None),
    ];
    for (scenario, outcome, status, code) in cases {
        set_scenario(&sim, scenario);
        let (exit, stdout, stderr) = check(&sim, &["--json", "--image", PHOTO]);
        let v: Value = serde_json::from_str(stdout.trim())
            .unwrap_or_else(|e| panic!("{scenario}: {e}: {stdout}"));
        assert_eq!(v["outcome"], outcome, "{scenario}: {stdout}");
        assert_eq!(exit, status, "{scenario}: {stderr}");
        assert_eq!(v["code"].as_i64(), code, "{scenario}");
        assert!(v["message"].as_str().is_some_and(|m| !m.is_empty()));
        if outcome == "pass" {
            assert_eq!(v["person"]["full_name"], "Eileen Marie Specimen");
            assert_eq!(v["person"]["document_id"], "X00000000");
            assert!(
                v["person"]["id_front_image"]
                    .as_str()
                    .unwrap()
                    .starts_with(&sim.base)
            );
        } else {
            assert!(v["person"].is_null());
        }
    }
}

#[test]
fn several_images_use_one_token_and_exit_status_is_the_worst() {
    let sim = start_sim(&[]);
    let bad = std::env::temp_dir().join("faceki-kiosk-cli-not-an-image.jpg");
    std::fs::write(&bad, b"nope").unwrap();
    let (exit, stdout, _) = check(
        &sim,
        &[
            "--json",
            "--image",
            PHOTO,
            "--image",
            PHOTO,
            "--image",
            bad.to_str().unwrap(),
        ],
    );
    let lines: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["outcome"], "pass");
    assert_eq!(lines[1]["outcome"], "pass");
    assert_eq!(lines[2]["outcome"], "error");
    assert_eq!(exit, 2);

    let stats = sim_stats(&sim);
    assert_eq!(stats["token_requests"], 1);
    assert_eq!(stats["face_checks_billed"], 2);

    let (exit, stdout, _) = check(&sim, &["--image", PHOTO]);
    assert_eq!(exit, 0);
    assert!(
        stdout.contains("PASS") && stdout.contains("•••••0000") && !stdout.contains("X00000000")
    );
}

#[test]
fn no_secret_or_token_in_any_output_at_trace_level() {
    let sim = start_sim(&[]);
    for scenario in ["match", "unauthorized", "server-error"] {
        set_scenario(&sim, scenario);
        let (_, stdout, stderr) = check(&sim, &["-vvv", "--json", "--image", PHOTO]);
        assert!(
            stderr.contains("TRACE") || stderr.contains("DEBUG"),
            "trace logging is on"
        );
        for text in [&stdout, &stderr] {
            assert!(
                !text.contains(SECRET),
                "secret leaked in {scenario}:\n{text}"
            );
            assert!(
                !text.contains("sim."),
                "a token leaked in {scenario}:\n{text}"
            );
        }
    }
    // Wrong secret: the refusal is reported, the secret still is not.
    let out = Command::new(BIN)
        .args(["check", "-vvv", "--image", PHOTO])
        .env("FACEKI_API_BASE", &sim.base)
        .env("FACEKI_CLIENT_ID", "demo-client")
        .env("FACEKI_CLIENT_SECRET", "wrong-Secret-123")
        .output()
        .unwrap();
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(all.contains("ERROR (Auth"), "{all}");
    assert!(!all.contains("wrong-Secret-123"), "{all}");
}

#[test]
fn demo_flag_needs_no_account_and_plain_http_is_refused_off_loopback() {
    let out = Command::new(BIN)
        .args(["check", "--demo", "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["outcome"], "pass");

    let out = Command::new(BIN)
        .args(["check", "--image", PHOTO])
        .env("FACEKI_API_BASE", "http://sdk.faceki.com")
        .env("FACEKI_CLIENT_ID", "x")
        .env("FACEKI_CLIENT_SECRET", "y")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("must use https"));
}

#[test]
fn invalid_config_names_the_key() {
    let path = std::env::temp_dir().join("faceki-kiosk-cli-bad.toml");
    std::fs::write(&path, "[faceki]\ntimeout_secs = \"soon\"\n").unwrap();
    let out = Command::new(BIN)
        .args([
            "check",
            "--config",
            path.to_str().unwrap(),
            "--image",
            PHOTO,
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("timeout_secs"), "{err}");
}

#[test]
fn the_gate_spends_no_paid_call_on_a_refused_photo() {
    let sim = start_sim(&[]);
    let (exit, stdout, _) = check(&sim, &["--json", "--image", SMALL_FACE]);
    let v: Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(
        (v["outcome"].as_str(), v["gate"].as_str(), exit),
        (Some("retake"), Some("too_small"), 1)
    );
    assert!(v["code"].is_null());
    let stats = sim_stats(&sim);
    assert_eq!(stats["face_check_requests"], 0);
    // --skip-gate sends it anyway.
    let (exit, stdout, _) = check(&sim, &["--json", "--skip-gate", "--image", SMALL_FACE]);
    assert_eq!(
        (
            exit,
            serde_json::from_str::<Value>(stdout.trim()).unwrap()["outcome"].as_str()
        ),
        (0, Some("pass"))
    );
}

#[test]
fn gate_json_on_any_photo() {
    let out = Command::new(BIN)
        .args(["gate", "--json", "--image", PHOTO, "--image", SMALL_FACE])
        .output()
        .unwrap();
    let lines: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines[0]["verdict"], "ok");
    assert_eq!(lines[1]["verdict"], "too_small");
    for l in &lines {
        assert_eq!(l["faces"].as_array().unwrap().len(), 1);
        assert!(l["faces"][0]["score"].as_f64().unwrap() > 0.75);
        assert_eq!(l["faces"][0]["box"].as_array().unwrap().len(), 4);
        assert!(!l["hint"].as_str().unwrap().is_empty());
    }
    assert_eq!(out.status.code(), Some(1));
}

/// A private config/data/state home for one child process.
fn private_home(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("faceki-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn with_home(cmd: &mut Command, home: &std::path::Path) {
    cmd.env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env_remove("FACEKI_API_BASE")
        .env_remove("FACEKI_CLIENT_ID")
        .env_remove("FACEKI_CLIENT_SECRET")
        .env_remove("RUST_LOG");
}

#[test]
fn doctor_says_what_is_wrong_in_plain_words() {
    // A fresh machine: no config, no credentials.
    let home = private_home("doctor-fresh");
    let mut cmd = Command::new(BIN);
    cmd.arg("doctor");
    with_home(&mut cmd, &home);
    let out = cmd.output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("FAIL  Credentials: no FACEKI client ID and secret"),
        "{text}"
    );
    assert!(text.contains("opens its setup screen"), "{text}");
    assert!(text.contains("ok    Fonts"), "{text}");

    // Set up against the simulator, with a replayed camera and a world-readable config.
    let sim = start_sim(&[]);
    let home = private_home("doctor-ok");
    let cfg = home.join("kiosk.toml");
    std::fs::write(
        &cfg,
        format!(
            "[faceki]\nbase_url = \"{}\"\nclient_id = \"{}\"\nclient_secret = \"{SECRET}\"\n\n[camera]\nreplay = \"{PHOTO}\"\n",
            sim.base,
            faceki_kiosk::sim::DEMO_CLIENT_ID
        ),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&cfg, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    let mut cmd = Command::new(BIN);
    cmd.args(["doctor", "--config"]).arg(&cfg);
    with_home(&mut cmd, &home);
    let out = cmd.output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("ok    FACEKI: signed in"), "{text}");
    assert!(text.contains("no paid call made"), "{text}");
    assert!(text.contains("warn  Config permissions"), "{text}");
    assert!(text.contains("ok    Check-in log"), "{text}");
    assert!(!text.contains(SECRET));
    assert_eq!(sim_stats(&sim)["face_check_requests"], 0);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&cfg).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }

    // A wrong secret is named as the problem, without printing it.
    let mut cmd = Command::new(BIN);
    cmd.args(["doctor", "--config"]).arg(&cfg);
    with_home(&mut cmd, &home);
    cmd.env("FACEKI_CLIENT_SECRET", "wrong-one-123");
    let out = cmd.output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("FAIL  FACEKI"), "{text}");
    assert!(!text.contains("wrong-one-123"));
}

#[test]
fn log_export_round_trips_names_to_csv() {
    use faceki_kiosk::checkin::{Checkin, CheckinLog};
    let home = private_home("export");
    let db = home.join("checkins.sqlite");
    let cfg = home.join("kiosk.toml");
    std::fs::write(&cfg, format!("[log]\ncheckin_db = \"{}\"\n", db.display())).unwrap();
    let names = [
        ("Smith, John \"Jack\"", Some("جون سميث")),
        ("Eileen Marie Specimen", Some("إيلين ماري سبيسمن")),
        ("Zoë O'Neil", None),
    ];
    {
        let mut log = CheckinLog::open(&db, 30).unwrap();
        for (name, local) in names {
            log.record(&Checkin {
                uuid: faceki_kiosk::checkin::new_uuid(),
                at: std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_secs() as i64,
                outcome: "pass".into(),
                detail: String::new(),
                code: Some(0),
                duration_ms: 700,
                name: Some(name.into()),
                local_name: local.map(str::to_owned),
                document_masked: Some("•••••1234".into()),
                reference_id: Some("ref-1".into()),
            })
            .unwrap();
        }
    }
    let out_file = home.join("out.csv");
    let mut cmd = Command::new(BIN);
    cmd.args(["log", "export", "--since", "2000-01-01", "--out"])
        .arg(&out_file)
        .arg("--config")
        .arg(&cfg);
    with_home(&mut cmd, &home);
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("3 check-ins written"));
    let bytes = std::fs::read(&out_file).unwrap();
    let text = String::from_utf8(bytes).unwrap();
    let text = text.trim_start_matches('\u{feff}');
    // Parse it back with a plain RFC 4180 reader.
    let mut rows = csv::Reader::from_reader(text.as_bytes());
    let got: Vec<(String, String)> = rows
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[5].to_owned(), r[6].to_owned())
        })
        .collect();
    let mut want: Vec<(String, String)> = names
        .iter()
        .map(|(n, l)| (n.to_string(), l.unwrap_or("").to_string()))
        .collect();
    want.reverse(); // newest first
    assert_eq!(got, want);

    // A bad date is refused in plain words.
    let mut cmd = Command::new(BIN);
    cmd.args([
        "log",
        "export",
        "--since",
        "25/11/2026",
        "--out",
        "-",
        "--config",
    ])
    .arg(&cfg);
    with_home(&mut cmd, &home);
    let out = cmd.output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("want YYYY-MM-DD"));
}
