//! The kiosk app shell: owns the flow and the runtime, turns camera, gate and runtime messages
//! into flow events, carries out the flow's effects, and draws the screen the flow is on. The
//! preview, the kiosk window and the repaint policy are small parts it delegates to.

use std::time::{Duration, Instant};

use egui::{ColorImage, RichText, TextureHandle, TextureOptions};

use super::preview::Preview;
use super::repaint::{FrameStats, RepaintPolicy};
use super::screens::admin::{AdminAction, AdminPanel};
use super::screens::checkins::{CheckinsAction, CheckinsView};
use super::screens::pin::PinPad;
use super::screens::result::IdImageView;
use super::screens::setup::SetupScreen;
use super::screens::{AdminTab, UiAction, customer, result};
use super::window::KioskWindow;
use super::{fonts, style, widgets};
use crate::i18n::{self, Lang, Msg};
use crate::kiosk::{Effect, Event, Flow, FlowSettings, GateView, Screen};
use crate::runtime::{Runtime, RuntimeEvent};

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
    preview: Preview,
    gate_seq: u64,
    /// Why the camera is unusable, as last told to the flow.
    camera_trouble: Option<String>,
    id_image: IdImageState,
    pin: PinPad,
    admin: AdminPanel,
    admin_tab: AdminTab,
    checkins: CheckinsView,
    setup: SetupScreen,
    window: KioskWindow,
    repaint: RepaintPolicy,
    chimes: Option<crate::sound::Chimes>,
    pub frames: FrameStats,
    /// The gate's last few judged frames: the challenge names its selfie by sequence number
    /// just after the frame went by. Frames are shared, so this holds a few references only.
    recent: std::collections::VecDeque<crate::selfie::worker::GateOutput>,
}

/// What the demo visitor should do for the screen on show.
fn demo_cue(screen: &Screen) -> crate::liveness::demo::Cue {
    use crate::liveness::demo::Cue;
    use crate::liveness::{Ask, Turn};
    match screen {
        Screen::Challenge {
            ask: Ask::Turn(Turn::Left),
            ..
        } => Cue::TurnLeft,
        Screen::Challenge {
            ask: Ask::Turn(Turn::Right),
            ..
        } => Cue::TurnRight,
        Screen::Result { .. } | Screen::Cooldown { .. } => Cue::Done,
        _ => Cue::Look,
    }
}

/// Judged frames kept for the challenge's selfie (0.4 s at the gate's 7.5 a second).
const RECENT_FRAMES: usize = 3;

impl KioskApp {
    pub fn new(cc: &eframe::CreationContext<'_>, mut rt: Runtime, kiosk_mode: bool) -> Self {
        let ctx = &cc.egui_ctx;
        fonts::install(ctx);
        style::apply(ctx, rt.settings.kiosk.high_contrast);
        // eframe clears the window to the background before each paint; a test harness does not.
        style::set_window_cleared_to_bg(ctx, cc.gl.is_some() || cc.wgpu_render_state.is_some());
        let lang = Lang::from_setting(&rt.settings.kiosk.language);
        let repaint = RepaintPolicy::install(ctx, &mut rt);
        // Without a staff PIN nobody could open the admin panel or leave kiosk mode: set-up
        // first, even when the credentials came from the config file or the environment.
        let configured = rt.configured() && !rt.settings.kiosk.pin_hash.is_empty();
        let flow = Flow::new(rt.settings.flow(), configured).with_seed(rand::random());
        let admin = AdminPanel::new(&rt.settings);
        let setup = SetupScreen::new(&rt.settings);
        Self {
            rt,
            flow,
            lang,
            start: Instant::now(),
            preview: Preview::new(cc.wgpu_render_state.as_ref(), cc.gl.as_ref()),
            gate_seq: 0,
            camera_trouble: None,
            id_image: IdImageState::None,
            pin: PinPad::default(),
            admin,
            admin_tab: AdminTab::default(),
            checkins: CheckinsView::default(),
            setup,
            window: KioskWindow::new(kiosk_mode),
            repaint,
            chimes: None,
            frames: FrameStats::default(),
            recent: std::collections::VecDeque::new(),
        }
    }

    /// The language each visitor starts in.
    pub fn default_lang(&self) -> Lang {
        Lang::from_setting(&self.rt.settings.kiosk.language)
    }

    /// Changes the flow's settings now (what the admin panel's Save does for them).
    pub fn change_flow_settings(&mut self, change: impl FnOnce(&mut FlowSettings)) {
        let mut settings = self.flow.settings().clone();
        change(&mut settings);
        self.send(Event::SettingsChanged(settings));
    }

    /// Test hook: feeds `event` to the flow as the camera, gate or screen would, effects and all
    /// (e.g. the landmarks of a flat picture turning, which no bundled clip shows).
    #[cfg(feature = "test-hooks")]
    pub fn inject(&mut self, event: Event) {
        self.send(event);
    }

    fn now(&self) -> Duration {
        self.start.elapsed()
    }

    fn send(&mut self, event: Event) {
        let now = self.now();
        for fx in self.flow.handle(event, now) {
            self.apply(fx);
        }
    }

    fn apply(&mut self, fx: Effect) {
        match fx {
            Effect::StartCheck { check, selfie } => {
                let out = match selfie {
                    // The challenge's frame, and no other: missing means no check (fail closed).
                    Some(seq) => self
                        .recent
                        .iter()
                        .find(|o| o.frame.seq == seq)
                        .map(|o| o.selfie()),
                    // Liveness off: the gate's newest frame, or right after a reset (a tap on
                    // "Take photo") the camera's, uploaded whole.
                    None => self.rt.gate.latest().map(|o| o.selfie()).or_else(|| {
                        self.rt
                            .camera
                            .latest()
                            .map(|f| crate::selfie::worker::Selfie {
                                image: f.image,
                                face: None,
                            })
                    }),
                };
                if selfie.is_some() && out.is_none() {
                    tracing::error!("the challenge's selfie frame is gone; no check is sent");
                }
                self.recent.clear();
                self.rt.start_check(check, out);
            }
            Effect::Observe(on) => {
                // A new challenge keeps no frame of an earlier one. (Not on its end: the
                // selfie is looked up just after.)
                if on {
                    self.recent.clear();
                }
                self.rt.gate.observe(on);
            }
            Effect::LivenessVerdict(v) => crate::fleet::metrics::liveness_verdict(v.name()),
            Effect::CancelCheck { check } => self.rt.cancel_check(check),
            // Not shown at this site: not even downloaded.
            Effect::FetchIdImage { .. } if !self.rt.settings.kiosk.show_id_image => {}
            Effect::FetchIdImage { url } => {
                self.id_image = IdImageState::Loading(url.clone());
                self.rt.fetch_id_image(url);
            }
            Effect::ClearPersonalData => self.id_image = IdImageState::None,
            Effect::ResetGate => {
                self.rt.gate.clear();
            }
            Effect::Record { outcome, took } => self.rt.record(&outcome, took),
            Effect::Sound(cue) => {
                if self.rt.settings.kiosk.sound {
                    // Opened on first use: a kiosk with sound off never touches the device.
                    self.chimes
                        .get_or_insert_with(crate::sound::Chimes::start)
                        .play(cue);
                }
            }
            Effect::VisitEnded => self.lang = self.default_lang(),
            Effect::VerifyPin => self.rt.check_pin(self.pin.take_entered()),
            Effect::OpenAdmin => {
                self.pin.reset();
                let scenario = self.rt.sim().map(|s| s.scenario());
                self.admin.open(&self.rt.settings, scenario);
                self.admin_tab = AdminTab::Settings;
                self.checkins.rows.clear();
            }
        }
    }

    /// Camera health, the gate's newest judgement and the runtime's messages, into the flow.
    fn poll(&mut self, ctx: &egui::Context) {
        let trouble = self.rt.camera.trouble();
        if trouble != self.camera_trouble {
            self.camera_trouble = trouble.clone();
            self.send(match trouble {
                Some(reason) => Event::CameraLost { reason },
                None => Event::CameraBack,
            });
        }
        let frame = self.rt.camera.latest();
        self.preview
            .update(ctx, frame.as_ref(), self.repaint.live());
        if let Some(out) = self
            .rt
            .gate
            .latest()
            .filter(|o| o.frame.seq != self.gate_seq)
        {
            self.gate_seq = out.frame.seq;
            let face = out.face.clone();
            if face.is_some() {
                self.recent.push_back(out.clone());
                while self.recent.len() > RECENT_FRAMES {
                    self.recent.pop_front();
                }
            }
            self.send(Event::Gate(GateView {
                verdict: out.report.verdict,
                hint: out.report.hint,
                someone: !out.report.faces.is_empty(),
                ready: out.ready,
                progress: out.progress,
            }));
            if let Some(face) = face {
                self.send(Event::Face(face));
            }
        }
        for ev in self.rt.drain() {
            self.on_runtime_event(ctx, ev);
        }
        self.send(Event::Tick);
    }

    fn on_runtime_event(&mut self, ctx: &egui::Context, ev: RuntimeEvent) {
        match ev {
            RuntimeEvent::CheckFinished { check, outcome } => {
                self.send(Event::CheckFinished { check, outcome })
            }
            RuntimeEvent::IdImage { url, result } => {
                // Only for the pass still on screen.
                if matches!(&self.id_image, IdImageState::Loading(u) if *u == url) {
                    self.id_image = match result {
                        Ok(img) => {
                            let size = [img.width as usize, img.height as usize];
                            let ci = ColorImage::from_rgba_unmultiplied(size, &img.rgba);
                            let tex = ctx.load_texture("id-image", ci, TextureOptions::LINEAR);
                            IdImageState::Shown(tex)
                        }
                        Err(_) => IdImageState::Failed,
                    };
                }
            }
            RuntimeEvent::ConnectionTested(r) => self.admin.connection_tested(r),
            RuntimeEvent::PinChecked { ok } => self.send(Event::PinChecked { ok }),
            RuntimeEvent::SettingsSaved { result, pin_hash } => {
                self.rt.apply_saved_pin(pin_hash);
                self.admin.saved(&result);
                // The new settings may change the language and the theme.
                self.lang = self.default_lang();
                self.setup.status = match &result {
                    Ok(()) => Msg::Saved.text(self.lang).to_owned(),
                    Err(e) => i18n::could_not_save(self.lang, &e.to_string()),
                };
                style::apply(ctx, self.rt.settings.kiosk.high_contrast);
                if self.flow.screen() == &Screen::Setup && self.rt.configured() {
                    let configured = self.rt.configured();
                    self.send(Event::AdminClosed { configured });
                }
            }
            RuntimeEvent::CheckinLog(e) => self.rt.checkin_error = e,
            RuntimeEvent::Checkins(r) => self.checkins.loaded(r),
            RuntimeEvent::Exported(r) => self.checkins.exported(r),
            RuntimeEvent::Cameras(r) => self.admin.cameras_listed(r),
        }
    }

    fn act(&mut self, ctx: &egui::Context, action: UiAction) {
        match action {
            UiAction::CaptureNow => self.send(Event::CaptureNow),
            UiAction::Cancel => self.send(Event::Cancel),
            UiAction::Dismiss => self.send(Event::Dismiss),
            UiAction::OpenPin => {
                self.pin.reset();
                self.send(Event::OpenStaffPin);
            }
            UiAction::ClosePin => self.send(Event::CloseStaffPin),
            UiAction::SubmitPin => self.send(Event::PinSubmitted),
            UiAction::SwitchLanguage(lang) => {
                self.lang = lang;
                // A tap means someone is there, face in view or not: their visit has begun.
                self.send(Event::Touch);
            }
            UiAction::Setup { settings, pin } => self.rt.save_settings(*settings, Some(pin)),
            UiAction::AdminTab(tab) => {
                self.admin_tab = tab;
                if tab == AdminTab::Checkins {
                    self.refresh_checkins();
                }
            }
            UiAction::Checkins(CheckinsAction::Query(q)) => self.rt.query_checkins(q),
            UiAction::Checkins(CheckinsAction::Export { since, out }) => {
                self.rt.export_checkins(since, out)
            }
            UiAction::Admin(a) => match a {
                AdminAction::Save { settings, new_pin } => {
                    self.send(Event::SettingsChanged(settings.flow()));
                    self.rt.save_settings(*settings, new_pin);
                }
                AdminAction::TestConnection => {
                    self.admin.testing();
                    self.rt.test_connection();
                }
                AdminAction::ListCameras => self.rt.list_cameras(),
                AdminAction::SetScenario(s) => self.rt.set_scenario(s),
                AdminAction::Close => {
                    self.lang = self.default_lang();
                    let configured = self.rt.configured();
                    self.send(Event::AdminClosed { configured });
                }
                AdminAction::Quit => self.window.quit(ctx),
            },
        }
    }

    fn refresh_checkins(&mut self) {
        if self.checkins.export_to.is_empty() {
            self.checkins.export_to = self.rt.export_path().display().to_string();
        }
        self.rt.query_checkins(self.checkins.query());
    }

    fn screen_ui(&mut self, ui: &mut egui::Ui) -> Option<UiAction> {
        let now = self.now();
        let tex = self.preview.image();
        // After a pass the next person taps to start (auto-capture waits for the last to leave).
        let manual = self.flow.manual_capture();
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
            Screen::Challenge { step, of, ask, .. } => {
                customer::challenge_ui(ui, tex, step, of, ask, lang)
            }
            Screen::Result { outcome, until } => {
                let settings = self.flow.settings();
                let total = if outcome.is_pass() {
                    settings.pass_display
                } else {
                    settings.fail_display
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
            Screen::StaffPin { status } => self.pin.ui(ui, status, now, lang),
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
                let log_error = self.rt.checkin_error.as_ref().map(ToString::to_string);
                let fleet = self.rt.fleet_warning();
                self.checkins.ui(ui, log_error.as_deref(), fleet.as_deref())
            }
        };
        action.or(shown)
    }
}

/// The largest texture side egui is told of (see `raw_input_hook`).
pub const MAX_TEXTURE_SIDE: usize = 2048;
const _: () = assert!(crate::faceki::client::ID_IMAGE_MAX_SIDE as usize <= MAX_TEXTURE_SIDE);

impl eframe::App for KioskApp {
    /// The background colour of the theme in force: clearing is the cheapest fill there is.
    fn clear_color(&self, visuals: &egui::Visuals) -> [f32; 4] {
        visuals.panel_fill.to_normalized_gamma_f32()
    }

    /// egui makes its glyph atlas as wide as the driver's largest texture: 16384 under Mesa's
    /// software renderer, 4 MB at the 64 rows the kiosk's text fills, held twice (egui's copy and
    /// the driver's). egui's own portable default, 2048, holds the same glyphs in 1 MB; ID
    /// images are shrunk well below it (`faceki::client::ID_IMAGE_MAX_SIDE`).
    fn raw_input_hook(&mut self, _ctx: &egui::Context, raw: &mut egui::RawInput) {
        if let Some(side) = raw.max_texture_side.as_mut() {
            *side = (*side).min(MAX_TEXTURE_SIDE);
        }
    }

    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        let t0 = Instant::now();
        self.frames.pass(self.flow.screen());
        self.poll(ctx);
        // Leaving kiosk mode needs the PIN: a close request opens the PIN pad instead.
        if self.window.update(ctx) {
            self.pin.reset();
            self.send(Event::OpenStaffPin);
        }
        self.repaint.update(ctx, &self.flow);
        // Off the camera's screens the gate and the camera slow to their idle rates.
        self.rt.gate.set_guiding(self.flow.screen().shows_camera());
        if let Some(cue) = &self.rt.demo_cue {
            cue.set(demo_cue(self.flow.screen()));
        }
        self.frames.took(t0.elapsed());
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
        // Under the live preview nothing is filled: it covers the page, and a full-screen fill
        // costs a CPU renderer several milliseconds a frame (BENCHMARKS.md, "Paint cost").
        let under_preview = self.flow.screen().shows_camera();
        egui::CentralPanel::default()
            .frame(egui::Frame::new())
            .show(ui, |ui| {
                if !under_preview {
                    style::bg_fill_ui(ui.painter(), ui.max_rect());
                }
                action = self.screen_ui(ui);
            });
        if let Some(a) = action {
            let ctx = ui.ctx().clone();
            self.act(&ctx, a);
        }
        self.frames.took(t0.elapsed());
    }
}
