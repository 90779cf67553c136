//! Drawing pieces shared by screens: the camera preview with its oval, text in either
//! direction, buttons, rows that mirror for Arabic.
//!
//! Any text with right-to-left letters goes through [`bidi`]: egui 0.37 has no bidi step, and
//! shapes Arabic properly only in the `arabic` font family. Such text is also wrapped here, by
//! words in logical order, because reordering works within a line, never across lines.

use egui::accesskit::Role;
use egui::text::LayoutJob;
use egui::{
    Align, Color32, FontFamily, FontId, Layout, Pos2, Rect, RichText, Sense, Shape, Stroke, Ui,
    Vec2, WidgetText, vec2,
};

use super::preview::PreviewImage;
use super::{bidi, fonts, style};
use crate::i18n::{self, Lang};
use crate::selfie::{ScreenSide, oval};

fn families(bold: bool) -> (FontFamily, FontFamily) {
    if bold {
        (fonts::bold(), fonts::arabic_bold())
    } else {
        (FontFamily::Proportional, fonts::arabic())
    }
}

fn rtl_job(text: &str, size: f32, colour: Color32, bold: bool) -> LayoutJob {
    let (ltr, rtl) = families(bold);
    bidi::job(text, size, colour, ltr, rtl)
}

/// `text` with line breaks put in (logical order) so each line fits `width`.
fn wrap_logical(ui: &Ui, text: &str, width: f32, size: f32, bold: bool) -> String {
    let measure = |s: &str| {
        ui.fonts_mut(|f| f.layout_job(rtl_job(s, size, Color32::WHITE, bold)))
            .size()
            .x
    };
    let mut lines: Vec<String> = Vec::new();
    for para in text.split('\n') {
        if measure(para) <= width {
            lines.push(para.to_owned());
            continue;
        }
        let mut line = String::new();
        for word in para.split(' ') {
            let candidate = if line.is_empty() {
                word.to_owned()
            } else {
                format!("{line} {word}")
            };
            if !line.is_empty() && measure(&candidate) > width {
                lines.push(std::mem::replace(&mut line, word.to_owned()));
            } else {
                line = candidate;
            }
        }
        lines.push(line);
    }
    lines.join("\n")
}

/// Screen readers get the logical text, not the visual runs a mixed-direction job holds.
fn label_for_a11y(resp: &egui::Response, role: Role, shown: &str, logical: &str) {
    let logical = bidi::strip_controls(logical);
    if shown != logical {
        let enabled = resp.enabled();
        resp.widget_info(|| egui::WidgetInfo::labeled(role, enabled, &logical));
    }
}

fn styled_ui(ui: &mut Ui, text: &str, size: f32, colour: Color32, bold: bool) -> egui::Response {
    if !bidi::has_rtl(text) {
        let mut rich = RichText::new(text).size(size).color(colour);
        if bold {
            rich = rich.family(fonts::bold());
        }
        return ui.label(rich);
    }
    let wrapped = wrap_logical(ui, text, ui.available_width(), size, bold);
    let job = rtl_job(&wrapped, size, colour, bold);
    let shown = job.text.clone();
    let resp = ui.add(egui::Label::new(job).wrap_mode(egui::TextWrapMode::Extend));
    label_for_a11y(&resp, Role::Label, &shown, &wrapped.replace('\n', " "));
    resp
}

/// Text in either direction (Arabic shaped and ordered via [`bidi`]).
pub fn text_ui(ui: &mut Ui, text: &str, size: f32, colour: Color32) -> egui::Response {
    styled_ui(ui, text, size, colour, false)
}

pub fn bold_text_ui(ui: &mut Ui, text: &str, size: f32, colour: Color32) -> egui::Response {
    styled_ui(ui, text, size, colour, true)
}

/// One line of text for a button or a painter, in either direction.
pub fn widget_text(text: &str, size: f32, colour: Color32, bold: bool) -> WidgetText {
    if bidi::has_rtl(text) {
        rtl_job(text, size, colour, bold).into()
    } else {
        let mut rich = RichText::new(text).size(size).color(colour);
        if bold {
            rich = rich.family(fonts::bold());
        }
        rich.into()
    }
}

/// A row with `start` at the reading start (left in English, right in Arabic) and `end` at the
/// other edge. Each group runs in reading order from its edge: `end`'s first item is outermost.
pub fn row_ui(ui: &mut Ui, rtl: bool, start: impl FnOnce(&mut Ui), end: impl FnOnce(&mut Ui)) {
    let (from_start, from_end) = if rtl {
        (
            Layout::right_to_left(Align::Center),
            Layout::left_to_right(Align::Center),
        )
    } else {
        (
            Layout::left_to_right(Align::Center),
            Layout::right_to_left(Align::Center),
        )
    };
    ui.with_layout(from_start, |ui| {
        start(ui);
        ui.with_layout(from_end, end);
    });
}

/// The live, mirrored preview filling `rect` (cropped to fill, never cutting the oval), with
/// the oval guide in `oval_colour`, `label` written under it (colour is never the only signal)
/// and, when the customer should move sideways, an arrow the way to go.
#[allow(clippy::too_many_arguments)]
pub fn preview_ui(
    ui: &mut Ui,
    image: Option<PreviewImage<'_>>,
    rect: Rect,
    oval_colour: Color32,
    label: &str,
    progress: f32,
    arrow: Option<ScreenSide>,
    lang: Lang,
) {
    let p = style::palette(ui.ctx());
    let painter = ui.painter_at(rect);
    // Nothing is filled under the image: on a CPU renderer every full-screen layer costs
    // several milliseconds a frame (the app skips its panel fill on these screens too).
    // The oval's geometry is the gate's (selfie::oval), mapped from frame to screen.
    let [w, h] = image.map_or([rect.width() as usize, rect.height() as usize], |i| {
        i.size()
    });
    let fit = oval::PreviewFit::new(w as f32, h as f32, rect.width(), rect.height());
    let at = |x: f32, y: f32| rect.min + vec2(x, y);
    let (uv, shown) = fit.shown();
    let shown = Rect::from_min_max(at(shown[0], shown[1]), at(shown[2], shown[3]));
    match image {
        Some(image) => {
            painter.add(image.shape(shown, uv));
            // Only the bars beside or above the image get the background.
            for bar in [
                Rect::from_min_max(rect.min, egui::pos2(shown.min.x, rect.max.y)),
                Rect::from_min_max(egui::pos2(shown.max.x, rect.min.y), rect.max),
                Rect::from_min_max(rect.min, egui::pos2(rect.max.x, shown.min.y)),
                Rect::from_min_max(egui::pos2(rect.min.x, shown.max.y), rect.max),
            ] {
                if bar.is_positive() {
                    style::bg_fill_ui(&painter, bar);
                }
            }
        }
        None => style::bg_fill_ui(&painter, rect),
    }
    let (c, rx, ry) = fit.oval();
    let centre = at(c.x, c.y);
    let radii = vec2(rx, ry);
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
        painter.add(Shape::line(pts, Stroke::new(6.0, p.good)));
    }
    if let Some(side) = arrow {
        // In the oval's middle (the face is off to the side), pointing the way to move: the
        // screen's side, which in the mirror is the customer's own, whatever the reading order.
        arrow_ui(
            &painter,
            centre,
            rx.min(ry) * 0.55,
            side,
            oval_colour,
            p.outline.then_some(p.text),
        );
    }
    if !label.is_empty() {
        let pos = egui::pos2(centre.x, rect.max.y - 48.0);
        let galley = if bidi::has_rtl(label) {
            painter.layout_job(rtl_job(label, style::HEADING, p.text, true))
        } else {
            painter.layout_no_wrap(
                label.to_owned(),
                FontId::new(style::HEADING, fonts::bold()),
                p.text,
            )
        };
        let bg = Rect::from_center_size(pos, galley.size() + vec2(40.0, 18.0));
        painter.rect_filled(bg, 12.0, Color32::from_black_alpha(190));
        if p.outline {
            painter.rect_stroke(bg, 12.0, Stroke::new(2.0, p.text), egui::StrokeKind::Inside);
        }
        painter.galley(bg.center() - galley.size() / 2.0, galley, p.text);
    }
    // One node for assistive tech and tests: the preview and what it says.
    let resp = ui.allocate_rect(rect, Sense::hover());
    let said = bidi::strip_controls(&i18n::camera_preview(lang, label));
    resp.widget_info(|| egui::WidgetInfo::labeled(Role::Image, true, &said));
}

/// A filled arrow of length `len` centred on `centre`, pointing to `side`, on a dark disc so it
/// reads on any picture; outlined in high contrast.
fn arrow_ui(
    painter: &egui::Painter,
    centre: Pos2,
    len: f32,
    side: ScreenSide,
    colour: Color32,
    outline: Option<Color32>,
) {
    let dir = match side {
        ScreenSide::Left => -1.0,
        ScreenSide::Right => 1.0,
    };
    painter.circle_filled(centre, len * 0.62, Color32::from_black_alpha(150));
    let (half, shaft) = (len / 2.0, len * 0.12);
    let head = len * 0.45;
    let pt = |x: f32, y: f32| centre + vec2(dir * x, y);
    // Head and shaft as two convex shapes (egui fills convex polygons only).
    let tip = [
        pt(half, 0.0),
        pt(half - head, -head * 0.8),
        pt(half - head, head * 0.8),
    ];
    let body = [
        pt(-half, -shaft),
        pt(half - head + 1.0, -shaft),
        pt(half - head + 1.0, shaft),
        pt(-half, shaft),
    ];
    let stroke = outline.map_or(Stroke::NONE, |c| Stroke::new(2.0, c));
    painter.add(Shape::convex_polygon(body.to_vec(), colour, stroke));
    painter.add(Shape::convex_polygon(tip.to_vec(), colour, stroke));
}

/// The challenge's arrow beside the oval, on the side to turn to, gliding outward and back so
/// the eye catches the direction. It moves with the paints the camera frames bring (15 a second
/// while a challenge runs): no extra repaints.
pub fn moving_arrow_ui(ui: &Ui, rect: Rect, side: ScreenSide, colour: Color32) {
    let dir = match side {
        ScreenSide::Left => -1.0,
        ScreenSide::Right => 1.0,
    };
    let t = ui.input(|i| i.time) as f32;
    let glide = (t * std::f32::consts::TAU * 0.8).sin() * 0.5 + 0.5;
    let len = (rect.height() * 0.16).clamp(60.0, 140.0);
    let centre = rect.center() + vec2(dir * (rect.height() * 0.42 + glide * len * 0.35), 0.0);
    let outline = style::palette(ui.ctx()).outline.then_some(Color32::WHITE);
    arrow_ui(&ui.painter_at(rect), centre, len, side, colour, outline);
}

/// Centred big text.
pub fn title_ui(ui: &mut Ui, text: &str, colour: Color32) {
    bold_text_ui(ui, text, style::TITLE, colour);
}

pub fn body_ui(ui: &mut Ui, text: &str) {
    let colour = style::palette(ui.ctx()).text;
    text_ui(ui, text, style::BODY, colour);
}

pub fn muted_ui(ui: &mut Ui, text: &str) {
    let colour = style::palette(ui.ctx()).muted;
    text_ui(ui, text, style::CAPTION, colour);
}

/// A status line for staff (saving, wrong PIN, invalid input); nothing when empty.
pub fn status_ui(ui: &mut Ui, status: &str) {
    if !status.is_empty() {
        let colour = style::palette(ui.ctx()).warn;
        text_ui(ui, status, style::BODY, colour);
    }
}

/// A name that may be Arabic or mixed: shaped per direction run.
pub fn name_ui(ui: &mut Ui, text: &str, size: f32, bold: bool) {
    let colour = style::palette(ui.ctx()).text;
    styled_ui(ui, text, size, colour, bold);
}

/// A large touch-friendly button.
pub fn big_button(ui: &mut Ui, text: &str, fill: Color32) -> egui::Response {
    let p = style::palette(ui.ctx());
    let label = widget_text(text, 30.0, p.text_on(fill), true);
    let mut button = egui::Button::new(label)
        .fill(fill)
        .min_size(vec2(280.0, 76.0));
    if p.outline {
        button = button.stroke(Stroke::new(3.0, p.text));
    }
    ui.add(button)
}

/// A plain button in caption size or larger, in either direction.
pub fn button_ui(ui: &mut Ui, text: &str, size: f32, min: Vec2) -> egui::Response {
    let p = style::palette(ui.ctx());
    ui.add(egui::Button::new(widget_text(text, size, p.text, false)).min_size(min))
}

/// A bar that empties as the result's display time runs out.
pub fn time_left_ui(ui: &mut Ui, fraction: f32) {
    let p = style::palette(ui.ctx());
    let (rect, _) =
        ui.allocate_exact_size(vec2(ui.available_width().min(600.0), 8.0), Sense::hover());
    ui.painter().rect_filled(rect, 4.0, p.panel);
    let mut filled = rect;
    filled.set_width(rect.width() * fraction.clamp(0.0, 1.0));
    ui.painter().rect_filled(filled, 4.0, p.muted);
}

/// A round status badge with a symbol drawn (not a font glyph, so no font can lack it). The
/// symbol's shape, not only its colour, tells a pass (tick) from anything else (exclamation).
pub fn badge_ui(ui: &mut Ui, colour: Color32, tick: bool) {
    let p = style::palette(ui.ctx());
    let (rect, _) = ui.allocate_exact_size(Vec2::splat(120.0), Sense::hover());
    let c = rect.center();
    let painter = ui.painter();
    painter.circle_filled(c, 56.0, colour);
    let mark = p.text_on(colour);
    let s = Stroke::new(10.0, mark);
    if tick {
        painter.line_segment([c + vec2(-26.0, 2.0), c + vec2(-6.0, 22.0)], s);
        painter.line_segment([c + vec2(-6.0, 22.0), c + vec2(28.0, -20.0)], s);
    } else {
        painter.line_segment([c + vec2(0.0, -28.0), c + vec2(0.0, 8.0)], s);
        painter.circle_filled(c + vec2(0.0, 26.0), 6.0, mark);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The size of `text` laid out on a `width`-wide page, and the height of one line.
    fn sizes(text: &str, width: f32) -> (Vec2, f32) {
        let ctx = egui::Context::default();
        fonts::install(&ctx);
        let input = egui::RawInput {
            screen_rect: Some(Rect::from_min_size(Pos2::ZERO, vec2(width, 800.0))),
            ..Default::default()
        };
        let mut out = (Vec2::ZERO, 0.0);
        // Fonts load on the first pass.
        for _ in 0..2 {
            let mut o = ctx.run_ui(input.clone(), |ui| {
                let many = text_ui(ui, text, style::BODY, Color32::WHITE);
                let one = text_ui(ui, "كلمة", style::BODY, Color32::WHITE);
                out = (many.rect.size(), one.rect.height());
            });
            o.textures_delta.clear();
        }
        out
    }

    #[test]
    fn long_arabic_wraps_by_words_within_the_width() {
        let text = i18n::Msg::ErrUnreachable.text(Lang::Ar);
        let (wide, line) = sizes(text, 2000.0);
        assert!((wide.y - line).abs() < 1.0, "one line when it fits");
        assert!(wide.x > 400.0);
        let (narrow, line) = sizes(text, 400.0);
        assert!(narrow.y > 1.5 * line, "{narrow:?} vs {line}");
        // The page's margins take a little of the 400.
        assert!(narrow.x <= 400.0, "{narrow:?}");
    }
}
