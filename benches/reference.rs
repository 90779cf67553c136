//! Our JPEG decode and encode against libjpeg-turbo in the same run, plus detector and gate
//! times and upload sizes. `cargo bench --bench reference` (needs `tjbench`, `cjpeg` from
//! Debian's libjpeg-turbo-progs). Writes target/bench-reference.md. Under `cargo test` it only
//! checks that everything runs, once.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and tools may panic

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use faceki_kiosk::camera::mjpeg::decode_jpeg;
use faceki_kiosk::selfie::detector::{Detector, Model, Region};
use faceki_kiosk::selfie::encode::{
    UploadShape, encode_jpeg, encode_jpeg_image_crate, prepare_upload,
};
use faceki_kiosk::selfie::{Gate, GateSettings};
use image::RgbImage;

/// Median seconds per call over `secs` of repeated calls (at least 5).
fn time<T>(secs: f64, mut f: impl FnMut() -> T) -> f64 {
    let mut samples = Vec::new();
    let t_end = Instant::now() + Duration::from_secs_f64(secs);
    while samples.len() < 5 || Instant::now() < t_end {
        let t0 = Instant::now();
        std::hint::black_box(f());
        samples.push(t0.elapsed().as_secs_f64());
    }
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

fn psnr(a: &RgbImage, b: &RgbImage) -> f64 {
    let mse: f64 = a
        .as_raw()
        .iter()
        .zip(b.as_raw())
        .map(|(x, y)| (*x as f64 - *y as f64).powi(2))
        .sum::<f64>()
        / a.as_raw().len() as f64;
    10.0 * (255.0f64 * 255.0 / mse.max(1e-9)).log10()
}

/// Frames per second from tjbench's "Frame rate:" line for the given direction.
fn tjbench_fps(args: &[&str], direction: &str) -> Option<f64> {
    let out = Command::new("tjbench").args(args).output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    for l in text.lines() {
        if l.trim_start().starts_with(direction) {
            return l.split_whitespace().rev().nth(1)?.parse().ok();
        }
    }
    None
}

/// A 1280x720 frame from a lossless photo (never JPEG-compressed, so no encoder gets an easy
/// ride from re-encoding its own output): the astronaut's face filling the oval, on a wall.
fn test_frame() -> RgbImage {
    let photo = image::load_from_memory(include_bytes!("../tests/fixtures/astronaut.png"))
        .unwrap()
        .to_rgb8();
    // The face in the 512-px photo sits at (227, 130) with the eyes 46 px apart; scale to ~115 px.
    let k = 2.5f32;
    let big = image::imageops::resize(
        &photo,
        (512.0 * k) as u32,
        (512.0 * k) as u32,
        image::imageops::FilterType::CatmullRom,
    );
    let mut frame = RgbImage::from_fn(1280, 720, |x, y| {
        let v = (165 - (x as i32 - 640).unsigned_abs() / 40 - y / 30) as u8;
        image::Rgb([v, v.saturating_sub(4), v.saturating_sub(10)])
    });
    image::imageops::overlay(
        &mut frame,
        &big,
        640 - (227.0 * k) as i64,
        360 - (130.0 * k) as i64,
    );
    frame
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let secs = if full { 3.0 } else { 0.0 };
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-reference");
    std::fs::create_dir_all(&dir).unwrap();

    let frame = test_frame();
    let ppm = dir.join("frame.ppm");
    // Binary PPM (P6), what cjpeg and tjbench read.
    let mut p6 = format!("P6\n{} {}\n255\n", frame.width(), frame.height()).into_bytes();
    p6.extend_from_slice(frame.as_raw());
    std::fs::write(&ppm, p6).unwrap();
    // A camera-like MJPEG frame: 4:2:2, quality 85, made by libjpeg-turbo itself.
    let mjpeg = dir.join("frame422.jpg");
    let have_turbo = Command::new("cjpeg")
        .args(["-quality", "85", "-sample", "2x1", "-outfile"])
        .arg(&mjpeg)
        .arg(&ppm)
        .status()
        .is_ok_and(|s| s.success());
    let camera_jpeg = if have_turbo {
        std::fs::read(&mjpeg).unwrap()
    } else {
        encode_jpeg(&frame, 85).unwrap()
    };

    let mut report = String::from(
        "| measure | ours | reference | ratio (ours / reference time) |\n|---|---|---|---|\n",
    );
    let ms = |s: f64| format!("{:.2} ms", s * 1e3);

    let dec_zune = time(secs, || decode_jpeg(&camera_jpeg).unwrap());
    let dec_image = time(secs, || {
        image::load_from_memory_with_format(&camera_jpeg, image::ImageFormat::Jpeg).unwrap()
    });
    let enc_ours = time(secs, || encode_jpeg(&frame, 85).unwrap());
    let enc_image = time(secs, || encode_jpeg_image_crate(&frame, 85).unwrap());
    let turbo = if have_turbo && full {
        let dec = tjbench_fps(
            &[mjpeg.to_str().unwrap(), "-benchtime", "3", "-warmup", "1"],
            "Decompress",
        );
        let enc = tjbench_fps(
            &[
                ppm.to_str().unwrap(),
                "85",
                "-subsamp",
                "420",
                "-benchtime",
                "3",
                "-warmup",
                "1",
            ],
            "Compress",
        );
        dec.zip(enc)
    } else {
        None
    };
    match turbo {
        Some((dec_fps, enc_fps)) => {
            let (d, e) = (1.0 / dec_fps, 1.0 / enc_fps);
            report += &format!(
                "| MJPEG 1280x720 4:2:2 decode (zune-jpeg) | {} | {} (libjpeg-turbo) | {:.2}x |\n",
                ms(dec_zune),
                ms(d),
                dec_zune / d
            );
            report += &format!(
                "| same, `image` crate decoder | {} | {} | {:.2}x |\n",
                ms(dec_image),
                ms(d),
                dec_image / d
            );
            report += &format!(
                "| JPEG 1280x720 q85 4:2:0 encode (jpeg-encoder) | {} | {} (libjpeg-turbo) | {:.2}x |\n",
                ms(enc_ours),
                ms(e),
                enc_ours / e
            );
            report += &format!(
                "| same, `image` crate encoder | {} | {} | {:.2}x |\n",
                ms(enc_image),
                ms(e),
                enc_image / e
            );
        }
        None => {
            report += &format!(
                "| MJPEG decode zune / image | {} / {} | (tjbench not run) | |\n",
                ms(dec_zune),
                ms(dec_image)
            );
            report += &format!(
                "| JPEG encode jpeg-encoder / image | {} / {} | (tjbench not run) | |\n",
                ms(enc_ours),
                ms(enc_image)
            );
        }
    }

    // Encoder quality at q85: bytes and PSNR against the source frame.
    let a = encode_jpeg(&frame, 85).unwrap();
    let b = encode_jpeg_image_crate(&frame, 85).unwrap();
    let back = |j: &[u8]| image::load_from_memory(j).unwrap().to_rgb8();
    report += &format!(
        "| q85 output: jpeg-encoder / image | {} B, {:.2} dB / {} B, {:.2} dB | | |\n",
        a.len(),
        psnr(&frame, &back(&a)),
        b.len(),
        psnr(&frame, &back(&b))
    );

    let mut det = Detector::new(Model::ShortRange).unwrap();
    let vga = image::imageops::resize(&frame, 640, 360, image::imageops::FilterType::Triangle);
    let mut vga_canvas = RgbImage::from_pixel(640, 480, image::Rgb([150, 146, 140]));
    image::imageops::overlay(&mut vga_canvas, &vga, 0, 60);
    let det_t = time(secs, || {
        det.detect(&vga_canvas, Region::centred_square(640, 480))
            .unwrap()
    });
    report += &format!(
        "| detector, one 640x480 frame, one core | {} | target < 10 ms | |\n",
        ms(det_t)
    );

    let mut gate = Gate::new(GateSettings::default()).unwrap();
    let gate_face = time(secs, || gate.check(&frame).unwrap());
    let empty = RgbImage::from_pixel(1280, 720, image::Rgb([150, 146, 140]));
    let gate_empty = time(secs, || gate.check(&empty).unwrap());
    report += &format!(
        "| whole gate, 1280x720, face / nobody (whole-frame look + close look / whole-frame look) | {} / {} | | |\n",
        ms(gate_face),
        ms(gate_empty)
    );

    // Upload size versus a lossless PNG of the same frame (what FACEKI's web SDK sends).
    let report_gate = gate.check(&frame).unwrap();
    let upload = prepare_upload(&frame, report_gate.faces.first(), UploadShape::default());
    let jpeg = encode_jpeg(&upload, 85).unwrap();
    let enc_upload = time(secs, || encode_jpeg(&upload, 85).unwrap());
    report += &format!(
        "| encode of the actual upload ({}x{} crop, q85, once per check) | {} | | |\n",
        upload.width(),
        upload.height(),
        ms(enc_upload)
    );
    let mut png = Vec::new();
    frame
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    report += &format!(
        "| upload bytes: cropped q85 JPEG ({}x{}) vs PNG of the 1280x720 frame | {} B | {} B | {:.1}x smaller |\n",
        upload.width(),
        upload.height(),
        jpeg.len(),
        png.len(),
        png.len() as f64 / jpeg.len() as f64
    );

    std::fs::write(dir.join("report.md"), &report).unwrap();
    if full {
        println!("{report}");
    } else {
        // Under `cargo test` the timings are of an unoptimised build: do not print them as results.
        println!("reference bench: smoke run ok (run `cargo bench --bench reference` for figures)");
    }
}
