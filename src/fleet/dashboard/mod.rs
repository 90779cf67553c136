//! `faceki-kiosk fleet serve`: the head-office dashboard. Server-rendered pages (no
//! JavaScript), every page behind a login, a read-only database role and read-only
//! transactions on top of it.

pub mod chart;
pub mod light;
pub mod pages;
pub mod query;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::extract::{Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use serde::Deserialize;

use super::auth::{self, Auth, Session};
use super::{FleetError, Target, store};

const SESSION_COOKIE: &str = "fk_session";
const LOGIN_COOKIE: &str = "fk_login";
const PAGE_SIZE: i64 = 50;
/// A CSV export holds at most this many rows (narrow the search for more).
pub const CSV_MAX_ROWS: i64 = 100_000;

/// How the dashboard is served.
#[derive(Debug, Clone, Default)]
pub struct ServeOptions {
    /// PEM certificate chain and key: serve HTTPS ourselves.
    pub tls: Option<(PathBuf, PathBuf)>,
    /// Behind a proxy that speaks HTTPS to browsers: cookies get `Secure` all the same.
    pub secure_cookies: bool,
    /// Time zone for "today" and shown times (empty: the database server's).
    pub timezone: String,
}

pub struct Dashboard {
    pool: Pool,
    auth: Auth,
    secure_cookies: bool,
}

/// A pool of read-only connections, the schema checked first (newer or older: refused).
pub async fn pool(mut target: Target, timezone: &str) -> Result<Pool, FleetError> {
    let mut options = String::from("-c default_transaction_read_only=on");
    let tz = timezone.trim();
    if !tz.is_empty() {
        let ok = tz
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '_' | '+' | '-'));
        if !ok {
            return Err(FleetError::Config(format!(
                "[fleet] timezone {tz:?} is not a time zone name"
            )));
        }
        options.push_str(&format!(" -c TimeZone={tz}"));
    }
    target.config_mut().options(&options);
    target
        .config_mut()
        .application_name("faceki-kiosk dashboard");
    let client = target.connect().await?;
    store::check_schema(&client).await?;
    drop(client);
    let mgr = Manager::from_config(
        target.config().clone(),
        target.tls(),
        ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        },
    );
    Pool::builder(mgr)
        .max_size(8)
        .build()
        .map_err(|e| FleetError::Config(e.to_string()))
}

pub fn router(pool: Pool, opts: &ServeOptions) -> Router {
    let state = Arc::new(Dashboard {
        pool,
        auth: Auth::default(),
        secure_cookies: opts.secure_cookies || opts.tls.is_some(),
    });
    let private = Router::new()
        .route("/", get(overview))
        .route("/checkins", get(checkins))
        .route("/checkins.csv", get(checkins_csv))
        .route("/logout", post(logout))
        .route_layer(middleware::from_fn_with_state(
            Arc::clone(&state),
            require_session,
        ));
    Router::new()
        .route("/login", get(login_page).post(login))
        .route("/fonts/{file}", get(font))
        .merge(private)
        .layer(middleware::from_fn(security_headers))
        .with_state(state)
}

/// A running dashboard (tests and `fleet demo`); dropped, it stops.
pub struct DashboardHandle {
    pub addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl DashboardHandle {
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for DashboardHandle {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Binds `listen` and serves in the background on the current runtime (plain HTTP).
pub async fn spawn(
    pool: Pool,
    listen: SocketAddr,
    opts: &ServeOptions,
) -> std::io::Result<DashboardHandle> {
    let listener = tokio::net::TcpListener::bind(listen).await?;
    let addr = listener.local_addr()?;
    let app = router(pool, opts);
    let task = tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!(error = %e, "dashboard stopped");
        }
    });
    Ok(DashboardHandle { addr, task })
}

/// Serves until the process ends: HTTPS with `opts.tls`, else plain HTTP.
pub async fn serve(pool: Pool, listen: SocketAddr, opts: &ServeOptions) -> Result<(), FleetError> {
    let io = |e: std::io::Error| FleetError::Config(format!("dashboard on {listen}: {e}"));
    let app = router(pool, opts);
    let tcp = tokio::net::TcpListener::bind(listen).await.map_err(io)?;
    match &opts.tls {
        Some((cert, key)) => {
            let acceptor = tls_acceptor(cert, key)?;
            tracing::info!(addr = %listen, "dashboard at https://{listen}/");
            axum::serve(tls::TlsListener::new(tcp, acceptor), app)
                .await
                .map_err(io)
        }
        None => {
            tracing::info!(addr = %listen, "dashboard at http://{listen}/");
            axum::serve(tcp, app).await.map_err(io)
        }
    }
}

fn tls_acceptor(
    cert: &std::path::Path,
    key: &std::path::Path,
) -> Result<tokio_rustls::TlsAcceptor, FleetError> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let bad = |what: &std::path::Path, e: &dyn std::fmt::Display| {
        FleetError::Tls(format!("{}: {e}", what.display()))
    };
    let chain = CertificateDer::pem_file_iter(cert)
        .map_err(|e| bad(cert, &e))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| bad(cert, &e))?;
    let key_der = PrivateKeyDer::from_pem_file(key).map_err(|e| bad(key, &e))?;
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| FleetError::Tls(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(chain, key_der)
        .map_err(|e| FleetError::Tls(e.to_string()))?;
    Ok(tokio_rustls::TlsAcceptor::from(Arc::new(config)))
}

mod tls {
    //! HTTPS for axum: handshakes run in their own tasks (with a time limit), so a slow
    //! client cannot hold up the others.
    use std::net::SocketAddr;
    use std::time::Duration;

    use tokio::net::{TcpListener, TcpStream};
    use tokio::sync::mpsc;
    use tokio_rustls::TlsAcceptor;
    use tokio_rustls::server::TlsStream;

    pub struct TlsListener {
        local: std::io::Result<SocketAddr>,
        rx: mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
    }

    impl TlsListener {
        pub fn new(tcp: TcpListener, acceptor: TlsAcceptor) -> Self {
            let local = tcp.local_addr();
            let (tx, rx) = mpsc::channel(64);
            tokio::spawn(async move {
                loop {
                    let (stream, peer) = match tcp.accept().await {
                        Ok(x) => x,
                        Err(e) => {
                            tracing::debug!(error = %e, "accept failed");
                            tokio::time::sleep(Duration::from_millis(50)).await;
                            continue;
                        }
                    };
                    let (acceptor, tx) = (acceptor.clone(), tx.clone());
                    tokio::spawn(async move {
                        let hs =
                            tokio::time::timeout(Duration::from_secs(10), acceptor.accept(stream));
                        match hs.await {
                            Ok(Ok(tls)) => {
                                let _ = tx.send((tls, peer)).await;
                            }
                            Ok(Err(e)) => {
                                tracing::debug!(%peer, error = %e, "TLS handshake failed")
                            }
                            Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
                        }
                    });
                }
            });
            Self { local, rx }
        }
    }

    impl axum::serve::Listener for TlsListener {
        type Io = TlsStream<TcpStream>;
        type Addr = SocketAddr;

        async fn accept(&mut self) -> (Self::Io, Self::Addr) {
            loop {
                if let Some(x) = self.rx.recv().await {
                    return x;
                }
                // The acceptor task is gone: nothing will come again.
                std::future::pending::<()>().await;
            }
        }

        fn local_addr(&self) -> std::io::Result<Self::Addr> {
            match &self.local {
                Ok(a) => Ok(*a),
                Err(e) => Err(std::io::Error::new(e.kind(), e.to_string())),
            }
        }
    }
}

/// No scripts at all, nothing from elsewhere, no framing, nothing cached.
async fn security_headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    let set = |h: &mut HeaderMap, k: header::HeaderName, v: &'static str| {
        h.insert(k, HeaderValue::from_static(v));
    };
    set(
        h,
        header::CONTENT_SECURITY_POLICY,
        "default-src 'none'; style-src 'unsafe-inline'; font-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    );
    set(h, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    // Not no-referrer: under it browsers send `Origin: null` with our own forms.
    set(h, header::REFERRER_POLICY, "same-origin");
    set(h, header::X_FRAME_OPTIONS, "DENY");
    if !h.contains_key(header::CACHE_CONTROL) {
        set(h, header::CACHE_CONTROL, "no-store");
    }
    res
}

fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

impl Dashboard {
    fn secure(&self, headers: &HeaderMap) -> bool {
        self.secure_cookies
            || headers
                .get("x-forwarded-proto")
                .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"https"))
    }

    fn set_cookie(
        &self,
        headers: &HeaderMap,
        name: &str,
        value: &str,
        path: &str,
        max_age: u64,
    ) -> HeaderValue {
        let secure = if self.secure(headers) { "; Secure" } else { "" };
        let v = format!(
            "{name}={value}; Path={path}; Max-Age={max_age}; HttpOnly; SameSite=Strict{secure}"
        );
        HeaderValue::from_str(&v).unwrap_or_else(|_| HeaderValue::from_static(""))
    }
}

/// A POST must come from our own pages: an `Origin` (browsers send it) naming another site is
/// refused, on top of SameSite cookies and the form's token.
fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    let origin_host = origin.split_once("://").map(|(_, rest)| rest);
    matches!((origin_host, host), (Some(o), Some(h)) if o.eq_ignore_ascii_case(h))
}

async fn require_session(
    State(d): State<Arc<Dashboard>>,
    mut req: Request,
    next: Next,
) -> Response {
    let session = cookie(req.headers(), SESSION_COOKIE).and_then(|id| {
        d.auth
            .session(id, Instant::now())
            .map(|s| (id.to_owned(), s))
    });
    match session {
        Some((id, s)) => {
            req.extensions_mut().insert(SessionId(id));
            req.extensions_mut().insert(s);
            next.run(req).await
        }
        None => Redirect::to("/login").into_response(),
    }
}

#[derive(Clone)]
struct SessionId(String);

async fn login_page(State(d): State<Arc<Dashboard>>, headers: HeaderMap) -> Response {
    if cookie(&headers, SESSION_COOKIE)
        .is_some_and(|id| d.auth.session(id, Instant::now()).is_some())
    {
        return Redirect::to("/").into_response();
    }
    login_form(&d, &headers, None, StatusCode::OK)
}

/// The login form with a fresh token in a cookie and in the form (double submit).
fn login_form(
    d: &Dashboard,
    headers: &HeaderMap,
    message: Option<&str>,
    status: StatusCode,
) -> Response {
    let token = auth::new_token();
    let mut res = (status, Html(pages::login(&token, message).into_string())).into_response();
    res.headers_mut().append(
        header::SET_COOKIE,
        d.set_cookie(headers, LOGIN_COOKIE, &token, "/login", 3600),
    );
    res
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    user: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    csrf: String,
}

async fn login(
    State(d): State<Arc<Dashboard>>,
    headers: HeaderMap,
    axum::Form(form): axum::Form<LoginForm>,
) -> Response {
    let token_ok = cookie(&headers, LOGIN_COOKIE).is_some_and(|c| auth::same_token(c, &form.csrf));
    if !same_origin(&headers) || !token_ok {
        return login_form(
            &d,
            &headers,
            Some("The form expired. Please log in again."),
            StatusCode::FORBIDDEN,
        );
    }
    let user = form.user.trim().to_owned();
    let now = Instant::now();
    if let Some(left) = d.auth.locked(&user, now) {
        let msg = format!(
            "Too many wrong passwords: this account is locked for {} more minutes.",
            left.as_secs().div_ceil(60)
        );
        return login_form(&d, &headers, Some(&msg), StatusCode::TOO_MANY_REQUESTS);
    }
    let stored = match stored_hash(&d.pool, &user).await {
        Ok(h) => h,
        Err(e) => {
            tracing::error!(error = %e, "login: users could not be read");
            return login_form(
                &d,
                &headers,
                Some("The fleet database cannot be reached. Try again shortly."),
                StatusCode::SERVICE_UNAVAILABLE,
            );
        }
    };
    let password = form.password;
    let ok =
        tokio::task::spawn_blocking(move || auth::verify_password(&password, stored.as_deref()))
            .await
            .unwrap_or(false);
    if !ok {
        let locked = d.auth.failed(&user, Instant::now());
        tracing::warn!(user = %user.chars().take(64).collect::<String>(), locked, "dashboard login failed");
        let msg = if locked {
            format!(
                "Too many wrong passwords: this account is locked for {} minutes.",
                auth::LOCKOUT.as_secs() / 60
            )
        } else {
            "Wrong user name or password.".to_owned()
        };
        let status = if locked {
            StatusCode::TOO_MANY_REQUESTS
        } else {
            StatusCode::UNAUTHORIZED
        };
        return login_form(&d, &headers, Some(&msg), status);
    }
    d.auth.succeeded(&user);
    let (id, _) = d.auth.open(&user, Instant::now());
    tracing::info!(user = %user, "dashboard login");
    let mut res = Redirect::to("/").into_response();
    let ttl = auth::SESSION_TTL.as_secs();
    res.headers_mut().append(
        header::SET_COOKIE,
        d.set_cookie(&headers, SESSION_COOKIE, &id, "/", ttl),
    );
    res.headers_mut().append(
        header::SET_COOKIE,
        d.set_cookie(&headers, LOGIN_COOKIE, "", "/login", 0),
    );
    res
}

async fn stored_hash(pool: &Pool, user: &str) -> Result<Option<String>, FleetError> {
    let client = pool
        .get()
        .await
        .map_err(|e| FleetError::Task(e.to_string()))?;
    let row = client
        .query_opt(
            "SELECT password_hash FROM dashboard_users WHERE lower(name) = lower($1)",
            &[&user],
        )
        .await?;
    Ok(row.map(|r| r.get(0)))
}

#[derive(Deserialize)]
struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

async fn logout(
    State(d): State<Arc<Dashboard>>,
    headers: HeaderMap,
    axum::Extension(session): axum::Extension<Session>,
    axum::Extension(SessionId(id)): axum::Extension<SessionId>,
    axum::Form(form): axum::Form<CsrfForm>,
) -> Response {
    if !same_origin(&headers) || !auth::same_token(&session.csrf, &form.csrf) {
        return (StatusCode::FORBIDDEN, "This form expired; reload the page.").into_response();
    }
    d.auth.close(&id);
    let mut res = Redirect::to("/login").into_response();
    res.headers_mut().append(
        header::SET_COOKIE,
        d.set_cookie(&headers, SESSION_COOKIE, "", "/", 0),
    );
    res
}

fn db_error(e: &FleetError) -> Response {
    tracing::error!(error = %e, "dashboard query failed");
    (
        StatusCode::SERVICE_UNAVAILABLE,
        Html(format!(
            "<!DOCTYPE html><title>Unavailable</title><p>The fleet database cannot be read right now: {}</p>",
            maud::html! { (e.to_string()) }.into_string()
        )),
    )
        .into_response()
}

async fn overview(
    State(d): State<Arc<Dashboard>>,
    axum::Extension(session): axum::Extension<Session>,
) -> Response {
    // Three connections of the pool at once: the page waits for the slowest, not the sum.
    let read = futures_util::future::try_join3(
        query::kiosks(&d.pool),
        query::today_by_site(&d.pool),
        query::today_by_hour(&d.pool),
    );
    let (kiosks, by_site, hours) = match read.await {
        Ok(x) => x,
        Err(e) => return db_error(&e),
    };
    let svg = chart::per_hour_svg(&hours).unwrap_or_else(|e| {
        tracing::warn!(error = %e, "chart not drawn");
        String::new()
    });
    Html(
        pages::overview(&pages::Overview {
            user: &session.user,
            csrf: &session.csrf,
            kiosks: &kiosks,
            by_site: &by_site,
            chart_svg: &svg,
        })
        .into_string(),
    )
    .into_response()
}

/// The search form's fields, as they come.
#[derive(Debug, Default, Deserialize)]
pub struct SearchParams {
    #[serde(default)]
    q: String,
    #[serde(default)]
    site: String,
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    page: Option<i64>,
}

impl SearchParams {
    /// Checked search, and the query string that repeats it (without the page).
    fn parse(&self) -> Result<(query::Search, String), String> {
        let opt = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        let date = |s: &str, what: &str| -> Result<Option<String>, String> {
            opt(s)
                .map(|d| {
                    crate::checkin::parse_date(&d)
                        .map_err(|_| format!("{what}: not a date (YYYY-MM-DD)"))
                })
                .transpose()
        };
        let outcome = opt(&self.outcome);
        if let Some(o) = &outcome {
            if !pages::OUTCOMES.contains(&o.as_str()) {
                return Err(format!("unknown outcome {o:?}"));
            }
        }
        let s = query::Search {
            name: opt(&self.q).map(|n| n.chars().take(100).collect()),
            site: opt(&self.site),
            outcome,
            from: date(&self.from, "From")?,
            to: date(&self.to, "To")?,
        };
        let enc = |v: &Option<String>| pages::urlencode(v.as_deref().unwrap_or(""));
        let qs = format!(
            "q={}&site={}&outcome={}&from={}&to={}",
            enc(&s.name),
            enc(&s.site),
            enc(&s.outcome),
            enc(&s.from),
            enc(&s.to)
        );
        Ok((s, qs))
    }
}

async fn checkins(
    State(d): State<Arc<Dashboard>>,
    axum::Extension(session): axum::Extension<Session>,
    Query(params): Query<SearchParams>,
) -> Response {
    let page = params.page.unwrap_or(1).clamp(1, 100_000);
    let (search, qs, error) = match params.parse() {
        Ok((s, qs)) => (s, qs, None),
        Err(e) => (query::Search::default(), String::new(), Some(e)),
    };
    let sites = match query::sites(&d.pool).await {
        Ok(s) => s,
        Err(e) => return db_error(&e),
    };
    let mut rows = if error.is_some() {
        Vec::new()
    } else {
        match query::search(&d.pool, &search, PAGE_SIZE + 1, (page - 1) * PAGE_SIZE).await {
            Ok(r) => r,
            Err(e) => return db_error(&e),
        }
    };
    let more = rows.len() as i64 > PAGE_SIZE;
    rows.truncate(PAGE_SIZE as usize);
    Html(
        pages::checkins(&pages::CheckinsPage {
            user: &session.user,
            csrf: &session.csrf,
            search: &search,
            sites: &sites,
            rows: &rows,
            page,
            more,
            query: &qs,
            error: error.as_deref(),
        })
        .into_string(),
    )
    .into_response()
}

/// The search as CSV, like the kiosk's own export (BOM, RFC 4180, formulas defused) with the
/// site and kiosk added.
pub const CSV_HEADER: [&str; 12] = [
    "time",
    "site",
    "kiosk",
    "outcome",
    "detail",
    "faceki_code",
    "duration_ms",
    "name",
    "local_name",
    "document_masked",
    "reference_id",
    "uuid",
];

async fn checkins_csv(
    State(d): State<Arc<Dashboard>>,
    Query(params): Query<SearchParams>,
) -> Response {
    let search = match params.parse() {
        Ok((s, _)) => s,
        Err(e) => return (StatusCode::BAD_REQUEST, e).into_response(),
    };
    let rows = match query::search(&d.pool, &search, CSV_MAX_ROWS, 0).await {
        Ok(r) => r,
        Err(e) => return db_error(&e),
    };
    let mut out = Vec::new();
    let d = crate::checkin::defuse;
    let opt = |s: &Option<String>| d(s.as_deref().unwrap_or(""));
    let written = crate::checkin::write_table(
        &CSV_HEADER,
        rows.iter().map(|r| {
            vec![
                r.time.clone(),
                d(&r.site),
                d(&r.kiosk),
                r.outcome.clone(),
                r.detail.clone(),
                r.code.map(|c| c.to_string()).unwrap_or_default(),
                r.duration_ms.to_string(),
                opt(&r.name),
                opt(&r.local_name),
                opt(&r.document_masked),
                opt(&r.reference_id),
                r.uuid.clone(),
            ]
        }),
        &mut out,
    );
    if let Err(e) = written {
        return (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response();
    }
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"checkins.csv\"",
            ),
        ],
        out,
    )
        .into_response()
}

const ARABIC: &[u8] = include_bytes!("../../../assets/fonts/NotoNaskhArabic-Regular.ttf");
const ARABIC_BOLD: &[u8] = include_bytes!("../../../assets/fonts/NotoNaskhArabic-Bold.ttf");

/// The kiosk's own Arabic font, so names render right in any browser (public: no data).
async fn font(axum::extract::Path(file): axum::extract::Path<String>) -> Response {
    let bytes = match file.as_str() {
        "arabic.ttf" => ARABIC,
        "arabic-bold.ttf" => ARABIC_BOLD,
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    (
        [
            (header::CONTENT_TYPE, "font/ttf"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        bytes,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_found_by_name() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; fk_session=abc; b=2"),
        );
        assert_eq!(cookie(&h, SESSION_COOKIE), Some("abc"));
        assert_eq!(cookie(&h, "c"), None);
    }

    #[test]
    fn cross_site_posts_are_refused() {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, HeaderValue::from_static("dash.example:8080"));
        assert!(same_origin(&h));
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("http://dash.example:8080"),
        );
        assert!(same_origin(&h));
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("https://evil.example"),
        );
        assert!(!same_origin(&h));
    }

    #[test]
    fn search_params_are_checked() {
        let p = SearchParams {
            q: " إيلين ".into(),
            from: "2026-12-01".into(),
            ..SearchParams::default()
        };
        let (s, qs) = p.parse().unwrap();
        assert_eq!(s.name.as_deref(), Some("إيلين"));
        assert!(qs.starts_with("q=%D8%A5"), "{qs}");
        let bad = SearchParams {
            from: "1 Dec".into(),
            ..SearchParams::default()
        };
        assert!(bad.parse().is_err());
        let bad = SearchParams {
            outcome: "'; drop".into(),
            ..SearchParams::default()
        };
        assert!(bad.parse().is_err());
    }
}
