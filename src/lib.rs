//! faceki-kiosk: a face log-in kiosk backed by FACEKI's face-check API.
//!
//! The binary is a thin shell around this library, so tests drive the real thing.

pub mod camera;
pub mod checkin;
pub mod cli;
pub mod config;
pub mod faceki;
pub mod i18n;
pub mod kiosk;
pub mod runtime;
pub mod selfie;
pub mod sim;
pub mod sound;
pub mod ui;

/// When the process started (set first thing by the binary), for the start-up measurement.
pub static PROCESS_START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
