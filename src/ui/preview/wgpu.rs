//! The preview on a wgpu pipeline of its own inside egui's render pass: one quad, no blending,
//! the simplest fragment shader.

use std::sync::Arc;

use eframe::egui_wgpu::{self, wgpu};

use crate::camera;

/// The pipeline, sampler and current texture, kept in egui-wgpu's callback resources.
pub(super) struct GpuPreview {
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
    pub(super) fn new(device: &wgpu::Device, target: wgpu::TextureFormat) -> Self {
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
pub(super) struct PreviewPaint {
    pub(super) seq: u64,
    pub(super) image: Arc<camera::Preview>,
    pub(super) uv: [f32; 4],
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
