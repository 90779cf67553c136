//! BlazeFace (MediaPipe's face detectors) run with tract.
//!
//! Two models with one output layout (per anchor: box + 6 keypoints, and a score):
//! - short range: input 1x3x128x128, 896 anchors; finds faces that are large in its input, so
//!   it suits a square around a face that is already known to be there;
//! - full range: input 1x3x192x192, 2304 anchors (one per cell of a 48x48 grid); finds faces
//!   down to ~12 px of its input, so the whole 16:9 frame, letterboxed, can be searched at once:
//!   a person standing to one side of the oval or a second person beside it.
//!
//! Both take RGB scaled to [-1, 1], NCHW.

use std::io::Cursor;
use std::sync::Arc;

use image::RgbImage;
use serde::Serialize;
use thiserror::Error;
use tract_onnx::prelude::*;

const SHORT_RANGE: &[u8] = include_bytes!("../../assets/models/face_detection_short_range.onnx");
const FULL_RANGE: &[u8] = include_bytes!("../../assets/models/face_detection_full_range.onnx");

/// Which BlazeFace model a [`Detector`] runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Model {
    ShortRange,
    FullRange,
}

impl Model {
    /// Side of the square input, px.
    pub fn input(self) -> usize {
        match self {
            Self::ShortRange => 128,
            Self::FullRange => 192,
        }
    }

    fn anchors(self) -> Vec<(f32, f32)> {
        match self {
            // Stride 8 (16x16 grid, 2 per cell), then stride 16 (8x8 grid, 6 per cell).
            Self::ShortRange => grid_anchors(&[(16, 2), (8, 6)]),
            Self::FullRange => grid_anchors(&[(48, 1)]),
        }
    }

    fn bytes(self) -> &'static [u8] {
        match self {
            Self::ShortRange => SHORT_RANGE,
            Self::FullRange => FULL_RANGE,
        }
    }
}

#[derive(Debug, Error)]
pub enum DetectorError {
    #[error("the face detector model could not be loaded: {0}")]
    Load(String),
    #[error("the face detector failed: {0}")]
    Run(String),
}

/// A point in frame pixels.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Default)]
pub struct Point {
    pub x: f32,
    pub y: f32,
}

/// A face found in a frame, in that frame's pixels.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Face {
    pub score: f32,
    /// x, y, width, height. This detector's box is tight: brows to chin.
    #[serde(rename = "box")]
    pub bbox: [f32; 4],
    /// Right eye, left eye (the person's), nose tip, mouth, right ear, left ear.
    #[serde(skip)]
    pub keypoints: [Point; 6],
}

impl Face {
    pub fn right_eye(&self) -> Point {
        self.keypoints[0]
    }
    pub fn left_eye(&self) -> Point {
        self.keypoints[1]
    }
    pub fn nose(&self) -> Point {
        self.keypoints[2]
    }
    pub fn mouth(&self) -> Point {
        self.keypoints[3]
    }
    /// Distance between the eyes in pixels: the size measure FACEKI's guidance uses.
    pub fn eye_distance(&self) -> f32 {
        let (a, b) = (self.right_eye(), self.left_eye());
        ((a.x - b.x).powi(2) + (a.y - b.y).powi(2)).sqrt()
    }
    pub fn centre(&self) -> Point {
        Point {
            x: self.bbox[0] + self.bbox[2] / 2.0,
            y: self.bbox[1] + self.bbox[3] / 2.0,
        }
    }
}

/// The square of the frame the detector looks at, in frame pixels. It may reach outside the
/// frame (letterboxing): what lies outside is black, as MediaPipe pads.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Region {
    pub x: i32,
    pub y: i32,
    pub side: u32,
}

impl Region {
    /// The centred square of the frame (the short side).
    pub fn centred_square(width: u32, height: u32) -> Self {
        let side = width.min(height);
        Self {
            x: ((width - side) / 2) as i32,
            y: ((height - side) / 2) as i32,
            side,
        }
    }

    /// The whole frame, letterboxed into a square (the long side).
    pub fn whole_frame(width: u32, height: u32) -> Self {
        let side = width.max(height);
        Self {
            x: -(((side - width) / 2) as i32),
            y: -(((side - height) / 2) as i32),
            side,
        }
    }

    /// A square of side `side` centred on (`cx`, `cy`).
    pub fn around(cx: f32, cy: f32, side: f32) -> Self {
        let side = side.max(1.0);
        Self {
            x: (cx - side / 2.0).round() as i32,
            y: (cy - side / 2.0).round() as i32,
            side: side.round() as u32,
        }
    }
}

type Plan = Arc<TypedRunnableModel>;

pub struct Detector {
    model: Model,
    plan: Plan,
    anchors: Vec<(f32, f32)>,
    /// Detections below this score are dropped before NMS.
    pub min_score: f32,
    input: Vec<f32>,
}

/// MediaPipe's SSD anchors: for each (grid, anchors per cell) layer, centres at
/// ((x+0.5)/grid, (y+0.5)/grid), row by row.
fn grid_anchors(layers: &[(usize, usize)]) -> Vec<(f32, f32)> {
    let mut v = Vec::new();
    for &(grid, per_cell) in layers {
        for y in 0..grid {
            for x in 0..grid {
                for _ in 0..per_cell {
                    v.push((
                        (x as f32 + 0.5) / grid as f32,
                        (y as f32 + 0.5) / grid as f32,
                    ));
                }
            }
        }
    }
    v
}

/// An embedded ONNX model with one `1x3xNxN` f32 input, optimised for tract and ready to run.
pub(crate) fn load_square_model(bytes: &[u8], n: usize) -> TractResult<Arc<TypedRunnableModel>> {
    tract_onnx::onnx()
        .model_for_read(&mut Cursor::new(bytes))?
        .with_input_fact(0, f32::fact([1, 3, n, n]).into())?
        .into_optimized()?
        .into_runnable()
}

impl Detector {
    pub fn new(model: Model) -> Result<Self, DetectorError> {
        let n = model.input();
        let plan =
            load_square_model(model.bytes(), n).map_err(|e| DetectorError::Load(e.to_string()))?;
        Ok(Self {
            model,
            plan,
            anchors: model.anchors(),
            min_score: 0.5,
            input: vec![0.0; 3 * n * n],
        })
    }

    pub fn model(&self) -> Model {
        self.model
    }

    /// Faces in `region` of `frame`, in frame pixels, best first, after NMS.
    pub fn detect(&mut self, frame: &RgbImage, region: Region) -> Result<Vec<Face>, DetectorError> {
        let n = self.model.input();
        fill_input(frame, region, n, &mut self.input);
        let tensor = tract_ndarray::Array4::from_shape_vec((1, 3, n, n), self.input.clone())
            .map_err(|e| DetectorError::Run(e.to_string()))?
            .into_tensor();
        let out = self
            .plan
            .run(tvec!(tensor.into()))
            .map_err(|e| DetectorError::Run(e.to_string()))?;
        let (reg, cls) = match (out.first(), out.get(1)) {
            (Some(a), Some(b)) => (a, b),
            _ => {
                return Err(DetectorError::Run(
                    "model gave fewer than two outputs".into(),
                ));
            }
        };
        // Outputs are [1,anchors,16] and [1,anchors,1]; tell them apart by shape, not order.
        let (reg, cls) = if reg.shape().last() == Some(&16) {
            (reg, cls)
        } else {
            (cls, reg)
        };
        let run_err = |e: TractError| DetectorError::Run(e.to_string());
        let reg = reg.to_plain_array_view::<f32>().map_err(run_err)?;
        let cls = cls.to_plain_array_view::<f32>().map_err(run_err)?;
        let (Some(reg), Some(cls)) = (reg.as_slice(), cls.as_slice()) else {
            return Err(DetectorError::Run(
                "detector outputs are not contiguous".into(),
            ));
        };
        let anchors = self.anchors.len();
        if reg.len() != anchors * 16 || cls.len() != anchors {
            return Err(DetectorError::Run(format!(
                "unexpected output sizes {} and {}",
                reg.len(),
                cls.len()
            )));
        }
        Ok(decode(reg, cls, &self.anchors, n, self.min_score, region))
    }
}

/// Area-averages the region into the `n`x`n` NCHW input, scaled to [-1, 1]; outside the
/// frame is black. Averaging (not picking pixels) keeps small features such as eyes from
/// aliasing away.
fn fill_input(frame: &RgbImage, region: Region, n: usize, input: &mut [f32]) {
    let scale = region.side as f32 / n as f32;
    let plane = n * n;
    let raw = frame.as_raw();
    let (fw, fh) = (frame.width() as i64, frame.height() as i64);
    let stride = fw as usize * 3;
    // Sample every other source pixel inside a block when blocks are large: plenty here.
    let step = if scale >= 4.0 { 2 } else { 1 };
    // Block edges along each axis, clamped to the frame (empty blocks are outside it).
    let edges = |origin: i32, limit: i64, o: usize| {
        let a = origin as i64 + (o as f32 * scale) as i64;
        let b = (origin as i64 + ((o + 1) as f32 * scale) as i64).max(a + 1);
        (a.clamp(0, limit) as usize, b.clamp(0, limit) as usize)
    };
    let cols: Vec<(usize, usize)> = (0..n).map(|o| edges(region.x, fw, o)).collect();
    for oy in 0..n {
        let (y0, y1) = edges(region.y, fh, oy);
        for (ox, &(x0, x1)) in cols.iter().enumerate() {
            let (mut r, mut g, mut b, mut cnt) = (0u32, 0u32, 0u32, 0u32);
            // Plain loops: `step_by` is slow in the unoptimised builds the tests use.
            let mut y = y0;
            while y < y1 {
                let row = &raw[y * stride + x0 * 3..y * stride + x1 * 3];
                let mut i = 0;
                while i < row.len() {
                    r += row[i] as u32;
                    g += row[i + 1] as u32;
                    b += row[i + 2] as u32;
                    cnt += 1;
                    i += 3 * step;
                }
                y += step;
            }
            let i = oy * n + ox;
            if cnt == 0 {
                input[i] = -1.0;
                input[plane + i] = -1.0;
                input[2 * plane + i] = -1.0;
                continue;
            }
            let cnt = cnt as f32;
            input[i] = r as f32 / cnt / 127.5 - 1.0;
            input[plane + i] = g as f32 / cnt / 127.5 - 1.0;
            input[2 * plane + i] = b as f32 / cnt / 127.5 - 1.0;
        }
    }
}

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x.clamp(-80.0, 80.0)).exp())
}

fn decode(
    reg: &[f32],
    cls: &[f32],
    anchors: &[(f32, f32)],
    input: usize,
    min_score: f32,
    region: Region,
) -> Vec<Face> {
    let n = input as f32;
    let side = region.side as f32;
    let to_frame = |nx: f32, ny: f32| Point {
        x: region.x as f32 + nx * side,
        y: region.y as f32 + ny * side,
    };
    let mut faces: Vec<Face> = Vec::new();
    for (i, &(ax, ay)) in anchors.iter().enumerate() {
        let score = sigmoid(cls[i]);
        if score < min_score {
            continue;
        }
        let r = &reg[i * 16..i * 16 + 16];
        let (cx, cy) = (r[0] / n + ax, r[1] / n + ay);
        let (w, h) = (r[2] / n, r[3] / n);
        if !(w > 0.0 && h > 0.0 && w.is_finite() && h.is_finite()) {
            continue;
        }
        let tl = to_frame(cx - w / 2.0, cy - h / 2.0);
        let mut keypoints = [Point::default(); 6];
        for (k, kp) in keypoints.iter_mut().enumerate() {
            *kp = to_frame(r[4 + 2 * k] / n + ax, r[5 + 2 * k] / n + ay);
        }
        faces.push(Face {
            score,
            bbox: [tl.x, tl.y, w * side, h * side],
            keypoints,
        });
    }
    nms(faces, 0.3)
}

fn iou(a: &[f32; 4], b: &[f32; 4]) -> f32 {
    let x0 = a[0].max(b[0]);
    let y0 = a[1].max(b[1]);
    let x1 = (a[0] + a[2]).min(b[0] + b[2]);
    let y1 = (a[1] + a[3]).min(b[1] + b[3]);
    let inter = (x1 - x0).max(0.0) * (y1 - y0).max(0.0);
    let union = a[2] * a[3] + b[2] * b[3] - inter;
    if union > 0.0 { inter / union } else { 0.0 }
}

/// Greedy non-maximum suppression, best score first.
fn nms(mut faces: Vec<Face>, threshold: f32) -> Vec<Face> {
    faces.sort_by(|a, b| b.score.total_cmp(&a.score));
    let mut kept: Vec<Face> = Vec::new();
    for f in faces {
        if kept.iter().all(|k| iou(&k.bbox, &f.bbox) < threshold) {
            kept.push(f);
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchor_layout() {
        let a = Model::ShortRange.anchors();
        assert_eq!(a.len(), 896);
        assert_eq!(a[0], (0.5 / 16.0, 0.5 / 16.0));
        assert_eq!(a[1], a[0]);
        assert_eq!(a[512], (0.5 / 8.0, 0.5 / 8.0));
        let a = Model::FullRange.anchors();
        assert_eq!(a.len(), 2304);
        assert_eq!(a[1], (1.5 / 48.0, 0.5 / 48.0));
        assert_eq!(a[48], (0.5 / 48.0, 1.5 / 48.0));
    }

    #[test]
    fn regions_cover_what_they_say() {
        assert_eq!(
            Region::whole_frame(1280, 720),
            Region {
                x: 0,
                y: -280,
                side: 1280
            }
        );
        assert_eq!(
            Region::centred_square(1280, 720),
            Region {
                x: 280,
                y: 0,
                side: 720
            }
        );
        // Outside the frame the input is black; inside, the frame's colour.
        let frame = RgbImage::from_pixel(64, 32, image::Rgb([255, 255, 255]));
        let mut input = vec![0.0; 3 * 8 * 8];
        fill_input(&frame, Region::whole_frame(64, 32), 8, &mut input);
        assert_eq!(input[0], -1.0, "top rows are padding");
        assert_eq!(input[4 * 8], 1.0, "the middle rows are the frame");
        assert_eq!(input[7 * 8 + 7], -1.0, "bottom rows are padding");
    }

    #[test]
    fn nms_keeps_the_best_of_overlaps() {
        let f = |s: f32, x: f32| Face {
            score: s,
            bbox: [x, 0.0, 10.0, 10.0],
            keypoints: [Point::default(); 6],
        };
        let kept = nms(vec![f(0.6, 1.0), f(0.9, 0.0), f(0.8, 50.0)], 0.3);
        assert_eq!(
            kept.iter().map(|k| k.score).collect::<Vec<_>>(),
            vec![0.9, 0.8]
        );
    }
}
