//! `faceki-kiosk doctor`: checks the setup and says in plain words what is wrong.
//! It never makes a paid call: FACEKI is only asked for a token.

use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use crate::config::{Settings, default_path};
use crate::faceki::FacekiClient;

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Level {
    Ok,
    Warn,
    Fail,
}

struct Report {
    worst: Level,
}

impl Report {
    fn say(&mut self, level: Level, what: &str, detail: impl AsRef<str>) {
        let tag = match level {
            Level::Ok => "ok  ",
            Level::Warn => "warn",
            Level::Fail => "FAIL",
        };
        println!("{tag}  {what}: {}", detail.as_ref());
        self.worst = self.worst.max(level);
    }
}

pub fn run(config: Option<&Path>) -> anyhow::Result<ExitCode> {
    let mut r = Report { worst: Level::Ok };
    let path = config.map(Path::to_owned).or_else(default_path);
    let settings = config_ui(&mut r, path.as_deref());
    cameras_ui(&mut r, &settings);
    faceki_ui(&mut r, &settings);
    match crate::ui::fonts::check() {
        Ok(()) => r.say(Level::Ok, "Fonts", "Latin and Arabic text can be drawn"),
        Err(e) => r.say(Level::Fail, "Fonts", e),
    }
    folders_ui(&mut r, &settings);
    liveness_ui(&mut r, &settings);
    Ok(match r.worst {
        Level::Ok | Level::Warn => ExitCode::SUCCESS,
        Level::Fail => ExitCode::from(1),
    })
}

fn config_ui(r: &mut Report, path: Option<&Path>) -> Settings {
    let settings = match path {
        Some(p) if p.exists() => match Settings::read(p) {
            Ok(s) => {
                r.say(Level::Ok, "Config", format!("{} reads fine", p.display()));
                match Settings::secure_file(p) {
                    Ok(Some(fixed)) => r.say(Level::Warn, "Config permissions", fixed),
                    Ok(None) => {}
                    Err(e) => r.say(Level::Fail, "Config permissions", e.to_string()),
                }
                s
            }
            Err(e) => {
                r.say(Level::Fail, "Config", e.to_string());
                Settings::default()
            }
        },
        Some(p) => {
            r.say(
                Level::Warn,
                "Config",
                format!(
                    "no file at {} yet; the kiosk opens its setup screen on first start",
                    p.display()
                ),
            );
            Settings::default()
        }
        None => {
            r.say(
                Level::Fail,
                "Config",
                "this platform has no config folder; use --config",
            );
            Settings::default()
        }
    };
    let mut settings = settings;
    settings.apply_env(|k| std::env::var(k).ok());
    if settings.has_credentials() {
        r.say(
            Level::Ok,
            "Credentials",
            format!(
                "client ID {} and a secret are set",
                settings.faceki.client_id
            ),
        );
    } else {
        r.say(
            Level::Fail,
            "Credentials",
            "no FACEKI client ID and secret: set them in the setup screen, the config file or FACEKI_CLIENT_ID / FACEKI_CLIENT_SECRET",
        );
    }
    if settings.kiosk.pin_hash.is_empty() {
        r.say(
            Level::Warn,
            "Staff PIN",
            "not set: the kiosk asks for one on first start",
        );
    }
    settings
}

fn cameras_ui(r: &mut Report, settings: &Settings) {
    if let Some(replay) = &settings.camera.replay {
        let level = if replay.exists() {
            Level::Warn
        } else {
            Level::Fail
        };
        r.say(
            level,
            "Camera",
            format!("replaying {} instead of a webcam", replay.display()),
        );
        return;
    }
    match crate::camera::webcam::list_cameras() {
        Ok(list) if list.is_empty() => r.say(
            Level::Fail,
            "Camera",
            "no camera found: check the USB cable, and that this user may use it (group video)",
        ),
        Ok(list) => match list.iter().find(|c| c.index == settings.camera.index) {
            Some(c) => r.say(
                Level::Ok,
                "Camera",
                format!("{} (index {})", c.name, c.index),
            ),
            None => r.say(
                Level::Fail,
                "Camera",
                format!(
                    "camera index {} is not connected; found: {}",
                    settings.camera.index,
                    list.iter()
                        .map(|c| format!("{} {}", c.index, c.name))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ),
        },
        Err(e) => r.say(
            Level::Fail,
            "Camera",
            format!("cameras cannot be listed: {e}"),
        ),
    }
}

fn faceki_ui(r: &mut Report, settings: &Settings) {
    if !settings.has_credentials() {
        r.say(Level::Warn, "FACEKI", "not tried (no credentials)");
        return;
    }
    let client = match FacekiClient::new(settings.client_config()) {
        Ok(c) => c,
        Err(e) => return r.say(Level::Fail, "FACEKI", e.to_string()),
    };
    let tokio = match super::runtime() {
        Ok(t) => t,
        Err(e) => {
            return r.say(
                Level::Fail,
                "FACEKI",
                format!("cannot start the network runtime: {e}"),
            );
        }
    };
    let result = tokio.block_on(async {
        tokio::time::timeout(Duration::from_secs(20), client.test_connection()).await
    });
    match result {
        Ok(Ok(lifetime)) => r.say(
            Level::Ok,
            "FACEKI",
            format!(
                "signed in at {}; token valid for {} s (no paid call made)",
                settings.faceki.base_url,
                lifetime.as_secs()
            ),
        ),
        Ok(Err(e)) => r.say(
            Level::Fail,
            "FACEKI",
            format!("{} : {e}", settings.faceki.base_url),
        ),
        Err(_) => r.say(
            Level::Fail,
            "FACEKI",
            format!("{} did not answer within 20 s", settings.faceki.base_url),
        ),
    }
}

fn folders_ui(r: &mut Report, settings: &Settings) {
    match settings.log.checkin_path() {
        Some(p) if settings.log.retention_days == 0 => r.say(
            Level::Ok,
            "Check-in log",
            format!("off (retention_days = 0); {} is not written", p.display()),
        ),
        Some(p) => match crate::checkin::CheckinLog::open_with(
            &p,
            crate::checkin::Retention::from_settings(settings),
        ) {
            Ok(log) => {
                let newest = log
                    .newest()
                    .ok()
                    .flatten()
                    .unwrap_or_else(|| "none yet".into());
                r.say(
                    Level::Ok,
                    "Check-in log",
                    format!(
                        "{} (kept {} days; newest check-in: {newest})",
                        p.display(),
                        settings.log.retention_days
                    ),
                );
            }
            Err(e) => r.say(
                Level::Fail,
                "Check-in log",
                format!("{e}: check-ins will not be recorded"),
            ),
        },
        None => r.say(
            Level::Fail,
            "Check-in log",
            "no data folder; set [log] checkin_db",
        ),
    }
    match settings.log.log_dir() {
        Some(dir) => match writable(&dir) {
            Ok(()) => r.say(
                Level::Ok,
                "Log files",
                format!(
                    "{} (daily, {} kept)",
                    dir.display(),
                    settings.log.keep_files
                ),
            ),
            Err(e) => r.say(
                Level::Warn,
                "Log files",
                format!(
                    "{} is not writable ({e}): logs go to stderr only",
                    dir.display()
                ),
            ),
        },
        None => r.say(
            Level::Warn,
            "Log files",
            "no state folder; logs go to stderr only",
        ),
    }
}

/// Creates the folder if needed and proves a file can be written there.
fn writable(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let probe = dir.join(format!(".doctor-{}", std::process::id()));
    std::fs::write(&probe, b"ok")?;
    std::fs::remove_file(probe)
}

/// Liveness: on, and its landmark model loads; or off, said plainly.
fn liveness_ui(r: &mut Report, settings: &Settings) {
    if !settings.liveness.enabled() {
        r.say(
            Level::Warn,
            "Liveness",
            crate::ui::screens::admin::LIVENESS_OFF,
        );
        return;
    }
    let c = settings.liveness.challenge();
    match crate::liveness::Landmarker::new() {
        Ok(_) => r.say(
            Level::Ok,
            "Liveness",
            format!(
                "head-turn challenge on: {} turns of {:.0} degrees, {:.0} s each",
                c.steps,
                c.turn_deg,
                c.step_timeout.as_secs_f32()
            ),
        ),
        Err(e) => r.say(
            Level::Fail,
            "Liveness",
            format!("the face landmark model does not load ({e}): every check would be refused"),
        ),
    }
}
