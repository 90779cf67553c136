//! Criterion benchmarks of the per-frame work: MJPEG decode, JPEG encode, detector, gate.
//! `cargo bench --bench pipeline`. For ratios against libjpeg-turbo run `--bench reference`.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and tools may panic

use criterion::{Criterion, criterion_group, criterion_main};
use faceki_kiosk::camera::mjpeg::decode_jpeg;
use faceki_kiosk::selfie::detector::{Detector, Model, Region};
use faceki_kiosk::selfie::encode::{encode_jpeg, encode_jpeg_image_crate};
use faceki_kiosk::selfie::{Gate, GateSettings};
use image::RgbImage;

/// A 1280x720 frame of the demo clip with a centred face.
fn clip_frame() -> (Vec<u8>, RgbImage) {
    let clip = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/assets/demo/clip.mjpeg"
    ))
    .unwrap();
    let frames = faceki_kiosk::camera::mjpeg::split_frames(&clip);
    let jpeg = frames[50].to_vec();
    let img = decode_jpeg(&jpeg).unwrap();
    (jpeg, img)
}

fn benches(c: &mut Criterion) {
    let (jpeg, frame) = clip_frame();
    let mut g = c.benchmark_group("mjpeg_decode_1280x720");
    g.bench_function("zune-jpeg", |b| b.iter(|| decode_jpeg(&jpeg).unwrap()));
    g.bench_function("image", |b| {
        b.iter(|| {
            image::load_from_memory_with_format(&jpeg, image::ImageFormat::Jpeg)
                .unwrap()
                .to_rgb8()
        })
    });
    g.finish();

    let mut g = c.benchmark_group("jpeg_encode_1280x720_q85");
    g.bench_function("jpeg-encoder", |b| {
        b.iter(|| encode_jpeg(&frame, 85).unwrap())
    });
    g.bench_function("image", |b| {
        b.iter(|| encode_jpeg_image_crate(&frame, 85).unwrap())
    });
    g.finish();

    let vga = image::imageops::resize(&frame, 640, 360, image::imageops::FilterType::Triangle);
    let mut vga_canvas = RgbImage::from_pixel(640, 480, image::Rgb([150, 146, 140]));
    image::imageops::overlay(&mut vga_canvas, &vga, 0, 60);
    let mut det = Detector::new(Model::ShortRange).unwrap();
    c.bench_function("detector_640x480", |b| {
        b.iter(|| {
            det.detect(&vga_canvas, Region::centred_square(640, 480))
                .unwrap()
        })
    });
    // The two looks the gate takes: the full-range model on the whole (letterboxed) frame,
    // then the short-range model on a square around the face.
    let mut full = Detector::new(Model::FullRange).unwrap();
    c.bench_function("detector_full_range_whole_1280x720", |b| {
        b.iter(|| full.detect(&frame, Region::whole_frame(1280, 720)).unwrap())
    });
    c.bench_function("detector_short_range_square_720", |b| {
        b.iter(|| {
            det.detect(&frame, Region::centred_square(1280, 720))
                .unwrap()
        })
    });

    let mut gate = Gate::new(GateSettings::default()).unwrap();
    c.bench_function("gate_1280x720_face", |b| {
        b.iter(|| gate.check(&frame).unwrap())
    });
    // A camera stream with a face held: the close look follows it; the frame never changes, so
    // the whole frame is looked at every 9th (every 3rd in a scene that moves).
    c.bench_function("gate_1280x720_face_stream", |b| {
        b.iter(|| gate.check_stream(&frame).unwrap())
    });
    let empty = RgbImage::from_pixel(1280, 720, image::Rgb([150, 146, 140]));
    c.bench_function("gate_1280x720_nobody", |b| {
        b.iter(|| gate.check(&empty).unwrap())
    });
}

criterion_group! {
    name = pipeline;
    config = Criterion::default().sample_size(30);
    targets = benches
}
criterion_main!(pipeline);
