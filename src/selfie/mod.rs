//! The selfie: the face detector, the gate that decides whether a frame is worth a paid check,
//! and the encoder that makes the upload.

pub mod detector;
pub mod encode;
pub mod gate;
pub mod worker;

pub use detector::{Detector, DetectorError, Face};
pub use gate::{Gate, GateReport, GateSettings, Hint, Steadiness, Verdict};
