//! MJPEG: a stream of concatenated JPEG frames, what a UVC webcam delivers and what the replay
//! camera plays. Splitting walks the JPEG markers (not a naive search for FFD9, which an EXIF
//! thumbnail would fool), and decoding uses zune-jpeg (see BENCHMARKS.md for why).

use image::RgbImage;
use thiserror::Error;
use zune_core::bytestream::ZCursor;
use zune_core::colorspace::ColorSpace;
use zune_core::options::DecoderOptions;
use zune_jpeg::JpegDecoder;

#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum DecodeError {
    #[error("corrupt JPEG frame: {0}")]
    Corrupt(String),
    #[error("JPEG frame of {0}x{1} is larger than allowed")]
    TooLarge(usize, usize),
}

/// Largest frame accepted: 4K. A corrupt header claiming more is refused before allocating.
const MAX_SIDE: usize = 4096;

/// Decodes one JPEG frame to RGB8.
pub fn decode_jpeg(bytes: &[u8]) -> Result<RgbImage, DecodeError> {
    decode_jpeg_into(bytes, Vec::new())
}

/// Decodes one JPEG frame to RGB8 into `reuse` when it has the frame's size (a camera's
/// frames all do): a fresh multi-megabyte buffer is mapped, faulted in and zeroed by the
/// kernel on every frame, a fifth of the capture thread's time.
pub fn decode_jpeg_into(bytes: &[u8], reuse: Vec<u8>) -> Result<RgbImage, DecodeError> {
    let options = DecoderOptions::default()
        .jpeg_set_out_colorspace(ColorSpace::RGB)
        .set_max_width(MAX_SIDE)
        .set_max_height(MAX_SIDE);
    let mut dec = JpegDecoder::new_with_options(ZCursor::new(bytes), options);
    dec.decode_headers()
        .map_err(|e| DecodeError::Corrupt(e.to_string()))?;
    let (w, h) = dec
        .dimensions()
        .ok_or_else(|| DecodeError::Corrupt("no dimensions".into()))?;
    if w == 0 || h == 0 || w > MAX_SIDE || h > MAX_SIDE {
        return Err(DecodeError::TooLarge(w, h));
    }
    let len = w * h * 3;
    let mut pixels = if reuse.len() == len {
        reuse
    } else {
        vec![0; len]
    };
    // zune-jpeg 0.5.15 can panic on a malformed frame (the fuzzer found an IDCT slice index,
    // tests/data/zune-jpeg-0.5.15-idct-panic.jpg): a bad frame from a camera must stay a bad
    // frame, not end the capture thread.
    let decoded = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        dec.decode_into(&mut pixels)
    }));
    match decoded {
        Ok(r) => r.map_err(|e| DecodeError::Corrupt(e.to_string()))?,
        Err(_) => return Err(DecodeError::Corrupt("the JPEG decoder failed".into())),
    }
    RgbImage::from_raw(w as u32, h as u32, pixels)
        .ok_or_else(|| DecodeError::Corrupt("short pixel buffer".into()))
}

/// Finds the end of the JPEG that starts at `data[0]` (an SOI marker). Returns its length, or
/// `None` when the data ends first or is not a JPEG.
pub fn frame_len(data: &[u8]) -> Option<usize> {
    if data.len() < 4 || data[0] != 0xFF || data[1] != 0xD8 {
        return None;
    }
    let mut i = 2;
    // Marker segments up to the start of scan, each with a length we can skip.
    loop {
        // Fill bytes (0xFF padding) may precede a marker.
        while i < data.len() && data[i] == 0xFF && data.get(i + 1) == Some(&0xFF) {
            i += 1;
        }
        if i + 4 > data.len() || data[i] != 0xFF {
            return None;
        }
        let marker = data[i + 1];
        match marker {
            0xD9 => return Some(i + 2),
            0x01 | 0xD0..=0xD7 => {
                i += 2;
                continue;
            }
            _ => {}
        }
        let len = u16::from_be_bytes([data[i + 2], data[i + 3]]) as usize;
        if len < 2 {
            return None;
        }
        i += 2 + len;
        if marker == 0xDA {
            break;
        }
    }
    // Entropy-coded data: 0xFF is stuffed as FF00 and restart markers are FFD0-FFD7; any
    // other marker ends the scan (EOI, or another SOS in a progressive file).
    while i + 1 < data.len() {
        if data[i] != 0xFF {
            i += 1;
            continue;
        }
        match data[i + 1] {
            0x00 | 0xD0..=0xD7 | 0xFF => i += 1,
            0xD9 => return Some(i + 2),
            _ => {
                // A new segment (progressive scans, DHT between scans): skip it and keep going.
                if i + 4 > data.len() {
                    return None;
                }
                let len = u16::from_be_bytes([data[i + 2], data[i + 3]]) as usize;
                if len < 2 {
                    return None;
                }
                i += 2 + len;
            }
        }
    }
    None
}

/// Splits a buffer of concatenated JPEGs into frames, skipping garbage between them.
pub fn split_frames(mut data: &[u8]) -> Vec<&[u8]> {
    let mut frames = Vec::new();
    while let Some(start) = data.windows(2).position(|w| w == [0xFF, 0xD8]) {
        data = &data[start..];
        match frame_len(data) {
            Some(len) => {
                frames.push(&data[..len]);
                data = &data[len..];
            }
            // Not a complete frame here: look for the next SOI past this one.
            None => data = &data[2..],
        }
    }
    frames
}

#[cfg(feature = "kiosk")]
#[derive(Debug, Error)]
pub enum EncodeError {
    #[error("JPEG encoding failed: {0}")]
    Jpeg(String),
    #[error("frame of {0}x{1} is too large to encode")]
    TooLarge(u32, u32),
}

/// Encodes RGB as a baseline JPEG (4:2:0) with only a JFIF header: no EXIF, no comments.
/// Uses `jpeg-encoder` (SIMD), measured faster than `image`'s encoder at equal quality
/// (BENCHMARKS.md).
#[cfg(feature = "kiosk")]
pub fn encode_jpeg(img: &RgbImage, quality: u8) -> Result<Vec<u8>, EncodeError> {
    let (w, h) = img.dimensions();
    let (Ok(w16), Ok(h16)) = (u16::try_from(w), u16::try_from(h)) else {
        return Err(EncodeError::TooLarge(w, h));
    };
    let mut out = Vec::with_capacity((w * h / 6) as usize);
    let enc = jpeg_encoder::Encoder::new(&mut out, quality.clamp(1, 100));
    enc.encode(img.as_raw(), w16, h16, jpeg_encoder::ColorType::Rgb)
        .map_err(|e| EncodeError::Jpeg(e.to_string()))?;
    Ok(out)
}

#[cfg(feature = "kiosk")]
/// The same with `image`'s encoder, kept for the benchmark comparison.
pub fn encode_jpeg_image_crate(img: &RgbImage, quality: u8) -> Result<Vec<u8>, EncodeError> {
    let mut out = Vec::with_capacity((img.width() * img.height() / 6) as usize);
    let enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality.clamp(1, 100));
    img.write_with_encoder(enc)
        .map_err(|e| EncodeError::Jpeg(e.to_string()))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_frame_the_decoder_panics_on_is_a_bad_frame() {
        let frame = include_bytes!("../../tests/data/zune-jpeg-0.5.15-idct-panic.jpg");
        assert!(decode_jpeg(frame).is_err());
    }

    fn jpeg(w: u32, h: u32, shade: u8) -> Vec<u8> {
        let img = RgbImage::from_pixel(w, h, image::Rgb([shade, 100, 200]));
        encode_jpeg(&img, 85).unwrap()
    }

    #[test]
    fn decoding_into_a_used_buffer_gives_the_same_image() {
        let img = RgbImage::from_fn(64, 48, |x, y| {
            image::Rgb([(x * 4) as u8, (y * 5) as u8, 90])
        });
        let bytes = encode_jpeg(&img, 90).unwrap();
        let fresh = decode_jpeg(&bytes).unwrap();
        // A buffer of the right size full of another frame, and one of the wrong size.
        let reused = decode_jpeg_into(&bytes, vec![0xAB; 64 * 48 * 3]).unwrap();
        let resized = decode_jpeg_into(&bytes, vec![7; 10]).unwrap();
        assert_eq!(fresh, reused);
        assert_eq!(fresh, resized);
        // A frame cut short (a USB hiccup) leaves nothing of the buffer's last frame behind.
        let cut = &bytes[..bytes.len() / 2];
        if let Ok(fresh) = decode_jpeg(cut) {
            assert_eq!(
                fresh,
                decode_jpeg_into(cut, vec![0xAB; 64 * 48 * 3]).unwrap()
            );
        }
    }

    #[test]
    fn splits_concatenated_frames_with_garbage() {
        let (a, b) = (jpeg(64, 48, 10), jpeg(32, 32, 250));
        let mut stream = b"junk".to_vec();
        stream.extend(&a);
        stream.extend(b"\x00\xFF\xD8broken");
        stream.extend(&b);
        let frames = split_frames(&stream);
        assert_eq!(frames.len(), 2);
        assert_eq!(frames[0], &a[..]);
        assert_eq!(frames[1], &b[..]);
        let img = decode_jpeg(frames[1]).unwrap();
        assert_eq!(img.dimensions(), (32, 32));
        assert!((img.get_pixel(5, 5)[0] as i32 - 250).abs() < 8);
    }

    #[test]
    fn corrupt_frames_are_errors_not_panics() {
        let a = jpeg(64, 48, 10);
        // A truncated frame may decode with grey fill or fail; either way it must not panic.
        let _ = decode_jpeg(&a[..a.len() / 3]);
        assert!(decode_jpeg(b"\xFF\xD8\xFF\xE0nonsense").is_err());
        assert!(decode_jpeg(&[]).is_err());
        assert_eq!(frame_len(&a[..a.len() - 1]), None);
    }
}
