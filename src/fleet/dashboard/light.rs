//! Green, amber or red for one kiosk, with the reasons in words. Pure: tested without a
//! database.

use super::query::KioskRow;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Light {
    Green,
    Amber,
    Red,
}

impl Light {
    pub fn class(self) -> &'static str {
        match self {
            Self::Green => "green",
            Self::Amber => "amber",
            Self::Red => "red",
        }
    }

    pub fn word(self) -> &'static str {
        match self {
            Self::Green => "OK",
            Self::Amber => "Attention",
            Self::Red => "Fault",
        }
    }
}

/// Missed beats before a kiosk counts as offline.
const MISSED_BEATS: f64 = 3.0;

/// The kiosk's light and why (empty when green).
pub fn assess(k: &KioskRow) -> (Light, Vec<String>) {
    let mut reasons: Vec<(Light, String)> = Vec::new();
    let offline_after = (f64::from(k.heartbeat_secs.max(1)) * MISSED_BEATS).max(60.0);
    if k.silent_secs > offline_after {
        reasons.push((Light::Red, format!("offline for {}", ago(k.silent_secs))));
    }
    match k.camera.as_str() {
        "streaming" => {}
        "disconnected" if k.camera_detail.is_empty() => {
            reasons.push((Light::Red, "camera gone".into()))
        }
        "disconnected" => reasons.push((Light::Red, format!("camera gone: {}", k.camera_detail))),
        "starting" => reasons.push((Light::Amber, "camera starting".into())),
        "none" => reasons.push((Light::Amber, "no camera reported".into())),
        other => reasons.push((Light::Red, format!("camera {other}"))),
    }
    if k.faceki_failing {
        let kind = k.faceki_fail_kind.as_deref().unwrap_or("");
        let (light, text) = match kind {
            "auth" => (Light::Red, "FACEKI refused the credentials".to_owned()),
            "quota" => (Light::Red, "FACEKI quota used up".to_owned()),
            "account_setup" => (Light::Red, "FACEKI account has no KYC rules".to_owned()),
            "timeout" | "unreachable" | "transport" => {
                (Light::Amber, format!("FACEKI not reachable ({kind})"))
            }
            "rate_limited" => (Light::Amber, "FACEKI is rate-limiting".to_owned()),
            "service" => (Light::Amber, "FACEKI reported a fault".to_owned()),
            other => (Light::Amber, format!("FACEKI answered oddly ({other})")),
        };
        reasons.push((light, text));
    }
    if let Some(e) = &k.log_error {
        reasons.push((
            Light::Red,
            format!("check-ins not recorded on the kiosk: {e}"),
        ));
    }
    if k.backlog > 0 && k.backlog >= k.backlog_warn.max(1) {
        reasons.push((Light::Amber, format!("backlog {}", k.backlog)));
    }
    let light = reasons
        .iter()
        .map(|(l, _)| *l)
        .max()
        .unwrap_or(Light::Green);
    (light, reasons.into_iter().map(|(_, r)| r).collect())
}

/// "45 s", "12 min", "3 h 5 min", "2 days".
pub fn ago(secs: f64) -> String {
    let s = secs.max(0.0) as u64;
    match s {
        0..60 => format!("{s} s"),
        60..3600 => format!("{} min", s / 60),
        3600..86_400 => match (s % 3600) / 60 {
            0 => format!("{} h", s / 3600),
            m => format!("{} h {m} min", s / 3600),
        },
        _ if s < 2 * 86_400 => "1 day".into(),
        _ => format!("{} days", s / 86_400),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn healthy() -> KioskRow {
        KioskRow {
            site: "Riyadh".into(),
            kiosk: "desk-1".into(),
            version: "0.1.0".into(),
            silent_secs: 12.0,
            heartbeat_secs: 30,
            camera: "streaming".into(),
            camera_detail: "USB camera".into(),
            faceki_failing: false,
            faceki_fail_kind: None,
            last_check: None,
            counts_today: Default::default(),
            backlog: 0,
            backlog_warn: 1000,
            log_error: None,
            liveness_mode: "off".into(),
        }
    }

    #[test]
    fn a_healthy_kiosk_is_green() {
        assert_eq!(assess(&healthy()), (Light::Green, vec![]));
    }

    #[test]
    fn the_worst_reason_sets_the_light() {
        let mut k = healthy();
        k.silent_secs = 12.0 * 60.0 + 5.0;
        assert_eq!(assess(&k), (Light::Red, vec!["offline for 12 min".into()]));
        let mut k = healthy();
        k.backlog = 1340;
        assert_eq!(assess(&k), (Light::Amber, vec!["backlog 1340".into()]));
        k.faceki_failing = true;
        k.faceki_fail_kind = Some("auth".into());
        k.camera = "disconnected".into();
        k.camera_detail = String::new();
        let (light, why) = assess(&k);
        assert_eq!(light, Light::Red);
        assert_eq!(
            why,
            [
                "camera gone",
                "FACEKI refused the credentials",
                "backlog 1340"
            ]
        );
        let mut k = healthy();
        k.faceki_failing = true;
        k.faceki_fail_kind = Some("timeout".into());
        assert_eq!(assess(&k).0, Light::Amber);
    }

    #[test]
    fn durations_in_words() {
        assert_eq!(ago(45.2), "45 s");
        assert_eq!(ago(720.0), "12 min");
        assert_eq!(ago(3.0 * 3600.0 + 300.0), "3 h 5 min");
        assert_eq!(ago(7200.0), "2 h");
        assert_eq!(ago(3.0 * 86_400.0), "3 days");
    }
}
