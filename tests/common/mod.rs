pub mod frames;
pub mod kiosk;
pub mod pg;
pub mod webdriver;

/// Polls `ok` every 100 ms until it holds; panics with `what` after `secs`.
#[allow(dead_code)] // tests/privacy.rs shares this module and never polls
pub fn wait_until(what: &str, secs: u64, mut ok: impl FnMut() -> bool) {
    let start = std::time::Instant::now();
    while !ok() {
        assert!(
            start.elapsed() < std::time::Duration::from_secs(secs),
            "timed out waiting for {what}"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}
