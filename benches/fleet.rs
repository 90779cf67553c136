//! The fleet path's figures, against a throw-away PostgreSQL cluster it starts itself:
//! shipping rows/s from a 10,000-row backlog, and the dashboard's overview (today per site)
//! and a name search over 1,000,000 generated check-ins, p50/p95 over real HTTP requests.
//!
//!   cargo bench --bench fleet             (FLEET_BENCH_ROWS, FLEET_BENCH_BACKLOG to resize)
//!
//! Under `cargo test` it does nothing: it needs PostgreSQL and minutes.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and tools may panic

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use faceki_kiosk::checkin::{Checkin, CheckinLog, Retention};
use faceki_kiosk::faceki::{Outcome, Person};
use faceki_kiosk::fleet::dashboard::{self, ServeOptions};
use faceki_kiosk::fleet::devcluster::DevCluster;
use faceki_kiosk::fleet::shipper::Shipper;
use faceki_kiosk::fleet::store::{self, Identity, Link, Roles};
use faceki_kiosk::fleet::{FleetStatus, Target, auth};

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        eprintln!("fleet bench: skipped under cargo test (run: cargo bench --bench fleet)");
        return;
    }
    let rows = env("FLEET_BENCH_ROWS", 1_000_000);
    let backlog = env("FLEET_BENCH_BACKLOG", 10_000);
    let cluster = DevCluster::start().expect("a throw-away PostgreSQL cluster");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let url = cluster.superuser_url("bench");
    rt.block_on(async {
        let admin = Target::parse(&cluster.superuser_url("postgres"))
            .unwrap()
            .connect()
            .await
            .unwrap();
        // One statement per call: several in one run as a transaction, and CREATE DATABASE
        // refuses that.
        for sql in [
            "CREATE DATABASE bench",
            "CREATE ROLE faceki_dashboard LOGIN PASSWORD 'dash'",
        ] {
            admin.batch_execute(sql).await.unwrap();
        }
        let mut owner = Target::parse(&url).unwrap().connect().await.unwrap();
        store::migrate(&mut owner, &Roles::default()).await.unwrap();
    });
    println!("| what | figure |\n| --- | --- |");
    // FLEET_BENCH_BACKLOG=0 skips the shipping figures (their set-up writes the backlog row
    // by row, as a kiosk does, which takes minutes).
    for batch in [100u32, 500, 2000].into_iter().filter(|_| backlog > 0) {
        let per_s = rt.block_on(ship(&url, backlog, batch));
        println!("| shipping {backlog} rows, batch {batch} | {per_s:.0} rows/s |");
    }
    rt.block_on(async {
        let t = Instant::now();
        generate(&url, rows).await;
        println!(
            "| generating {rows} rows + ANALYZE | {:.1} s |",
            t.elapsed().as_secs_f64()
        );
        let size = Target::parse(&url)
            .unwrap()
            .connect()
            .await
            .unwrap()
            .query_one(
                "SELECT pg_size_pretty(pg_total_relation_size('checkins')),
                        pg_size_pretty(pg_relation_size('checkins')),
                        pg_size_pretty(pg_indexes_size('checkins'))",
                &[],
            )
            .await
            .unwrap();
        println!(
            "| checkins table, {rows} rows | {} in all ({} heap, {} indexes) |",
            size.get::<_, String>(0),
            size.get::<_, String>(1),
            size.get::<_, String>(2)
        );
        let pool = dashboard::pool(
            Target::parse(&cluster.url("faceki_dashboard", "dash", "bench")).unwrap(),
            "",
        )
        .await
        .unwrap();
        let dash = dashboard::spawn(
            pool,
            SocketAddr::from(([127, 0, 0, 1], 0)),
            &ServeOptions::default(),
        )
        .await
        .unwrap();
        let cookie = login(&dash.url(), &url).await;
        let http = reqwest::Client::new();
        let q = dashboard::pages::urlencode("سبيسمن");
        for (what, path) in [
            (
                "overview (1,000 kiosks, today per site, chart)",
                "/".to_owned(),
            ),
            (
                "search: Arabic surname, all dates",
                format!("/checkins?q={q}"),
            ),
            (
                "search: Latin name part + site",
                "/checkins?q=hopper&site=Site+007".to_owned(),
            ),
            (
                "search: outcome + 7-day range, page 3",
                format!("/checkins?outcome=error&from={}&page=3", days_ago(7)),
            ),
            ("search: a name nobody has", "/checkins?q=zzzyx".to_owned()),
        ] {
            let (p50, p95) = latency(&http, &format!("{}{path}", dash.url()), &cookie, 100).await;
            println!("| {what} | p50 {p50:.1} ms, p95 {p95:.1} ms |");
        }
    });
}

/// A file-backed outbox with `n` unsent rows, shipped by the real shipper until empty.
async fn ship(url: &str, n: u64, batch: u32) -> f64 {
    let dir =
        std::env::temp_dir().join(format!("faceki-bench-ship-{}-{batch}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut log = CheckinLog::open_with(
        &dir.join("checkins.sqlite"),
        Retention {
            days: 30,
            outbox_cap: Some(1_000_000),
        },
    )
    .unwrap();
    let person = Person {
        full_name: "Eileen Marie Specimen".into(),
        local_name: Some("إيلين ماري سبيسمن".into()),
        document_id: Some("X00001234".into()),
        country: None,
        reference_id: Some("ref-1".into()),
        record_id: None,
        id_front_image: None,
    };
    let outcome = Outcome::Pass {
        person: Box::new(person),
    };
    for _ in 0..n {
        log.record(&Checkin::from_outcome(
            &outcome,
            Duration::from_millis(700),
            SystemTime::now(),
        ))
        .unwrap();
    }
    let shipper = Shipper {
        link: Arc::new(Link::new(Target::parse(url).unwrap())),
        log: Arc::new(Mutex::new(Some(log))),
        identity: Identity {
            site: "Bench".into(),
            kiosk: format!("batch-{batch}"),
        },
        batch_size: batch,
        status: Arc::new(FleetStatus::default()),
        wake: Arc::new(tokio::sync::Notify::new()),
    };
    // Connect first: the figure is the sending, not the handshake.
    shipper.link.client().await.unwrap();
    let t = Instant::now();
    while shipper.ship_some().await.unwrap() > 0 {}
    let per_s = n as f64 / t.elapsed().as_secs_f64();
    let _ = std::fs::remove_dir_all(&dir);
    per_s
}

/// `rows` check-ins over the last 30 days from 1,000 kiosks in 100 sites, in the order they
/// would arrive (oldest first, as shipping inserts them), 7 in 12 passes with names from
/// 8 x 25 x 8 first/middle/last names (Latin and Arabic); today gets its 1/30 share.
async fn generate(url: &str, rows: u64) {
    let client = Target::parse(url).unwrap().connect().await.unwrap();
    let first = [
        "Eileen", "Grace", "Omar", "Amina", "Yusuf", "Layla", "Khalid", "Noor",
    ];
    let first_ar = [
        "إيلين",
        "غريس",
        "عمر",
        "أمينة",
        "يوسف",
        "ليلى",
        "خالد",
        "نور",
    ];
    let last = [
        "Specimen", "Hopper", "Haddad", "Rahman", "Saleh", "Nasser", "Qureshi", "Farouk",
    ];
    let last_ar = [
        "سبيسمن",
        "هوبر",
        "حداد",
        "رحمن",
        "صالح",
        "ناصر",
        "قريشي",
        "فاروق",
    ];
    let arr = |v: &[&str]| {
        format!(
            "ARRAY[{}]",
            v.iter()
                .map(|s| format!("'{s}'"))
                .collect::<Vec<_>>()
                .join(",")
        )
    };
    // 8 x 8 names, each with one of 25 middle names: 1,600 people's names.
    let middle = "ARRAY['Marie','Ali','Ann','Hassan','Rose','Karim','Jane','Sami','Lee','Zaid','Mae','Adel','Joy','Fadi','Eve','Tariq','Kay','Nabil','Sue','Rami','Fay','Walid','Bea','Hadi','Ada']";
    let middle_ar = "ARRAY['ماري','علي','آن','حسن','روز','كريم','جين','سامي','لي','زيد','ماي','عادل','جوي','فادي','إيف','طارق','كاي','نبيل','سو','رامي','فاي','وليد','بيا','هادي','آدا']";
    client
        .batch_execute(&format!(
            "SET synchronous_commit = off;
             INSERT INTO checkins (uuid, site, kiosk, at, outcome, detail, code, duration_ms,
                 name, local_name, document_masked, reference_id)
             SELECT gen_random_uuid(), 'Site ' || lpad((k / 10)::text, 3, '0'), 'kiosk-' || k,
                    now() - interval '30 days' * ({rows} - i) / {rows} + random() * interval '1 minute' - interval '1 minute',
                    o, CASE o WHEN 'error' THEN 'timeout' WHEN 'retake' THEN 'too_small' ELSE '' END,
                    CASE o WHEN 'pass' THEN 0 WHEN 'no_match' THEN 8013 ELSE NULL END,
                    400 + (random() * 1500)::int,
                    CASE WHEN o = 'pass' THEN ({f})[1 + i % 8] || ' ' || ({m})[1 + (i / 8) % 25] || ' ' || ({l})[1 + (i / 200) % 8] END,
                    CASE WHEN o = 'pass' THEN ({fa})[1 + i % 8] || ' ' || ({ma})[1 + (i / 8) % 25] || ' ' || ({la})[1 + (i / 200) % 8] END,
                    CASE WHEN o = 'pass' THEN '•••••' || lpad((i % 10000)::text, 4, '0') END,
                    CASE WHEN o = 'pass' THEN 'ref-' || (i % 50000) END
             FROM (SELECT i, i % 1000 AS k,
                          (ARRAY['pass','pass','pass','pass','pass','pass','pass','no_match','no_match','retake','denied','error'])[1 + (i * 7) % 12] AS o
                   FROM generate_series(1, {rows}) AS i) AS g;
             INSERT INTO kiosks (site, kiosk, version, started_at, heartbeat_secs, camera,
                 counts_today, backlog, backlog_warn, liveness_mode, faceki_failing)
             SELECT 'Site ' || lpad((k / 10)::text, 3, '0'), 'kiosk-' || k, '0.1.0', now(), 30,
                    CASE WHEN k % 97 = 0 THEN 'disconnected' ELSE 'streaming' END,
                    '{{\"pass\": 20, \"no_match\": 3}}', k % 13, 1000, 'off', k % 89 = 0
             FROM generate_series(0, 999) AS k;
             ANALYZE checkins; ANALYZE kiosks;",
            f = arr(&first),
            fa = arr(&first_ar),
            l = arr(&last),
            la = arr(&last_ar),
            m = middle,
            ma = middle_ar,
        ))
        .await
        .unwrap();
}

fn days_ago(n: u64) -> String {
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    faceki_kiosk::checkin::civil_date(now / 86_400 - n)
}

async fn login(base: &str, owner_url: &str) -> String {
    let hash = auth::hash_password("bench password").unwrap();
    Target::parse(owner_url)
        .unwrap()
        .connect()
        .await
        .unwrap()
        .execute(
            "INSERT INTO dashboard_users (name, password_hash) VALUES ('bench', $1)",
            &[&hash],
        )
        .await
        .unwrap();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page = http.get(format!("{base}/login")).send().await.unwrap();
    let cookie = |r: &reqwest::Response, name: &str| -> String {
        r.headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|v| v.strip_prefix(&format!("{name}=")))
            .map(|v| v.split(';').next().unwrap_or("").to_owned())
            .unwrap()
    };
    let login_cookie = cookie(&page, "fk_login");
    let html = page.text().await.unwrap();
    let csrf = html
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_owned();
    let body = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("user", "bench")
        .append_pair("password", "bench password")
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
    format!("fk_session={}", cookie(&r, "fk_session"))
}

/// p50 and p95 in ms of `n` sequential GETs (after 5 to warm up).
async fn latency(http: &reqwest::Client, url: &str, cookie: &str, n: usize) -> (f64, f64) {
    let mut ms = Vec::with_capacity(n);
    for i in 0..n + 5 {
        let t = Instant::now();
        let r = http.get(url).header("cookie", cookie).send().await.unwrap();
        assert!(r.status().is_success(), "{url}: {}", r.status());
        let body = r.bytes().await.unwrap();
        assert!(!body.is_empty());
        if i >= 5 {
            ms.push(t.elapsed().as_secs_f64() * 1000.0);
        }
    }
    ms.sort_by(f64::total_cmp);
    (ms[n / 2], ms[n * 95 / 100])
}
