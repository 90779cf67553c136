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
        Self::mirrored_into(img, max_width, Vec::new())
    }

    /// As [`Preview::mirrored`], written into `reuse` (an earlier preview's buffer): every
    /// pixel is overwritten, so a buffer of the right size is neither zeroed nor faulted in
    /// afresh, once per camera frame.
    pub fn mirrored_into(img: &RgbImage, max_width: u32, mut reuse: Vec<u8>) -> Self {
        let k = img.width().div_ceil(max_width.max(1)).max(1) as usize;
        let (w, h) = (img.width() as usize / k, img.height() as usize / k);
        if reuse.len() != w * h * 4 {
            reuse.clear();
            reuse.resize(w * h * 4, 0);
        }
        let mut rgba = reuse;
        if w == 0 || h == 0 {
            return Self {
                width: 0,
                height: 0,
                rgba,
            };
        }
        let stride = img.width() as usize * 3;
        let raw = img.as_raw();
        // Row by row over slices whose ends the compiler can see: this runs on every frame the
        // camera decodes, and an indexed loop was a quarter of the capture thread.
        for (y, out_row) in rgba.chunks_exact_mut(w * 4).enumerate() {
            let rows = &raw[y * k * stride..(y + 1) * k * stride];
            // Mirrored: the first source pixel is the last one on screen.
            let out_px = out_row.chunks_exact_mut(4).rev();
            match k {
                1 => {
                    for (out, p) in out_px.zip(rows.chunks_exact(3)) {
                        out[..3].copy_from_slice(p);
                        out[3] = 255;
                    }
                }
                2 => {
                    let (r0, r1) = rows.split_at(stride);
                    for ((out, a), b) in out_px.zip(r0.chunks_exact(6)).zip(r1.chunks_exact(6)) {
                        for c in 0..3 {
                            let sum = u16::from(a[c])
                                + u16::from(a[c + 3])
                                + u16::from(b[c])
                                + u16::from(b[c + 3]);
                            out[c] = (sum / 4) as u8;
                        }
                        out[3] = 255;
                    }
                }
                _ => {
                    let n = (k * k) as u32;
                    for (x, out) in out_px.enumerate() {
                        let mut sum = [0u32; 3];
                        for row in rows.chunks_exact(stride) {
                            for p in row[x * k * 3..(x + 1) * k * 3].chunks_exact(3) {
                                sum[0] += u32::from(p[0]);
                                sum[1] += u32::from(p[1]);
                                sum[2] += u32::from(p[2]);
                            }
                        }
                        out[0] = (sum[0] / n) as u8;
                        out[1] = (sum[1] / n) as u8;
                        out[2] = (sum[2] / n) as u8;
                        out[3] = 255;
                    }
                }
            }
        }
        Self {
            width: w as u32,
            height: h as u32,
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
    decode_into(raw, Vec::new())
}

/// [`decode`], into `reuse` where it has the frame's size.
pub fn decode_into(raw: RawFrame, reuse: Vec<u8>) -> Result<RgbImage, CameraError> {
    match raw {
        RawFrame::Jpeg(bytes) => {
            mjpeg::decode_jpeg_into(&bytes, reuse).map_err(|e| CameraError::Frame(e.to_string()))
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

    #[test]
    fn preview_matches_a_plain_box_average_for_odd_sizes() {
        let img = RgbImage::from_fn(13, 7, |x, y| {
            image::Rgb([
                (x * 19 + y * 7) as u8,
                (x * y * 5) as u8,
                (200 - x * 3 - y) as u8,
            ])
        });
        for max_width in [13, 7, 6, 4, 3] {
            let p = Preview::mirrored(&img, max_width);
            // Into a used buffer of the same size, or of another: the same picture, opaque.
            let same = vec![7u8; p.rgba.len()];
            assert!(Preview::mirrored_into(&img, max_width, same) == p);
            assert!(Preview::mirrored_into(&img, max_width, vec![9u8; 5]) == p);
            assert!(p.rgba.chunks_exact(4).all(|px| px[3] == 255));
            let k = 13u32.div_ceil(max_width);
            assert_eq!((p.width, p.height), (13 / k, 7 / k));
            for y in 0..p.height {
                for x in 0..p.width {
                    for c in 0..3 {
                        let mut sum = 0u32;
                        for dy in 0..k {
                            for dx in 0..k {
                                sum += u32::from(img.get_pixel(x * k + dx, y * k + dy)[c]);
                            }
                        }
                        let o = ((y * p.width + (p.width - 1 - x)) * 4) as usize;
                        assert_eq!(u32::from(p.rgba[o + c]), sum / (k * k));
                    }
                }
            }
        }
        assert_eq!(Preview::mirrored(&RgbImage::new(0, 0), 4).rgba.len(), 0);
    }
}
