//! The selfie gate: decides per frame whether it is worth a paid face-check, and if not, tells
//! the customer what to change. Each check mirrors a FACEKI retake code (8004-8009, 8018, 8019).

use std::time::Duration;

use image::RgbImage;
use serde::{Deserialize, Serialize};

use super::detector::{Detector, DetectorError, Face, Model, Region};
use super::oval::Oval;

/// The gate's opinion of a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Ok,
    NoFace,
    MultipleFaces,
    TooSmall,
    OffCentre,
    NotFrontal,
    Blurred,
    TooDark,
    TooBright,
}

impl Verdict {
    pub const ALL: [Verdict; 9] = [
        Self::Ok,
        Self::NoFace,
        Self::MultipleFaces,
        Self::TooSmall,
        Self::OffCentre,
        Self::NotFrontal,
        Self::Blurred,
        Self::TooDark,
        Self::TooBright,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::NoFace => "no_face",
            Self::MultipleFaces => "multiple_faces",
            Self::TooSmall => "too_small",
            Self::OffCentre => "off_centre",
            Self::NotFrontal => "not_frontal",
            Self::Blurred => "blurred",
            Self::TooDark => "too_dark",
            Self::TooBright => "too_bright",
        }
    }
}

/// A hint for the customer: what to do, in one short sentence (the words are in the `i18n`
/// catalogue).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Hint {
    HoldStill,
    LookAtCamera,
    OnePerson,
    ComeCloser,
    StepBack,
    IntoOval,
    /// Move to *your own* left (the camera sees the face on the frame's left).
    MoveLeft,
    /// Move to your own right.
    MoveRight,
    FaceStraight,
    MoreLight,
    LessLight,
}

/// A side of the screen, as the customer sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScreenSide {
    Left,
    Right,
}

impl Hint {
    /// Which way the on-screen arrow points for this hint. The preview is a mirror: moving to
    /// your own left moves your picture to the screen's left, so the arrow points the way the
    /// customer moves (the physical direction, in Arabic too: it is not reading order).
    pub fn arrow(self) -> Option<ScreenSide> {
        match self {
            Self::MoveLeft => Some(ScreenSide::Left),
            Self::MoveRight => Some(ScreenSide::Right),
            _ => None,
        }
    }
}

/// Thresholds. Sizes are in pixels of the captured frame (the one that would be uploaded).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GateSettings {
    /// Detector score for a face to count. Frontal faces score ~0.9, a cat ~0.56.
    pub min_score: f32,
    /// FACEKI's engine wants the eyes at least 90 px apart.
    pub min_eye_distance_px: f32,
    /// Minimum height of this detector's (tight, brows-to-chin) face box. FACEKI's "300 px face
    /// region" is larger than this box; calibrated on the fixtures (see BENCHMARKS.md).
    pub min_face_box_px: f32,
    /// The face box may fill at most this share of the oval's height before "step back".
    pub max_face_fraction: f32,
    /// How far the face's outline (the ellipse in its box) may reach, in radii of the drawn
    /// oval: 1.0 touches the line. A little over it still looks inside to the customer (the
    /// tight box leaves hair and ears out anyway), and the upload is cut around the face, so
    /// FACEKI never sees where the oval was.
    pub max_oval_reach: f32,
    /// Nose offset from the eyes' midpoint, per eye distance (~0.35 is 20 degrees of yaw).
    pub max_yaw: f32,
    /// Tilt of the eye line, degrees.
    pub max_roll_deg: f32,
    /// Fine detail of the face, 0 (smooth) to 100, in its least detailed direction (motion
    /// blur smears one direction), with the camera's noise taken out.
    pub min_detail: f32,
    /// While one person stands there, a frame with less than this share of the detail of
    /// their sharpest frame of the last seconds is blurred (they moved).
    pub min_relative_detail: f32,
    /// Mean luma (0-255) of the face.
    pub min_brightness: f32,
    pub max_brightness: f32,
    /// Share of face pixels at or above 250 (blown out).
    pub max_clipped: f32,
    /// Settings of earlier versions, on other scales: accepted so an old config file still
    /// loads, and ignored (see `max_oval_reach` and `min_detail`).
    #[serde(skip_serializing)]
    pub centre_tolerance: Option<f32>,
    #[serde(skip_serializing)]
    pub min_sharpness: Option<f32>,
}

impl Default for GateSettings {
    fn default() -> Self {
        Self {
            min_score: 0.75,
            min_eye_distance_px: 90.0,
            min_face_box_px: 185.0,
            max_face_fraction: 0.74,
            max_oval_reach: 1.1,
            max_yaw: 0.35,
            max_roll_deg: 20.0,
            min_detail: 11.0,
            min_relative_detail: 0.5,
            min_brightness: 60.0,
            max_brightness: 215.0,
            max_clipped: 0.25,
            centre_tolerance: None,
            min_sharpness: None,
        }
    }
}

/// Measurements behind a verdict, for tuning and the `gate` CLI.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Metrics {
    pub frame_brightness: f32,
    /// Faces that counted (see [`GateReport::faces`]), anywhere in view.
    pub faces_in_view: usize,
    pub eye_distance_px: Option<f32>,
    pub face_box_px: Option<f32>,
    /// The face outline's furthest reach in oval radii (1 = on the drawn line).
    pub oval_reach: Option<f32>,
    pub yaw: Option<f32>,
    pub roll_deg: Option<f32>,
    /// Fine detail, 0-100, in the face's least detailed direction...
    pub detail: Option<f32>,
    /// ...which is this one (degrees, 0 = horizontal): the way a motion blur ran.
    pub detail_direction_deg: Option<f32>,
    /// The same person's most detailed recent frame (the worker's memory), when it counted.
    pub detail_best_recent: Option<f32>,
    /// The camera noise taken out of the detail measure (grey levels, at 128 px).
    pub noise: Option<f32>,
    pub face_brightness: Option<f32>,
    pub clipped: Option<f32>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GateReport {
    pub verdict: Verdict,
    pub hint: Hint,
    /// Faces that counted: the one judged first (the face nearest the oval, score at least
    /// `min_score`; the upload is cut around it), then the others in view.
    pub faces: Vec<Face>,
    pub metrics: Metrics,
}

impl GateReport {
    pub fn is_ok(&self) -> bool {
        self.verdict == Verdict::Ok
    }
}

/// The gate: the detectors and thresholds. One per worker thread.
///
/// Each frame gets one whole-frame look (the full-range model on the letterboxed frame), which
/// sees everyone in the camera's view. When it finds a face, the short-range model looks again
/// at a square around the face nearest the oval, for the precise box and eyes the size
/// thresholds were calibrated on.
pub struct Gate {
    whole: Detector,
    close: Detector,
    pub settings: GateSettings,
    /// The faces of the last whole-frame look, the first followed by the close look since.
    track: Option<Track>,
    /// The last look at a stream that found nobody, to skip looking at the same still scene.
    empty: Option<EmptyScene>,
    /// Whole-frame looks so far (the costly part), for tests and benchmarks.
    pub whole_looks: u64,
    /// Whole-frame looks skipped while a face was held in a still scene.
    pub whole_looks_skipped: u64,
}

struct EmptyScene {
    thumb: Vec<u8>,
    report: GateReport,
    skipped: u32,
}

/// An empty, unchanging scene is looked at again at least every this many stream frames
/// (2 s at the worker's 2 checks a second with nobody there), in case someone came in too
/// smoothly to change the picture, or stands where the last look missed them.
const STILL_LOOK_EVERY: u32 = 4;

/// Mean absolute difference (0-255) between two frames' thumbnails under which the scene has
/// not changed: sensor noise and flicker stay well below it, anyone walking in is far above.
const STILL_SCENE: f32 = 3.0;

/// The frame pixels a thumbnail samples, row by row: a 32x18 grid's cell centres.
fn thumbnail_points(w: u32, h: u32) -> impl Iterator<Item = (u32, u32)> {
    let (tw, th) = (32u32, 18u32);
    (0..th).flat_map(move |y| (0..tw).map(move |x| ((x * w + w / 2) / tw, (y * h + h / 2) / th)))
}

/// A 32x18 grey thumbnail of the frame, sampled (not averaged): enough to see that a scene
/// changed, at a few microseconds a frame.
fn thumbnail(frame: &RgbImage) -> Vec<u8> {
    let (w, h) = frame.dimensions();
    thumbnail_points(w, h)
        .map(|(x, y)| luma(frame.get_pixel(x, y).0) as u8)
        .collect()
}

fn scene_moved(a: &[u8], b: &[u8]) -> bool {
    let diff: u32 = a.iter().zip(b).map(|(x, y)| x.abs_diff(*y) as u32).sum();
    diff as f32 / a.len().max(1) as f32 >= STILL_SCENE
}

struct Track {
    faces: Vec<Face>,
    /// Frames the close look alone may judge before the whole frame is looked at again.
    close_looks_left: u32,
    /// The frame's thumbnail at the last whole-frame look.
    thumb: Vec<u8>,
    /// Whole-frame looks skipped in a row because nothing moved away from the face.
    skipped: u32,
    /// The close look saw another face beside this one: look at the whole frame next.
    someone_near: bool,
}

/// A due whole-frame look is skipped when the scene away from the followed face has not changed
/// since the last one (someone stepping in changes it), but never more than this many times in a
/// row: the whole frame is looked at least every `WHOLE_LOOK_EVERY * (1 + this)` frames (1.2 s
/// at 7.5 checks a second). Near the face the close look itself watches for a second face.
const WHOLE_LOOKS_SKIPPED_AT_MOST: u32 = 2;

/// A thumbnail cell (one sampled pixel) counts as changed past this luma difference: well over
/// sensor noise and compression, well under a person against a wall.
const CELL_CHANGE: u8 = 24;
/// The scene away from the face moved when at least this many cells changed.
const CELLS_CHANGED: usize = 2;

/// Whether `b` differs from `a` (thumbnails of two frames of `size`) outside `near`, the close
/// look's square around the followed face (where the face itself moves).
fn moved_away_from(a: &[u8], b: &[u8], size: (u32, u32), near: Region) -> bool {
    let inside = |x: u32, y: u32| {
        let (x, y) = (x as i64, y as i64);
        let (rx, ry, side) = (near.x as i64, near.y as i64, near.side as i64);
        x >= rx && x < rx + side && y >= ry && y < ry + side
    };
    let changed = thumbnail_points(size.0, size.1)
        .enumerate()
        .filter(|&(_, (x, y))| !inside(x, y))
        .filter(|&(i, _)| {
            a.get(i)
                .zip(b.get(i))
                .is_none_or(|(p, q)| p.abs_diff(*q) > CELL_CHANGE)
        })
        .count();
    changed >= CELLS_CHANGED
}

/// The close look's square around `face`.
fn close_region(face: &Face) -> Region {
    let c = face.centre();
    Region::around(c.x, c.y, face.bbox[3] * CLOSE_LOOK)
}

/// While a face is held the whole frame is looked at every this many frames; in between the
/// close look alone follows that face, for a fraction of the cost (BENCHMARKS.md). Someone
/// stepping into view changes the scene and is noticed within this many frames (0.4 s at 7.5
/// checks a second), well inside the steady spell a capture waits for; while nothing changes
/// away from the face the look may be skipped ([`WHOLE_LOOKS_SKIPPED_AT_MOST`]).
const WHOLE_LOOK_EVERY: u32 = 3;

/// The close look's square, per height of the whole-frame look's face box: the face then has
/// the size in the short-range model's input that it has in the centred square of a 16:9 frame.
const CLOSE_LOOK: f32 = 2.9;

/// Another face counts as a second person when it comes this close to the oval (in oval
/// radii) and is at least this share of the judged face's size. Smaller faces are far back
/// in the room (FACEKI's engine takes the large one); ones further off are not in the upload.
const NEAR_OVAL: f32 = 0.5;
const SECOND_FACE_SHARE: f32 = 0.4;
/// A second face counts from this score, lower than a first one needs: someone half hidden
/// behind the customer scores 0.6-0.7, and doubt about a second person must not pass (no scene
/// without a face scores over 0.5 with the full-range model on the fixtures).
pub const SECOND_FACE_SCORE: f32 = 0.55;

impl Gate {
    pub fn new(settings: GateSettings) -> Result<Self, DetectorError> {
        if settings.centre_tolerance.is_some() || settings.min_sharpness.is_some() {
            tracing::warn!(
                "[gate] centre_tolerance and min_sharpness are no longer used: see \
                 max_oval_reach and min_detail"
            );
        }
        Ok(Self {
            whole: Detector::new(Model::FullRange)?,
            close: Detector::new(Model::ShortRange)?,
            settings,
            track: None,
            empty: None,
            whole_looks: 0,
            whole_looks_skipped: 0,
        })
    }

    /// When a whole-frame look is due but nothing changed away from the followed face since the
    /// last one, lets the close look go on instead (at most [`WHOLE_LOOKS_SKIPPED_AT_MOST`] times
    /// in a row): the whole-frame look is most of the gate's cost while someone is positioning.
    fn skip_still_whole_look(&mut self, frame: &RgbImage) {
        let Some(track) = self.track.as_mut().filter(|t| {
            t.close_looks_left == 0 && !t.someone_near && t.skipped < WHOLE_LOOKS_SKIPPED_AT_MOST
        }) else {
            return;
        };
        let Some(face) = track.faces.first() else {
            return;
        };
        let near = close_region(face);
        if moved_away_from(&track.thumb, &thumbnail(frame), frame.dimensions(), near) {
            return;
        }
        track.skipped += 1;
        track.close_looks_left = WHOLE_LOOK_EVERY;
        self.whole_looks_skipped += 1;
    }

    /// The close look around the tracked face, if it still finds it there.
    fn follow(&mut self, frame: &RgbImage) -> Result<Option<Vec<Face>>, DetectorError> {
        let Some(track) = self.track.as_mut().filter(|t| t.close_looks_left > 0) else {
            return Ok(None);
        };
        track.close_looks_left -= 1;
        let Some(last) = track.faces.first() else {
            return Ok(None);
        };
        let c = last.centre();
        let region = close_region(last);
        let min = self.settings.min_score;
        // The same face: the best one whose centre is within half a face of where it was.
        let near = |f: &Face| {
            let d = f.centre();
            ((d.x - c.x).powi(2) + (d.y - c.y).powi(2)).sqrt() < last.bbox[3] * 0.5
        };
        let faces = self.close.detect(frame, region)?;
        let found = faces
            .iter()
            .filter(|f| f.score >= min && near(f))
            .max_by(|a, b| a.score.total_cmp(&b.score))
            .cloned();
        let Some(found) = found else {
            return Ok(None);
        };
        // Someone else beside or behind the customer: the whole-frame look, whose scores the
        // second-person rule is tuned on, judges them on the next frame.
        if faces
            .iter()
            .any(|f| f.score >= SECOND_FACE_SCORE.min(min) && iou(&f.bbox, &found.bbox) < 0.3)
        {
            track.someone_near = true;
            track.close_looks_left = 0;
        }
        track.faces[0] = found;
        Ok(Some(track.faces.clone()))
    }

    /// Detects and judges one photo (full capture resolution): always the whole frame.
    pub fn check(&mut self, frame: &RgbImage) -> Result<GateReport, DetectorError> {
        self.track = None;
        self.empty = None;
        self.look(frame)
    }

    /// Judges the next frame of a camera stream: while a face is held the close look follows
    /// it, and the whole frame is looked at every [`WHOLE_LOOK_EVERY`] frames (unless nothing
    /// moved away from the face since the last look), whenever the close look sees a second
    /// face, and whenever the face is not found where it was.
    ///
    /// With nobody there, a scene that has not changed since the last look is not looked at
    /// again (but at least every [`STILL_LOOK_EVERY`] frames): an empty hall costs almost nothing.
    pub fn check_stream(&mut self, frame: &RgbImage) -> Result<GateReport, DetectorError> {
        self.skip_still_whole_look(frame);
        if let Some(faces) = self.follow(frame)? {
            return Ok(assess(frame, faces, &self.settings));
        }
        let thumb = thumbnail(frame);
        if let Some(e) = self.empty.as_mut() {
            if e.skipped < STILL_LOOK_EVERY - 1 && !scene_moved(&e.thumb, &thumb) {
                e.skipped += 1;
                return Ok(e.report.clone());
            }
        }
        let report = self.look(frame)?;
        self.empty = report.faces.is_empty().then(|| EmptyScene {
            thumb,
            report: report.clone(),
            skipped: 0,
        });
        Ok(report)
    }

    /// The whole-frame look, then the close look at the face nearest the oval.
    fn look(&mut self, frame: &RgbImage) -> Result<GateReport, DetectorError> {
        self.whole_looks += 1;
        let (w, h) = frame.dimensions();
        let oval = Oval::for_frame(w, h);
        let min = self.settings.min_score;
        let mut faces: Vec<Face> = self
            .whole
            .detect(frame, Region::whole_frame(w, h))?
            .into_iter()
            .filter(|f| f.score >= min.min(SECOND_FACE_SCORE))
            .collect();
        order_by_oval(&mut faces, &oval, min);
        if let Some(main) = faces.first_mut() {
            let region = close_region(main);
            // The close look's face that overlaps the whole-frame one, if it found it.
            let close = self
                .close
                .detect(frame, region)?
                .into_iter()
                .filter(|f| f.score >= min)
                .max_by(|a, b| iou(&a.bbox, &main.bbox).total_cmp(&iou(&b.bbox, &main.bbox)))
                .filter(|f| iou(&f.bbox, &main.bbox) > 0.3);
            if let Some(close) = close {
                *main = close;
            }
        }
        self.track = faces.first().filter(|f| f.score >= min).map(|_| Track {
            faces: faces.clone(),
            close_looks_left: WHOLE_LOOK_EVERY - 1,
            thumb: thumbnail(frame),
            skipped: 0,
            someone_near: false,
        });
        Ok(assess(frame, faces, &self.settings))
    }
}

/// Faces that count as a first face (score at least `min`) before the others, each group
/// nearest the oval first (by how far its centre is, in oval radii).
fn order_by_oval(faces: &mut [Face], oval: &Oval, min: f32) {
    faces.sort_by(|a, b| {
        (b.score >= min)
            .cmp(&(a.score >= min))
            .then(oval.reach(a.centre()).total_cmp(&oval.reach(b.centre())))
    });
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

/// Judges a frame given the faces found, the one to judge first. Pure, so thresholds are
/// testable without a model. The first face must score `min_score`; with one, the others count
/// from [`SECOND_FACE_SCORE`]; without one, nobody is there (a cat, a pattern).
pub fn assess(frame: &RgbImage, faces: Vec<Face>, s: &GateSettings) -> GateReport {
    let faces: Vec<Face> = match faces.first() {
        Some(f) if f.score >= s.min_score => faces
            .into_iter()
            .filter(|f| f.score >= s.min_score.min(SECOND_FACE_SCORE))
            .collect(),
        _ => Vec::new(),
    };
    let (w, h) = frame.dimensions();
    let oval = Oval::for_frame(w, h);
    let mut m = Metrics {
        frame_brightness: mean_luma(frame, Region::centred_square(w, h)),
        faces_in_view: faces.len(),
        ..Metrics::default()
    };
    let verdict = |verdict, hint, faces, metrics| GateReport {
        verdict,
        hint,
        faces,
        metrics,
    };

    // A very dark or washed-out scene hides faces from the detector: say so first.
    let Some(face) = faces.first() else {
        if m.frame_brightness < s.min_brightness * 0.6 {
            return verdict(Verdict::TooDark, Hint::MoreLight, faces, m);
        }
        if m.frame_brightness > 195.0 {
            return verdict(Verdict::TooBright, Hint::LessLight, faces, m);
        }
        return verdict(Verdict::NoFace, Hint::LookAtCamera, faces, m);
    };
    let eye = face.eye_distance();
    let box_h = face.bbox[3];
    let c = face.centre();
    let reach = oval.face_reach(face.bbox);
    let (re, le, nose) = (face.right_eye(), face.left_eye(), face.nose());
    let yaw = (nose.x - (re.x + le.x) / 2.0) / eye.max(1.0);
    let roll = (le.y - re.y).atan2(le.x - re.x).to_degrees();
    // The person's right eye is on the image's left, so an upright face has roll near 0.
    let roll = if roll.abs() > 90.0 {
        180.0 - roll.abs()
    } else {
        roll.abs()
    };
    let stats = face_stats(frame, face);
    m.eye_distance_px = Some(eye);
    m.face_box_px = Some(box_h);
    m.oval_reach = Some(reach);
    m.yaw = Some(yaw);
    m.roll_deg = Some(roll);
    m.detail = Some(stats.detail);
    m.detail_direction_deg = Some(stats.detail_direction_deg);
    m.noise = Some(stats.noise);
    m.face_brightness = Some(stats.brightness);
    m.clipped = Some(stats.clipped);
    // Someone else next to the oval, near enough in size to be in the picture with them.
    let second = faces[1..]
        .iter()
        .any(|f| oval.near(f.bbox, NEAR_OVAL) && f.bbox[3] >= SECOND_FACE_SHARE * box_h);
    // Which way to move, in the customer's own terms: the camera's frame is not mirrored, and
    // the person's left is on the frame's right, so a face left of the oval (in the frame)
    // belongs to someone standing to their own right, who must move to their left.
    let (dx, dy) = (
        (c.x - oval.centre.x) / oval.rx,
        (c.y - oval.centre.y) / oval.ry,
    );
    let shift = if dx.abs() < dy.abs() {
        Hint::IntoOval
    } else if dx < 0.0 {
        Hint::MoveLeft
    } else {
        Hint::MoveRight
    };

    let (v, h) = if stats.brightness < s.min_brightness {
        (Verdict::TooDark, Hint::MoreLight)
    } else if stats.brightness > s.max_brightness || stats.clipped > s.max_clipped {
        (Verdict::TooBright, Hint::LessLight)
    } else if second {
        (Verdict::MultipleFaces, Hint::OnePerson)
    } else if box_h > s.max_face_fraction * oval.height() {
        (Verdict::OffCentre, Hint::StepBack)
    } else if reach > s.max_oval_reach {
        (Verdict::OffCentre, shift)
    } else if eye < s.min_eye_distance_px || box_h < s.min_face_box_px {
        (Verdict::TooSmall, Hint::ComeCloser)
    } else if yaw.abs() > s.max_yaw || roll > s.max_roll_deg {
        (Verdict::NotFrontal, Hint::FaceStraight)
    } else if stats.detail < s.min_detail {
        (Verdict::Blurred, Hint::HoldStill)
    } else {
        (Verdict::Ok, Hint::HoldStill)
    };
    verdict(v, h, faces, m)
}

/// Mean luma of the region, sampled on a coarse grid (cheap, every frame).
fn mean_luma(frame: &RgbImage, region: Region) -> f32 {
    let step = (region.side / 64).max(1) as usize;
    let (x0, y0) = (region.x.max(0) as u32, region.y.max(0) as u32);
    let x1 = (region.x + region.side as i32).clamp(0, frame.width() as i32) as u32;
    let y1 = (region.y + region.side as i32).clamp(0, frame.height() as i32) as u32;
    let (mut sum, mut n) = (0u64, 0u64);
    for y in (y0..y1).step_by(step) {
        for x in (x0..x1).step_by(step) {
            sum += luma(frame.get_pixel(x, y).0) as u64;
            n += 1;
        }
    }
    sum as f32 / n.max(1) as f32
}

fn luma(p: [u8; 3]) -> u32 {
    (p[0] as u32 * 77 + p[1] as u32 * 150 + p[2] as u32 * 29) >> 8
}

struct FaceStats {
    brightness: f32,
    clipped: f32,
    detail: f32,
    detail_direction_deg: f32,
    noise: f32,
}

const PATCH: usize = 128;

/// Brightness, blown-out share and fine detail of the face box, measured on a 128x128 grey
/// patch (area-averaged), so the thresholds follow the face's size, not the camera's
/// resolution.
fn face_stats(frame: &RgbImage, face: &Face) -> FaceStats {
    let (fw, fh) = (frame.width() as f32, frame.height() as f32);
    let x0 = face.bbox[0].clamp(0.0, fw - 1.0);
    let y0 = face.bbox[1].clamp(0.0, fh - 1.0);
    let x1 = (face.bbox[0] + face.bbox[2]).clamp(x0 + 1.0, fw);
    let y1 = (face.bbox[1] + face.bbox[3]).clamp(y0 + 1.0, fh);
    let (sx, sy) = ((x1 - x0) / PATCH as f32, (y1 - y0) / PATCH as f32);
    let mut patch = vec![0f32; PATCH * PATCH];
    let (mut sum, mut clipped) = (0f32, 0u32);
    let raw = frame.as_raw();
    let stride = frame.width() as usize * 3;
    let cols: Vec<(usize, usize)> = (0..PATCH)
        .map(|px| {
            let xa = (x0 + px as f32 * sx) as usize;
            let xb = ((x0 + (px + 1) as f32 * sx) as usize)
                .max(xa + 1)
                .min(frame.width() as usize);
            (xa, xb)
        })
        .collect();
    for py in 0..PATCH {
        let ya = (y0 + py as f32 * sy) as usize;
        let yb = ((y0 + (py + 1) as f32 * sy) as usize)
            .max(ya + 1)
            .min(frame.height() as usize);
        for (px, &(xa, xb)) in cols.iter().enumerate() {
            let (mut acc, mut n) = (0u32, 0u32);
            for y in ya..yb {
                let row = &raw[y * stride..];
                for x in xa..xb {
                    let p = &row[x * 3..x * 3 + 3];
                    let l = luma([p[0], p[1], p[2]]);
                    acc += l;
                    n += 1;
                    if l >= 250 {
                        clipped += 1;
                    }
                }
            }
            let v = acc as f32 / n.max(1) as f32;
            patch[py * PATCH + px] = v;
            sum += v;
        }
    }
    let total_px = ((y1 - y0) * (x1 - x0)).max(1.0);
    let detail = fine_detail(&patch, PATCH);
    FaceStats {
        brightness: sum / (PATCH * PATCH) as f32,
        clipped: clipped as f32 / total_px,
        detail: detail.detail,
        detail_direction_deg: detail.direction_deg,
        noise: detail.noise,
    }
}

struct Detail {
    detail: f32,
    direction_deg: f32,
    noise: f32,
}

/// How much fine detail a grey patch holds, on a scale that does not depend on the face's
/// contrast or texture: per direction, the mean squared difference of pixels one step apart
/// over that of pixels two steps apart, after taking out what the camera's noise adds to both.
/// A smooth (blurred) patch changes linearly over two pixels, giving 1/4; natural detail (edges)
/// gives about 1/2. The least detailed of four directions counts, so a motion blur, which
/// smears one direction only, shows. Mapped to 0 (smooth) .. 100 (ratio 1/2).
fn fine_detail(p: &[f32], n: usize) -> Detail {
    // Immerkær's noise estimate: the image's response to a mask that cancels smooth shading
    // and straight edges.
    let mut acc = 0f64;
    for y in 1..n - 1 {
        for x in 1..n - 1 {
            let i = y * n + x;
            let v = p[i - n - 1] - 2.0 * p[i - n] + p[i - n + 1] - 2.0 * p[i - 1] + 4.0 * p[i]
                - 2.0 * p[i + 1]
                + p[i + n - 1]
                - 2.0 * p[i + n]
                + p[i + n + 1];
            acc += v.abs() as f64;
        }
    }
    let sigma =
        (std::f64::consts::FRAC_PI_2.sqrt() * acc / (6.0 * ((n - 2) * (n - 2)) as f64)) as f32;
    let noise_sq = 2.0 * sigma * sigma;
    // Directions as (dx, dy) steps: horizontal, vertical and the two diagonals.
    let dirs: [(isize, isize, f32); 4] = [(1, 0, 0.0), (0, 1, 90.0), (1, 1, 45.0), (-1, 1, 135.0)];
    let mut worst = (f32::INFINITY, 0.0);
    for (dx, dy, deg) in dirs {
        let d1 = structure(p, n, dx, dy);
        let d2 = structure(p, n, 2 * dx, 2 * dy);
        let ratio = (d1 - noise_sq).max(1e-3) / (d2 - noise_sq).max(1e-3);
        if ratio < worst.0 {
            worst = (ratio, deg);
        }
    }
    Detail {
        detail: ((worst.0 - 0.25) * 400.0).clamp(0.0, 100.0),
        direction_deg: worst.1,
        noise: sigma,
    }
}

/// Mean squared difference between pixels `(dx, dy)` apart.
fn structure(p: &[f32], n: usize, dx: isize, dy: isize) -> f32 {
    let (mut sum, mut cnt) = (0f64, 0u32);
    let xs = if dx < 0 {
        (-dx) as usize..n
    } else {
        0..n - dx as usize
    };
    for y in 0..n - dy as usize {
        let row = y * n;
        let next = (y + dy as usize) * n;
        for x in xs.clone() {
            let d = p[next + (x as isize + dx) as usize] - p[row + x];
            sum += (d * d) as f64;
            cnt += 1;
        }
    }
    (sum / cnt.max(1) as f64) as f32
}

/// The worker's memory of one person's recent detail: a frame much less detailed than their
/// best of the last seconds was taken while they moved, even when it passes the fixed
/// threshold (faces with much fine texture keep a lot of detail when blurred).
#[derive(Debug, Clone, Default)]
pub struct DetailMemory {
    recent: Vec<(Duration, f32)>,
    /// Where the face was and its size, to tell the same person from a new one.
    last: Option<(f32, f32, f32)>,
}

/// How long the memory keeps a frame's detail.
const DETAIL_MEMORY: Duration = Duration::from_secs(3);

impl DetailMemory {
    /// Notes this frame's detail and, when it is far below the same person's best recent
    /// frame, turns an `ok` into `blurred`.
    pub fn judge(&mut self, report: &mut GateReport, now: Duration, s: &GateSettings) {
        let (Some(face), Some(detail)) = (report.faces.first(), report.metrics.detail) else {
            *self = Self::default();
            return;
        };
        let c = face.centre();
        let size = face.bbox[3];
        // A jump of more than the face's size is someone else (or someone back).
        if let Some((x, y, sz)) = self.last {
            if ((c.x - x).powi(2) + (c.y - y).powi(2)).sqrt() > sz.max(size) {
                self.recent.clear();
            }
        }
        self.last = Some((c.x, c.y, size));
        self.recent
            .retain(|(t, _)| now.saturating_sub(*t) <= DETAIL_MEMORY);
        let best = self.recent.iter().map(|(_, d)| *d).fold(0.0, f32::max);
        self.recent.push((now, detail));
        if report.verdict == Verdict::Ok && best > 0.0 && detail < s.min_relative_detail * best {
            report.verdict = Verdict::Blurred;
            report.hint = Hint::HoldStill;
            report.metrics.detail_best_recent = Some(best);
        }
    }

    pub fn reset(&mut self) {
        *self = Self::default();
    }
}

/// Auto-capture: all checks must hold for a steady spell with the face not moving much.
#[derive(Debug, Clone, Default)]
pub struct Steadiness {
    since: Option<Duration>,
    anchor: Option<(f32, f32, f32)>,
}

impl Steadiness {
    /// Feeds one report at time `now`; true once it has been OK and still for `spell`.
    pub fn observe(&mut self, report: &GateReport, now: Duration, spell: Duration) -> bool {
        let Some(face) = report.faces.first().filter(|_| report.is_ok()) else {
            *self = Self::default();
            return false;
        };
        let c = face.centre();
        let size = face.bbox[3];
        match self.anchor {
            // Moving more than a fifth of the face's size restarts the spell.
            Some((ax, ay, asize))
                if ((c.x - ax).powi(2) + (c.y - ay).powi(2)).sqrt() <= asize * 0.2 => {}
            _ => {
                self.anchor = Some((c.x, c.y, size));
                self.since = Some(now);
            }
        }
        self.since.is_some_and(|t| now.saturating_sub(t) >= spell)
    }

    /// How far into the steady spell, 0..1, for a progress ring.
    pub fn progress(&self, now: Duration, spell: Duration) -> f32 {
        match self.since {
            Some(t) if !spell.is_zero() => {
                (now.saturating_sub(t).as_secs_f32() / spell.as_secs_f32()).min(1.0)
            }
            Some(_) => 1.0,
            None => 0.0,
        }
    }

    pub fn reset(&mut self) {
        *self = Self::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::selfie::detector::Point;

    /// A face with its eyes `eye` apart and a `side`-px box centred on (cx, cy).
    fn face(cx: f32, cy: f32, side: f32, eye: f32) -> Face {
        let p = |x: f32, y: f32| Point { x, y };
        Face {
            score: 0.9,
            bbox: [cx - side / 2.0, cy - side / 2.0, side, side],
            keypoints: [
                p(cx - eye / 2.0, cy - side * 0.2),
                p(cx + eye / 2.0, cy - side * 0.2),
                p(cx, cy),
                p(cx, cy + side * 0.25),
                p(cx - side * 0.45, cy),
                p(cx + side * 0.45, cy),
            ],
        }
    }

    /// Grey patches with sharp edges at several spacings (as a face's features have), so the
    /// detail measure sees something crisp and not noise.
    fn textured(w: u32, h: u32) -> RgbImage {
        RgbImage::from_fn(w, h, |x, y| {
            let a = ((x / 11) ^ (y / 17)) % 2;
            let b = ((x / 5 + y / 23) % 3) * 18;
            let c = ((x + 2 * y) / 29) % 2 * 25;
            let v = (70 + a * 60 + b + c) as u8;
            image::Rgb([v, v, v])
        })
    }

    #[test]
    fn the_centre_check_follows_the_drawn_oval() {
        let frame = textured(1280, 720);
        let s = GateSettings::default();
        let oval = Oval::for_frame(1280, 720);
        // 15% of the frame height off centre, sideways: visibly inside the oval, so not
        // refused for position.
        let r = assess(&frame, vec![face(640.0 + 108.0, 360.0, 230.0, 105.0)], &s);
        assert!(r.metrics.oval_reach.unwrap() < 1.0, "{:?}", r.metrics);
        assert_ne!(r.verdict, Verdict::OffCentre, "{:?}", r.metrics);
        // Across the line: off centre, told which way (frame right = the person's left side,
        // so they move to their right).
        let x = oval.centre.x + oval.rx;
        let r = assess(&frame, vec![face(x, 360.0, 230.0, 105.0)], &s);
        assert_eq!((r.verdict, r.hint), (Verdict::OffCentre, Hint::MoveRight));
        let r = assess(&frame, vec![face(640.0, 360.0 + 250.0, 230.0, 105.0)], &s);
        assert_eq!((r.verdict, r.hint), (Verdict::OffCentre, Hint::IntoOval));
    }

    #[test]
    fn a_second_face_beside_the_oval_counts_and_one_far_back_does_not() {
        let frame = textured(1280, 720);
        let s = GateSettings::default();
        let main = face(640.0, 360.0, 230.0, 105.0);
        let beside = face(1050.0, 360.0, 220.0, 100.0);
        let r = assess(&frame, vec![main.clone(), beside], &s);
        assert_eq!(
            (r.verdict, r.hint),
            (Verdict::MultipleFaces, Hint::OnePerson)
        );
        // A small face at the far edge of the room is not in the picture.
        let far = face(1220.0, 200.0, 60.0, 25.0);
        let r = assess(&frame, vec![main, far], &s);
        assert_ne!(r.verdict, Verdict::MultipleFaces);
    }

    #[test]
    fn detail_drops_with_blur_in_any_direction_and_ignores_noise() {
        let sharp = textured(200, 200);
        let patch = |img: &RgbImage| -> Vec<f32> {
            (0..PATCH * PATCH)
                .map(|i| {
                    img.get_pixel((i % PATCH) as u32 + 20, (i / PATCH) as u32 + 20)
                        .0[0] as f32
                })
                .collect()
        };
        let d_sharp = fine_detail(&patch(&sharp), PATCH);
        let blurred = image::imageops::blur(&sharp, 2.0);
        let d_blur = fine_detail(&patch(&blurred), PATCH);
        assert!(d_sharp.detail > 30.0, "{}", d_sharp.detail);
        assert!(d_blur.detail < 8.0, "{}", d_blur.detail);
        // A horizontal smear: only the horizontal direction loses its detail.
        let smear = RgbImage::from_fn(200, 200, |x, y| {
            let sum: u32 = (0..9)
                .map(|k| sharp.get_pixel((x + k).min(199), y).0[0] as u32)
                .sum();
            let v = (sum / 9) as u8;
            image::Rgb([v, v, v])
        });
        let d_smear = fine_detail(&patch(&smear), PATCH);
        assert!(d_smear.detail < 8.0, "{}", d_smear.detail);
        assert_eq!(d_smear.direction_deg, 0.0);
    }

    #[test]
    fn a_frame_far_less_detailed_than_the_persons_best_is_blurred() {
        let s = GateSettings::default();
        let report = |detail: f32, x: f32| GateReport {
            verdict: Verdict::Ok,
            hint: Hint::HoldStill,
            faces: vec![face(x, 360.0, 230.0, 105.0)],
            metrics: Metrics {
                detail: Some(detail),
                ..Metrics::default()
            },
        };
        let mut memory = DetailMemory::default();
        let t = Duration::from_millis;
        let mut r = report(40.0, 640.0);
        memory.judge(&mut r, t(0), &s);
        assert!(r.is_ok());
        // They moved: a third of their detail, though above the fixed threshold.
        let mut r = report(14.0, 650.0);
        memory.judge(&mut r, t(300), &s);
        assert_eq!(r.verdict, Verdict::Blurred);
        assert_eq!(r.metrics.detail_best_recent, Some(40.0));
        // Someone else steps in: no memory of the last person.
        let mut r = report(14.0, 1000.0);
        memory.judge(&mut r, t(600), &s);
        assert!(r.is_ok());
        // And the memory fades after a few seconds.
        let mut r = report(40.0, 1000.0);
        memory.judge(&mut r, t(700), &s);
        let mut r = report(14.0, 1000.0);
        memory.judge(&mut r, t(700) + DETAIL_MEMORY + t(100), &s);
        assert!(r.is_ok());
    }
}
