//! The selfie: the face detectors, the oval guide, the gate that decides whether a frame is
//! worth a paid check, and the encoder that makes the upload.

pub mod detector;
pub mod encode;
pub mod gate;
pub mod oval;
pub mod worker;

pub use detector::{Detector, DetectorError, Face, Model};
pub use gate::{
    DetailMemory, Gate, GateReport, GateSettings, Hint, ScreenSide, Steadiness, Verdict,
};
