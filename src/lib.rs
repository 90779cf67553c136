//! faceki-kiosk: a face log-in kiosk backed by FACEKI's face-check API.
//!
//! The binary is a thin shell around this library, so tests drive the real thing. Without the
//! `kiosk` feature (on by default) only the FACEKI wire types and decision and the MJPEG code
//! are built: what the fuzz targets need.

pub mod camera;
#[cfg(feature = "kiosk")]
pub mod checkin;
#[cfg(feature = "kiosk")]
pub mod cli;
#[cfg(feature = "kiosk")]
pub mod config;
pub mod faceki;
#[cfg(feature = "kiosk")]
pub mod fleet;
#[cfg(feature = "kiosk")]
pub mod i18n;
#[cfg(feature = "kiosk")]
pub mod kiosk;
#[cfg(feature = "kiosk")]
pub mod liveness;
#[cfg(feature = "kiosk")]
pub mod runtime;
#[cfg(feature = "kiosk")]
pub mod selfie;
#[cfg(feature = "kiosk")]
pub mod sim;
#[cfg(feature = "kiosk")]
pub mod sound;
#[cfg(feature = "kiosk")]
pub mod ui;

/// Locks a mutex, taking over a poisoned one: the thread that panicked has already been
/// reported, and every mutex here guards a value that is replaced whole, never left half-written.
#[cfg(feature = "kiosk")]
pub(crate) fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// When the process started (set first thing by the binary), for the start-up measurement.
pub static PROCESS_START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
