//! The answer: "Welcome" with the person and their ID image, or what to do next.

use egui::{RichText, TextureHandle, Ui, vec2};

use super::UiAction;
use super::customer::centred;
use crate::faceki::{ErrorKind, Outcome};
use crate::ui::{style, widgets};

/// The ID image of a pass, as far as it got.
pub enum IdImageView<'a> {
    None,
    Loading,
    Shown(&'a TextureHandle),
    Failed,
}

pub fn result_ui(
    ui: &mut Ui,
    outcome: &Outcome,
    id_image: IdImageView<'_>,
    time_left: f32,
) -> Option<UiAction> {
    let mut action = None;
    match outcome {
        Outcome::Pass { person } => {
            let h = ui.available_height();
            ui.add_space(h * 0.08);
            ui.columns(2, |cols| {
                let ui = &mut cols[0];
                ui.vertical_centered(|ui| {
                    widgets::badge_ui(ui, style::GOOD, true);
                    widgets::title_ui(ui, "Welcome", style::GOOD);
                    ui.add_space(8.0);
                    widgets::name_ui(ui, &person.full_name, style::TITLE, true);
                    if let Some(local) = &person.local_name {
                        widgets::name_ui(ui, local, style::HEADING + 6.0, false);
                    }
                    ui.add_space(16.0);
                    if let Some(country) = &person.country {
                        widgets::body_ui(ui, country);
                    }
                    if let Some(doc) = person.masked_document_id() {
                        widgets::body_ui(ui, &format!("Document {doc}"));
                    }
                    ui.add_space(24.0);
                    if widgets::big_button(ui, "Done", style::GOOD).clicked() {
                        action = Some(UiAction::Dismiss);
                    }
                    ui.add_space(12.0);
                    widgets::time_left_ui(ui, time_left);
                });
                let ui = &mut cols[1];
                ui.vertical_centered(|ui| id_image_ui(ui, id_image));
            });
        }
        other => {
            let (title, colour, button) = match other {
                Outcome::NoMatch { .. } => ("Not recognised", style::BAD, "Try again"),
                Outcome::Retake { .. } => ("Let's take that again", style::WARN, "Try again"),
                Outcome::Denied { .. } | Outcome::Ambiguous { .. } => {
                    ("Please see staff", style::BAD, "OK")
                }
                Outcome::Error {
                    kind:
                        ErrorKind::Timeout
                        | ErrorKind::Unreachable
                        | ErrorKind::Transport
                        | ErrorKind::Service
                        | ErrorKind::RateLimited,
                    ..
                } => ("Service not reachable", style::WARN, "Try again"),
                _ => ("Something went wrong", style::BAD, "Try again"),
            };
            centred(ui, |ui| {
                widgets::badge_ui(ui, colour, false);
                widgets::title_ui(ui, title, colour);
                ui.add_space(8.0);
                widgets::body_ui(ui, &other.message());
                if let Some(code) = other.code().filter(|c| *c != 0) {
                    widgets::muted_ui(ui, &format!("Code {code}"));
                }
                ui.add_space(28.0);
                if widgets::big_button(ui, button, style::ACCENT).clicked() {
                    action = Some(UiAction::Dismiss);
                }
                ui.add_space(12.0);
                widgets::time_left_ui(ui, time_left);
            });
        }
    }
    action
}

fn id_image_ui(ui: &mut Ui, img: IdImageView<'_>) {
    let max = vec2(ui.available_width().min(620.0), 420.0);
    match img {
        IdImageView::Shown(tex) => {
            let size = tex.size_vec2();
            let scale = (max.x / size.x).min(max.y / size.y);
            ui.add(
                egui::Image::new((tex.id(), size * scale))
                    .corner_radius(12.0)
                    .alt_text("ID document"),
            );
            ui.label(
                RichText::new("ID document on file")
                    .size(style::SMALL)
                    .color(style::MUTED),
            );
        }
        IdImageView::Loading => {
            let (rect, _) = ui.allocate_exact_size(max * vec2(1.0, 0.6), egui::Sense::hover());
            ui.painter().rect_filled(rect, 12.0, style::PANEL);
            ui.put(rect, egui::Spinner::new().size(48.0));
            ui.label(
                RichText::new("Loading ID document…")
                    .size(style::SMALL)
                    .color(style::MUTED),
            );
        }
        IdImageView::Failed | IdImageView::None => {
            let (rect, _) = ui.allocate_exact_size(max * vec2(1.0, 0.6), egui::Sense::hover());
            ui.painter().rect_filled(rect, 12.0, style::PANEL);
            ui.label(
                RichText::new("ID document image not available")
                    .size(style::SMALL)
                    .color(style::MUTED),
            );
        }
    }
}
