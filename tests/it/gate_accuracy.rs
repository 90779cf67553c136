//! The gate on frames derived in code from the fixtures (tests/common/frames.rs): at least 97%
//! must agree with their labels, no bad frame may be judged `ok`, and where the label says
//! which way the customer must move, the hint must say so. Prints the confusion table (run with
//! `--nocapture` to see it).

use crate::common;

use std::collections::BTreeMap;

use common::frames;
use faceki_kiosk::i18n::{self, Lang};
use faceki_kiosk::selfie::{Gate, GateSettings, Hint, ScreenSide, Verdict};

fn hint_name(h: Hint) -> String {
    serde_json::to_value(h)
        .unwrap()
        .as_str()
        .unwrap()
        .to_owned()
}

#[test]
fn gate_agrees_with_labels() {
    let mut gate = Gate::new(GateSettings::default()).unwrap();
    let cases = frames::labelled_cases();
    let mut confusion: BTreeMap<(&str, &str), u32> = BTreeMap::new();
    let (mut wrong, mut wrong_hint) = (Vec::new(), Vec::new());
    let mut spent = std::time::Duration::ZERO;
    for case in &cases {
        let t0 = std::time::Instant::now();
        let report = gate.check(&case.frame).unwrap();
        spent += t0.elapsed();
        let got: &str = report.verdict.name();
        let hint = hint_name(report.hint);
        *confusion.entry((case.want, got)).or_default() += 1;
        if got != case.want {
            wrong.push(format!(
                "{}: want {}, got {got} {:?}",
                case.name, case.want, report.metrics
            ));
        } else if case.hint.is_some_and(|h| h != hint) {
            wrong_hint.push(format!(
                "{}: want hint {:?}, got {hint}",
                case.name, case.hint
            ));
        }
        println!(
            "{:32} want {:15} got {got:15} {hint:15} {:?}",
            case.name, case.want, report.metrics
        );
    }
    let names: Vec<&str> = Verdict::ALL.iter().map(|v| v.name()).collect();
    println!(
        "\nconfusion (rows: label, columns: gate)\n{:>15} {}",
        "",
        names
            .iter()
            .map(|n| format!("{:>7}", &n[..n.len().min(7)]))
            .collect::<String>()
    );
    for want in &names {
        let row: String = names
            .iter()
            .map(|got| format!("{:>7}", confusion.get(&(*want, *got)).copied().unwrap_or(0)))
            .collect();
        println!("{want:>15} {row}");
    }
    let agree = cases.len() - wrong.len();
    let share = agree as f32 / cases.len() as f32;
    println!("\n{agree}/{} agree ({:.1}%)", cases.len(), share * 100.0);
    println!(
        "gate time in this build: {:?} per frame",
        spent / cases.len() as u32
    );
    for w in wrong.iter().chain(&wrong_hint) {
        println!("  {w}");
    }
    assert!(
        share >= 0.97,
        "only {:.1}% agree:\n{}",
        share * 100.0,
        wrong.join("\n")
    );
    // The costly mistake is letting a bad frame through to a paid call: none may.
    let false_ok: Vec<_> = confusion
        .iter()
        .filter(|((w, g), _)| *w != "ok" && *g == "ok")
        .collect();
    assert!(false_ok.is_empty(), "bad frames judged ok: {false_ok:?}");
    assert!(wrong_hint.is_empty(), "{wrong_hint:?}");
}

/// The camera frame is not mirrored; the preview is. A person standing to their own right
/// appears on the frame's LEFT (the camera faces them) and on the screen's RIGHT (the mirror).
/// To reach the oval they move to their own LEFT, so the gate says "move to your left" and the
/// arrow on screen points LEFT: in a mirror, moving to your left moves your picture left.
#[test]
fn a_person_to_one_side_is_told_their_own_way_to_move() {
    let mut gate = Gate::new(GateSettings::default()).unwrap();
    let subs = frames::subjects();
    let hopper = &subs[1].1;
    // Face on the unmirrored frame's left.
    let report = gate
        .check(&frames::place(hopper, 110.0, -450.0, 0.0))
        .unwrap();
    assert_eq!(report.verdict, Verdict::OffCentre);
    assert_eq!(report.hint, Hint::MoveLeft);
    assert_eq!(
        i18n::hint(report.hint).text(Lang::En),
        "Please move a little to your left."
    );
    assert_eq!(
        i18n::hint(report.hint).text(Lang::Ar),
        "يُرجى التحرك قليلًا إلى يسارك."
    );
    assert_eq!(report.hint.arrow(), Some(ScreenSide::Left));
    // And the other way round.
    let report = gate
        .check(&frames::place(hopper, 110.0, 450.0, 0.0))
        .unwrap();
    assert_eq!(report.hint, Hint::MoveRight);
    assert_eq!(report.hint.arrow(), Some(ScreenSide::Right));
    // The upload is cut around the judged face: the one the hint is about.
    assert!(report.faces[0].centre().x > 1000.0);
}

/// A camera stream: the close look follows a held face, and a second person stepping in is
/// noticed within three frames (the whole frame is looked at every third).
#[test]
fn a_stream_follows_the_face_and_still_sees_a_second_person() {
    let mut gate = Gate::new(GateSettings::default()).unwrap();
    let cases = common::frames::labelled();
    let pick = |want: &str| {
        cases
            .iter()
            .find(|(name, w, _)| *w == want && name.contains("hopper"))
            .map(|(_, _, frame)| frame.clone())
            .unwrap()
    };
    let alone = pick("ok");
    let two = cases
        .iter()
        .find(|(_, w, _)| *w == "multiple_faces")
        .map(|(_, _, frame)| frame.clone())
        .unwrap();
    for _ in 0..5 {
        assert_eq!(gate.check_stream(&alone).unwrap().verdict.name(), "ok");
    }
    let verdicts: Vec<&str> = (0..3)
        .map(|_| gate.check_stream(&two).unwrap().verdict.name())
        .collect();
    assert!(verdicts.contains(&"multiple_faces"), "{verdicts:?}");
}

/// An empty hall that does not change is looked at only every fourth frame; someone walking in
/// changes the picture and is looked at at once.
#[test]
fn a_still_empty_scene_is_not_looked_at_every_frame() {
    let mut gate = Gate::new(GateSettings::default()).unwrap();
    let cases = common::frames::labelled();
    let wall = cases
        .iter()
        .find(|(_, w, _)| *w == "no_face")
        .map(|(_, _, f)| f.clone())
        .unwrap();
    let visitor = cases
        .iter()
        .find(|(_, w, _)| *w == "ok")
        .map(|(_, _, f)| f.clone())
        .unwrap();
    for _ in 0..8 {
        assert_eq!(gate.check_stream(&wall).unwrap().verdict.name(), "no_face");
    }
    assert_eq!(gate.whole_looks, 2, "8 frames of a still, empty scene");
    assert_eq!(gate.check_stream(&visitor).unwrap().verdict.name(), "ok");
    assert_eq!(gate.whole_looks, 3);
}

/// A face held in a still scene: the whole frame is looked at every ninth frame, not every
/// third; anything changing away from the face brings the look back at once, and a second face
/// beside the customer (inside the close look) brings it on the very next frame.
#[test]
fn a_held_face_in_a_still_scene_skips_whole_looks_but_not_newcomers() {
    let cases = common::frames::labelled();
    let alone = cases
        .iter()
        .find(|(name, w, _)| *w == "ok" && name.contains("hopper"))
        .map(|(_, _, frame)| frame.clone())
        .unwrap();
    let mut gate = Gate::new(GateSettings::default()).unwrap();
    for _ in 0..12 {
        assert_eq!(gate.check_stream(&alone).unwrap().verdict.name(), "ok");
    }
    // Frames 1 and 10 looked at the whole frame; 4, 7 (and 13 next) skipped it.
    assert_eq!((gate.whole_looks, gate.whole_looks_skipped), (2, 2));

    // Someone walks in far from the oval: the next due look is not skipped.
    let mut walked_in = alone.clone();
    frames::overlay(
        &mut walked_in,
        &frames::resize(&frames::hopper(), 160, 200),
        20,
        40,
    );
    let mut gate = Gate::new(GateSettings::default()).unwrap();
    for _ in 0..3 {
        gate.check_stream(&alone).unwrap();
    }
    gate.check_stream(&walked_in).unwrap();
    assert_eq!((gate.whole_looks, gate.whole_looks_skipped), (2, 0));

    // A second face right beside the customer's, inside the close look's square (so the
    // thumbnail away from the face does not change): the close look sees it and the next frame
    // looks at the whole frame, in the middle of a run of skips.
    let face = gate.check(&alone).unwrap().faces[0].clone();
    let [x, y, w, h] = face.bbox;
    let crop = image::imageops::crop_imm(&alone, x as u32, y as u32, w as u32, h as u32).to_image();
    let twin_img = frames::resize(&crop, (w * 0.6) as u32, (h * 0.6) as u32);
    let mut twin = alone.clone();
    frames::overlay(
        &mut twin,
        &twin_img,
        (x + w * 1.05) as i64,
        (y + h * 0.2) as i64,
    );
    let mut gate = Gate::new(GateSettings::default()).unwrap();
    for _ in 0..5 {
        gate.check_stream(&alone).unwrap();
    }
    assert_eq!((gate.whole_looks, gate.whole_looks_skipped), (1, 1));
    gate.check_stream(&twin).unwrap();
    let skipped = gate.whole_looks_skipped;
    gate.check_stream(&twin).unwrap();
    assert_eq!(
        (gate.whole_looks, gate.whole_looks_skipped),
        (2, skipped),
        "the close look saw the twin; the next frame looked at the whole frame"
    );
}
