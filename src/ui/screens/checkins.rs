//! Staff view of the check-in log (admin panel, "Check-ins" tab): today's check-ins, a name
//! search, and CSV export. Rows arrive from the runtime; this only draws and asks.

use egui::{RichText, Ui};

use super::UiAction;
use std::path::PathBuf;

use crate::checkin::{LogError, Query, Row};
use crate::ui::{style, widgets};

#[derive(Debug, Clone, PartialEq)]
pub enum CheckinsAction {
    Query(Query),
    /// Export rows since this local date (or all) to the given file.
    Export {
        since: Option<String>,
        out: std::path::PathBuf,
    },
}

#[derive(Default)]
pub struct CheckinsView {
    search: String,
    all_days: bool,
    pub rows: Vec<Row>,
    pub status: String,
    pub export_to: String,
}

impl CheckinsView {
    pub fn query(&self) -> Query {
        Query {
            since: (!self.all_days).then(|| "today".to_owned()),
            name: Some(self.search.trim().to_owned()).filter(|s| !s.is_empty()),
            limit: Some(500),
        }
    }

    pub fn loaded(&mut self, result: Result<Vec<Row>, LogError>) {
        match result {
            Ok(rows) => self.rows = rows,
            Err(e) => self.status = format!("Check-ins could not be read: {e}"),
        }
    }

    pub fn exported(&mut self, result: Result<(usize, PathBuf), LogError>) {
        self.status = match result {
            Ok((n, path)) => format!("{n} check-ins written to {}", path.display()),
            Err(e) => format!("Export failed: {e}"),
        };
    }

    /// `log_error`: why check-ins are not being recorded, shown in red; `None` when all is well.
    /// `fleet_warning`: check-ins not reaching head office (backlog growing, refused).
    pub fn ui(
        &mut self,
        ui: &mut Ui,
        log_error: Option<&str>,
        fleet_warning: Option<&str>,
    ) -> Option<UiAction> {
        let mut action = None;
        if let Some(e) = log_error {
            ui.label(
                RichText::new(format!("Check-ins are not being recorded: {e}"))
                    .color(style::BAD)
                    .size(style::BODY),
            );
        }
        if let Some(w) = fleet_warning {
            ui.label(RichText::new(w).color(style::BAD).size(style::BODY));
        }
        ui.horizontal(|ui| {
            let l = ui.label("Search by name");
            let edit = ui.add(egui::TextEdit::singleline(&mut self.search).desired_width(280.0));
            let edit = edit.labelled_by(l.id);
            let changed = ui.checkbox(&mut self.all_days, "All kept days").changed();
            if edit.changed() || changed || ui.button("Refresh").clicked() {
                action = Some(UiAction::Checkins(CheckinsAction::Query(self.query())));
            }
        });
        ui.horizontal(|ui| {
            let l = ui.label("Export to");
            ui.add(egui::TextEdit::singleline(&mut self.export_to).desired_width(420.0))
                .labelled_by(l.id);
            if ui.button("Export CSV").clicked() {
                let since = (!self.all_days).then(|| "today".to_owned());
                self.status = "Exporting…".into();
                action = Some(UiAction::Checkins(CheckinsAction::Export {
                    since,
                    out: self.export_to.trim().into(),
                }));
            }
        });
        widgets::status_ui(ui, &self.status);
        ui.separator();
        let passes = self
            .rows
            .iter()
            .filter(|r| r.checkin.outcome == "pass")
            .count();
        ui.label(
            RichText::new(format!("{} check-ins, {passes} passed", self.rows.len()))
                .size(style::BODY),
        );
        egui::ScrollArea::vertical().show(ui, |ui| {
            egui::Grid::new("checkins")
                .num_columns(6)
                .striped(true)
                .spacing([18.0, 6.0])
                .show(ui, |ui| {
                    for h in ["Time", "Result", "Name", "Local name", "Document", "Took"] {
                        ui.strong(h);
                    }
                    ui.end_row();
                    for r in &self.rows {
                        let c = &r.checkin;
                        ui.label(&r.local_time);
                        let result = if c.detail.is_empty() {
                            c.outcome.replace('_', " ")
                        } else {
                            format!(
                                "{} ({})",
                                c.outcome.replace('_', " "),
                                c.detail.replace('_', " ")
                            )
                        };
                        ui.label(result);
                        ui.label(c.name.as_deref().unwrap_or("–"));
                        match &c.local_name {
                            Some(l) => {
                                // Room for a whole name on one line (the bidi layout wraps
                                // at the width it is given).
                                ui.scope(|ui| {
                                    ui.set_min_width(240.0);
                                    widgets::name_ui(ui, l, 20.0, false);
                                });
                            }
                            None => {
                                ui.label("–");
                            }
                        }
                        ui.label(c.document_masked.as_deref().unwrap_or("–"));
                        ui.label(format!("{:.1} s", c.duration_ms as f32 / 1000.0));
                        ui.end_row();
                    }
                });
        });
        action
    }
}
