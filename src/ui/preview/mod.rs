//! The live camera preview. The capture thread makes a small mirrored RGBA copy of each frame;
//! the UI thread only hands it on.
//!
//! The preview covers nearly the whole window, so how it is drawn decides what a paint costs
//! where there is no GPU (Mesa's software rasteriser, llvmpipe: thin clients, virtual machines).
//! egui's general shader multiplies, dithers and blends every pixel; the preview is opaque and
//! needs none of that, so it is drawn by a program of its own inside egui's paint order: with
//! eframe's glow renderer (the default) in [`glow`], with wgpu in [`wgpu`]. Without either (a
//! test harness, an OpenGL too old for the program) it is an ordinary egui texture.
//! BENCHMARKS.md, "Paint cost", has the figures.

mod glow;
mod wgpu;

use std::sync::Arc;
use std::time::{Duration, Instant};

use eframe::egui_wgpu;
use egui::{ColorImage, Rect, TextureHandle, TextureOptions};

use crate::camera::{self, Frame};

/// While nobody is guided the preview refreshes this often: each new image makes egui paint,
/// and painting is costly where there is no GPU.
const IDLE_REFRESH: Duration = Duration::from_secs(1);

/// Who draws the preview.
#[derive(Default)]
enum Backend {
    /// An egui texture.
    #[default]
    Egui,
    /// The preview's own wgpu pipeline.
    Wgpu,
    /// The preview's own OpenGL program.
    Glow(Arc<glow::GlPreview>),
}

/// The newest preview image and how it is drawn.
#[derive(Default)]
pub struct Preview {
    image: Option<(u64, Arc<camera::Preview>)>,
    /// The egui texture, with [`Backend::Egui`].
    texture: Option<TextureHandle>,
    backend: Backend,
    uploaded_at: Option<Instant>,
    logged_first: bool,
}

/// What a screen draws as the preview.
#[derive(Clone, Copy)]
pub enum PreviewImage<'a> {
    /// An egui texture (tests, or a renderer without a program of its own).
    Texture(&'a TextureHandle),
    /// The newest frame, drawn by the preview's own wgpu pipeline.
    Wgpu {
        seq: u64,
        image: &'a Arc<camera::Preview>,
    },
    /// The newest frame, drawn by the preview's own OpenGL program.
    Glow {
        seq: u64,
        image: &'a Arc<camera::Preview>,
        program: &'a Arc<glow::GlPreview>,
    },
}

impl PreviewImage<'_> {
    /// Width and height in texels.
    pub fn size(&self) -> [usize; 2] {
        match self {
            Self::Texture(t) => t.size(),
            Self::Wgpu { image, .. } | Self::Glow { image, .. } => {
                [image.width as usize, image.height as usize]
            }
        }
    }

    /// The shape that draws the part `uv` (u0, v0, u1, v1) of the image into `rect`.
    pub fn shape(&self, rect: Rect, uv: [f32; 4]) -> egui::Shape {
        match self {
            Self::Texture(t) => {
                let uv = Rect::from_min_max(egui::pos2(uv[0], uv[1]), egui::pos2(uv[2], uv[3]));
                egui::Shape::image(t.id(), rect, uv, egui::Color32::WHITE)
            }
            Self::Wgpu { seq, image } => egui_wgpu::Callback::new_paint_callback(
                rect,
                wgpu::PreviewPaint {
                    seq: *seq,
                    image: Arc::clone(image),
                    uv,
                },
            )
            .into(),
            Self::Glow {
                seq,
                image,
                program,
            } => egui::Shape::Callback(egui::PaintCallback {
                rect,
                callback: Arc::new(glow::callback(program, *seq, image, uv)),
            }),
        }
    }
}

impl Preview {
    /// Sets up the preview's own program for the renderer eframe runs (`None` for both: egui
    /// textures).
    pub fn new(
        render_state: Option<&egui_wgpu::RenderState>,
        gl: Option<&Arc<eframe::glow::Context>>,
    ) -> Self {
        let backend = if let Some(rs) = render_state {
            let resources = wgpu::GpuPreview::new(&rs.device, rs.target_format);
            rs.renderer.write().callback_resources.insert(resources);
            Backend::Wgpu
        } else if let Some(program) = gl.and_then(|gl| glow::GlPreview::new(gl)) {
            Backend::Glow(Arc::new(program))
        } else {
            Backend::Egui
        };
        Self {
            backend,
            ..Self::default()
        }
    }

    /// What to draw now, if a frame has arrived.
    pub fn image(&self) -> Option<PreviewImage<'_>> {
        match (&self.backend, &self.image) {
            (Backend::Egui, _) => self.texture.as_ref().map(PreviewImage::Texture),
            (_, None) => None,
            (Backend::Wgpu, Some((seq, image))) => Some(PreviewImage::Wgpu { seq: *seq, image }),
            (Backend::Glow(program), Some((seq, image))) => Some(PreviewImage::Glow {
                seq: *seq,
                image,
                program,
            }),
        }
    }

    /// Takes `frame` if it is new and due: every frame while someone is guided (`live`), once
    /// a second otherwise.
    pub fn update(&mut self, ctx: &egui::Context, frame: Option<&Frame>, live: bool) {
        let due = live || self.uploaded_at.is_none_or(|t| t.elapsed() >= IDLE_REFRESH);
        let seen = self.image.as_ref().map(|(seq, _)| *seq);
        let Some(frame) = frame.filter(|f| Some(f.seq) != seen && due) else {
            return;
        };
        self.uploaded_at = Some(Instant::now());
        self.image = Some((frame.seq, Arc::clone(&frame.preview)));
        if matches!(self.backend, Backend::Egui) {
            let p = &frame.preview;
            let size = [p.width as usize, p.height as usize];
            let img = ColorImage::from_rgba_unmultiplied(size, &p.rgba);
            match &mut self.texture {
                Some(tex) => tex.set(img, TextureOptions::LINEAR),
                None => {
                    self.texture =
                        Some(ctx.load_texture("camera-preview", img, TextureOptions::LINEAR));
                }
            }
        }
        if !self.logged_first {
            self.logged_first = true;
            tracing::info!(
                since_process_start_ms = crate::PROCESS_START
                    .get()
                    .map(|t| t.elapsed().as_millis() as u64),
                "first camera frame on screen"
            );
        }
    }
}
