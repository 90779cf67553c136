//! Cameras: a [`FrameSource`] (webcam or replay) driven by a capture thread that always keeps
//! only the newest frame, so a slow consumer never builds a queue and the UI never waits.

mod capture;
mod faulty;
pub mod mjpeg;
mod replay;
pub mod webcam;

use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use image::RgbImage;
use thiserror::Error;

pub use capture::{Camera, CameraStats, CaptureOptions};
pub use faulty::{FaultPlan, FaultySource};
pub use replay::ReplaySource;

/// A decoded camera frame, as the camera sees it (not mirrored: mirroring is for the screen only).
#[derive(Clone)]
pub struct Frame {
    pub image: Arc<RgbImage>,
    /// Increases by one per published frame; consumers compare it to skip frames already seen.
    pub seq: u64,
    pub captured_at: Instant,
}

impl std::fmt::Debug for Frame {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Frame#{}({}x{})",
            self.seq,
            self.image.width(),
            self.image.height()
        )
    }
}

/// What a source hands the capture thread.
pub enum RawFrame {
    /// One JPEG (an MJPEG frame): decoded on the capture thread.
    Jpeg(Bytes),
    /// Already decoded (e.g. a YUYV frame converted by the backend).
    Rgb(RgbImage),
}

/// What an opened source delivers.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamInfo {
    pub width: u32,
    pub height: u32,
    pub fps: f32,
    /// `MJPEG`, `YUYV`, or `replay`.
    pub format: String,
}

#[derive(Debug, Error, Clone, PartialEq)]
pub enum CameraError {
    #[error("no camera could be opened: {0}")]
    Open(String),
    /// The device went away (unplugged, end of a non-looping clip): reopen later.
    #[error("camera lost: {0}")]
    Gone(String),
    /// One bad frame; a run of them counts as a disconnect.
    #[error("bad frame: {0}")]
    Frame(String),
}

/// A camera, as the capture thread drives it. Implementations block in [`next_frame`] until a
/// frame is due, so they pace the thread themselves.
///
/// [`next_frame`]: FrameSource::next_frame
pub trait FrameSource {
    /// A human name for staff ("HD Pro Webcam C920", "demo clip").
    fn name(&self) -> String;
    /// Opens (or reopens after a disconnect) the device.
    fn open(&mut self) -> Result<StreamInfo, CameraError>;
    fn next_frame(&mut self) -> Result<RawFrame, CameraError>;
    fn close(&mut self);
}

/// Builds a source on the capture thread itself: nokhwa's cameras cannot move between threads.
pub type SourceFactory = Box<dyn FnOnce() -> Box<dyn FrameSource> + Send>;

/// The camera's state as staff and the kiosk flow see it.
#[derive(Debug, Clone, PartialEq)]
pub enum CameraStatus {
    Starting,
    Streaming {
        name: String,
        info: StreamInfo,
    },
    /// No frames: unplugged, busy, or never there. The thread retries by itself.
    Disconnected {
        name: String,
        reason: String,
    },
    Stopped,
}

impl CameraStatus {
    pub fn is_streaming(&self) -> bool {
        matches!(self, Self::Streaming { .. })
    }
}

/// Decodes what a source delivered.
pub fn decode(raw: RawFrame) -> Result<RgbImage, CameraError> {
    match raw {
        RawFrame::Jpeg(bytes) => {
            mjpeg::decode_jpeg(&bytes).map_err(|e| CameraError::Frame(e.to_string()))
        }
        RawFrame::Rgb(img) => Ok(img),
    }
}
