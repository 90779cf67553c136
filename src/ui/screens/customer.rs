//! The screens the customer sees before and during a check: attract, positioning, countdown,
//! verifying; and the out-of-order ones: camera missing, service unavailable, cooldown.

use egui::{Ui, vec2};

use super::UiAction;
use crate::faceki::ErrorKind;
use crate::i18n::{self, Lang, Msg};
use crate::kiosk::GateView;
use crate::selfie::Verdict;
use crate::ui::preview::PreviewImage;
use crate::ui::{style, widgets};

/// Live preview with the gate's hint. `gate` is `None` while nobody is in view.
pub fn positioning_ui(
    ui: &mut Ui,
    tex: Option<PreviewImage<'_>>,
    gate: Option<&GateView>,
    allow_capture: bool,
    lang: Lang,
) -> Option<UiAction> {
    let p = style::palette(ui.ctx());
    let (rect, bar) = preview_and_bar(ui);
    // Colour and words together: the oval's colour is never the only signal.
    let (colour, label, progress) = match gate {
        None => (p.text, Msg::LookToSignIn, 0.0),
        // Auto-capture is off or waiting for the last visitor to leave: say how to start.
        Some(g) if g.verdict == Verdict::Ok && allow_capture => (p.good, Msg::TapToStart, 0.0),
        Some(g) if g.verdict == Verdict::Ok => (p.good, Msg::HintHoldStill, g.progress),
        Some(g) => (p.warn, i18n::hint(g.hint), 0.0),
    };
    // "Move to your left" comes with an arrow pointing that way on the (mirrored) screen.
    let arrow = gate.and_then(|g| g.hint.arrow());
    widgets::preview_ui(
        ui,
        tex,
        rect,
        colour,
        label.text(lang),
        progress,
        arrow,
        lang,
    );
    // Each side of the bar reports on its own; the bar then says what was tapped.
    let (mut switch, mut end) = (None, None);
    bar_ui(
        ui,
        bar,
        lang,
        |ui| {
            widgets::bold_text_ui(ui, Msg::FaceSignIn.text(lang), style::BODY, p.text);
            ui.add_space(24.0);
            // Offered in its own language, so whoever reads it can find it.
            let other = lang.other();
            if widgets::button_ui(ui, other.native_name(), style::BODY, vec2(170.0, 64.0)).clicked()
            {
                switch = Some(UiAction::SwitchLanguage(other));
            }
        },
        |ui| {
            if staff_button_ui(ui, lang).clicked() {
                end = Some(UiAction::OpenPin);
            }
            if allow_capture
                && widgets::big_button(ui, Msg::TakePhoto.text(lang), p.accent).clicked()
            {
                end = Some(UiAction::CaptureNow);
            }
        },
    );
    switch.or(end)
}

/// The head-turn challenge: the live preview, what to do in words and an arrow that moves the
/// way to turn, and the step count. The preview is a mirror: a turn to the customer's own left
/// shows as a turn toward the screen's left, so the arrow points there.
pub fn challenge_ui(
    ui: &mut Ui,
    tex: Option<PreviewImage<'_>>,
    step: usize,
    of: usize,
    ask: crate::liveness::Ask,
    lang: Lang,
) -> Option<UiAction> {
    use crate::liveness::{Ask, Turn};
    use crate::selfie::ScreenSide;
    let p = style::palette(ui.ctx());
    let (rect, bar) = preview_and_bar(ui);
    let arrow = match ask {
        Ask::Turn(Turn::Left) => Some(ScreenSide::Left),
        Ask::Turn(Turn::Right) => Some(ScreenSide::Right),
        Ask::Frontal => None,
    };
    // Steps done so far fill the ring round the oval.
    let done = match ask {
        Ask::Turn(_) => step,
        Ask::Frontal if step == 0 => 0,
        Ask::Frontal => step + 1,
    };
    let progress = done as f32 / of.max(1) as f32;
    let label = i18n::challenge_ask(ask).text(lang);
    widgets::preview_ui(ui, tex, rect, p.accent, label, progress, None, lang);
    if let Some(side) = arrow {
        widgets::moving_arrow_ui(ui, rect, side, p.accent);
    }
    let mut action = None;
    bar_ui(
        ui,
        bar,
        lang,
        |ui| {
            let steps = i18n::challenge_step(lang, step.min(of.saturating_sub(1)), of);
            widgets::bold_text_ui(ui, &steps, style::BODY, p.text);
        },
        |ui| {
            if widgets::button_ui(ui, Msg::Cancel.text(lang), style::BODY, vec2(170.0, 64.0))
                .clicked()
            {
                action = Some(UiAction::Cancel);
            }
        },
    );
    action
}

/// The bar under the live preview: its own background (the app does not fill the page under
/// the preview, see `KioskApp::ui`), `start` at the reading start, `end` at the other end.
fn bar_ui(
    ui: &mut Ui,
    bar: egui::Rect,
    lang: Lang,
    start: impl FnOnce(&mut Ui),
    end: impl FnOnce(&mut Ui),
) {
    style::bg_fill_ui(ui.painter(), bar);
    ui.scope_builder(egui::UiBuilder::new().max_rect(bar), |ui| {
        widgets::row_ui(
            ui,
            lang.is_rtl(),
            |ui| {
                ui.add_space(24.0);
                start(ui);
            },
            |ui| {
                ui.add_space(24.0);
                end(ui);
            },
        );
    });
}

/// The page split into the live preview and the bar of buttons under it.
fn preview_and_bar(ui: &Ui) -> (egui::Rect, egui::Rect) {
    let full = ui.available_rect_before_wrap();
    let bar_top = full.max.y - 110.0;
    (
        egui::Rect::from_min_max(full.min, egui::pos2(full.max.x, bar_top)),
        egui::Rect::from_min_max(egui::pos2(full.min.x, bar_top), full.max),
    )
}

pub fn countdown_ui(ui: &mut Ui, tex: Option<PreviewImage<'_>>, seconds_left: u64, lang: Lang) {
    let rect = ui.available_rect_before_wrap();
    let good = style::palette(ui.ctx()).good;
    // Digits alone read the same in both languages.
    let label = format!("{seconds_left}…");
    widgets::preview_ui(ui, tex, rect, good, &label, 0.0, None, lang);
}

pub fn verifying_ui(ui: &mut Ui, lang: Lang) -> Option<UiAction> {
    let p = style::palette(ui.ctx());
    let mut action = None;
    centred(ui, |ui| {
        // Turns smoothly; nothing on the customer screens blinks.
        ui.add(egui::Spinner::new().size(120.0).color(p.accent));
        ui.add_space(24.0);
        widgets::title_ui(ui, Msg::Checking.text(lang), p.text);
        widgets::body_ui(ui, Msg::TakesAFewSeconds.text(lang));
        ui.add_space(32.0);
        if widgets::big_button(ui, Msg::Cancel.text(lang), p.panel).clicked() {
            action = Some(UiAction::Cancel);
        }
    });
    action
}

pub fn camera_missing_ui(ui: &mut Ui, reason: &str, lang: Lang) -> Option<UiAction> {
    out_of_order_ui(
        ui,
        lang,
        Msg::CameraNotAvailable.text(lang),
        Msg::SignInPaused.text(lang),
        &i18n::camera_retrying(lang, reason),
    )
}

pub fn service_ui(ui: &mut Ui, kind: ErrorKind, detail: &str, lang: Lang) -> Option<UiAction> {
    out_of_order_ui(
        ui,
        lang,
        Msg::OutOfService.text(lang),
        i18n::error_kind(kind).text(lang),
        detail,
    )
}

pub fn cooldown_ui(ui: &mut Ui, seconds_left: u64, lang: Lang) -> Option<UiAction> {
    out_of_order_ui(
        ui,
        lang,
        Msg::TooManyAttempts.text(lang),
        Msg::SeeStaffOrLater.text(lang),
        &i18n::resumes_in(lang, seconds_left),
    )
}

fn out_of_order_ui(
    ui: &mut Ui,
    lang: Lang,
    title: &str,
    message: &str,
    small: &str,
) -> Option<UiAction> {
    let p = style::palette(ui.ctx());
    let mut action = None;
    centred(ui, |ui| {
        widgets::badge_ui(ui, p.warn, false);
        widgets::title_ui(ui, title, p.text);
        widgets::body_ui(ui, message);
        widgets::muted_ui(ui, small);
    });
    staff_corner(ui, &mut action, lang);
    action
}

fn staff_button_ui(ui: &mut Ui, lang: Lang) -> egui::Response {
    widgets::button_ui(ui, Msg::Staff.text(lang), style::CAPTION, vec2(120.0, 50.0))
}

/// The small "Staff" button in the bottom corner of full-screen pages: the reading end of the
/// line (right in English, left in Arabic).
pub fn staff_corner(ui: &mut Ui, action: &mut Option<UiAction>, lang: Lang) {
    let r = ui.max_rect();
    let size = vec2(140.0, 50.0);
    let min = if lang.is_rtl() {
        egui::pos2(r.min.x + 20.0, r.max.y - 70.0)
    } else {
        r.max - vec2(160.0, 70.0)
    };
    let rect = egui::Rect::from_min_size(min, size);
    let clicked = ui
        .scope_builder(egui::UiBuilder::new().max_rect(rect), |ui| {
            staff_button_ui(ui, lang).clicked()
        })
        .inner;
    if clicked {
        *action = Some(UiAction::OpenPin);
    }
}

/// Lays out `f` centred on the page.
pub fn centred(ui: &mut Ui, f: impl FnOnce(&mut Ui)) {
    let h = ui.available_height();
    ui.vertical_centered(|ui| {
        ui.add_space((h * 0.18).max(20.0));
        f(ui);
    });
}
