//! The egui front end: the app shell, one file per screen, shared widgets, fonts.

pub mod app;
pub mod bidi;
pub mod fonts;
pub mod preview;
pub mod repaint;
pub mod screens;
pub mod style;
pub mod widgets;
pub mod window;

pub use app::KioskApp;

/// The kiosk's own icon (the one the package installs), not eframe's default: that one is a
/// 512x512 egui logo, 1 MB once decoded, held for the whole run.
fn window_icon() -> std::sync::Arc<egui::IconData> {
    let png = include_bytes!("../../packaging/icons/faceki-kiosk.png");
    let icon = eframe::icon_data::from_png_bytes(png).unwrap_or_else(|e| {
        tracing::warn!(error = %e, "the window icon could not be decoded; none is set");
        egui::IconData::default()
    });
    std::sync::Arc::new(icon)
}

/// Opens the kiosk window and runs until it closes.
pub fn run(rt: crate::runtime::Runtime, kiosk_mode: bool) -> anyhow::Result<()> {
    let mut viewport = egui::ViewportBuilder::default()
        .with_title("FACEKI Kiosk")
        .with_inner_size([1280.0, 800.0])
        .with_icon(window_icon());
    if kiosk_mode {
        viewport = viewport.with_fullscreen(true).with_decorations(false);
    }
    let options = eframe::NativeOptions {
        viewport,
        renderer: match rt.settings.kiosk.renderer {
            crate::config::Renderer::Glow => eframe::Renderer::Glow,
            crate::config::Renderer::Wgpu => eframe::Renderer::Wgpu,
        },
        // Dithering hides banding in gradients; the kiosk draws flat colours and text, and on a
        // software renderer the noise costs ~15% of every pixel egui shades (BENCHMARKS.md).
        dithering: false,
        ..Default::default()
    };
    eframe::run_native(
        "faceki-kiosk",
        options,
        Box::new(move |cc| Ok(Box::new(KioskApp::new(cc, rt, kiosk_mode)))),
    )
    .map_err(|e| anyhow::anyhow!("the window could not be opened: {e}"))
}
