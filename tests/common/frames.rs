//! Test frames derived in code from the fixture photos, each with the verdict it should get.

#![allow(dead_code)]

use image::{Rgb, RgbImage, imageops};

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

/// A plain office-wall background.
pub fn canvas() -> RgbImage {
    RgbImage::from_fn(W, H, |x, y| {
        // A softly lit wall: a gentle gradient, like light falling off across a room.
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
}

pub fn subjects() -> Vec<(&'static str, Subject)> {
    vec![
        (
            "astronaut",
            Subject {
                photo: astronaut(),
                face: (226.8, 130.5),
                eyes: 46.3,
            },
        ),
        (
            "hopper",
            Subject {
                photo: hopper(),
                face: (265.3, 244.4),
                eyes: 85.7,
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

/// Pastes the scaled subject, cut to a window at most `window_w` wide around the face.
pub fn paste(frame: &mut RgbImage, s: &Subject, eyes: f32, dx: f32, dy: f32, window_w: u32) {
    let k = eyes / s.eyes;
    let (w, h) = (
        (s.photo.width() as f32 * k).round() as u32,
        (s.photo.height() as f32 * k).round() as u32,
    );
    let scaled = imageops::resize(&s.photo, w.max(1), h.max(1), imageops::FilterType::Triangle);
    let (fx, fy) = (s.face.0 * k, s.face.1 * k);
    let win_w = window_w.min(w);
    let wx = (fx - win_w as f32 / 2.0).clamp(0.0, (w - win_w) as f32) as u32;
    let window = imageops::crop_imm(&scaled, wx, 0, win_w, h).to_image();
    let (cx, cy) = (W as f32 / 2.0 + dx, H as f32 / 2.0 + dy);
    imageops::overlay(
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
    let scaled = imageops::resize(photo, width, height, imageops::FilterType::Triangle);
    imageops::overlay(
        &mut frame,
        &scaled,
        (W as i64 - width as i64) / 2,
        (H as i64 - height as i64) / 2,
    );
    frame
}

/// A whole scene scaled to cover the frame (no face photos).
pub fn cover(photo: &RgbImage) -> RgbImage {
    imageops::resize(photo, W, H, imageops::FilterType::Triangle)
}

pub fn blur(frame: &RgbImage, sigma: f32) -> RgbImage {
    imageops::blur(frame, sigma)
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

/// Every labelled test frame: (name, expected verdict, frame).
pub fn labelled() -> Vec<(String, &'static str, RgbImage)> {
    let mut v: Vec<(String, &'static str, RgbImage)> = Vec::new();
    for (name, s) in subjects() {
        // Good: a face filling the oval, with the small shifts and sizes of real customers.
        for (eyes, dx, dy) in [
            (110.0, 0.0, 0.0),
            (100.0, 25.0, -15.0),
            (125.0, -30.0, 20.0),
            (140.0, 40.0, 30.0),
            (118.0, -45.0, -25.0),
        ] {
            v.push((
                format!("{name}-good-{eyes}-{dx}-{dy}"),
                "ok",
                place(&s, eyes, dx, dy),
            ));
        }
        let good = place(&s, 115.0, 0.0, 0.0);
        // Too small: standing back.
        for eyes in [45.0, 60.0, 75.0] {
            v.push((
                format!("{name}-small-{eyes}"),
                "too_small",
                place(&s, eyes, 0.0, 0.0),
            ));
        }
        // Off centre: the face at the edge of the oval.
        for (dx, dy) in [(-210.0, 0.0), (210.0, 0.0), (60.0, 150.0)] {
            v.push((
                format!("{name}-shift-{dx}-{dy}"),
                "off_centre",
                place(&s, 110.0, dx, dy),
            ));
        }
        // Too close: the face overflows the oval.
        v.push((
            format!("{name}-close"),
            "off_centre",
            place(&s, 230.0, 0.0, 0.0),
        ));
        // Blur: a moving customer or a smudged lens.
        for sigma in [3.5f32, 5.0] {
            v.push((
                format!("{name}-blur-{sigma}"),
                "blurred",
                blur(&good, sigma),
            ));
        }
        // Dark and bright rooms.
        for gain in [0.12f32, 0.2] {
            v.push((
                format!("{name}-dark-{gain}"),
                "too_dark",
                exposure(&good, gain, 0.0),
            ));
        }
        v.push((
            format!("{name}-bright"),
            "too_bright",
            exposure(&good, 1.6, 90.0),
        ));
        // Tilted head.
        for deg in [-32.0f32, 32.0] {
            v.push((
                format!("{name}-tilt-{deg}"),
                "not_frontal",
                rotate(&good, deg),
            ));
        }
    }
    // Two people side by side, inside the oval.
    let subs = subjects();
    for eyes in [85.0, 95.0] {
        let mut two = canvas();
        paste(&mut two, &subs[0].1, eyes, -175.0, 0.0, 340);
        paste(&mut two, &subs[1].1, eyes, 175.0, 0.0, 340);
        v.push((format!("two-faces-{eyes}"), "multiple_faces", two));
    }
    // Nobody: scenes, a cat, an empty wall, a dark room.
    v.push(("coffee".into(), "no_face", cover(&coffee())));
    v.push(("rocket".into(), "no_face", cover(&rocket())));
    v.push(("cat".into(), "no_face", centred(&cat(), 720)));
    v.push(("empty".into(), "no_face", canvas()));
    v.push((
        "dark-room".into(),
        "too_dark",
        exposure(&canvas(), 0.1, 0.0),
    ));
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
