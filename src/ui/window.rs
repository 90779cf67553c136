//! The kiosk window in kiosk mode: a request to close it asks for the staff PIN, and the mouse
//! cursor hides while nobody uses it.

use std::time::{Duration, Instant};

/// The cursor hides after this long without input.
const HIDE_CURSOR_AFTER: Duration = Duration::from_secs(5);

pub struct KioskWindow {
    kiosk_mode: bool,
    last_input: Instant,
    cursor_hidden: bool,
    /// Staff chose "Exit kiosk": the next close request is let through.
    quitting: bool,
}

impl KioskWindow {
    pub fn new(kiosk_mode: bool) -> Self {
        Self {
            kiosk_mode,
            last_input: Instant::now(),
            cursor_hidden: false,
            quitting: false,
        }
    }

    /// Handles this frame's window input. True when a close request was refused and should
    /// ask for the PIN instead.
    pub fn update(&mut self, ctx: &egui::Context) -> bool {
        if !self.kiosk_mode {
            return false;
        }
        let refused = ctx.input(|i| i.viewport().close_requested()) && !self.quitting;
        if refused {
            ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
        }
        let used = ctx.input(|i| {
            i.pointer.delta() != egui::Vec2::ZERO || i.pointer.any_down() || !i.events.is_empty()
        });
        if used {
            self.last_input = Instant::now();
            if self.cursor_hidden {
                ctx.send_viewport_cmd(egui::ViewportCommand::CursorVisible(true));
                self.cursor_hidden = false;
            }
        } else if !self.cursor_hidden && self.last_input.elapsed() > HIDE_CURSOR_AFTER {
            ctx.send_viewport_cmd(egui::ViewportCommand::CursorVisible(false));
            self.cursor_hidden = true;
        }
        refused
    }

    /// Staff's "Exit kiosk" (behind the PIN): close for real.
    pub fn quit(&mut self, ctx: &egui::Context) {
        self.quitting = true;
        ctx.send_viewport_cmd(egui::ViewportCommand::Close);
    }
}
