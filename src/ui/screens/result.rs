//! The answer: "Welcome" with the person and their ID image, or what to do next.

use egui::{TextureHandle, Ui, vec2};

use super::UiAction;
use super::customer::centred;
use crate::faceki::{ErrorKind, NotLiveKind, Outcome, Person};
use crate::i18n::{self, Lang, Msg};
use crate::ui::{style, widgets};

/// The ID image of a pass, as far as it got.
pub enum IdImageView<'a> {
    None,
    /// The site chose not to show ID images (`kiosk.show_id_image = false`).
    Hidden,
    Loading,
    Shown(&'a TextureHandle),
    Failed,
}

pub fn result_ui(
    ui: &mut Ui,
    outcome: &Outcome,
    id_image: IdImageView<'_>,
    time_left: f32,
    lang: Lang,
) -> Option<UiAction> {
    let p = style::palette(ui.ctx());
    let mut action = None;
    match outcome {
        Outcome::Pass { person } => {
            let h = ui.available_height();
            ui.add_space(h * 0.08);
            let mut welcome = |ui: &mut Ui| {
                ui.vertical_centered(|ui| {
                    if welcome_ui(ui, person, lang, time_left) {
                        action = Some(UiAction::Dismiss);
                    }
                })
            };
            if matches!(id_image, IdImageView::Hidden) {
                // No document at this site: the welcome alone, in the middle.
                welcome(ui);
            } else {
                // The welcome comes first in reading order: left in English, right in Arabic.
                let (text_col, image_col) = if lang.is_rtl() { (1, 0) } else { (0, 1) };
                ui.columns(2, |cols| {
                    welcome(&mut cols[text_col]);
                    let ui = &mut cols[image_col];
                    ui.vertical_centered(|ui| id_image_ui(ui, id_image, lang));
                });
            }
        }
        other => {
            let (title, colour, button) = match other {
                Outcome::NoMatch { .. } => (Msg::NotRecognised, p.bad, Msg::TryAgain),
                Outcome::Retake { .. } => (Msg::TakeAgain, p.warn, Msg::TryAgain),
                Outcome::Denied { .. } | Outcome::Ambiguous { .. } => {
                    (Msg::PleaseSeeStaff, p.bad, Msg::Ok)
                }
                // A picture held up: staff, not another try.
                Outcome::NotLive {
                    kind: NotLiveKind::Spoof,
                    ..
                } => (Msg::NotConfirmed, p.bad, Msg::Ok),
                Outcome::NotLive { .. } => (Msg::NotConfirmed, p.warn, Msg::TryAgain),
                Outcome::Error {
                    kind:
                        ErrorKind::Timeout
                        | ErrorKind::Unreachable
                        | ErrorKind::Transport
                        | ErrorKind::Service
                        | ErrorKind::RateLimited,
                    ..
                } => (Msg::ServiceNotReachable, p.warn, Msg::TryAgain),
                _ => (Msg::SomethingWentWrong, p.bad, Msg::TryAgain),
            };
            centred(ui, |ui| {
                widgets::badge_ui(ui, colour, false);
                widgets::title_ui(ui, title.text(lang), colour);
                ui.add_space(8.0);
                widgets::body_ui(ui, i18n::outcome(other).text(lang));
                if let Some(code) = other.code().filter(|c| *c != 0) {
                    widgets::muted_ui(ui, &i18n::code(lang, code));
                }
                ui.add_space(28.0);
                if widgets::big_button(ui, button.text(lang), p.accent).clicked() {
                    action = Some(UiAction::Dismiss);
                }
                ui.add_space(12.0);
                widgets::time_left_ui(ui, time_left);
            });
        }
    }
    action
}

/// Welcome, the names, country, masked number, "Done" and the time left. True when "Done" was
/// tapped.
fn welcome_ui(ui: &mut Ui, person: &Person, lang: Lang, time_left: f32) -> bool {
    let p = style::palette(ui.ctx());
    widgets::badge_ui(ui, p.good, true);
    widgets::title_ui(ui, Msg::Welcome.text(lang), p.good);
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
        widgets::body_ui(ui, &i18n::document(lang, &doc));
    }
    ui.add_space(24.0);
    let done = widgets::big_button(ui, Msg::Done.text(lang), p.good).clicked();
    ui.add_space(12.0);
    widgets::time_left_ui(ui, time_left);
    done
}

fn id_image_ui(ui: &mut Ui, img: IdImageView<'_>, lang: Lang) {
    let p = style::palette(ui.ctx());
    let max = vec2(ui.available_width().min(620.0), 420.0);
    let caption = match img {
        // Nothing at all: not even a placeholder where the document would be.
        IdImageView::Hidden => return,
        IdImageView::Shown(tex) => {
            let size = tex.size_vec2();
            let scale = (max.x / size.x).min(max.y / size.y);
            ui.add(
                egui::Image::new((tex.id(), size * scale))
                    .corner_radius(12.0)
                    .alt_text(Msg::IdDocument.text(lang)),
            );
            Msg::IdOnFile
        }
        IdImageView::Loading => {
            let (rect, _) = ui.allocate_exact_size(max * vec2(1.0, 0.6), egui::Sense::hover());
            ui.painter().rect_filled(rect, 12.0, p.panel);
            ui.put(rect, egui::Spinner::new().size(48.0));
            Msg::IdLoading
        }
        IdImageView::Failed | IdImageView::None => {
            let (rect, _) = ui.allocate_exact_size(max * vec2(1.0, 0.6), egui::Sense::hover());
            ui.painter().rect_filled(rect, 12.0, p.panel);
            Msg::IdNotAvailable
        }
    };
    widgets::text_ui(ui, caption.text(lang), style::CAPTION, p.muted);
}
