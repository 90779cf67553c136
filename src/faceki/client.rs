//! The HTTP client for FACEKI's token and face-check endpoints, and the ID-image download.

use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use reqwest::StatusCode;
use thiserror::Error;
use url::Url;

use super::Secret;
use super::decision::{ErrorKind, Outcome, decide};
use super::wire::{TokenEnvelope, envelope};

/// FACEKI's production host (API.md). The development host is `https://apidev.facechain.org`.
pub const DEFAULT_BASE_URL: &str = "https://sdk.faceki.com";
const TOKEN_PATH: &str = "auth/api/access-token";
const CHECK_PATH: &str = "facelink/api/face-check";
/// The match reply in the sample is 5 kB; several records with KYC blobs stay far below this.
pub const MAX_REPLY_BYTES: usize = 4 * 1024 * 1024;
/// An ID-document photo from S3.
pub const MAX_IMAGE_BYTES: usize = 12 * 1024 * 1024;
/// The ID image is shown in a box on screen; more pixels only cost memory.
pub const ID_IMAGE_MAX_SIDE: u32 = 1024;

#[derive(Clone, Debug)]
pub struct ClientConfig {
    pub base_url: String,
    pub client_id: String,
    pub client_secret: Secret,
    /// For one face-check, from connect to the last byte of the reply.
    pub timeout: Duration,
    pub connect_timeout: Duration,
}

impl ClientConfig {
    pub fn new(
        base_url: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: Secret,
    ) -> Self {
        Self {
            base_url: base_url.into(),
            client_id: client_id.into(),
            client_secret,
            timeout: Duration::from_secs(60),
            connect_timeout: Duration::from_secs(10),
        }
    }
}

#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("the FACEKI base URL {0:?} is not a valid URL")]
    BadUrl(String),
    #[error("the FACEKI base URL {0:?} must use https (plain http only to this machine)")]
    Insecure(String),
    #[error("the FACEKI client id or client secret is not set")]
    MissingCredentials,
    #[error("could not set up HTTP: {0}")]
    Http(String),
}

#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum TokenError {
    #[error("FACEKI refused the credentials (HTTP {status}){}", fmt_msg(.message))]
    Refused {
        status: u16,
        message: Option<String>,
    },
    #[error("FACEKI's token service failed (HTTP {status}){}", fmt_msg(.message))]
    Service {
        status: u16,
        message: Option<String>,
    },
    #[error("the token reply could not be used: {0}")]
    Malformed(String),
    #[error("the token request timed out")]
    Timeout,
    #[error("FACEKI cannot be reached: {0}")]
    Unreachable(String),
    #[error("the token request failed: {0}")]
    Transport(String),
}

fn fmt_msg(m: &Option<String>) -> String {
    m.as_ref().map(|m| format!(": {m}")).unwrap_or_default()
}

impl TokenError {
    pub fn to_outcome(&self) -> Outcome {
        let kind = match self {
            Self::Refused { .. } => ErrorKind::Auth,
            Self::Service { .. } => ErrorKind::Service,
            Self::Malformed(_) => ErrorKind::Malformed,
            Self::Timeout => ErrorKind::Timeout,
            Self::Unreachable(_) => ErrorKind::Unreachable,
            Self::Transport(_) => ErrorKind::Transport,
        };
        Outcome::error(kind, None, format!("token: {self}"))
    }
}

#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum ImageError {
    #[error("no usable image URL")]
    BadUrl,
    #[error("image URL must use https")]
    Insecure,
    #[error("image request failed with HTTP {0}")]
    Status(u16),
    #[error("not an image (content type {0:?})")]
    NotAnImage(String),
    #[error("image larger than {0} bytes")]
    TooLarge(usize),
    #[error("image could not be decoded: {0}")]
    Decode(String),
    #[error("image request timed out")]
    Timeout,
    #[error("image request failed: {0}")]
    Transport(String),
}

/// A decoded ID-document image, RGBA8, at most [`ID_IMAGE_MAX_SIDE`] on its longer side.
#[derive(Clone, PartialEq, Eq)]
pub struct IdImage {
    pub width: u32,
    pub height: u32,
    pub rgba: Vec<u8>,
}

impl std::fmt::Debug for IdImage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "IdImage({}x{})", self.width, self.height)
    }
}

/// Counters that tests, the soak run and the admin panel read.
#[derive(Debug, Default)]
pub struct ClientStats {
    pub token_requests: AtomicU64,
    pub check_requests: AtomicU64,
}

struct CachedToken {
    token: Secret,
    refresh_at: Instant,
}

/// The FACEKI client. Cheap to share behind an `Arc`; all methods take `&self`.
pub struct FacekiClient {
    api: reqwest::Client,
    images: reqwest::Client,
    base: Url,
    cfg: ClientConfig,
    // Held across the token request, so concurrent callers share one fetch.
    token: tokio::sync::Mutex<Option<CachedToken>>,
    stats: Arc<ClientStats>,
}

/// `http` is allowed only to this machine (the simulator); everything else needs `https`.
pub fn url_is_allowed(url: &Url) -> bool {
    match url.scheme() {
        "https" => true,
        "http" => match url.host() {
            Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
            Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
            Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
            None => false,
        },
        _ => false,
    }
}

fn parse_base(raw: &str) -> Result<Url, ConfigError> {
    let mut s = raw.trim().to_owned();
    if !s.ends_with('/') {
        s.push('/');
    }
    let url = Url::parse(&s).map_err(|_| ConfigError::BadUrl(raw.to_owned()))?;
    if url.host().is_none() || url.cannot_be_a_base() {
        return Err(ConfigError::BadUrl(raw.to_owned()));
    }
    if !url_is_allowed(&url) {
        return Err(ConfigError::Insecure(raw.to_owned()));
    }
    Ok(url)
}

fn classify(err: &reqwest::Error) -> ErrorKind {
    if err.is_timeout() {
        ErrorKind::Timeout
    } else if err.is_connect() {
        ErrorKind::Unreachable
    } else {
        ErrorKind::Transport
    }
}

/// A reqwest error as text, without its URL: the token URL carries the client secret.
fn describe(err: reqwest::Error) -> String {
    let err = err.without_url();
    let mut text = err.to_string();
    let mut source = std::error::Error::source(&err);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

enum ReadError {
    TooLarge,
    Http(reqwest::Error),
}

/// Reads at most `cap` bytes of a body; a larger one is abandoned, not buffered.
async fn read_capped(mut resp: reqwest::Response, cap: usize) -> Result<Bytes, ReadError> {
    if resp.content_length().is_some_and(|n| n > cap as u64) {
        return Err(ReadError::TooLarge);
    }
    let mut buf = BytesMut::new();
    while let Some(chunk) = resp.chunk().await.map_err(ReadError::Http)? {
        if buf.len() + chunk.len() > cap {
            return Err(ReadError::TooLarge);
        }
        buf.extend_from_slice(&chunk);
    }
    Ok(buf.freeze())
}

impl FacekiClient {
    pub fn new(cfg: ClientConfig) -> Result<Self, ConfigError> {
        let base = parse_base(&cfg.base_url)?;
        if cfg.client_id.trim().is_empty() || cfg.client_secret.is_empty() {
            return Err(ConfigError::MissingCredentials);
        }
        let agent = concat!("faceki-kiosk/", env!("CARGO_PKG_VERSION"));
        // No redirects for the API: a redirect could carry the bearer token or the secret elsewhere.
        let api = reqwest::Client::builder()
            .user_agent(agent)
            .connect_timeout(cfg.connect_timeout)
            .timeout(cfg.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .https_only(false)
            .build()
            .map_err(|e| ConfigError::Http(describe(e)))?;
        let images = reqwest::Client::builder()
            .user_agent(agent)
            .connect_timeout(cfg.connect_timeout)
            .timeout(Duration::from_secs(30))
            .redirect(reqwest::redirect::Policy::custom(|attempt| {
                if attempt.previous().len() >= 3 {
                    attempt.error("too many redirects")
                } else if !url_is_allowed(attempt.url()) {
                    attempt.error("redirect to a non-https URL")
                } else {
                    attempt.follow()
                }
            }))
            .build()
            .map_err(|e| ConfigError::Http(describe(e)))?;
        Ok(Self {
            api,
            images,
            base,
            cfg,
            token: tokio::sync::Mutex::new(None),
            stats: Arc::default(),
        })
    }

    pub fn config(&self) -> &ClientConfig {
        &self.cfg
    }

    pub fn stats(&self) -> Arc<ClientStats> {
        Arc::clone(&self.stats)
    }

    fn endpoint(&self, path: &str) -> Url {
        // `base` ends with '/', so joining a relative path keeps any path prefix of the base.
        self.base.join(path).unwrap_or_else(|_| self.base.clone())
    }

    /// A valid token: the cached one, or a new one fetched once for all concurrent callers.
    pub async fn token(&self) -> Result<Secret, TokenError> {
        let mut slot = self.token.lock().await;
        if let Some(cached) = slot.as_ref().filter(|c| Instant::now() < c.refresh_at) {
            return Ok(cached.token.clone());
        }
        let (token, lifetime) = self.fetch_token().await?;
        // Refresh 60 s before expiry (API.md); short-lived tokens are refreshed at half-life.
        let margin = Duration::from_secs(60).min(lifetime / 2);
        *slot = Some(CachedToken {
            token: token.clone(),
            refresh_at: Instant::now() + lifetime - margin,
        });
        Ok(token)
    }

    /// Forget `stale` (refused by FACEKI) unless another caller already replaced it.
    async fn invalidate(&self, stale: &Secret) {
        let mut slot = self.token.lock().await;
        if slot.as_ref().is_some_and(|c| &c.token == stale) {
            *slot = None;
        }
    }

    /// Fetches a token without using the cache ("Test connection"). No paid call.
    pub async fn test_connection(&self) -> Result<Duration, TokenError> {
        self.fetch_token().await.map(|(_, lifetime)| lifetime)
    }

    async fn fetch_token(&self) -> Result<(Secret, Duration), TokenError> {
        self.stats.token_requests.fetch_add(1, Ordering::Relaxed);
        tracing::debug!("requesting a FACEKI access token");
        let mut url = self.endpoint(TOKEN_PATH);
        // Query parameters, URL-encoded, as every FACEKI SDK sends them (API.md).
        url.query_pairs_mut()
            .append_pair("clientId", &self.cfg.client_id)
            .append_pair("clientSecret", self.cfg.client_secret.expose());
        let resp = self
            .api
            .get(url)
            .timeout(self.cfg.timeout.min(Duration::from_secs(30)))
            .send()
            .await
            .map_err(|e| match classify(&e) {
                ErrorKind::Timeout => TokenError::Timeout,
                ErrorKind::Unreachable => TokenError::Unreachable(describe(e)),
                _ => TokenError::Transport(describe(e)),
            })?;
        let status = resp.status();
        let body = read_capped(resp, 64 * 1024).await.map_err(|e| match e {
            ReadError::TooLarge => TokenError::Malformed("reply too large".into()),
            ReadError::Http(e) if e.is_timeout() => TokenError::Timeout,
            ReadError::Http(e) => TokenError::Transport(describe(e)),
        })?;
        let json: Option<serde_json::Value> = serde_json::from_slice(&body).ok();
        let message = json.as_ref().and_then(envelope::message);
        if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS {
            return Err(TokenError::Service {
                status: status.as_u16(),
                message,
            });
        }
        let parsed: Option<TokenEnvelope> = json.and_then(|v| serde_json::from_value(v).ok());
        let data = parsed
            .filter(|_| status.is_success())
            .filter(|p| p.response_code.is_none_or(|c| c == 0))
            .and_then(|p| p.data)
            .filter(|d| d.access_token.as_ref().is_some_and(|t| !t.is_empty()));
        let Some(data) = data else {
            // API.md: any non-2xx or a body without data.access_token is a credential failure.
            return Err(TokenError::Refused {
                status: status.as_u16(),
                message,
            });
        };
        let Some(token) = data.access_token else {
            return Err(TokenError::Malformed("no access_token".into()));
        };
        let secs = data.expires_in.unwrap_or(3600.0).clamp(1.0, 86_400.0);
        tracing::info!(expires_in = secs, "got a FACEKI access token");
        Ok((token, Duration::from_secs_f64(secs)))
    }

    /// One face-check (a paid 1:N search) of a JPEG selfie. Never fails: every problem is an
    /// [`Outcome::Error`]. Retries only where FACEKI cannot have billed the call: once when the
    /// connection could not be made, and once with a fresh token after a 401/403.
    pub async fn face_check(&self, jpeg: Bytes) -> Outcome {
        let started = Instant::now();
        let mut refreshed = false;
        let outcome = loop {
            let token = match self.token().await {
                Ok(t) => t,
                Err(e) => break e.to_outcome(),
            };
            match self.post_selfie(&token, jpeg.clone()).await {
                Ok((status, _)) if matches!(status, 401 | 403) && !refreshed => {
                    tracing::info!(status, "face-check refused the token; refreshing once");
                    self.invalidate(&token).await;
                    refreshed = true;
                }
                Ok((status, body)) => break decide(status, &body),
                Err(outcome) => break outcome,
            }
        };
        tracing::info!(
            outcome = outcome.name(),
            code = outcome.code(),
            elapsed_ms = started.elapsed().as_millis() as u64,
            "face-check finished"
        );
        outcome
    }

    async fn post_selfie(&self, token: &Secret, jpeg: Bytes) -> Result<(u16, Bytes), Outcome> {
        let mut connect_retry_left = 1;
        loop {
            let part = reqwest::multipart::Part::stream(jpeg.clone())
                .file_name("selfie.jpg")
                .mime_str("image/jpeg")
                .map_err(|e| Outcome::error(ErrorKind::ClientBug, None, describe(e)))?;
            let form = reqwest::multipart::Form::new().part("selfie_image", part);
            self.stats.check_requests.fetch_add(1, Ordering::Relaxed);
            let sent = self
                .api
                .post(self.endpoint(CHECK_PATH))
                .bearer_auth(token.expose())
                .multipart(form)
                .send()
                .await;
            let resp = match sent {
                Ok(r) => r,
                // Never connected: FACEKI has not seen the request, so one retry costs nothing.
                Err(e) if e.is_connect() && !e.is_timeout() && connect_retry_left > 0 => {
                    connect_retry_left -= 1;
                    tracing::warn!(error = %describe(e), "could not connect to FACEKI; retrying once");
                    tokio::time::sleep(Duration::from_millis(300)).await;
                    continue;
                }
                Err(e) => {
                    let kind = classify(&e);
                    return Err(Outcome::error(kind, None, describe(e)));
                }
            };
            let status = resp.status().as_u16();
            return match read_capped(resp, MAX_REPLY_BYTES).await {
                Ok(body) => Ok((status, body)),
                Err(ReadError::TooLarge) => Err(Outcome::error(
                    ErrorKind::Malformed,
                    None,
                    format!("HTTP {status} with a reply over {MAX_REPLY_BYTES} bytes"),
                )),
                Err(ReadError::Http(e)) => Err(Outcome::error(classify(&e), None, describe(e))),
            };
        }
    }

    /// Downloads and decodes an ID-document image: plain GET, never with the FACEKI token.
    pub async fn fetch_id_image(&self, url: &str) -> Result<IdImage, ImageError> {
        let url = super::decision::normalise_image_url(url).ok_or(ImageError::BadUrl)?;
        let url = Url::parse(&url).map_err(|_| ImageError::BadUrl)?;
        if !url_is_allowed(&url) {
            return Err(ImageError::Insecure);
        }
        let transport = |e: reqwest::Error| {
            if e.is_timeout() {
                ImageError::Timeout
            } else {
                ImageError::Transport(describe(e))
            }
        };
        let resp = self.images.get(url).send().await.map_err(transport)?;
        if !resp.status().is_success() {
            return Err(ImageError::Status(resp.status().as_u16()));
        }
        let ctype = resp
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_ascii_lowercase();
        // S3 objects uploaded without a type come back as octet-stream; the decoder sniffs those.
        let acceptable = ctype.starts_with("image/")
            || ctype.starts_with("application/octet-stream")
            || ctype.starts_with("binary/octet-stream")
            || ctype.is_empty();
        if !acceptable {
            return Err(ImageError::NotAnImage(ctype));
        }
        let body = read_capped(resp, MAX_IMAGE_BYTES)
            .await
            .map_err(|e| match e {
                ReadError::TooLarge => ImageError::TooLarge(MAX_IMAGE_BYTES),
                ReadError::Http(e) => transport(e),
            })?;
        tokio::task::spawn_blocking(move || decode_id_image(&body))
            .await
            .map_err(|e| ImageError::Decode(e.to_string()))?
    }
}

/// Decodes with limits (a small file can claim huge dimensions) and shrinks for the screen.
pub fn decode_id_image(bytes: &[u8]) -> Result<IdImage, ImageError> {
    let mut reader = image::ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| ImageError::Decode(e.to_string()))?;
    if reader.format().is_none() {
        return Err(ImageError::NotAnImage("unknown format".into()));
    }
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(10_000);
    limits.max_image_height = Some(10_000);
    limits.max_alloc = Some(256 * 1024 * 1024);
    reader.limits(limits);
    let img = reader
        .decode()
        .map_err(|e| ImageError::Decode(e.to_string()))?;
    let img = if img.width().max(img.height()) > ID_IMAGE_MAX_SIDE {
        img.resize(
            ID_IMAGE_MAX_SIDE,
            ID_IMAGE_MAX_SIDE,
            image::imageops::FilterType::Triangle,
        )
    } else {
        img
    };
    let rgba = img.to_rgba8();
    Ok(IdImage {
        width: rgba.width(),
        height: rgba.height(),
        rgba: rgba.into_raw(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_only_to_loopback() {
        for ok in [
            "https://sdk.faceki.com",
            "http://127.0.0.1:8080",
            "http://localhost:1/x",
            "http://[::1]:9",
        ] {
            assert!(parse_base(ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://sdk.faceki.com",
            "http://192.168.1.2",
            "ftp://x.y",
            "sdk.faceki.com",
            "",
        ] {
            assert!(parse_base(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn base_path_prefix_is_kept() {
        let c = FacekiClient::new(ClientConfig::new(
            "https://h.example/prefix",
            "id",
            Secret::new("s"),
        ))
        .unwrap();
        assert_eq!(
            c.endpoint(TOKEN_PATH).as_str(),
            "https://h.example/prefix/auth/api/access-token"
        );
    }

    #[test]
    fn credentials_are_required() {
        let r = FacekiClient::new(ClientConfig::new("https://h.example", "", Secret::new("s")));
        assert!(matches!(r, Err(ConfigError::MissingCredentials)));
    }

    #[test]
    fn id_image_decode_limits_and_shrinks() {
        let png = include_bytes!("../../assets/sim/id_front.png");
        let img = decode_id_image(png).unwrap();
        assert!(img.width <= ID_IMAGE_MAX_SIDE && img.height <= ID_IMAGE_MAX_SIDE);
        assert_eq!(img.rgba.len(), (img.width * img.height * 4) as usize);
        assert!(matches!(
            decode_id_image(b"<html>nope</html>"),
            Err(ImageError::NotAnImage(_))
        ));
    }
}
