//! What the simulator answers. Chosen at start (`--scenario`) and switchable at run time.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// The face-check reply the simulator gives to a valid, authorised request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scenario {
    /// The specimen person, one ACCEPTED/ACTIVE record.
    Match,
    /// Three records of the same person (same document number); the newest should win.
    MatchSeveral,
    /// `responseCode 0`, `face_verified:false`, empty arrays.
    NoMatch,
    /// `responseCode 8013` DATA_NOT_FOUND.
    NotFound,
    /// A retake code (8003-8009, 8018, 8019), or any other code, with HTTP 200.
    Code(i64),
    /// A match whose only record is DECLINED.
    Denied,
    /// ACCEPTED records of two different people.
    Ambiguous,
    /// 8017 KYC_VERIFICATION_LIMIT_REACHED.
    Quota,
    /// HTTP 401 on every face-check, even with a fresh token.
    Unauthorized,
    /// HTTP 429.
    RateLimited,
    /// HTTP 500 with a JSON body.
    ServerError,
    /// HTTP 502 with an HTML page, as a gateway sends.
    BadGateway,
    /// A match, after this many seconds.
    Slow(u64),
    /// A match cut off half-way (truncated JSON).
    Malformed,
    /// HTTP 200 with an HTML page.
    Html,
    /// HTTP 200 with a 64 MB body.
    Huge,
    /// HTTP 200 with no body.
    Empty,
    /// HTTP 200, `text/plain`, "OK".
    WrongType,
    /// Half a match, then the connection is dropped (a reset mid-body).
    Reset,
}

/// The ID-image reply, independent of the check scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum IdImageMode {
    #[default]
    Ok,
    NotFound,
    Forbidden,
    NotAnImage,
    Huge,
    Slow,
}

impl Scenario {
    /// Every scenario with a representative code, for menus and tests.
    pub fn all() -> Vec<Scenario> {
        let mut v = vec![
            Self::Match,
            Self::MatchSeveral,
            Self::NoMatch,
            Self::NotFound,
            Self::Denied,
            Self::Ambiguous,
        ];
        v.extend([8003, 8004, 8005, 8006, 8007, 8008, 8009, 8018, 8019].map(Self::Code));
        v.extend([
            Self::Quota,
            Self::Code(7001),
            Self::Code(1000),
            Self::Code(9999),
            Self::Unauthorized,
            Self::RateLimited,
            Self::ServerError,
            Self::BadGateway,
            Self::Slow(5),
            Self::Malformed,
            Self::Html,
            Self::Huge,
            Self::Empty,
            Self::WrongType,
            Self::Reset,
        ]);
        v
    }

    pub fn delay(self) -> Duration {
        match self {
            Self::Slow(s) => Duration::from_secs(s),
            _ => Duration::ZERO,
        }
    }
}

impl fmt::Display for Scenario {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Match => f.write_str("match"),
            Self::MatchSeveral => f.write_str("match-several"),
            Self::NoMatch => f.write_str("no-match"),
            Self::NotFound => f.write_str("not-found"),
            Self::Code(c) => write!(f, "code-{c}"),
            Self::Denied => f.write_str("denied"),
            Self::Ambiguous => f.write_str("ambiguous"),
            Self::Quota => f.write_str("quota"),
            Self::Unauthorized => f.write_str("unauthorized"),
            Self::RateLimited => f.write_str("rate-limited"),
            Self::ServerError => f.write_str("server-error"),
            Self::BadGateway => f.write_str("bad-gateway"),
            Self::Slow(s) => write!(f, "slow-{s}"),
            Self::Malformed => f.write_str("malformed"),
            Self::Html => f.write_str("html"),
            Self::Huge => f.write_str("huge"),
            Self::Empty => f.write_str("empty"),
            Self::WrongType => f.write_str("wrong-type"),
            Self::Reset => f.write_str("reset"),
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("unknown scenario {0:?}; try one of: {names}", names = scenario_names())]
pub struct UnknownScenario(String);

fn scenario_names() -> String {
    Scenario::all()
        .iter()
        .map(|s| s.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

impl FromStr for Scenario {
    type Err = UnknownScenario;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim().to_ascii_lowercase().replace('_', "-");
        let parsed = match s.as_str() {
            "match" => Some(Self::Match),
            "match-several" => Some(Self::MatchSeveral),
            "no-match" => Some(Self::NoMatch),
            "not-found" => Some(Self::NotFound),
            "denied" => Some(Self::Denied),
            "ambiguous" => Some(Self::Ambiguous),
            "quota" => Some(Self::Quota),
            "unauthorized" => Some(Self::Unauthorized),
            "rate-limited" => Some(Self::RateLimited),
            "server-error" => Some(Self::ServerError),
            "bad-gateway" => Some(Self::BadGateway),
            "slow" => Some(Self::Slow(5)),
            "malformed" => Some(Self::Malformed),
            "html" => Some(Self::Html),
            "huge" => Some(Self::Huge),
            "empty" => Some(Self::Empty),
            "wrong-type" => Some(Self::WrongType),
            "reset" => Some(Self::Reset),
            other => {
                if let Some(n) = other.strip_prefix("slow-") {
                    n.parse().ok().map(Self::Slow)
                } else if let Some(n) = other
                    .strip_prefix("code-")
                    .or(other.strip_prefix("retake-"))
                {
                    n.parse().ok().map(Self::Code)
                } else {
                    None
                }
            }
        };
        parsed.ok_or(UnknownScenario(s))
    }
}

impl FromStr for IdImageMode {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        serde_json::from_value(serde_json::Value::String(s.trim().to_ascii_lowercase()))
            .map_err(|_| format!("unknown id-image mode {s:?}: ok, not-found, forbidden, not-an-image, huge, slow"))
    }
}

impl Serialize for Scenario {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Scenario {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for s in Scenario::all() {
            assert_eq!(s.to_string().parse::<Scenario>().unwrap(), s);
        }
        assert_eq!(
            "retake-8006".parse::<Scenario>().unwrap(),
            Scenario::Code(8006)
        );
        assert!("nonsense".parse::<Scenario>().is_err());
        assert_eq!(
            "not-an-image".parse::<IdImageMode>().unwrap(),
            IdImageMode::NotAnImage
        );
    }
}
