//! FACEKI: wire types, the HTTP client with its token cache, and the fail-closed decision.

#[cfg(feature = "kiosk")]
pub mod client;
pub mod codes;
pub mod decision;
mod secret;
pub mod wire;

#[cfg(feature = "kiosk")]
pub use client::{ClientConfig, ConfigError, FacekiClient, IdImage, ImageError, TokenError};
pub use codes::RetakeReason;
pub use decision::{ErrorKind, NotLiveKind, Outcome, Person, decide};
pub use secret::Secret;

/// The machine name of a unit variant as serde writes it (`timeout`, `too_small`): the names
/// `check --json`, the check-in log and the soak report share.
pub fn wire_name(v: &impl serde::Serialize) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}
