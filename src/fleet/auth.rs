//! Head-office logins: argon2 password hashes in the fleet store, sessions and lockouts in
//! the dashboard's memory (so its database role can stay read-only). Five wrong passwords
//! lock an account for [`LOCKOUT`]; a name that does not exist is treated the same, so the
//! answer never tells which names exist.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use rand::RngCore;
use thiserror::Error;

pub const MAX_FAILURES: u32 = 5;
pub const LOCKOUT: Duration = Duration::from_secs(15 * 60);
pub const SESSION_TTL: Duration = Duration::from_secs(8 * 3600);
/// Failure records kept at most (someone trying random names must not fill the memory).
const MAX_TRACKED: usize = 10_000;
pub const MIN_PASSWORD_LEN: usize = 10;

#[derive(Debug, Error)]
pub enum AuthError {
    #[error("a password needs at least {MIN_PASSWORD_LEN} characters")]
    TooShort,
    #[error("a user name is 1-64 letters, digits, '.', '_', '-' or '@'")]
    BadName,
    #[error("could not hash the password: {0}")]
    Hash(String),
}

pub fn valid_name(name: &str) -> Result<(), AuthError> {
    let ok = (1..=64).contains(&name.chars().count())
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'));
    if ok { Ok(()) } else { Err(AuthError::BadName) }
}

/// An argon2id PHC string for a new password.
pub fn hash_password(password: &str) -> Result<String, AuthError> {
    if password.chars().count() < MIN_PASSWORD_LEN {
        return Err(AuthError::TooShort);
    }
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(|e| AuthError::Hash(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AuthError::Hash(e.to_string()))
}

/// True when `password` matches `stored`; a malformed hash never matches. `None` (no such
/// user) is checked against a fixed hash, so it takes as long as a real one.
pub fn verify_password(password: &str, stored: Option<&str>) -> bool {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let dummy = DUMMY.get_or_init(|| hash_password("not-a-real-password").unwrap_or_default());
    let (hash, real) = match stored {
        Some(h) => (h, true),
        None => (dummy.as_str(), false),
    };
    let ok = PasswordHash::new(hash).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    });
    ok && real
}

/// 32 random bytes, hex: session ids and CSRF tokens.
pub fn new_token() -> String {
    let mut b = [0u8; 32];
    rand::rng().fill_bytes(&mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Compares two tokens in constant time (they are secrets).
pub fn same_token(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub user: String,
    /// Every form of this session carries it; a POST without it is refused.
    pub csrf: String,
    expires: Instant,
}

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    last: Instant,
    locked_until: Option<Instant>,
}

/// Sessions and failure counts.
#[derive(Debug, Default)]
pub struct Auth {
    sessions: Mutex<HashMap<String, Session>>,
    failures: Mutex<HashMap<String, Failures>>,
}

impl Auth {
    /// How long `user` stays locked, if they are.
    pub fn locked(&self, user: &str, now: Instant) -> Option<Duration> {
        let f = lock(&self.failures);
        f.get(&user.to_lowercase())
            .and_then(|f| f.locked_until)
            .and_then(|until| until.checked_duration_since(now))
            .filter(|d| !d.is_zero())
    }

    /// Counts a wrong password. Returns true when this one locked the account.
    pub fn failed(&self, user: &str, now: Instant) -> bool {
        let mut all = lock(&self.failures);
        if all.len() >= MAX_TRACKED {
            all.retain(|_, f| now.duration_since(f.last) < LOCKOUT);
        }
        let f = all.entry(user.to_lowercase()).or_insert(Failures {
            count: 0,
            last: now,
            locked_until: None,
        });
        // A lock that ran out starts a fresh count.
        if f.locked_until.is_some_and(|u| u <= now) {
            *f = Failures {
                count: 0,
                last: now,
                locked_until: None,
            };
        }
        f.count += 1;
        f.last = now;
        if f.count >= MAX_FAILURES && f.locked_until.is_none() {
            f.locked_until = Some(now + LOCKOUT);
            return true;
        }
        false
    }

    pub fn succeeded(&self, user: &str) {
        lock(&self.failures).remove(&user.to_lowercase());
    }

    /// A new session for `user`: its id (the cookie) and the session.
    pub fn open(&self, user: &str, now: Instant) -> (String, Session) {
        let id = new_token();
        let s = Session {
            user: user.to_owned(),
            csrf: new_token(),
            expires: now + SESSION_TTL,
        };
        let mut all = lock(&self.sessions);
        all.retain(|_, s| s.expires > now);
        all.insert(id.clone(), s.clone());
        (id, s)
    }

    pub fn session(&self, id: &str, now: Instant) -> Option<Session> {
        let all = lock(&self.sessions);
        all.get(id).filter(|s| s.expires > now).cloned()
    }

    pub fn close(&self, id: &str) {
        lock(&self.sessions).remove(id);
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_wrong_passwords_lock_the_account() {
        let auth = Auth::default();
        let t0 = Instant::now();
        for i in 1..MAX_FAILURES {
            assert!(!auth.failed("Amina", t0), "failure {i}");
            assert!(auth.locked("amina", t0).is_none());
        }
        assert!(auth.failed("amina", t0));
        assert!(auth.locked("AMINA", t0).is_some());
        let later = t0 + LOCKOUT + Duration::from_secs(1);
        assert!(auth.locked("amina", later).is_none());
        assert!(!auth.failed("amina", later), "a fresh count after the lock");
    }

    #[test]
    fn passwords_hash_and_verify() {
        let h = hash_password("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", Some(&h)));
        assert!(!verify_password("wrong horse battery", Some(&h)));
        assert!(!verify_password("correct horse battery", None));
        assert!(!verify_password("x", Some("not a hash")));
        assert!(matches!(hash_password("short"), Err(AuthError::TooShort)));
    }

    #[test]
    fn sessions_expire_and_close() {
        let auth = Auth::default();
        let t0 = Instant::now();
        let (id, s) = auth.open("amina", t0);
        assert_eq!(auth.session(&id, t0), Some(s.clone()));
        assert_ne!(id, s.csrf);
        assert!(auth.session(&id, t0 + SESSION_TTL).is_none());
        auth.close(&id);
        assert!(auth.session(&id, t0).is_none());
        assert!(same_token(&s.csrf, &s.csrf.clone()));
        assert!(!same_token(&s.csrf, &id));
    }

    #[test]
    fn names() {
        assert!(valid_name("amina.k@head-office").is_ok());
        assert!(valid_name("أمينة").is_ok());
        assert!(valid_name("").is_err());
        assert!(valid_name("a b").is_err());
    }
}
