pub mod frames;
pub mod kiosk;
pub mod pg;
pub mod webdriver;
