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
            egui::Grid::new("setup")
                .num_columns(2)
                .spacing([16.0, 14.0])
                .show(ui, |ui| {
                    let t = |m: Msg| m.text(lang);
                    field_ui(ui, t(Msg::FacekiAddress), &mut self.base_url, false, rtl);
                    field_ui(ui, t(Msg::ClientId), &mut self.client_id, false, rtl);
                    field_ui(ui, t(Msg::ClientSecret), &mut self.client_secret, true, rtl);
                    field_ui(ui, t(Msg::StaffPinDigits), &mut self.pin, true, rtl);
                    field_ui(ui, t(Msg::StaffPinAgain), &mut self.pin_again, true, rtl);
                });
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
        if self.client_id.trim().is_empty() || self.client_secret.trim().is_empty() {
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
        s.faceki.client_secret = Secret::new(self.client_secret.trim());
        crate::faceki::FacekiClient::new(s.client_config()).map_err(|e| e.to_string())?;
        Ok(s)
    }
}

/// A labelled text field in a two-column grid (label first, as the admin panel uses it).
pub fn field(ui: &mut Ui, label: &str, value: &mut String, secret: bool) {
    field_ui(ui, label, value, secret, false);
}

/// A labelled text field; right to left, the label takes the right-hand column.
pub fn field_ui(ui: &mut Ui, label: &str, value: &mut String, secret: bool, rtl: bool) {
    let colour = style::palette(ui.ctx()).text;
    let edit = |ui: &mut Ui, value: &mut String| {
        ui.add(
            egui::TextEdit::singleline(value)
                .password(secret)
                .desired_width(420.0)
                .font(egui::TextStyle::Body),
        )
    };
    if rtl {
        let e = edit(ui, value);
        let l = ui
            .with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                widgets::text_ui(ui, label, style::SMALL, colour)
            })
            .inner;
        e.labelled_by(l.id);
    } else {
        let l = ui.label(RichText::new(label).size(style::SMALL));
        edit(ui, value).labelled_by(l.id);
    }
    ui.end_row();
}
