//! The webcam, through nokhwa's native backend (V4L2 on Linux, Media Foundation on Windows,
//! AVFoundation on macOS). A `nokhwa::Camera` cannot move between threads, so the capture
//! thread builds this source itself (see [`super::SourceFactory`]). nokhwa's `CallbackCamera`
//! is not used: it swallows frame errors, which would hide a disconnect.

use bytes::Bytes;
use image::RgbImage;
use nokhwa::Camera as NokhwaCamera;
use nokhwa::utils::{
    ApiBackend, CameraFormat, CameraIndex, FrameFormat, RequestedFormat, RequestedFormatType,
    Resolution,
};

use super::{CameraError, FrameSource, RawFrame, StreamInfo};

/// A camera as staff pick it in the admin panel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CameraChoice {
    pub index: u32,
    pub name: String,
}

/// The cameras the OS lists, by human name and index. Some listed nodes (UVC metadata nodes on
/// Linux) cannot be opened; opening tells.
pub fn list_cameras() -> Result<Vec<CameraChoice>, CameraError> {
    let infos = nokhwa::query(ApiBackend::Auto).map_err(|e| CameraError::Open(e.to_string()))?;
    Ok(infos
        .into_iter()
        .filter_map(|info| match info.index() {
            CameraIndex::Index(i) => Some(CameraChoice {
                index: *i,
                name: info.human_name(),
            }),
            CameraIndex::String(_) => None,
        })
        .collect())
}

/// Preferred capture size: the selfie is cut from the full frame, so more pixels give more
/// margin for a customer standing back; preview and detection use a downscaled copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum CaptureSize {
    #[default]
    #[serde(rename = "1080p")]
    P1080,
    #[serde(rename = "720p")]
    P720,
}

pub struct WebcamSource {
    index: u32,
    name: String,
    size: CaptureSize,
    camera: Option<NokhwaCamera>,
    format: FrameFormat,
    width: u32,
    height: u32,
}

impl WebcamSource {
    pub fn new(index: u32, size: CaptureSize) -> Self {
        let name = list_cameras()
            .ok()
            .and_then(|l| l.into_iter().find(|c| c.index == index))
            .map(|c| c.name)
            .unwrap_or_else(|| format!("camera {index}"));
        Self {
            index,
            name,
            size,
            camera: None,
            format: FrameFormat::MJPEG,
            width: 0,
            height: 0,
        }
    }

    /// Formats to try, best first: MJPEG (cheap over USB, decoded here), then YUYV.
    fn wanted(&self) -> Vec<CameraFormat> {
        let mut sizes = vec![(1280, 720)];
        if self.size == CaptureSize::P1080 {
            sizes.insert(0, (1920, 1080));
        }
        let mut v = Vec::new();
        for (w, h) in &sizes {
            v.push(CameraFormat::new(
                Resolution::new(*w, *h),
                FrameFormat::MJPEG,
                30,
            ));
        }
        for (w, h) in &sizes {
            v.push(CameraFormat::new(
                Resolution::new(*w, *h),
                FrameFormat::YUYV,
                10,
            ));
        }
        v.push(CameraFormat::new(
            Resolution::new(640, 480),
            FrameFormat::YUYV,
            30,
        ));
        v
    }
}

impl FrameSource for WebcamSource {
    fn name(&self) -> String {
        self.name.clone()
    }

    fn open(&mut self) -> Result<StreamInfo, CameraError> {
        // nokhwa's Linux backend caches device handles: drop the old camera before reopening,
        // or a replugged camera comes back as the stale handle.
        self.camera = None;
        let mut last_err = String::from("no format tried");
        for want in self.wanted() {
            let formats = [want.format()];
            let request = RequestedFormat::with_formats(RequestedFormatType::Exact(want), &formats);
            let opened = NokhwaCamera::new(CameraIndex::Index(self.index), request)
                .and_then(|mut cam| cam.open_stream().map(|()| cam));
            match opened {
                Ok(cam) => {
                    let got = cam.camera_format();
                    self.format = got.format();
                    self.width = got.resolution().width();
                    self.height = got.resolution().height();
                    self.camera = Some(cam);
                    return Ok(StreamInfo {
                        width: self.width,
                        height: self.height,
                        fps: got.frame_rate() as f32,
                        format: format!("{:?}", self.format),
                    });
                }
                Err(e) => {
                    tracing::debug!(camera = self.index, ?want, error = %e, "format refused");
                    last_err = e.to_string();
                }
            }
        }
        Err(CameraError::Open(format!("{}: {last_err}", self.name)))
    }

    fn next_frame(&mut self) -> Result<RawFrame, CameraError> {
        let cam = self
            .camera
            .as_mut()
            .ok_or_else(|| CameraError::Gone("not open".into()))?;
        let raw = cam
            .frame_raw()
            .map_err(|e| CameraError::Frame(e.to_string()))?;
        match self.format {
            FrameFormat::MJPEG => Ok(RawFrame::Jpeg(Bytes::copy_from_slice(&raw))),
            FrameFormat::YUYV => yuyv_to_rgb(&raw, self.width, self.height)
                .map(RawFrame::Rgb)
                .ok_or_else(|| CameraError::Frame("short YUYV frame".into())),
            other => Err(CameraError::Gone(format!(
                "unsupported pixel format {other:?}"
            ))),
        }
    }

    fn close(&mut self) {
        self.camera = None;
    }
}

/// YUYV 4:2:2 (BT.601, limited range) to RGB8.
pub fn yuyv_to_rgb(data: &[u8], width: u32, height: u32) -> Option<RgbImage> {
    let (w, h) = (width as usize, height as usize);
    if w % 2 != 0 || data.len() < w * h * 2 {
        return None;
    }
    let mut out = vec![0u8; w * h * 3];
    let clamp = |v: i32| v.clamp(0, 255) as u8;
    for (src, dst) in data[..w * h * 2]
        .chunks_exact(4)
        .zip(out.chunks_exact_mut(6))
    {
        let (y0, u, y1, v) = (
            src[0] as i32 - 16,
            src[1] as i32 - 128,
            src[2] as i32 - 16,
            src[3] as i32 - 128,
        );
        for (k, y) in [y0, y1].into_iter().enumerate() {
            let c = 298 * y;
            dst[k * 3] = clamp((c + 409 * v + 128) >> 8);
            dst[k * 3 + 1] = clamp((c - 100 * u - 208 * v + 128) >> 8);
            dst[k * 3 + 2] = clamp((c + 516 * u + 128) >> 8);
        }
    }
    RgbImage::from_raw(width, height, out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yuyv_greys_and_bounds() {
        // Y=235 is white, Y=16 black, U=V=128 no colour.
        let img = yuyv_to_rgb(&[235, 128, 16, 128], 2, 1).unwrap();
        assert_eq!(img.get_pixel(0, 0).0, [255, 255, 255]);
        assert_eq!(img.get_pixel(1, 0).0, [0, 0, 0]);
        assert!(yuyv_to_rgb(&[1, 2, 3], 2, 1).is_none());
    }
}
