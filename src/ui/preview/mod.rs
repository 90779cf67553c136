//! The live camera preview. The capture thread makes a small mirrored RGBA copy of each frame;
//! the UI thread only hands it on.
//!
//! Where eframe renders with wgpu (always, in the kiosk), the preview is drawn by a pipeline of
//! its own inside egui's render pass: one quad, no blending, the simplest fragment shader.
//! egui's general shader and blending cost Mesa's software rasteriser (llvmpipe, on PCs without
//! a usable GPU driver) about 40 ms of CPU per full-screen layer, more than the kiosk may spend
//! on a whole frame; this path is several times cheaper (BENCHMARKS.md, "Paint cost"). Without
//! wgpu (a test harness without a GPU device) the preview is an ordinary egui texture.

use std::sync::Arc;
use std::time::{Duration, Instant};

use eframe::egui_wgpu::{self, wgpu};
use egui::{ColorImage, Rect, TextureHandle, TextureOptions};

use crate::camera::{self, Frame};

/// While nobody is guided the preview refreshes this often: each new image makes egui paint,
/// and painting is costly where there is no GPU.
const IDLE_REFRESH: Duration = Duration::from_secs(1);

/// The newest preview image and how it is drawn.
#[derive(Default)]
pub struct Preview {
    image: Option<(u64, Arc<camera::Preview>)>,
    /// The egui texture, when there is no wgpu pipeline.
    texture: Option<TextureHandle>,
    gpu: bool,
    uploaded_at: Option<Instant>,
    logged_first: bool,
}

/// What a screen draws as the preview.
#[derive(Clone, Copy)]
pub enum PreviewImage<'a> {
    /// An egui texture (tests, or a renderer without the wgpu pipeline).
    Texture(&'a TextureHandle),
    /// The newest frame, drawn by the preview's own wgpu pipeline.
    Gpu {
        seq: u64,
        image: &'a Arc<camera::Preview>,
    },
}

impl PreviewImage<'_> {
    /// Width and height in texels.
    pub fn size(&self) -> [usize; 2] {
        match self {
            Self::Texture(t) => t.size(),
            Self::Gpu { image, .. } => [image.width as usize, image.height as usize],
        }
    }

    /// The shape that draws the part `uv` (u0, v0, u1, v1) of the image into `rect`.
    pub fn shape(&self, rect: Rect, uv: [f32; 4]) -> egui::Shape {
        match self {
            Self::Texture(t) => {
                let uv = Rect::from_min_max(egui::pos2(uv[0], uv[1]), egui::pos2(uv[2], uv[3]));
                egui::Shape::image(t.id(), rect, uv, egui::Color32::WHITE)
            }
            Self::Gpu { seq, image } => egui_wgpu::Callback::new_paint_callback(
                rect,
                PreviewPaint {
                    seq: *seq,
                    image: Arc::clone(image),
                    uv,
                },
            )
            .into(),
        }
    }
}

impl Preview {
    /// Sets up the wgpu pipeline when eframe renders with wgpu.
    pub fn new(render_state: Option<&egui_wgpu::RenderState>) -> Self {
        let gpu = render_state.is_some_and(|rs| {
            let resources = GpuPreview::new(&rs.device, rs.target_format);
            rs.renderer.write().callback_resources.insert(resources);
            true
        });
        Self {
            gpu,
            ..Self::default()
        }
    }

    /// What to draw now, if a frame has arrived.
    pub fn image(&self) -> Option<PreviewImage<'_>> {
        match (&self.texture, &self.image) {
            (Some(t), _) => Some(PreviewImage::Texture(t)),
            (None, Some((seq, image))) if self.gpu => Some(PreviewImage::Gpu { seq: *seq, image }),
            _ => None,
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
        if !self.gpu {
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

/// The pipeline, sampler and current texture, kept in egui-wgpu's callback resources.
struct GpuPreview {
    pipeline: wgpu::RenderPipeline,
    layout: wgpu::BindGroupLayout,
    sampler: wgpu::Sampler,
    uv: wgpu::Buffer,
    texture_format: wgpu::TextureFormat,
    texture: Option<GpuTexture>,
}

struct GpuTexture {
    texture: wgpu::Texture,
    bind_group: wgpu::BindGroup,
    size: [u32; 2],
    seq: u64,
}

const SHADER: &str = r"
struct Uv { rect: vec4<f32> };
@group(0) @binding(0) var t: texture_2d<f32>;
@group(0) @binding(1) var s: sampler;
@group(0) @binding(2) var<uniform> uv: Uv;
struct Out { @builtin(position) pos: vec4<f32>, @location(0) tc: vec2<f32> };
// A triangle strip over the viewport egui set to the callback's rect.
@vertex fn vs(@builtin(vertex_index) i: u32) -> Out {
    let x = f32(i & 1u);
    let y = f32((i >> 1u) & 1u);
    var o: Out;
    o.pos = vec4<f32>(x * 2.0 - 1.0, 1.0 - y * 2.0, 0.0, 1.0);
    o.tc = vec2<f32>(mix(uv.rect.x, uv.rect.z, x), mix(uv.rect.y, uv.rect.w, y));
    return o;
}
@fragment fn fs(o: Out) -> @location(0) vec4<f32> {
    return textureSample(t, s, o.tc);
}
";

impl GpuPreview {
    fn new(device: &wgpu::Device, target: wgpu::TextureFormat) -> Self {
        let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some("preview"),
            source: wgpu::ShaderSource::Wgsl(SHADER.into()),
        });
        let layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("preview"),
            entries: &[
                wgpu::BindGroupLayoutEntry {
                    binding: 0,
                    visibility: wgpu::ShaderStages::FRAGMENT,
                    ty: wgpu::BindingType::Texture {
                        multisampled: false,
                        sample_type: wgpu::TextureSampleType::Float { filterable: true },
                        view_dimension: wgpu::TextureViewDimension::D2,
                    },
                    count: None,
                },
                wgpu::BindGroupLayoutEntry {
                    binding: 1,
                    visibility: wgpu::ShaderStages::FRAGMENT,
                    ty: wgpu::BindingType::Sampler(wgpu::SamplerBindingType::Filtering),
                    count: None,
                },
                wgpu::BindGroupLayoutEntry {
                    binding: 2,
                    visibility: wgpu::ShaderStages::VERTEX,
                    ty: wgpu::BindingType::Buffer {
                        ty: wgpu::BufferBindingType::Uniform,
                        has_dynamic_offset: false,
                        min_binding_size: None,
                    },
                    count: None,
                },
            ],
        });
        let pipeline_layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("preview"),
            bind_group_layouts: &[Some(&layout)],
            immediate_size: 0,
        });
        let pipeline = device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
            label: Some("preview"),
            layout: Some(&pipeline_layout),
            vertex: wgpu::VertexState {
                module: &module,
                entry_point: Some("vs"),
                buffers: &[],
                compilation_options: wgpu::PipelineCompilationOptions::default(),
            },
            primitive: wgpu::PrimitiveState {
                topology: wgpu::PrimitiveTopology::TriangleStrip,
                ..wgpu::PrimitiveState::default()
            },
            // As egui's own pass: no depth buffer, no MSAA (eframe's defaults, kept in ui::run).
            depth_stencil: None,
            multisample: wgpu::MultisampleState::default(),
            fragment: Some(wgpu::FragmentState {
                module: &module,
                entry_point: Some("fs"),
                targets: &[Some(wgpu::ColorTargetState {
                    format: target,
                    // Opaque: the camera image replaces what is under it.
                    blend: None,
                    write_mask: wgpu::ColorWrites::ALL,
                })],
                compilation_options: wgpu::PipelineCompilationOptions::default(),
            }),
            multiview_mask: None,
            cache: None,
        });
        let sampler = device.create_sampler(&wgpu::SamplerDescriptor {
            label: Some("preview"),
            mag_filter: wgpu::FilterMode::Linear,
            min_filter: wgpu::FilterMode::Linear,
            ..wgpu::SamplerDescriptor::default()
        });
        let uv = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("preview uv"),
            size: 16,
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        // The RGBA bytes are sRGB-encoded: sampled as such into an sRGB target they are
        // decoded and encoded again; into a plain target they are copied as they are.
        let texture_format = if target.is_srgb() {
            wgpu::TextureFormat::Rgba8UnormSrgb
        } else {
            wgpu::TextureFormat::Rgba8Unorm
        };
        Self {
            pipeline,
            layout,
            sampler,
            uv,
            texture_format,
            texture: None,
        }
    }

    fn upload(
        &mut self,
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        seq: u64,
        img: &camera::Preview,
    ) {
        let size = [img.width, img.height];
        let fits = self.texture.as_ref().is_some_and(|t| t.size == size);
        if !fits {
            let texture = device.create_texture(&wgpu::TextureDescriptor {
                label: Some("camera preview"),
                size: wgpu::Extent3d {
                    width: size[0],
                    height: size[1],
                    depth_or_array_layers: 1,
                },
                mip_level_count: 1,
                sample_count: 1,
                dimension: wgpu::TextureDimension::D2,
                format: self.texture_format,
                usage: wgpu::TextureUsages::TEXTURE_BINDING | wgpu::TextureUsages::COPY_DST,
                view_formats: &[],
            });
            let view = texture.create_view(&wgpu::TextureViewDescriptor::default());
            let bind_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
                label: Some("preview"),
                layout: &self.layout,
                entries: &[
                    wgpu::BindGroupEntry {
                        binding: 0,
                        resource: wgpu::BindingResource::TextureView(&view),
                    },
                    wgpu::BindGroupEntry {
                        binding: 1,
                        resource: wgpu::BindingResource::Sampler(&self.sampler),
                    },
                    wgpu::BindGroupEntry {
                        binding: 2,
                        resource: self.uv.as_entire_binding(),
                    },
                ],
            });
            self.texture = Some(GpuTexture {
                texture,
                bind_group,
                size,
                seq: 0,
            });
        }
        let Some(t) = self.texture.as_mut().filter(|t| t.seq != seq) else {
            return;
        };
        t.seq = seq;
        queue.write_texture(
            wgpu::TexelCopyTextureInfo {
                texture: &t.texture,
                mip_level: 0,
                origin: wgpu::Origin3d::ZERO,
                aspect: wgpu::TextureAspect::All,
            },
            &img.rgba,
            wgpu::TexelCopyBufferLayout {
                offset: 0,
                bytes_per_row: Some(4 * size[0]),
                rows_per_image: Some(size[1]),
            },
            wgpu::Extent3d {
                width: size[0],
                height: size[1],
                depth_or_array_layers: 1,
            },
        );
    }
}

/// One paint of the preview: uploads the frame if the texture holds an older one.
struct PreviewPaint {
    seq: u64,
    image: Arc<camera::Preview>,
    uv: [f32; 4],
}

impl egui_wgpu::CallbackTrait for PreviewPaint {
    fn prepare(
        &self,
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        _screen: &egui_wgpu::ScreenDescriptor,
        _encoder: &mut wgpu::CommandEncoder,
        resources: &mut egui_wgpu::CallbackResources,
    ) -> Vec<wgpu::CommandBuffer> {
        if let Some(gpu) = resources.get_mut::<GpuPreview>() {
            gpu.upload(device, queue, self.seq, &self.image);
            let uv: Vec<u8> = self.uv.iter().flat_map(|f| f.to_le_bytes()).collect();
            queue.write_buffer(&gpu.uv, 0, &uv);
        }
        Vec::new()
    }

    fn paint(
        &self,
        _info: egui::PaintCallbackInfo,
        pass: &mut wgpu::RenderPass<'static>,
        resources: &egui_wgpu::CallbackResources,
    ) {
        let Some(gpu) = resources.get::<GpuPreview>() else {
            return;
        };
        let Some(t) = &gpu.texture else {
            return;
        };
        pass.set_pipeline(&gpu.pipeline);
        pass.set_bind_group(0, &t.bind_group, &[]);
        pass.draw(0..4, 0..1);
    }
}
