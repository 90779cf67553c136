//! Colours and sizes: large type readable from a metre away, strong contrast.

use egui::Color32;

pub const BG: Color32 = Color32::from_rgb(16, 20, 24);
pub const PANEL: Color32 = Color32::from_rgb(28, 34, 40);
pub const TEXT: Color32 = Color32::from_rgb(240, 242, 245);
pub const MUTED: Color32 = Color32::from_rgb(170, 178, 186);
pub const GOOD: Color32 = Color32::from_rgb(46, 204, 113);
pub const WARN: Color32 = Color32::from_rgb(241, 196, 15);
pub const BAD: Color32 = Color32::from_rgb(231, 76, 60);
pub const ACCENT: Color32 = Color32::from_rgb(52, 152, 219);

pub const TITLE: f32 = 52.0;
pub const HEADING: f32 = 38.0;
pub const BODY: f32 = 28.0;
pub const SMALL: f32 = 20.0;

pub fn apply(ctx: &egui::Context) {
    ctx.all_styles_mut(|s| {
        s.visuals = egui::Visuals::dark();
        s.visuals.panel_fill = BG;
        s.visuals.window_fill = PANEL;
        s.visuals.override_text_color = Some(TEXT);
        s.spacing.button_padding = egui::vec2(18.0, 12.0);
        s.spacing.item_spacing = egui::vec2(12.0, 12.0);
        s.spacing.interact_size.y = 44.0;
        for (style, size) in [
            (egui::TextStyle::Heading, HEADING),
            (egui::TextStyle::Body, SMALL),
            (egui::TextStyle::Button, 24.0),
            (egui::TextStyle::Small, 16.0),
            (egui::TextStyle::Monospace, SMALL),
        ] {
            s.text_styles
                .insert(style, egui::FontId::proportional(size));
        }
    });
}
