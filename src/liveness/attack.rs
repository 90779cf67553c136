//! Synthetic presentation attacks: a printed photo or a phone/tablet screen held up to the
//! kiosk camera. Both are flat, so however they are tilted or moved, every point on them moves
//! by one homography; a real head turning does not (its nose moves against its cheeks). The
//! head-turn challenge's tests use these frames to show that flat attacks fail.
//!
//! Planes are seen through the same pinhole camera as `render::render`, with the same `Pose`
//! conventions; for a plane, `Pose::face_width_px` is the plane's frontal width in pixels.

use super::render::{
    Background, Camera, Placement, Pose, SplitMix64, add_sensor_noise, fill_background, mat_mul,
    pose_rotation, sample_bilinear,
};
use image::RgbImage;

/// Row-major 3x3 projective map of homogeneous pixel coordinates.
pub type Homography = [[f32; 3]; 3];

/// Paper border of a print, as a fraction of the photo's longer side.
const PAPER_BORDER: f32 = 0.06;
const PAPER: [f32; 3] = [243.0, 241.0, 233.0];
/// Bezel of a device, as a fraction of the device's width.
const BEZEL: f32 = 0.05;
const BEZEL_RGB: [u8; 3] = [13, 13, 16];
/// Camera pixels per screen pixel: above 1 the pixel grid shows, and the subpixel stripes
/// (three per screen pixel) alias into moire.
const CAMERA_PX_PER_SCREEN_PX: f32 = 1.6;

/// Warps `src` into `out`; `h` maps an OUTPUT pixel position to a SOURCE one (pixel centres at
/// +0.5 in both), scaled so its third coordinate is positive where the source is visible (as
/// `plane_homography` returns it); other pixels are skipped. Bilinear.
/// With `only_inside`, output pixels whose source falls outside `src` keep their value (and
/// only the source's bounding box in `out` is visited); otherwise they take the nearest edge
/// colour.
pub fn warp_homography(src: &RgbImage, h: Homography, out: &mut RgbImage, only_inside: bool) {
    let (sw, sh) = (src.width() as usize, src.height() as usize);
    let (ow, oh) = (out.width() as usize, out.height() as usize);
    if sw == 0 || sh == 0 || ow == 0 || oh == 0 {
        return;
    }
    let (fw, fh) = (sw as f32, sh as f32);
    let (mut x0, mut y0, mut x1, mut y1) = (0, 0, ow, oh);
    if let (true, Some(f)) = (only_inside, invert_homography(&h)) {
        let corners = [[0.0, 0.0], [fw, 0.0], [fw, fh], [0.0, fh]];
        // A corner behind the camera (w <= 0) makes the box unbounded: keep the whole frame.
        if corners
            .iter()
            .all(|p| f[2][0] * p[0] + f[2][1] * p[1] + f[2][2] > 0.0)
        {
            let m = corners.map(|p| apply_homography(&f, p));
            let clampx = |v: f32| (v.max(0.0) as usize).min(ow);
            let clampy = |v: f32| (v.max(0.0) as usize).min(oh);
            x0 = clampx(m.iter().map(|p| p[0]).fold(f32::MAX, f32::min) - 1.0);
            x1 = clampx(m.iter().map(|p| p[0]).fold(f32::MIN, f32::max) + 2.0);
            y0 = clampy(m.iter().map(|p| p[1]).fold(f32::MAX, f32::min) - 1.0);
            y1 = clampy(m.iter().map(|p| p[1]).fold(f32::MIN, f32::max) + 2.0);
        }
    }
    let raw = src.as_raw();
    for (y, row) in out.chunks_exact_mut(ow * 3).enumerate().take(y1).skip(y0) {
        let py = y as f32 + 0.5;
        for (x, px) in row.chunks_exact_mut(3).enumerate().take(x1).skip(x0) {
            let pxf = x as f32 + 0.5;
            let w = h[2][0] * pxf + h[2][1] * py + h[2][2];
            if w <= 1e-9 {
                continue; // Behind the camera: never part of the plane.
            }
            let sx = (h[0][0] * pxf + h[0][1] * py + h[0][2]) / w;
            let sy = (h[1][0] * pxf + h[1][1] * py + h[1][2]) / w;
            if only_inside && !(sx >= 0.0 && sy >= 0.0 && sx < fw && sy < fh) {
                continue;
            }
            let c = sample_bilinear(raw, sw, sh, sx, sy);
            for k in 0..3 {
                px[k] = (c[k] + 0.5) as u8;
            }
        }
    }
}

/// The output->source homography of a flat `src_w` x `src_h` picture held in `pose` (rotated in
/// 3D about its own centre, which lands at `pose.centre`, `pose.face_width_px` wide when
/// frontal) and seen by `render`'s camera in a `frame_w` x `frame_h` frame. A degenerate pose
/// gives a map that sends every pixel outside the source.
pub fn plane_homography(
    src_w: u32,
    src_h: u32,
    pose: &Pose,
    frame_w: u32,
    frame_h: u32,
) -> Homography {
    let cam = Camera::webcam(frame_w, frame_h);
    // Plane units are source pixels; distance makes the frontal width come out right.
    let distance = cam.f * src_w as f32 / pose.face_width_px.max(1e-3);
    let rot = pose_rotation(pose.yaw_deg, pose.pitch_deg, pose.roll_deg);
    let pl = Placement::new(&cam, pose.centre, distance, &rot);
    let (w2, h2) = (src_w as f32 / 2.0, src_h as f32 / 2.0);
    // Source pixel -> plane point (x right, y up, centred).
    let a = [[1.0, 0.0, -w2], [0.0, -1.0, h2], [0.0, 0.0, 1.0]];
    // Plane point -> camera point: the first two rotation columns and the translation.
    let m = [
        [pl.rot[0][0], pl.rot[0][1], pl.t[0]],
        [pl.rot[1][0], pl.rot[1][1], pl.t[1]],
        [pl.rot[2][0], pl.rot[2][1], pl.t[2]],
    ];
    // Camera point -> homogeneous pixel; the camera looks down -z, image y points down.
    let k = [
        [cam.f, 0.0, -cam.cx],
        [0.0, -cam.f, -cam.cy],
        [0.0, 0.0, -1.0],
    ];
    let forward = mat_mul(&k, &mat_mul(&m, &a));
    match invert_homography(&forward) {
        // Scale so visible pixels have w > 0, as `warp_homography` expects.
        Some(inv) => {
            let c = pose.centre;
            let w = inv[2][0] * c[0] + inv[2][1] * c[1] + inv[2][2];
            if w < 0.0 {
                inv.map(|r| r.map(|v| -v))
            } else {
                inv
            }
        }
        None => [[0.0, 0.0, -1.0], [0.0, 0.0, -1.0], [0.0, 0.0, 1.0]],
    }
}

pub fn invert_homography(h: &Homography) -> Option<Homography> {
    let c = |r: usize, k: usize| h[r % 3][k % 3] as f64;
    let mut adj = [[0.0f64; 3]; 3];
    for (r, row) in adj.iter_mut().enumerate() {
        for (k, v) in row.iter_mut().enumerate() {
            // Cofactor of (k, r): the adjugate is the transposed cofactor matrix.
            *v = c(k + 1, r + 1) * c(k + 2, r + 2) - c(k + 1, r + 2) * c(k + 2, r + 1);
        }
    }
    let det = c(0, 0) * adj[0][0] + c(0, 1) * adj[1][0] + c(0, 2) * adj[2][0];
    if det.abs() < 1e-12 || !det.is_finite() {
        return None;
    }
    Some(adj.map(|row| row.map(|v| (v / det) as f32)))
}

/// Maps a point through `h` (may be non-finite when the point goes to infinity).
pub fn apply_homography(h: &Homography, p: [f32; 2]) -> [f32; 2] {
    let w = h[2][0] * p[0] + h[2][1] * p[1] + h[2][2];
    [
        (h[0][0] * p[0] + h[0][1] * p[1] + h[0][2]) / w,
        (h[1][0] * p[0] + h[1][1] * p[1] + h[1][2]) / w,
    ]
}

/// The geometry module's least-squares homography, as this module's f32 matrix: the attacks'
/// own tests check with it that they stay flat.
#[cfg(test)]
fn fit_homography(src: &[[f32; 2]], dst: &[[f32; 2]]) -> Option<Homography> {
    let h = super::geometry::fit_homography(src, dst)?.0;
    (h[2][2].abs() > 1e-12).then(|| h.map(|r| r.map(|v| (v / h[2][2]) as f32)))
}

/// How a printed photo moves over a sequence of frames.
#[derive(Debug, Clone, PartialEq)]
pub enum PrintMotion {
    /// Held still, with hand tremor of this amplitude.
    Still { tremor_px: f32 },
    /// Turned about its vertical axis to mimic a head turn; frame i uses entry i (cycled).
    Tilt { yaw_sequence_deg: Vec<f32> },
    /// Moved sideways by these offsets (cycled).
    Slide { dx_px_sequence: Vec<f32> },
}

/// A printed photo held in front of the kiosk camera, frame after frame.
#[derive(Debug, Clone)]
pub struct PrintAttack {
    pub photo: RgbImage,
    pub background: Background,
    pub frame_w: u32,
    pub frame_h: u32,
    /// Rest pose of the sheet; `face_width_px` is the whole sheet's width.
    pub pose: Pose,
    pub motion: PrintMotion,
    pub seed: u64,
    /// Sensor noise std dev (0..255 units), as `Scene::noise`.
    pub noise: f32,
}

impl PrintAttack {
    pub fn frame(&self, index: usize) -> RgbImage {
        let cycled = |s: &[f32]| {
            if s.is_empty() {
                0.0
            } else {
                s[index % s.len()]
            }
        };
        let mut pose = self.pose;
        // Even a sheet being turned deliberately shakes a little.
        let mut tremor = 0.6;
        match &self.motion {
            PrintMotion::Still { tremor_px } => tremor = *tremor_px,
            PrintMotion::Tilt { yaw_sequence_deg } => pose.yaw_deg += cycled(yaw_sequence_deg),
            PrintMotion::Slide { dx_px_sequence } => pose.centre[0] += cycled(dx_px_sequence),
        }
        let seed = SplitMix64::new(self.seed ^ (index as u64).wrapping_mul(0x9E37_79B9)).next_u64();
        let mut img = print_frame(
            &self.photo,
            &self.background,
            &pose,
            self.frame_w,
            self.frame_h,
            (tremor, seed),
        );
        add_sensor_noise(&mut img, self.noise, seed ^ 0xA5A5);
        img
    }
}

/// One frame of a printed `photo` (white paper border, print tonal range, a sheen that moves
/// with the tilt) held in `pose` (`face_width_px`: the sheet's width) over `background`.
/// `tremor`: amplitude in pixels and the seed of this frame's hand shake. No sensor noise.
pub fn print_frame(
    photo: &RgbImage,
    background: &Background,
    pose: &Pose,
    frame_w: u32,
    frame_h: u32,
    tremor: (f32, u64),
) -> RgbImage {
    let mut out = fill_background(background, frame_w, frame_h);
    if photo.width() == 0 || photo.height() == 0 {
        return out;
    }
    // Sheets far larger than they appear would alias when warped; shrink them first.
    let limit = (2.0 * pose.face_width_px).max(16.0);
    let photo = if photo.width() as f32 > limit {
        let k = limit / photo.width() as f32;
        resize_area(
            photo,
            limit as u32,
            ((photo.height() as f32 * k) as u32).max(1),
        )
    } else {
        photo.clone()
    };
    let sheet = print_sheet(&photo, pose.yaw_deg);
    let mut rng = SplitMix64::new(tremor.1);
    let mut p = *pose;
    p.centre[0] += tremor.0 * rng.next_signed();
    p.centre[1] += tremor.0 * rng.next_signed();
    p.roll_deg += 0.2 * tremor.0 * rng.next_signed();
    let h = plane_homography(sheet.width(), sheet.height(), &p, frame_w, frame_h);
    warp_homography(&sheet, h, &mut out, true);
    out
}

/// The photo as printed: paper border, compressed tonal range, a warm tint, and a broad sheen
/// band whose place follows the sheet's yaw (the light reflects at a different spot).
fn print_sheet(photo: &RgbImage, yaw_deg: f32) -> RgbImage {
    let (pw, ph) = (photo.width(), photo.height());
    let b = (PAPER_BORDER * pw.max(ph) as f32).round() as u32;
    let (sw, sh) = (pw + 2 * b, ph + 2 * b);
    let sheen_at = 0.35 + 0.3 * (yaw_deg / 45.0).clamp(-1.0, 1.0);
    // A sheet turned away from the light gets darker.
    let lit = 0.88 + 0.12 * yaw_deg.to_radians().cos();
    RgbImage::from_fn(sw, sh, |x, y| {
        let inside = x >= b && y >= b && x < b + pw && y < b + ph;
        let base = if inside {
            let c = photo.get_pixel(x - b, y - b).0;
            [0, 1, 2].map(|k| (20.0 + 0.84 * c[k] as f32) * [1.0, 0.99, 0.955][k])
        } else {
            PAPER
        };
        let d = (x as f32 / sw as f32 + 0.4 * y as f32 / sh as f32) / 1.4 - sheen_at;
        let sheen = 0.16 * bump(d / 0.3);
        image::Rgb(base.map(|v| (v * lit + (255.0 - v * lit) * sheen).clamp(0.0, 255.0) as u8))
    })
}

/// A phone/tablet showing `shown`, held in `pose` (`face_width_px`: the whole device's width,
/// bezel included) over `background`: black bezel, visible pixel grid and RGB subpixel stripes
/// (which alias into moire), lifted blacks, a blue-ish cast and a glare band placed by `seed`.
/// No sensor noise.
pub fn screen_frame(
    shown: &RgbImage,
    background: &Background,
    pose: &Pose,
    frame_w: u32,
    frame_h: u32,
    seed: u64,
) -> RgbImage {
    let mut out = fill_background(background, frame_w, frame_h);
    if shown.width() == 0 || shown.height() == 0 {
        return out;
    }
    let screen_w_px = pose.face_width_px * (1.0 - 2.0 * BEZEL);
    let n = ((screen_w_px / CAMERA_PX_PER_SCREEN_PX).round() as u32).max(16);
    let m = ((n as f32 * shown.height() as f32 / shown.width() as f32).round() as u32).max(9);
    let content = resize_area(shown, n, m);
    // Three texels per screen pixel each way: R, G, B columns; the last row is the dark grid.
    let bz = (3.0 * n as f32 * BEZEL / (1.0 - 2.0 * BEZEL)).round() as u32;
    let (tw, th) = (3 * n + 2 * bz, 3 * m + 2 * bz);
    let mut tex = RgbImage::from_pixel(tw, th, image::Rgb(BEZEL_RGB));
    let mut rng = SplitMix64::new(seed);
    let cast = [
        0.91 + 0.03 * rng.next_signed(),
        0.98,
        1.07 + 0.03 * rng.next_signed(),
    ];
    let angle = (25.0 + 30.0 * rng.next_f32()).to_radians();
    let (ga, gb) = angle.sin_cos();
    let glare_at = 0.3 + 0.6 * rng.next_f32();
    let glare = 0.3 + 0.15 * rng.next_f32();
    for j in 0..m {
        for i in 0..n {
            let c = content.get_pixel(i, j).0;
            // Backlight leak lifts the blacks; the panel's white point is cool.
            let lifted = [0, 1, 2].map(|k| (22.0 + 0.8 * c[k] as f32) * cast[k]);
            let (u, v) = (
                (bz + 3 * i) as f32 / tw as f32,
                (bz + 3 * j) as f32 / th as f32,
            );
            let g = glare * bump(((u * gb + v * ga) - glare_at) / 0.22);
            for sy in 0..3 {
                let row_gain = if sy == 2 { 0.7 } else { 1.15 };
                for sx in 0..3 {
                    let (tx, ty) = (bz + 3 * i + sx, bz + 3 * j + sy);
                    let px = [0, 1, 2].map(|k| {
                        let stripe = if k as u32 == sx { 1.3 } else { 0.85 };
                        let lit = lifted[k] * stripe * row_gain;
                        (lit + (255.0 - lit).max(0.0) * g).clamp(0.0, 255.0) as u8
                    });
                    tex.put_pixel(tx, ty, image::Rgb(px));
                }
            }
        }
    }
    let mut p = *pose;
    p.centre[0] += 0.5 * rng.next_signed();
    p.centre[1] += 0.5 * rng.next_signed();
    let h = plane_homography(tw, th, &p, frame_w, frame_h);
    warp_homography(&tex, h, &mut out, true);
    out
}

/// A smooth bump: 1 at 0, falling to 0 at |t| = 1 (a cheap stand-in for a Gaussian).
fn bump(t: f32) -> f32 {
    let q = (1.0 - t * t).max(0.0);
    q * q
}

/// Area-average downscale (each source pixel goes to one target bin); targets larger than the
/// source in a direction fall back to bilinear sampling.
fn resize_area(src: &RgbImage, w: u32, h: u32) -> RgbImage {
    let (sw, sh) = (src.width() as usize, src.height() as usize);
    let (w, h) = (w.max(1) as usize, h.max(1) as usize);
    if w > sw || h > sh {
        let (kx, ky) = (sw as f32 / w as f32, sh as f32 / h as f32);
        return RgbImage::from_fn(w as u32, h as u32, |x, y| {
            let c = sample_bilinear(
                src.as_raw(),
                sw,
                sh,
                (x as f32 + 0.5) * kx,
                (y as f32 + 0.5) * ky,
            );
            image::Rgb(c.map(|v| (v + 0.5) as u8))
        });
    }
    let mut acc = vec![[0u32; 4]; w * h];
    for (y, row) in src.as_raw().chunks_exact(sw * 3).enumerate() {
        let ty = y * h / sh;
        for (x, px) in row.chunks_exact(3).enumerate() {
            let a = &mut acc[ty * w + x * w / sw];
            for k in 0..3 {
                a[k] += px[k] as u32;
            }
            a[3] += 1;
        }
    }
    RgbImage::from_fn(w as u32, h as u32, |x, y| {
        let a = acc[y as usize * w + x as usize];
        let n = a[3].max(1);
        image::Rgb([0, 1, 2].map(|k| ((a[k] + n / 2) / n) as u8))
    })
}

#[cfg(test)]
mod tests {
    use super::super::render::{Mesh, Scene, project_vertices};
    use super::*;

    fn noise_image(w: u32, h: u32, seed: u64) -> RgbImage {
        let mut rng = SplitMix64::new(seed);
        RgbImage::from_fn(w, h, |_, _| {
            image::Rgb([0; 3].map(|_: u8| (rng.next_u64() >> 56) as u8))
        })
    }

    fn forward(src_w: u32, src_h: u32, pose: &Pose, fw: u32, fh: u32) -> Homography {
        invert_homography(&plane_homography(src_w, src_h, pose, fw, fh)).unwrap()
    }

    fn max_residual(h: &Homography, src: &[[f32; 2]], dst: &[[f32; 2]]) -> f32 {
        let err = |(s, d): (&[f32; 2], &[f32; 2])| {
            let p = apply_homography(h, *s);
            ((p[0] - d[0]).powi(2) + (p[1] - d[1]).powi(2)).sqrt()
        };
        src.iter().zip(dst).map(err).fold(0.0, f32::max)
    }

    #[test]
    fn identity_warp_reproduces_the_image() {
        let src = noise_image(37, 23, 1);
        let mut out = RgbImage::new(37, 23);
        warp_homography(
            &src,
            [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]],
            &mut out,
            false,
        );
        assert_eq!(out, src);
        // Shifted by 10 px: the uncovered strip keeps its old colour with `only_inside`.
        let mut out = RgbImage::from_pixel(37, 23, image::Rgb([1, 2, 3]));
        warp_homography(
            &src,
            [[1.0, 0.0, -10.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]],
            &mut out,
            true,
        );
        assert_eq!(out.get_pixel(5, 5).0, [1, 2, 3]);
        assert_eq!(out.get_pixel(15, 5), src.get_pixel(5, 5));
    }

    #[test]
    fn frontal_plane_is_a_centred_rectangle() {
        let f = forward(400, 300, &Pose::centred(1280, 720, 500.0), 1280, 720);
        let c = [[0.0, 0.0], [400.0, 0.0], [400.0, 300.0], [0.0, 300.0]]
            .map(|p| apply_homography(&f, p));
        assert!((c[0][0] - c[3][0]).abs() < 0.01 && (c[1][0] - c[2][0]).abs() < 0.01);
        assert!((c[0][1] - c[1][1]).abs() < 0.01 && (c[2][1] - c[3][1]).abs() < 0.01);
        assert!((c[1][0] - c[0][0] - 500.0).abs() < 0.5 && (c[2][1] - c[1][1] - 375.0).abs() < 0.5);
        assert!(
            (c[0][0] + c[1][0] - 1280.0).abs() < 0.5 && (c[0][1] + c[2][1] - 720.0).abs() < 0.5
        );
    }

    #[test]
    fn turned_plane_has_perspective() {
        for (yaw, near_is_left) in [(30.0, true), (-30.0, false)] {
            let pose = Pose {
                yaw_deg: yaw,
                ..Pose::centred(1280, 720, 500.0)
            };
            let f = forward(400, 300, &pose, 1280, 720);
            let c = [[0.0, 0.0], [400.0, 0.0], [400.0, 300.0], [0.0, 300.0]]
                .map(|p| apply_homography(&f, p));
            let (left, right) = (c[3][1] - c[0][1], c[2][1] - c[1][1]);
            assert_eq!(
                left > right * 1.05,
                near_is_left,
                "yaw {yaw}: left {left} right {right}"
            );
            assert_eq!(right > left * 1.05, !near_is_left);
            assert!(c[1][0] - c[0][0] < 500.0 * 0.95, "foreshortened");
        }
    }

    #[test]
    fn homography_fit_recovers_a_known_map() {
        let h = [[1.2, 0.1, 30.0], [-0.05, 0.9, 12.0], [0.0004, -0.0002, 1.0]];
        let src: Vec<[f32; 2]> = (0..9)
            .map(|i| [(i % 3) as f32 * 100.0 + 7.0, (i / 3) as f32 * 80.0 + 3.0])
            .collect();
        let dst: Vec<[f32; 2]> = src.iter().map(|&p| apply_homography(&h, p)).collect();
        let fit = fit_homography(&src, &dst).unwrap();
        assert!(max_residual(&fit, &src, &dst) < 1e-2);
        assert!(fit_homography(&src[..3], &dst[..3]).is_none());
    }

    /// Centroid of the pixels of one marker colour.
    fn find(img: &RgbImage, class: impl Fn([i32; 3]) -> bool) -> [f32; 2] {
        let (mut sx, mut sy, mut n) = (0.0, 0.0, 0.0);
        for (x, y, p) in img.enumerate_pixels() {
            if class(p.0.map(i32::from)) {
                (sx, sy, n) = (sx + x as f32 + 0.5, sy + y as f32 + 0.5, n + 1.0);
            }
        }
        assert!(n > 20.0, "marker not found");
        [sx / n, sy / n]
    }

    #[test]
    fn a_tilted_print_moves_by_one_homography_and_a_head_does_not() {
        // A grey photo with five coloured dots standing in for landmarks.
        let dots = [
            [60.0, 50.0],
            [240.0, 60.0],
            [150.0, 120.0],
            [70.0, 190.0],
            [230.0, 180.0],
        ];
        let colours = [
            [255, 0, 0],
            [0, 255, 0],
            [0, 0, 255],
            [255, 255, 0],
            [255, 0, 255],
        ];
        let photo = RgbImage::from_fn(300, 240, |x, y| {
            let near = |d: &[f32; 2]| {
                (x as f32 + 0.5 - d[0]).powi(2) + (y as f32 + 0.5 - d[1]).powi(2) < 36.0
            };
            image::Rgb(dots.iter().position(near).map_or([120; 3], |i| colours[i]))
        });
        let classes: [fn([i32; 3]) -> bool; 5] = [
            |[r, g, b]| r > 150 && g < 90 && b < 90,
            |[r, g, b]| g > 150 && r < 90 && b < 90,
            |[r, g, b]| b > 150 && r < 90 && g < 90,
            |[r, g, b]| r > 150 && g > 150 && b < 90,
            |[r, g, b]| r > 150 && b > 150 && g < 90,
        ];
        let bg = Background::Solid([30, 30, 30]);
        for (i, yaw) in [0.0, 25.0, -35.0].into_iter().enumerate() {
            let pose = Pose {
                yaw_deg: yaw,
                pitch_deg: 8.0,
                ..Pose::centred(960, 720, 480.0)
            };
            let img = print_frame(&photo, &bg, &pose, 960, 720, (1.0, i as u64));
            let found: Vec<[f32; 2]> = classes.iter().map(|c| find(&img, c)).collect();
            let h = fit_homography(&dots, &found).unwrap();
            assert!(
                max_residual(&h, &dots, &found) < 0.75,
                "yaw {yaw}: {found:?}"
            );
        }
        // The same fit on a turning head's landmarks leaves the nose far off.
        let mesh = Mesh::canonical().unwrap();
        let sc = Scene {
            width: 960,
            height: 720,
            background: bg,
            light: [0.0, 0.0, 1.0],
            ambient: 1.0,
            seed: 0,
            noise: 0.0,
        };
        let ids = [33, 263, 1, 61, 291, 152, 10];
        let pick = |yaw| {
            let p = project_vertices(
                &mesh,
                &Pose {
                    yaw_deg: yaw,
                    ..Pose::centred(960, 720, 300.0)
                },
                &sc,
            );
            ids.map(|i| p[i])
        };
        let (front, turned) = (pick(0.0), pick(25.0));
        let h = fit_homography(&front, &turned).unwrap();
        assert!(max_residual(&h, &front, &turned) > 3.0);
    }

    #[test]
    fn print_attack_frames_follow_the_motion() {
        let attack = PrintAttack {
            photo: noise_image(120, 90, 3),
            background: Background::Solid([50, 60, 70]),
            frame_w: 320,
            frame_h: 240,
            pose: Pose::centred(320, 240, 160.0),
            motion: PrintMotion::Tilt {
                yaw_sequence_deg: vec![-20.0, 0.0, 20.0],
            },
            seed: 5,
            noise: 2.0,
        };
        assert_eq!(attack.frame(1), attack.frame(1));
        let corner = attack.frame(0).get_pixel(5, 5).0;
        assert!(
            corner
                .iter()
                .zip([50, 60, 70])
                .all(|(&v, w)| v.abs_diff(w) < 12),
            "{corner:?}"
        );
        assert_ne!(attack.frame(0), attack.frame(2));
        // The white border: the sheet (120 x 90 plus a 7 px border, shown 160 px wide, so 124 px
        // tall) has paper just inside its top edge at y = 120 - 62.
        let still = PrintAttack {
            motion: PrintMotion::Still { tremor_px: 0.0 },
            noise: 0.0,
            ..attack
        };
        let img = still.frame(0);
        assert!(
            img.get_pixel(160, 61).0.iter().all(|&v| v > 200),
            "{:?}",
            img.get_pixel(160, 61)
        );
        assert!(
            img.get_pixel(160, 55).0.iter().all(|&v| v < 80),
            "{:?}",
            img.get_pixel(160, 55)
        );
    }

    #[test]
    fn screen_replay_shows_bezel_and_subpixels() {
        let shown = RgbImage::from_pixel(320, 180, image::Rgb([180; 3]));
        let bg = Background::Solid([90, 120, 90]);
        let img = screen_frame(&shown, &bg, &Pose::centred(640, 480, 400.0), 640, 480, 1);
        for (x, y) in [(124, 240), (516, 240), (320, 240 - 112 + 4)] {
            assert!(
                img.get_pixel(x, y).0.iter().all(|&v| v < 40),
                "bezel at {x},{y}: {:?}",
                img.get_pixel(x, y)
            );
        }
        // A plain scaled copy would be flat grey 180; the screen has stripes, a cast and glare.
        let row: Vec<[u8; 3]> = (200..440).map(|x| img.get_pixel(x, 240).0).collect();
        let chroma: Vec<f32> = row.iter().map(|p| p[0] as f32 - p[1] as f32).collect();
        let mean = chroma.iter().sum::<f32>() / chroma.len() as f32;
        let var = chroma.iter().map(|c| (c - mean).powi(2)).sum::<f32>() / chroma.len() as f32;
        assert!(
            var > 4.0,
            "subpixel stripes show as colour fringes: var {var}"
        );
        let (r, b) = row
            .iter()
            .fold((0.0, 0.0), |a, p| (a.0 + p[0] as f32, a.1 + p[2] as f32));
        assert!(b > r * 1.05, "blue-ish cast");
        let black = screen_frame(
            &RgbImage::new(320, 180),
            &bg,
            &Pose::centred(640, 480, 400.0),
            640,
            480,
            1,
        );
        assert!(
            black.get_pixel(320, 240).0.iter().all(|&v| v > 12),
            "lifted blacks"
        );
        assert_ne!(
            img,
            screen_frame(&shown, &bg, &Pose::centred(640, 480, 400.0), 640, 480, 2)
        );
    }
}
