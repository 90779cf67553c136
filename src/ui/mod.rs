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

/// Opens the kiosk window and runs until it closes.
pub fn run(rt: crate::runtime::Runtime, kiosk_mode: bool) -> anyhow::Result<()> {
    let mut viewport = egui::ViewportBuilder::default()
        .with_title("FACEKI Kiosk")
        .with_inner_size([1280.0, 800.0]);
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
