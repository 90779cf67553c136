//! First start without FACEKI credentials: staff enter them and choose a PIN. Until then the
//! kiosk checks nobody (never a fake pass).

use egui::{RichText, Ui};

use super::UiAction;
use crate::config::Settings;
use crate::faceki::Secret;
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

    pub fn ui(&mut self, ui: &mut Ui, current: &Settings) -> Option<UiAction> {
        let mut action = None;
        super::customer::centred(ui, |ui| {
            widgets::title_ui(ui, "Set up this kiosk", style::TEXT);
            widgets::body_ui(
                ui,
                "Enter the FACEKI credentials of your account and choose a staff PIN.",
            );
            ui.add_space(16.0);
            egui::Grid::new("setup")
                .num_columns(2)
                .spacing([16.0, 14.0])
                .show(ui, |ui| {
                    field(ui, "FACEKI address", &mut self.base_url, false);
                    field(ui, "Client ID", &mut self.client_id, false);
                    field(ui, "Client secret", &mut self.client_secret, true);
                    field(ui, "Staff PIN (4-12 digits)", &mut self.pin, true);
                    field(ui, "Staff PIN again", &mut self.pin_again, true);
                });
            ui.add_space(16.0);
            if widgets::big_button(ui, "Save", style::ACCENT).clicked() {
                match self.validate(current) {
                    Ok(settings) => {
                        action = Some(UiAction::Setup {
                            settings: Box::new(settings),
                            pin: self.pin.clone(),
                        });
                        self.status = "Saving…".into();
                    }
                    Err(msg) => self.status = msg,
                }
            }
            widgets::status_ui(ui, &self.status);
        });
        action
    }

    fn validate(&self, current: &Settings) -> Result<Settings, String> {
        // Credentials from the config file or the environment may already be there (then only
        // the PIN is missing); the secret is kept only for the address it was set for.
        let keep_secret = self.client_secret.trim().is_empty()
            && !current.faceki.client_secret.is_empty()
            && self.base_url.trim() == current.faceki.base_url;
        if self.client_id.trim().is_empty()
            || (self.client_secret.trim().is_empty() && !keep_secret)
        {
            return Err("Client ID and secret are both needed.".into());
        }
        crate::kiosk::pin::validate(&self.pin).map_err(|e| e.to_string())?;
        if self.pin != self.pin_again {
            return Err("The two PINs differ.".into());
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

pub fn field(ui: &mut Ui, label: &str, value: &mut String, secret: bool) {
    let l = ui.label(RichText::new(label).size(style::SMALL));
    ui.add(
        egui::TextEdit::singleline(value)
            .password(secret)
            .desired_width(420.0)
            .font(egui::TextStyle::Body),
    )
    .labelled_by(l.id);
    ui.end_row();
}
