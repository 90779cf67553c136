//! The staff PIN pad in front of the admin panel. Touch keypad and keyboard both work.

use std::time::Duration;

use egui::{RichText, Ui, vec2};

use super::UiAction;
use crate::i18n::{self, Lang, Msg};
use crate::kiosk::PinStatus;
use crate::ui::{style, widgets};

/// The digits typed so far. Where the pad stands (checking, wrong, locked) is the flow's
/// [`PinStatus`]; the digits stay here until the flow asks to verify them.
#[derive(Default)]
pub struct PinPad {
    entered: String,
}

impl PinPad {
    pub fn reset(&mut self) {
        self.entered.clear();
    }

    /// The digits, taken for verification (the pad is empty afterwards).
    pub fn take_entered(&mut self) -> String {
        std::mem::take(&mut self.entered)
    }

    /// What to tell staff about the pad's state.
    fn status_text(status: PinStatus, now: Duration, lang: Lang) -> String {
        match status {
            PinStatus::Enter => String::new(),
            PinStatus::Checking => Msg::Checking.text(lang).to_owned(),
            PinStatus::Wrong { tries_left } => i18n::wrong_pin(lang, tries_left),
            PinStatus::Locked { until } if until > now => format!(
                "{} {}",
                Msg::TooManyWrongPins.text(lang),
                i18n::pin_locked(lang, (until - now).as_secs() + 1)
            ),
            PinStatus::Locked { .. } => String::new(),
        }
    }

    /// The keypad keeps 1-2-3 left to right in Arabic too, as phone keypads do.
    pub fn ui(
        &mut self,
        ui: &mut Ui,
        status: PinStatus,
        now: Duration,
        lang: Lang,
    ) -> Option<UiAction> {
        let locked = matches!(status, PinStatus::Locked { until } if until > now);
        let busy = status == PinStatus::Checking;
        let mut action = None;
        let text = style::palette(ui.ctx()).text;
        super::customer::centred(ui, |ui| {
            widgets::title_ui(ui, Msg::StaffPin.text(lang), text);
            let dots: String = "•".repeat(self.entered.len());
            ui.label(
                RichText::new(if dots.is_empty() { " ".into() } else { dots }).size(style::HEADING),
            );
            // Keyboard entry as well as the keypad.
            ui.input(|i| {
                for ev in &i.events {
                    if let egui::Event::Text(t) = ev {
                        self.entered
                            .extend(t.chars().filter(char::is_ascii_digit).take(12));
                    }
                }
            });
            if ui.input(|i| i.key_pressed(egui::Key::Backspace)) {
                self.entered.pop();
            }
            let enter = ui.input(|i| i.key_pressed(egui::Key::Enter));
            ui.add_space(12.0);
            let enabled = !locked && !busy;
            for row in [["1", "2", "3"], ["4", "5", "6"], ["7", "8", "9"]] {
                ui.horizontal(|ui| {
                    ui.add_space((ui.available_width() - 3.0 * 108.0) / 2.0);
                    for d in row {
                        self.key(ui, d, enabled);
                    }
                });
            }
            ui.horizontal(|ui| {
                ui.add_space((ui.available_width() - 3.0 * 108.0) / 2.0);
                if ui
                    .add_enabled(
                        enabled,
                        egui::Button::new(widgets::widget_text(
                            Msg::Clear.text(lang),
                            style::CAPTION,
                            text,
                            false,
                        ))
                        .min_size(vec2(96.0, 72.0)),
                    )
                    .clicked()
                {
                    self.entered.clear();
                }
                self.key(ui, "0", enabled);
                let ok = ui.add_enabled(
                    enabled,
                    egui::Button::new(widgets::widget_text(
                        Msg::Ok.text(lang),
                        style::CAPTION,
                        text,
                        false,
                    ))
                    .min_size(vec2(96.0, 72.0)),
                );
                if (ok.clicked() || enter) && enabled && !self.entered.is_empty() {
                    action = Some(UiAction::SubmitPin);
                }
            });
            ui.add_space(8.0);
            widgets::status_ui(ui, &Self::status_text(status, now, lang));
            if widgets::button_ui(ui, Msg::Cancel.text(lang), style::CAPTION, vec2(0.0, 0.0))
                .clicked()
            {
                action = Some(UiAction::ClosePin);
            }
        });
        action
    }

    fn key(&mut self, ui: &mut Ui, digit: &str, enabled: bool) {
        let b = egui::Button::new(RichText::new(digit).size(32.0)).min_size(vec2(96.0, 72.0));
        if ui.add_enabled(enabled, b).clicked() && self.entered.len() < 12 {
            self.entered.push_str(digit);
        }
    }
}
