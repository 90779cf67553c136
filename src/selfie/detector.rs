//! BlazeFace (MediaPipe's short-range face detector) run with tract.
//!
//! Input 1x3x128x128 RGB scaled to [-1, 1]; outputs 896 anchors x (box + 6 keypoints) and a
//! score each. The short-range model only finds faces that are large in its 128-px input, so it
//! looks at the centred square of the frame, where the oval guide puts the face.

use std::io::Cursor;
use std::sync::Arc;

use image::RgbImage;
use serde::Serialize;
use thiserror::Error;
use tract_onnx::prelude::*;

const MODEL: &[u8] = include_bytes!("../../assets/models/face_detection_short_range.onnx");
pub const INPUT: usize = 128;
const ANCHORS: usize = 896;

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

/// The region of the frame the detector looks at: the centred square.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Region {
    pub x: u32,
    pub y: u32,
    pub side: u32,
}

impl Region {
    pub fn centred_square(width: u32, height: u32) -> Self {
        let side = width.min(height);
        Self {
            x: (width - side) / 2,
            y: (height - side) / 2,
            side,
        }
    }
}

type Plan = Arc<TypedRunnableModel>;

pub struct Detector {
    plan: Plan,
    anchors: Vec<(f32, f32)>,
    /// Detections below this score are dropped before NMS.
    pub min_score: f32,
    input: Vec<f32>,
}

/// MediaPipe's SSD anchors for the short-range model: stride 8 (16x16 grid, 2 per cell), then
/// stride 16 (8x8 grid, 6 per cell); centres at ((x+0.5)/grid, (y+0.5)/grid).
fn anchors() -> Vec<(f32, f32)> {
    let mut v = Vec::with_capacity(ANCHORS);
    for (grid, per_cell) in [(16usize, 2usize), (8, 6)] {
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

impl Detector {
    pub fn new() -> Result<Self, DetectorError> {
        let load = |e: TractError| DetectorError::Load(e.to_string());
        let plan = tract_onnx::onnx()
            .model_for_read(&mut Cursor::new(MODEL))
            .map_err(load)?
            .with_input_fact(0, f32::fact([1, 3, INPUT, INPUT]).into())
            .map_err(load)?
            .into_optimized()
            .map_err(load)?
            .into_runnable()
            .map_err(load)?;
        Ok(Self {
            plan,
            anchors: anchors(),
            min_score: 0.5,
            input: vec![0.0; 3 * INPUT * INPUT],
        })
    }

    /// Faces in `region` of `frame`, in frame pixels, best first, after NMS.
    pub fn detect(&mut self, frame: &RgbImage, region: Region) -> Result<Vec<Face>, DetectorError> {
        fill_input(frame, region, &mut self.input);
        let tensor =
            tract_ndarray::Array4::from_shape_vec((1, 3, INPUT, INPUT), self.input.clone())
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
        // Outputs are [1,896,16] and [1,896,1]; tell them apart by shape, not order.
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
        if reg.len() != ANCHORS * 16 || cls.len() != ANCHORS {
            return Err(DetectorError::Run(format!(
                "unexpected output sizes {} and {}",
                reg.len(),
                cls.len()
            )));
        }
        Ok(decode(reg, cls, &self.anchors, self.min_score, region))
    }
}

/// Area-averages the region into the 128x128 NCHW input, scaled to [-1, 1]. Averaging (not
/// picking pixels) keeps small features such as eyes from aliasing away.
fn fill_input(frame: &RgbImage, region: Region, input: &mut [f32]) {
    let scale = region.side as f32 / INPUT as f32;
    let plane = INPUT * INPUT;
    let raw = frame.as_raw();
    let stride = frame.width() as usize * 3;
    // Sample every other source pixel inside a block when blocks are large: plenty for 128 px.
    let step = if scale >= 4.0 { 2 } else { 1 };
    for oy in 0..INPUT {
        let y0 = region.y as usize + (oy as f32 * scale) as usize;
        let y1 = (region.y as usize + ((oy + 1) as f32 * scale) as usize)
            .max(y0 + 1)
            .min(frame.height() as usize);
        for ox in 0..INPUT {
            let x0 = region.x as usize + (ox as f32 * scale) as usize;
            let x1 = (region.x as usize + ((ox + 1) as f32 * scale) as usize)
                .max(x0 + 1)
                .min(frame.width() as usize);
            let (mut r, mut g, mut b, mut n) = (0u32, 0u32, 0u32, 0u32);
            for y in (y0..y1).step_by(step) {
                let row = &raw[y * stride..];
                for x in (x0..x1).step_by(step) {
                    let p = &row[x * 3..x * 3 + 3];
                    r += p[0] as u32;
                    g += p[1] as u32;
                    b += p[2] as u32;
                    n += 1;
                }
            }
            let n = n.max(1) as f32;
            let i = oy * INPUT + ox;
            input[i] = r as f32 / n / 127.5 - 1.0;
            input[plane + i] = g as f32 / n / 127.5 - 1.0;
            input[2 * plane + i] = b as f32 / n / 127.5 - 1.0;
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
    min_score: f32,
    region: Region,
) -> Vec<Face> {
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
        let (cx, cy) = (r[0] / INPUT as f32 + ax, r[1] / INPUT as f32 + ay);
        let (w, h) = (r[2] / INPUT as f32, r[3] / INPUT as f32);
        if !(w > 0.0 && h > 0.0 && w.is_finite() && h.is_finite()) {
            continue;
        }
        let tl = to_frame(cx - w / 2.0, cy - h / 2.0);
        let mut keypoints = [Point::default(); 6];
        for (k, kp) in keypoints.iter_mut().enumerate() {
            *kp = to_frame(
                r[4 + 2 * k] / INPUT as f32 + ax,
                r[5 + 2 * k] / INPUT as f32 + ay,
            );
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
        let a = anchors();
        assert_eq!(a.len(), ANCHORS);
        assert_eq!(a[0], (0.5 / 16.0, 0.5 / 16.0));
        assert_eq!(a[1], a[0]);
        assert_eq!(a[512], (0.5 / 8.0, 0.5 / 8.0));
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
