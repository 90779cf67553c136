//! Mixed-direction text for egui, which has no bidi step of its own: the text is split into
//! directional runs (Unicode Bidirectional Algorithm, `unicode-bidi`), the runs are laid out in
//! visual order, and each right-to-left run is shaped whole in the Arabic family (harfrust then
//! joins the letters and orders the glyphs).

use egui::text::{LayoutJob, TextFormat};
use egui::{Color32, FontFamily, FontId};
use unicode_bidi::{BidiInfo, Level};

/// Directional formatting marks (embeddings, overrides, isolates, LRM/RLM): they steer the
/// algorithm but have no glyphs, so they are dropped before drawing.
pub fn is_control(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// `text` without its directional marks: the logical text for screen readers.
pub fn strip_controls(text: &str) -> String {
    text.chars().filter(|c| !is_control(*c)).collect()
}

/// True when `text` has a right-to-left letter (Arabic, Hebrew...) and so needs this module.
pub fn has_rtl(text: &str) -> bool {
    text.chars().any(|c| {
        matches!(
            unicode_bidi::bidi_class(c),
            unicode_bidi::BidiClass::R | unicode_bidi::BidiClass::AL
        )
    })
}

/// Runs of one line of `text` in visual (left-to-right screen) order, each with its direction.
/// Directional marks are dropped from the runs (and empty runs with them).
pub fn visual_runs(text: &str, rtl_paragraph: Option<bool>) -> Vec<(String, bool)> {
    let level = rtl_paragraph.map(|rtl| if rtl { Level::rtl() } else { Level::ltr() });
    let info = BidiInfo::new(text, level);
    let mut out = Vec::new();
    for para in &info.paragraphs {
        let line = para.range.clone();
        let (levels, runs) = info.visual_runs(para, line);
        for run in runs {
            let rtl = levels[run.start].is_rtl();
            let run = strip_controls(&text[run]);
            if !run.is_empty() {
                out.push((run, rtl));
            }
        }
    }
    out
}

/// True when the text's first strong character is right-to-left.
pub fn starts_rtl(text: &str) -> bool {
    BidiInfo::new(text, None)
        .paragraphs
        .first()
        .is_some_and(|p| p.level.is_rtl())
}

/// A layout job with `text` in visual order: RTL runs in `rtl_family`, others in `ltr_family`.
/// Each `\n`-separated line is ordered on its own (egui then stacks the lines), since the
/// algorithm reorders within a line, never across lines.
pub fn job(
    text: &str,
    size: f32,
    color: Color32,
    ltr_family: FontFamily,
    rtl_family: FontFamily,
) -> LayoutJob {
    let mut job = LayoutJob::default();
    // Top-aligned: Noto Sans and Noto Naskh share their ascent but not their descent, so
    // runs of both sit on one baseline only when hung from the top of the row.
    let format = |family: &FontFamily| TextFormat {
        font_id: FontId::new(size, family.clone()),
        color,
        valign: egui::Align::TOP,
        ..TextFormat::default()
    };
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            job.append("\n", 0.0, format(&ltr_family));
        }
        for (run, rtl) in visual_runs(line, None) {
            let family = if rtl { &rtl_family } else { &ltr_family };
            job.append(&run, 0.0, format(family));
        }
    }
    job
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arabic_name_is_one_rtl_run() {
        let runs = visual_runs("إيلين ماري سبيسمن", None);
        assert_eq!(runs, vec![("إيلين ماري سبيسمن".to_owned(), true)]);
        assert!(starts_rtl("إيلين ماري"));
        assert!(!starts_rtl("Eileen"));
    }

    #[test]
    fn mixed_text_is_split_and_ordered_for_the_screen() {
        // Logical: Arabic word, then a Latin name, then Arabic again, in an RTL paragraph.
        let runs = visual_runs("مرحبا Eileen شكرا", None);
        let texts: Vec<&str> = runs.iter().map(|(t, _)| t.as_str()).collect();
        // On screen (left to right): the last Arabic word first, the Latin name, the first word.
        assert_eq!(texts.len(), 3);
        assert!(texts[0].contains("شكرا"));
        assert!(texts[1].contains("Eileen"));
        assert!(texts[2].contains("مرحبا"));
        assert_eq!(
            runs.iter().map(|r| r.1).collect::<Vec<_>>(),
            vec![true, false, true]
        );
        // Digits inside Arabic stay left-to-right.
        let runs = visual_runs("رقم 3316", None);
        assert!(runs.iter().any(|(t, rtl)| t.contains("3316") && !rtl));
    }

    #[test]
    fn an_isolated_number_keeps_its_shape_in_arabic() {
        // Without the isolate the bullets would land on the digits' right.
        let runs = visual_runs("رقم الوثيقة \u{2066}•••••3316\u{2069}", None);
        assert_eq!(runs[0], ("•••••3316".to_owned(), false));
        assert!(runs.iter().all(|(t, _)| !t.chars().any(is_control)));
        assert!(has_rtl("رقم") && !has_rtl("Code 8006 •"));
    }

    #[test]
    fn lines_are_ordered_each_on_its_own() {
        let job = job(
            "مرحبا Eileen\nشكرا",
            20.0,
            Color32::WHITE,
            FontFamily::Proportional,
            FontFamily::Monospace,
        );
        assert_eq!(job.text, "Eileenمرحبا \nشكرا");
    }
}
