//! Bundled fonts: Noto Sans for Latin, Noto Naskh Arabic in a family of its own.
//!
//! egui 0.37 shapes each run of one font with harfrust, but splits runs by font per grapheme:
//! with Arabic only as a fallback, the spaces between Arabic words come from the Latin font and
//! the words land in the wrong order. Arabic text therefore uses the `arabic` family, whose
//! first font has Arabic glyphs *and* spaces, so a whole RTL run is shaped at once.

use std::sync::Arc;

use egui::{FontData, FontDefinitions, FontFamily};

pub const ARABIC: &str = "arabic";
pub const ARABIC_BOLD: &str = "arabic-bold";
pub const BOLD: &str = "bold";

pub fn arabic() -> FontFamily {
    FontFamily::Name(ARABIC.into())
}

pub fn arabic_bold() -> FontFamily {
    FontFamily::Name(ARABIC_BOLD.into())
}

pub fn bold() -> FontFamily {
    FontFamily::Name(BOLD.into())
}

pub fn definitions() -> FontDefinitions {
    let mut fonts = FontDefinitions::default();
    let add = |fonts: &mut FontDefinitions, name: &str, bytes: &'static [u8]| {
        fonts
            .font_data
            .insert(name.to_owned(), Arc::new(FontData::from_static(bytes)));
    };
    add(
        &mut fonts,
        "noto-sans",
        include_bytes!("../../assets/fonts/NotoSans-Regular.ttf"),
    );
    add(
        &mut fonts,
        "noto-sans-bold",
        include_bytes!("../../assets/fonts/NotoSans-Bold.ttf"),
    );
    add(
        &mut fonts,
        "noto-naskh",
        include_bytes!("../../assets/fonts/NotoNaskhArabic-Regular.ttf"),
    );
    add(
        &mut fonts,
        "noto-naskh-bold",
        include_bytes!("../../assets/fonts/NotoNaskhArabic-Bold.ttf"),
    );
    let owned = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let defaults = fonts
        .families
        .get(&FontFamily::Proportional)
        .cloned()
        .unwrap_or_default();
    // Latin first; Arabic as a last resort for stray glyphs (whole Arabic runs use `arabic`).
    let mut proportional = owned(&["noto-sans"]);
    proportional.extend(defaults.iter().cloned());
    proportional.push("noto-naskh".into());
    fonts
        .families
        .insert(FontFamily::Proportional, proportional);
    let mut bold = owned(&["noto-sans-bold"]);
    bold.extend(defaults.iter().cloned());
    bold.push("noto-naskh-bold".into());
    fonts.families.insert(FontFamily::Name(BOLD.into()), bold);
    fonts.families.insert(
        FontFamily::Name(ARABIC.into()),
        owned(&["noto-naskh", "noto-sans"]),
    );
    fonts.families.insert(
        FontFamily::Name(ARABIC_BOLD.into()),
        owned(&["noto-naskh-bold", "noto-sans-bold"]),
    );
    if let Some(mono) = fonts.families.get_mut(&FontFamily::Monospace) {
        mono.push("noto-sans".into());
    }
    fonts
}

pub fn install(ctx: &egui::Context) {
    ctx.set_fonts(definitions());
}

/// Checks that the bundled fonts load and cover Latin and Arabic text (for `doctor`).
pub fn check() -> Result<(), String> {
    let mut fonts = egui::epaint::Fonts::new(egui::epaint::TextOptions::default(), definitions());
    let samples = [
        (FontFamily::Proportional, "Welcome, Eileen 0123"),
        (bold(), "Welcome"),
        (arabic(), "مرحباً، إيلين ماري ٠١٢٣"),
        (arabic_bold(), "مرحباً"),
    ];
    for (family, text) in samples {
        let id = egui::FontId::new(24.0, family.clone());
        if !fonts.has_glyphs(&id, text) {
            return Err(format!("the {family:?} font cannot draw {text:?}"));
        }
    }
    Ok(())
}
