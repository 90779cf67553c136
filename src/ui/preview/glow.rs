//! The preview on an OpenGL program of its own (eframe's glow renderer, the kiosk's default):
//! one quad, blending off, a fragment shader that only samples the camera image. egui's own
//! shader multiplies by a vertex colour, dithers and blends every pixel, and the preview covers
//! nearly the whole window: on Mesa's software renderer that was most of a paint's cost
//! (BENCHMARKS.md, "Paint cost").

use std::sync::{Arc, Mutex, PoisonError};

use eframe::egui_glow;
use eframe::glow::{self, HasContext};

use crate::camera;

/// The GL objects. Created on the UI thread from eframe's context and only used inside paint
/// callbacks, which run on that thread; the lock only satisfies the callback's `Send + Sync`.
pub struct GlPreview {
    state: Mutex<State>,
}

struct State {
    program: glow::Program,
    vao: glow::VertexArray,
    texture: glow::Texture,
    u_uv: Option<glow::UniformLocation>,
    u_tex: Option<glow::UniformLocation>,
    /// Size of the texture's storage, once allocated.
    size: Option<[u32; 2]>,
    /// The frame the texture holds.
    seq: Option<u64>,
}

const VERTEX: &str = r"
uniform vec4 u_uv;
out vec2 v_tc;
// A triangle strip over the viewport egui set to the callback's rect.
void main() {
    float x = float(gl_VertexID & 1);
    float y = float((gl_VertexID >> 1) & 1);
    gl_Position = vec4(x * 2.0 - 1.0, 1.0 - y * 2.0, 0.0, 1.0);
    v_tc = vec2(mix(u_uv.x, u_uv.z, x), mix(u_uv.y, u_uv.w, y));
}
";

const FRAGMENT: &str = r"
uniform sampler2D u_tex;
in vec2 v_tc;
out vec4 f_color;
void main() {
    f_color = texture(u_tex, v_tc);
}
";

impl GlPreview {
    /// Compiles the program. `None` (logged) where the context is too old for it (GLSL below
    /// 1.40 / ES 3.00): the preview then falls back to an ordinary egui texture.
    pub(super) fn new(gl: &glow::Context) -> Option<Self> {
        let version = egui_glow::ShaderVersion::get(gl);
        if !version.is_new_shader_interface() {
            tracing::info!(?version, "OpenGL too old for the preview's own program");
            return None;
        }
        // SAFETY: called on the thread that owns the current GL context, with objects it made.
        match unsafe { State::new(gl, version) } {
            Ok(state) => Some(Self {
                state: Mutex::new(state),
            }),
            Err(e) => {
                tracing::warn!(error = %e, "the preview's OpenGL program failed; using egui's");
                None
            }
        }
    }

    /// Draws `image` (uploading it first if the texture holds another frame) over the viewport
    /// egui set to the callback's rect.
    pub(super) fn paint(
        &self,
        gl: &glow::Context,
        seq: u64,
        image: &camera::Preview,
        uv: [f32; 4],
    ) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        // SAFETY: paint callbacks run on the UI thread with eframe's context current; egui
        // restores its own state after the callback.
        unsafe { state.paint(gl, seq, image, uv) };
    }
}

impl State {
    unsafe fn new(gl: &glow::Context, version: egui_glow::ShaderVersion) -> Result<Self, String> {
        unsafe {
            let header = version.version_declaration();
            let precision = if version.is_embedded() {
                "precision mediump float;\n"
            } else {
                ""
            };
            let program = gl.create_program()?;
            let mut shaders = Vec::new();
            for (kind, body) in [
                (glow::VERTEX_SHADER, VERTEX),
                (glow::FRAGMENT_SHADER, FRAGMENT),
            ] {
                let shader = gl.create_shader(kind)?;
                gl.shader_source(shader, &format!("{header}\n{precision}{body}"));
                gl.compile_shader(shader);
                if !gl.get_shader_compile_status(shader) {
                    let log = gl.get_shader_info_log(shader);
                    gl.delete_shader(shader);
                    gl.delete_program(program);
                    return Err(format!("shader: {log}"));
                }
                gl.attach_shader(program, shader);
                shaders.push(shader);
            }
            gl.link_program(program);
            for shader in shaders {
                gl.detach_shader(program, shader);
                gl.delete_shader(shader);
            }
            if !gl.get_program_link_status(program) {
                let log = gl.get_program_info_log(program);
                gl.delete_program(program);
                return Err(format!("link: {log}"));
            }
            // Core profiles draw nothing without a vertex array bound, even an empty one.
            let vao = gl.create_vertex_array()?;
            let texture = gl.create_texture()?;
            tracing::info!("camera preview on its own OpenGL program");
            Ok(Self {
                u_uv: gl.get_uniform_location(program, "u_uv"),
                u_tex: gl.get_uniform_location(program, "u_tex"),
                program,
                vao,
                texture,
                size: None,
                seq: None,
            })
        }
    }

    unsafe fn paint(
        &mut self,
        gl: &glow::Context,
        seq: u64,
        image: &camera::Preview,
        uv: [f32; 4],
    ) {
        unsafe {
            gl.active_texture(glow::TEXTURE0);
            gl.bind_texture(glow::TEXTURE_2D, Some(self.texture));
            if self.seq != Some(seq) {
                self.upload(gl, image);
                self.seq = Some(seq);
            }
            // Opaque: the camera image replaces what is under it.
            gl.disable(glow::BLEND);
            gl.use_program(Some(self.program));
            gl.uniform_4_f32(self.u_uv.as_ref(), uv[0], uv[1], uv[2], uv[3]);
            gl.uniform_1_i32(self.u_tex.as_ref(), 0);
            gl.bind_vertex_array(Some(self.vao));
            gl.draw_arrays(glow::TRIANGLE_STRIP, 0, 4);
            // egui binds its own vertex array, program and blending again after a callback.
            gl.bind_vertex_array(None);
        }
    }

    unsafe fn upload(&mut self, gl: &glow::Context, image: &camera::Preview) {
        let size = [image.width, image.height];
        let expected = image.width as usize * image.height as usize * 4;
        if image.rgba.len() != expected {
            tracing::warn!(
                len = image.rgba.len(),
                ?size,
                "preview image of the wrong length"
            );
            return;
        }
        unsafe {
            gl.pixel_store_i32(glow::UNPACK_ALIGNMENT, 1);
            let data = glow::PixelUnpackData::Slice(Some(&image.rgba));
            if self.size == Some(size) {
                gl.tex_sub_image_2d(
                    glow::TEXTURE_2D,
                    0,
                    0,
                    0,
                    size[0] as i32,
                    size[1] as i32,
                    glow::RGBA,
                    glow::UNSIGNED_BYTE,
                    data,
                );
            } else {
                // Smooth: repeating texels (nearest) measured no cheaper on the demo clip.
                let linear = glow::LINEAR as i32;
                gl.tex_parameter_i32(glow::TEXTURE_2D, glow::TEXTURE_MIN_FILTER, linear);
                gl.tex_parameter_i32(glow::TEXTURE_2D, glow::TEXTURE_MAG_FILTER, linear);
                let clamp = glow::CLAMP_TO_EDGE as i32;
                gl.tex_parameter_i32(glow::TEXTURE_2D, glow::TEXTURE_WRAP_S, clamp);
                gl.tex_parameter_i32(glow::TEXTURE_2D, glow::TEXTURE_WRAP_T, clamp);
                gl.tex_image_2d(
                    glow::TEXTURE_2D,
                    0,
                    glow::RGBA8 as i32,
                    size[0] as i32,
                    size[1] as i32,
                    0,
                    glow::RGBA,
                    glow::UNSIGNED_BYTE,
                    data,
                );
                self.size = Some(size);
            }
        }
    }
}

/// Makes the callback that draws the preview in egui's paint order.
pub(super) fn callback(
    gl_preview: &Arc<GlPreview>,
    seq: u64,
    image: &Arc<camera::Preview>,
    uv: [f32; 4],
) -> egui_glow::CallbackFn {
    let (gp, image) = (Arc::clone(gl_preview), Arc::clone(image));
    egui_glow::CallbackFn::new(move |_info, painter| gp.paint(painter.gl(), seq, &image, uv))
}
