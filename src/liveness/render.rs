//! A small software renderer for synthetic test visitors.
//!
//! It draws MediaPipe's canonical face mesh, textured with a real face photo, on a simple
//! skull/neck/shoulders body, through a webcam-like pinhole camera. The liveness tests and the
//! demo visitor use it to produce heads that really turn in 3D, so the head-turn challenge can
//! be shown to pass for a solid head and fail for flat attacks (see `attack.rs`).
//!
//! Conventions (all shared with `attack.rs`):
//! - Model units are centimetres; x toward image right, y up, z toward the camera.
//! - The camera sits at the origin looking down -z; pixel (i, j) covers [i, i + 1) x [j, j + 1),
//!   so its centre is (i + 0.5, j + 0.5). Texture (uv) coordinates use the same pixel convention.
//! - An object is placed on the ray through `Pose::centre` and turned to face the camera there;
//!   `yaw`/`pitch`/`roll` are relative to facing the camera.

use image::RgbImage;
use std::fmt;
use std::sync::OnceLock;

/// Webcams are roughly this wide; it sets how strong the perspective (and so the parallax) is.
pub const HFOV_DEG: f32 = 60.0;
/// MediaPipe FaceMesh landmarks (0-based) that the renderer and tests rely on.
pub const NOSE_TIP: usize = 1;
pub const CHEEK_IMAGE_LEFT: usize = 234;
pub const CHEEK_IMAGE_RIGHT: usize = 454;
pub const FOREHEAD_TOP: usize = 10;
pub const CHIN: usize = 152;
/// Body parts are pushed this far back (cm) in the depth test. The mask is one-sided and
/// covers the whole face, so it should win wherever both are drawn; the skull ellipsoid cannot
/// follow the face's relief and would otherwise poke through the eye sockets when turned.
const BODY_DEPTH_BIAS: f32 = 8.0;
/// Width (cm) between landmarks 234 and 454 of the canonical mesh; body parts scale with it.
const CANONICAL_SPAN: f32 = 15.328;

const CANONICAL_OBJ: &str = include_str!("../../assets/models/canonical_face_model.obj");

#[derive(Debug, Clone, PartialEq)]
pub enum RenderError {
    /// A line of an OBJ file could not be read.
    Obj {
        line: usize,
        reason: &'static str,
    },
    /// A face refers to a vertex that does not exist.
    IndexOutOfRange {
        line: usize,
        index: i64,
    },
    EmptyMesh,
    EmptyTexture,
    /// `TexturedHead::new` needs one uv per vertex.
    UvCount {
        vertices: usize,
        uvs: usize,
    },
}

impl fmt::Display for RenderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Obj { line, reason } => write!(f, "OBJ line {line}: {reason}"),
            Self::IndexOutOfRange { line, index } => {
                write!(f, "OBJ line {line}: vertex index {index} out of range")
            }
            Self::EmptyMesh => write!(f, "mesh has no triangles"),
            Self::EmptyTexture => write!(f, "texture is empty"),
            Self::UvCount { vertices, uvs } => {
                write!(f, "{uvs} uv coordinates for {vertices} vertices")
            }
        }
    }
}

impl std::error::Error for RenderError {}

/// A triangle mesh: vertex positions (cm) and 0-based vertex indices.
#[derive(Debug, Clone, PartialEq)]
pub struct Mesh {
    pub vertices: Vec<[f32; 3]>,
    pub triangles: Vec<[u32; 3]>,
}

impl Mesh {
    /// Reads the `v` and `f` lines of a Wavefront OBJ; other statements are skipped. Faces with
    /// more than three corners are fanned; negative (relative) indices are resolved.
    pub fn parse_obj(text: &str) -> Result<Mesh, RenderError> {
        let mut vertices = Vec::new();
        let mut faces: Vec<(usize, Vec<i64>)> = Vec::new();
        for (n, raw) in text.lines().enumerate() {
            let line = n + 1;
            let bad = |reason| RenderError::Obj { line, reason };
            let mut toks = raw.split_whitespace();
            match toks.next() {
                Some("v") => {
                    let mut p = [0.0f32; 3];
                    for c in &mut p {
                        let t = toks.next().ok_or(bad("v needs 3 coordinates"))?;
                        *c = t.parse().map_err(|_| bad("bad number"))?;
                    }
                    if p.iter().any(|c| !c.is_finite()) {
                        return Err(bad("non-finite coordinate"));
                    }
                    vertices.push(p);
                }
                Some("f") => {
                    let mut idx = Vec::with_capacity(3);
                    for t in toks {
                        let first = t.split('/').next().unwrap_or("");
                        let i: i64 = first.parse().map_err(|_| bad("bad index"))?;
                        // Negative indices count back from the vertices read so far.
                        idx.push(if i < 0 {
                            vertices.len() as i64 + i
                        } else {
                            i - 1
                        });
                    }
                    if idx.len() < 3 {
                        return Err(bad("face needs 3 vertices"));
                    }
                    faces.push((line, idx));
                }
                _ => {}
            }
        }
        let mut triangles = Vec::new();
        for (line, idx) in faces {
            if let Some(&i) = idx.iter().find(|&&i| i < 0 || i >= vertices.len() as i64) {
                return Err(RenderError::IndexOutOfRange { line, index: i + 1 });
            }
            for k in 1..idx.len() - 1 {
                triangles.push([idx[0] as u32, idx[k] as u32, idx[k + 1] as u32]);
            }
        }
        if triangles.is_empty() {
            return Err(RenderError::EmptyMesh);
        }
        Ok(Mesh {
            vertices,
            triangles,
        })
    }

    /// MediaPipe's canonical face model (468 vertices, 898 triangles), embedded in the binary.
    pub fn canonical() -> Result<Mesh, RenderError> {
        Mesh::parse_obj(CANONICAL_OBJ)
    }

    /// Cheek-to-cheek width (cm) and the cheeks' mean depth: sizing reference for `Pose`.
    /// Meshes without the FaceMesh numbering use their x extent at depth 0.
    fn span(&self) -> (f32, f32) {
        if let (Some(a), Some(b)) = (
            self.vertices.get(CHEEK_IMAGE_LEFT),
            self.vertices.get(CHEEK_IMAGE_RIGHT),
        ) {
            return ((b[0] - a[0]).abs().max(1e-3), 0.5 * (a[2] + b[2]));
        }
        let (lo, hi) = self
            .vertices
            .iter()
            .fold((f32::MAX, f32::MIN), |(lo, hi), v| {
                (lo.min(v[0]), hi.max(v[0]))
            });
        ((hi - lo).max(1e-3), 0.0)
    }
}

/// Colours of the untextured body parts drawn behind the face mask.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BodyColours {
    pub hair: [u8; 3],
    pub skin: [u8; 3],
    pub clothing: [u8; 3],
}

/// A mesh with a photo as texture: vertex `i` samples the photo at `uv_px[i]` (pixels).
#[derive(Debug, Clone)]
pub struct TexturedHead {
    mesh: Mesh,
    texture: RgbImage,
    uv: Vec<[f32; 2]>,
    normals: Vec<[f32; 3]>,
    /// +1 when triangles wind counter-clockwise seen from outside, -1 otherwise.
    winding: f32,
    body: Option<BodyColours>,
}

impl TexturedHead {
    /// Skin and hair colours for the skull are taken from the photo (cheeks, above the
    /// forehead) so the body matches the face; `with_body` overrides them.
    pub fn new(mesh: Mesh, texture: RgbImage, uv_px: Vec<[f32; 2]>) -> Result<Self, RenderError> {
        if uv_px.len() != mesh.vertices.len() {
            return Err(RenderError::UvCount {
                vertices: mesh.vertices.len(),
                uvs: uv_px.len(),
            });
        }
        if texture.width() == 0 || texture.height() == 0 {
            return Err(RenderError::EmptyTexture);
        }
        if mesh.triangles.is_empty() {
            return Err(RenderError::EmptyMesh);
        }
        let n = mesh.vertices.len();
        let mut normals = vec![[0.0f32; 3]; n];
        let mut total_z = 0.0;
        for t in &mesh.triangles {
            let [a, b, c] = t.map(|i| mesh.vertices[i as usize]);
            // Unnormalised: larger triangles weigh more in the vertex average.
            let fnorm = cross(sub(b, a), sub(c, a));
            total_z += fnorm[2];
            for &i in t {
                normals[i as usize] = add(normals[i as usize], fnorm);
            }
        }
        // A face mesh is seen from +z, so the summed normal tells the winding.
        let winding = if total_z >= 0.0 { 1.0 } else { -1.0 };
        for nrm in &mut normals {
            *nrm = normalize(scale(*nrm, winding));
        }
        // Skin from the cheeks and forehead; hair just outside the forehead top and temples
        // (pushed away from the nose), the median by brightness so one background sample
        // does not matter.
        let mid = [texture.width() as f32 / 2.0, texture.height() as f32 / 2.0];
        let uv_at = |i: usize| uv_px.get(i).copied().unwrap_or(mid);
        let skin = avg_colour(&texture, &[uv_at(50), uv_at(280), uv_at(151)]);
        let nose = uv_at(NOSE_TIP);
        let out = |p: [f32; 2]| {
            [
                p[0] + (p[0] - nose[0]) * 0.15,
                p[1] + (p[1] - nose[1]) * 0.15,
            ]
        };
        let mut hair =
            [FOREHEAD_TOP, 67, 297, 21, 251].map(|i| avg_colour(&texture, &[out(uv_at(i))]));
        hair.sort_by_key(|c| c.iter().map(|&v| v as u32).sum::<u32>());
        let body = Some(BodyColours {
            hair: hair[2],
            skin,
            clothing: [44, 52, 70],
        });
        Ok(TexturedHead {
            mesh,
            texture,
            uv: uv_px,
            normals,
            winding,
            body,
        })
    }

    /// `None` draws the face mask alone (useful for tests of the rasteriser itself).
    pub fn with_body(mut self, body: Option<BodyColours>) -> Self {
        self.body = body;
        self
    }

    pub fn mesh(&self) -> &Mesh {
        &self.mesh
    }

    pub fn texture(&self) -> &RgbImage {
        &self.texture
    }

    pub fn uv(&self) -> &[[f32; 2]] {
        &self.uv
    }

    pub fn body(&self) -> Option<BodyColours> {
        self.body
    }
}

/// Head (or plane) pose as seen by the camera.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Pose {
    /// > 0: the person turns to their own left; the nose moves toward image right (+x).
    pub yaw_deg: f32,
    /// > 0: chin up.
    pub pitch_deg: f32,
    /// > 0: the head tilts clockwise in the image.
    pub roll_deg: f32,
    /// Where the mesh origin (head centre) lands in the frame, pixels.
    pub centre: [f32; 2],
    /// Frontal cheek-to-cheek (234..454) width in pixels; for `attack.rs` planes, the plane's
    /// frontal width.
    pub face_width_px: f32,
}

impl Pose {
    /// Facing the camera in the middle of a `w` x `h` frame.
    pub fn centred(w: u32, h: u32, face_width_px: f32) -> Pose {
        Pose {
            yaw_deg: 0.0,
            pitch_deg: 0.0,
            roll_deg: 0.0,
            centre: [w as f32 / 2.0, h as f32 / 2.0],
            face_width_px,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Background {
    Solid([u8; 3]),
    /// Scaled to cover the frame and centre-cropped; a frame-sized image is copied as is
    /// (scaling costs several milliseconds a frame: use `fitted` once for live use).
    Image(RgbImage),
}

impl Background {
    /// The same background prepared for `w` x `h` frames, so rendering only copies it.
    pub fn fitted(&self, w: u32, h: u32) -> Background {
        match self {
            Background::Solid(c) => Background::Solid(*c),
            Background::Image(_) => Background::Image(fill_background(self, w, h)),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Scene {
    pub width: u32,
    pub height: u32,
    pub background: Background,
    /// Direction toward the light, camera coordinates (x right, y up, z toward the viewer).
    pub light: [f32; 3],
    /// Shade of an unlit face surface; 1.0 shows the texture unchanged.
    pub ambient: f32,
    /// Seed of the sensor noise.
    pub seed: u64,
    /// Sensor noise standard deviation in 0..255 units; 0 = none.
    pub noise: f32,
}

/// Pinhole camera with the principal point in the frame centre.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Camera {
    pub f: f32,
    pub cx: f32,
    pub cy: f32,
}

impl Camera {
    pub fn webcam(w: u32, h: u32) -> Camera {
        let f = 0.5 * w as f32 / (0.5 * HFOV_DEG).to_radians().tan();
        Camera {
            f,
            cx: w as f32 / 2.0,
            cy: h as f32 / 2.0,
        }
    }

    /// Pixel coordinates and inverse depth of a camera-space point (depth clamped in front).
    pub fn project(&self, p: [f32; 3]) -> [f32; 3] {
        let iw = 1.0 / (-p[2]).max(1e-3);
        [
            self.cx + self.f * p[0] * iw,
            self.cy - self.f * p[1] * iw,
            iw,
        ]
    }
}

pub(crate) type Mat3 = [[f32; 3]; 3];

/// Model-to-camera transform: `rot * p + t`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Placement {
    pub rot: Mat3,
    pub t: [f32; 3],
    /// The turn that makes the object face the camera at its position, without the pose.
    pub view: Mat3,
}

impl Placement {
    /// Puts the model origin `distance` away on the ray through `centre`, facing the camera.
    pub fn new(cam: &Camera, centre: [f32; 2], distance: f32, pose_rot: &Mat3) -> Placement {
        let dir = normalize([
            (centre[0] - cam.cx) / cam.f,
            -(centre[1] - cam.cy) / cam.f,
            -1.0,
        ]);
        let w = scale(dir, -1.0);
        let x = normalize([w[2], 0.0, -w[0]]);
        let y = cross(w, x);
        let view = [[x[0], y[0], w[0]], [x[1], y[1], w[1]], [x[2], y[2], w[2]]];
        Placement {
            rot: mat_mul(&view, pose_rot),
            t: scale(dir, distance),
            view,
        }
    }

    pub fn place(&self, p: [f32; 3]) -> [f32; 3] {
        add(mat_vec(&self.rot, p), self.t)
    }
}

/// `Rz(roll) * Rx(pitch) * Ry(yaw)` with the sign conventions documented on `Pose`.
pub(crate) fn pose_rotation(yaw_deg: f32, pitch_deg: f32, roll_deg: f32) -> Mat3 {
    let (sy, cy) = yaw_deg.to_radians().sin_cos();
    let (sp, cp) = pitch_deg.to_radians().sin_cos();
    let (sr, cr) = roll_deg.to_radians().sin_cos();
    let ry = [[cy, 0.0, sy], [0.0, 1.0, 0.0], [-sy, 0.0, cy]];
    let rx = [[1.0, 0.0, 0.0], [0.0, cp, sp], [0.0, -sp, cp]];
    let rz = [[cr, sr, 0.0], [-sr, cr, 0.0], [0.0, 0.0, 1.0]];
    mat_mul(&rz, &mat_mul(&rx, &ry))
}

fn head_placement(mesh: &Mesh, pose: &Pose, cam: &Camera) -> Placement {
    let (span, cheek_z) = mesh.span();
    let target = pose.face_width_px.max(1.0);
    // Frontal cheeks sit at depth `distance - cheek_z`; solve for the requested width, then
    // correct twice for the off-axis stretch of a head away from the frame centre.
    let mut distance = (cam.f * span / target + cheek_z).max(span);
    if let (Some(&a), Some(&b)) = (
        mesh.vertices.get(CHEEK_IMAGE_LEFT),
        mesh.vertices.get(CHEEK_IMAGE_RIGHT),
    ) {
        let frontal = pose_rotation(0.0, 0.0, 0.0);
        for _ in 0..2 {
            let pl = Placement::new(cam, pose.centre, distance, &frontal);
            let (pa, pb) = (cam.project(pl.place(a)), cam.project(pl.place(b)));
            let got = ((pb[0] - pa[0]).powi(2) + (pb[1] - pa[1]).powi(2)).sqrt();
            if got > 0.0 {
                distance = ((distance - cheek_z) * got / target + cheek_z).max(span);
            }
        }
    }
    let rot = pose_rotation(pose.yaw_deg, pose.pitch_deg, pose.roll_deg);
    Placement::new(cam, pose.centre, distance, &rot)
}

/// Where each mesh vertex lands in the frame (ground truth for landmark tests).
pub fn project_vertices(mesh: &Mesh, pose: &Pose, scene: &Scene) -> Vec<[f32; 2]> {
    let cam = Camera::webcam(scene.width, scene.height);
    let pl = head_placement(mesh, pose, &cam);
    mesh.vertices
        .iter()
        .map(|&v| {
            let p = cam.project(pl.place(v));
            [p[0], p[1]]
        })
        .collect()
}

/// A photo's own 468 detected landmarks are its UVs: each vertex samples the photo where that
/// landmark was found.
pub fn frontal_uv_from_landmarks(landmarks: &[[f32; 2]]) -> Vec<[f32; 2]> {
    landmarks.to_vec()
}

/// UVs from a few keypoints when no full landmark set exists: fits the least-squares affine map
/// from the mesh's frontal view (x, -y) to the photo. Each anchor is a group of vertices (their
/// mean is used, e.g. both corners of an eye) and where that point is in the photo. `None` when
/// fewer than three independent anchors or an index is out of range.
pub fn fit_uv_affine(mesh: &Mesh, anchors: &[(&[usize], [f32; 2])]) -> Option<Vec<[f32; 2]>> {
    let mut ata = [[0.0f64; 3]; 3];
    let (mut atu, mut atv) = ([0.0f64; 3], [0.0f64; 3]);
    for (ids, px) in anchors {
        if ids.is_empty() {
            return None;
        }
        let mut m = [0.0f64; 2];
        for &i in *ids {
            let v = mesh.vertices.get(i)?;
            m[0] += v[0] as f64 / ids.len() as f64;
            m[1] -= v[1] as f64 / ids.len() as f64;
        }
        let row = [m[0], m[1], 1.0];
        for r in 0..3 {
            for c in 0..3 {
                ata[r][c] += row[r] * row[c];
            }
            atu[r] += row[r] * px[0] as f64;
            atv[r] += row[r] * px[1] as f64;
        }
    }
    let a = solve_linear(ata, atu)?;
    let b = solve_linear(ata, atv)?;
    let map = |v: &[f32; 3]| {
        let (x, y) = (v[0] as f64, -v[1] as f64);
        [
            (a[0] * x + a[1] * y + a[2]) as f32,
            (b[0] * x + b[1] * y + b[2]) as f32,
        ]
    };
    Some(mesh.vertices.iter().map(map).collect())
}

/// Gaussian elimination with partial pivoting; `None` when (near) singular.
pub(crate) fn solve_linear<const N: usize>(
    mut a: [[f64; N]; N],
    mut b: [f64; N],
) -> Option<[f64; N]> {
    let scale = a.iter().flatten().fold(0.0f64, |m, v| m.max(v.abs()));
    for col in 0..N {
        let piv = (col..N).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[piv][col].abs() <= 1e-12 * scale {
            return None;
        }
        a.swap(col, piv);
        b.swap(col, piv);
        for r in col + 1..N {
            let f = a[r][col] / a[col][col];
            let pivot_row = a[col];
            for (v, p) in a[r][col..].iter_mut().zip(&pivot_row[col..]) {
                *v -= f * p;
            }
            b[r] -= f * b[col];
        }
    }
    let mut x = [0.0; N];
    for r in (0..N).rev() {
        let s: f64 = (r + 1..N).map(|c| a[r][c] * x[c]).sum();
        x[r] = (b[r] - s) / a[r][r];
    }
    Some(x)
}

/// Renders one camera frame of `head` in `pose`.
pub fn render(head: &TexturedHead, pose: &Pose, scene: &Scene) -> RgbImage {
    let mut img = fill_background(&scene.background, scene.width, scene.height);
    let (w, h) = (scene.width as usize, scene.height as usize);
    if w == 0 || h == 0 {
        return img;
    }
    let cam = Camera::webcam(scene.width, scene.height);
    let pl = head_placement(&head.mesh, pose, &cam);
    let light = {
        let l = normalize(scene.light);
        if l == [0.0; 3] { [0.0, 0.0, 1.0] } else { l }
    };
    let mut zbuf = vec![0.0f32; w * h];
    let ambient = scene.ambient;
    let mut r = Raster {
        rgb: &mut img,
        zbuf: &mut zbuf,
        w,
        h,
        cam,
        light,
        ambient,
    };
    draw_mask(&mut r, head, &pl);
    if let Some(colours) = head.body {
        draw_body(&mut r, &head.mesh, colours, &pl);
    }
    add_sensor_noise(&mut img, scene.noise, scene.seed);
    img
}

/// One frame being drawn, and how it is seen and lit.
struct Raster<'a> {
    rgb: &'a mut [u8],
    /// Inverse depth; 0 = nothing drawn yet.
    zbuf: &'a mut [f32],
    w: usize,
    h: usize,
    cam: Camera,
    light: [f32; 3],
    ambient: f32,
}

fn draw_mask(t: &mut Raster, head: &TexturedHead, pl: &Placement) {
    let cam = t.cam;
    let scr: Vec<[f32; 3]> = head
        .mesh
        .vertices
        .iter()
        .map(|&v| cam.project(pl.place(v)))
        .collect();
    let shade: Vec<f32> = head
        .normals
        .iter()
        .map(|&n| t.ambient + (1.0 - t.ambient) * dot(mat_vec(&pl.rot, n), t.light).max(0.0))
        .collect();
    let tex = head.texture.as_raw();
    let (tw, th) = (
        head.texture.width() as usize,
        head.texture.height() as usize,
    );
    for tri in &head.mesh.triangles {
        let [i0, i1, i2] = tri.map(|i| i as usize);
        let (p0, p1, p2) = (scr[i0], scr[i1], scr[i2]);
        let area = (p1[0] - p0[0]) * (p2[1] - p0[1]) - (p1[1] - p0[1]) * (p2[0] - p0[0]);
        // Image y points down, so a face that is counter-clockwise from the front has negative
        // area here; cull the others (and degenerate slivers).
        if area * head.winding > -1e-6 {
            continue;
        }
        let inv_area = 1.0 / area;
        let min_x = p0[0].min(p1[0]).min(p2[0]).floor().max(0.0) as usize;
        let min_y = p0[1].min(p1[1]).min(p2[1]).floor().max(0.0) as usize;
        let max_x = (p0[0].max(p1[0]).max(p2[0]).ceil() as isize).min(t.w as isize - 1);
        let max_y = (p0[1].max(p1[1]).max(p2[1]).ceil() as isize).min(t.h as isize - 1);
        if max_x < min_x as isize || max_y < min_y as isize {
            continue;
        }
        // Attributes pre-divided by depth for perspective-correct interpolation.
        let iw = [p0[2], p1[2], p2[2]];
        let (u0, u1, u2) = (head.uv[i0], head.uv[i1], head.uv[i2]);
        let s = [shade[i0], shade[i1], shade[i2]];
        for y in min_y..=max_y as usize {
            let py = y as f32 + 0.5;
            for x in min_x..=max_x as usize {
                let px = x as f32 + 0.5;
                let b0 =
                    ((p2[0] - p1[0]) * (py - p1[1]) - (p2[1] - p1[1]) * (px - p1[0])) * inv_area;
                let b1 =
                    ((p0[0] - p2[0]) * (py - p2[1]) - (p0[1] - p2[1]) * (px - p2[0])) * inv_area;
                let b2 = 1.0 - b0 - b1;
                // A hair of overlap: shared edges are drawn twice rather than leaving cracks.
                if b0 < -1e-5 || b1 < -1e-5 || b2 < -1e-5 {
                    continue;
                }
                let z = b0 * iw[0] + b1 * iw[1] + b2 * iw[2];
                let idx = y * t.w + x;
                if z <= t.zbuf[idx] {
                    continue;
                }
                t.zbuf[idx] = z;
                let inv = 1.0 / z;
                let (q0, q1, q2) = (b0 * iw[0] * inv, b1 * iw[1] * inv, b2 * iw[2] * inv);
                let u = q0 * u0[0] + q1 * u1[0] + q2 * u2[0];
                let v = q0 * u0[1] + q1 * u1[1] + q2 * u2[1];
                let sh = q0 * s[0] + q1 * s[1] + q2 * s[2];
                let c = sample_bilinear(tex, tw, th, u, v);
                let o = &mut t.rgb[idx * 3..idx * 3 + 3];
                for k in 0..3 {
                    o[k] = (c[k] * sh + 0.5).clamp(0.0, 255.0) as u8;
                }
            }
        }
    }
}

/// Colour of a body surface at a point (cm, in the surface's own frame).
type SurfaceColour<'a> = &'a dyn Fn([f32; 3]) -> [f32; 3];

struct Ellipsoid {
    centre: [f32; 3],
    axes: [f32; 3],
    /// An elliptic cylinder along y instead, `axes[1]` long each way from the centre.
    cylinder: bool,
}

/// Skull, neck and shoulders as ellipsoids (cm, canonical-mesh frame, scaled with the mesh).
/// The skull meets the mask's edge at forehead top and cheeks; the neck and shoulders do not
/// turn with the head.
fn draw_body(t: &mut Raster, mesh: &Mesh, col: BodyColours, pl: &Placement) {
    let s = mesh.span().0 / CANONICAL_SPAN;
    let e = |c, a, cylinder| Ellipsoid {
        centre: scale(c, s),
        axes: scale(a, s),
        cylinder,
    };
    let body = Placement {
        rot: pl.view,
        ..*pl
    };
    let (hair, skin, cloth) = (rgb_f(col.hair), rgb_f(col.skin), rgb_f(col.clothing));
    let skull = |p: [f32; 3]| {
        // Hair from the temples up and at the back, skin around the ears and jaw.
        let up = ((p[1] - 1.0 * s) / (1.0 * s)).clamp(0.0, 1.0);
        let h = up.max(((-p[2] - 7.0 * s) / (1.5 * s)).clamp(0.0, 1.0));
        // Strands falling from the crown: lines of varying brightness along the meridians,
        // indexed by a cheap monotonic stand-in for the angle about the vertical axis.
        let around = p[0] / (p[0].abs() + p[2].abs() + 1e-6);
        let around = if p[2] >= 0.0 {
            around
        } else {
            2.0 * around.signum() - around
        };
        let strand = unit_hash([(around * 160.0).floor() as i32, 0, 0]);
        lerp3(skin, hair, h).map(|c| c * (1.0 + (strand - 0.5) * 0.25 * h))
    };
    // The neck is in the chin's shadow.
    let neck = |_| skin.map(|c| c * 0.8);
    let clothes = |_| cloth;
    let parts: [(&Placement, Ellipsoid, SurfaceColour); 4] = [
        (pl, e([0.0, 2.0, -3.0], [8.3, 10.0, 9.5], false), &skull),
        (&body, e([0.0, -14.0, -3.0], [5.2, 13.0, 5.2], false), &neck),
        // Shoulders, and a trunk that meets them at their widest and leaves the frame.
        (
            &body,
            e([0.0, -25.0, -4.0], [19.0, 8.0, 10.0], false),
            &clothes,
        ),
        (
            &body,
            e([0.0, -125.0, -4.0], [19.0, 100.0, 10.0], true),
            &clothes,
        ),
    ];
    for (pl, e, colour) in parts {
        ellipsoid(t, pl, &e, colour);
    }
}

/// Ray-casts one ellipsoid per pixel of its projected bounding box.
fn ellipsoid(t: &mut Raster, pl: &Placement, e: &Ellipsoid, colour: SurfaceColour) {
    let cam = t.cam;
    // Untextured surfaces need stronger shading than the photo to read as round.
    let ambient = (t.ambient * 0.55).clamp(0.2, 1.0);
    let (mut lo, mut hi) = ([f32::MAX; 2], [f32::MIN; 2]);
    for k in 0..8 {
        let sgn = |b: usize| if k & b == 0 { -1.0 } else { 1.0 };
        let corner = [e.axes[0] * sgn(1), e.axes[1] * sgn(2), e.axes[2] * sgn(4)];
        let pc = pl.place(add(e.centre, corner));
        if pc[2] > -1.0 {
            return; // Too close to the camera for this simple caster.
        }
        let p = cam.project(pc);
        lo = [lo[0].min(p[0]), lo[1].min(p[1])];
        hi = [hi[0].max(p[0]), hi[1].max(p[1])];
    }
    let x0 = lo[0].floor().max(0.0) as usize;
    let y0 = lo[1].floor().max(0.0) as usize;
    let x1 = (hi[0].ceil() as isize).min(t.w as isize - 1);
    let y1 = (hi[1].ceil() as isize).min(t.h as isize - 1);
    if x1 < x0 as isize || y1 < y0 as isize {
        return;
    }
    let rt = transpose(&pl.rot);
    // Ray from the camera, in ellipsoid coordinates and scaled so the ellipsoid is a unit sphere.
    let o = sub(mat_vec(&rt, scale(pl.t, -1.0)), e.centre);
    let inv_ax = [
        1.0 / e.axes[0],
        if e.cylinder { 0.0 } else { 1.0 / e.axes[1] },
        1.0 / e.axes[2],
    ];
    let os = mul(o, inv_ax);
    let c = dot(os, os) - 1.0;
    let col = |k: usize| [rt[0][k], rt[1][k], rt[2][k]];
    // Ray direction for pixel-centre offsets (rx, ry): rx * col(0) + ry * col(1) - col(2);
    // q, cy_dir, cz_dir are those columns scaled to the unit sphere.
    let (q, cy_dir, cz_dir) = (
        mul(col(0), inv_ax),
        mul(col(1), inv_ax),
        mul(col(2), inv_ax),
    );
    let (qq, oq) = (dot(q, q), dot(os, q));
    // No point of the ellipsoid is nearer than this; pixels already covered by something
    // nearer (mostly the mask over the skull) are skipped before any square root.
    let nearest = 1.0
        / ((dot(o, o).sqrt() - e.axes[0].max(e.axes[1]).max(e.axes[2])).max(1e-3)
            + BODY_DEPTH_BIAS);
    for y in y0..=y1 as usize {
        let ry = -(y as f32 + 0.5 - cam.cy) / cam.f;
        let p = sub(scale(cy_dir, ry), cz_dir);
        let (pp, pq, op) = (dot(p, p), dot(p, q), dot(os, p));
        // The ray hits where disc(rx) = b^2 - a c >= 0, a quadratic in rx: solve for this
        // row's span instead of testing every pixel of the bounding box.
        let (qa, qb, qc) = (oq * oq - c * qq, op * oq - c * pq, op * op - c * pp);
        let (mut xa, mut xb) = (x0, x1 as usize);
        if qa < 0.0 {
            let dd = qb * qb - qa * qc;
            if dd < 0.0 {
                continue;
            }
            let (r1, r2) = ((-qb + dd.sqrt()) / qa, (-qb - dd.sqrt()) / qa);
            let lo = (cam.cx + cam.f * r1.min(r2) - 0.5).floor();
            let hi = (cam.cx + cam.f * r1.max(r2) - 0.5).ceil();
            if hi < xa as f32 || lo > xb as f32 {
                continue;
            }
            xa = xa.max(lo.max(0.0) as usize);
            xb = xb.min(hi as usize);
        }
        for x in xa..=xb {
            if t.zbuf[y * t.w + x] >= nearest {
                continue;
            }
            let rx = (x as f32 + 0.5 - cam.cx) / cam.f;
            let ds = add(p, scale(q, rx));
            let a = dot(ds, ds);
            let b = dot(os, ds);
            let disc = b * b - a * c;
            if disc < 0.0 {
                continue;
            }
            // Camera depth equals the ray parameter because the ray's z step is -1.
            let depth = (-b - disc.sqrt()) / a;
            if depth <= 0.0 {
                continue;
            }
            let z = 1.0 / (depth + BODY_DEPTH_BIAS);
            let idx = y * t.w + x;
            if z <= t.zbuf[idx] {
                continue;
            }
            let d = sub(add(scale(col(0), rx), scale(col(1), ry)), col(2));
            let local = add(o, scale(d, depth));
            if e.cylinder && local[1].abs() > e.axes[1] {
                continue;
            }
            t.zbuf[idx] = z;
            let n = normalize(mat_vec(&pl.rot, mul(local, mul(inv_ax, inv_ax))));
            let sh = ambient + (1.0 - ambient) * dot(n, t.light).max(0.0);
            let col = colour(add(local, e.centre));
            let out = &mut t.rgb[idx * 3..idx * 3 + 3];
            for k in 0..3 {
                out[k] = (col[k] * sh + 0.5).clamp(0.0, 255.0) as u8;
            }
        }
    }
}

/// A `w` x `h` frame showing the background.
pub fn fill_background(bg: &Background, w: u32, h: u32) -> RgbImage {
    match bg {
        Background::Solid(c) => {
            let mut img = RgbImage::new(w, h);
            let row: Vec<u8> = c.iter().copied().cycle().take(w as usize * 3).collect();
            for line in img.chunks_exact_mut(row.len().max(1)) {
                line.copy_from_slice(&row);
            }
            img
        }
        Background::Image(src) if src.dimensions() == (w, h) => src.clone(),
        Background::Image(src) if src.width() == 0 || src.height() == 0 => RgbImage::new(w, h),
        Background::Image(src) => {
            let (sw, sh) = (src.width() as usize, src.height() as usize);
            // Cover: scale up until both sides fill, then crop the middle.
            let k = (w as f32 / sw as f32).max(h as f32 / sh as f32);
            // Bilinear taps along one axis (byte offset of the first and second texel, 8-bit
            // weight of the second), computed once per column and row; integer maths keeps
            // the per-pixel loop to a few cycles.
            let taps = |i: u32, n: usize, off: f32| {
                let f = ((i as f32 + 0.5) / k + off - 0.5).clamp(0.0, (n - 1) as f32);
                let i0 = f as usize;
                (i0 * 3, (i0 + 1).min(n - 1) * 3, (f.fract() * 256.0) as u32)
            };
            let ox = (sw as f32 - w as f32 / k) / 2.0;
            let oy = (sh as f32 - h as f32 / k) / 2.0;
            let cols: Vec<_> = (0..w).map(|x| taps(x, sw, ox)).collect();
            let mut out = RgbImage::new(w, h);
            let raw = src.as_raw();
            let line = sw * 3;
            for (y, row) in (0..h).zip(out.chunks_exact_mut(w as usize * 3)) {
                let (y0, y1, wy) = taps(y, sh, oy);
                let (r0, r1) = (&raw[y0 * sw..y0 * sw + line], &raw[y1 * sw..y1 * sw + line]);
                for (px, &(x0, x1, wx)) in row.chunks_exact_mut(3).zip(&cols) {
                    for (c, v) in px.iter_mut().enumerate() {
                        let lerp = |r: &[u8]| r[x0 + c] as u32 * (256 - wx) + r[x1 + c] as u32 * wx;
                        let (top, bot) = (lerp(r0), lerp(r1));
                        *v = ((top * (256 - wy) + bot * wy + (1 << 15)) >> 16) as u8;
                    }
                }
            }
            out
        }
    }
}

/// Bilinear sample of a packed RGB buffer (`w * h * 3` bytes; black if it is not) at pixel
/// coordinates (texel centres at +0.5), clamped to the edge.
#[inline(always)]
pub(crate) fn sample_bilinear(buf: &[u8], w: usize, h: usize, x: f32, y: f32) -> [f32; 3] {
    if w == 0 || h == 0 || buf.len() < w * h * 3 {
        return [0.0; 3];
    }
    let fx = (x - 0.5).clamp(0.0, (w - 1) as f32);
    let fy = (y - 0.5).clamp(0.0, (h - 1) as f32);
    let (x0, y0) = (fx as usize, fy as usize);
    let (ax, ay) = (fx - x0 as f32, fy - y0 as f32);
    // Steps to the right and lower neighbours; zero on the last column/row (clamp).
    let dx = if x0 + 1 < w { 3 } else { 0 };
    let dy = if y0 + 1 < h { w * 3 } else { 0 };
    let i = (y0 * w + x0) * 3;
    let (p00, p10) = (&buf[i..i + 3], &buf[i + dx..i + dx + 3]);
    let (p01, p11) = (&buf[i + dy..i + dy + 3], &buf[i + dx + dy..i + dx + dy + 3]);
    let mut out = [0.0; 3];
    for k in 0..3 {
        let top = p00[k] as f32 + (p10[k] as f32 - p00[k] as f32) * ax;
        let bot = p01[k] as f32 + (p11[k] as f32 - p01[k] as f32) * ax;
        out[k] = top + (bot - top) * ay;
    }
    out
}

/// Adds Gaussian-like sensor noise (std dev `sd`, 0..255 units) from `seed`.
pub fn add_sensor_noise(img: &mut RgbImage, sd: f32, seed: u64) {
    let row = img.width() as usize * 3;
    if sd <= 0.0 || row == 0 {
        return;
    }
    // Each row adds a window, at a random offset, of a fixed pool of Gaussian samples: the
    // inner loop is a plain vectorisable add, so a 720p frame takes about a millisecond.
    let pool = gaussian_pool();
    let scaled: Vec<i16> = (0..pool.len() + row)
        .map(|i| (pool[i % pool.len()] * sd).round() as i16)
        .collect();
    let mut rng = SplitMix64::new(seed);
    for line in img.chunks_exact_mut(row) {
        let off = (rng.next_u64() % pool.len() as u64) as usize;
        for (c, n) in line.iter_mut().zip(&scaled[off..off + row]) {
            *c = (*c as i16 + n).clamp(0, 255) as u8;
        }
    }
}

const POOL: usize = 1 << 16;

fn gaussian_pool() -> &'static [f32] {
    static POOL_CELL: OnceLock<Vec<f32>> = OnceLock::new();
    POOL_CELL.get_or_init(|| {
        let mut rng = SplitMix64::new(0x05EE_D0F5);
        let mut t = vec![0.0f32; POOL];
        for pair in t.chunks_exact_mut(2) {
            // Box-Muller.
            let u1 = rng.next_f32().max(1e-7);
            let u2 = rng.next_f32();
            let r = (-2.0 * u1.ln()).sqrt();
            let (s, c) = (std::f32::consts::TAU * u2).sin_cos();
            pair[0] = r * c;
            pair[1] = r * s;
        }
        t
    })
}

/// SplitMix64: a tiny deterministic PRNG, so frames depend only on their seed.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn next_f32(&mut self) -> f32 {
        (self.next_u64() >> 40) as f32 / (1u64 << 24) as f32
    }

    /// Uniform in [-1, 1).
    pub fn next_signed(&mut self) -> f32 {
        self.next_f32() * 2.0 - 1.0
    }
}

fn unit_hash(q: [i32; 3]) -> f32 {
    let k = (q[0] as u64).wrapping_mul(73_856_093)
        ^ (q[1] as u64).wrapping_mul(19_349_663)
        ^ (q[2] as u64).wrapping_mul(83_492_791);
    SplitMix64::new(k).next_f32()
}

fn avg_colour(img: &RgbImage, pts: &[[f32; 2]]) -> [u8; 3] {
    let (w, h) = (img.width() as usize, img.height() as usize);
    let mut sum = [0.0f32; 3];
    let mut n = 0.0f32;
    for p in pts {
        // A 5x5 patch smooths out pores and specks.
        for dy in -2..=2 {
            for dx in -2..=2 {
                let c = sample_bilinear(img.as_raw(), w, h, p[0] + dx as f32, p[1] + dy as f32);
                sum = add(sum, c);
                n += 1.0;
            }
        }
    }
    sum.map(|s| (s / n.max(1.0)).round().clamp(0.0, 255.0) as u8)
}

fn rgb_f(c: [u8; 3]) -> [f32; 3] {
    c.map(f32::from)
}

fn lerp3(a: [f32; 3], b: [f32; 3], t: f32) -> [f32; 3] {
    [
        a[0] + (b[0] - a[0]) * t,
        a[1] + (b[1] - a[1]) * t,
        a[2] + (b[2] - a[2]) * t,
    ]
}

pub(crate) fn mat_mul(a: &Mat3, b: &Mat3) -> Mat3 {
    let mut m = [[0.0; 3]; 3];
    for (r, row) in m.iter_mut().enumerate() {
        for (c, v) in row.iter_mut().enumerate() {
            *v = a[r][0] * b[0][c] + a[r][1] * b[1][c] + a[r][2] * b[2][c];
        }
    }
    m
}

pub(crate) fn mat_vec(m: &Mat3, v: [f32; 3]) -> [f32; 3] {
    [dot(m[0], v), dot(m[1], v), dot(m[2], v)]
}

fn transpose(m: &Mat3) -> Mat3 {
    [
        [m[0][0], m[1][0], m[2][0]],
        [m[0][1], m[1][1], m[2][1]],
        [m[0][2], m[1][2], m[2][2]],
    ]
}

fn dot(a: [f32; 3], b: [f32; 3]) -> f32 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

fn cross(a: [f32; 3], b: [f32; 3]) -> [f32; 3] {
    [
        a[1] * b[2] - a[2] * b[1],
        a[2] * b[0] - a[0] * b[2],
        a[0] * b[1] - a[1] * b[0],
    ]
}

fn add(a: [f32; 3], b: [f32; 3]) -> [f32; 3] {
    [a[0] + b[0], a[1] + b[1], a[2] + b[2]]
}

fn sub(a: [f32; 3], b: [f32; 3]) -> [f32; 3] {
    [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
}

fn mul(a: [f32; 3], b: [f32; 3]) -> [f32; 3] {
    [a[0] * b[0], a[1] * b[1], a[2] * b[2]]
}

fn scale(a: [f32; 3], k: f32) -> [f32; 3] {
    [a[0] * k, a[1] * k, a[2] * k]
}

fn normalize(a: [f32; 3]) -> [f32; 3] {
    let n = dot(a, a).sqrt();
    if n > 1e-12 {
        scale(a, 1.0 / n)
    } else {
        [0.0; 3]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scene(w: u32, h: u32) -> Scene {
        let background = Background::Solid([10, 200, 30]);
        Scene {
            width: w,
            height: h,
            background,
            light: [0.0, 0.0, 1.0],
            ambient: 1.0,
            seed: 1,
            noise: 0.0,
        }
    }

    /// A texture whose colour encodes where it was sampled: R = u - 0.5, G = v - 0.5, B = 128.
    fn coded_head() -> TexturedHead {
        let tex = RgbImage::from_fn(256, 256, |x, y| image::Rgb([x as u8, y as u8, 128]));
        let mesh = Mesh::canonical().unwrap();
        let anchors: [(&[usize], [f32; 2]); 3] = [
            (&[33, 133], [100.0, 100.0]),
            (&[362, 263], [156.0, 100.0]),
            (&[152], [128.0, 200.0]),
        ];
        let uv = fit_uv_affine(&mesh, &anchors).unwrap();
        TexturedHead::new(mesh, tex, uv).unwrap()
    }

    /// The uv a rendered pixel shows, decoded from the coded texture; dividing by B cancels
    /// any shading.
    fn decode(p: [u8; 3]) -> [f32; 2] {
        let k = 128.0 / p[2] as f32;
        [p[0] as f32 * k + 0.5, p[1] as f32 * k + 0.5]
    }

    fn at(img: &RgbImage, p: [f32; 2]) -> [u8; 3] {
        img.get_pixel(p[0] as u32, p[1] as u32).0
    }

    #[test]
    fn canonical_obj_has_the_face_mesh() {
        let m = Mesh::canonical().unwrap();
        assert_eq!(m.vertices.len(), 468);
        assert_eq!(m.triangles.len(), 898);
        assert!(m.triangles.iter().flatten().all(|&i| i < 468));
        assert!(
            (m.vertices[33][0] + 4.445859).abs() < 1e-4
                && (m.vertices[1][2] - 7.475604).abs() < 1e-4
        );
    }

    #[test]
    fn obj_parsing_reports_bad_lines() {
        let ok = Mesh::parse_obj(
            "# quad\nv 0 0 0\nv 1 0 0\nv 1 1 0\nvt 0 0\nv 0 1 0\nf 1/1 2/1 3/1 -1/1\n",
        )
        .unwrap();
        assert_eq!(ok.triangles, vec![[0, 1, 2], [0, 2, 3]]);
        let err = |t: &str| Mesh::parse_obj(t).unwrap_err();
        assert_eq!(
            err("v 0 0 0\nv 1 x 0\n"),
            RenderError::Obj {
                line: 2,
                reason: "bad number"
            }
        );
        assert!(matches!(err("v 0 0\n"), RenderError::Obj { line: 1, .. }));
        assert!(matches!(
            err("v 0 0 0\nv 1 0 0\nf 1 2\n"),
            RenderError::Obj { line: 3, .. }
        ));
        assert_eq!(
            err("v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 4\n"),
            RenderError::IndexOutOfRange { line: 4, index: 4 }
        );
        assert!(matches!(
            err("v 0 0 0\nv 1 0 0\nv 0 1 0\nf 0 1 2\n"),
            RenderError::IndexOutOfRange { .. }
        ));
        assert_eq!(err("v 0 0 0\n"), RenderError::EmptyMesh);
        let head = TexturedHead::new(ok, RgbImage::new(4, 4), vec![[0.0; 2]; 3]);
        assert_eq!(
            head.unwrap_err(),
            RenderError::UvCount {
                vertices: 4,
                uvs: 3
            }
        );
    }

    #[test]
    fn frontal_geometry_matches_the_pose() {
        let m = Mesh::canonical().unwrap();
        for centre in [[640.0, 360.0], [400.0, 250.0], [900.0, 500.0]] {
            let pose = Pose {
                centre,
                ..Pose::centred(1280, 720, 300.0)
            };
            let p = project_vertices(&m, &pose, &scene(1280, 720));
            assert!(
                (p[NOSE_TIP][0] - centre[0]).abs() < 1.0,
                "nose {:?} centre {centre:?}",
                p[NOSE_TIP]
            );
            // Nose below the origin, forehead above: the face is upright.
            assert!(p[NOSE_TIP][1] > centre[1] && p[FOREHEAD_TOP][1] < centre[1] - 100.0);
            assert!(
                p[33][0] < p[263][0],
                "the person's right eye is on image left"
            );
            let span = ((p[454][0] - p[234][0]).powi(2) + (p[454][1] - p[234][1]).powi(2)).sqrt();
            assert!((span / 300.0 - 1.0).abs() < 0.02, "span {span}");
        }
    }

    /// Nose offset from the cheeks' midpoint, as a fraction of the cheek span.
    fn nose_offset(pose: Pose) -> f32 {
        let p = project_vertices(&Mesh::canonical().unwrap(), &pose, &scene(1280, 720));
        let mid = 0.5 * (p[234][0] + p[454][0]);
        (p[NOSE_TIP][0] - mid) / (p[454][0] - p[234][0]).abs()
    }

    #[test]
    fn yaw_moves_the_nose_with_parallax() {
        let base = Pose::centred(1280, 720, 300.0);
        let off = |yaw| {
            nose_offset(Pose {
                yaw_deg: yaw,
                ..base
            })
        };
        assert!(off(0.0).abs() < 0.01);
        assert!(
            off(20.0) > 0.1,
            "yaw +20: nose to image right, got {}",
            off(20.0)
        );
        assert!(
            off(-20.0) < -0.1,
            "yaw -20: nose to image left, got {}",
            off(-20.0)
        );
        assert!(off(10.0) < off(20.0) && off(20.0) < off(30.0) && off(30.0) < off(40.0));
        assert!(off(-10.0) > off(-20.0) && off(-20.0) > off(-30.0));
        let m = Mesh::canonical().unwrap();
        let proj = |pose: Pose| project_vertices(&m, &pose, &scene(1280, 720));
        let up = proj(Pose {
            pitch_deg: 20.0,
            ..base
        });
        let flat = proj(base);
        assert!(
            up[NOSE_TIP][1] - up[33][1] < flat[NOSE_TIP][1] - flat[33][1],
            "chin up lifts the nose"
        );
        let cw = proj(Pose {
            roll_deg: 15.0,
            ..base
        });
        assert!(
            cw[FOREHEAD_TOP][0] > cw[CHIN][0] + 20.0,
            "clockwise roll moves the top right"
        );
    }

    #[test]
    fn render_samples_the_texture_at_the_uv() {
        let head = coded_head();
        let pose = Pose::centred(640, 480, 200.0);
        let p = project_vertices(head.mesh(), &pose, &scene(640, 480));
        for sc in [
            scene(640, 480),
            Scene {
                ambient: 0.6,
                light: [0.3, 0.4, 1.0],
                ..scene(640, 480)
            },
        ] {
            let img = render(&head, &pose, &sc);
            for v in [NOSE_TIP, 33, 263, 13, 152, 151] {
                let got = decode(at(&img, p[v]));
                let want = head.uv()[v];
                assert!(
                    (got[0] - want[0]).abs() < 2.0 && (got[1] - want[1]).abs() < 2.0,
                    "vertex {v}: {got:?} vs {want:?}"
                );
            }
        }
        // Without shading the pixel is the texture colour itself.
        let img = render(&head, &pose, &scene(640, 480));
        let c = at(&img, p[NOSE_TIP]);
        let uv = head.uv()[NOSE_TIP];
        assert!((c[0] as f32 - (uv[0] - 0.5)).abs() <= 1.5 && c[2] == 128);
    }

    #[test]
    fn background_is_untouched_away_from_the_head() {
        let head = coded_head();
        let img = render(&head, &Pose::centred(640, 480, 160.0), &scene(640, 480));
        for (x, y) in [(0, 0), (639, 0), (5, 240), (634, 240), (320, 2)] {
            assert_eq!(img.get_pixel(x, y).0, [10, 200, 30]);
        }
        // ...and the head (with its body) is drawn.
        let drawn = img.pixels().filter(|p| p.0 != [10, 200, 30]).count();
        assert!(drawn > 20_000, "{drawn}");
    }

    #[test]
    fn turned_head_hides_its_far_cheek() {
        let head = coded_head().with_body(None);
        let pose = Pose {
            yaw_deg: 60.0,
            ..Pose::centred(640, 480, 200.0)
        };
        let sc = scene(640, 480);
        let img = render(&head, &pose, &sc);
        let p = project_vertices(head.mesh(), &pose, &sc);
        let c = at(&img, p[CHEEK_IMAGE_RIGHT]);
        assert_ne!(
            c,
            [10, 200, 30],
            "the far cheek's pixel shows the face in front of it"
        );
        let got = decode(c);
        let want = head.uv()[CHEEK_IMAGE_RIGHT];
        assert!(
            (got[0] - want[0]).abs() + (got[1] - want[1]).abs() > 10.0,
            "{got:?} {want:?}"
        );
        // The near cheek stays visible.
        let near = decode(at(&img, p[50]));
        let want = head.uv()[50];
        assert!(
            (near[0] - want[0]).abs() < 3.0 && (near[1] - want[1]).abs() < 3.0,
            "{near:?} {want:?}"
        );
    }

    #[test]
    fn depth_test_and_culling_do_not_depend_on_triangle_order() {
        // Texture: left half red, right half blue. Quad A at z = 2 samples red, quad B at z = 0
        // samples blue; quad C, nearest (z = 4), faces away and must be culled.
        let tex = RgbImage::from_fn(64, 32, |x, _| {
            image::Rgb(if x < 32 { [255, 0, 0] } else { [0, 0, 255] })
        });
        let quad = |z: f32, s: f32| [[-s, -s, z], [s, -s, z], [s, s, z], [-s, s, z]];
        let mut vertices = Vec::new();
        vertices.extend(quad(2.0, 3.0));
        vertices.extend(quad(0.0, 5.0));
        vertices.extend(quad(4.0, 1.0));
        let uv = [[8.0, 16.0]; 4]
            .into_iter()
            .chain([[56.0, 16.0]; 4])
            .chain([[8.0, 16.0]; 4])
            .collect::<Vec<_>>();
        let a = [[0, 1, 2], [0, 2, 3]];
        let b = [[4, 5, 6], [4, 6, 7]];
        let c = [[8, 10, 9], [8, 11, 10]];
        for order in [[a, b, c], [b, a, c], [c, b, a]] {
            let mesh = Mesh {
                vertices: vertices.clone(),
                triangles: order.concat(),
            };
            let head = TexturedHead::new(mesh, tex.clone(), uv.clone())
                .unwrap()
                .with_body(None);
            let img = render(&head, &Pose::centred(200, 200, 100.0), &scene(200, 200));
            assert_eq!(
                img.get_pixel(100, 100).0,
                [255, 0, 0],
                "nearer front quad wins"
            );
            assert_eq!(
                img.get_pixel(100, 100 - 40).0,
                [0, 0, 255],
                "far quad shows around it"
            );
        }
    }

    #[test]
    fn noise_is_seeded_and_gaussian_sized() {
        let head = coded_head();
        let sc = Scene {
            noise: 3.0,
            ..scene(320, 240)
        };
        let pose = Pose::centred(320, 240, 100.0);
        assert_eq!(render(&head, &pose, &sc), render(&head, &pose, &sc));
        assert_ne!(
            render(&head, &pose, &sc),
            render(
                &head,
                &pose,
                &Scene {
                    seed: 2,
                    ..sc.clone()
                }
            )
        );
        let mut grey = RgbImage::from_pixel(400, 300, image::Rgb([128; 3]));
        add_sensor_noise(&mut grey, 4.0, 9);
        let n = grey.len() as f64;
        let mean = grey.iter().map(|&v| v as f64).sum::<f64>() / n;
        let sd = (grey.iter().map(|&v| (v as f64 - mean).powi(2)).sum::<f64>() / n).sqrt();
        assert!(
            (mean - 128.0).abs() < 0.1 && (sd - 4.0).abs() < 0.3,
            "mean {mean} sd {sd}"
        );
    }

    #[test]
    fn background_image_covers_the_frame() {
        // 100 x 50, black left half: scaled by 4 to cover 200 x 200 and cropped to the middle.
        let src = RgbImage::from_fn(100, 50, |x, _| {
            image::Rgb(if x < 50 { [0; 3] } else { [255; 3] })
        });
        let img = fill_background(&Background::Image(src), 200, 200);
        assert_eq!(img.get_pixel(90, 10).0, [0; 3]);
        assert_eq!(img.get_pixel(110, 190).0, [255; 3]);
    }

    #[test]
    fn affine_uv_fit_is_exact_for_affine_anchors() {
        let m = Mesh::canonical().unwrap();
        let map = |v: [f32; 3]| {
            [
                3.0 * v[0] - 0.5 * v[1] + 100.0,
                0.2 * v[0] - 4.0 * v[1] + 50.0,
            ]
        };
        let ids = [[1usize], [33], [263], [152]];
        let anchors: Vec<(&[usize], [f32; 2])> = ids
            .iter()
            .map(|i| (&i[..], map(m.vertices[i[0]])))
            .collect();
        let uv = fit_uv_affine(&m, &anchors).unwrap();
        for (v, got) in m.vertices.iter().zip(&uv) {
            let want = map(*v);
            assert!((got[0] - want[0]).abs() < 1e-3 && (got[1] - want[1]).abs() < 1e-3);
        }
        let collinear: Vec<(&[usize], [f32; 2])> =
            vec![(&[1], [0.0, 0.0]), (&[1], [1.0, 1.0]), (&[1], [2.0, 2.0])];
        assert!(fit_uv_affine(&m, &collinear).is_none());
        assert!(fit_uv_affine(&m, &[(&[999], [0.0, 0.0])]).is_none());
    }
}
