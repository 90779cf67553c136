pub mod frames;
pub mod kiosk;
