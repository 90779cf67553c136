//! Head geometry for the active liveness check.
//!
//! From MediaPipe FaceMesh landmarks (468 image points in pixels, y down):
//! - [`head_pose`]: yaw/pitch/roll of the canonical face mesh fitted to them, so the kiosk can
//!   see each "turn your head" step;
//! - [`planarity_residual`]: how badly one homography explains the motion between a frontal and a
//!   turned frame. A flat photo, however it is tilted or moved, stays one plane and a homography
//!   explains it up to landmark noise; a real head does not (the nose moves against the cheeks).
//!
//! Fits run in f64; inputs and outputs are f32 like the detector's.

use std::sync::OnceLock;

/// An image point in pixels, y down.
pub type P2 = [f32; 2];

/// Landmarks in a FaceMesh result (the iris refinement appends 10 more, which are ignored).
pub const MESH_POINTS: usize = 468;

const CANONICAL_OBJ: &str = include_str!("../../assets/models/canonical_face_model.obj");

/// Outer eye corners: the person's right eye (image left) and left eye (image right).
const RIGHT_EYE_OUTER: usize = 33;
const LEFT_EYE_OUTER: usize = 263;

type V3 = [f64; 3];
type M3 = [[f64; 3]; 3];

/// MediaPipe's canonical face (cm; x image-right, y up, z toward the camera), parsed once from the
/// embedded OBJ. Empty if that does not hold exactly 468 vertices: callers then get no pose and no
/// score, which fails the liveness check closed.
pub fn canonical_vertices() -> &'static [[f32; 3]] {
    static VERTICES: OnceLock<Vec<[f32; 3]>> = OnceLock::new();
    VERTICES.get_or_init(|| parse_obj_vertices(CANONICAL_OBJ).unwrap_or_default())
}

/// The `v x y z` lines of an OBJ file; every other line (vt, f, mtllib, usemtl) is skipped.
fn parse_obj_vertices(text: &str) -> Option<Vec<[f32; 3]>> {
    let mut out = Vec::with_capacity(MESH_POINTS);
    for line in text.lines() {
        let mut fields = line.split_whitespace();
        if fields.next() != Some("v") {
            continue;
        }
        let mut v = [0.0f32; 3];
        for c in &mut v {
            *c = fields
                .next()?
                .parse()
                .ok()
                .filter(|c: &f32| c.is_finite())?;
        }
        out.push(v);
    }
    (out.len() == MESH_POINTS).then_some(out)
}

/// Head orientation relative to the camera's line of sight to the head.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HeadPose {
    /// > 0: the person turned to their own left (the nose moves toward image right).
    pub yaw_deg: f32,
    /// > 0: chin up.
    pub pitch_deg: f32,
    /// > 0: the face rotated counter-clockwise as seen in the (unmirrored) image.
    pub roll_deg: f32,
    /// Pixels per cm of the canonical face, at the depth of the mesh origin.
    pub scale: f32,
    /// RMS distance between the landmarks and the fitted mesh, in units of the fitted inter-ocular
    /// distance (the mesh's times `scale`, so it does not shrink as the head turns).
    pub fit_rms: f32,
}

/// Pose of the canonical mesh that best explains `landmarks` (at least 468 points; the first 468
/// are used). `None` for short or non-finite input, or a degenerate fit.
///
/// A weak-perspective (scaled orthographic) least-squares fit, then a perspective refinement of
/// it (see [`Camera`]). The rotation is read as `R = Rz(roll) Rx(pitch) Ry(yaw)` applied to the
/// mesh, with `Ry`: x' = x cos + z sin, z' = -x sin + z cos and `Rx`: y' = y cos + z sin.
pub fn head_pose(landmarks: &[P2]) -> Option<HeadPose> {
    let model = canonical_vertices();
    if model.len() != MESH_POINTS || landmarks.len() < MESH_POINTS {
        return None;
    }
    let obs: Vec<[f64; 2]> = landmarks[..MESH_POINTS]
        .iter()
        .map(|p| [f64::from(p[0]), f64::from(p[1])])
        .collect();
    if !obs.iter().flatten().all(|c| c.is_finite()) {
        return None;
    }
    let mesh: Vec<V3> = model.iter().map(|m| m.map(f64::from)).collect();
    let n = MESH_POINTS as f64;
    let mc = mul(mesh.iter().fold([0.0; 3], |a, m| add(a, *m)), 1.0 / n);
    let ic = obs
        .iter()
        .fold([0.0; 2], |a, o| [a[0] + o[0] / n, a[1] + o[1] / n]);
    // Affine camera by least squares, centred so the translation drops out: u = a.X, v = b.X,
    // with v measured upward so that both rows are rows of a rotation.
    let (mut c, mut bu, mut bv) = ([[0.0; 3]; 3], [0.0; 3], [0.0; 3]);
    for (m, o) in mesh.iter().zip(&obs) {
        let x = sub(*m, mc);
        let (u, v) = (o[0] - ic[0], ic[1] - o[1]);
        for i in 0..3 {
            c[i] = add(c[i], mul(x, x[i]));
            bu[i] += x[i] * u;
            bv[i] += x[i] * v;
        }
    }
    let ci = inverse3(&c)?;
    let (a, b) = (mat_vec(&ci, bu), mat_vec(&ci, bv));
    let (na, nb) = (norm(a), norm(b));
    if !(gt(na, 1e-9) && gt(nb, 1e-9) && na.is_finite() && nb.is_finite()) {
        return None;
    }
    let (r1, r2) = orthonormal_pair(mul(a, 1.0 / na), mul(b, 1.0 / nb))?;
    let s = 0.5 * (na + nb);
    let (cu, cv) = (ic[0] - s * dot(r1, mc), ic[1] + s * dot(r2, mc));
    let weak = Camera {
        r: [r1, r2, cross(r1, r2)],
        s,
        cu,
        cv,
        kappa: 0.0,
    };
    // Weak perspective overstates yaw by ~18% at a kiosk's ~60 cm (the nose, nearer, is magnified
    // against the cheeks); the refinement removes that. It only takes steps that lower the error,
    // so where it cannot improve, the weak pose stands.
    let ss_weak = sum_sq(&mesh, &obs, &weak)?;
    let (cam, ss) =
        refine_perspective(&mesh, &obs, weak.clone(), ss_weak).unwrap_or((weak, ss_weak));
    let [r1, r2, r3] = cam.r;
    let iod_cm = norm(sub(mesh[RIGHT_EYE_OUTER], mesh[LEFT_EYE_OUTER]));
    // R[2] = (-cos p sin y, -sin p, cos p cos y); R[0][1] = -sin r cos p; R[1][1] = cos r cos p.
    let pose = HeadPose {
        yaw_deg: (-r3[0]).atan2(r3[2]).to_degrees() as f32,
        pitch_deg: (-r3[1]).clamp(-1.0, 1.0).asin().to_degrees() as f32,
        roll_deg: (-r1[1]).atan2(r2[1]).to_degrees() as f32,
        scale: cam.s as f32,
        fit_rms: ((ss / n).sqrt() / (cam.s * iod_cm)) as f32,
    };
    let values = [
        pose.yaw_deg,
        pose.pitch_deg,
        pose.roll_deg,
        pose.scale,
        pose.fit_rms,
    ];
    (gt(cam.s, 0.0) && values.iter().all(|v| v.is_finite())).then_some(pose)
}

/// A pinhole camera on the line of sight to the mesh origin (near the head's centre, about where
/// a head turns on the neck, so a turn does not swing it off that line and read as extra yaw).
/// The origin lands on (cu, cv); a point at depth z' (cm, toward the camera, after rotation) is
/// magnified by 1 / (1 - kappa z'), kappa = 1 / distance. kappa = 0 is weak perspective.
#[derive(Clone)]
struct Camera {
    r: M3,
    s: f64,
    cu: f64,
    cv: f64,
    kappa: f64,
}

impl Camera {
    /// Image of a mesh point and the derivatives of (u, v) by (rotation increment, s, cu, cv,
    /// kappa). `None` for a point too near the camera's plane.
    fn project(&self, x: V3) -> Option<([f64; 2], [[f64; 7]; 2])> {
        let [p1, p2, p3] = mat_vec(&self.r, x);
        let w = 1.0 - self.kappa * p3;
        if !gt(w, 0.2) {
            return None;
        }
        let (s, k) = (self.s, self.kappa);
        // Rotating by a small d moves p by d x p = -[p]x d.
        let dp = [[0.0, p3, -p2], [-p3, 0.0, p1], [p2, -p1, 0.0]];
        let rot_u: [f64; 3] =
            std::array::from_fn(|i| s / w * dp[0][i] + s * p1 * k / (w * w) * dp[2][i]);
        let rot_v: [f64; 3] =
            std::array::from_fn(|i| -(s / w * dp[1][i] + s * p2 * k / (w * w) * dp[2][i]));
        let ju = [
            rot_u[0],
            rot_u[1],
            rot_u[2],
            p1 / w,
            1.0,
            0.0,
            s * p1 * p3 / (w * w),
        ];
        let jv = [
            rot_v[0],
            rot_v[1],
            rot_v[2],
            -p2 / w,
            0.0,
            1.0,
            -s * p2 * p3 / (w * w),
        ];
        Some(([self.cu + s * p1 / w, self.cv - s * p2 / w], [ju, jv]))
    }

    fn stepped(&self, d: &[f64; 7]) -> Camera {
        Camera {
            r: mat_mul(&rotation_exp([d[0], d[1], d[2]]), &self.r),
            s: self.s + d[3],
            cu: self.cu + d[4],
            cv: self.cv + d[5],
            // Farther points never look bigger; nearer than 10 cm is no kiosk customer.
            kappa: (self.kappa + d[6]).clamp(0.0, 0.1),
        }
    }
}

fn sum_sq(mesh: &[V3], obs: &[[f64; 2]], cam: &Camera) -> Option<f64> {
    let mut ss = 0.0;
    for (x, o) in mesh.iter().zip(obs) {
        let (p, _) = cam.project(*x)?;
        ss += (p[0] - o[0]).powi(2) + (p[1] - o[1]).powi(2);
    }
    ss.is_finite().then_some(ss)
}

/// Levenberg-Marquardt on the [`Camera`]: the improved camera and its sum of squared residuals,
/// or `None` if no step lowered the error.
fn refine_perspective(
    mesh: &[V3],
    obs: &[[f64; 2]],
    mut cam: Camera,
    mut ss: f64,
) -> Option<(Camera, f64)> {
    let (mut lambda, mut improved) = (1e-3, false);
    for _ in 0..50 {
        let (mut jtj, mut jtr) = ([[0.0; 7]; 7], [0.0; 7]);
        for (x, o) in mesh.iter().zip(obs) {
            let (p, jac) = cam.project(*x)?;
            for (r, j) in [(p[0] - o[0], &jac[0]), (p[1] - o[1], &jac[1])] {
                for (a, row) in jtj.iter_mut().enumerate() {
                    row.iter_mut().zip(j).for_each(|(e, jb)| *e += j[a] * jb);
                    jtr[a] -= j[a] * r;
                }
            }
        }
        let mut next = None;
        while next.is_none() && lambda < 1e8 {
            let mut damped = jtj;
            for (i, row) in damped.iter_mut().enumerate() {
                row[i] += lambda * jtj[i][i].max(1e-12);
            }
            let cand = solve(damped, jtr).map(|d| cam.stepped(&d));
            match cand.and_then(|c| Some((sum_sq(mesh, obs, &c)?, c))) {
                Some((s, c)) if s < ss => {
                    next = Some((c, s));
                    lambda = (lambda * 0.1).max(1e-9);
                }
                _ => lambda *= 10.0,
            }
        }
        let Some((c, s)) = next else { break };
        let converged = ss - s < 1e-12 * ss;
        (cam, ss, improved) = (c, s, true);
        if converged {
            break;
        }
    }
    improved.then_some((cam, ss))
}

/// Rotation by the vector d (Rodrigues), so that updates stay orthonormal.
fn rotation_exp(d: V3) -> M3 {
    let theta = norm(d);
    let k = [[0.0, -d[2], d[1]], [d[2], 0.0, -d[0]], [-d[1], d[0], 0.0]];
    let k2 = mat_mul(&k, &k);
    let (a, b) = if theta < 1e-8 {
        (1.0, 0.5)
    } else {
        (theta.sin() / theta, (1.0 - theta.cos()) / (theta * theta))
    };
    std::array::from_fn(|i| {
        std::array::from_fn(|j| f64::from(u8::from(i == j)) + a * k[i][j] + b * k2[i][j])
    })
}

/// The closest orthonormal pair to two unit vectors, moving both equally (keeping one fixed
/// would push all of the fit's error into the other axis).
fn orthonormal_pair(u1: V3, u2: V3) -> Option<(V3, V3)> {
    let (sum, diff) = (add(u1, u2), sub(u1, u2));
    let (ns, nd) = (norm(sum), norm(diff));
    if ns < 1e-6 || nd < 1e-6 {
        return None;
    }
    let (e1, e2) = (mul(sum, 1.0 / ns), mul(diff, 1.0 / nd));
    let k = std::f64::consts::FRAC_1_SQRT_2;
    Some((mul(add(e1, e2), k), mul(sub(e1, e2), k)))
}

/// Distance between the outer eye corners (33, 263); `None` for short input or a zero or
/// non-finite distance.
pub fn inter_ocular(landmarks: &[P2]) -> Option<f32> {
    if landmarks.len() < MESH_POINTS {
        return None;
    }
    let (a, b) = (landmarks[RIGHT_EYE_OUTER], landmarks[LEFT_EYE_OUTER]);
    let d = (f64::from(a[0]) - f64::from(b[0])).hypot(f64::from(a[1]) - f64::from(b[1]));
    (gt(d, 0.0) && d.is_finite()).then_some(d as f32)
}

/// A plane-to-plane projective map in pixels: `[u, v, w] = H [x, y, 1]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Homography(pub [[f64; 3]; 3]);

impl Homography {
    /// Maps a point; `None` where it goes to infinity or out of f32 range.
    pub fn apply(&self, p: P2) -> Option<P2> {
        let (u, v) = self.apply_f64(f64::from(p[0]), f64::from(p[1]))?;
        let q = [u as f32, v as f32];
        (q[0].is_finite() && q[1].is_finite()).then_some(q)
    }

    /// [`Homography::apply`] without rounding to f32.
    pub fn apply_f64(&self, x: f64, y: f64) -> Option<(f64, f64)> {
        let h = &self.0;
        let w = h[2][0] * x + h[2][1] * y + h[2][2];
        // w cancelling down to rounding noise: the point is on the horizon line.
        let w_mag = (h[2][0] * x).abs() + (h[2][1] * y).abs() + h[2][2].abs();
        if !gt(w.abs(), 1e-12 * w_mag) {
            return None;
        }
        let u = (h[0][0] * x + h[0][1] * y + h[0][2]) / w;
        let v = (h[1][0] * x + h[1][1] * y + h[1][2]) / w;
        (u.is_finite() && v.is_finite()).then_some((u, v))
    }

    /// The inverse map; `None` if this one is singular.
    pub fn inverse(&self) -> Option<Homography> {
        inverse3(&self.0).map(Homography)
    }
}

/// Least-squares homography taking `src[i]` to `dst[i]` (equal lengths, at least 4 pairs).
/// Hartley-normalised DLT with h33 = 1 (safe after normalisation: it is the scale at the source
/// centroid, which no real view sends to infinity), solved by normal equations and Gaussian
/// elimination. `None` for non-finite input, (nearly) collinear or coincident points on either
/// side, or a singular result.
pub fn fit_homography(src: &[P2], dst: &[P2]) -> Option<Homography> {
    let widen = |p: &P2| p.map(f64::from);
    fit_homography_f64(
        &src.iter().map(widen).collect::<Vec<_>>(),
        &dst.iter().map(widen).collect::<Vec<_>>(),
    )
}

/// [`fit_homography`] on f64 points.
pub fn fit_homography_f64(src: &[[f64; 2]], dst: &[[f64; 2]]) -> Option<Homography> {
    if src.len() != dst.len()
        || src.len() < 4
        || !src.iter().chain(dst).flatten().all(|c| c.is_finite())
    {
        return None;
    }
    let (ts, ns) = normalise(src)?;
    let (td, nd) = normalise(dst)?;
    let (mut ata, mut atb) = ([[0.0f64; 8]; 8], [0.0f64; 8]);
    for (p, q) in ns.iter().zip(&nd) {
        let (x, y, u, v) = (p[0], p[1], q[0], q[1]);
        let rows = [
            ([x, y, 1.0, 0.0, 0.0, 0.0, -x * u, -y * u], u),
            ([0.0, 0.0, 0.0, x, y, 1.0, -x * v, -y * v], v),
        ];
        for (r, rhs) in &rows {
            for (i, row) in ata.iter_mut().enumerate() {
                row.iter_mut().zip(r).for_each(|(e, rj)| *e += r[i] * rj);
                atb[i] += r[i] * rhs;
            }
        }
    }
    let h = solve(ata, atb)?;
    let hn = [[h[0], h[1], h[2]], [h[3], h[4], h[5]], [h[6], h[7], 1.0]];
    // A near-singular map in normalised coordinates collapses the plane onto a line.
    if !gt((det3(&hn) / norm9(&hn).powi(3)).abs(), 1e-9) {
        return None;
    }
    // H = Td^-1 Hn Ts, with Td^-1 (a scale and a shift) written out.
    let td_inv = [
        [1.0 / td[0][0], 0.0, -td[0][2] / td[0][0]],
        [0.0, 1.0 / td[1][1], -td[1][2] / td[1][1]],
        [0.0, 0.0, 1.0],
    ];
    let mut m = mat_mul(&td_inv, &mat_mul(&hn, &ts));
    let div = if gt(m[2][2].abs(), 1e-9 * norm9(&m)) {
        m[2][2]
    } else {
        norm9(&m)
    };
    m.iter_mut().flatten().for_each(|e| *e /= div);
    m.iter()
        .flatten()
        .all(|e| e.is_finite())
        .then_some(Homography(m))
}

/// Hartley normalisation (centroid to the origin, mean distance sqrt 2): the transform and the
/// moved points. `None` if the points are coincident or (nearly) collinear.
fn normalise(pts: &[[f64; 2]]) -> Option<(M3, Vec<[f64; 2]>)> {
    let n = pts.len() as f64;
    let c = pts
        .iter()
        .fold([0.0; 2], |a, p| [a[0] + p[0] / n, a[1] + p[1] / n]);
    let mean_d = pts
        .iter()
        .map(|p| (p[0] - c[0]).hypot(p[1] - c[1]))
        .sum::<f64>()
        / n;
    if !gt(mean_d, 1e-9 * (1.0 + c[0].abs() + c[1].abs())) {
        return None;
    }
    let k = std::f64::consts::SQRT_2 / mean_d;
    let out: Vec<[f64; 2]> = pts
        .iter()
        .map(|p| [k * (p[0] - c[0]), k * (p[1] - c[1])])
        .collect();
    let (sxx, syy, sxy) = out.iter().fold((0.0, 0.0, 0.0), |(a, b, c), p| {
        (a + p[0] * p[0], b + p[1] * p[1], c + p[0] * p[1])
    });
    let half_tr = 0.5 * (sxx + syy);
    let r = (0.25 * (sxx - syy).powi(2) + sxy * sxy).sqrt();
    // Thinnest spread under 1/1000 of the widest (variance ratio 1e-6): a line, not a plane.
    if !gt(half_tr - r, 1e-6 * (half_tr + r)) {
        return None;
    }
    Some((
        [[k, 0.0, -k * c[0]], [0.0, k, -k * c[1]], [0.0, 0.0, 1.0]],
        out,
    ))
}

/// Landmarks for the planarity test: spread over the whole face and deliberately mixing depths
/// (contour far back, nose tip far forward), since depth differences are what a turn reveals.
pub const PLANARITY_POINTS: &[usize] = &[
    // Face oval (MediaPipe FACE_OVAL), forehead 10 round the image-right side to chin 152 and back.
    10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377, 152,
    148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109, //
    33, 133, 362, 263, // eye corners
    1, 4, 5, 195, 197, 6, 168, 98, 327, // nose tip, bridge and wings
    61, 291, // mouth corners
];

/// How far the motion from `frontal` to `turned` is from one homography: the RMS reprojection
/// error (in `turned`) of the least-squares homography on [`PLANARITY_POINTS`], in units of the
/// frontal frame's inter-ocular distance. About the landmark noise for a flat photo however it is
/// moved; clearly more for a real head turned 15 degrees or more. `None` if either frame is short,
/// non-finite or degenerate.
pub fn planarity_residual(frontal: &[P2], turned: &[P2]) -> Option<f32> {
    if frontal.len() < MESH_POINTS || turned.len() < MESH_POINTS {
        return None;
    }
    let src: Vec<P2> = PLANARITY_POINTS.iter().map(|&i| frontal[i]).collect();
    let dst: Vec<P2> = PLANARITY_POINTS.iter().map(|&i| turned[i]).collect();
    let h = fit_homography(&src, &dst)?;
    let mut ss = 0.0;
    for (p, q) in src.iter().zip(&dst) {
        let (u, v) = h.apply_f64(f64::from(p[0]), f64::from(p[1]))?;
        ss += (u - f64::from(q[0])).powi(2) + (v - f64::from(q[1])).powi(2);
    }
    let score = ((ss / src.len() as f64).sqrt() / f64::from(inter_ocular(frontal)?)) as f32;
    score.is_finite().then_some(score)
}

/// Gaussian elimination with partial pivoting; `None` for a (numerically) singular matrix.
fn solve<const N: usize>(mut a: [[f64; N]; N], mut b: [f64; N]) -> Option<[f64; N]> {
    let scale = a.iter().flatten().fold(0.0f64, |m, e| m.max(e.abs()));
    for col in 0..N {
        let piv = (col..N).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if !gt(a[piv][col].abs(), 1e-14 * scale) {
            return None;
        }
        a.swap(col, piv);
        b.swap(col, piv);
        let (pivot_row, pivot_b) = (a[col], b[col]);
        for (row, rb) in a.iter_mut().zip(b.iter_mut()).skip(col + 1) {
            let f = row[col] / pivot_row[col];
            row.iter_mut()
                .zip(&pivot_row)
                .skip(col)
                .for_each(|(e, p)| *e -= f * p);
            *rb -= f * pivot_b;
        }
    }
    let mut x = [0.0; N];
    for row in (0..N).rev() {
        let tail: f64 = a[row]
            .iter()
            .zip(&x)
            .skip(row + 1)
            .map(|(e, xk)| e * xk)
            .sum();
        x[row] = (b[row] - tail) / a[row][row];
    }
    x.iter().all(|v| v.is_finite()).then_some(x)
}

/// `x > min`, false for NaN: the guards below are written so that NaN fails them.
fn gt(x: f64, min: f64) -> bool {
    x > min
}
fn add(a: V3, b: V3) -> V3 {
    [a[0] + b[0], a[1] + b[1], a[2] + b[2]]
}
fn sub(a: V3, b: V3) -> V3 {
    [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
}
fn mul(a: V3, k: f64) -> V3 {
    a.map(|e| e * k)
}
fn dot(a: V3, b: V3) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}
fn norm(a: V3) -> f64 {
    dot(a, a).sqrt()
}
fn cross(a: V3, b: V3) -> V3 {
    [
        a[1] * b[2] - a[2] * b[1],
        a[2] * b[0] - a[0] * b[2],
        a[0] * b[1] - a[1] * b[0],
    ]
}
fn mat_vec(m: &M3, x: V3) -> V3 {
    m.map(|row| dot(row, x))
}
fn mat_mul(a: &M3, b: &M3) -> M3 {
    std::array::from_fn(|i| std::array::from_fn(|j| (0..3).map(|k| a[i][k] * b[k][j]).sum()))
}
fn det3(m: &M3) -> f64 {
    dot(m[0], cross(m[1], m[2]))
}
fn norm9(m: &M3) -> f64 {
    m.iter().flatten().map(|e| e * e).sum::<f64>().sqrt()
}
/// Inverse by the adjugate; `None` when the determinant is negligible against the entries.
fn inverse3(m: &M3) -> Option<M3> {
    let d = det3(m);
    if !(gt(d.abs(), 1e-12 * norm9(m).powi(3)) && d.is_finite()) {
        return None;
    }
    // Column j of the inverse is the cross product of the other two rows (M times it is d e_j).
    let cols = [cross(m[1], m[2]), cross(m[2], m[0]), cross(m[0], m[1])];
    Some(std::array::from_fn(|i| {
        std::array::from_fn(|j| cols[j][i] / d)
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 1280x720 camera with a 60-degree horizontal field of view: f = 640 / tan(30 deg).
    const CX: f64 = 640.0;
    const CY: f64 = 360.0;
    const F: f64 = 640.0 / 0.577_350_269_189_625_8;
    /// Camera to mesh origin (cm): the cheek-to-cheek width (234-454) comes out ~300 px.
    const DIST: f64 = 59.0;

    /// splitmix64, with Box-Muller for Gaussian noise.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let z = (self.0 ^ (self.0 >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            let z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        }
        fn uniform(&mut self) -> f64 {
            ((self.next() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
        }
        fn gauss(&mut self) -> f64 {
            let (a, b) = (self.uniform(), self.uniform());
            (-2.0 * a.ln()).sqrt() * (std::f64::consts::TAU * b).cos()
        }
    }

    /// Rz(roll) Rx(pitch) Ry(yaw), built from the documented per-axis formulas.
    fn rot(yaw: f64, pitch: f64, roll: f64) -> M3 {
        let (sy, cy) = yaw.to_radians().sin_cos();
        let (sp, cp) = pitch.to_radians().sin_cos();
        let (sr, cr) = roll.to_radians().sin_cos();
        let ry = [[cy, 0.0, sy], [0.0, 1.0, 0.0], [-sy, 0.0, cy]];
        let rx = [[1.0, 0.0, 0.0], [0.0, cp, sp], [0.0, -sp, cp]];
        let rz = [[cr, -sr, 0.0], [sr, cr, 0.0], [0.0, 0.0, 1.0]];
        mat_mul(&rz, &mat_mul(&rx, &ry))
    }

    /// Pinhole projection of camera-space points (cm, z toward the camera, camera at the origin).
    fn project(points: &[V3]) -> Vec<P2> {
        points
            .iter()
            .map(|p| {
                [
                    (CX + F * p[0] / -p[2]) as f32,
                    (CY - F * p[1] / -p[2]) as f32,
                ]
            })
            .collect()
    }

    /// The canonical mesh rotated by `r` about `pivot` (mesh coordinates), origin put at `pos`.
    fn posed(r: &M3, pivot: V3, pos: V3) -> Vec<V3> {
        let place = |m: &[f32; 3]| add(add(mat_vec(r, sub(m.map(f64::from), pivot)), pivot), pos);
        canonical_vertices().iter().map(place).collect()
    }

    fn head(yaw: f64, pitch: f64, roll: f64) -> Vec<P2> {
        project(&posed(&rot(yaw, pitch, roll), [0.0; 3], [0.0, 0.0, -DIST]))
    }

    fn noisy(pts: &[P2], sigma: f64, rng: &mut Rng) -> Vec<P2> {
        pts.iter()
            .map(|p| p.map(|c| (f64::from(c) + sigma * rng.gauss()) as f32))
            .collect()
    }

    #[test]
    fn obj_parses_to_the_canonical_mesh() {
        let v = canonical_vertices();
        assert_eq!(v.len(), MESH_POINTS);
        // Vertex 4 (just above the tip) sits 0.11 cm further out than 1 in this OBJ; 1 is the tip
        // as MediaPipe labels it: on the midline, within 0.15 cm of the frontmost point.
        let max_z = v.iter().map(|p| p[2]).fold(f32::MIN, f32::max);
        assert!(
            v[1][0].abs() < 1e-6 && v[1][2] > max_z - 0.15,
            "{:?} {max_z}",
            v[1]
        );
        assert!(v.iter().filter(|p| p[2] > v[1][2]).count() <= 2);
        assert!(v[33][0] < 0.0 && 0.0 < v[263][0]);
        assert!(
            v[152][1] < v[1][1] && v[1][1] < v[10][1],
            "chin below nose below forehead"
        );
        assert!(
            parse_obj_vertices("v 1 2 3\nvt 0 0\nf 1 2 3\n").is_none(),
            "needs all 468"
        );
        let good =
            "mtllib x\nusemtl y\n".to_owned() + &"v 1 2 3\nvt 0.5 0.5\nf 1 2 3\n".repeat(468);
        assert_eq!(parse_obj_vertices(&good).map(|v| v.len()), Some(468));
        assert!(parse_obj_vertices(&good.replacen("v 1 2 3", "v 1 2 nan", 1)).is_none());
        assert!(parse_obj_vertices(&good.replacen("v 1 2 3", "v 1 2", 1)).is_none());
    }

    #[test]
    fn head_pose_is_exact_under_orthographic_projection() {
        for (yaw, pitch, roll) in [(0.0, 0.0, 0.0), (30.0, -12.0, 7.0), (-35.0, 15.0, -20.0)] {
            let r = rot(yaw, pitch, roll);
            let img: Vec<P2> = canonical_vertices()
                .iter()
                .map(|m| mat_vec(&r, m.map(f64::from)))
                .map(|x| [(500.0 + 20.0 * x[0]) as f32, (300.0 - 20.0 * x[1]) as f32])
                .collect();
            let p = head_pose(&img).unwrap();
            let err = [
                f64::from(p.yaw_deg) - yaw,
                f64::from(p.pitch_deg) - pitch,
                f64::from(p.roll_deg) - roll,
            ];
            assert!(err.iter().all(|e| e.abs() < 0.01), "{p:?}");
            assert!((p.scale - 20.0).abs() < 1e-3 && p.fit_rms < 1e-4, "{p:?}");
        }
    }

    /// Worst |error| of (yaw, pitch, roll) and the worst fit_rms over yaw -40..40 with pitch and
    /// roll +-10, perspective projection, Gaussian noise of `sigma` px.
    fn pose_errors(sigma: f64) -> [f64; 4] {
        let mut rng = Rng(7);
        let mut worst = [0.0f64; 4];
        for yaw in (-8..=8).map(|k| f64::from(k) * 5.0) {
            for (pitch, roll) in [
                (0.0, 0.0),
                (10.0, 10.0),
                (10.0, -10.0),
                (-10.0, 10.0),
                (-10.0, -10.0),
            ] {
                let p = head_pose(&noisy(&head(yaw, pitch, roll), sigma, &mut rng)).unwrap();
                let got = [p.yaw_deg, p.pitch_deg, p.roll_deg].map(f64::from);
                let err = [
                    got[0] - yaw,
                    got[1] - pitch,
                    got[2] - roll,
                    f64::from(p.fit_rms),
                ];
                worst = std::array::from_fn(|i| worst[i].max(err[i].abs()));
            }
        }
        eprintln!("perspective, {sigma} px: worst |err| yaw/pitch/roll, fit_rms: {worst:.3?}");
        worst
    }

    #[test]
    fn head_pose_recovers_yaw_under_perspective_with_noise() {
        let [yaw, pitch, roll, rms] = pose_errors(0.5);
        assert!(yaw < 3.0 && pitch < 3.0 && roll < 3.0 && rms < 0.02);
        assert!(pose_errors(1.5)[0] < 3.0);
    }

    #[test]
    fn head_pose_yaw_is_against_the_line_of_sight_off_axis() {
        // Off the optical axis, turning about a pivot 3 cm off the mesh origin: the yaw read is
        // the turn plus the angle at which the camera sees the head.
        let mut rng = Rng(9);
        for (tx, ty, back) in [
            (0.0, 0.0, 3.0),
            (0.0, 0.0, -3.0),
            (8.0, -5.0, 0.0),
            (-12.0, 4.0, 3.0),
        ] {
            let mut worst = 0.0f64;
            for yaw in (-8..=8).map(|k| f64::from(k) * 5.0) {
                let pts = posed(&rot(yaw, 0.0, 0.0), [0.0, 0.0, -back], [tx, ty, -DIST]);
                let p = head_pose(&noisy(&project(&pts), 0.5, &mut rng)).unwrap();
                let seen = yaw + (tx / DIST).atan().to_degrees();
                worst = worst.max((f64::from(p.yaw_deg) - seen).abs());
            }
            eprintln!(
                "head at ({tx}, {ty}) cm, pivot {back} cm behind the origin: worst yaw error {worst:.2}"
            );
            assert!(worst < 3.0);
        }
    }

    #[test]
    fn head_pose_signs_follow_the_image() {
        let front = head(0.0, 0.0, 0.0);
        // Turned to the person's own left: the nose tip moves to image right, yaw > 0.
        let left = head(20.0, 0.0, 0.0);
        assert!(left[1][0] > front[1][0] + 20.0);
        assert!(head_pose(&left).unwrap().yaw_deg > 15.0);
        assert!(head_pose(&head(-20.0, 0.0, 0.0)).unwrap().yaw_deg < -15.0);
        // Chin up: the nose tip rises toward the eyes in the image, pitch > 0.
        let up = head(0.0, 15.0, 0.0);
        let nose_below_eyes = |l: &[P2]| l[1][1] - 0.5 * (l[33][1] + l[263][1]);
        assert!(nose_below_eyes(&up) < nose_below_eyes(&front) - 10.0);
        assert!(head_pose(&up).unwrap().pitch_deg > 10.0);
        // Roll > 0, counter-clockwise on screen: the image-right eye rises (smaller v).
        let rolled = head(0.0, 0.0, 15.0);
        assert!(rolled[263][1] < rolled[33][1] - 20.0);
        assert!(head_pose(&rolled).unwrap().roll_deg > 10.0);
        let p = head_pose(&front).unwrap();
        assert!(
            p.yaw_deg.abs() < 0.1 && p.pitch_deg.abs() < 0.1 && p.roll_deg.abs() < 0.1,
            "{p:?}"
        );
        assert!(
            (f64::from(p.scale) - F / DIST).abs() < 0.01 * F / DIST,
            "{p:?}"
        );
    }

    #[test]
    fn head_pose_rejects_bad_input() {
        let mut img = head(0.0, 0.0, 0.0);
        assert!(head_pose(&img[..467]).is_none() && head_pose(&[]).is_none());
        for bad in [f32::NAN, f32::INFINITY] {
            img[100][1] = bad;
            assert!(head_pose(&img).is_none());
        }
        assert!(
            head_pose(&[[320.0, 240.0]; 468]).is_none(),
            "all points in one place"
        );
        // Random points: whatever pose comes out, nothing like a face fits.
        let mut rng = Rng(3);
        let junk: Vec<P2> = (0..478)
            .map(|_| [rng.uniform(), rng.uniform()].map(|c| (c * 600.0) as f32))
            .collect();
        assert!(head_pose(&junk).is_none_or(|p| p.fit_rms > 0.3));
    }

    const SAMPLE_H: Homography = Homography([
        [0.9, 0.12, 35.0],
        [-0.08, 1.1, -20.0],
        [2.0e-4, -1.5e-4, 1.0],
    ]);

    #[test]
    fn homography_fit_recovers_a_known_map() {
        let mut rng = Rng(11);
        let src: Vec<[f64; 2]> = (0..30)
            .map(|_| [rng.uniform() * 1280.0, rng.uniform() * 720.0])
            .collect();
        let dst: Vec<[f64; 2]> = src
            .iter()
            .map(|p| SAMPLE_H.apply_f64(p[0], p[1]).map(|(u, v)| [u, v]).unwrap())
            .collect();
        let residual = |h: &Homography, i: usize| {
            let (u, v) = h.apply_f64(src[i][0], src[i][1]).unwrap();
            (u - dst[i][0]).hypot(v - dst[i][1])
        };
        let fit = fit_homography_f64(&src, &dst).unwrap();
        assert!((0..30).all(|i| residual(&fit, i) < 1e-6));
        for (a, b) in fit.0.iter().flatten().zip(SAMPLE_H.0.iter().flatten()) {
            assert!((a - b).abs() < 1e-9 * (1.0 + b.abs()), "{fit:?}");
        }
        // Exactly four points determine it too.
        let four = fit_homography_f64(&src[..4], &dst[..4]).unwrap();
        assert!((4..30).all(|i| residual(&four, i) < 1e-6));
        // Through the f32 API what is left is rounding the inputs to f32 (~3e-5 px here).
        let narrow = |v: &[[f64; 2]]| v.iter().map(|p| p.map(|c| c as f32)).collect::<Vec<P2>>();
        let (src32, dst32) = (narrow(&src), narrow(&dst));
        let fit32 = fit_homography(&src32, &dst32).unwrap();
        for (p, q) in src32.iter().zip(&dst32) {
            let m = fit32.apply(*p).unwrap();
            assert!((m[0] - q[0]).hypot(m[1] - q[1]) < 1e-3);
        }
    }

    #[test]
    fn homography_apply_round_trips() {
        let inv = SAMPLE_H.inverse().unwrap();
        for p in [
            [0.0f32, 0.0],
            [640.0, 360.0],
            [1279.0, 719.0],
            [-50.0, 900.0],
        ] {
            let q = inv.apply(SAMPLE_H.apply(p).unwrap()).unwrap();
            assert!(
                (q[0] - p[0]).abs() < 1e-3 && (q[1] - p[1]).abs() < 1e-3,
                "{p:?} -> {q:?}"
            );
        }
        let horizon = Homography([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.01, 0.0, -1.0]]);
        assert!(horizon.apply([100.0, 5.0]).is_none(), "w = 0 has no image");
        assert!(
            Homography([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [0.0, 0.0, 1.0]])
                .inverse()
                .is_none()
        );
    }

    #[test]
    fn homography_fit_rejects_degenerate_input() {
        let pts: Vec<P2> = vec![
            [0.0, 0.0],
            [100.0, 0.0],
            [100.0, 80.0],
            [0.0, 80.0],
            [40.0, 30.0],
        ];
        assert!(fit_homography(&pts, &pts).is_some());
        assert!(
            fit_homography(&pts[..3], &pts[..3]).is_none(),
            "fewer than 4"
        );
        assert!(fit_homography(&pts, &pts[..4]).is_none(), "length mismatch");
        let line: Vec<P2> = (0..10)
            .map(|i| [i as f32 * 10.0, 5.0 + i as f32 * 3.0])
            .collect();
        assert!(
            fit_homography(&line, &pts.repeat(2)).is_none(),
            "collinear source"
        );
        assert!(
            fit_homography(&pts.repeat(2), &line).is_none(),
            "collinear target"
        );
        let mut rng = Rng(5);
        let thin: Vec<P2> = line
            .iter()
            .map(|p| [p[0], p[1] + (rng.uniform() * 1e-3) as f32])
            .collect();
        assert!(
            fit_homography(&thin, &thin).is_none(),
            "1e-3 px off a line is still a line"
        );
        assert!(
            fit_homography(&[[1.0, 1.0]; 6], &pts.repeat(2)[..6]).is_none(),
            "coincident"
        );
        let mut nan = pts.clone();
        nan[2][0] = f32::NAN;
        assert!(fit_homography(&nan, &pts).is_none());
        // Three of four collinear on one side only: no non-singular map exists.
        let three: Vec<P2> = vec![[0.0, 0.0], [50.0, 0.0], [100.0, 0.0], [0.0, 80.0]];
        assert!(fit_homography(&three, &pts[..4]).is_none());
    }

    /// A print of the frontal image, first held flat at `DIST`, then tilted about its vertical
    /// axis by `tilt` and its horizontal axis by `nod` (degrees), slid by `shift` and brought
    /// `closer` (cm): (frontal view, moved view).
    fn print_views(tilt: f64, nod: f64, shift: [f64; 2], closer: f64) -> (Vec<P2>, Vec<P2>) {
        let sheet: Vec<V3> = head(0.0, 0.0, 0.0)
            .iter()
            .map(|p| [f64::from(p[0]) - CX, CY - f64::from(p[1]), 0.0])
            .map(|p| mul(p, DIST / F))
            .collect();
        let r = rot(tilt, nod, 0.0);
        let moved: Vec<V3> = sheet
            .iter()
            .map(|p| add(mat_vec(&r, *p), [shift[0], shift[1], closer - DIST]))
            .collect();
        let at_rest: Vec<V3> = sheet.iter().map(|p| add(*p, [0.0, 0.0, -DIST])).collect();
        (project(&at_rest), project(&moved))
    }

    /// (min, max) of the score over 8 noise draws.
    fn score_range(front: &[P2], turned: &[P2], sigma: f64, seed: u64) -> (f32, f32) {
        let mut rng = Rng(seed);
        (0..8).fold((f32::MAX, f32::MIN), |(lo, hi), _| {
            let s = planarity_residual(
                &noisy(front, sigma, &mut rng),
                &noisy(turned, sigma, &mut rng),
            )
            .unwrap();
            (lo.min(s), hi.max(s))
        })
    }

    /// Prints the table; returns (worst flat score, least 3D score at >= 15 degrees).
    fn planarity_table(sigma: f64) -> (f32, f32) {
        let flats = [
            (10.0, 0.0, [0.0, 0.0], 0.0),
            (20.0, 0.0, [0.0, 0.0], 0.0),
            (30.0, 0.0, [0.0, 0.0], 0.0),
            (-30.0, 0.0, [0.0, 0.0], 0.0),
            (0.0, 0.0, [6.0, -3.0], 12.0),
            (-20.0, 0.0, [-5.0, 2.0], 0.0),
            (30.0, 15.0, [4.0, 3.0], 10.0),
            (20.0, -20.0, [0.0, 0.0], -10.0),
        ];
        let mut worst_flat = 0.0f32;
        for (k, (tilt, nod, shift, closer)) in flats.into_iter().enumerate() {
            let (front, turned) = print_views(tilt, nod, shift, closer);
            let (lo, hi) = score_range(&front, &turned, sigma, 100 + k as u64);
            eprintln!(
                "{sigma} px | flat tilt {tilt} nod {nod} shift {shift:?} closer {closer} | {lo:.4}..{hi:.4}"
            );
            worst_flat = worst_flat.max(hi);
        }
        let mut least_3d = f32::MAX;
        for yaw in [
            10.0, -10.0, 15.0, -15.0, 20.0, -20.0, 25.0, -25.0, 30.0, -30.0,
        ] {
            let (lo, hi) = score_range(
                &head(0.0, 0.0, 0.0),
                &head(yaw, 0.0, 0.0),
                sigma,
                200 + yaw as u64,
            );
            eprintln!("{sigma} px | 3D head yaw {yaw} | {lo:.4}..{hi:.4}");
            if f64::abs(yaw) >= 15.0 {
                least_3d = least_3d.min(lo);
            }
        }
        eprintln!("{sigma} px | max flat {worst_flat:.4} | min 3D (>= 15 deg) {least_3d:.4}");
        (worst_flat, least_3d)
    }

    #[test]
    fn planarity_separates_a_print_from_a_head() {
        let (flat, head_3d) = planarity_table(0.5);
        assert!(
            flat < 0.01 && flat * 2.0 < head_3d,
            "flat {flat} head {head_3d}"
        );
        let (front, turned) = print_views(30.0, 15.0, [4.0, 3.0], 10.0);
        assert!(
            planarity_residual(&front, &turned).unwrap() < 1e-4,
            "noise-free, a print is exact"
        );
    }

    #[test]
    fn planarity_with_detector_level_noise() {
        let (flat, head_3d) = planarity_table(1.5);
        assert!(flat * 2.0 < head_3d, "flat {flat} head {head_3d}");
    }

    #[test]
    fn planarity_rejects_bad_input() {
        let front = head(0.0, 0.0, 0.0);
        assert!(planarity_residual(&front[..400], &front).is_none());
        assert!(planarity_residual(&front, &front[..467]).is_none());
        let mut nan = front.clone();
        nan[PLANARITY_POINTS[3]][0] = f32::NAN;
        assert!(planarity_residual(&front, &nan).is_none());
        assert!(planarity_residual(&[[5.0, 5.0]; 468], &front).is_none());
        let mut sorted = PLANARITY_POINTS.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert!((40..=60).contains(&sorted.len()) && sorted.len() == PLANARITY_POINTS.len());
        assert!(sorted.iter().all(|&i| i < MESH_POINTS));
    }

    #[test]
    fn inter_ocular_is_the_eye_corner_distance() {
        let mut l = vec![[0.0f32, 0.0]; 468];
        (l[33], l[263]) = ([100.0, 200.0], [130.0, 240.0]);
        assert_eq!(inter_ocular(&l), Some(50.0));
        assert!(inter_ocular(&l[..300]).is_none());
        l[263] = l[33];
        assert!(inter_ocular(&l).is_none());
    }
}
