//! The upload: the frame cropped around the face and shrunk so it stays small while the face
//! keeps the size FACEKI wants, then JPEG-encoded without EXIF or any other metadata.

use image::RgbImage;
use image::imageops::FilterType;

use super::detector::Face;

pub const DEFAULT_QUALITY: u8 = 85;

// The JPEG encoder lives with the decoder in `camera::mjpeg` (the replay camera re-encodes image
// folders with it); the upload path uses it from here.
pub use crate::camera::mjpeg::{EncodeError, encode_jpeg, encode_jpeg_image_crate};

/// How the upload is cut from the frame.
#[derive(Debug, Clone, Copy)]
pub struct UploadShape {
    /// The eyes must stay at least this far apart after scaling (FACEKI: 90 px), plus margin.
    pub min_eye_distance_px: f32,
    /// Crop side as a multiple of the face box height: the whole head, hair and some shoulders,
    /// so FACEKI's own "cropped" and "too close" checks (8004, 8005) see a normal portrait.
    pub crop_factor: f32,
}

impl Default for UploadShape {
    fn default() -> Self {
        Self {
            min_eye_distance_px: 90.0,
            crop_factor: 2.6,
        }
    }
}

/// Crops a square around the face and scales it down as far as the eye distance allows
/// (never up). Without a face, the centred square of the frame.
pub fn prepare_upload(frame: &RgbImage, face: Option<&Face>, shape: UploadShape) -> RgbImage {
    let (fw, fh) = (frame.width() as f32, frame.height() as f32);
    let (cx, cy, side, eye) = match face {
        Some(f) => {
            let c = f.centre();
            (
                c.x,
                c.y,
                (f.bbox[3] * shape.crop_factor).min(fw.min(fh)),
                f.eye_distance(),
            )
        }
        None => (fw / 2.0, fh / 2.0, fw.min(fh), f32::INFINITY),
    };
    let side = side.max(16.0).min(fw).min(fh);
    let x = (cx - side / 2.0).clamp(0.0, fw - side) as u32;
    let y = (cy - side / 2.0).clamp(0.0, fh - side) as u32;
    let crop = image::imageops::crop_imm(frame, x, y, side as u32, side as u32).to_image();
    // Keep 25% above the minimum eye distance, to survive FACEKI's own resizing.
    let target_eye = shape.min_eye_distance_px * 1.25;
    let scale = if eye.is_finite() && eye > target_eye {
        target_eye / eye
    } else {
        1.0
    };
    let scale = scale.max(512.0 / side).min(1.0);
    if scale < 0.99 {
        let s = (side * scale).round() as u32;
        image::imageops::resize(&crop, s, s, FilterType::Triangle)
    } else {
        crop
    }
}

/// Walks a JPEG's marker segments and lists the APPn/COM markers it carries, to prove the
/// upload has no EXIF (APP1) or comments.
pub fn metadata_markers(jpeg: &[u8]) -> Vec<u8> {
    let mut found = Vec::new();
    let mut i = 2;
    while i + 4 <= jpeg.len() && jpeg[i] == 0xFF {
        let marker = jpeg[i + 1];
        if marker == 0xDA {
            break;
        }
        if (0xE0..=0xEF).contains(&marker) || marker == 0xFE {
            found.push(marker);
        }
        i += 2 + u16::from_be_bytes([jpeg[i + 2], jpeg[i + 3]]) as usize;
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gradient(w: u32, h: u32) -> RgbImage {
        RgbImage::from_fn(w, h, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, ((x + y) % 256) as u8])
        })
    }

    #[test]
    fn upload_decodes_and_has_no_exif() {
        let img = gradient(640, 480);
        for jpeg in [
            encode_jpeg(&img, 85).unwrap(),
            encode_jpeg_image_crate(&img, 85).unwrap(),
        ] {
            let back = image::load_from_memory(&jpeg).unwrap();
            assert_eq!((back.width(), back.height()), (640, 480));
            // Only the JFIF APP0 header; no APP1 (EXIF/XMP), no comment.
            assert_eq!(metadata_markers(&jpeg), vec![0xE0]);
        }
    }

    #[test]
    fn crop_keeps_the_eyes_far_enough_apart() {
        let frame = gradient(1920, 1080);
        let mut kp = [super::super::detector::Point::default(); 6];
        kp[0] = super::super::detector::Point { x: 880.0, y: 500.0 };
        kp[1] = super::super::detector::Point {
            x: 1040.0,
            y: 500.0,
        };
        let face = Face {
            score: 0.9,
            bbox: [810.0, 400.0, 300.0, 330.0],
            keypoints: kp,
        };
        let up = prepare_upload(&frame, Some(&face), UploadShape::default());
        assert_eq!(up.width(), up.height());
        // 160 px apart in the frame; the crop is scaled so they stay >= 90 * 1.25.
        let scale = up.width() as f32 / (330.0f32 * 2.6).min(1080.0);
        assert!(160.0 * scale >= 112.0, "scale {scale}");
        assert!(up.width() < 858);
    }
}
