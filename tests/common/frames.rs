//! Test frames derived in code from the fixture photos, each with the verdict it should get.

#![allow(dead_code)]

use std::sync::OnceLock;

use image::{DynamicImage, Rgb, RgbImage, imageops};

pub const W: u32 = 1280;
pub const H: u32 = 720;

fn load(bytes: &[u8]) -> RgbImage {
    image::load_from_memory(bytes)
        .expect("fixture decodes")
        .to_rgb8()
}

pub fn astronaut() -> RgbImage {
    load(include_bytes!("../fixtures/astronaut.png"))
}
pub fn hopper() -> RgbImage {
    load(include_bytes!("../../assets/demo/grace_hopper.jpg"))
}
pub fn coffee() -> RgbImage {
    load(include_bytes!("../fixtures/coffee.png"))
}
pub fn cat() -> RgbImage {
    load(include_bytes!("../fixtures/chelsea.png"))
}
pub fn rocket() -> RgbImage {
    load(include_bytes!("../fixtures/rocket.jpg"))
}

// Tests build unoptimised, and generic `image` functions are compiled into the test itself:
// resizing and blurring go through `DynamicImage` (compiled, optimised, inside `image`),
// pasting copies rows, and the wall is drawn once. That keeps the labelled set at seconds.

/// `img` scaled to `w`x`h` (triangle filter).
pub fn resize(img: &RgbImage, w: u32, h: u32) -> RgbImage {
    DynamicImage::ImageRgb8(img.clone())
        .resize_exact(w, h, imageops::FilterType::Triangle)
        .into_rgb8()
}

/// Copies `img` onto `frame` with its top-left corner at (x, y), clipped to the frame.
pub fn overlay(frame: &mut RgbImage, img: &RgbImage, x: i64, y: i64) {
    let (fw, fh) = (frame.width() as i64, frame.height() as i64);
    let (iw, ih) = (img.width() as i64, img.height() as i64);
    let (x0, x1) = (x.max(0), (x + iw).min(fw));
    if x1 <= x0 {
        return;
    }
    let len = (x1 - x0) as usize * 3;
    let src_raw = img.as_raw();
    for fy in y.max(0)..(y + ih).min(fh) {
        let src = ((fy - y) * iw + (x0 - x)) as usize * 3;
        let dst = (fy * fw + x0) as usize * 3;
        let row = &src_raw[src..src + len];
        frame.as_mut()[dst..dst + len].copy_from_slice(row);
    }
}

/// A plain office-wall background.
pub fn canvas() -> RgbImage {
    static WALL: OnceLock<RgbImage> = OnceLock::new();
    WALL.get_or_init(|| canvas_sized(W, H)).clone()
}

/// The same wall for a camera of another resolution (the gradient scales with it).
pub fn canvas_sized(w: u32, h: u32) -> RgbImage {
    static HD: OnceLock<RgbImage> = OnceLock::new();
    if (w, h) == (1920, 1080) {
        return HD.get_or_init(|| draw_wall(w, h)).clone();
    }
    draw_wall(w, h)
}

fn draw_wall(w: u32, h: u32) -> RgbImage {
    RgbImage::from_fn(w, h, |x, y| {
        // A softly lit wall: a gentle gradient, like light falling off across a room.
        let (x, y) = (x * W / w, y * H / h);
        let v = 165 - (x as i32 - 640).unsigned_abs() / 40 - y / 30;
        let v = v as u8;
        Rgb([v, v.saturating_sub(4), v.saturating_sub(10)])
    })
}

/// A portrait with its face's position and size, measured once with the detector on the
/// original photo (`faceki-kiosk gate --json`), so frames can be built to a known face size.
pub struct Subject {
    pub photo: RgbImage,
    /// Centre of the face box in the photo.
    pub face: (f32, f32),
    /// Eye distance in the photo, px.
    pub eyes: f32,
    /// The eyes' offsets from the face centre, in eye distances (right eye, left eye).
    pub eye_offsets: [(f32, f32); 2],
}

pub fn subjects() -> Vec<(&'static str, Subject)> {
    vec![
        (
            "astronaut",
            Subject {
                photo: astronaut(),
                face: (226.8, 130.5),
                eyes: 46.3,
                eye_offsets: [(-0.49, -0.58), (0.49, -0.42)],
            },
        ),
        (
            "hopper",
            Subject {
                photo: hopper(),
                face: (265.3, 244.4),
                eyes: 85.7,
                eye_offsets: [(-0.54, -0.60), (0.47, -0.62)],
            },
        ),
    ]
}

/// The subject scaled so the eyes are `eyes` px apart, face centre at frame centre + (dx, dy).
pub fn place(s: &Subject, eyes: f32, dx: f32, dy: f32) -> RgbImage {
    let mut frame = canvas();
    paste(&mut frame, s, eyes, dx, dy, u32::MAX);
    frame
}

/// Pastes the scaled subject, cut to a window at most `window_w` wide around the face, whose
/// centre lands at the frame's centre + (dx, dy).
pub fn paste(frame: &mut RgbImage, s: &Subject, eyes: f32, dx: f32, dy: f32, window_w: u32) {
    let k = eyes / s.eyes;
    let (w, h) = (
        (s.photo.width() as f32 * k).round() as u32,
        (s.photo.height() as f32 * k).round() as u32,
    );
    let scaled = resize(&s.photo, w.max(1), h.max(1));
    let (fx, fy) = (s.face.0 * k, s.face.1 * k);
    let win_w = window_w.min(w);
    let wx = (fx - win_w as f32 / 2.0).clamp(0.0, (w - win_w) as f32) as u32;
    let window = if win_w == w {
        scaled
    } else {
        DynamicImage::ImageRgb8(scaled)
            .crop_imm(wx, 0, win_w, h)
            .into_rgb8()
    };
    let (cx, cy) = (
        frame.width() as f32 / 2.0 + dx,
        frame.height() as f32 / 2.0 + dy,
    );
    overlay(
        frame,
        &window,
        (cx - (fx - wx as f32)) as i64,
        (cy - fy) as i64,
    );
}

/// A photo scaled to `height` and centred (for scenes without a face).
pub fn centred(photo: &RgbImage, height: u32) -> RgbImage {
    let mut frame = canvas();
    let width = (photo.width() as f32 * height as f32 / photo.height() as f32).round() as u32;
    let scaled = resize(photo, width, height);
    overlay(
        &mut frame,
        &scaled,
        (W as i64 - width as i64) / 2,
        (H as i64 - height as i64) / 2,
    );
    frame
}

/// A whole scene scaled to cover the frame (no face photos).
pub fn cover(photo: &RgbImage) -> RgbImage {
    resize(photo, W, H)
}

pub fn blur(frame: &RgbImage, sigma: f32) -> RgbImage {
    DynamicImage::ImageRgb8(frame.clone())
        .blur(sigma)
        .into_rgb8()
}

/// Multiplies every channel (0.2 = a dark room), then adds `lift` (a washed-out one).
pub fn exposure(frame: &RgbImage, gain: f32, lift: f32) -> RgbImage {
    let mut out = frame.clone();
    for p in out.pixels_mut() {
        for c in p.0.iter_mut() {
            *c = (*c as f32 * gain + lift).clamp(0.0, 255.0) as u8;
        }
    }
    out
}

/// Rotates about the centre by `deg` (bilinear), filling with the canvas colour.
pub fn rotate(frame: &RgbImage, deg: f32) -> RgbImage {
    let (w, h) = frame.dimensions();
    let (s, c) = deg.to_radians().sin_cos();
    let (cx, cy) = (w as f32 / 2.0, h as f32 / 2.0);
    RgbImage::from_fn(w, h, |x, y| {
        let (dx, dy) = (x as f32 - cx, y as f32 - cy);
        let (sx, sy) = (c * dx + s * dy + cx, -s * dx + c * dy + cy);
        if sx < 0.0 || sy < 0.0 || sx >= (w - 1) as f32 || sy >= (h - 1) as f32 {
            return Rgb([150, 146, 140]);
        }
        let (x0, y0) = (sx as u32, sy as u32);
        let (fx, fy) = (sx - x0 as f32, sy - y0 as f32);
        let px = |x, y| frame.get_pixel(x, y).0;
        let (a, b, c2, d) = (
            px(x0, y0),
            px(x0 + 1, y0),
            px(x0, y0 + 1),
            px(x0 + 1, y0 + 1),
        );
        let mut o = [0u8; 3];
        for i in 0..3 {
            let top = a[i] as f32 * (1.0 - fx) + b[i] as f32 * fx;
            let bot = c2[i] as f32 * (1.0 - fx) + d[i] as f32 * fx;
            o[i] = (top * (1.0 - fy) + bot * fy) as u8;
        }
        Rgb(o)
    })
}

/// The part of the frame around a face centred at frame centre + (dx, dy) with eyes `eyes`
/// apart: where the blur and noise go (whole-frame filters would make the test slow).
fn face_window(frame: &RgbImage, eyes: f32, dx: f32, dy: f32) -> [u32; 4] {
    let (cx, cy) = (
        frame.width() as f32 / 2.0 + dx,
        frame.height() as f32 / 2.0 + dy,
    );
    let (hw, hh) = (eyes * 1.9, eyes * 2.3);
    let clamp = |v: f32, max: u32| v.clamp(0.0, max as f32) as u32;
    [
        clamp(cx - hw, frame.width()),
        clamp(cy - hh, frame.height()),
        clamp(cx + hw, frame.width()),
        clamp(cy + hh, frame.height()),
    ]
}

/// A motion blur of `taps` pixels along (`sx`, `sy`) (one of the 8 neighbours' steps) inside
/// `win`: each pixel becomes the mean of its line, by running sums, so any length costs the same.
pub fn motion_blur(frame: &RgbImage, win: [u32; 4], taps: u32, sx: i32, sy: i32) -> RgbImage {
    let mut out = frame.clone();
    let [x0, y0, x1, y1] = win.map(|v| v as i32);
    let inside = |x: i32, y: i32| x >= x0 && x < x1 && y >= y0 && y < y1;
    let half = (taps / 2) as usize;
    let mut line: Vec<(u32, u32)> = Vec::new();
    let mut sums: Vec<[u32; 3]> = Vec::new();
    for y in y0..y1 {
        for x in x0..x1 {
            // Each line starts where a step back leaves the window.
            if inside(x - sx, y - sy) {
                continue;
            }
            line.clear();
            let (mut px, mut py) = (x, y);
            while inside(px, py) {
                line.push((px as u32, py as u32));
                px += sx;
                py += sy;
            }
            sums.clear();
            sums.push([0; 3]);
            for &(lx, ly) in &line {
                let p = frame.get_pixel(lx, ly).0;
                let last = sums[sums.len() - 1];
                sums.push([
                    last[0] + p[0] as u32,
                    last[1] + p[1] as u32,
                    last[2] + p[2] as u32,
                ]);
            }
            for (i, &(lx, ly)) in line.iter().enumerate() {
                let (a, b) = (i.saturating_sub(half), (i + half + 1).min(line.len()));
                let n = (b - a) as u32;
                let (sa, sb) = (sums[a], sums[b]);
                out.put_pixel(
                    lx,
                    ly,
                    Rgb([
                        ((sb[0] - sa[0]) / n) as u8,
                        ((sb[1] - sa[1]) / n) as u8,
                        ((sb[2] - sa[2]) / n) as u8,
                    ]),
                );
            }
        }
    }
    out
}

/// Defocus: the mean over a disc of radius `r` inside `win` (row spans by running sums).
pub fn defocus(frame: &RgbImage, win: [u32; 4], r: i32) -> RgbImage {
    let [x0, y0, x1, y1] = win;
    let (w, h) = ((x1 - x0) as usize, (y1 - y0) as usize);
    // Per row of the window, running sums of each channel.
    let mut rows = vec![[0u32; 3]; h * (w + 1)];
    for y in 0..h {
        for x in 0..w {
            let p = frame.get_pixel(x0 + x as u32, y0 + y as u32).0;
            let prev = rows[y * (w + 1) + x];
            rows[y * (w + 1) + x + 1] = [
                prev[0] + p[0] as u32,
                prev[1] + p[1] as u32,
                prev[2] + p[2] as u32,
            ];
        }
    }
    let spans: Vec<(i32, i32)> = (-r..=r)
        .map(|dy| (dy, ((r * r - dy * dy) as f32).sqrt() as i32))
        .collect();
    let mut out = frame.clone();
    for y in 0..h as i32 {
        for x in 0..w as i32 {
            let (mut acc, mut n) = ([0u32; 3], 0u32);
            for &(dy, span) in &spans {
                let yy = y + dy;
                if yy < 0 || yy >= h as i32 {
                    continue;
                }
                let a = (x - span).max(0) as usize;
                let b = (x + span + 1).min(w as i32) as usize;
                let (sa, sb) = (
                    rows[yy as usize * (w + 1) + a],
                    rows[yy as usize * (w + 1) + b],
                );
                for c in 0..3 {
                    acc[c] += sb[c] - sa[c];
                }
                n += (b - a) as u32;
            }
            out.put_pixel(
                x0 + x as u32,
                y0 + y as u32,
                Rgb(acc.map(|v| (v / n.max(1)) as u8)),
            );
        }
    }
    out
}

/// Camera noise of about `sigma` grey levels inside `win` (a fixed pseudo-random sequence).
pub fn noise(frame: &RgbImage, win: [u32; 4], sigma: f32, seed: u32) -> RgbImage {
    let mut out = frame.clone();
    let mut state = seed.wrapping_mul(2_654_435_761).max(1);
    let mut next = || {
        // xorshift32; the sum of four uniforms is near enough to Gaussian.
        let mut u = 0.0;
        for _ in 0..4 {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            u += state as f32 / u32::MAX as f32;
        }
        (u - 2.0) * 1.732
    };
    for y in win[1]..win[3] {
        for x in win[0]..win[2] {
            let p = out.get_pixel_mut(x, y);
            for c in p.0.iter_mut() {
                *c = (*c as f32 + next() * sigma).clamp(0.0, 255.0) as u8;
            }
        }
    }
    out
}

/// JPEG at `quality` and back, as a cheap webcam's MJPEG stream would deliver it.
pub fn jpeg(frame: &RgbImage, quality: u8) -> RgbImage {
    let mut out = Vec::new();
    let enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality);
    frame.write_with_encoder(enc).expect("encodes");
    image::load_from_memory(&out).expect("decodes").to_rgb8()
}

/// A subject photo changed before it is placed: mirrored (a face the detector has not seen
/// this way round), darker or lighter skin under the same light, or grey (an IR camera).
pub fn variant(s: &Subject, gains: [f32; 3], mirror: bool) -> Subject {
    let mut photo = if mirror {
        DynamicImage::ImageRgb8(s.photo.clone()).fliph().into_rgb8()
    } else {
        s.photo.clone()
    };
    for p in photo.pixels_mut() {
        for (c, g) in p.0.iter_mut().zip(gains) {
            *c = (*c as f32 * g).clamp(0.0, 255.0) as u8;
        }
    }
    let (w, _) = s.photo.dimensions();
    let flip = |(x, y): (f32, f32)| if mirror { (-x, y) } else { (x, y) };
    Subject {
        photo,
        face: if mirror {
            (w as f32 - s.face.0, s.face.1)
        } else {
            s.face
        },
        eyes: s.eyes,
        // Mirrored, the person's right eye is where the left one was.
        eye_offsets: if mirror {
            [flip(s.eye_offsets[1]), flip(s.eye_offsets[0])]
        } else {
            s.eye_offsets
        },
    }
}

pub fn grey(frame: &RgbImage) -> RgbImage {
    let mut out = frame.clone();
    for p in out.pixels_mut() {
        let l = ((p.0[0] as u32 * 77 + p.0[1] as u32 * 150 + p.0[2] as u32 * 29) >> 8) as u8;
        p.0 = [l, l, l];
    }
    out
}

/// Glasses drawn over the eyes of a face placed with `place(s, eyes, dx, dy)`: thin dark
/// rims and a bridge (clear lenses), or dark lenses.
pub fn glasses(frame: &RgbImage, s: &Subject, eyes: f32, dx: f32, dy: f32, dark: bool) -> RgbImage {
    let mut out = frame.clone();
    let (cx, cy) = (
        frame.width() as f32 / 2.0 + dx,
        frame.height() as f32 / 2.0 + dy,
    );
    let centres = s
        .eye_offsets
        .map(|(ox, oy)| (cx + ox * eyes, cy + oy * eyes));
    let (r, rim) = (eyes * 0.3, (eyes * 0.05).max(2.0));
    let [x0, y0, x1, y1] = face_window(frame, eyes, dx, dy);
    for y in y0..y1 {
        for x in x0..x1 {
            let (fx, fy) = (x as f32, y as f32);
            let on = centres.iter().any(|&(ex, ey)| {
                let d = ((fx - ex) / 1.15).hypot(fy - ey);
                if dark {
                    d <= r
                } else {
                    (d - r).abs() <= rim / 2.0
                }
            });
            let (ax, bx) = (
                centres[0].0.min(centres[1].0),
                centres[0].0.max(centres[1].0),
            );
            let bridge_y = (centres[0].1 + centres[1].1) / 2.0;
            let bridge =
                fx > ax + r * 1.15 && fx < bx - r * 1.15 && (fy - bridge_y).abs() <= rim / 2.0;
            if on || bridge {
                out.put_pixel(x, y, Rgb([28, 24, 22]));
            }
        }
    }
    out
}

/// The subject placed on a wall of another camera's resolution, face scaled with the frame
/// (a 1080p camera sees the same person 1.5 times as large as a 720p one).
pub fn place_sized(s: &Subject, w: u32, h: u32, eyes: f32, dx: f32, dy: f32) -> RgbImage {
    let mut frame = canvas_sized(w, h);
    paste(&mut frame, s, eyes, dx, dy, u32::MAX);
    frame
}

/// A backlit scene: a bright window behind the customer and their face in shadow (`face_gain`).
pub fn backlit(s: &Subject, eyes: f32, face_gain: f32) -> RgbImage {
    let shaded = variant(s, [face_gain; 3], false);
    let mut frame = RgbImage::from_fn(W, H, |x, _| {
        let v = if (200..1080).contains(&x) { 246 } else { 200 };
        Rgb([v, v, v.saturating_sub(6)])
    });
    paste(&mut frame, &shaded, eyes, 0.0, 0.0, (eyes * 4.2) as u32);
    frame
}

/// Every labelled test frame: (name, expected verdict, frame).
pub fn labelled() -> Vec<(String, &'static str, RgbImage)> {
    labelled_cases()
        .into_iter()
        .map(|c| (c.name, c.want, c.frame))
        .collect()
}

/// A labelled frame, with the hint it must get where that matters (which way to move).
pub struct Case {
    pub name: String,
    pub want: &'static str,
    pub hint: Option<&'static str>,
    pub frame: RgbImage,
}

/// Every labelled test frame. Blur is sized to the face (in eye distances), as a camera's blur
/// grows with the face on screen; a blurred label is a blur a person sees at once, an ok one
/// is the softness every webcam has.
pub fn labelled_cases() -> Vec<Case> {
    let mut v: Vec<Case> = Vec::new();
    let mut push = |name: String, want: &'static str, hint: Option<&'static str>, frame| {
        v.push(Case {
            name,
            want,
            hint,
            frame,
        })
    };
    for (name, s) in subjects() {
        // Good: a face filling the oval, with the small shifts and sizes of real customers.
        for (eyes, dx, dy) in [
            (110.0, 0.0, 0.0),
            (100.0, 25.0, -15.0),
            (125.0, -30.0, 20.0),
            (140.0, 40.0, 30.0),
            (118.0, -45.0, -25.0),
        ] {
            push(
                format!("{name}-good-{eyes}-{dx}-{dy}"),
                "ok",
                None,
                place(&s, eyes, dx, dy),
            );
        }
        // An ordinary head-and-shoulders selfie, visibly inside the oval but 15% of the frame
        // height off its centre (the gate once refused these).
        for (dx, dy) in [(108.0, 0.0), (-108.0, 0.0), (0.0, 100.0), (76.0, -76.0)] {
            push(
                format!("{name}-inside-oval-{dx}-{dy}"),
                "ok",
                None,
                place(&s, 105.0, dx, dy),
            );
        }
        let good = place(&s, 115.0, 0.0, 0.0);
        let win = face_window(&good, 115.0, 0.0, 0.0);
        // Too small: standing back.
        for eyes in [45.0, 60.0, 75.0] {
            push(
                format!("{name}-small-{eyes}"),
                "too_small",
                Some("come_closer"),
                place(&s, eyes, 0.0, 0.0),
            );
        }
        // Off centre: the face across the oval's line, and people standing well to one side
        // (outside the centred square the gate once looked at). A face on the frame's left is
        // someone standing to their own right: they must move to their left.
        for (dx, dy, hint) in [
            (-210.0, 0.0, "move_left"),
            (210.0, 0.0, "move_right"),
            (-450.0, 0.0, "move_left"),
            (470.0, 20.0, "move_right"),
            (-300.0, -40.0, "move_left"),
            (30.0, 250.0, "into_oval"),
        ] {
            push(
                format!("{name}-shift-{dx}-{dy}"),
                "off_centre",
                Some(hint),
                place(&s, 110.0, dx, dy),
            );
        }
        // Partly outside the frame, at the side and at the top (the brows at the frame's edge).
        // Faces cut by more than about a quarter are not found at all: "look at the camera".
        push(
            format!("{name}-cut-side"),
            "off_centre",
            Some("move_right"),
            place(&s, 110.0, 550.0, 0.0),
        );
        push(
            format!("{name}-cut-top"),
            "off_centre",
            Some("into_oval"),
            place(&s, 110.0, 0.0, -270.0),
        );
        // Too close: the face overflows the oval.
        push(
            format!("{name}-close"),
            "off_centre",
            Some("step_back"),
            place(&s, 230.0, 0.0, 0.0),
        );
        // Blur: a smudged lens or a slow focus (Gaussian, disc), and a customer moving (motion
        // blur along four directions, two lengths).
        for sigma in [3.5f32, 5.0] {
            push(
                format!("{name}-blur-{sigma}"),
                "blurred",
                Some("hold_still"),
                blur(&good, sigma),
            );
        }
        for r in [5, 8] {
            push(
                format!("{name}-defocus-{r}"),
                "blurred",
                Some("hold_still"),
                defocus(&good, win, r),
            );
        }
        for (sx, sy, dir) in [(1, 0, 0), (0, 1, 90), (1, 1, 45), (1, -1, 135)] {
            // Diagonal steps are 1.4 px long: fewer of them for the same length.
            let per = if sx != 0 && sy != 0 { 1.41 } else { 1.0 };
            for len in [14.0f32, 23.0] {
                let taps = (len / per).round() as u32;
                push(
                    format!("{name}-motion-{len}px-{dir}deg"),
                    "blurred",
                    Some("hold_still"),
                    motion_blur(&good, win, taps, sx, sy),
                );
            }
        }
        // Blurred and noisy (a moving customer in a dim room, the camera's gain up): the
        // noise must not pass for detail.
        push(
            format!("{name}-motion-noisy"),
            "blurred",
            Some("hold_still"),
            noise(&motion_blur(&good, win, 16, 1, 0), win, 10.0, 7),
        );
        // What is not blur: a webcam's softness, a small movement, noise, JPEG, glasses.
        push(format!("{name}-soft"), "ok", None, blur(&good, 0.7));
        push(
            format!("{name}-motion-2px"),
            "ok",
            None,
            motion_blur(&good, win, 2, 1, 0),
        );
        push(
            format!("{name}-noisy"),
            "ok",
            None,
            noise(&good, win, 8.0, 3),
        );
        push(format!("{name}-jpeg-q40"), "ok", None, jpeg(&good, 40));
        push(
            format!("{name}-glasses"),
            "ok",
            None,
            glasses(&good, &s, 115.0, 0.0, 0.0, false),
        );
        // Dark and bright rooms; low light with the camera's gain up (noisy and dark).
        for gain in [0.12f32, 0.2] {
            push(
                format!("{name}-dark-{gain}"),
                "too_dark",
                Some("more_light"),
                exposure(&good, gain, 0.0),
            );
        }
        push(
            format!("{name}-low-light-noisy"),
            "too_dark",
            Some("more_light"),
            noise(&exposure(&good, 0.3, 0.0), win, 6.0, 11),
        );
        push(
            format!("{name}-bright"),
            "too_bright",
            Some("less_light"),
            exposure(&good, 1.6, 90.0),
        );
        // Backlight: a bright window behind; the face in deep shadow, or only a little darker.
        push(
            format!("{name}-backlit-dark"),
            "too_dark",
            Some("more_light"),
            backlit(&s, 115.0, 0.3),
        );
        push(
            format!("{name}-backlit-fair"),
            "ok",
            None,
            backlit(&s, 115.0, 0.85),
        );
        // Tilted head.
        for deg in [-32.0f32, 32.0] {
            push(
                format!("{name}-tilt-{deg}"),
                "not_frontal",
                Some("face_straight"),
                rotate(&good, deg),
            );
        }
        // Other people from the same photo: mirrored, darker and lighter skin, grey (IR).
        for (label, gains, mirror) in [
            ("mirrored", [1.0, 1.0, 1.0], true),
            ("darker-skin", [0.62, 0.55, 0.5], false),
            ("lighter-skin", [1.12, 1.1, 1.08], true),
        ] {
            let other = variant(&s, gains, mirror);
            push(
                format!("{name}-{label}"),
                "ok",
                None,
                place(&other, 115.0, 20.0, 0.0),
            );
            push(
                format!("{name}-{label}-motion"),
                "blurred",
                Some("hold_still"),
                motion_blur(
                    &place(&other, 115.0, 20.0, 0.0),
                    face_window(&good, 115.0, 20.0, 0.0),
                    16,
                    1,
                    1,
                ),
            );
        }
        push(format!("{name}-grey"), "ok", None, grey(&good));
        // A 1080p camera: the same scene 1.5 times as large.
        let hd = place_sized(&s, 1920, 1080, 170.0, 0.0, 0.0);
        let hd_win = face_window(&hd, 170.0, 0.0, 0.0);
        push(format!("{name}-1080p"), "ok", None, hd.clone());
        push(
            format!("{name}-1080p-side"),
            "off_centre",
            Some("move_left"),
            place_sized(&s, 1920, 1080, 170.0, -700.0, 0.0),
        );
        push(
            format!("{name}-1080p-motion"),
            "blurred",
            Some("hold_still"),
            motion_blur(&hd, hd_win, 24, 0, 1),
        );
        push(
            format!("{name}-1080p-defocus"),
            "blurred",
            Some("hold_still"),
            defocus(&hd, hd_win, 8),
        );
    }
    let subs = subjects();
    let (astro, hopper) = (&subs[0].1, &subs[1].1);
    // Two people side by side, inside the oval.
    for eyes in [85.0, 95.0] {
        let mut two = canvas();
        paste(&mut two, astro, eyes, -175.0, 0.0, 340);
        paste(&mut two, hopper, eyes, 175.0, 0.0, 340);
        push(
            format!("two-faces-{eyes}"),
            "multiple_faces",
            Some("one_person"),
            two,
        );
    }
    // One in the oval and one next to it (outside the centred square the gate once looked at).
    for (front, other, dx) in [(astro, hopper, 420.0), (hopper, astro, -430.0)] {
        let mut two = canvas();
        paste(&mut two, other, 105.0, dx, 10.0, 360);
        paste(&mut two, front, 112.0, 0.0, 0.0, 400);
        push(
            format!("beside-oval-{dx}"),
            "multiple_faces",
            Some("one_person"),
            two,
        );
    }
    // One behind the other: a second, smaller face over the customer's shoulder.
    for (front, behind, dx) in [(astro, hopper, 190.0), (hopper, astro, -200.0)] {
        let mut two = canvas();
        paste(&mut two, behind, 72.0, dx, -70.0, 230);
        paste(&mut two, front, 112.0, 0.0, 10.0, 330);
        push(
            format!("behind-{dx}"),
            "multiple_faces",
            Some("one_person"),
            two,
        );
    }
    // Nobody: scenes, a cat, an empty wall, a dark room.
    push("coffee".into(), "no_face", None, cover(&coffee()));
    push("rocket".into(), "no_face", None, cover(&rocket()));
    push("cat".into(), "no_face", None, centred(&cat(), 720));
    push("empty".into(), "no_face", Some("look_at_camera"), canvas());
    push(
        "dark-room".into(),
        "too_dark",
        Some("more_light"),
        exposure(&canvas(), 0.1, 0.0),
    );
    v
}

/// The demo clip's storyboard at 15 fps: (frame, the verdict the gate should give).
/// Someone walks up and is centred, leaves; a dark spell; a second person; empty wall between.
pub fn demo_storyboard() -> Vec<(RgbImage, &'static str)> {
    let subs = subjects();
    let (astro, hopper) = (&subs[0].1, &subs[1].1);
    let mut v = Vec::new();
    let empty = canvas();
    let lerp = |a: f32, b: f32, t: f32| a + (b - a) * t;
    for _ in 0..12 {
        v.push((empty.clone(), "no_face"));
    }
    // Hopper walks in from the right and comes closer.
    for i in 0..30 {
        let t = i as f32 / 29.0;
        let (eyes, dx) = (lerp(50.0, 115.0, t), lerp(260.0, 0.0, t));
        let frame = place(hopper, eyes, dx, lerp(40.0, 0.0, t));
        v.push((frame, ""));
    }
    // Holds still, centred: the gate says ok and auto-capture fires.
    for i in 0..24 {
        let wobble = (i as f32 * 0.7).sin() * 3.0;
        v.push((place(hopper, 115.0, wobble, 0.0), "ok"));
    }
    // Leaves to the left.
    for i in 0..12 {
        let t = i as f32 / 11.0;
        v.push((place(hopper, 115.0, lerp(0.0, -520.0, t), 0.0), ""));
    }
    for _ in 0..8 {
        v.push((empty.clone(), "no_face"));
    }
    // The lights go down with someone in front.
    for _ in 0..15 {
        v.push((
            exposure(&place(astro, 115.0, 0.0, 0.0), 0.14, 0.0),
            "too_dark",
        ));
    }
    // The astronaut steps up, too far back first, then fills the oval.
    for i in 0..12 {
        let t = i as f32 / 11.0;
        v.push((place(astro, lerp(60.0, 118.0, t), 0.0, 0.0), ""));
    }
    for _ in 0..22 {
        v.push((place(astro, 118.0, 0.0, 0.0), "ok"));
    }
    for _ in 0..8 {
        v.push((empty.clone(), "no_face"));
    }
    v
}
