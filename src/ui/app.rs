//! The kiosk app: owns the flow and the runtime, turns camera/gate/results into flow events,
//! carries out the flow's effects through the runtime, and draws the screen on show.

use std::sync::Arc;
use std::time::{Duration, Instant};

use egui::{ColorImage, RichText, TextureHandle, TextureOptions};

use super::screens::admin::{AdminAction, AdminPanel};
use super::screens::checkins::{CheckinsAction, CheckinsView};
use super::screens::pin::PinPad;
use super::screens::result::IdImageView;
use super::screens::setup::SetupScreen;
use super::screens::{AdminTab, UiAction, customer, result};
use super::{fonts, style, widgets};
use crate::camera::CameraStatus;
use crate::i18n::{self, Lang, Msg};
use crate::kiosk::pin::PinGuard;
use crate::kiosk::{Effect, Event, Flow, GateView, Screen};
use crate::runtime::{Runtime, RuntimeEvent};

/// A camera that streams but has sent nothing for this long counts as lost (a hung driver).
const STALE_FRAME: Duration = Duration::from_secs(4);

enum IdImageState {
    None,
    Loading(String),
    Shown(TextureHandle),
    Failed,
}

pub struct KioskApp {
    pub rt: Runtime,
    pub flow: Flow,
    /// The language on screen: the configured one, or the visitor's pick until the visit ends.
    pub lang: Lang,
    start: Instant,
    preview: Option<TextureHandle>,
    preview_seq: u64,
    gate_seq: u64,
    gate_view: Option<GateView>,
    camera_ok: bool,
    id_image: IdImageState,
    pin_open: bool,
    pin: PinPad,
    pin_guard: PinGuard,
    admin: AdminPanel,
    admin_tab: AdminTab,
    checkins: CheckinsView,
    setup: SetupScreen,
    kiosk_mode: bool,
    last_input: Instant,
    cursor_hidden: bool,
    quit: bool,
    waker: Arc<dyn Fn() + Send + Sync>,
    /// Whether camera frames should wake the UI (someone is being guided). With nobody there
    /// the preview refreshes on the slower tick: repainting at camera rate all day costs CPU.
    live: Arc<std::sync::atomic::AtomicBool>,
    /// Whether a face appearing should wake the UI (the attract screen is showing).
    watch: Arc<std::sync::atomic::AtomicBool>,
    chimes: Option<crate::sound::Chimes>,
    preview_at: Option<Instant>,
    passes: u32,
    passes_at: Instant,
    /// Longest `logic` + `ui` time seen, for the frame-time measurement.
    pub slowest_frame: Duration,
}

impl KioskApp {
    pub fn new(ctx: &egui::Context, rt: Runtime, kiosk_mode: bool) -> Self {
        fonts::install(ctx);
        style::apply(ctx, rt.settings.kiosk.high_contrast);
        let lang = Lang::from_setting(&rt.settings.kiosk.language);
        let repaint = ctx.clone();
        let waker: Arc<dyn Fn() + Send + Sync> = Arc::new(move || repaint.request_repaint());
        let live = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (w, l) = (Arc::clone(&waker), Arc::clone(&live));
        rt.camera.set_waker(move || {
            if l.load(std::sync::atomic::Ordering::Relaxed) {
                w();
            }
        });
        // The gate wakes the UI while someone is guided, or when a face appears on the attract
        // screen; with nobody there the 1 s tick is enough (each paint is costly on a CPU).
        let watch = Arc::new(std::sync::atomic::AtomicBool::new(true));
        let (w, l, v) = (Arc::clone(&waker), Arc::clone(&live), Arc::clone(&watch));
        rt.gate.set_waker(move |someone| {
            let relaxed = std::sync::atomic::Ordering::Relaxed;
            if l.load(relaxed) || (someone && v.load(relaxed)) {
                w();
            }
        });
        // Without a staff PIN nobody could open the admin panel or leave kiosk mode: set-up
        // first, even when the credentials came from the config file or the environment.
        let configured = rt.configured() && !rt.settings.kiosk.pin_hash.is_empty();
        let flow = Flow::new(rt.settings.kiosk.flow(), configured);
        let admin = AdminPanel::new(&rt.settings);
        let setup = SetupScreen::new(&rt.settings);
        Self {
            rt,
            flow,
            lang,
            start: Instant::now(),
            preview: None,
            preview_seq: 0,
            gate_seq: 0,
            gate_view: None,
            camera_ok: true,
            id_image: IdImageState::None,
            pin_open: false,
            pin: PinPad::default(),
            pin_guard: PinGuard::default(),
            admin,
            admin_tab: AdminTab::default(),
            checkins: CheckinsView::default(),
            setup,
            kiosk_mode,
            last_input: Instant::now(),
            cursor_hidden: false,
            quit: false,
            waker,
            live,
            watch,
            chimes: None,
            preview_at: None,
            passes: 0,
            passes_at: Instant::now(),
            slowest_frame: Duration::ZERO,
        }
    }

    /// Keeps the slowest `logic`/`ui` time after start-up (font atlas and first textures
    /// excluded): what a customer would feel.
    fn note_frame_time(&mut self, took: Duration) {
        if took > self.slowest_frame && self.start.elapsed() > Duration::from_secs(3) {
            self.slowest_frame = took;
            tracing::debug!(ms = took.as_secs_f64() * 1e3, "slowest UI frame so far");
        }
    }

    /// The language each visitor starts in.
    pub fn default_lang(&self) -> Lang {
        Lang::from_setting(&self.rt.settings.kiosk.language)
    }

    fn now(&self) -> Duration {
        self.start.elapsed()
    }

    fn wake(&self) -> impl Fn() + Send + Sync + 'static {
        let w = Arc::clone(&self.waker);
        move || w()
    }

    fn send(&mut self, event: Event) {
        let now = self.now();
        let effects = self.flow.handle(event, now);
        for fx in effects {
            self.apply(fx);
        }
    }

    fn apply(&mut self, fx: Effect) {
        match fx {
            Effect::StartCheck { check } => {
                let w = self.wake();
                self.rt.start_check(check, w);
            }
            Effect::CancelCheck { check } => self.rt.cancel_check(check),
            // Not shown at this site: not even downloaded.
            Effect::FetchIdImage { .. } if !self.rt.settings.kiosk.show_id_image => {}
            Effect::FetchIdImage { url } => {
                self.id_image = IdImageState::Loading(url.clone());
                let w = self.wake();
                self.rt.fetch_id_image(url, w);
            }
            Effect::ClearPersonalData => self.id_image = IdImageState::None,
            Effect::ResetGate => {
                self.rt.gate.clear();
                self.gate_view = None;
            }
            Effect::Record { outcome, took } => {
                let w = self.wake();
                self.rt.record(&outcome, took, w)
            }
            Effect::Sound(cue) => {
                if self.rt.settings.kiosk.sound {
                    // Opened on first use: a kiosk with sound off never touches the device.
                    self.chimes
                        .get_or_insert_with(crate::sound::Chimes::start)
                        .play(cue);
                }
            }
            Effect::VisitEnded => self.lang = self.default_lang(),
        }
    }

    /// Camera, gate and results into flow events; textures updated in place.
    fn poll(&mut self, ctx: &egui::Context) {
        // Camera health.
        let status = self.rt.camera.status();
        let latest = self.rt.camera.latest();
        let stale = latest
            .as_ref()
            .is_none_or(|f| f.captured_at.elapsed() > STALE_FRAME);
        let ok = match &status {
            CameraStatus::Streaming { .. } => !stale || self.now() < STALE_FRAME,
            CameraStatus::Starting => true,
            _ => false,
        };
        if ok != self.camera_ok {
            self.camera_ok = ok;
            let event = if ok {
                Event::CameraBack
            } else {
                let reason = match status {
                    CameraStatus::Disconnected { reason, .. } => reason,
                    _ => "no frames".into(),
                };
                Event::CameraLost { reason }
            };
            self.send(event);
        }
        // Preview at camera rate: one texture, updated in place.
        // While nobody is guided, refresh slowly: a texture upload makes egui paint again.
        let live = self.live.load(std::sync::atomic::Ordering::Relaxed);
        let due = live
            || self
                .preview_at
                .is_none_or(|t| t.elapsed() >= Duration::from_secs(1));
        if let Some(frame) = latest.filter(|f| f.seq != self.preview_seq && due) {
            self.preview_seq = frame.seq;
            self.preview_at = Some(Instant::now());
            let p = &frame.preview;
            let img =
                ColorImage::from_rgba_unmultiplied([p.width as usize, p.height as usize], &p.rgba);
            match &mut self.preview {
                Some(tex) => tex.set(img, TextureOptions::LINEAR),
                None => {
                    tracing::info!(
                        after_ms = self.start.elapsed().as_millis() as u64,
                        since_process_start_ms = crate::PROCESS_START
                            .get()
                            .map(|t| t.elapsed().as_millis() as u64),
                        "first camera frame on screen"
                    );
                    self.preview =
                        Some(ctx.load_texture("camera-preview", img, TextureOptions::LINEAR))
                }
            }
        }
        // The gate's newest judgement.
        if let Some(out) = self
            .rt
            .gate
            .latest()
            .filter(|o| o.frame.seq != self.gate_seq)
        {
            self.gate_seq = out.frame.seq;
            let view = GateView {
                verdict: out.report.verdict,
                hint: out.report.hint,
                someone: !out.report.faces.is_empty(),
                ready: out.ready,
                progress: out.progress,
            };
            self.gate_view = Some(view);
            self.send(Event::Gate(view));
        }
        // Results of background work.
        for ev in self.rt.drain() {
            match ev {
                RuntimeEvent::CheckFinished { check, outcome } => {
                    self.send(Event::CheckFinished { check, outcome })
                }
                RuntimeEvent::IdImage { url, result } => {
                    // Only for the pass still on screen.
                    if matches!(&self.id_image, IdImageState::Loading(u) if *u == url) {
                        self.id_image = match result {
                            Ok(img) => {
                                let ci = ColorImage::from_rgba_unmultiplied(
                                    [img.width as usize, img.height as usize],
                                    &img.rgba,
                                );
                                IdImageState::Shown(ctx.load_texture(
                                    "id-image",
                                    ci,
                                    TextureOptions::LINEAR,
                                ))
                            }
                            Err(_) => IdImageState::Failed,
                        };
                    }
                }
                // The admin panel is in English for now: its status lines too.
                RuntimeEvent::ConnectionTested(r) => {
                    self.admin.connection = match r {
                        Ok(_) => Msg::Connected.text(Lang::En).into(),
                        Err(e) => i18n::not_connected(Lang::En, &e.to_string()),
                    };
                }
                RuntimeEvent::PinChecked { ok } => self.pin_result(ok),
                RuntimeEvent::SettingsSaved { result, pin_hash } => {
                    self.rt.apply_saved_pin(pin_hash);
                    let msg = |lang| match &result {
                        Ok(()) => Msg::Saved.text(lang).to_owned(),
                        Err(e) => i18n::could_not_save(lang, e),
                    };
                    self.admin.status = msg(Lang::En);
                    // The new settings may change the language and the theme.
                    self.lang = self.default_lang();
                    self.setup.status = msg(self.lang);
                    style::apply(ctx, self.rt.settings.kiosk.high_contrast);
                    if self.flow.screen() == &Screen::Setup && self.rt.configured() {
                        let configured = self.rt.configured();
                        self.send(Event::AdminClosed { configured });
                    }
                }
                RuntimeEvent::CheckinLog(e) => {
                    self.rt.checkin_error = e;
                }
                RuntimeEvent::Checkins(r) => match r {
                    Ok(rows) => self.checkins.rows = rows,
                    Err(e) => self.checkins.status = format!("Check-ins could not be read: {e}"),
                },
                RuntimeEvent::Exported(r) => {
                    self.checkins.status = match r {
                        Ok((n, path)) => format!("{n} check-ins written to {}", path.display()),
                        Err(e) => format!("Export failed: {e}"),
                    }
                }
                RuntimeEvent::Cameras(r) => match r {
                    Ok(list) => {
                        if list.is_empty() {
                            self.admin.status = Msg::NoCamera.text(Lang::En).into();
                        }
                        self.admin.cameras = list;
                    }
                    Err(e) => {
                        self.admin.status = i18n::cameras_not_listed(Lang::En, &e.to_string())
                    }
                },
            }
        }
        self.send(Event::Tick);
    }

    fn pin_result(&mut self, ok: bool) {
        let now = self.now();
        self.pin.busy = false;
        let left = self.pin_guard.record(ok, now);
        if ok {
            self.pin_open = false;
            self.pin.reset();
            let scenario = self.rt.sim().map(|s| s.scenario());
            self.admin.open(&self.rt.settings, scenario);
            self.admin_tab = AdminTab::Settings;
            self.checkins.rows.clear();
            self.send(Event::AdminOpened);
        } else if left == 0 {
            self.pin.status = Msg::TooManyWrongPins.text(self.lang).into();
        } else {
            self.pin.status = i18n::wrong_pin(self.lang, left);
        }
    }

    fn act(&mut self, ctx: &egui::Context, action: UiAction) {
        match action {
            UiAction::CaptureNow => self.send(Event::CaptureNow),
            UiAction::Cancel => self.send(Event::Cancel),
            UiAction::Dismiss => self.send(Event::Dismiss),
            UiAction::OpenPin => {
                self.pin.reset();
                self.pin_open = true;
            }
            UiAction::ClosePin => self.pin_open = false,
            UiAction::SwitchLanguage(lang) => {
                self.lang = lang;
                // A tap means someone is there, face in view or not: their visit has begun.
                self.send(Event::Touch);
            }
            UiAction::PinEntered(pin) => {
                let now = self.now();
                match self.pin_guard.check_allowed(now) {
                    Err(left) => self.pin.status = i18n::pin_locked(self.lang, left.as_secs()),
                    Ok(()) => {
                        self.pin.busy = true;
                        self.pin.status = Msg::Checking.text(self.lang).into();
                        let w = self.wake();
                        self.rt.check_pin(pin, w);
                    }
                }
            }
            UiAction::Setup { settings, pin } => {
                let w = self.wake();
                self.rt.save_settings(*settings, Some(pin), w);
            }
            UiAction::AdminTab(tab) => {
                self.admin_tab = tab;
                if tab == AdminTab::Checkins {
                    self.refresh_checkins();
                }
            }
            UiAction::Checkins(a) => {
                let w = self.wake();
                match a {
                    CheckinsAction::Query(q) => self.rt.query_checkins(q, w),
                    CheckinsAction::Export { since, out } => self.rt.export_checkins(since, out, w),
                }
            }
            UiAction::Admin(a) => match a {
                AdminAction::Save { settings, new_pin } => {
                    self.flow.settings = settings.kiosk.flow();
                    let w = self.wake();
                    self.rt.save_settings(*settings, new_pin, w);
                }
                AdminAction::TestConnection => {
                    self.admin.connection = Msg::Testing.text(Lang::En).into();
                    let w = self.wake();
                    self.rt.test_connection(w);
                }
                AdminAction::ListCameras => {
                    let w = self.wake();
                    self.rt.list_cameras(w);
                }
                AdminAction::SetScenario(s) => self.rt.set_scenario(s),
                AdminAction::Close => {
                    self.lang = self.default_lang();
                    let configured = self.rt.configured();
                    self.send(Event::AdminClosed { configured });
                }
                AdminAction::Quit => {
                    self.quit = true;
                    ctx.send_viewport_cmd(egui::ViewportCommand::Close);
                }
            },
        }
    }

    fn refresh_checkins(&mut self) {
        if self.checkins.export_to.is_empty() {
            self.checkins.export_to = self.rt.export_path().display().to_string();
        }
        let w = self.wake();
        self.rt.query_checkins(self.checkins.query(), w);
    }

    fn kiosk_window(&mut self, ctx: &egui::Context) {
        if !self.kiosk_mode {
            return;
        }
        // Leaving kiosk mode needs the PIN: a close request opens the PIN pad instead.
        if ctx.input(|i| i.viewport().close_requested()) && !self.quit {
            ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
            self.pin.reset();
            self.pin_open = true;
        }
        let moved = ctx.input(|i| {
            i.pointer.delta() != egui::Vec2::ZERO || i.pointer.any_down() || !i.events.is_empty()
        });
        if moved {
            self.last_input = Instant::now();
            if self.cursor_hidden {
                ctx.send_viewport_cmd(egui::ViewportCommand::CursorVisible(true));
                self.cursor_hidden = false;
            }
        } else if !self.cursor_hidden && self.last_input.elapsed() > Duration::from_secs(5) {
            ctx.send_viewport_cmd(egui::ViewportCommand::CursorVisible(false));
            self.cursor_hidden = true;
        }
    }

    fn screen_ui(&mut self, ui: &mut egui::Ui) -> Option<UiAction> {
        if self.pin_open {
            let locked = self.pin_guard.is_locked(self.now());
            return self.pin.ui(ui, locked, self.lang);
        }
        let now = self.now();
        let tex = self.preview.as_ref();
        // After a pass the next person taps to start (auto-capture waits for the last to leave).
        let manual = !self.flow.settings.auto_capture || self.flow.awaiting_departure();
        let lang = self.lang;
        match self.flow.screen().clone() {
            Screen::Setup => self.setup.ui(ui, &self.rt.settings, lang),
            Screen::Attract => customer::positioning_ui(ui, tex, None, manual, lang),
            Screen::Positioning { gate } => {
                customer::positioning_ui(ui, tex, Some(&gate), manual, lang)
            }
            Screen::Countdown { until } => {
                customer::countdown_ui(ui, tex, until.saturating_sub(now).as_secs() + 1, lang);
                None
            }
            Screen::Verifying { .. } => customer::verifying_ui(ui, lang),
            Screen::Result { outcome, until } => {
                let total = if outcome.is_pass() {
                    self.flow.settings.pass_display
                } else {
                    self.flow.settings.fail_display
                };
                let left = until.saturating_sub(now).as_secs_f32() / total.as_secs_f32().max(0.001);
                let img = match &self.id_image {
                    _ if !self.rt.settings.kiosk.show_id_image => IdImageView::Hidden,
                    IdImageState::None => IdImageView::None,
                    IdImageState::Loading(_) => IdImageView::Loading,
                    IdImageState::Shown(t) => IdImageView::Shown(t),
                    IdImageState::Failed => IdImageView::Failed,
                };
                result::result_ui(ui, &outcome, img, left, lang)
            }
            Screen::CameraMissing { reason } => customer::camera_missing_ui(ui, &reason, lang),
            Screen::ServiceUnavailable { kind, detail, .. } => {
                customer::service_ui(ui, kind, &detail, lang)
            }
            Screen::Cooldown { until } => {
                customer::cooldown_ui(ui, until.saturating_sub(now).as_secs(), lang)
            }
            Screen::Admin => {
                egui::Frame::new()
                    .inner_margin(egui::Margin::symmetric(24, 12))
                    .show(ui, |ui| self.admin_ui(ui))
                    .inner
            }
        }
    }

    /// The admin panel: its two tabs, settings and check-ins.
    fn admin_ui(&mut self, ui: &mut egui::Ui) -> Option<UiAction> {
        let mut action = None;
        ui.horizontal(|ui| {
            for (tab, label) in [
                (AdminTab::Settings, "Settings"),
                (AdminTab::Checkins, "Check-ins"),
            ] {
                if ui
                    .selectable_label(
                        self.admin_tab == tab,
                        RichText::new(label).size(style::BODY),
                    )
                    .clicked()
                {
                    action = Some(UiAction::AdminTab(tab));
                }
            }
        });
        ui.separator();
        let demo = self.rt.is_demo();
        let shown = match self.admin_tab {
            AdminTab::Settings => self.admin.ui(ui, &self.rt.counters, demo),
            AdminTab::Checkins => {
                let fleet = self.rt.fleet_warning();
                self.checkins
                    .ui(ui, self.rt.checkin_error.as_deref(), fleet.as_deref())
            }
        };
        action.or(shown)
    }
}

impl eframe::App for KioskApp {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        let t0 = Instant::now();
        self.passes += 1;
        if self.passes_at.elapsed() >= Duration::from_secs(5) {
            let rate = self.passes as f32 / self.passes_at.elapsed().as_secs_f32();
            tracing::debug!(passes_per_s = rate, screen = ?std::mem::discriminant(self.flow.screen()), "UI repaint rate");
            self.passes = 0;
            self.passes_at = Instant::now();
        }
        self.poll(ctx);
        self.kiosk_window(ctx);
        // Timers (result display, cooldown, idle) need a tick even when nothing else happens.
        let screen = self.flow.screen();
        let live = matches!(
            screen,
            Screen::Positioning { .. } | Screen::Countdown { .. }
        ) && !self.pin_open;
        self.live.store(live, std::sync::atomic::Ordering::Relaxed);
        let watch = matches!(screen, Screen::Attract) && !self.pin_open;
        self.watch
            .store(watch, std::sync::atomic::Ordering::Relaxed);
        let busy = matches!(screen, Screen::Verifying { .. }) || self.pin.busy;
        // Each paint costs real CPU where there is no GPU (software rendering): tick only as
        // often as the screen can change. The gate's and the camera's wake-ups come on top.
        let tick = match screen {
            Screen::Verifying { .. } => Duration::ZERO,
            Screen::Result { .. } | Screen::Countdown { .. } | Screen::Positioning { .. } => {
                Duration::from_millis(250)
            }
            _ => Duration::from_secs(1),
        };
        if busy || tick.is_zero() {
            ctx.request_repaint();
        } else {
            ctx.request_repaint_after(tick);
        }
        self.note_frame_time(t0.elapsed());
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        let t0 = Instant::now();
        let palette = style::palette(ui.ctx());
        if self.rt.is_demo() {
            egui::Panel::top("demo-banner")
                .frame(egui::Frame::new().fill(palette.warn).inner_margin(6.0))
                .show(ui, |ui| {
                    ui.vertical_centered(|ui| {
                        let banner = Msg::DemoBanner.text(self.lang);
                        widgets::bold_text_ui(ui, banner, style::CAPTION, egui::Color32::BLACK);
                    });
                });
        }
        let mut action = None;
        egui::CentralPanel::default()
            .frame(egui::Frame::new().fill(palette.bg))
            .show(ui, |ui| {
                action = self.screen_ui(ui);
            });
        if let Some(a) = action {
            let ctx = ui.ctx().clone();
            self.act(&ctx, a);
        }
        self.note_frame_time(t0.elapsed());
    }
}
