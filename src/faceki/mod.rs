//! FACEKI: wire types, the HTTP client with its token cache, and the fail-closed decision.

pub mod client;
pub mod codes;
pub mod decision;
mod secret;
pub mod wire;

pub use client::{ClientConfig, ConfigError, FacekiClient, IdImage, ImageError, TokenError};
pub use codes::RetakeReason;
pub use decision::{ErrorKind, Outcome, Person, decide};
pub use secret::Secret;
