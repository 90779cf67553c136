//! Colours and sizes: large type readable from a metre away, strong contrast, and a
//! high-contrast theme (`kiosk.high_contrast`). Nothing blinks or flashes.

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
/// The smallest text a customer is shown: still readable from a metre.
pub const CAPTION: f32 = 24.0;
/// Staff-only small print (admin panel, set-up field labels).
pub const SMALL: f32 = 20.0;

/// The colours the screens draw with.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Palette {
    pub bg: Color32,
    pub panel: Color32,
    pub text: Color32,
    pub muted: Color32,
    pub good: Color32,
    pub warn: Color32,
    pub bad: Color32,
    pub accent: Color32,
    /// Buttons get a text-coloured outline, so their edges show whatever their fill.
    pub outline: bool,
}

pub const NORMAL: Palette = Palette {
    bg: BG,
    panel: PANEL,
    text: TEXT,
    muted: MUTED,
    good: GOOD,
    warn: WARN,
    bad: BAD,
    accent: ACCENT,
    outline: false,
};

/// Black and white with saturated signal colours; every text colour is at least 7:1 on black.
pub const HIGH_CONTRAST: Palette = Palette {
    bg: Color32::BLACK,
    panel: Color32::from_rgb(24, 24, 24),
    text: Color32::WHITE,
    muted: Color32::from_rgb(225, 225, 225),
    good: Color32::from_rgb(0, 230, 118),
    warn: Color32::from_rgb(255, 214, 0),
    bad: Color32::from_rgb(255, 112, 102),
    accent: Color32::from_rgb(64, 196, 255),
    outline: true,
};

impl Palette {
    /// Black or white, whichever reads better on `fill` (high contrast only; the normal theme
    /// keeps white on its fills).
    pub fn text_on(&self, fill: Color32) -> Color32 {
        if self.outline && luminance(fill) > 0.18 {
            Color32::BLACK
        } else {
            Color32::WHITE
        }
    }
}

/// Relative luminance (WCAG), 0 for black to 1 for white.
fn luminance(c: Color32) -> f32 {
    let lin = |v: u8| {
        let v = v as f32 / 255.0;
        if v <= 0.040_45 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * lin(c.r()) + 0.7152 * lin(c.g()) + 0.0722 * lin(c.b())
}

fn palette_id() -> egui::Id {
    egui::Id::unique("faceki-palette")
}

/// The palette in force (set by [`apply`]).
pub fn palette(ctx: &egui::Context) -> Palette {
    ctx.data(|d| d.get_temp(palette_id())).unwrap_or(NORMAL)
}

fn cleared_id() -> egui::Id {
    egui::Id::unique("faceki-window-cleared")
}

/// Says whether the renderer clears the window to the page background before every paint, as
/// a real window does (eframe clears to `panel_fill`). A test harness clears to transparent.
pub fn set_window_cleared_to_bg(ctx: &egui::Context, cleared: bool) {
    ctx.data_mut(|d| d.insert_temp(cleared_id(), cleared));
}

/// Fills `rect` with the page background, unless the window was already cleared to it: on a
/// software renderer a full-width fill costs milliseconds a paint (BENCHMARKS.md, "Paint cost").
pub fn bg_fill_ui(painter: &egui::Painter, rect: egui::Rect) {
    let ctx = painter.ctx();
    if !ctx.data(|d| d.get_temp(cleared_id())).unwrap_or(false) {
        painter.rect_filled(rect, 0.0, palette(ctx).bg);
    }
}

pub fn apply(ctx: &egui::Context, high_contrast: bool) {
    let p = if high_contrast { HIGH_CONTRAST } else { NORMAL };
    ctx.data_mut(|d| d.insert_temp(palette_id(), p));
    ctx.all_styles_mut(|s| {
        s.visuals = egui::Visuals::dark();
        s.visuals.panel_fill = p.bg;
        s.visuals.window_fill = p.panel;
        s.visuals.override_text_color = Some(p.text);
        if high_contrast {
            let edge = egui::Stroke::new(2.0, p.text);
            s.visuals.widgets.inactive.bg_stroke = edge;
            s.visuals.widgets.hovered.bg_stroke = egui::Stroke::new(3.0, p.text);
            s.visuals.widgets.active.bg_stroke = egui::Stroke::new(3.0, p.text);
            s.visuals.widgets.inactive.fg_stroke.color = p.text;
            s.visuals.widgets.noninteractive.fg_stroke.color = p.text;
            s.visuals.extreme_bg_color = Color32::BLACK;
        }
        s.spacing.button_padding = egui::vec2(18.0, 12.0);
        s.spacing.item_spacing = egui::vec2(12.0, 12.0);
        s.spacing.interact_size.y = 44.0;
        for (style, size) in [
            (egui::TextStyle::Heading, HEADING),
            (egui::TextStyle::Body, SMALL),
            (egui::TextStyle::Button, CAPTION),
            (egui::TextStyle::Small, 16.0),
            (egui::TextStyle::Monospace, SMALL),
        ] {
            s.text_styles
                .insert(style, egui::FontId::proportional(size));
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contrast(a: Color32, b: Color32) -> f32 {
        let (x, y) = (luminance(a), luminance(b));
        (x.max(y) + 0.05) / (x.min(y) + 0.05)
    }

    #[test]
    fn high_contrast_text_is_at_least_7_to_1() {
        let p = HIGH_CONTRAST;
        for c in [p.text, p.muted, p.good, p.warn, p.bad, p.accent] {
            assert!(contrast(c, p.bg) >= 7.0, "{c:?}: {}", contrast(c, p.bg));
        }
        for fill in [p.good, p.warn, p.bad, p.accent, p.panel] {
            assert!(contrast(p.text_on(fill), fill) >= 7.0, "on {fill:?}");
        }
    }

    #[test]
    fn the_background_is_filled_only_where_the_window_was_not_cleared_to_it() {
        let ctx = egui::Context::default();
        apply(&ctx, false);
        let rect = egui::Rect::from_min_size(egui::Pos2::ZERO, egui::vec2(200.0, 100.0));
        for (cleared, fills) in [(false, 1), (true, 0)] {
            set_window_cleared_to_bg(&ctx, cleared);
            let mut out = ctx.run_ui(egui::RawInput::default(), |ui| {
                bg_fill_ui(ui.painter(), rect)
            });
            out.textures_delta.clear();
            let bg_rects = out
                .shapes
                .iter()
                .filter(|s| matches!(&s.shape, egui::Shape::Rect(r) if r.fill == BG))
                .count();
            assert_eq!(
                bg_rects, fills,
                "window cleared to the background: {cleared}"
            );
        }
    }
}
