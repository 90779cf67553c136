//! The admin PIN: stored as an argon2 hash, with a lockout after repeated wrong tries.
//! Hashing and verifying take tens of milliseconds on purpose, so callers run them off the UI
//! thread; the lockout bookkeeping is pure (time passed in).

use std::time::Duration;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, SaltString};
use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum PinError {
    #[error("a PIN must be 4 to 12 digits")]
    Format,
    #[error("could not hash the PIN: {0}")]
    Hash(String),
}

/// Checks the form of a new PIN.
pub fn validate(pin: &str) -> Result<(), PinError> {
    let ok = (4..=12).contains(&pin.len()) && pin.chars().all(|c| c.is_ascii_digit());
    if ok { Ok(()) } else { Err(PinError::Format) }
}

/// An argon2id PHC string (`$argon2id$v=19$...`), salted.
pub fn hash(pin: &str) -> Result<String, PinError> {
    validate(pin)?;
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(pin.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| PinError::Hash(e.to_string()))
}

/// True when `pin` matches `stored`. A malformed stored hash never matches.
pub fn verify(pin: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|h| {
        Argon2::default()
            .verify_password(pin.as_bytes(), &h)
            .is_ok()
    })
}

/// Wrong-PIN lockout: after `max_tries` wrong PINs, no try is accepted for `lockout`.
#[derive(Debug, Clone)]
pub struct PinGuard {
    pub max_tries: u32,
    pub lockout: Duration,
    wrong: u32,
    locked_until: Option<Duration>,
}

impl Default for PinGuard {
    fn default() -> Self {
        Self {
            max_tries: 5,
            lockout: Duration::from_secs(300),
            wrong: 0,
            locked_until: None,
        }
    }
}

impl PinGuard {
    /// `Err(remaining)` while locked out.
    pub fn check_allowed(&mut self, now: Duration) -> Result<(), Duration> {
        match self.locked_until {
            Some(until) if now < until => Err(until - now),
            Some(_) => {
                self.locked_until = None;
                self.wrong = 0;
                Ok(())
            }
            None => Ok(()),
        }
    }

    /// Records the result of a try; returns the tries left before lockout.
    pub fn record(&mut self, correct: bool, now: Duration) -> u32 {
        if correct {
            self.wrong = 0;
            return self.max_tries;
        }
        self.wrong += 1;
        if self.wrong >= self.max_tries {
            self.locked_until = Some(now + self.lockout);
            tracing::warn!("admin PIN locked after {} wrong tries", self.wrong);
            return 0;
        }
        self.max_tries - self.wrong
    }

    pub fn is_locked(&self, now: Duration) -> bool {
        self.locked_until.is_some_and(|u| now < u)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_and_verify() {
        let h = hash("4821").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(!h.contains("4821"));
        assert!(verify("4821", &h));
        assert!(!verify("4822", &h));
        assert!(!verify("4821", "not a hash"));
        assert!(hash("12a4").is_err());
        assert!(hash("123").is_err());
    }

    #[test]
    fn lockout_after_five_wrong_tries() {
        let s = Duration::from_secs;
        let mut g = PinGuard::default();
        for left in (1..5).rev() {
            assert!(g.check_allowed(s(1)).is_ok());
            assert_eq!(g.record(false, s(1)), left);
        }
        assert_eq!(g.record(false, s(2)), 0);
        assert_eq!(g.check_allowed(s(3)), Err(s(299)));
        assert!(g.is_locked(s(301)));
        assert!(g.check_allowed(s(302)).is_ok());
        assert_eq!(
            g.record(false, s(303)),
            4,
            "the count starts afresh after the lockout"
        );
    }
}
