//! The FACEKI simulator: a real HTTP server with FACEKI's token and face-check endpoints.
//!
//! It validates what the real service would (credentials, bearer token and its expiry, the
//! multipart part name, a decodable image) and answers with FACEKI's shapes according to the
//! current [`Scenario`]. It is part of the product: `faceki-kiosk sim` serves it and the demo
//! mode runs it in-process. Control endpoints live under `/sim/`.

mod scenario;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Json;
use axum::Router;
use axum::body::Body;
use axum::extract::{Multipart, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

pub use scenario::{IdImageMode, Scenario, UnknownScenario};

const SAMPLE_MATCH: &str = include_str!("../../assets/sim/face_check_match.json");
const ID_FRONT_PNG: &[u8] = include_bytes!("../../assets/sim/id_front.png");

/// The identity on the bundled specimen ID card, which the simulator's matches return.
pub mod specimen {
    pub const FULL_NAME: &str = "Eileen Marie Specimen";
    pub const LOCAL_NAME: &str = "إيلين ماري سبيسمن";
    pub const DOCUMENT_ID: &str = "X00000000";
    pub const DOB: &str = "19.11.1956";
    pub const COUNTRY: &str = "Republic of Example";
    pub const REFERENCE_ID: &str = "sim-581de82ea2ee0ed36b907113";
}

/// Demo credentials: what `faceki-kiosk sim` accepts unless told otherwise.
pub const DEMO_CLIENT_ID: &str = "demo-client";
pub const DEMO_CLIENT_SECRET: &str = "demo-secret";

#[derive(Debug, Clone)]
pub struct SimConfig {
    pub client_id: String,
    pub client_secret: String,
    /// `expires_in` of the tokens it hands out.
    pub token_ttl: Duration,
    pub scenario: Scenario,
    pub id_image: IdImageMode,
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            client_id: DEMO_CLIENT_ID.into(),
            client_secret: DEMO_CLIENT_SECRET.into(),
            token_ttl: Duration::from_secs(3600),
            scenario: Scenario::Match,
            id_image: IdImageMode::Ok,
        }
    }
}

/// Request counters, readable at `GET /sim/stats`.
#[derive(Debug, Default, Serialize, Deserialize, Clone, Copy, PartialEq, Eq)]
pub struct SimStats {
    pub token_requests: u64,
    pub tokens_issued: u64,
    /// Every POST to the face-check endpoint.
    pub face_check_requests: u64,
    /// Those that passed auth and validation: what FACEKI would bill.
    pub face_checks_billed: u64,
    pub unauthorized: u64,
    pub id_image_requests: u64,
    /// ID-image requests that carried an Authorization header (must stay 0).
    pub id_image_with_auth: u64,
}

#[derive(Default)]
struct Counters {
    token_requests: AtomicU64,
    tokens_issued: AtomicU64,
    face_check_requests: AtomicU64,
    face_checks_billed: AtomicU64,
    unauthorized: AtomicU64,
    id_image_requests: AtomicU64,
    id_image_with_auth: AtomicU64,
}

struct Mode {
    scenario: Scenario,
    id_image: IdImageMode,
}

struct SimState {
    cfg: SimConfig,
    base_url: String,
    mode: Mutex<Mode>,
    tokens: Mutex<HashMap<String, Instant>>,
    counters: Counters,
}

// A panic in one handler must not take the simulator down with poisoned locks.
use crate::lock;

impl SimState {
    fn stats(&self) -> SimStats {
        let c = &self.counters;
        let get = |a: &AtomicU64| a.load(Ordering::Relaxed);
        SimStats {
            token_requests: get(&c.token_requests),
            tokens_issued: get(&c.tokens_issued),
            face_check_requests: get(&c.face_check_requests),
            face_checks_billed: get(&c.face_checks_billed),
            unauthorized: get(&c.unauthorized),
            id_image_requests: get(&c.id_image_requests),
            id_image_with_auth: get(&c.id_image_with_auth),
        }
    }
}

/// A running simulator. Dropping it stops the server.
pub struct SimHandle {
    addr: SocketAddr,
    state: Arc<SimState>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl SimHandle {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`, to use as the FACEKI base URL.
    pub fn base_url(&self) -> String {
        self.state.base_url.clone()
    }

    pub fn stats(&self) -> SimStats {
        self.state.stats()
    }

    pub fn scenario(&self) -> Scenario {
        lock(&self.state.mode).scenario
    }

    pub fn set_scenario(&self, scenario: Scenario) {
        lock(&self.state.mode).scenario = scenario;
    }

    pub fn set_id_image(&self, mode: IdImageMode) {
        lock(&self.state.mode).id_image = mode;
    }

    /// Revokes every token handed out, as if they had all expired.
    pub fn expire_tokens(&self) {
        lock(&self.state.tokens).clear();
    }

    /// Stops accepting connections.
    pub fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

impl Drop for SimHandle {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Binds `addr` (port 0 for any) and serves on the current tokio runtime.
pub async fn start(cfg: SimConfig, addr: SocketAddr) -> std::io::Result<SimHandle> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let state = Arc::new(SimState {
        base_url: format!("http://{addr}"),
        mode: Mutex::new(Mode {
            scenario: cfg.scenario,
            id_image: cfg.id_image,
        }),
        cfg,
        tokens: Mutex::default(),
        counters: Counters::default(),
    });
    let app = router(Arc::clone(&state));
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        let served = axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = rx.await;
            })
            .await;
        if let Err(e) = served {
            tracing::error!(error = %e, "simulator stopped with an error");
        }
    });
    tracing::info!(%addr, "FACEKI simulator listening");
    Ok(SimHandle {
        addr,
        state,
        shutdown: Some(tx),
    })
}

fn router(state: Arc<SimState>) -> Router {
    Router::new()
        .route("/auth/api/access-token", get(token))
        .route("/facelink/api/face-check", post(face_check))
        .route("/sim/images/id-front.png", get(id_image))
        .route("/sim/stats", get(stats))
        .route("/sim/scenario", get(get_scenario).post(set_scenario))
        .route("/sim/expire-tokens", post(expire_tokens))
        .layer(axum::extract::DefaultBodyLimit::max(20 * 1024 * 1024))
        .with_state(state)
}

#[derive(Deserialize)]
struct TokenQuery {
    #[serde(rename = "clientId")]
    client_id: Option<String>,
    #[serde(rename = "clientSecret")]
    client_secret: Option<String>,
}

fn gateway_error(status: StatusCode, message: &str) -> Response {
    let body =
        json!({"status": false, "message": message, "statusCode": status.as_u16(), "data": {}});
    (status, Json(body)).into_response()
}

async fn token(State(st): State<Arc<SimState>>, Query(q): Query<TokenQuery>) -> Response {
    st.counters.token_requests.fetch_add(1, Ordering::Relaxed);
    let id = q.client_id.unwrap_or_default();
    let secret = q.client_secret.unwrap_or_default();
    if id.is_empty() {
        return gateway_error(StatusCode::UNPROCESSABLE_ENTITY, "client id is required");
    }
    if secret.is_empty() {
        return gateway_error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "client secret is required",
        );
    }
    // The body FACEKI sends for a wrong secret is unknown (API.md); this is a plausible guess.
    if id != st.cfg.client_id || secret != st.cfg.client_secret {
        return gateway_error(StatusCode::UNAUTHORIZED, "invalid client credentials");
    }
    let value: String = (0..40)
        .map(|_| char::from(b'a' + rand::random_range(0..26u8)))
        .collect();
    let token = format!("sim.{value}");
    lock(&st.tokens).insert(token.clone(), Instant::now() + st.cfg.token_ttl);
    st.counters.tokens_issued.fetch_add(1, Ordering::Relaxed);
    Json(json!({
        "responseCode": 0,
        "data": {"access_token": token, "expires_in": st.cfg.token_ttl.as_secs(), "token_type": "Bearer"}
    }))
    .into_response()
}

fn authorised(st: &SimState, headers: &HeaderMap) -> bool {
    let Some(token) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
    else {
        return false;
    };
    let mut tokens = lock(&st.tokens);
    match tokens.get(token) {
        Some(exp) if Instant::now() < *exp => true,
        Some(_) => {
            tokens.remove(token);
            false
        }
        None => false,
    }
}

fn code_reply(code: i64, message: &str) -> Response {
    Json(json!({"responseCode": code, "message": message, "data": {}})).into_response()
}

async fn face_check(
    State(st): State<Arc<SimState>>,
    headers: HeaderMap,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    st.counters
        .face_check_requests
        .fetch_add(1, Ordering::Relaxed);
    let scenario = lock(&st.mode).scenario;
    if !authorised(&st, &headers) || scenario == Scenario::Unauthorized {
        st.counters.unauthorized.fetch_add(1, Ordering::Relaxed);
        // A gateway reads the request before it answers. With the upload unread the server
        // closes on unread data, and the client may see a reset instead of this 401.
        if let Ok(mp) = multipart {
            let _ = read_selfie(mp).await;
        }
        // An API gateway's 401, not FACEKI's envelope.
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({"message": "Unauthorized"})),
        )
            .into_response();
    }
    let selfie = match multipart {
        Ok(mp) => read_selfie(mp).await,
        Err(_) => None,
    };
    let Some(selfie) = selfie else {
        return code_reply(8001, "NEED_REQUIRED_IMAGES");
    };
    if image::load_from_memory(&selfie).is_err() {
        return code_reply(8001, "NEED_REQUIRED_IMAGES");
    }
    st.counters
        .face_checks_billed
        .fetch_add(1, Ordering::Relaxed);
    tokio::time::sleep(scenario.delay()).await;
    reply(&st, scenario)
}

/// The bytes of the `selfie_image` part, if there is exactly such a file part.
async fn read_selfie(mut mp: Multipart) -> Option<bytes::Bytes> {
    let mut found = None;
    while let Ok(Some(field)) = mp.next_field().await {
        if field.name() == Some("selfie_image") {
            found = field.bytes().await.ok();
        }
    }
    found.filter(|b| !b.is_empty())
}

fn reply(st: &SimState, scenario: Scenario) -> Response {
    let html = "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>";
    match scenario {
        Scenario::Match | Scenario::Slow(_) => Json(match_body(
            st,
            &[record(st, "ACCEPTED", specimen::DOCUMENT_ID, 0)],
        ))
        .into_response(),
        Scenario::MatchSeveral => Json(match_body(
            st,
            &[
                record(st, "ACCEPTED", specimen::DOCUMENT_ID, 400),
                record(st, "ACCEPTED", specimen::DOCUMENT_ID, 0),
                record(st, "DECLINED", specimen::DOCUMENT_ID, 800),
            ],
        ))
        .into_response(),
        Scenario::NoMatch => Json(json!({
            "responseCode": 0,
            "data": {"face_verified": false, "all_face_ids": [], "kyc_records": []}
        }))
        .into_response(),
        Scenario::NotFound => code_reply(8013, "DATA_NOT_FOUND"),
        Scenario::Code(c) => code_reply(c, &format!("simulated code {c}")),
        Scenario::Denied => Json(match_body(
            st,
            &[record(st, "DECLINED", specimen::DOCUMENT_ID, 0)],
        ))
        .into_response(),
        Scenario::Ambiguous => {
            let mut other = record(st, "ACCEPTED", "Y11111111", 100);
            other["fullName"] = json!("Another Person");
            other["localName"] = json!("شخص آخر");
            Json(match_body(
                st,
                &[record(st, "ACCEPTED", specimen::DOCUMENT_ID, 0), other],
            ))
            .into_response()
        }
        Scenario::Quota => code_reply(8017, "KYC_VERIFICATION_LIMIT_REACHED"),
        Scenario::Unauthorized => (
            StatusCode::UNAUTHORIZED,
            Json(json!({"message": "Unauthorized"})),
        )
            .into_response(),
        Scenario::RateLimited => (
            StatusCode::TOO_MANY_REQUESTS,
            Json(json!({"message": "Too Many Requests"})),
        )
            .into_response(),
        Scenario::ServerError => (
            StatusCode::INTERNAL_SERVER_ERROR,
            Json(json!({"responseCode": 1000, "message": "INTERNAL_SYSTEM_ERROR"})),
        )
            .into_response(),
        Scenario::BadGateway => (
            StatusCode::BAD_GATEWAY,
            [(header::CONTENT_TYPE, "text/html")],
            html,
        )
            .into_response(),
        Scenario::Malformed => {
            let full =
                match_body(st, &[record(st, "ACCEPTED", specimen::DOCUMENT_ID, 0)]).to_string();
            let cut = full.len() / 2;
            (
                [(header::CONTENT_TYPE, "application/json")],
                full.as_bytes()[..cut].to_vec(),
            )
                .into_response()
        }
        Scenario::Html => ([(header::CONTENT_TYPE, "text/html")], html).into_response(),
        Scenario::Huge => huge_body("application/json"),
        Scenario::Empty => ([(header::CONTENT_TYPE, "application/json")], "").into_response(),
        Scenario::WrongType => ([(header::CONTENT_TYPE, "text/plain")], "OK").into_response(),
        Scenario::Reset => {
            let full =
                match_body(st, &[record(st, "ACCEPTED", specimen::DOCUMENT_ID, 0)]).to_string();
            let half = bytes::Bytes::from(full.as_bytes()[..full.len() / 2].to_vec());
            // The stream fails after the first half: hyper drops the connection mid-body.
            let stream = futures_util::stream::iter([
                Ok(half),
                Err(std::io::Error::new(
                    std::io::ErrorKind::ConnectionReset,
                    "simulated reset",
                )),
            ]);
            (
                [(header::CONTENT_TYPE, "application/json")],
                Body::from_stream(stream),
            )
                .into_response()
        }
    }
}

/// 64 MB streamed in 64 kB chunks: the client must stop reading, not buffer it.
fn huge_body(content_type: &'static str) -> Response {
    let chunk = bytes::Bytes::from(vec![b' '; 64 * 1024]);
    let stream =
        futures_util::stream::iter((0..1024).map(move |_| Ok::<_, std::io::Error>(chunk.clone())));
    (
        [(header::CONTENT_TYPE, content_type)],
        Body::from_stream(stream),
    )
        .into_response()
}

/// A KYC record from the real sample, re-dressed as the specimen card's person.
fn record(st: &SimState, status: &str, document_id: &str, age_days: u32) -> Value {
    let sample: Value = serde_json::from_str(SAMPLE_MATCH).unwrap_or(Value::Null);
    let mut rec = sample
        .pointer("/data/kyc_records/0")
        .cloned()
        .unwrap_or_else(|| json!({}));
    let stamp = format!(
        "2025-{:02}-{:02}T09:30:00.000Z",
        12 - (age_days / 100).min(11),
        28 - (age_days % 28)
    );
    let face_id = format!("sim-face-{document_id}");
    let fields = [
        ("_id", json!(format!("sim-{document_id}-{age_days}"))),
        ("faceID", json!(face_id)),
        ("fullName", json!(specimen::FULL_NAME)),
        ("localName", json!(specimen::LOCAL_NAME)),
        ("documentId", json!(document_id)),
        ("DOB", json!(specimen::DOB)),
        ("country", json!(specimen::COUNTRY)),
        ("countryCode", json!("EX")),
        ("countryCodeISO3", json!("EXA")),
        ("referenceId", json!(specimen::REFERENCE_ID)),
        ("status", json!(status)),
        ("deleteStatus", json!("ACTIVE")),
        (
            "idFrontImage",
            json!(format!("{}/sim/images/id-front.png", st.base_url)),
        ),
        (
            "idBackImage",
            json!(format!("{}/sim/images/id-front.png", st.base_url)),
        ),
        ("createdAt", json!(stamp)),
        ("updatedAt", json!(stamp)),
    ];
    if let Value::Object(map) = &mut rec {
        for (k, v) in fields {
            map.insert(k.to_owned(), v);
        }
    }
    rec
}

fn match_body(_st: &SimState, records: &[Value]) -> Value {
    let mut ids: Vec<Value> = records
        .iter()
        .filter_map(|r| r.get("faceID").cloned())
        .collect();
    ids.dedup();
    json!({
        "responseCode": 0,
        "data": {"face_verified": true, "all_face_ids": ids, "kyc_records": records}
    })
}

async fn id_image(State(st): State<Arc<SimState>>, headers: HeaderMap) -> Response {
    st.counters
        .id_image_requests
        .fetch_add(1, Ordering::Relaxed);
    if headers.contains_key(header::AUTHORIZATION) {
        st.counters
            .id_image_with_auth
            .fetch_add(1, Ordering::Relaxed);
    }
    let mode = lock(&st.mode).id_image;
    // S3's error bodies are XML.
    let s3_error = |status: StatusCode, code: &str| {
        (
            status,
            [(header::CONTENT_TYPE, "application/xml")],
            format!("<Error><Code>{code}</Code></Error>"),
        )
            .into_response()
    };
    match mode {
        IdImageMode::Ok => ([(header::CONTENT_TYPE, "image/png")], ID_FRONT_PNG).into_response(),
        IdImageMode::NotFound => s3_error(StatusCode::NOT_FOUND, "NoSuchKey"),
        IdImageMode::Forbidden => s3_error(StatusCode::FORBIDDEN, "AccessDenied"),
        IdImageMode::NotAnImage => {
            ([(header::CONTENT_TYPE, "image/png")], "this is not a png").into_response()
        }
        IdImageMode::Huge => huge_body("image/png"),
        IdImageMode::Slow => {
            tokio::time::sleep(Duration::from_secs(60)).await;
            ([(header::CONTENT_TYPE, "image/png")], ID_FRONT_PNG).into_response()
        }
    }
}

async fn stats(State(st): State<Arc<SimState>>) -> Json<SimStats> {
    Json(st.stats())
}

#[derive(Serialize, Deserialize)]
pub struct ScenarioBody {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scenario: Option<Scenario>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_image: Option<IdImageMode>,
}

async fn get_scenario(State(st): State<Arc<SimState>>) -> Json<Value> {
    let mode = lock(&st.mode);
    Json(json!({
        "scenario": mode.scenario,
        "id_image": mode.id_image,
        "available": Scenario::all(),
    }))
}

async fn set_scenario(
    State(st): State<Arc<SimState>>,
    body: Result<Json<ScenarioBody>, axum::extract::rejection::JsonRejection>,
) -> Response {
    let Ok(Json(body)) = body else {
        return (
            StatusCode::BAD_REQUEST,
            "expected {\"scenario\": NAME, \"id_image\": MODE}",
        )
            .into_response();
    };
    let mut mode = lock(&st.mode);
    if let Some(s) = body.scenario {
        mode.scenario = s;
    }
    if let Some(i) = body.id_image {
        mode.id_image = i;
    }
    tracing::info!(scenario = %mode.scenario, id_image = ?mode.id_image, "simulator scenario set");
    StatusCode::NO_CONTENT.into_response()
}

async fn expire_tokens(State(st): State<Arc<SimState>>) -> StatusCode {
    lock(&st.tokens).clear();
    StatusCode::NO_CONTENT
}
