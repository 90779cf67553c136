//! Cameras: a [`FrameSource`] (webcam or replay) driven by a capture thread that always keeps
//! only the newest frame, so a slow consumer never builds a queue and the UI never waits.

#[cfg(feature = "kiosk")]
mod capture;
#[cfg(feature = "kiosk")]
mod faulty;
pub mod mjpeg;
#[cfg(feature = "kiosk")]
mod replay;
#[cfg(feature = "kiosk")]
pub mod webcam;

use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use image::RgbImage;
use thiserror::Error;

#[cfg(feature = "kiosk")]
pub use capture::{Camera, CameraStats, CaptureOptions, STALE_AFTER};
#[cfg(feature = "kiosk")]
pub use faulty::{FaultPlan, FaultySource};
#[cfg(feature = "kiosk")]
pub use replay::ReplaySource;

/// A decoded camera frame, as the camera sees it (not mirrored: mirroring is for the screen only).
#[derive(Clone)]
pub struct Frame {
    pub image: Arc<RgbImage>,
    /// A small, mirrored RGBA copy for the screen, made on the capture thread so the UI thread
    /// only uploads it.
    pub preview: Arc<Preview>,
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

/// A mirrored, downscaled RGBA image for display.
#[derive(Clone, PartialEq, Eq)]
pub struct Preview {
    pub width: u32,
    pub height: u32,
    pub rgba: Vec<u8>,
}

impl Preview {
    /// Box-averages `img` by the whole factor that brings it to at most `max_width`, mirrored
    /// left-right (people expect a mirror).
    pub fn mirrored(img: &RgbImage, max_width: u32) -> Self {
        let k = img.width().div_ceil(max_width.max(1)).max(1);
        let (w, h) = (img.width() / k, img.height() / k);
        let mut rgba = vec![255u8; (w * h * 4) as usize];
        let raw = img.as_raw();
        let stride = img.width() as usize * 3;
        let n = k * k;
        for y in 0..h as usize {
            for x in 0..w as usize {
                let (mut r, mut g, mut b) = (0u32, 0u32, 0u32);
                for dy in 0..k as usize {
                    let row = &raw[(y * k as usize + dy) * stride..];
                    for dx in 0..k as usize {
                        let i = (x * k as usize + dx) * 3;
                        r += row[i] as u32;
                        g += row[i + 1] as u32;
                        b += row[i + 2] as u32;
                    }
                }
                let o = (y * w as usize + (w as usize - 1 - x)) * 4;
                rgba[o] = (r / n) as u8;
                rgba[o + 1] = (g / n) as u8;
                rgba[o + 2] = (b / n) as u8;
            }
        }
        Self {
            width: w,
            height: h,
            rgba,
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preview_is_mirrored_and_averaged() {
        let img = RgbImage::from_fn(8, 2, |x, _| image::Rgb([if x < 2 { 200 } else { 0 }, 0, 0]));
        let p = Preview::mirrored(&img, 4);
        assert_eq!((p.width, p.height), (4, 1));
        // The bright left edge of the camera image is the right edge of the mirror.
        assert_eq!(p.rgba[3 * 4], 200);
        assert_eq!(p.rgba[0], 0);
        assert_eq!(p.rgba[3], 255);
    }
}
