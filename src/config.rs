//! Settings: one TOML file, with environment overrides for the FACEKI credentials.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::camera::webcam::CaptureSize;
use crate::faceki::{ClientConfig, Secret, client::DEFAULT_BASE_URL};
use crate::selfie::GateSettings;

pub const ENV_BASE_URL: &str = "FACEKI_API_BASE";
pub const ENV_CLIENT_ID: &str = "FACEKI_CLIENT_ID";
pub const ENV_CLIENT_SECRET: &str = "FACEKI_CLIENT_SECRET";
pub const ENV_FLEET_DATABASE_URL: &str = "FACEKI_FLEET_DATABASE_URL";

#[derive(Debug, Error)]
pub enum SettingsError {
    #[error("cannot read the config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the config file {path} is not valid: {message}")]
    Invalid { path: PathBuf, message: String },
    #[error("cannot write the config file {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    pub faceki: FacekiSettings,
    pub gate: GateSettings,
    pub selfie: SelfieSettings,
    pub camera: CameraSettings,
    pub kiosk: KioskSettings,
    pub liveness: crate::liveness::LivenessSettings,
    pub log: LogSettings,
    pub fleet: FleetSettings,
    pub metrics: MetricsSettings,
}

/// The head-office fleet store (PostgreSQL). Nothing of it runs while `database_url` is empty.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct FleetSettings {
    /// `postgres://user:password@host/db`; it may hold a password, so it is kept like a secret.
    #[serde(with = "secret_string")]
    pub database_url: Secret,
    /// The branch this kiosk stands in, as head office names it.
    pub site: String,
    /// This kiosk's name within the site (default: the machine's host name).
    pub kiosk: String,
    /// Check-ins sent to the fleet store in one statement.
    pub batch_size: u32,
    /// Staff are warned when more check-ins than this wait to be sent.
    pub backlog_warn: u64,
    /// Unsent check-ins kept past the retention at most; beyond it the oldest expired go.
    pub max_backlog: u64,
    /// Seconds between two heartbeats (the dashboard shows a kiosk offline after 3 missed).
    pub heartbeat_secs: u64,
    /// The dashboard's time zone for "today" and times shown (empty: the database server's).
    pub timezone: String,
}

impl Default for FleetSettings {
    fn default() -> Self {
        Self {
            database_url: Secret::default(),
            site: String::new(),
            kiosk: String::new(),
            batch_size: 500,
            backlog_warn: 1_000,
            max_backlog: 200_000,
            heartbeat_secs: 30,
            timezone: String::new(),
        }
    }
}

impl FleetSettings {
    pub fn enabled(&self) -> bool {
        !self.database_url.is_empty()
    }

    /// The kiosk name to report: the configured one, else the host name.
    pub fn kiosk_name(&self) -> String {
        let name = self.kiosk.trim();
        if !name.is_empty() {
            return name.to_owned();
        }
        std::fs::read_to_string("/etc/hostname")
            .ok()
            .map(|h| h.trim().to_owned())
            .filter(|h| !h.is_empty())
            .or_else(|| std::env::var("HOSTNAME").ok())
            .unwrap_or_else(|| "kiosk".into())
    }
}

/// Prometheus metrics at `/metrics`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[serde(default, deny_unknown_fields)]
pub struct MetricsSettings {
    /// Empty: off. `PORT` listens on loopback; `ADDRESS:PORT` where given.
    pub listen: String,
}

/// The check-in log and the log files.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct LogSettings {
    /// Days check-ins are kept; 0 keeps nothing (no names are stored at all).
    pub retention_days: u32,
    /// The check-in database (default: the platform's data dir, `checkins.sqlite`).
    pub checkin_db: Option<PathBuf>,
    /// Where daily log files go (default: the platform's state dir, `logs/`).
    pub dir: Option<PathBuf>,
    /// How many daily log files are kept.
    pub keep_files: usize,
    /// Level written to the log files: error, warn, info, debug or trace.
    pub file_level: String,
}

impl Default for LogSettings {
    fn default() -> Self {
        Self {
            retention_days: 30,
            checkin_db: None,
            dir: None,
            keep_files: 7,
            file_level: "info".into(),
        }
    }
}

impl LogSettings {
    /// The check-in database: `checkin_db`, or the platform's data dir.
    pub fn checkin_path(&self) -> Option<PathBuf> {
        self.checkin_db
            .clone()
            .or_else(|| project_dirs().map(|d| d.data_dir().join(crate::checkin::FILE_NAME)))
    }

    pub fn log_dir(&self) -> Option<PathBuf> {
        self.dir.clone().or_else(|| {
            project_dirs().map(|d| {
                d.state_dir()
                    .unwrap_or_else(|| d.data_local_dir())
                    .join("logs")
            })
        })
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct CameraSettings {
    /// The camera's index as `faceki-kiosk cameras` lists it.
    pub index: u32,
    /// `1080p` (more reach for the selfie) or `720p` (less CPU).
    pub capture: CaptureSize,
    /// Play this MJPEG file or image folder instead of a webcam (testing a site without one).
    pub replay: Option<PathBuf>,
    pub replay_fps: f32,
}

impl Default for CameraSettings {
    fn default() -> Self {
        Self {
            index: 0,
            capture: CaptureSize::default(),
            replay: None,
            replay_fps: 15.0,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct KioskSettings {
    /// Fullscreen, no decorations, cursor hidden when idle; leaving needs the PIN.
    pub fullscreen: bool,
    /// argon2 hash of the staff PIN (set from the setup screen or the admin panel).
    pub pin_hash: String,
    pub auto_capture: bool,
    pub pass_display_secs: u64,
    pub fail_display_secs: u64,
    pub max_attempts: u32,
    pub attempt_window_secs: u64,
    pub cooldown_secs: u64,
    /// `en` or `ar`: the language each visitor starts in (they can switch with one tap).
    pub language: String,
    /// Black background, white text, outlined buttons: for low vision and bright sites.
    pub high_contrast: bool,
    /// Short tones for a pass, a failure and "look at the camera".
    pub sound: bool,
    /// Show the ID-document image on a pass (it shows the full document to whoever stands
    /// there); off: name only, and the image is not even downloaded.
    pub show_id_image: bool,
    /// How the window is drawn: OpenGL (`glow`, the default) or `wgpu` (Vulkan, or GL).
    pub renderer: Renderer,
}

/// The graphics backend of the kiosk window.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum Renderer {
    /// OpenGL through glow: on a PC without a usable GPU driver (Mesa's software renderer)
    /// a frame costs half of what wgpu's costs (BENCHMARKS.md, "Paint cost").
    #[default]
    Glow,
    /// wgpu: Vulkan where there is a driver, else OpenGL.
    Wgpu,
}

impl Default for KioskSettings {
    fn default() -> Self {
        let flow = crate::kiosk::FlowSettings::default();
        Self {
            fullscreen: true,
            pin_hash: String::new(),
            auto_capture: flow.auto_capture,
            pass_display_secs: flow.pass_display.as_secs(),
            fail_display_secs: flow.fail_display.as_secs(),
            max_attempts: flow.max_attempts,
            attempt_window_secs: flow.attempt_window.as_secs(),
            cooldown_secs: flow.cooldown.as_secs(),
            language: "en".into(),
            high_contrast: false,
            sound: false,
            show_id_image: true,
            renderer: Renderer::default(),
        }
    }
}

impl Settings {
    /// The kiosk flow's settings: `[kiosk]` with the challenge of `[liveness]`.
    pub fn flow(&self) -> crate::kiosk::FlowSettings {
        crate::kiosk::FlowSettings {
            liveness: self.liveness.enabled().then(|| self.liveness.challenge()),
            ..self.kiosk.flow()
        }
    }
}

impl KioskSettings {
    pub fn flow(&self) -> crate::kiosk::FlowSettings {
        crate::kiosk::FlowSettings {
            auto_capture: self.auto_capture,
            pass_display: Duration::from_secs(self.pass_display_secs.max(1)),
            fail_display: Duration::from_secs(self.fail_display_secs.max(1)),
            max_attempts: self.max_attempts.max(1),
            attempt_window: Duration::from_secs(self.attempt_window_secs),
            cooldown: Duration::from_secs(self.cooldown_secs),
            ..crate::kiosk::FlowSettings::default()
        }
    }
}

/// How the upload is made.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct SelfieSettings {
    /// JPEG quality of the upload, 1-100.
    pub jpeg_quality: u8,
    /// Side of the square crop around the face, in face-box heights.
    pub crop_factor: f32,
}

impl Default for SelfieSettings {
    fn default() -> Self {
        Self {
            jpeg_quality: crate::selfie::encode::DEFAULT_QUALITY,
            crop_factor: 2.6,
        }
    }
}

impl SelfieSettings {
    pub fn upload_shape(&self, gate: &GateSettings) -> crate::selfie::encode::UploadShape {
        crate::selfie::encode::UploadShape {
            min_eye_distance_px: gate.min_eye_distance_px,
            crop_factor: self.crop_factor.clamp(1.2, 6.0),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct FacekiSettings {
    /// `https://sdk.faceki.com`, or FACEKI's development host. Plain http only to loopback.
    pub base_url: String,
    pub client_id: String,
    #[serde(with = "secret_string")]
    pub client_secret: Secret,
    /// Seconds allowed for one face-check, connect to last byte.
    pub timeout_secs: u64,
}

impl Default for FacekiSettings {
    fn default() -> Self {
        Self {
            base_url: DEFAULT_BASE_URL.into(),
            client_id: String::new(),
            client_secret: Secret::default(),
            timeout_secs: 60,
        }
    }
}

mod secret_string {
    use super::Secret;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(s: &Secret, ser: S) -> Result<S::Ok, S::Error> {
        ser.serialize_str(s.expose())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Secret, D::Error> {
        String::deserialize(d).map(Secret::new)
    }
}

/// The platform's config, data and state dirs for this app (XDG on Linux).
pub fn project_dirs() -> Option<directories::ProjectDirs> {
    directories::ProjectDirs::from("com", "FACEKI", "faceki-kiosk")
}

/// `~/.config/faceki-kiosk/config.toml` (or the platform's equivalent).
pub fn default_path() -> Option<PathBuf> {
    project_dirs().map(|d| d.config_dir().join("config.toml"))
}

impl Settings {
    /// Reads `path`, or the default file if it exists; then applies the environment.
    /// A missing default file is not an error (first start); a missing `--config` file is.
    pub fn load(path: Option<&Path>) -> Result<Self, SettingsError> {
        let mut settings = match path {
            Some(p) => Self::read(p)?,
            None => match default_path().filter(|p| p.exists()) {
                Some(p) => Self::read(&p)?,
                None => Self::default(),
            },
        };
        settings.apply_env(|k| std::env::var(k).ok());
        Ok(settings)
    }

    pub fn read(path: &Path) -> Result<Self, SettingsError> {
        let text = std::fs::read_to_string(path).map_err(|source| SettingsError::Read {
            path: path.to_owned(),
            source,
        })?;
        Self::parse(&text).map_err(|message| SettingsError::Invalid {
            path: path.to_owned(),
            message,
        })
    }

    pub fn parse(text: &str) -> Result<Self, String> {
        toml::from_str(text).map_err(|e| e.to_string().trim().to_owned())
    }

    pub fn apply_env(&mut self, var: impl Fn(&str) -> Option<String>) {
        let set = |k: &str| var(k).filter(|v| !v.trim().is_empty());
        if let Some(v) = set(ENV_BASE_URL) {
            self.faceki.base_url = v;
        }
        if let Some(v) = set(ENV_CLIENT_ID) {
            self.faceki.client_id = v;
        }
        if let Some(v) = set(ENV_CLIENT_SECRET) {
            self.faceki.client_secret = Secret::new(v);
        }
        if let Some(v) = set(ENV_FLEET_DATABASE_URL) {
            self.fleet.database_url = Secret::new(v);
        }
    }

    /// True when FACEKI credentials are set (else the kiosk opens its setup screen).
    pub fn has_credentials(&self) -> bool {
        !self.faceki.client_id.trim().is_empty() && !self.faceki.client_secret.is_empty()
    }

    /// Checks that a config file holding the client secret is readable by its owner only, and
    /// fixes it if not. Returns what it did, for the log; an error when it could not fix it.
    pub fn secure_file(path: &Path) -> Result<Option<String>, SettingsError> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let io = |source| SettingsError::Write {
                path: path.to_owned(),
                source,
            };
            let Ok(meta) = std::fs::metadata(path) else {
                return Ok(None);
            };
            let mode = meta.permissions().mode() & 0o777;
            if mode & 0o077 == 0 {
                return Ok(None);
            }
            let holds_secret = Self::read(path)
                .map(|s| !s.faceki.client_secret.is_empty() || s.fleet.enabled())
                .unwrap_or(true);
            if !holds_secret {
                return Ok(None);
            }
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).map_err(io)?;
            Ok(Some(format!(
                "{} holds the client secret but was readable by others (mode {mode:o}); changed to 600",
                path.display()
            )))
        }
        #[cfg(not(unix))]
        {
            let _ = path;
            Ok(None)
        }
    }

    /// Writes the file readable by its owner only (it holds the client secret).
    pub fn save(&self, path: &Path) -> Result<(), SettingsError> {
        let io = |source| SettingsError::Write {
            path: path.to_owned(),
            source,
        };
        let text = toml::to_string_pretty(self).map_err(|e| SettingsError::Invalid {
            path: path.to_owned(),
            message: e.to_string(),
        })?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let tmp = path.with_extension("toml.tmp");
        {
            use std::io::Write;
            let mut opts = std::fs::OpenOptions::new();
            opts.write(true).create(true).truncate(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
            let mut f = opts.open(&tmp).map_err(io)?;
            f.write_all(text.as_bytes()).map_err(io)?;
            f.sync_all().map_err(io)?;
        }
        // Rename over the old file, so a crash never leaves half a config.
        std::fs::rename(&tmp, path).map_err(io)
    }

    pub fn client_config(&self) -> ClientConfig {
        let mut cfg = ClientConfig::new(
            self.faceki.base_url.clone(),
            self.faceki.client_id.clone(),
            self.faceki.client_secret.clone(),
        );
        cfg.timeout = Duration::from_secs(self.faceki.timeout_secs.max(1));
        cfg
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_overrides_file() {
        let mut s = Settings::parse("[faceki]\nclient_id = \"file\"\ntimeout_secs = 5\n").unwrap();
        s.apply_env(|k| match k {
            ENV_CLIENT_ID => Some("env".into()),
            ENV_CLIENT_SECRET => Some("s3cret".into()),
            _ => None,
        });
        assert_eq!(s.faceki.client_id, "env");
        assert_eq!(s.faceki.client_secret.expose(), "s3cret");
        assert_eq!(s.faceki.base_url, DEFAULT_BASE_URL);
        assert_eq!(s.client_config().timeout, Duration::from_secs(5));
    }

    #[test]
    fn invalid_files_name_the_key() {
        let err = Settings::parse("[faceki]\ntimeout_secs = \"soon\"\n").unwrap_err();
        assert!(err.contains("timeout_secs"), "{err}");
        let err = Settings::parse("[faceki]\nclient_secrt = \"x\"\n").unwrap_err();
        assert!(err.contains("client_secrt"), "{err}");
    }

    #[test]
    fn save_round_trips_with_owner_only_permissions() {
        let dir = std::env::temp_dir().join(format!("faceki-kiosk-cfg-{}", std::process::id()));
        let path = dir.join("config.toml");
        let mut s = Settings::default();
        s.faceki.client_id = "id".into();
        s.faceki.client_secret = Secret::new("sec");
        s.kiosk.pass_display_secs = 5;
        s.save(&path).unwrap();
        assert_eq!(Settings::read(&path).unwrap(), s);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
        let _ = std::fs::remove_dir_all(dir);
    }

    #[cfg(unix)]
    #[test]
    fn a_world_readable_secret_file_is_fixed() {
        use std::os::unix::fs::PermissionsExt;
        let dir = std::env::temp_dir().join(format!("faceki-kiosk-perm-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("config.toml");
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        std::fs::write(&path, "[faceki]\nclient_secret = \"abc\"\n").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let msg = Settings::secure_file(&path).unwrap().unwrap();
        assert!(msg.contains("644"), "{msg}");
        assert!(!msg.contains("abc"));
        assert_eq!(mode(&path), 0o600);
        assert_eq!(Settings::secure_file(&path).unwrap(), None);
        // No secret in it: left alone.
        std::fs::write(&path, "[kiosk]\nfullscreen = false\n").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert_eq!(Settings::secure_file(&path).unwrap(), None);
        assert_eq!(mode(&path), 0o644);
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn invalid_values_name_key_and_problem() {
        for (text, key) in [
            ("[log]\nretention_days = -1\n", "retention_days"),
            ("[kiosk]\nfullscreen = \"yes\"\n", "fullscreen"),
            ("[camera]\ncapture = \"4k\"\n", "capture"),
            ("[gate]\nbogus = 1\n", "bogus"),
            ("[faceki\n", "faceki"),
        ] {
            let err = Settings::parse(text).unwrap_err();
            assert!(err.contains(key), "{text:?} -> {err}");
        }
    }

    /// Gate keys of earlier versions (on other scales) still load, and change nothing.
    #[test]
    fn old_gate_keys_load_and_are_ignored() {
        let s = Settings::parse("[gate]\ncentre_tolerance = 0.14\nmin_sharpness = 60.0\n").unwrap();
        assert_eq!(s.gate.min_detail, Settings::default().gate.min_detail);
        assert_eq!(
            s.gate.max_oval_reach,
            Settings::default().gate.max_oval_reach
        );
        let text = toml::to_string(&s).unwrap();
        assert!(!text.contains("centre_tolerance") && !text.contains("min_sharpness"));
    }

    /// The documented example is exactly the defaults, key for key: nothing undocumented,
    /// nothing stale (an unknown or misspelt key would fail to parse).
    #[test]
    fn the_example_config_documents_the_defaults() {
        let text = include_str!("../packaging/config.example.toml");
        let parsed = Settings::parse(text).unwrap();
        assert_eq!(parsed, Settings::default());
        let commented_keys =
            |section: &toml::Table| -> Vec<String> { section.keys().cloned().collect() };
        let defaults = toml::Table::try_from(Settings::default()).unwrap();
        for (name, section) in &defaults {
            let Some(section) = section.as_table() else {
                continue;
            };
            for key in commented_keys(section) {
                let line = format!("{key} =");
                assert!(
                    text.contains(&line) || text.contains(&format!("# {line}")),
                    "[{name}] {key} is not in packaging/config.example.toml"
                );
            }
        }
    }

    #[test]
    fn kiosk_language_and_contrast_are_optional() {
        let s = Settings::parse("[kiosk]\nlanguage = \"ar\"\n").unwrap();
        assert_eq!(s.kiosk.language, "ar");
        assert!(!s.kiosk.high_contrast);
        let s = Settings::parse("[kiosk]\nhigh_contrast = true\n").unwrap();
        assert!(s.kiosk.high_contrast);
        assert_eq!(s.kiosk.language, "en");
    }

    #[test]
    fn debug_hides_the_secret() {
        let mut s = Settings::default();
        s.faceki.client_secret = Secret::new("topsecret");
        s.fleet.database_url = Secret::new("postgres://k:dbpass@db.example/fleet");
        let shown = format!("{s:?}");
        assert!(!shown.contains("topsecret"));
        assert!(!shown.contains("dbpass"));
    }

    #[test]
    fn fleet_url_comes_from_the_environment_too() {
        let mut s = Settings::parse("[fleet]\nsite = \"Riyadh\"\n").unwrap();
        assert!(!s.fleet.enabled());
        s.apply_env(|k| (k == ENV_FLEET_DATABASE_URL).then(|| "postgres:///fleet".into()));
        assert!(s.fleet.enabled());
        assert_eq!(s.fleet.site, "Riyadh");
        assert_eq!(s.fleet.heartbeat_secs, 30);
    }
}
