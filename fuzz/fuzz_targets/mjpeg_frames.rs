//! The MJPEG path a webcam or the replay clip takes: `camera::mjpeg::split_frames` on a byte
//! stream, then `camera::mjpeg::decode_jpeg` on every frame (and on the whole input, as a
//! single-frame source hands it). Nothing may panic; frames are SOI..EOI sub-slices of the
//! input, in order and without overlap; a decoded image is at most 4096x4096 RGB8.

#![no_main]

use faceki_kiosk::camera::mjpeg::{decode_jpeg, split_frames};
use libfuzzer_sys::fuzz_target;

/// Bound the work per input (a webcam frame is far smaller).
const MAX_INPUT: usize = 1 << 20;

fn decode(frame: &[u8]) {
    if let Ok(img) = decode_jpeg(frame) {
        let (w, h) = img.dimensions();
        assert!(w > 0 && h > 0 && w <= 4096 && h <= 4096, "decoded {w}x{h}");
        assert_eq!(img.as_raw().len(), w as usize * h as usize * 3);
    }
}

/// libfuzzer-sys aborts on any panic from its hook, before `decode_jpeg` can turn the
/// decoder's own panics into errors as the kiosk does; the default hook lets them unwind. A
/// panic anywhere else still reaches libfuzzer-sys's boundary and counts as a crash.
static DEFAULT_HOOK: std::sync::Once = std::sync::Once::new();

fuzz_target!(|data: &[u8]| {
    DEFAULT_HOOK.call_once(|| {
        let _ = std::panic::take_hook();
    });
    if data.len() > MAX_INPUT {
        return;
    }
    let frames = split_frames(data);
    let base = data.as_ptr() as usize;
    let mut end = 0;
    for f in &frames {
        let start = f.as_ptr() as usize - base;
        assert!(start >= end && start + f.len() <= data.len(), "frames overlap or escape");
        end = start + f.len();
        assert!(f.len() >= 4 && f.starts_with(&[0xFF, 0xD8]) && f.ends_with(&[0xFF, 0xD9]));
        decode(f);
    }
    if frames.first().is_none_or(|f| f.len() != data.len()) {
        decode(data);
    }
});
