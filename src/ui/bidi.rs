//! Mixed-direction text for egui, which has no bidi step of its own: the text is split into
//! directional runs (Unicode Bidirectional Algorithm, `unicode-bidi`), the runs are laid out in
//! visual order, and each right-to-left run is shaped whole in the Arabic family (harfrust then
//! joins the letters and orders the glyphs).

use egui::text::{LayoutJob, TextFormat};
use egui::{Color32, FontFamily, FontId};
use unicode_bidi::{BidiInfo, Level};

/// Runs of `text` in visual (left-to-right screen) order, each with its direction.
pub fn visual_runs(text: &str, rtl_paragraph: Option<bool>) -> Vec<(String, bool)> {
    let level = rtl_paragraph.map(|rtl| if rtl { Level::rtl() } else { Level::ltr() });
    let info = BidiInfo::new(text, level);
    let mut out = Vec::new();
    for para in &info.paragraphs {
        let line = para.range.clone();
        let (levels, runs) = info.visual_runs(para, line);
        for run in runs {
            let rtl = levels[run.start].is_rtl();
            out.push((text[run].to_owned(), rtl));
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
pub fn job(
    text: &str,
    size: f32,
    color: Color32,
    ltr_family: FontFamily,
    rtl_family: FontFamily,
) -> LayoutJob {
    let mut job = LayoutJob::default();
    for (run, rtl) in visual_runs(text, None) {
        let family = if rtl {
            rtl_family.clone()
        } else {
            ltr_family.clone()
        };
        job.append(
            &run,
            0.0,
            TextFormat {
                font_id: FontId::new(size, family),
                color,
                ..TextFormat::default()
            },
        );
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
}
