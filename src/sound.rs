//! Sound cues: a short chime for a pass, a lower one for a failure, a ping for "look at the
//! camera". Synthesised here (sine tones with soft edges), so no sound files or licences are
//! involved. Off by default (`kiosk.sound`); a PC without a sound device just stays silent.

use std::sync::mpsc::{Sender, channel};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use rodio::Source;
use rodio::source::SineWave;

use crate::kiosk::Cue;

/// Plays cues on a thread of its own, so the UI never waits on the audio device.
pub struct Chimes {
    tx: Option<Sender<Cue>>,
    /// Set by the sound thread once it knows whether a device opened (for staff and tests).
    device: Arc<OnceLock<bool>>,
}

impl Chimes {
    /// Opens the default output on a background thread. Never fails: without a device, cues
    /// are dropped (and that is logged once).
    pub fn start() -> Self {
        let (tx, rx) = channel::<Cue>();
        let device = Arc::new(OnceLock::new());
        let found = Arc::clone(&device);
        let spawned = std::thread::Builder::new()
            .name("sound".into())
            .spawn(move || {
                let mut stream = match rodio::OutputStreamBuilder::open_default_stream() {
                    Ok(s) => s,
                    Err(e) => {
                        let _ = found.set(false);
                        tracing::warn!(error = %e, "no sound device: sound cues are off");
                        // Drain so senders never notice.
                        for _ in rx {}
                        return;
                    }
                };
                // Quiet when the kiosk shuts down.
                stream.log_on_drop(false);
                let _ = found.set(true);
                for cue in rx {
                    for (hz, ms) in notes(cue) {
                        stream.mixer().add(tone(*hz, *ms));
                        std::thread::sleep(Duration::from_millis(u64::from(*ms)));
                    }
                }
            });
        match spawned {
            Ok(_) => Self {
                tx: Some(tx),
                device,
            },
            Err(e) => {
                tracing::warn!(error = %e, "sound thread could not start: sound cues are off");
                let _ = device.set(false);
                Self { tx: None, device }
            }
        }
    }

    /// Whether a sound device opened; `None` while the sound thread is still finding out.
    pub fn has_device(&self) -> Option<bool> {
        self.device.get().copied()
    }

    /// Queues a cue; returns at once.
    pub fn play(&self, cue: Cue) {
        if let Some(tx) = &self.tx {
            let _ = tx.send(cue);
        }
    }
}

/// The notes of each cue: (frequency in Hz, length in ms). Short, and never more than two notes.
pub fn notes(cue: Cue) -> &'static [(f32, u32)] {
    match cue {
        // Rising: good news.
        Cue::Pass => &[(660.0, 110), (880.0, 180)],
        // Falling, lower: try again or see staff.
        Cue::Fail => &[(440.0, 140), (330.0, 240)],
        // One soft ping.
        Cue::LookAtCamera => &[(740.0, 90)],
    }
}

fn tone(hz: f32, ms: u32) -> impl Source<Item = f32> + Send + 'static {
    let len = Duration::from_millis(u64::from(ms));
    // Soft edges: a hard start or stop clicks.
    SineWave::new(hz)
        .take_duration(len)
        .fade_in(Duration::from_millis(10))
        .amplify(0.2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cues_are_short_and_distinct() {
        for cue in [Cue::Pass, Cue::Fail, Cue::LookAtCamera] {
            let total: u32 = notes(cue).iter().map(|(_, ms)| ms).sum();
            assert!(total <= 400, "{cue:?} lasts {total} ms");
        }
        assert_ne!(notes(Cue::Pass), notes(Cue::Fail));
        // Pass rises, fail falls.
        let p = notes(Cue::Pass);
        let f = notes(Cue::Fail);
        assert!(p[1].0 > p[0].0 && f[1].0 < f[0].0);
    }

    #[test]
    fn without_a_device_cues_are_dropped_quietly() {
        // CI and this machine have no sound device: starting and playing must not fail.
        let chimes = Chimes::start();
        chimes.play(Cue::Pass);
        chimes.play(Cue::LookAtCamera);
        // The sound thread ran and found out either way (no device on CI), without panicking.
        let t0 = std::time::Instant::now();
        while chimes.has_device().is_none() {
            assert!(
                t0.elapsed() < Duration::from_secs(10),
                "the sound thread never reported"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
        chimes.play(Cue::Fail);
    }
}
