//! The live camera preview: one texture, updated in place from the mirrored copy the capture
//! thread made, so the UI thread only uploads.

use std::time::{Duration, Instant};

use egui::{ColorImage, TextureHandle, TextureOptions};

use crate::camera::Frame;

/// While nobody is guided the preview refreshes this often: each upload makes egui paint, and
/// painting is costly where there is no GPU.
const IDLE_REFRESH: Duration = Duration::from_secs(1);

#[derive(Default)]
pub struct Preview {
    texture: Option<TextureHandle>,
    seq: u64,
    uploaded_at: Option<Instant>,
}

impl Preview {
    pub fn texture(&self) -> Option<&TextureHandle> {
        self.texture.as_ref()
    }

    /// Shows `frame` if it is new and due: every frame while someone is guided (`live`), once
    /// a second otherwise.
    pub fn update(&mut self, ctx: &egui::Context, frame: Option<&Frame>, live: bool) {
        let due = live || self.uploaded_at.is_none_or(|t| t.elapsed() >= IDLE_REFRESH);
        let Some(frame) = frame.filter(|f| f.seq != self.seq && due) else {
            return;
        };
        self.seq = frame.seq;
        self.uploaded_at = Some(Instant::now());
        let p = &frame.preview;
        let img =
            ColorImage::from_rgba_unmultiplied([p.width as usize, p.height as usize], &p.rgba);
        match &mut self.texture {
            Some(tex) => tex.set(img, TextureOptions::LINEAR),
            None => {
                tracing::info!(
                    since_process_start_ms = crate::PROCESS_START
                        .get()
                        .map(|t| t.elapsed().as_millis() as u64),
                    "first camera frame on screen"
                );
                self.texture =
                    Some(ctx.load_texture("camera-preview", img, TextureOptions::LINEAR));
            }
        }
    }
}
