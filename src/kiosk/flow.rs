//! The kiosk's flow: a pure state machine. No egui, no tokio, no clock: time comes in with each
//! event, and what must happen outside comes back as [`Effect`]s for the runtime to carry out.

use std::collections::VecDeque;
use std::time::Duration;

use super::pin::PinGuard;
use crate::faceki::{ErrorKind, NotLiveKind, Outcome};
use crate::liveness::challenge::MAX_RESTARTS;
use crate::liveness::{
    Ask, Challenge, ChallengeResult, ChallengeSettings, FaceObservation, LivenessVerdict,
    Status as LiveStatus, draw_turns,
};
use crate::selfie::{Hint, Verdict};

#[derive(Debug, Clone, PartialEq)]
pub struct FlowSettings {
    /// Start the check by itself once the gate has been happy for its steady spell.
    pub auto_capture: bool,
    /// The "3, 2, 1" before a manual capture.
    pub countdown: Duration,
    /// How long a pass stays on screen (the name and ID image then leave, for privacy).
    pub pass_display: Duration,
    /// How long any other result stays on screen.
    pub fail_display: Duration,
    /// Nobody in view this long: back to the attract screen.
    pub idle_after: Duration,
    /// Failed checks (no match, denied, ambiguous, retake) allowed within `attempt_window`...
    pub max_attempts: u32,
    pub attempt_window: Duration,
    /// ...before this cooldown.
    pub cooldown: Duration,
    /// A staff-level fault (credentials, quota) is retried after this long.
    pub service_retry: Duration,
    /// The head-turn challenge every check must pass first; `None`: liveness off (a photo of
    /// an enrolled customer can pass). The kiosk's default is on (`[liveness]`).
    pub liveness: Option<ChallengeSettings>,
}

impl Default for FlowSettings {
    fn default() -> Self {
        Self {
            auto_capture: true,
            countdown: Duration::from_secs(3),
            pass_display: Duration::from_secs(8),
            fail_display: Duration::from_secs(10),
            idle_after: Duration::from_secs(3),
            // As AWS advises for face log-in: 5 failures in 3 minutes.
            max_attempts: 5,
            attempt_window: Duration::from_secs(180),
            cooldown: Duration::from_secs(120),
            service_retry: Duration::from_secs(120),
            liveness: None,
        }
    }
}

/// What the gate says of the newest frame, as the flow needs it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GateView {
    pub verdict: Verdict,
    pub hint: Hint,
    /// At least one face in view (someone is there).
    pub someone: bool,
    /// OK and steady for the whole spell.
    pub ready: bool,
    /// 0..1 into the steady spell.
    pub progress: f32,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Screen {
    /// First start without FACEKI credentials or staff PIN: staff must set up. Never a check.
    Setup,
    /// Nobody there.
    Attract,
    /// Someone there: live preview and the gate's hint.
    Positioning { gate: GateView },
    /// Manual capture: counting down.
    Countdown { until: Duration },
    /// The check runs; cancellable.
    Verifying { check: u64, since: Duration },
    /// The answer, until `until` (or a button).
    Result { outcome: Outcome, until: Duration },
    /// No frames from the camera. The capture thread keeps retrying.
    CameraMissing { reason: String },
    /// A fault only staff can fix (credentials refused, quota used up, account not set up).
    ServiceUnavailable {
        kind: ErrorKind,
        detail: String,
        retry_at: Duration,
    },
    /// Too many failed attempts.
    Cooldown { until: Duration },
    /// Staff asked for the PIN pad. The customer flow is paused: no check starts.
    StaffPin { status: PinStatus },
    /// Staff settings, behind the PIN. The customer flow is paused: no check starts.
    Admin,
    /// The head-turn challenge: step `step` (0-based) of `of`, asking `ask` until `until`.
    /// No paid check starts before it is passed.
    Challenge {
        step: usize,
        of: usize,
        ask: Ask,
        until: Duration,
    },
}

impl Screen {
    /// The screen shows the live camera: the camera, the gate and the paints run at the full
    /// rate while someone is in view. Elsewhere (a result, a spinner, staff screens) they idle
    /// even with someone standing there.
    pub fn shows_camera(&self) -> bool {
        matches!(
            self,
            Self::Attract
                | Self::Positioning { .. }
                | Self::Countdown { .. }
                | Self::Challenge { .. }
        )
    }
}

/// Where the staff PIN pad stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PinStatus {
    /// Waiting for digits.
    Enter,
    /// The PIN is being verified (argon2, off the UI thread).
    Checking,
    /// The last PIN was wrong; this many tries before the lockout.
    Wrong { tries_left: u32 },
    /// Too many wrong PINs: no try is accepted before `until`.
    Locked { until: Duration },
}

#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// Time passed.
    Tick,
    Gate(GateView),
    /// The gate worker's look at the face in the same frame (landmarks, yaw, track), while a
    /// challenge runs.
    Face(FaceObservation),
    CameraLost {
        reason: String,
    },
    CameraBack,
    /// Staff's "Capture now", or the customer's "Take photo" when auto-capture is off.
    CaptureNow,
    CheckFinished {
        check: u64,
        outcome: Outcome,
    },
    /// The customer's "Cancel" while verifying.
    Cancel,
    /// "Try again" / "Done" on a result screen.
    Dismiss,
    /// Someone used the screen without a face in view (the language switch): a visitor is there.
    Touch,
    /// The "Staff" button, or a request to close the kiosk window: ask for the PIN.
    OpenStaffPin,
    /// "Cancel" on the PIN pad.
    CloseStaffPin,
    /// Staff entered a PIN (the digits stay with the pad; see [`Effect::VerifyPin`]).
    PinSubmitted,
    /// The verification of the submitted PIN.
    PinChecked {
        ok: bool,
    },
    /// Staff closed the admin panel (or saved the set-up screen); `configured` says whether
    /// FACEKI credentials and a staff PIN are set.
    AdminClosed {
        configured: bool,
    },
    /// Staff saved new flow settings.
    SettingsChanged(FlowSettings),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Encode a frame and start check `check`: frame `selfie` (the challenge's frontal frame of
    /// the same face), or with liveness off the gate's newest good frame.
    StartCheck {
        check: u64,
        selfie: Option<u64>,
    },
    /// Landmarks on (a challenge runs) or off, on the gate thread.
    Observe(bool),
    /// A challenge ended with this verdict (metrics).
    LivenessVerdict(LivenessVerdict),
    /// Abandon check `check` (its answer will be ignored).
    CancelCheck {
        check: u64,
    },
    /// Fetch and show the ID image of a pass.
    FetchIdImage {
        url: String,
    },
    /// Drop everything personal of the last result: name, ID image, selfie.
    ClearPersonalData,
    /// Restart the gate's steady spell.
    ResetGate,
    /// Record a finished check (check-in log, counters).
    Record {
        outcome: Outcome,
        took: Duration,
    },
    Sound(Cue),
    /// The visitor has gone (or got in): drop their choices, such as the language.
    VisitEnded,
    /// Verify the PIN the pad holds; the answer comes back as [`Event::PinChecked`].
    VerifyPin,
    /// The PIN was right: fill the admin panel with the current settings.
    OpenAdmin,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cue {
    LookAtCamera,
    Pass,
    Fail,
}

pub struct Flow {
    screen: Screen,
    settings: FlowSettings,
    configured: bool,
    next_check: u64,
    failures: VecDeque<Duration>,
    /// When the last face was seen or the screen last touched (for going idle).
    last_someone: Duration,
    /// A visitor has been seen since the last [`Effect::VisitEnded`].
    visit_open: bool,
    /// After a pass, auto-capture waits until nobody has been in view for `idle_after`: the
    /// person who just got in is not checked (and billed) again while they linger.
    await_departure: bool,
    /// Why the camera gives no frames, while it does not. Kept apart from the screen so that
    /// leaving a staff screen shows "camera missing" again if it still is.
    camera_lost: Option<String>,
    /// The screen the PIN pad interrupted, when it was a pause that must outlast a cancelled
    /// PIN pad (cooldown, service unavailable): tapping "Staff" then "Cancel" is no way round it.
    paused: Option<Screen>,
    /// Wrong-PIN lockout.
    pin_guard: PinGuard,
    /// The challenge under way, while the screen is [`Screen::Challenge`].
    challenge: Option<Challenge>,
    /// Restarts of the current attempt's challenge (the face changed).
    restarts: u32,
    /// The turns are drawn from this (splitmix64): seeded by the app, so the flow stays pure.
    rng: u64,
}

impl Flow {
    pub fn new(settings: FlowSettings, configured: bool) -> Self {
        Self {
            screen: if configured {
                Screen::Attract
            } else {
                Screen::Setup
            },
            settings,
            configured,
            next_check: 1,
            failures: VecDeque::new(),
            last_someone: Duration::ZERO,
            visit_open: false,
            await_departure: false,
            camera_lost: None,
            paused: None,
            pin_guard: PinGuard::default(),
            challenge: None,
            restarts: 0,
            rng: 0x9E37_79B9_7F4A_7C15,
        }
    }

    /// Seeds the draw of challenge turns (the app passes fresh randomness; tests a constant).
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.rng = seed;
        self
    }

    fn next_random(&mut self) -> u64 {
        // splitmix64
        self.rng = self.rng.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.rng;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn screen(&self) -> &Screen {
        &self.screen
    }

    pub fn settings(&self) -> &FlowSettings {
        &self.settings
    }

    /// True while the kiosk waits for the person who just passed to leave; only a tap on
    /// "Take photo" starts a check meanwhile.
    pub fn awaiting_departure(&self) -> bool {
        self.await_departure
    }

    /// Whether the customer should see a "Take photo" button: auto-capture is off, or it waits
    /// for the last visitor to leave.
    pub fn manual_capture(&self) -> bool {
        !self.settings.auto_capture || self.await_departure
    }

    /// Failed attempts still counting toward the limit.
    pub fn recent_failures(&self) -> usize {
        self.failures.len()
    }

    /// Staff screens (set-up, PIN pad, admin panel): the customer flow is paused.
    pub fn staff_screen(&self) -> bool {
        matches!(
            self.screen,
            Screen::Setup | Screen::StaffPin { .. } | Screen::Admin
        )
    }

    /// The screen to show when nothing is going on.
    fn idle_screen(&self) -> Screen {
        match &self.camera_lost {
            _ if !self.configured => Screen::Setup,
            Some(reason) => Screen::CameraMissing {
                reason: reason.clone(),
            },
            None => Screen::Attract,
        }
    }

    /// Feeds one event at time `now` (monotonic, from the app's start).
    pub fn handle(&mut self, event: Event, now: Duration) -> Vec<Effect> {
        let mut fx = Vec::new();
        self.expire_failures(now);
        if self.staff_event(&event, now, &mut fx) || self.camera_event(&event, &mut fx) {
            return fx;
        }
        if self.staff_screen() {
            // Nothing of the customer flow runs behind a staff screen: no gate verdict or tap
            // starts a check (or bills one) while staff type a PIN or change settings.
            return fx;
        }
        // A face anywhere, or a tap, means a visitor is there (a face during a result is the
        // same person, who may try again in the language they chose).
        let present = match &event {
            Event::Gate(g) => g.someone,
            Event::Face(o) => o.faces > 0,
            Event::Touch | Event::Dismiss | Event::Cancel | Event::CaptureNow => true,
            _ => false,
        };
        if present {
            self.last_someone = now;
            self.visit_open = true;
        }

        let screen = std::mem::replace(&mut self.screen, Screen::Attract);
        self.screen = match (screen, event) {
            // A finished check is only ever accepted for the check on screen.
            (
                Screen::Verifying { check, since },
                Event::CheckFinished {
                    check: done,
                    outcome,
                },
            ) if check == done => self.finish(outcome, now - since, now, &mut fx),
            (s, Event::CheckFinished { check, .. }) => {
                tracing::debug!(check, "stale check result ignored");
                s
            }
            (s @ Screen::Challenge { .. }, ev) => self.challenge_event(s, ev, now, &mut fx),
            (Screen::Verifying { check, .. }, Event::Cancel) => {
                fx.push(Effect::CancelCheck { check });
                fx.push(Effect::ResetGate);
                self.idle_screen()
            }
            (s @ Screen::Verifying { .. }, _) => s,

            (Screen::Result { outcome, until }, ev) => {
                if now >= until || ev == Event::Dismiss {
                    fx.push(Effect::ClearPersonalData);
                    fx.push(Effect::ResetGate);
                    if outcome.is_pass() {
                        // In: whoever looks next is a new visitor.
                        self.visit_open = false;
                        fx.push(Effect::VisitEnded);
                        self.await_departure = true;
                    }
                    self.after_result(now)
                } else {
                    Screen::Result { outcome, until }
                }
            }
            (Screen::Cooldown { until }, _) => {
                if now >= until {
                    self.failures.clear();
                    fx.push(Effect::ResetGate);
                    self.idle_screen()
                } else {
                    Screen::Cooldown { until }
                }
            }
            (
                Screen::ServiceUnavailable {
                    kind,
                    detail,
                    retry_at,
                },
                ev,
            ) => {
                if now >= retry_at || ev == Event::Dismiss {
                    fx.push(Effect::ResetGate);
                    self.idle_screen()
                } else {
                    Screen::ServiceUnavailable {
                        kind,
                        detail,
                        retry_at,
                    }
                }
            }
            (s @ Screen::CameraMissing { .. }, _) => s,

            (Screen::Countdown { until }, ev) => {
                if ev == Event::Cancel {
                    self.idle_screen()
                } else if now >= until {
                    self.begin(now, &mut fx)
                } else {
                    Screen::Countdown { until }
                }
            }

            (Screen::Attract | Screen::Positioning { .. }, Event::CaptureNow) => {
                self.await_departure = false;
                if self.settings.auto_capture || self.settings.countdown.is_zero() {
                    self.begin(now, &mut fx)
                } else {
                    Screen::Countdown {
                        until: now + self.settings.countdown,
                    }
                }
            }
            (s @ (Screen::Attract | Screen::Positioning { .. }), Event::Gate(gate)) => {
                if gate.ready && self.settings.auto_capture && !self.await_departure {
                    self.begin(now, &mut fx)
                } else if gate.someone {
                    if matches!(s, Screen::Attract) {
                        fx.push(Effect::Sound(Cue::LookAtCamera));
                    }
                    Screen::Positioning { gate }
                } else if matches!(s, Screen::Positioning { .. })
                    && now - self.last_someone < self.settings.idle_after
                {
                    // A face lost for a moment (a blink of the detector): keep guiding.
                    Screen::Positioning { gate }
                } else {
                    Screen::Attract
                }
            }
            (Screen::Positioning { .. }, Event::Tick)
                if now - self.last_someone >= self.settings.idle_after =>
            {
                Screen::Attract
            }
            (s, _) => s,
        };
        if self.await_departure && now.saturating_sub(self.last_someone) >= self.settings.idle_after
        {
            self.await_departure = false;
        }
        if self.visit_open
            && self.screen == Screen::Attract
            && now.saturating_sub(self.last_someone) >= self.settings.idle_after
        {
            self.visit_open = false;
            fx.push(Effect::VisitEnded);
        }
        fx
    }

    /// The PIN pad, the admin panel and settings, in any state. True when `event` was one.
    fn staff_event(&mut self, event: &Event, now: Duration, fx: &mut Vec<Effect>) -> bool {
        match event {
            Event::SettingsChanged(settings) => self.settings = settings.clone(),
            // The set-up screen is the staff screen until a PIN exists; the admin panel has
            // its own way out.
            Event::OpenStaffPin if matches!(self.screen, Screen::Setup | Screen::Admin) => {}
            Event::OpenStaffPin if matches!(self.screen, Screen::StaffPin { .. }) => {}
            Event::OpenStaffPin => {
                match std::mem::replace(&mut self.screen, Screen::Attract) {
                    Screen::Verifying { check, .. } => fx.push(Effect::CancelCheck { check }),
                    Screen::Challenge { .. } => self.drop_challenge(fx),
                    Screen::Result { .. } => fx.push(Effect::ClearPersonalData),
                    s @ (Screen::Cooldown { .. } | Screen::ServiceUnavailable { .. }) => {
                        self.paused = Some(s)
                    }
                    _ => {}
                }
                let status = match self.pin_guard.check_allowed(now) {
                    Err(left) => PinStatus::Locked { until: now + left },
                    Ok(()) => PinStatus::Enter,
                };
                self.screen = Screen::StaffPin { status };
            }
            Event::CloseStaffPin => {
                if matches!(self.screen, Screen::StaffPin { .. }) {
                    // A pause that has run out meanwhile ends on the next event as usual.
                    self.screen = self.paused.take().unwrap_or_else(|| self.idle_screen());
                    fx.push(Effect::ResetGate);
                }
            }
            Event::PinSubmitted => {
                if let Screen::StaffPin { status } = &mut self.screen {
                    match (*status, self.pin_guard.check_allowed(now)) {
                        // One PIN at a time.
                        (PinStatus::Checking, _) => {}
                        (_, Err(left)) => *status = PinStatus::Locked { until: now + left },
                        (_, Ok(())) => {
                            *status = PinStatus::Checking;
                            fx.push(Effect::VerifyPin);
                        }
                    }
                }
            }
            Event::PinChecked { ok } => {
                let Screen::StaffPin {
                    status: PinStatus::Checking,
                } = self.screen
                else {
                    // The pad was cancelled meanwhile: a right PIN opens nothing now.
                    if !ok {
                        self.pin_guard.record(false, now);
                    }
                    return true;
                };
                let left = self.pin_guard.record(*ok, now);
                self.screen = if *ok {
                    // Staff are here: pauses they opened the panel from are theirs to clear.
                    self.paused = None;
                    fx.push(Effect::OpenAdmin);
                    Screen::Admin
                } else if left == 0 {
                    Screen::StaffPin {
                        status: PinStatus::Locked {
                            until: now + self.pin_guard.lockout,
                        },
                    }
                } else {
                    Screen::StaffPin {
                        status: PinStatus::Wrong { tries_left: left },
                    }
                };
            }
            Event::AdminClosed { configured } => {
                self.configured = *configured;
                if matches!(self.screen, Screen::Admin | Screen::Setup) {
                    self.screen = self.idle_screen();
                    fx.push(Effect::ResetGate);
                }
            }
            _ => return false,
        }
        true
    }

    /// The camera's health, in any state. True when `event` was one.
    fn camera_event(&mut self, event: &Event, fx: &mut Vec<Effect>) -> bool {
        match event {
            Event::CameraLost { reason } => {
                self.camera_lost = Some(reason.clone());
                // A check already on its way finishes; a result, a pause or a staff screen
                // stays. The loss shows once they end.
                if matches!(self.screen, Screen::Challenge { .. }) {
                    self.drop_challenge(fx);
                }
                if matches!(
                    self.screen,
                    Screen::Attract
                        | Screen::Positioning { .. }
                        | Screen::Countdown { .. }
                        | Screen::Challenge { .. }
                ) {
                    self.screen = self.idle_screen();
                }
            }
            Event::CameraBack => {
                self.camera_lost = None;
                if matches!(self.screen, Screen::CameraMissing { .. }) {
                    self.screen = self.idle_screen();
                    fx.push(Effect::ResetGate);
                }
            }
            _ => return false,
        }
        true
    }

    /// The customer is ready: the challenge first when liveness is on, else the check.
    fn begin(&mut self, now: Duration, fx: &mut Vec<Effect>) -> Screen {
        match self.settings.liveness.clone() {
            Some(settings) => {
                self.restarts = 0;
                self.new_challenge(settings, now, fx)
            }
            None => self.start_check(None, now, fx),
        }
    }

    fn new_challenge(
        &mut self,
        settings: ChallengeSettings,
        now: Duration,
        fx: &mut Vec<Effect>,
    ) -> Screen {
        let turns = draw_turns(settings.steps, self.next_random());
        let challenge = Challenge::new(&turns, settings, now);
        let screen = Self::challenge_screen(challenge.status(now));
        self.challenge = Some(challenge);
        fx.push(Effect::Observe(true));
        fx.push(Effect::ResetGate);
        screen.unwrap_or(Screen::Attract)
    }

    fn challenge_screen(status: LiveStatus) -> Option<Screen> {
        match status {
            LiveStatus::Running {
                step,
                of,
                ask,
                until,
            } => Some(Screen::Challenge {
                step,
                of,
                ask,
                until,
            }),
            _ => None,
        }
    }

    fn drop_challenge(&mut self, fx: &mut Vec<Effect>) {
        if self.challenge.take().is_some() {
            fx.push(Effect::Observe(false));
        }
    }

    /// An event while the challenge runs.
    fn challenge_event(
        &mut self,
        screen: Screen,
        ev: Event,
        now: Duration,
        fx: &mut Vec<Effect>,
    ) -> Screen {
        let Some(mut challenge) = self.challenge.take() else {
            // A challenge screen without a challenge cannot happen; never a check from it.
            fx.push(Effect::Observe(false));
            return self.idle_screen();
        };
        let status = match ev {
            Event::Face(obs) => challenge.observe(&obs, now),
            Event::Cancel => {
                fx.push(Effect::Observe(false));
                fx.push(Effect::ResetGate);
                return self.idle_screen();
            }
            Event::Gate(g)
                if !g.someone
                    && now.saturating_sub(self.last_someone) >= self.settings.idle_after =>
            {
                // The visitor walked away: no verdict, nothing recorded.
                fx.push(Effect::Observe(false));
                return Screen::Attract;
            }
            _ => challenge.status(now),
        };
        match status {
            LiveStatus::Running { .. } => {
                self.challenge = Some(challenge);
                Self::challenge_screen(status).unwrap_or(screen)
            }
            LiveStatus::Restart { reason } => {
                tracing::info!(reason, "liveness challenge restarted");
                self.restarts += 1;
                if self.restarts > MAX_RESTARTS {
                    let result = ChallengeResult::failed(
                        LivenessVerdict::NoResponse,
                        format!("the face changed {} times", self.restarts),
                        0,
                        Duration::ZERO,
                    );
                    return self.challenge_done(result, now, fx);
                }
                let settings = self.settings.liveness.clone().unwrap_or_default();
                self.new_challenge(settings, now, fx)
            }
            LiveStatus::Done(result) => self.challenge_done(result, now, fx),
        }
    }

    fn challenge_done(
        &mut self,
        result: ChallengeResult,
        now: Duration,
        fx: &mut Vec<Effect>,
    ) -> Screen {
        fx.push(Effect::Observe(false));
        fx.push(Effect::LivenessVerdict(result.verdict));
        tracing::info!(
            verdict = result.verdict.name(),
            reason = %result.reason,
            planarity = ?result.planarity,
            took_ms = result.took.as_millis() as u64,
            "liveness challenge ended"
        );
        let kind = match (result.verdict, result.selfie_seq) {
            // Live, with the frontal frame to send: the paid check, and only now.
            (LivenessVerdict::Live, Some(seq)) => return self.start_check(Some(seq), now, fx),
            // Live without a frame cannot happen; never a check without the challenge's frame.
            (LivenessVerdict::Live, None) | (LivenessVerdict::NoResponse, _) => {
                NotLiveKind::NoResponse
            }
            (LivenessVerdict::Spoof, _) => NotLiveKind::Spoof,
            (LivenessVerdict::NoFace, _) => NotLiveKind::NoFace,
        };
        let outcome = Outcome::NotLive {
            kind,
            detail: result.reason,
        };
        self.finish(outcome, result.took, now, fx)
    }

    fn start_check(&mut self, selfie: Option<u64>, now: Duration, fx: &mut Vec<Effect>) -> Screen {
        let check = self.next_check;
        self.next_check += 1;
        fx.push(Effect::StartCheck { check, selfie });
        Screen::Verifying { check, since: now }
    }

    fn finish(
        &mut self,
        outcome: Outcome,
        took: Duration,
        now: Duration,
        fx: &mut Vec<Effect>,
    ) -> Screen {
        fx.push(Effect::Record {
            outcome: outcome.clone(),
            took,
        });
        match &outcome {
            Outcome::Pass { person } => {
                fx.push(Effect::Sound(Cue::Pass));
                if let Some(url) = &person.id_front_image {
                    fx.push(Effect::FetchIdImage { url: url.clone() });
                }
                return Screen::Result {
                    until: now + self.settings.pass_display,
                    outcome,
                };
            }
            Outcome::Error { kind, detail, .. } if kind.needs_staff() => {
                fx.push(Effect::Sound(Cue::Fail));
                return Screen::ServiceUnavailable {
                    kind: *kind,
                    detail: detail.clone(),
                    retry_at: now + self.settings.service_retry,
                };
            }
            // Service trouble is not the customer's failure: it does not count toward the limit.
            Outcome::Error { .. } => {}
            Outcome::NoMatch { .. }
            | Outcome::Retake { .. }
            | Outcome::Denied { .. }
            | Outcome::Ambiguous { .. }
            | Outcome::NotLive { .. } => {
                self.failures.push_back(now);
            }
        }
        fx.push(Effect::Sound(Cue::Fail));
        Screen::Result {
            until: now + self.settings.fail_display,
            outcome,
        }
    }

    fn after_result(&mut self, now: Duration) -> Screen {
        if self.failures.len() >= self.settings.max_attempts as usize {
            Screen::Cooldown {
                until: now + self.settings.cooldown,
            }
        } else {
            self.idle_screen()
        }
    }

    fn expire_failures(&mut self, now: Duration) {
        while self
            .failures
            .front()
            .is_some_and(|t| now.saturating_sub(*t) > self.settings.attempt_window)
        {
            self.failures.pop_front();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::faceki::{Person, RetakeReason};

    fn s(secs: f64) -> Duration {
        Duration::from_secs_f64(secs)
    }

    fn gate(verdict: Verdict, someone: bool, ready: bool) -> Event {
        Event::Gate(GateView {
            verdict,
            hint: Hint::HoldStill,
            someone,
            ready,
            progress: if ready { 1.0 } else { 0.3 },
        })
    }

    fn person() -> Outcome {
        Outcome::Pass {
            person: Box::new(Person {
                full_name: "Eileen Marie Specimen".into(),
                local_name: None,
                document_id: Some("X00000000".into()),
                country: None,
                reference_id: None,
                record_id: None,
                id_front_image: Some("http://127.0.0.1:1/id.png".into()),
            }),
        }
    }

    fn started(fx: &[Effect]) -> u64 {
        fx.iter()
            .find_map(|e| match e {
                Effect::StartCheck { check, .. } => Some(*check),
                _ => None,
            })
            .expect("a check started")
    }

    fn checks_started(fx: &[Effect]) -> usize {
        fx.iter()
            .filter(|e| matches!(e, Effect::StartCheck { .. }))
            .count()
    }

    /// From the PIN pad (or opening it first): a right PIN, the admin panel.
    fn open_admin(f: &mut Flow, t: f64) {
        if !matches!(f.screen(), Screen::StaffPin { .. }) {
            f.handle(Event::OpenStaffPin, s(t));
        }
        assert!(
            f.handle(Event::PinSubmitted, s(t))
                .contains(&Effect::VerifyPin)
        );
        assert!(
            f.handle(Event::PinChecked { ok: true }, s(t))
                .contains(&Effect::OpenAdmin)
        );
        assert_eq!(f.screen(), &Screen::Admin);
    }

    /// Someone walks up, holds still, and the check starts; returns the check id.
    fn walk_up(f: &mut Flow, t: f64) -> u64 {
        f.handle(gate(Verdict::TooSmall, true, false), s(t));
        assert!(matches!(f.screen(), Screen::Positioning { .. }));
        let fx = f.handle(gate(Verdict::Ok, true, true), s(t + 1.0));
        assert!(matches!(f.screen(), Screen::Verifying { .. }));
        started(&fx)
    }

    #[test]
    fn no_credentials_means_setup_never_a_check() {
        let mut f = Flow::new(FlowSettings::default(), false);
        assert_eq!(f.screen(), &Screen::Setup);
        assert!(f.handle(gate(Verdict::Ok, true, true), s(1.0)).is_empty());
        assert!(f.handle(Event::CaptureNow, s(2.0)).is_empty());
        assert_eq!(f.screen(), &Screen::Setup);
        // The set-up screen is itself the staff screen: there is no PIN to ask for yet.
        assert!(f.handle(Event::OpenStaffPin, s(3.0)).is_empty());
        assert_eq!(f.screen(), &Screen::Setup);
        f.handle(Event::AdminClosed { configured: true }, s(4.0));
        assert_eq!(f.screen(), &Screen::Attract);
    }

    #[test]
    fn pass_shows_then_clears_personal_data() {
        let mut f = Flow::new(FlowSettings::default(), true);
        let check = walk_up(&mut f, 0.0);
        let fx = f.handle(
            Event::CheckFinished {
                check,
                outcome: person(),
            },
            s(3.0),
        );
        assert!(fx.contains(&Effect::FetchIdImage {
            url: "http://127.0.0.1:1/id.png".into()
        }));
        assert!(
            fx.iter()
                .any(|e| matches!(e, Effect::Record { took, .. } if *took == s(2.0)))
        );
        assert!(matches!(
            f.screen(),
            Screen::Result {
                outcome: Outcome::Pass { .. },
                ..
            }
        ));
        // Still there before the display time is over, even with ticks and faces.
        f.handle(Event::Tick, s(10.9));
        f.handle(gate(Verdict::Ok, true, true), s(10.95));
        assert!(matches!(f.screen(), Screen::Result { .. }));
        let fx = f.handle(Event::Tick, s(11.0));
        assert!(fx.contains(&Effect::ClearPersonalData));
        assert_eq!(f.screen(), &Screen::Attract);
    }

    #[test]
    fn stale_and_foreign_results_are_ignored() {
        let mut f = Flow::new(FlowSettings::default(), true);
        let check = walk_up(&mut f, 0.0);
        f.handle(
            Event::CheckFinished {
                check: check + 7,
                outcome: person(),
            },
            s(2.0),
        );
        assert!(matches!(f.screen(), Screen::Verifying { .. }));
        // Cancelled: the late answer must not show a pass.
        let fx = f.handle(Event::Cancel, s(2.5));
        assert!(fx.contains(&Effect::CancelCheck { check }));
        f.handle(
            Event::CheckFinished {
                check,
                outcome: person(),
            },
            s(3.0),
        );
        assert_eq!(f.screen(), &Screen::Attract);
    }

    #[test]
    fn failures_and_retakes_show_and_count_errors_do_not() {
        let mut f = Flow::new(FlowSettings::default(), true);
        let check = walk_up(&mut f, 0.0);
        f.handle(
            Event::CheckFinished {
                check,
                outcome: Outcome::Retake {
                    code: 8019,
                    reason: RetakeReason::Blurred,
                },
            },
            s(2.0),
        );
        assert!(matches!(
            f.screen(),
            Screen::Result {
                outcome: Outcome::Retake { .. },
                ..
            }
        ));
        assert_eq!(f.recent_failures(), 1);
        f.handle(Event::Dismiss, s(3.0));
        let check = walk_up(&mut f, 4.0);
        let err = Outcome::error(ErrorKind::Timeout, None, "slow");
        f.handle(
            Event::CheckFinished {
                check,
                outcome: err,
            },
            s(10.0),
        );
        assert!(matches!(
            f.screen(),
            Screen::Result {
                outcome: Outcome::Error { .. },
                ..
            }
        ));
        assert_eq!(f.recent_failures(), 1);
    }

    #[test]
    fn attempt_limit_leads_to_cooldown_then_back() {
        let mut f = Flow::new(FlowSettings::default(), true);
        let mut t = 0.0;
        for _ in 0..5 {
            let check = walk_up(&mut f, t);
            f.handle(
                Event::CheckFinished {
                    check,
                    outcome: Outcome::NoMatch { code: Some(0) },
                },
                s(t + 2.0),
            );
            f.handle(Event::Dismiss, s(t + 3.0));
            t += 10.0;
        }
        let Screen::Cooldown { until } = *f.screen() else {
            panic!("{:?}", f.screen())
        };
        assert_eq!(until, s(43.0 + 120.0));
        // Nobody can start a check meanwhile.
        assert!(f.handle(gate(Verdict::Ok, true, true), s(100.0)).is_empty());
        assert!(f.handle(Event::CaptureNow, s(100.0)).is_empty());
        f.handle(Event::Tick, s(163.0));
        assert_eq!(f.screen(), &Screen::Attract);
        assert_eq!(f.recent_failures(), 0);
    }

    #[test]
    fn failures_outside_the_window_do_not_count() {
        let mut f = Flow::new(FlowSettings::default(), true);
        for i in 0..8 {
            let t = i as f64 * 60.0;
            let check = walk_up(&mut f, t);
            f.handle(
                Event::CheckFinished {
                    check,
                    outcome: Outcome::NoMatch { code: Some(8013) },
                },
                s(t + 2.0),
            );
            f.handle(Event::Dismiss, s(t + 3.0));
            assert_eq!(f.screen(), &Screen::Attract, "attempt {i}");
        }
    }

    #[test]
    fn staff_faults_are_sticky_until_retry() {
        let mut f = Flow::new(FlowSettings::default(), true);
        let check = walk_up(&mut f, 0.0);
        f.handle(
            Event::CheckFinished {
                check,
                outcome: Outcome::error(ErrorKind::Quota, Some(8017), "q"),
            },
            s(2.0),
        );
        assert!(matches!(
            f.screen(),
            Screen::ServiceUnavailable {
                kind: ErrorKind::Quota,
                ..
            }
        ));
        assert!(f.handle(gate(Verdict::Ok, true, true), s(50.0)).is_empty());
        f.handle(Event::Tick, s(122.0));
        assert_eq!(f.screen(), &Screen::Attract);
    }

    #[test]
    fn camera_loss_and_return() {
        let mut f = Flow::new(FlowSettings::default(), true);
        f.handle(gate(Verdict::TooSmall, true, false), s(0.0));
        f.handle(
            Event::CameraLost {
                reason: "unplugged".into(),
            },
            s(1.0),
        );
        assert!(matches!(f.screen(), Screen::CameraMissing { .. }));
        assert!(f.handle(Event::CaptureNow, s(2.0)).is_empty());
        f.handle(Event::CameraBack, s(5.0));
        assert_eq!(f.screen(), &Screen::Attract);
        // Lost while verifying: the check in flight still finishes.
        let check = walk_up(&mut f, 6.0);
        f.handle(
            Event::CameraLost {
                reason: "unplugged".into(),
            },
            s(7.5),
        );
        f.handle(
            Event::CheckFinished {
                check,
                outcome: person(),
            },
            s(8.0),
        );
        assert!(matches!(f.screen(), Screen::Result { .. }));
    }

    #[test]
    fn idle_returns_idle_screen_and_manual_capture_counts_down() {
        let settings = FlowSettings {
            auto_capture: false,
            ..FlowSettings::default()
        };
        let mut f = Flow::new(settings, true);
        f.handle(gate(Verdict::Ok, true, true), s(0.0));
        assert!(
            matches!(f.screen(), Screen::Positioning { .. }),
            "no auto-capture"
        );
        f.handle(gate(Verdict::NoFace, false, false), s(1.0));
        assert!(
            matches!(f.screen(), Screen::Positioning { .. }),
            "a short loss keeps guiding"
        );
        f.handle(Event::Tick, s(3.5));
        assert_eq!(f.screen(), &Screen::Attract);
        f.handle(gate(Verdict::Ok, true, false), s(4.0));
        assert!(f.handle(Event::CaptureNow, s(5.0)).is_empty());
        assert!(matches!(f.screen(), Screen::Countdown { .. }));
        let fx = f.handle(Event::Tick, s(8.0));
        started(&fx);
    }

    #[test]
    fn admin_interrupts_and_clears() {
        let mut f = Flow::new(FlowSettings::default(), true);
        let check = walk_up(&mut f, 0.0);
        let fx = f.handle(Event::OpenStaffPin, s(1.5));
        assert!(fx.contains(&Effect::CancelCheck { check }));
        assert!(matches!(f.screen(), Screen::StaffPin { .. }));
        open_admin(&mut f, 1.6);
        assert_eq!(f.screen(), &Screen::Admin);
        assert!(f.handle(gate(Verdict::Ok, true, true), s(2.0)).is_empty());
        f.handle(Event::AdminClosed { configured: true }, s(3.0));
        assert_eq!(f.screen(), &Screen::Attract);
    }

    fn ended(fx: &[Effect]) -> bool {
        fx.contains(&Effect::VisitEnded)
    }

    #[test]
    fn a_pass_ends_the_visit() {
        let mut f = Flow::new(FlowSettings::default(), true);
        let check = walk_up(&mut f, 0.0);
        let fx = f.handle(
            Event::CheckFinished {
                check,
                outcome: person(),
            },
            s(2.0),
        );
        assert!(!ended(&fx));
        assert!(ended(&f.handle(Event::Dismiss, s(3.0))));
    }

    /// Someone walks up at 0 s, passes at 2 s and dismisses the result at 3 s.
    fn just_passed() -> Flow {
        let mut f = Flow::new(FlowSettings::default(), true);
        let check = walk_up(&mut f, 0.0);
        f.handle(
            Event::CheckFinished {
                check,
                outcome: person(),
            },
            s(2.0),
        );
        f.handle(Event::Dismiss, s(3.0));
        f
    }

    #[test]
    fn whoever_just_passed_is_not_checked_again_until_they_leave() {
        let mut f = just_passed();
        assert!(f.awaiting_departure());
        // Still there, still steady: no second (paid) check.
        for t in [3.5, 5.0, 8.0, 12.0] {
            let fx = f.handle(gate(Verdict::Ok, true, true), s(t));
            assert!(
                !fx.iter().any(|e| matches!(e, Effect::StartCheck { .. })),
                "at {t}"
            );
        }
        // They leave; the next person is checked by themselves.
        f.handle(gate(Verdict::NoFace, false, false), s(13.0));
        f.handle(Event::Tick, s(16.1));
        assert!(!f.awaiting_departure());
        let fx = f.handle(gate(Verdict::Ok, true, true), s(17.0));
        assert!(fx.iter().any(|e| matches!(e, Effect::StartCheck { .. })));
    }

    #[test]
    fn a_tap_checks_the_next_person_at_once() {
        let mut f = just_passed();
        f.handle(gate(Verdict::Ok, true, true), s(3.2));
        let fx = f.handle(Event::CaptureNow, s(3.5));
        assert!(fx.iter().any(|e| matches!(e, Effect::StartCheck { .. })));
        assert!(!f.awaiting_departure());
    }

    #[test]
    fn a_failure_keeps_the_visit_until_nobody_is_there() {
        let mut f = Flow::new(FlowSettings::default(), true);
        let check = walk_up(&mut f, 0.0);
        f.handle(
            Event::CheckFinished {
                check,
                outcome: Outcome::NoMatch { code: None },
            },
            s(2.0),
        );
        // "Try again": the same person, still in view.
        assert!(!ended(&f.handle(Event::Dismiss, s(3.0))));
        assert!(!ended(
            &f.handle(gate(Verdict::TooSmall, true, false), s(4.0))
        ));
        // They walk away.
        assert!(!ended(
            &f.handle(gate(Verdict::NoFace, false, false), s(5.0))
        ));
        let fx = f.handle(Event::Tick, s(7.1));
        assert_eq!(f.screen(), &Screen::Attract);
        assert!(ended(&fx));
        // Once.
        assert!(!ended(&f.handle(Event::Tick, s(9.0))));
    }

    #[test]
    fn a_touch_with_nobody_in_view_opens_a_visit_that_times_out() {
        let mut f = Flow::new(FlowSettings::default(), true);
        assert!(!ended(&f.handle(Event::Tick, s(10.0))), "no visit yet");
        f.handle(Event::Touch, s(11.0));
        assert_eq!(f.screen(), &Screen::Attract);
        assert!(!ended(&f.handle(Event::Tick, s(13.5))));
        assert!(ended(&f.handle(Event::Tick, s(14.0))));
    }

    /// Issue 15: a steady face in view with auto-capture on must not start (and bill) a check
    /// while staff type the PIN or change settings.
    #[test]
    fn no_check_starts_while_the_pin_pad_or_the_admin_panel_is_open() {
        let mut f = Flow::new(FlowSettings::default(), true);
        assert!(f.settings().auto_capture);
        f.handle(gate(Verdict::TooSmall, true, false), s(0.0));
        f.handle(Event::OpenStaffPin, s(0.5));
        assert_eq!(
            f.screen(),
            &Screen::StaffPin {
                status: PinStatus::Enter
            }
        );
        let mut t = 1.0;
        let mut started = 0;
        // Behind the PIN pad: a steady face, taps, a wrong PIN, time passing.
        for _ in 0..50 {
            started += checks_started(&f.handle(gate(Verdict::Ok, true, true), s(t)));
            started += checks_started(&f.handle(Event::CaptureNow, s(t)));
            started += checks_started(&f.handle(Event::Tick, s(t + 0.05)));
            t += 0.1;
        }
        f.handle(Event::PinSubmitted, s(t));
        f.handle(Event::PinChecked { ok: false }, s(t));
        assert_eq!(
            f.screen(),
            &Screen::StaffPin {
                status: PinStatus::Wrong { tries_left: 4 }
            }
        );
        started += checks_started(&f.handle(gate(Verdict::Ok, true, true), s(t + 0.1)));
        // Behind the admin panel, for a minute.
        open_admin(&mut f, t + 1.0);
        for i in 0..600 {
            let at = s(t + 2.0 + i as f64 * 0.1);
            started += checks_started(&f.handle(gate(Verdict::Ok, true, true), at));
            started += checks_started(&f.handle(Event::CaptureNow, at));
            started += checks_started(&f.handle(Event::Touch, at));
        }
        assert_eq!(started, 0, "a check started behind a staff screen");
        assert_eq!(f.screen(), &Screen::Admin);
        // Closed: the kiosk checks the next steady face again.
        f.handle(Event::AdminClosed { configured: true }, s(t + 70.0));
        assert_eq!(f.screen(), &Screen::Attract);
        f.handle(gate(Verdict::Ok, true, false), s(t + 70.5));
        let fx = f.handle(gate(Verdict::Ok, true, true), s(t + 71.5));
        assert_eq!(checks_started(&fx), 1);
    }

    #[test]
    fn the_pin_pad_locks_after_five_wrong_pins() {
        let mut f = Flow::new(FlowSettings::default(), true);
        f.handle(Event::OpenStaffPin, s(0.0));
        for left in (1..5).rev() {
            assert!(
                f.handle(Event::PinSubmitted, s(1.0))
                    .contains(&Effect::VerifyPin)
            );
            f.handle(Event::PinChecked { ok: false }, s(1.0));
            assert_eq!(
                f.screen(),
                &Screen::StaffPin {
                    status: PinStatus::Wrong { tries_left: left }
                }
            );
        }
        f.handle(Event::PinSubmitted, s(2.0));
        f.handle(Event::PinChecked { ok: false }, s(2.0));
        let locked = Screen::StaffPin {
            status: PinStatus::Locked { until: s(302.0) },
        };
        assert_eq!(f.screen(), &locked);
        // Even the right PIN is not tried while locked; closing and reopening changes nothing.
        assert!(f.handle(Event::PinSubmitted, s(10.0)).is_empty());
        f.handle(Event::CloseStaffPin, s(11.0));
        f.handle(Event::OpenStaffPin, s(12.0));
        assert_eq!(f.screen(), &locked);
        // After the lockout, a right PIN opens the panel.
        open_admin(&mut f, 303.0);
    }

    #[test]
    fn a_right_pin_after_the_pad_was_cancelled_opens_nothing() {
        let mut f = Flow::new(FlowSettings::default(), true);
        f.handle(Event::OpenStaffPin, s(0.0));
        f.handle(Event::PinSubmitted, s(0.5));
        f.handle(Event::CloseStaffPin, s(0.6));
        assert!(f.handle(Event::PinChecked { ok: true }, s(0.7)).is_empty());
        assert_eq!(f.screen(), &Screen::Attract);
    }

    #[test]
    fn the_pin_pad_clears_a_result_and_is_no_way_round_a_cooldown() {
        let mut f = Flow::new(FlowSettings::default(), true);
        let check = walk_up(&mut f, 20.0);
        f.handle(
            Event::CheckFinished {
                check,
                outcome: person(),
            },
            s(21.0),
        );
        assert!(matches!(f.screen(), Screen::Result { .. }));
        assert!(
            f.handle(Event::OpenStaffPin, s(22.0))
                .contains(&Effect::ClearPersonalData)
        );
        f.handle(Event::CloseStaffPin, s(23.0));
        assert_eq!(f.screen(), &Screen::Attract);

        let mut f = Flow::new(FlowSettings::default(), true);
        for i in 0..5 {
            let t = i as f64 * 10.0;
            let check = walk_up(&mut f, t);
            f.handle(
                Event::CheckFinished {
                    check,
                    outcome: Outcome::NoMatch { code: None },
                },
                s(t + 2.0),
            );
            f.handle(Event::Dismiss, s(t + 3.0));
        }
        let cooldown = f.screen().clone();
        assert!(matches!(cooldown, Screen::Cooldown { .. }));
        f.handle(Event::OpenStaffPin, s(50.0));
        f.handle(Event::CloseStaffPin, s(51.0));
        assert_eq!(
            f.screen(),
            &cooldown,
            "Staff + Cancel must not end a cooldown"
        );
        // Staff who get in end it.
        open_admin(&mut f, 52.0);
        f.handle(Event::AdminClosed { configured: true }, s(60.0));
        assert_eq!(f.screen(), &Screen::Attract);
    }

    #[test]
    fn a_camera_lost_behind_the_admin_panel_shows_once_it_closes() {
        let mut f = Flow::new(FlowSettings::default(), true);
        open_admin(&mut f, 0.0);
        f.handle(
            Event::CameraLost {
                reason: "unplugged".into(),
            },
            s(1.0),
        );
        assert_eq!(f.screen(), &Screen::Admin);
        f.handle(Event::AdminClosed { configured: true }, s(2.0));
        assert!(matches!(f.screen(), Screen::CameraMissing { .. }));
        f.handle(Event::CameraBack, s(3.0));
        assert_eq!(f.screen(), &Screen::Attract);
    }

    #[test]
    fn settings_change_through_an_event() {
        let mut f = Flow::new(FlowSettings::default(), true);
        let manual = FlowSettings {
            auto_capture: false,
            ..FlowSettings::default()
        };
        f.handle(Event::SettingsChanged(manual.clone()), s(0.0));
        assert_eq!(f.settings(), &manual);
        assert!(f.manual_capture());
        f.handle(gate(Verdict::Ok, true, false), s(1.0));
        assert_eq!(
            checks_started(&f.handle(gate(Verdict::Ok, true, true), s(2.0))),
            0
        );
    }

    // ---- The liveness challenge ----

    use crate::liveness::geometry::{P2, canonical_vertices};
    use crate::liveness::{Ask, Turn};
    use std::sync::Arc;

    /// The canonical face turned by `yaw` (positive: the customer's left) and projected as a
    /// camera would (perspective): a real head, as far as the landmarks go.
    fn head(yaw: f32) -> Arc<[P2]> {
        let (sin, cos) = yaw.to_radians().sin_cos();
        let f = 900.0;
        canonical_vertices()
            .iter()
            .map(|v| {
                let x = v[0] * cos + v[2] * sin;
                let z = -v[0] * sin + v[2] * cos;
                let d = 45.0 - z;
                [640.0 + f * x / d, 360.0 - f * v[1] / d]
            })
            .collect()
    }

    /// A flat photo of the frontal face, squeezed as if tilted: every frame a homography of
    /// the frontal one, whatever yaw it is said to show.
    fn photo(squeeze: f32) -> Arc<[P2]> {
        head(0.0)
            .iter()
            .map(|p| [640.0 + (p[0] - 640.0) * squeeze, p[1]])
            .collect()
    }

    fn face(seq: u64, yaw: f32, marks: Arc<[P2]>, ok: bool) -> Event {
        Event::Face(FaceObservation {
            seq,
            track: 1,
            faces: 1,
            yaw_deg: Some(yaw),
            landmarks: Some(marks),
            selfie_ok: ok,
        })
    }

    /// The attempt ended on the result screen, refused by the liveness check as `kind`.
    fn ended_as(f: &Flow, kind: NotLiveKind) -> bool {
        matches!(
            f.screen(),
            Screen::Result { outcome: Outcome::NotLive { kind: k, .. }, .. } if *k == kind
        )
    }

    fn live_flow() -> Flow {
        let settings = FlowSettings {
            liveness: Some(ChallengeSettings::default()),
            ..FlowSettings::default()
        };
        Flow::new(settings, true).with_seed(7)
    }

    fn asked(f: &Flow) -> Option<Ask> {
        match f.screen() {
            Screen::Challenge { ask, .. } => Some(*ask),
            _ => None,
        }
    }

    /// Walks up; the gate is happy; returns the time and the effects of the last event.
    fn into_challenge(f: &mut Flow, t: f64) -> Vec<Effect> {
        f.handle(gate(Verdict::TooSmall, true, false), s(t));
        let fx = f.handle(gate(Verdict::Ok, true, true), s(t + 0.5));
        assert!(fx.contains(&Effect::Observe(true)), "{fx:?}");
        assert_eq!(checks_started(&fx), 0, "no check before the challenge");
        assert!(matches!(asked(f), Some(Ask::Frontal)));
        fx
    }

    /// Answers the challenge as a person would (with `marks_for(yaw)` as the landmarks), one
    /// frame every 0.1 s; returns every effect and the time it ended.
    fn answer(
        f: &mut Flow,
        mut t: f64,
        marks_for: impl Fn(f32) -> Arc<[P2]>,
        wrong_way: bool,
    ) -> (Vec<Effect>, f64) {
        let mut all = Vec::new();
        let mut yaw: f32 = 0.0;
        let mut seq = 100;
        for _ in 0..200 {
            let target = match asked(f) {
                Some(Ask::Turn(Turn::Left)) => 28.0,
                Some(Ask::Turn(Turn::Right)) => -28.0,
                Some(Ask::Frontal) => 0.0,
                None => break,
            };
            let target = if wrong_way { -target } else { target };
            yaw += (target - yaw).clamp(-9.0, 9.0);
            seq += 1;
            t += 0.1;
            all.extend(f.handle(face(seq, yaw, marks_for(yaw), true), s(t)));
        }
        (all, t)
    }

    #[test]
    fn with_liveness_a_check_starts_only_after_the_challenge_with_its_frame() {
        let mut f = live_flow();
        into_challenge(&mut f, 0.0);
        let (fx, _) = answer(&mut f, 1.0, head, false);
        let starts: Vec<_> = fx
            .iter()
            .filter_map(|e| match e {
                Effect::StartCheck { selfie, .. } => Some(*selfie),
                _ => None,
            })
            .collect();
        assert_eq!(starts.len(), 1, "{fx:?}");
        // The selfie is a frame of the challenge (seq > 100), the frontal one after the turns.
        assert!(starts[0].is_some_and(|seq| seq > 100));
        assert!(fx.contains(&Effect::LivenessVerdict(LivenessVerdict::Live)));
        assert!(fx.contains(&Effect::Observe(false)));
        assert!(matches!(f.screen(), Screen::Verifying { .. }));
    }

    #[test]
    fn a_flat_photo_is_refused_before_any_paid_call_and_counts_as_an_attempt() {
        let mut f = live_flow();
        into_challenge(&mut f, 0.0);
        // The photo is tilted to "turn": its landmarks only ever squeeze.
        let (fx, _) = answer(&mut f, 1.0, |yaw| photo(yaw.to_radians().cos()), false);
        assert_eq!(checks_started(&fx), 0);
        assert!(fx.contains(&Effect::LivenessVerdict(LivenessVerdict::Spoof)));
        assert!(ended_as(&f, NotLiveKind::Spoof), "{:?}", f.screen());
        assert!(fx.iter().any(|e| matches!(
            e,
            Effect::Record {
                outcome: Outcome::NotLive { .. },
                ..
            }
        )));
        assert_eq!(f.recent_failures(), 1);
    }

    #[test]
    fn five_spoofs_lead_to_the_cooldown() {
        let mut f = live_flow();
        let mut t = 0.0;
        for _ in 0..5 {
            into_challenge(&mut f, t);
            let (_, end) = answer(&mut f, t + 1.0, |_| photo(0.9), false);
            f.handle(Event::Dismiss, s(end + 0.1));
            t = end + 1.0;
        }
        assert!(matches!(f.screen(), Screen::Cooldown { .. }));
    }

    #[test]
    fn a_turn_the_wrong_way_ends_the_attempt_without_a_check() {
        let mut f = live_flow();
        into_challenge(&mut f, 0.0);
        let (fx, _) = answer(&mut f, 1.0, head, true);
        assert_eq!(checks_started(&fx), 0);
        assert!(ended_as(&f, NotLiveKind::NoResponse), "{:?}", f.screen());
    }

    #[test]
    fn no_turn_in_time_is_no_response() {
        let mut f = live_flow();
        into_challenge(&mut f, 0.0);
        // Frontal, then nothing but a still face.
        for i in 0..100u64 {
            let fx = f.handle(face(i + 1, 0.0, head(0.0), true), s(1.0 + i as f64 * 0.1));
            assert_eq!(checks_started(&fx), 0);
        }
        assert!(ended_as(&f, NotLiveKind::NoResponse), "{:?}", f.screen());
    }

    #[test]
    fn another_face_restarts_the_challenge_with_new_turns() {
        let mut f = live_flow();
        into_challenge(&mut f, 0.0);
        f.handle(face(1, 0.0, head(0.0), true), s(1.0));
        assert!(matches!(asked(&f), Some(Ask::Turn(_))));
        // Someone else steps in front (a new track): the challenge starts over.
        let fx = f.handle(
            Event::Face(FaceObservation {
                seq: 2,
                track: 2,
                faces: 1,
                yaw_deg: Some(0.0),
                landmarks: Some(head(0.0)),
                selfie_ok: true,
            }),
            s(1.1),
        );
        assert_eq!(checks_started(&fx), 0);
        assert!(matches!(asked(&f), Some(Ask::Frontal)));
        // Four changes in a row end the attempt.
        for i in 0..4u64 {
            f.handle(
                Event::Face(FaceObservation {
                    seq: 3 + i,
                    track: 3 + i,
                    faces: 2,
                    yaw_deg: Some(0.0),
                    landmarks: Some(head(0.0)),
                    selfie_ok: true,
                }),
                s(1.2 + i as f64 * 0.1),
            );
        }
        assert!(matches!(f.screen(), Screen::Result { .. }));
    }

    #[test]
    fn staff_pin_during_the_challenge_stops_it_and_starts_nothing() {
        let mut f = live_flow();
        into_challenge(&mut f, 0.0);
        let fx = f.handle(Event::OpenStaffPin, s(1.0));
        assert!(fx.contains(&Effect::Observe(false)));
        let (fx, _) = answer(&mut f, 1.0, head, false);
        assert_eq!(checks_started(&fx), 0);
        assert!(matches!(f.screen(), Screen::StaffPin { .. }));
    }

    #[test]
    fn a_visitor_who_walks_away_mid_challenge_leaves_no_record() {
        let mut f = live_flow();
        into_challenge(&mut f, 0.0);
        let fx = f.handle(gate(Verdict::NoFace, false, false), s(5.0));
        assert_eq!(f.screen(), &Screen::Attract);
        assert!(fx.contains(&Effect::Observe(false)));
        assert!(!fx.iter().any(|e| matches!(e, Effect::Record { .. })));
    }

    #[test]
    fn the_turns_are_drawn_per_visit() {
        // The first turn asked, for visitors with different randomness: both ways come up.
        let mut first = std::collections::BTreeSet::new();
        for seed in 0..16 {
            let mut f = Flow::new(live_flow().settings().clone(), true).with_seed(seed);
            into_challenge(&mut f, 0.0);
            f.handle(face(1, 0.0, head(0.0), true), s(1.0));
            if let Some(Ask::Turn(turn)) = asked(&f) {
                first.insert(turn.name());
            }
        }
        assert_eq!(first.len(), 2, "{first:?}");
    }
}
