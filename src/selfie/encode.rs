//! JPEG encoding of the selfie. The encoder writes no EXIF or other metadata.

use image::RgbImage;
use thiserror::Error;

pub const DEFAULT_QUALITY: u8 = 85;

#[derive(Debug, Error)]
pub enum EncodeError {
    #[error("JPEG encoding failed: {0}")]
    Jpeg(String),
}

/// Encodes an RGB frame as a baseline JPEG.
pub fn encode_jpeg(img: &RgbImage, quality: u8) -> Result<Vec<u8>, EncodeError> {
    let mut out = Vec::with_capacity((img.width() * img.height() / 8) as usize);
    let enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality.clamp(1, 100));
    img.write_with_encoder(enc)
        .map_err(|e| EncodeError::Jpeg(e.to_string()))?;
    Ok(out)
}
