//! Makes the demo camera's clip (`assets/demo/clip.mjpeg`), its labels, and the demo photo
//! used by `check --demo`, from the fixture photos. Run by `assets/demo/make-clip.sh`; the
//! output is committed, so this test is ignored in normal runs.

use crate::common;

use common::frames;

#[test]
#[ignore = "regenerates committed assets; run assets/demo/make-clip.sh"]
fn make_demo_clip() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo");
    let story = frames::demo_storyboard();
    let mut mjpeg = Vec::new();
    let mut labels = String::from("# frame verdict (\"-\": in motion, not judged)\n");
    for (i, (frame, label)) in story.iter().enumerate() {
        // Through the image crate's encoder: a different encoder than the kiosk's own, like a camera.
        let mut jpeg = Vec::new();
        let enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 70);
        frame.write_with_encoder(enc).unwrap();
        mjpeg.extend_from_slice(&jpeg);
        labels.push_str(&format!(
            "{i} {}\n",
            if label.is_empty() { "-" } else { label }
        ));
    }
    std::fs::write(dir.join("clip.mjpeg"), &mjpeg).unwrap();
    std::fs::write(dir.join("clip-labels.txt"), labels).unwrap();
    let subs = frames::subjects();
    let visitor = frames::place(&subs[1].1, 115.0, 0.0, 0.0);
    visitor
        .save_with_format(dir.join("visitor.jpg"), image::ImageFormat::Jpeg)
        .unwrap();
    println!("{} frames, {} bytes", story.len(), mjpeg.len());
}
