//! Drawing pieces shared by screens: the camera preview with its oval, big text, buttons.

use egui::{
    Align2, Color32, FontId, Pos2, Rect, RichText, Sense, Shape, Stroke, TextureHandle, Ui, Vec2,
    vec2,
};

use super::{bidi, fonts, style};

/// The live, mirrored preview filling `rect` (cropped to fill), with the oval guide in
/// `oval_colour` and `label` written under it (colour is never the only signal).
pub fn preview_ui(
    ui: &mut Ui,
    tex: Option<&TextureHandle>,
    rect: Rect,
    oval_colour: Color32,
    label: &str,
    progress: f32,
) {
    let painter = ui.painter_at(rect);
    painter.rect_filled(rect, 0.0, Color32::BLACK);
    if let Some(tex) = tex {
        let [w, h] = tex.size();
        let img_aspect = w as f32 / h.max(1) as f32;
        let rect_aspect = rect.width() / rect.height().max(1.0);
        // Crop the image to the rect's aspect, keeping the centre (where the oval is).
        let uv = if img_aspect > rect_aspect {
            let keep = rect_aspect / img_aspect;
            Rect::from_min_max(
                egui::pos2((1.0 - keep) / 2.0, 0.0),
                egui::pos2((1.0 + keep) / 2.0, 1.0),
            )
        } else {
            let keep = img_aspect / rect_aspect;
            Rect::from_min_max(
                egui::pos2(0.0, (1.0 - keep) / 2.0),
                egui::pos2(1.0, (1.0 + keep) / 2.0),
            )
        };
        painter.image(tex.id(), rect, uv, Color32::WHITE);
    }
    // The gate judges the centred square of the frame; the oval sits inside it.
    let side = rect.height().min(rect.width());
    let centre = rect.center();
    let dim = Color32::from_black_alpha(140);
    let square = Rect::from_center_size(centre, Vec2::splat(side));
    painter.rect_filled(
        Rect::from_min_max(rect.min, egui::pos2(square.min.x, rect.max.y)),
        0.0,
        dim,
    );
    painter.rect_filled(
        Rect::from_min_max(egui::pos2(square.max.x, rect.min.y), rect.max),
        0.0,
        dim,
    );
    let radii = vec2(side * 0.31, side * 0.42);
    painter.add(Shape::ellipse_stroke(
        centre,
        radii,
        Stroke::new(7.0, oval_colour),
    ));
    if progress > 0.0 {
        // The steady spell fills an arc around the oval.
        let n = 64;
        let pts: Vec<Pos2> = (0..=((n as f32 * progress) as usize))
            .map(|i| {
                let a = -std::f32::consts::FRAC_PI_2 + i as f32 / n as f32 * std::f32::consts::TAU;
                centre + vec2(a.cos() * (radii.x + 14.0), a.sin() * (radii.y + 14.0))
            })
            .collect();
        painter.add(Shape::line(pts, Stroke::new(6.0, style::GOOD)));
    }
    if !label.is_empty() {
        let pos = egui::pos2(centre.x, rect.max.y - 48.0);
        let galley = painter.layout_no_wrap(
            label.to_owned(),
            FontId::new(style::HEADING, fonts::bold()),
            style::TEXT,
        );
        let bg = Rect::from_center_size(pos, galley.size() + vec2(40.0, 18.0));
        painter.rect_filled(bg, 12.0, Color32::from_black_alpha(190));
        painter.galley(bg.center() - galley.size() / 2.0, galley, style::TEXT);
    }
    // One node for assistive tech and tests: the preview and what it says.
    let resp = ui.allocate_rect(rect, Sense::hover());
    resp.widget_info(|| {
        egui::WidgetInfo::labeled(
            egui::accesskit::Role::Image,
            true,
            format!("Camera preview. {label}"),
        )
    });
}

/// Centred big text.
pub fn title_ui(ui: &mut Ui, text: &str, colour: Color32) {
    ui.label(
        RichText::new(text)
            .size(style::TITLE)
            .family(fonts::bold())
            .color(colour),
    );
}

pub fn body_ui(ui: &mut Ui, text: &str) {
    ui.label(RichText::new(text).size(style::BODY).color(style::TEXT));
}

pub fn muted_ui(ui: &mut Ui, text: &str) {
    ui.label(RichText::new(text).size(style::SMALL).color(style::MUTED));
}

/// A status line for staff (saving, wrong PIN, invalid input); nothing when empty.
pub fn status_ui(ui: &mut Ui, status: &str) {
    if !status.is_empty() {
        ui.label(RichText::new(status).size(style::BODY).color(style::WARN));
    }
}

/// A name that may be Arabic or mixed: shaped per direction run.
pub fn name_ui(ui: &mut Ui, text: &str, size: f32, bold: bool) {
    let (ltr, rtl) = if bold {
        (fonts::bold(), fonts::arabic_bold())
    } else {
        (egui::FontFamily::Proportional, fonts::arabic())
    };
    let job = bidi::job(text, size, style::TEXT, ltr, rtl);
    ui.label(job);
}

/// A large touch-friendly button.
pub fn big_button(ui: &mut Ui, text: &str, fill: Color32) -> egui::Response {
    ui.add(
        egui::Button::new(
            RichText::new(text)
                .size(30.0)
                .family(fonts::bold())
                .color(Color32::WHITE),
        )
        .fill(fill)
        .min_size(vec2(280.0, 76.0)),
    )
}

/// A bar that empties as the result's display time runs out.
pub fn time_left_ui(ui: &mut Ui, fraction: f32) {
    let (rect, _) =
        ui.allocate_exact_size(vec2(ui.available_width().min(600.0), 8.0), Sense::hover());
    ui.painter().rect_filled(rect, 4.0, style::PANEL);
    let mut filled = rect;
    filled.set_width(rect.width() * fraction.clamp(0.0, 1.0));
    ui.painter().rect_filled(filled, 4.0, style::MUTED);
}

/// A round status badge with a symbol drawn (not a font glyph, so no font can lack it).
pub fn badge_ui(ui: &mut Ui, colour: Color32, tick: bool) {
    let (rect, _) = ui.allocate_exact_size(Vec2::splat(120.0), Sense::hover());
    let c = rect.center();
    let p = ui.painter();
    p.circle_filled(c, 56.0, colour);
    let s = Stroke::new(10.0, Color32::WHITE);
    if tick {
        p.line_segment([c + vec2(-26.0, 2.0), c + vec2(-6.0, 22.0)], s);
        p.line_segment([c + vec2(-6.0, 22.0), c + vec2(28.0, -20.0)], s);
    } else {
        p.line_segment([c + vec2(0.0, -28.0), c + vec2(0.0, 8.0)], s);
        p.circle_filled(c + vec2(0.0, 26.0), 6.0, Color32::WHITE);
    }
    let _ = Align2::CENTER_CENTER;
}
