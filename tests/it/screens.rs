//! Each screen drawn from plain state, without the camera, detector, simulator or threads behind
//! it: snapshots (wgpu on Mesa's CPU driver) and label checks. The whole app is driven end to
//! end in `ui_flows.rs`.

use std::time::Duration;

use egui::{TextureHandle, TextureOptions, Ui};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use faceki_kiosk::config::Settings;
use faceki_kiosk::faceki::{ErrorKind, Outcome, Person, RetakeReason};
use faceki_kiosk::i18n::Lang;
use faceki_kiosk::kiosk::{GateView, PinStatus};
use faceki_kiosk::selfie::{Hint, Verdict};
use faceki_kiosk::ui::preview::PreviewImage;
use faceki_kiosk::ui::screens::customer;
use faceki_kiosk::ui::screens::pin::PinPad;
use faceki_kiosk::ui::screens::result::{IdImageView, result_ui};
use faceki_kiosk::ui::screens::setup::SetupScreen;
use faceki_kiosk::ui::{fonts, style};

/// A harness showing one screen full size, with the kiosk's fonts and theme, on the kiosk's
/// background.
fn screen(high_contrast: bool, mut draw: impl FnMut(&mut Ui) + 'static) -> Harness<'static> {
    Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .with_context_setup(move |ctx| {
            fonts::install(ctx);
            style::apply(ctx, high_contrast);
        })
        .build_ui(move |ui| {
            let bg = style::palette(ui.ctx()).bg;
            egui::CentralPanel::default()
                .frame(egui::Frame::new().fill(bg))
                .show(ui, |ui| draw(ui));
        })
}

fn texture(ui: &Ui, name: &str, img: &image::RgbImage, mirrored: bool) -> TextureHandle {
    let rgba = if mirrored {
        let p = faceki_kiosk::camera::Preview::mirrored(img, 640);
        egui::ColorImage::from_rgba_unmultiplied([p.width as usize, p.height as usize], &p.rgba)
    } else {
        let rgba = image::DynamicImage::ImageRgb8(img.clone()).to_rgba8();
        let size = [rgba.width() as usize, rgba.height() as usize];
        egui::ColorImage::from_rgba_unmultiplied(size, rgba.as_raw())
    };
    ui.ctx().load_texture(name, rgba, TextureOptions::LINEAR)
}

/// A camera frame: the demo visitor on a wall (1280x720), standing to one side of the oval
/// (on the frame's right: their own left).
fn camera_frame() -> image::RgbImage {
    let photo = image::load_from_memory(include_bytes!("../../assets/demo/visitor.jpg"))
        .unwrap()
        .to_rgb8();
    let mut frame = image::RgbImage::from_pixel(1280, 720, image::Rgb([150, 146, 140]));
    let small = image::imageops::resize(&photo, 300, 300, image::imageops::FilterType::Triangle);
    image::imageops::overlay(&mut frame, &small, 900, 210);
    frame
}

fn person() -> Person {
    Person {
        full_name: "Eileen Marie Specimen".into(),
        local_name: Some("إيلين ماري سبيسمن".into()),
        document_id: Some("X00000000".into()),
        country: Some("Bahrain".into()),
        reference_id: None,
        record_id: None,
        id_front_image: None,
    }
}

fn id_card() -> image::RgbImage {
    image::load_from_memory(include_bytes!("../../assets/sim/id_front.png"))
        .unwrap()
        .to_rgb8()
}

fn positioning(lang: Lang) -> Harness<'static> {
    let frame = camera_frame();
    let mut tex = None;
    // Standing to their own left: "move to your right", with an arrow pointing right on the
    // mirrored screen, where they appear on the left; the same arrow in Arabic.
    let gate = GateView {
        verdict: Verdict::OffCentre,
        hint: Hint::MoveRight,
        someone: true,
        ready: false,
        progress: 0.0,
    };
    screen(false, move |ui| {
        let tex = tex.get_or_insert_with(|| texture(ui, "preview", &frame, true));
        customer::positioning_ui(
            ui,
            Some(PreviewImage::Texture(tex)),
            Some(&gate),
            false,
            lang,
        );
    })
}

#[test]
fn positioning_says_the_hint_in_words() {
    let mut h = positioning(Lang::En);
    h.step();
    assert!(
        h.query_by_label("Camera preview. Please move a little to your right.")
            .is_some()
    );
    assert!(h.query_by_label("Staff").is_some());
    assert!(h.query_by_label("العربية").is_some());
    h.snapshot("positioning_hint");
}

#[test]
fn positioning_in_arabic() {
    let mut h = positioning(Lang::Ar);
    h.step();
    assert!(h.query_by_label("English").is_some());
    assert!(
        h.query_by_label("معاينة الكاميرا. يُرجى التحرك قليلًا إلى يمينك.")
            .is_some()
    );
    h.snapshot("positioning_hint_ar");
}

fn pass(lang: Lang) -> Harness<'static> {
    let card = id_card();
    let mut tex = None;
    let outcome = Outcome::Pass {
        person: Box::new(person()),
    };
    screen(false, move |ui| {
        let tex = tex.get_or_insert_with(|| texture(ui, "id", &card, false));
        result_ui(ui, &outcome, IdImageView::Shown(tex), 0.7, lang);
    })
}

#[test]
fn pass_shows_both_names_the_masked_number_and_the_document() {
    let mut h = pass(Lang::En);
    h.step();
    for label in [
        "Welcome",
        "Eileen Marie Specimen",
        "إيلين ماري سبيسمن",
        "Document •••••0000",
        "ID document on file",
    ] {
        assert!(h.query_by_label(label).is_some(), "{label}");
    }
    assert!(h.query_by_label_contains("X00000000").is_none());
    h.snapshot("pass_arabic_name");
}

#[test]
fn pass_in_arabic() {
    let mut h = pass(Lang::Ar);
    h.step();
    assert!(h.query_by_label("أهلًا وسهلًا").is_some());
    h.snapshot("pass_ar");
}

fn outcome_screen(outcome: Outcome, lang: Lang, high_contrast: bool) -> Harness<'static> {
    screen(high_contrast, move |ui| {
        result_ui(ui, &outcome, IdImageView::None, 0.5, lang);
    })
}

#[test]
fn no_match_says_what_to_do_next() {
    let mut h = outcome_screen(Outcome::NoMatch { code: Some(0) }, Lang::En, false);
    h.step();
    assert!(h.query_by_label("Not recognised").is_some());
    assert!(
        h.query_by_label_contains("If you have not registered yet")
            .is_some()
    );
    assert!(h.query_by_label("Try again").is_some());
    h.snapshot("no_match");
}

#[test]
fn no_match_in_arabic() {
    let mut h = outcome_screen(Outcome::NoMatch { code: Some(0) }, Lang::Ar, false);
    h.step();
    assert!(h.query_by_label("لم نتعرّف عليك").is_some());
    h.snapshot("no_match_ar");
}

#[test]
fn retake_in_high_contrast() {
    let retake = Outcome::Retake {
        code: 8006,
        reason: RetakeReason::NoFace,
    };
    let mut h = outcome_screen(retake, Lang::En, true);
    h.step();
    assert!(h.query_by_label("Let's take that again").is_some());
    assert!(h.query_by_label("Code 8006").is_some());
    h.snapshot("retake_high_contrast");
}

#[test]
fn service_faults_never_blame_the_customer() {
    // Labels only: these pages share one layout with the snapshots above.
    let err = Outcome::error(ErrorKind::Timeout, None, "slow");
    let mut h = outcome_screen(err, Lang::En, false);
    h.step();
    assert!(h.query_by_label("Service not reachable").is_some());
    let mut h = screen(false, |ui| {
        customer::service_ui(ui, ErrorKind::Quota, "code 8017", Lang::En);
    });
    h.step();
    assert!(h.query_by_label("Temporarily out of service").is_some());
    assert!(
        h.query_by_label_contains("used up its verifications")
            .is_some()
    );
    let mut h = screen(false, |ui| {
        customer::cooldown_ui(ui, 65, Lang::En);
    });
    h.step();
    assert!(h.query_by_label("Face sign-in resumes in 1:05.").is_some());
    let mut h = screen(false, |ui| {
        customer::camera_missing_ui(ui, "unplugged", Lang::Ar);
    });
    h.step();
    assert!(h.query_by_label("الكاميرا غير متاحة").is_some());
}

fn pin_pad(status: PinStatus) -> Harness<'static, PinPad> {
    Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .with_context_setup(|ctx| {
            fonts::install(ctx);
            style::apply(ctx, false);
        })
        .build_ui_state(
            move |ui, pad: &mut PinPad| {
                let bg = style::palette(ui.ctx()).bg;
                egui::CentralPanel::default()
                    .frame(egui::Frame::new().fill(bg))
                    .show(ui, |ui| {
                        pad.ui(ui, status, Duration::from_secs(10), Lang::En);
                    });
            },
            PinPad::default(),
        )
}

#[test]
fn pin_pad_shows_tries_left_and_keeps_the_digits() {
    let mut h = pin_pad(PinStatus::Wrong { tries_left: 3 });
    h.step();
    for d in ["1", "2", "3", "4"] {
        h.get_by_label(d).click();
        h.step();
    }
    h.step();
    assert!(h.query_by_label("Wrong PIN. 3 tries left.").is_some());
    h.snapshot("staff_pin_pad");
    assert_eq!(h.state_mut().take_entered(), "1234");
}

#[test]
fn a_locked_pin_pad_takes_no_digits() {
    let mut h = pin_pad(PinStatus::Locked {
        until: Duration::from_secs(70),
    });
    h.step();
    assert!(
        h.query_by_label("Too many wrong PINs. Locked. Try again in 61 s.")
            .is_some()
    );
    h.get_by_label("1").click();
    h.step();
    assert_eq!(h.state_mut().take_entered(), "");
}

#[test]
fn setup_asks_for_credentials_and_a_pin() {
    let settings = Settings::default();
    let mut setup = SetupScreen::new(&settings);
    let mut h = screen(false, move |ui| {
        // Nothing is typed: nothing may be asked for.
        assert_eq!(setup.ui(ui, &settings, Lang::En), None);
    });
    h.step();
    for label in ["Set up this kiosk", "Client ID", "Client secret", "Save"] {
        assert!(h.query_by_label_contains(label).is_some(), "{label}");
    }
    h.snapshot("setup");
}

/// The challenge screen, asking for a turn to the customer's left, over a rendered head that
/// has begun to turn.
fn challenge(lang: Lang) -> Harness<'static> {
    use faceki_kiosk::liveness::{Ask, Turn, demo, testset};
    let head = demo::demo_head().unwrap();
    let frame = testset::genuine(&head, &[12.0], 3).remove(0);
    let mut tex = None;
    screen(false, move |ui| {
        let tex = tex.get_or_insert_with(|| texture(ui, "preview", &frame, true));
        customer::challenge_ui(
            ui,
            Some(PreviewImage::Texture(tex)),
            0,
            2,
            Ask::Turn(Turn::Left),
            lang,
        );
    })
}

#[test]
fn the_challenge_says_which_way_and_how_far_along() {
    let mut h = challenge(Lang::En);
    h.step();
    assert!(
        h.query_by_label("Camera preview. Slowly turn your head to your left")
            .is_some()
    );
    assert!(h.query_by_label("Step 1 of 2").is_some());
    assert!(h.query_by_label("Cancel").is_some());
    h.snapshot("challenge_turn_left");
}

#[test]
fn the_challenge_in_arabic() {
    let mut h = challenge(Lang::Ar);
    h.step();
    assert!(
        h.query_by_label("معاينة الكاميرا. أدر رأسك ببطء إلى يسارك")
            .is_some()
    );
    assert!(h.query_by_label("الخطوة 1 من 2").is_some());
    h.snapshot("challenge_turn_left_ar");
}

/// A picture refused: for staff to look at, no "try again".
fn not_live(lang: Lang, title: &str, body: &str, name: &str) {
    use faceki_kiosk::faceki::NotLiveKind;
    let outcome = Outcome::NotLive {
        kind: NotLiveKind::Spoof,
        detail: "the face moved like a flat picture".into(),
    };
    let mut h = screen(false, move |ui| {
        result_ui(ui, &outcome, IdImageView::None, 0.6, lang);
    });
    h.step();
    assert!(h.query_by_label(title).is_some(), "{title}");
    assert!(h.query_by_label(body).is_some(), "{body}");
    assert!(h.query_by_label("Try again").is_none());
    h.snapshot(name);
}

#[test]
fn a_picture_is_sent_to_staff() {
    not_live(
        Lang::En,
        "Not confirmed",
        "We could not confirm that you are here in person. Please ask staff.",
        "not_live",
    );
}

#[test]
fn a_picture_is_sent_to_staff_in_arabic() {
    not_live(
        Lang::Ar,
        "لم يتم التأكيد",
        "لم نتمكن من التأكد من وجودك شخصيًا. يُرجى مراجعة الموظفين.",
        "not_live_ar",
    );
}
