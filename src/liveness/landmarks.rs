//! MediaPipe's FaceMesh landmark model (468 points) run with tract on a square crop around a
//! detected face. Contract (shared/models/README.md): input `1x3x192x192` RGB pixel/255, NCHW;
//! outputs `[1,1404,1,1]` (x, y, z per point, in input pixels) and `[1,1,1,1]` (presence logit).

use std::sync::Arc;

use image::RgbImage;
use thiserror::Error;
use tract_onnx::prelude::*;

use super::geometry::P2;
use crate::selfie::Face;

const MODEL: &[u8] = include_bytes!("../../assets/models/face_landmark.onnx");

/// Side of the model's square input, px.
pub const INPUT: usize = 192;
/// Points the model gives.
pub const POINTS: usize = 468;
/// The crop around the detector's tight (brows to chin) box, as MediaPipe enlarges it.
const CROP_SCALE: f32 = 1.5;
/// The crop's centre sits this share of the box height above the box centre: the tight box
/// leaves out the forehead, which the model's crop includes.
const CROP_LIFT: f32 = 0.05;

#[derive(Debug, Error)]
pub enum LandmarkError {
    #[error("the face landmark model could not be loaded: {0}")]
    Load(String),
    #[error("the face landmark model failed: {0}")]
    Run(String),
}

/// 468 landmarks of one face, in frame pixels, and how sure the model is that a face is there.
#[derive(Debug, Clone, PartialEq)]
pub struct Landmarks {
    pub points: Arc<[P2]>,
    /// 0..1; MediaPipe re-detects below 0.5.
    pub presence: f32,
}

type Plan = Arc<TypedRunnableModel>;

pub struct Landmarker {
    plan: Plan,
    input: Vec<f32>,
}

impl Landmarker {
    pub fn new() -> Result<Self, LandmarkError> {
        let plan = crate::selfie::detector::load_square_model(MODEL, INPUT)
            .map_err(|e| LandmarkError::Load(e.to_string()))?;
        Ok(Self {
            plan,
            input: vec![0.0; 3 * INPUT * INPUT],
        })
    }

    /// The landmarks of `face` (a detector's box) in `frame`.
    pub fn landmarks(&mut self, frame: &RgbImage, face: &Face) -> Result<Landmarks, LandmarkError> {
        let [x, y, w, h] = face.bbox;
        let side = w.max(h) * CROP_SCALE;
        let (cx, cy) = (x + w / 2.0, y + h / 2.0 - h * CROP_LIFT);
        self.landmarks_in(frame, [cx - side / 2.0, cy - side / 2.0, side])
    }

    /// The landmarks of the face in the square `[x, y, side]` of `frame` (frame pixels; it may
    /// reach outside the frame, which reads as black).
    pub fn landmarks_in(
        &mut self,
        frame: &RgbImage,
        square: [f32; 3],
    ) -> Result<Landmarks, LandmarkError> {
        let [x0, y0, side] = square;
        if !(side.is_finite() && side >= 8.0 && x0.is_finite() && y0.is_finite()) {
            return Err(LandmarkError::Run(format!("unusable crop {square:?}")));
        }
        fill_input(frame, x0, y0, side, &mut self.input);
        let run = |e: TractError| LandmarkError::Run(e.to_string());
        let tensor =
            tract_ndarray::Array4::from_shape_vec((1, 3, INPUT, INPUT), self.input.clone())
                .map_err(|e| LandmarkError::Run(e.to_string()))?
                .into_tensor();
        let out = self.plan.run(tvec!(tensor.into())).map_err(run)?;
        // Tell the outputs apart by size, not order.
        let mut coords = None;
        let mut presence = None;
        for t in out.iter() {
            let view = t.to_plain_array_view::<f32>().map_err(run)?;
            let Some(values) = view.as_slice() else {
                return Err(LandmarkError::Run("outputs are not contiguous".into()));
            };
            match values.len() {
                n if n == POINTS * 3 => coords = Some(values.to_vec()),
                1 => presence = Some(values[0]),
                n => {
                    return Err(LandmarkError::Run(format!(
                        "unexpected output of {n} values"
                    )));
                }
            }
        }
        let (Some(coords), Some(logit)) = (coords, presence) else {
            return Err(LandmarkError::Run("an output is missing".into()));
        };
        let k = side / INPUT as f32;
        let points: Arc<[P2]> = coords
            .chunks_exact(3)
            .map(|c| [x0 + c[0] * k, y0 + c[1] * k])
            .collect();
        if points
            .iter()
            .any(|p| !(p[0].is_finite() && p[1].is_finite()))
        {
            return Err(LandmarkError::Run("non-finite landmark".into()));
        }
        Ok(Landmarks {
            points,
            presence: 1.0 / (1.0 + (-logit.clamp(-80.0, 80.0)).exp()),
        })
    }
}

/// Bilinear resample of the square into the NCHW input, pixel/255; outside the frame is black.
fn fill_input(frame: &RgbImage, x0: f32, y0: f32, side: f32, input: &mut [f32]) {
    let (w, h) = (frame.width() as i64, frame.height() as i64);
    let raw = frame.as_raw();
    let stride = w as usize * 3;
    let plane = INPUT * INPUT;
    let k = side / INPUT as f32;
    let px = |x: i64, y: i64, c: usize| -> f32 {
        if x < 0 || y < 0 || x >= w || y >= h {
            0.0
        } else {
            raw[y as usize * stride + x as usize * 3 + c] as f32
        }
    };
    for oy in 0..INPUT {
        let sy = y0 + (oy as f32 + 0.5) * k - 0.5;
        let (fy, ty) = (sy.floor(), sy - sy.floor());
        let iy = fy as i64;
        for ox in 0..INPUT {
            let sx = x0 + (ox as f32 + 0.5) * k - 0.5;
            let (fx, tx) = (sx.floor(), sx - sx.floor());
            let ix = fx as i64;
            let i = oy * INPUT + ox;
            for c in 0..3 {
                let top = px(ix, iy, c) * (1.0 - tx) + px(ix + 1, iy, c) * tx;
                let bottom = px(ix, iy + 1, c) * (1.0 - tx) + px(ix + 1, iy + 1, c) * tx;
                input[c * plane + i] = (top * (1.0 - ty) + bottom * ty) / 255.0;
            }
        }
    }
}
