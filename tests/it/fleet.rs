//! The fleet path against a real PostgreSQL (a throw-away cluster, tests/common/pg.rs):
//! kiosks shipping at once, the database going away and back, wrong passwords, a schema from
//! the future, stale heartbeats on the dashboard, and the dashboard in a real browser.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use faceki_kiosk::checkin::{Checkin, CheckinLog, Retention};
use faceki_kiosk::config::Settings;
use faceki_kiosk::faceki::{Outcome, Person, Secret};
use faceki_kiosk::fleet::dashboard::{self, ServeOptions};
use faceki_kiosk::fleet::devcluster::DevCluster;
use faceki_kiosk::fleet::{self, FleetError, KioskHealth, SharedLog, Target, store};

use crate::common::pg::{self, TestDb, scalar};
use crate::common::wait_until;
use crate::common::webdriver::{self, Browser};

fn settings(url: &str, site: &str, kiosk: &str) -> Settings {
    let mut s = Settings::default();
    s.fleet.database_url = Secret::new(url);
    s.fleet.site = site.into();
    s.fleet.kiosk = kiosk.into();
    s.fleet.heartbeat_secs = 1;
    s.fleet.batch_size = 40;
    s
}

fn outbox(s: &Settings) -> SharedLog {
    Arc::new(Mutex::new(Some(
        CheckinLog::in_memory_with(Retention::from_settings(s)).unwrap(),
    )))
}

fn pass(name: &str, local: &str) -> Outcome {
    Outcome::Pass {
        person: Box::new(Person {
            full_name: name.into(),
            local_name: Some(local.into()),
            document_id: Some("X00001234".into()),
            country: None,
            reference_id: Some("ref-1".into()),
            record_id: None,
            id_front_image: Some("https://example.com/id.png".into()),
        }),
    }
}

/// What `Runtime::record` does: health, one row on a blocking thread, the shipper woken.
fn record(k: &Kiosk, outcome: &Outcome) {
    k.health.check_finished(outcome, Duration::from_millis(640));
    let (log, handle) = (&k.log, &k.handle);
    let row = Checkin::from_outcome(outcome, Duration::from_millis(640), SystemTime::now());
    log.lock().unwrap().as_mut().unwrap().record(&row).unwrap();
    handle.waker().notify_one();
}

fn backlog(log: &SharedLog) -> u64 {
    log.lock().unwrap().as_ref().unwrap().backlog().unwrap()
}

/// The camera of a test kiosk: always streaming.
struct Streaming;

impl fleet::CameraProbe for Streaming {
    fn state(&self) -> (&'static str, String) {
        ("streaming", "test camera".into())
    }
}

struct Kiosk {
    log: SharedLog,
    handle: fleet::FleetHandle,
    health: Arc<KioskHealth>,
}

fn kiosk(rt: &tokio::runtime::Runtime, url: &str, site: &str, name: &str) -> Kiosk {
    let s = settings(url, site, name);
    let log = outbox(&s);
    let health = Arc::new(KioskHealth::new());
    let handle = fleet::start(
        rt.handle(),
        &s,
        Arc::clone(&log),
        Arc::clone(&health),
        Some(Arc::new(Streaming)),
    )
    .expect("fleet configured");
    Kiosk {
        log,
        handle,
        health,
    }
}

fn count(db: &TestDb) -> (i64, i64) {
    (
        scalar(&db.owner, "SELECT count(*) FROM checkins"),
        scalar(&db.owner, "SELECT count(DISTINCT uuid) FROM checkins"),
    )
}

/// Logs in over plain HTTP as a browser would (token from the form, cookies by hand).
struct Web {
    http: reqwest::Client,
    base: String,
    cookie: String,
}

impl Web {
    async fn login(base: &str, user: &str, password: &str) -> Result<Self, reqwest::StatusCode> {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let page = http.get(format!("{base}/login")).send().await.unwrap();
        let login_cookie = set_cookie(&page, "fk_login").unwrap();
        let html = page.text().await.unwrap();
        let csrf = between(&html, "name=\"csrf\" value=\"", "\"").to_owned();
        let body = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("user", user)
            .append_pair("password", password)
            .append_pair("csrf", &csrf)
            .finish();
        let r = http
            .post(format!("{base}/login"))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("cookie", format!("fk_login={login_cookie}"))
            .body(body)
            .send()
            .await
            .unwrap();
        match set_cookie(&r, "fk_session").filter(|c| !c.is_empty()) {
            Some(c) if r.status().is_redirection() => Ok(Self {
                http,
                base: base.into(),
                cookie: format!("fk_session={c}"),
            }),
            _ => Err(r.status()),
        }
    }

    async fn get(&self, path: &str) -> (reqwest::StatusCode, String) {
        let r = self
            .http
            .get(format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .send()
            .await
            .unwrap();
        (r.status(), r.text().await.unwrap())
    }
}

fn set_cookie(r: &reqwest::Response, name: &str) -> Option<String> {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix(&format!("{name}=")))
        .map(|v| v.split(';').next().unwrap_or("").to_owned())
}

fn between<'a>(s: &'a str, a: &str, b: &str) -> &'a str {
    let start = s.find(a).map(|i| i + a.len()).unwrap_or(0);
    let end = s[start..].find(b).map_or(s.len(), |i| start + i);
    &s[start..end]
}

fn add_user(db: &TestDb, name: &str, password: &str) {
    let hash = fleet::auth::hash_password(password).unwrap();
    pg::rt().block_on(async {
        pg::connect(&db.owner)
            .await
            .execute(
                "INSERT INTO dashboard_users (name, password_hash) VALUES ($1, $2)",
                &[&name, &hash],
            )
            .await
            .unwrap();
    });
}

async fn serve(db: &TestDb) -> dashboard::DashboardHandle {
    let target = Target::parse(&db.dashboard).unwrap();
    let pool = dashboard::pool(target, "").await.unwrap();
    dashboard::spawn(
        pool,
        SocketAddr::from(([127, 0, 0, 1], 0)),
        &ServeOptions::default(),
    )
    .await
    .unwrap()
}

#[test]
fn three_kiosks_ship_at_once_every_check_exactly_once_and_the_dashboard_shows_them() {
    if !pg::available() {
        return;
    }
    let db = pg::fresh_db(pg::shared());
    let rt = pg::rt();
    let kiosks: Vec<Kiosk> = [
        ("Riyadh", "desk-1"),
        ("Riyadh", "desk-2"),
        ("Jeddah", "lobby"),
    ]
    .iter()
    .map(|(site, name)| kiosk(&rt, &db.kiosk, site, name))
    .collect();
    // Each kiosk checks 150 people while the others do, as three reception desks would.
    std::thread::scope(|s| {
        for (i, k) in kiosks.iter().enumerate() {
            s.spawn(move || {
                for n in 0..150 {
                    let o = if n % 3 == 0 {
                        Outcome::NoMatch { code: Some(8013) }
                    } else {
                        pass(&format!("Guest {i}-{n}"), "إيلين ماري سبيسمن")
                    };
                    record(k, &o);
                    if n % 40 == 0 {
                        std::thread::sleep(Duration::from_millis(20));
                    }
                }
            });
        }
    });
    wait_until("every row shipped", 60, || count(&db).0 == 450);
    wait_until("the backlogs empty", 30, || {
        kiosks.iter().all(|k| backlog(&k.log) == 0)
    });
    assert_eq!(count(&db), (450, 450));
    assert_eq!(
        scalar(
            &db.owner,
            "SELECT count(*) FROM checkins WHERE site = 'Riyadh'"
        ),
        300
    );
    // Privacy: the masked number only, never an image link or the full number.
    assert_eq!(
        scalar(
            &db.owner,
            "SELECT count(*) FROM checkins WHERE document_masked <> '•••••1234'
                 OR concat_ws(' ', name, local_name, detail, reference_id) LIKE '%X00001234%'
                 OR concat_ws(' ', name, local_name, detail, reference_id) LIKE '%id.png%'"
        ),
        0
    );
    wait_until("three heartbeats", 30, || {
        scalar(&db.owner, "SELECT count(*) FROM kiosks") == 3
    });
    // The kiosk role cannot read the check-ins of the network.
    let refused = rt.block_on(async {
        pg::connect(&db.kiosk)
            .await
            .query("SELECT * FROM checkins LIMIT 1", &[])
            .await
    });
    assert!(refused.is_err(), "the kiosk role must not read check-ins");

    add_user(&db, "amina", "head office 2026");
    rt.block_on(async {
        let dash = serve(&db).await;
        let web = Web::login(&dash.url(), "amina", "head office 2026")
            .await
            .unwrap();
        let (status, html) = web.get("/").await;
        assert_eq!(status, 200);
        for name in ["desk-1", "desk-2", "lobby", "Jeddah"] {
            assert!(html.contains(name), "{name} missing");
        }
        assert_eq!(html.matches("pill green").count(), 3, "{html}");
        assert!(html.contains("<svg"), "the hourly chart");
    });
    // Then desk-2 goes quiet for 12 minutes: offline on the dashboard.
    let mut kiosks = kiosks;
    drop(kiosks.remove(1));
    pg::exec(
        &db.owner,
        "UPDATE kiosks SET beat_at = now() - interval '12 minutes 5 seconds' WHERE kiosk = 'desk-2'",
    );
    rt.block_on(async {
        let dash = serve(&db).await;
        let web = Web::login(&dash.url(), "amina", "head office 2026")
            .await
            .unwrap();
        let (_, html) = web.get("/").await;
        assert!(html.contains("offline for 12 min"), "{html}");
        assert_eq!(html.matches("pill red").count(), 1);
        // The search and the CSV see the Arabic name.
        let q = dashboard::pages::urlencode("ماري");
        let (status, csv) = web.get(&format!("/checkins.csv?q={q}&site=Jeddah")).await;
        assert_eq!(status, 200);
        assert!(csv.starts_with('\u{feff}'));
        assert_eq!(csv.lines().count(), 1 + 100, "header + Jeddah's passes");
        assert!(csv.contains("إيلين ماري سبيسمن"));
    });
}

#[test]
fn the_database_down_at_start_and_mid_run_loses_nothing_and_sends_nothing_twice() {
    if !pg::available() {
        return;
    }
    // A cluster of its own: this test stops the server.
    let cluster = DevCluster::start().unwrap();
    pg::create_roles(&cluster);
    let db = pg::fresh_db(&cluster);
    cluster.stop_server().unwrap();
    let rt = pg::rt();
    let k = kiosk(&rt, &db.kiosk, "Dammam", "desk-1");
    // Down at start: every check is still recorded at once, and waits.
    for n in 0..60 {
        record(&k, &pass(&format!("Early {n}"), "أ"));
    }
    assert_eq!(backlog(&k.log), 60);
    wait_until("the fault is seen", 20, || {
        k.handle
            .status()
            .warning(1)
            .is_some_and(|w| w.contains("60 check-ins wait"))
    });
    assert!(
        k.handle.warning().is_none(),
        "a passing outage with a small backlog is not for staff"
    );
    cluster.start_server().unwrap();
    wait_until("the early rows shipped", 90, || backlog(&k.log) == 0);
    // Mid-run: stop the server while checks go on, start it again.
    for n in 0..40 {
        record(&k, &pass(&format!("Before {n}"), "ب"));
    }
    cluster.stop_server().unwrap();
    for n in 0..80 {
        record(&k, &Outcome::NoMatch { code: Some(8013) });
        if n == 40 {
            std::thread::sleep(Duration::from_millis(300));
        }
    }
    // Nothing blocked: all 80 were written while the server was down.
    assert!(backlog(&k.log) >= 80, "backlog {}", backlog(&k.log));
    cluster.start_server().unwrap();
    wait_until("everything shipped", 90, || backlog(&k.log) == 0);
    assert_eq!(count(&db), (180, 180));
    // A crash between the insert and the local mark: everything goes again, nothing doubles.
    k.log
        .lock()
        .unwrap()
        .as_mut()
        .unwrap()
        .forget_shipped()
        .unwrap();
    k.handle.waker().notify_one();
    wait_until("the resend", 60, || backlog(&k.log) == 0);
    assert_eq!(count(&db), (180, 180));
}

#[test]
fn a_wrong_password_and_a_newer_schema_are_refused_clearly() {
    if !pg::available() {
        return;
    }
    let db = pg::fresh_db(pg::shared());
    let rt = pg::rt();
    let wrong = db.kiosk.replace(pg::KIOSK_PASSWORD, "not-the-password");
    let err = rt
        .block_on(Target::parse(&wrong).unwrap().connect())
        .unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("password authentication failed"), "{msg}");
    assert!(!msg.contains("not-the-password"), "{msg}");
    assert!(err.needs_person());
    // A kiosk with the wrong password tells staff (a person must fix it) and keeps its rows.
    let k = kiosk(&rt, &wrong, "Riyadh", "desk-9");
    record(&k, &Outcome::NoMatch { code: Some(8013) });
    wait_until("staff are told", 20, || {
        k.handle
            .warning()
            .is_some_and(|w| w.contains("password authentication failed"))
    });
    assert_eq!(backlog(&k.log), 1);
    drop(k);

    // A schema from a newer faceki-kiosk: refused by kiosks, the dashboard and migrate.
    pg::exec(&db.owner, "UPDATE fleet_schema SET version = 99");
    rt.block_on(async {
        let client = pg::connect(&db.kiosk).await;
        let e = store::check_schema(&client).await.unwrap_err();
        assert!(
            matches!(e, FleetError::SchemaTooNew { found: 99, .. }),
            "{e}"
        );
        assert!(e.to_string().contains("upgrade faceki-kiosk"), "{e}");
        let mut owner = pg::connect(&db.owner).await;
        let e = store::migrate(&mut owner, &store::Roles::default())
            .await
            .unwrap_err();
        assert!(matches!(e, FleetError::SchemaTooNew { .. }), "{e}");
        let e = dashboard::pool(Target::parse(&db.dashboard).unwrap(), "")
            .await
            .expect_err("the dashboard refuses");
        assert!(
            e.to_string().contains("newer than this faceki-kiosk"),
            "{e}"
        );
    });
    let k = kiosk(&rt, &db.kiosk, "Riyadh", "desk-10");
    record(&k, &Outcome::NoMatch { code: Some(8013) });
    wait_until("staff are told about the schema", 20, || {
        k.handle
            .warning()
            .is_some_and(|w| w.contains("schema version 99"))
    });
    assert_eq!(
        backlog(&k.log),
        1,
        "nothing sent into a schema it does not know"
    );
}

#[test]
fn a_kiosk_runtime_ships_its_checks_and_beats() {
    if !pg::available() {
        return;
    }
    let db = pg::fresh_db(pg::shared());
    let s = settings(&db.kiosk, "Mecca", "front");
    let mut rt = faceki_kiosk::runtime::Runtime::start(
        s,
        faceki_kiosk::runtime::CameraSource::DemoClip { fps: 15.0 },
        Some(faceki_kiosk::sim::Scenario::Match),
        None,
    )
    .unwrap();
    rt.record(
        &pass("Grace Hopper", "غريس هوبر"),
        Duration::from_millis(900),
    );
    rt.record(
        &Outcome::error(faceki_kiosk::faceki::ErrorKind::Auth, None, "401"),
        Duration::from_millis(50),
    );
    wait_until("the runtime's rows", 30, || count(&db).0 == 2);
    wait_until("its heartbeat", 30, || {
        scalar(
            &db.owner,
            "SELECT count(*) FROM kiosks WHERE site = 'Mecca' AND faceki_fail_kind = 'auth'
                 AND (counts_today->>'pass')::int = 1 AND camera <> 'none'",
        ) == 1
    });
    assert!(rt.fleet_warning().is_none());
}

#[test]
fn metrics_show_checks_gate_verdicts_and_the_backlog() {
    let rt = pg::rt();
    fleet::metrics::install().expect("the only recorder in this binary");
    let health = KioskHealth::new();
    health.check_finished(&pass("A", "ب"), Duration::from_millis(1200));
    health.check_finished(
        &Outcome::error(faceki_kiosk::faceki::ErrorKind::Timeout, None, "slow"),
        Duration::from_secs(60),
    );
    fleet::metrics::gate_verdict("too_small");
    fleet::metrics::outbox_backlog(7);
    fleet::metrics::liveness_verdict("live");
    let text = rt.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(fleet::metrics::serve_on(listener, None));
        reqwest::get(format!("http://{addr}/metrics"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    });
    for line in [
        "faceki_kiosk_checks_total{outcome=\"pass\"}",
        "faceki_kiosk_faceki_errors_total{kind=\"timeout\"}",
        "faceki_kiosk_check_duration_seconds_bucket{le=\"1.5\"}",
        "faceki_kiosk_gate_verdicts_total{verdict=\"too_small\"}",
        "faceki_kiosk_outbox_backlog 7",
        "faceki_kiosk_liveness_verdicts_total{verdict=\"live\"}",
    ] {
        assert!(text.contains(line), "{line} missing from\n{text}");
    }
}

/// The dashboard in headless Chromium: log in, see the sites, search an Arabic name, export
/// CSV, five wrong passwords lock the account, no session means the login page.
#[test]
fn the_dashboard_in_a_real_browser() {
    if !pg::available() || !webdriver::available() {
        return;
    }
    let db = pg::fresh_db(pg::shared());
    let rt = pg::rt();
    let mut kiosks: Vec<Kiosk> = [
        ("Riyadh", "desk-1"),
        ("Riyadh", "desk-2"),
        ("Jeddah", "lobby"),
        ("Dammam", "entrance"),
    ]
    .iter()
    .map(|(site, name)| kiosk(&rt, &db.kiosk, site, name))
    .collect();
    for (i, k) in kiosks.iter().enumerate() {
        for n in 0..12 {
            let o = match n % 4 {
                0 => Outcome::NoMatch { code: Some(8013) },
                1 if i == 0 => pass("Eileen Marie Specimen", "إيلين ماري سبيسمن"),
                _ => pass(&format!("Guest {i}-{n}"), "ضيف"),
            };
            record(k, &o);
        }
    }
    // The lobby's credentials were revoked; the entrance cannot reach FACEKI.
    use faceki_kiosk::faceki::ErrorKind;
    record(&kiosks[2], &Outcome::error(ErrorKind::Auth, None, "401"));
    record(
        &kiosks[3],
        &Outcome::error(ErrorKind::Timeout, None, "slow"),
    );
    wait_until("rows shipped", 60, || count(&db).0 == 50);
    wait_until("fresh heartbeats", 30, || {
        scalar(
            &db.owner,
            "SELECT count(*) FROM kiosks WHERE faceki_failing",
        ) == 2
            && scalar(
                &db.owner,
                "SELECT count(*) FROM kiosks WHERE faceki_failing OR last_check_at IS NOT NULL",
            ) == 4
    });
    // desk-2 went quiet 12 minutes ago.
    drop(kiosks.remove(1));
    pg::exec(
        &db.owner,
        "UPDATE kiosks SET beat_at = now() - interval '12 minutes 5 seconds' WHERE kiosk = 'desk-2'",
    );
    add_user(&db, "amina", "head office 2026");
    add_user(&db, "omar", "another password");
    let dash = rt.block_on(serve(&db));
    let base = dash.url();
    let shots = std::env::var_os("FLEET_SCREENSHOTS")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("faceki-fleet-shots"));
    let b = Browser::start();

    // No session: the login page.
    b.goto(&format!("{base}/checkins?q=x"));
    assert!(b.url().ends_with("/login"), "{}", b.url());
    b.screenshot(&shots.join("dashboard-login.png"));

    // Log in; the overview lists both sites and kiosks, green.
    b.type_into("#user", "amina");
    b.type_into("#password", "head office 2026");
    b.click("#login");
    // The click returns before the browser has followed the redirect: wait for the overview.
    wait_until("the overview after logging in", 20, || {
        b.url().ends_with('/')
    });
    let kiosks_text = b.text("#kiosks");
    for name in [
        "Riyadh",
        "Jeddah",
        "desk-1",
        "lobby",
        "offline for 12 min",
        "FACEKI refused the credentials",
        "FACEKI not reachable (timeout)",
    ] {
        assert!(kiosks_text.contains(name), "{name}: {kiosks_text}");
    }
    assert_eq!(b.count("#kiosks .pill.green"), 1);
    assert_eq!(b.count("#kiosks .pill.amber"), 1);
    assert_eq!(b.count("#kiosks .pill.red"), 2);
    b.screenshot(&shots.join("dashboard-overview.png"));

    // Search an Arabic name: only Eileen's three passes, shown in Arabic.
    b.click("nav a[href='/checkins']");
    b.type_into("#q", "ماري");
    b.click("#search");
    let results = b.text("#results");
    assert!(results.contains("إيلين ماري سبيسمن"), "{results}");
    assert_eq!(b.count("#results tbody tr"), 3, "{results}");
    b.screenshot(&shots.join("dashboard-search.png"));

    // Export CSV: the browser downloads the same three rows.
    b.click("#csv");
    let file = b.downloads.join("checkins.csv");
    wait_until("the CSV download", 20, || {
        std::fs::read_to_string(&file).is_ok_and(|s| s.lines().count() == 4)
    });
    let csv = std::fs::read_to_string(&file).unwrap();
    assert!(
        csv.contains("إيلين ماري سبيسمن") && csv.contains("Riyadh"),
        "{csv}"
    );

    // Log out: the pages are gone with the session.
    b.click("header button");
    wait_until("the login page after logging out", 20, || {
        b.url().ends_with("/login")
    });
    b.goto(&format!("{base}/"));
    assert!(b.url().ends_with("/login"));

    // Five wrong passwords lock omar out, even with the right one after.
    let attempt = |password: &str| {
        // A fresh form each time (navigation waits for the page), so no try is lost.
        b.goto(&format!("{base}/login"));
        b.type_into("#user", "omar");
        b.type_into("#password", password);
        b.click("#login");
    };
    for _ in 0..4 {
        attempt("guess");
        wait_until("the refusal", 10, || {
            b.source().contains("Wrong user name or password")
        });
    }
    attempt("guess");
    wait_until("the lock", 10, || {
        b.source().contains("this account is locked")
    });
    attempt("another password");
    wait_until("still locked", 10, || b.source().contains("locked for"));
    assert!(b.url().ends_with("/login"));
    b.screenshot(&shots.join("dashboard-locked.png"));
    eprintln!("screenshots in {}", shots.display());
    drop(kiosks);
}

#[test]
fn the_fleet_commands_migrate_add_users_and_check() {
    use std::io::Write;
    use std::process::{Command, Stdio};
    if !pg::available() {
        return;
    }
    const BIN: &str = env!("CARGO_BIN_EXE_faceki-kiosk");
    let cluster = pg::shared();
    let name = pg::empty_db(cluster);
    let owner = cluster.superuser_url(&name);
    let home = std::env::temp_dir().join(format!("faceki-fleet-cli-{}", std::process::id()));
    std::fs::create_dir_all(&home).unwrap();
    let run = |args: &[&str], url: &str, stdin: &str| {
        let mut child = Command::new(BIN)
            .args(args)
            .env("HOME", &home)
            .env("XDG_CONFIG_HOME", home.join("config"))
            .env("XDG_DATA_HOME", home.join("data"))
            .env("FACEKI_FLEET_DATABASE_URL", url)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!text.contains(pg::KIOSK_PASSWORD), "{text}");
        (out.status.code(), text)
    };
    // Not migrated yet: a kiosk's check says so.
    let kiosk_url = cluster.url("faceki_kiosk", pg::KIOSK_PASSWORD, &name);
    let (code, text) = run(&["fleet", "status"], &kiosk_url, "");
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("fleet migrate"), "{text}");

    let (code, text) = run(&["fleet", "migrate"], &owner, "");
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("schema 0 -> 1"), "{text}");
    assert!(text.contains("granted role faceki_kiosk"), "{text}");
    let (_, text) = run(&["fleet", "migrate"], &owner, "");
    assert!(text.contains("nothing to do"), "{text}");

    let (code, text) = run(&["fleet", "user", "add", "amina"], &owner, "short\n");
    assert_eq!(code, Some(2), "{text}");
    assert!(text.contains("at least 10"), "{text}");
    let (code, text) = run(
        &["fleet", "user", "add", "amina"],
        &owner,
        "head office 2026\n",
    );
    assert_eq!(code, Some(0), "{text}");
    let hash = pg::rt().block_on(async {
        pg::connect(&owner)
            .await
            .query_one(
                "SELECT password_hash FROM dashboard_users WHERE name = 'amina'",
                &[],
            )
            .await
            .unwrap()
            .get::<_, String>(0)
    });
    assert!(fleet::auth::verify_password(
        "head office 2026",
        Some(&hash)
    ));

    let (code, text) = run(
        &["--config", "/dev/null", "fleet", "status"],
        &kiosk_url,
        "",
    );
    assert_eq!(code, Some(1), "no site set: {text}");
    assert!(text.contains("reachable, schema 1"), "{text}");
    assert!(text.contains("[fleet] site is not set"), "{text}");
    // Names over plain HTTP to the network: refused before anything is served.
    let (code, text) = run(
        &["fleet", "serve", "--listen", "0.0.0.0:0"],
        &cluster.url("faceki_dashboard", pg::DASHBOARD_PASSWORD, &name),
        "",
    );
    assert_eq!(code, Some(2), "{text}");
    assert!(
        text.contains("plain HTTP is served only on this machine"),
        "{text}"
    );
    let _ = std::fs::remove_dir_all(&home);
}

#[test]
fn the_dashboard_serves_https_with_secure_cookies() {
    if !pg::available() {
        return;
    }
    let db = pg::fresh_db(pg::shared());
    let dir = std::env::temp_dir().join(format!("faceki-fleet-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    let made = std::process::Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
        ])
        .args(["-nodes", "-days", "1", "-subj", "/CN=localhost", "-keyout"])
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .unwrap();
    assert!(made.status.success(), "{made:?}");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let rt = pg::rt();
    rt.block_on(async {
        let pool = dashboard::pool(Target::parse(&db.dashboard).unwrap(), "")
            .await
            .unwrap();
        let opts = ServeOptions {
            tls: Some((cert, key)),
            ..ServeOptions::default()
        };
        tokio::spawn(async move { dashboard::serve(pool, addr, &opts).await });
        let http = reqwest::Client::builder()
            .danger_accept_invalid_certs(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let url = format!("https://127.0.0.1:{port}/login");
        let mut tries = 0;
        let page = loop {
            match http.get(&url).send().await {
                Ok(r) => break r,
                Err(e) => {
                    tries += 1;
                    assert!(tries < 100, "{e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        };
        assert_eq!(page.status(), 200);
        let cookie = page
            .headers()
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        assert!(cookie.contains("; Secure"), "{cookie}");
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
        // Every page but the login is behind it, over HTTPS too.
        let r = http
            .get(format!("https://127.0.0.1:{port}/checkins.csv"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        assert_eq!(r.headers()["location"], "/login");
    });
    let _ = std::fs::remove_dir_all(&dir);
}
