//! A real PostgreSQL for the fleet tests: one throw-away cluster per test binary (started on
//! first use, stopped by its watchdog when the binary exits) and a fresh database per test.
//! Tests that stop the server start a cluster of their own.
#![allow(dead_code)]

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

use faceki_kiosk::fleet::Target;
use faceki_kiosk::fleet::devcluster::DevCluster;
use faceki_kiosk::fleet::store::{self, Roles};

pub const KIOSK_PASSWORD: &str = "kiosk-pw-1";
pub const DASHBOARD_PASSWORD: &str = "dash-pw-1";

/// PostgreSQL's server, or why there is none. In CI (FACEKI_CI=1) a missing server fails.
pub fn available() -> bool {
    match faceki_kiosk::fleet::devcluster::server_bin() {
        Ok(_) => true,
        Err(e) if std::env::var("FACEKI_CI").as_deref() == Ok("1") => panic!("{e}"),
        Err(e) => {
            eprintln!("skipped: {e}");
            false
        }
    }
}

pub fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// The binary's shared cluster, with the kiosk and dashboard roles made.
pub fn shared() -> &'static DevCluster {
    static CLUSTER: OnceLock<DevCluster> = OnceLock::new();
    CLUSTER.get_or_init(|| {
        let c = DevCluster::start().expect("a throw-away PostgreSQL cluster");
        create_roles(&c);
        c
    })
}

pub fn create_roles(c: &DevCluster) {
    rt().block_on(async {
        let client = connect(&c.superuser_url("postgres")).await;
        client
            .batch_execute(&format!(
                "CREATE ROLE faceki_kiosk LOGIN PASSWORD '{KIOSK_PASSWORD}';
                 CREATE ROLE faceki_dashboard LOGIN PASSWORD '{DASHBOARD_PASSWORD}';
                 ALTER ROLE faceki_dashboard SET default_transaction_read_only = on;"
            ))
            .await
            .unwrap();
    });
}

pub async fn connect(url: &str) -> tokio_postgres::Client {
    Target::parse(url).unwrap().connect().await.unwrap()
}

/// A migrated database of its own, and the URLs to reach it as each role.
pub struct TestDb {
    pub name: String,
    pub owner: String,
    pub kiosk: String,
    pub dashboard: String,
}

/// A database of its own, not migrated: its name.
pub fn empty_db(c: &DevCluster) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    let name = format!("fleet_{}", N.fetch_add(1, Ordering::Relaxed));
    rt().block_on(async {
        let admin = connect(&c.superuser_url("postgres")).await;
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .unwrap();
    });
    name
}

pub fn fresh_db(c: &DevCluster) -> TestDb {
    let name = empty_db(c);
    rt().block_on(async {
        let mut owner = connect(&c.superuser_url(&name)).await;
        let m = store::migrate(&mut owner, &Roles::default()).await.unwrap();
        assert_eq!(m.granted.len(), 2, "{m:?}");
    });
    TestDb {
        owner: c.superuser_url(&name),
        kiosk: c.url("faceki_kiosk", KIOSK_PASSWORD, &name),
        dashboard: c.url("faceki_dashboard", DASHBOARD_PASSWORD, &name),
        name,
    }
}

/// Runs one query as the owner and returns the first column of the first row.
pub fn scalar(url: &str, sql: &str) -> i64 {
    rt().block_on(async {
        let c = connect(url).await;
        c.query_one(sql, &[]).await.unwrap().get::<_, i64>(0)
    })
}

pub fn exec(url: &str, sql: &str) {
    rt().block_on(async {
        connect(url).await.batch_execute(sql).await.unwrap();
    })
}
