//! The selfie: what is sent to FACEKI.

pub mod encode;
