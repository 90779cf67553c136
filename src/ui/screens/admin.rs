//! The admin panel, behind the PIN: FACEKI settings, camera, gate, timings, tests, counters.
//! The client secret is never shown back; typing a new one replaces it.

use egui::{RichText, Ui};

use super::UiAction;
use super::setup::field;
use std::time::Duration;

use crate::camera::CameraError;
use crate::camera::webcam::CameraChoice;
use crate::config::Settings;
use crate::faceki::{Secret, TokenError};
use crate::i18n::{self, Lang, Msg};
use crate::runtime::{Counters, SaveError};
use crate::sim::Scenario;
use crate::ui::{style, widgets};

#[derive(Debug, Clone, PartialEq)]
pub enum AdminAction {
    Save {
        settings: Box<Settings>,
        new_pin: Option<String>,
    },
    TestConnection,
    ListCameras,
    SetScenario(Scenario),
    Close,
    Quit,
}

pub struct AdminPanel {
    draft: Settings,
    /// The address the current secret belongs to.
    saved_base_url: String,
    new_secret: String,
    new_pin: String,
    pub cameras: Vec<CameraChoice>,
    pub status: String,
    pub connection: String,
    scenario: Scenario,
}

impl AdminPanel {
    pub fn new(settings: &Settings) -> Self {
        Self {
            draft: settings.clone(),
            saved_base_url: settings.faceki.base_url.clone(),
            new_secret: String::new(),
            new_pin: String::new(),
            cameras: Vec::new(),
            status: String::new(),
            connection: String::new(),
            scenario: Scenario::Match,
        }
    }

    /// Fresh from the live settings each time it opens.
    pub fn open(&mut self, settings: &Settings, scenario: Option<Scenario>) {
        let cameras = std::mem::take(&mut self.cameras);
        *self = Self::new(settings);
        self.cameras = cameras;
        if let Some(s) = scenario {
            self.scenario = s;
        }
    }

    /// "Test connection" was pressed: say so until the answer comes.
    pub fn testing(&mut self) {
        self.connection = Msg::Testing.text(Lang::En).into();
    }

    // The admin panel is in English: its status lines too.
    pub fn connection_tested(&mut self, result: Result<Duration, TokenError>) {
        self.connection = match result {
            Ok(_) => Msg::Connected.text(Lang::En).into(),
            Err(e) => i18n::not_connected(Lang::En, &e.to_string()),
        };
    }

    pub fn cameras_listed(&mut self, result: Result<Vec<CameraChoice>, CameraError>) {
        match result {
            Ok(list) => {
                if list.is_empty() {
                    self.status = Msg::NoCamera.text(Lang::En).into();
                }
                self.cameras = list;
            }
            Err(e) => self.status = i18n::cameras_not_listed(Lang::En, &e.to_string()),
        }
    }

    pub fn saved(&mut self, result: &Result<(), SaveError>) {
        self.status = match result {
            Ok(()) => Msg::Saved.text(Lang::En).to_owned(),
            Err(e) => i18n::could_not_save(Lang::En, &e.to_string()),
        };
    }

    pub fn ui(&mut self, ui: &mut Ui, counters: &Counters, demo: bool) -> Option<UiAction> {
        let mut action = None;
        let mut act = |a| action = Some(UiAction::Admin(a));
        egui::ScrollArea::vertical().show(ui, |ui| {
            ui.add_space(16.0);
            ui.horizontal(|ui| {
                widgets::title_ui(ui, "Kiosk settings", style::TEXT);
            });
            ui.label(
                RichText::new(format!(
                    "Today: {} checks, {} passed, average {}",
                    counters.checks,
                    counters.passes,
                    counters
                        .average()
                        .map(|d| format!("{:.1} s", d.as_secs_f32()))
                        .unwrap_or_else(|| "–".into())
                ))
                .size(style::BODY),
            );
            ui.separator();
            ui.heading("FACEKI");
            egui::Grid::new("faceki")
                .num_columns(2)
                .spacing([16.0, 12.0])
                .show(ui, |ui| {
                    field(ui, "Address", &mut self.draft.faceki.base_url, false);
                    field(ui, "Client ID", &mut self.draft.faceki.client_id, false);
                    let secret_label = if self.draft.faceki.client_secret.is_empty() {
                        "Client secret (not set)"
                    } else {
                        "Client secret (set; type to replace)"
                    };
                    field(ui, secret_label, &mut self.new_secret, true);
                    let l = ui.label("Timeout (s)");
                    ui.add(egui::Slider::new(
                        &mut self.draft.faceki.timeout_secs,
                        5..=120,
                    ))
                    .labelled_by(l.id);
                    ui.end_row();
                });
            if demo {
                widgets::muted_ui(
                    ui,
                    "Demo mode: the kiosk talks only to its built-in simulator.",
                );
            }
            ui.horizontal(|ui| {
                if ui.button("Test connection").clicked() {
                    act(AdminAction::TestConnection);
                }
                ui.label(&self.connection);
            });
            ui.separator();
            ui.heading("Camera");
            ui.horizontal(|ui| {
                let name = self
                    .cameras
                    .iter()
                    .find(|c| c.index == self.draft.camera.index)
                    .map(|c| format!("{}: {}", c.index, c.name))
                    .unwrap_or_else(|| format!("camera {}", self.draft.camera.index));
                let l = ui.label("Camera");
                egui::ComboBox::from_id_salt("camera")
                    .selected_text(name)
                    .show_ui(ui, |ui| {
                        for c in &self.cameras {
                            ui.selectable_value(
                                &mut self.draft.camera.index,
                                c.index,
                                format!("{}: {}", c.index, c.name),
                            );
                        }
                    })
                    .response
                    .labelled_by(l.id);
                if ui.button("Find cameras").clicked() {
                    act(AdminAction::ListCameras);
                }
            });
            ui.separator();
            ui.heading("Selfie checks");
            egui::Grid::new("gate")
                .num_columns(2)
                .spacing([16.0, 12.0])
                .show(ui, |ui| {
                    let mut challenge = self.draft.liveness.enabled();
                    let l = ui.label("Head-turn liveness challenge");
                    ui.checkbox(&mut challenge, "").labelled_by(l.id);
                    ui.end_row();
                    self.draft.liveness.mode = if challenge {
                        crate::liveness::LivenessMode::Challenge
                    } else {
                        crate::liveness::LivenessMode::Off
                    };
                    if challenge {
                        let l = ui.label("Turns asked");
                        ui.add(egui::Slider::new(&mut self.draft.liveness.steps, 2..=5))
                            .labelled_by(l.id);
                        ui.end_row();
                    }
                    let l = ui.label("Auto-capture");
                    ui.checkbox(&mut self.draft.kiosk.auto_capture, "")
                        .labelled_by(l.id);
                    ui.end_row();
                    let l = ui.label("Sound cues");
                    ui.checkbox(&mut self.draft.kiosk.sound, "")
                        .labelled_by(l.id);
                    ui.end_row();
                    let l = ui.label("Show ID-document image");
                    ui.checkbox(&mut self.draft.kiosk.show_id_image, "")
                        .labelled_by(l.id);
                    ui.end_row();
                    let l = ui.label("Min. eye distance (px)");
                    ui.add(egui::Slider::new(
                        &mut self.draft.gate.min_eye_distance_px,
                        60.0..=200.0,
                    ))
                    .labelled_by(l.id);
                    ui.end_row();
                    let l = ui.label("Min. face detail (0-100)");
                    ui.add(egui::Slider::new(
                        &mut self.draft.gate.min_detail,
                        2.0..=40.0,
                    ))
                    .labelled_by(l.id);
                    ui.end_row();
                    let l = ui.label("Pass shown for (s)");
                    ui.add(egui::Slider::new(
                        &mut self.draft.kiosk.pass_display_secs,
                        2..=60,
                    ))
                    .labelled_by(l.id);
                    ui.end_row();
                    let l = ui.label("Other results shown for (s)");
                    ui.add(egui::Slider::new(
                        &mut self.draft.kiosk.fail_display_secs,
                        2..=60,
                    ))
                    .labelled_by(l.id);
                    ui.end_row();
                    let l = ui.label("Language");
                    language_select_ui(ui, &mut self.draft.kiosk.language).labelled_by(l.id);
                    ui.end_row();
                    field(ui, "New staff PIN (optional)", &mut self.new_pin, true);
                });
            if !self.draft.liveness.enabled() {
                ui.colored_label(
                    style::palette(ui.ctx()).bad,
                    RichText::new(LIVENESS_OFF).size(style::BODY).strong(),
                );
            }
            if demo {
                ui.separator();
                ui.heading("Demo: simulator answer");
                let l = ui.label("Scenario");
                egui::ComboBox::from_id_salt("scenario")
                    .selected_text(self.scenario.to_string())
                    .show_ui(ui, |ui| {
                        for s in Scenario::all() {
                            if ui
                                .selectable_value(&mut self.scenario, s, s.to_string())
                                .clicked()
                            {
                                act(AdminAction::SetScenario(s));
                            }
                        }
                    })
                    .response
                    .labelled_by(l.id);
            }
            ui.separator();
            ui.horizontal(|ui| {
                if widgets::big_button(ui, "Save", style::ACCENT).clicked() {
                    let mut s = self.draft.clone();
                    if !self.new_secret.trim().is_empty() {
                        s.faceki.client_secret = Secret::new(self.new_secret.trim());
                    }
                    let pin = self.new_pin.trim().to_owned();
                    // The secret only ever goes to the address it was typed for.
                    let moved = s.faceki.base_url.trim() != self.saved_base_url.trim()
                        && self.new_secret.trim().is_empty()
                        && !s.faceki.client_secret.is_empty();
                    match (pin.is_empty(), crate::kiosk::pin::validate(&pin)) {
                        _ if moved => {
                            self.status =
                                "Type the client secret again to use it with a new address.".into()
                        }
                        (false, Err(e)) => self.status = e.to_string(),
                        _ => {
                            act(AdminAction::Save {
                                settings: Box::new(s),
                                new_pin: (!pin.is_empty()).then_some(pin),
                            });
                            self.new_secret.clear();
                            self.new_pin.clear();
                            self.status = "Saving…".into();
                        }
                    }
                }
                if widgets::big_button(ui, "Close", style::PANEL).clicked() {
                    act(AdminAction::Close);
                }
                if ui.button("Exit kiosk").clicked() {
                    act(AdminAction::Quit);
                }
            });
            widgets::status_ui(ui, &self.status);
        });
        action
    }
}

/// Each visitor's starting language, each named in itself (Arabic shaped via the bidi helper).
fn language_select_ui(ui: &mut Ui, code: &mut String) -> egui::Response {
    let colour = ui.visuals().text_color();
    let name = |lang: Lang| widgets::widget_text(lang.native_name(), style::SMALL, colour, false);
    let current = Lang::from_setting(code);
    egui::ComboBox::from_id_salt("language")
        .selected_text(name(current))
        .show_ui(ui, |ui| {
            for lang in Lang::ALL {
                ui.selectable_value(code, lang.code().to_owned(), name(lang));
            }
        })
        .response
}

/// What staff are told while liveness is off (the admin panel and `doctor` say the same).
pub const LIVENESS_OFF: &str = "Liveness is OFF: a printed photo or a phone showing an enrolled \
     customer can pass. Turn the challenge on unless staff watch every sign-in.";
