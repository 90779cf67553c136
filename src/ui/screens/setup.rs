//! First start without FACEKI credentials: staff enter them and choose a PIN. Until then the
//! kiosk checks nobody (never a fake pass).

use egui::{RichText, Ui};

use super::UiAction;
use crate::config::Settings;
use crate::faceki::Secret;
use crate::i18n::{Lang, Msg};
use crate::kiosk::pin::PinError;
use crate::ui::{style, widgets};

pub struct SetupScreen {
    base_url: String,
    client_id: String,
    client_secret: String,
    pin: String,
    pin_again: String,
    pub status: String,
}

impl SetupScreen {
    pub fn new(settings: &Settings) -> Self {
        Self {
            base_url: settings.faceki.base_url.clone(),
            client_id: settings.faceki.client_id.clone(),
            client_secret: String::new(),
            pin: String::new(),
            pin_again: String::new(),
            status: String::new(),
        }
    }

    pub fn ui(&mut self, ui: &mut Ui, current: &Settings, lang: Lang) -> Option<UiAction> {
        let mut action = None;
        let p = style::palette(ui.ctx());
        let rtl = lang.is_rtl();
        super::customer::centred(ui, |ui| {
            widgets::title_ui(ui, Msg::SetUpKiosk.text(lang), p.text);
            widgets::body_ui(ui, Msg::SetupIntro.text(lang));
            ui.add_space(16.0);
            let t = |m: Msg| m.text(lang);
            let fields = [
                (t(Msg::FacekiAddress), &mut self.base_url, false),
                (t(Msg::ClientId), &mut self.client_id, false),
                (t(Msg::ClientSecret), &mut self.client_secret, true),
                (t(Msg::StaffPinDigits), &mut self.pin, true),
                (t(Msg::StaffPinAgain), &mut self.pin_again, true),
            ];
            if rtl {
                // egui's grid runs left to right only: mirrored rows instead.
                for (label, value, secret) in fields {
                    field_rtl_ui(ui, label, value, secret);
                }
            } else {
                egui::Grid::new("setup")
                    .num_columns(2)
                    .spacing([16.0, 14.0])
                    .show(ui, |ui| {
                        for (label, value, secret) in fields {
                            field(ui, label, value, secret);
                        }
                    });
            }
            ui.add_space(16.0);
            if widgets::big_button(ui, Msg::Save.text(lang), p.accent).clicked() {
                match self.validate(current, lang) {
                    Ok(settings) => {
                        action = Some(UiAction::Setup {
                            settings: Box::new(settings),
                            pin: self.pin.clone(),
                        });
                        self.status = Msg::Saving.text(lang).into();
                    }
                    Err(msg) => self.status = msg,
                }
            }
            widgets::status_ui(ui, &self.status);
        });
        action
    }

    fn validate(&self, current: &Settings, lang: Lang) -> Result<Settings, String> {
        // Credentials from the config file or the environment may already be there (then only
        // the PIN is missing); the secret is kept only for the address it was set for.
        let keep_secret = self.client_secret.trim().is_empty()
            && !current.faceki.client_secret.is_empty()
            && self.base_url.trim() == current.faceki.base_url;
        if self.client_id.trim().is_empty()
            || (self.client_secret.trim().is_empty() && !keep_secret)
        {
            return Err(Msg::NeedIdAndSecret.text(lang).into());
        }
        crate::kiosk::pin::validate(&self.pin).map_err(|e| match e {
            PinError::Format => Msg::PinFormat.text(lang).to_owned(),
            other => other.to_string(),
        })?;
        if self.pin != self.pin_again {
            return Err(Msg::PinsDiffer.text(lang).into());
        }
        let mut s = current.clone();
        s.faceki.base_url = self.base_url.trim().to_owned();
        s.faceki.client_id = self.client_id.trim().to_owned();
        if !keep_secret {
            s.faceki.client_secret = Secret::new(self.client_secret.trim());
        }
        crate::faceki::FacekiClient::new(s.client_config()).map_err(|e| e.to_string())?;
        Ok(s)
    }
}

/// A labelled text field in a two-column grid (label first).
pub fn field(ui: &mut Ui, label: &str, value: &mut String, secret: bool) {
    let l = ui.label(RichText::new(label).size(style::SMALL));
    text_edit_ui(ui, value, secret).labelled_by(l.id);
    ui.end_row();
}

fn text_edit_ui(ui: &mut Ui, value: &mut String, secret: bool) -> egui::Response {
    ui.add(
        egui::TextEdit::singleline(value)
            .password(secret)
            .desired_width(420.0)
            .font(egui::TextStyle::Body),
    )
}

/// A labelled text field right to left: the label right-aligned at the right edge, the field
/// to its left; fixed label width so the fields line up.
fn field_rtl_ui(ui: &mut Ui, label: &str, value: &mut String, secret: bool) {
    const LABEL_WIDTH: f32 = 380.0;
    let colour = style::palette(ui.ctx()).text;
    let row = egui::vec2(ui.available_width(), 52.0);
    let right_to_left = egui::Layout::right_to_left(egui::Align::Center);
    ui.allocate_ui_with_layout(row, right_to_left, |ui| {
        ui.add_space(16.0);
        let l = ui
            .allocate_ui_with_layout(egui::vec2(LABEL_WIDTH, 44.0), right_to_left, |ui| {
                ui.set_min_width(LABEL_WIDTH);
                widgets::text_ui(ui, label, style::SMALL, colour)
            })
            .inner;
        text_edit_ui(ui, value, secret).labelled_by(l.id);
    });
}
