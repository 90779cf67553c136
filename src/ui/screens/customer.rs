//! The screens the customer sees before and during a check: attract, positioning, countdown,
//! verifying; and the out-of-order ones: camera missing, service unavailable, cooldown.

use egui::{RichText, TextureHandle, Ui, vec2};

use super::UiAction;
use crate::faceki::ErrorKind;
use crate::kiosk::GateView;
use crate::selfie::Verdict;
use crate::ui::{fonts, style, widgets};

/// Live preview with the gate's hint. `gate` is `None` while nobody is in view.
pub fn positioning_ui(
    ui: &mut Ui,
    tex: Option<&TextureHandle>,
    gate: Option<&GateView>,
    allow_capture: bool,
) -> Option<UiAction> {
    let mut action = None;
    let full = ui.available_rect_before_wrap();
    let bottom_bar = 110.0;
    let rect = egui::Rect::from_min_max(full.min, egui::pos2(full.max.x, full.max.y - bottom_bar));
    let (colour, label, progress) = match gate {
        None => (style::TEXT, "Look at the camera to sign in".to_owned(), 0.0),
        Some(g) if g.verdict == Verdict::Ok => (style::GOOD, "Hold still…".to_owned(), g.progress),
        Some(g) => (style::WARN, g.hint.text().to_owned(), 0.0),
    };
    widgets::preview_ui(ui, tex, rect, colour, &label, progress);
    let bar = egui::Rect::from_min_max(egui::pos2(full.min.x, rect.max.y), full.max);
    ui.scope_builder(egui::UiBuilder::new().max_rect(bar), |ui| {
        ui.horizontal_centered(|ui| {
            ui.add_space(24.0);
            ui.label(
                RichText::new("Face sign-in")
                    .size(style::BODY)
                    .family(fonts::bold()),
            );
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                ui.add_space(24.0);
                if ui
                    .button(RichText::new("Staff").size(style::SMALL))
                    .clicked()
                {
                    action = Some(UiAction::OpenPin);
                }
                if allow_capture && widgets::big_button(ui, "Take photo", style::ACCENT).clicked() {
                    action = Some(UiAction::CaptureNow);
                }
            });
        });
    });
    action
}

pub fn countdown_ui(ui: &mut Ui, tex: Option<&TextureHandle>, seconds_left: u64) {
    let rect = ui.available_rect_before_wrap();
    widgets::preview_ui(ui, tex, rect, style::GOOD, &format!("{seconds_left}…"), 0.0);
}

pub fn verifying_ui(ui: &mut Ui) -> Option<UiAction> {
    let mut action = None;
    centred(ui, |ui| {
        ui.add(egui::Spinner::new().size(120.0).color(style::ACCENT));
        ui.add_space(24.0);
        widgets::title_ui(ui, "Checking…", style::TEXT);
        widgets::body_ui(ui, "This takes a few seconds.");
        ui.add_space(32.0);
        if widgets::big_button(ui, "Cancel", style::PANEL).clicked() {
            action = Some(UiAction::Cancel);
        }
    });
    action
}

pub fn camera_missing_ui(ui: &mut Ui, reason: &str) -> Option<UiAction> {
    out_of_order_ui(
        ui,
        "Camera not available",
        "Face sign-in is paused. Please see staff.",
        &format!("Trying again automatically. ({reason})"),
    )
}

pub fn service_ui(ui: &mut Ui, kind: ErrorKind, detail: &str) -> Option<UiAction> {
    out_of_order_ui(ui, "Temporarily out of service", kind.message(), detail)
}

pub fn cooldown_ui(ui: &mut Ui, seconds_left: u64) -> Option<UiAction> {
    out_of_order_ui(
        ui,
        "Too many attempts",
        "Please see staff, or try again later.",
        &format!(
            "Face sign-in resumes in {}:{:02}.",
            seconds_left / 60,
            seconds_left % 60
        ),
    )
}

fn out_of_order_ui(ui: &mut Ui, title: &str, message: &str, small: &str) -> Option<UiAction> {
    let mut action = None;
    centred(ui, |ui| {
        widgets::badge_ui(ui, style::WARN, false);
        widgets::title_ui(ui, title, style::TEXT);
        widgets::body_ui(ui, message);
        widgets::muted_ui(ui, small);
    });
    staff_corner(ui, &mut action);
    action
}

/// The small "Staff" button in the bottom corner of full-screen pages.
pub fn staff_corner(ui: &mut Ui, action: &mut Option<UiAction>) {
    let r = ui.max_rect();
    let rect = egui::Rect::from_min_size(r.max - vec2(140.0, 70.0), vec2(120.0, 50.0));
    if ui
        .put(
            rect,
            egui::Button::new(RichText::new("Staff").size(style::SMALL)),
        )
        .clicked()
    {
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
