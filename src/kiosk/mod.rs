//! The kiosk's logic, free of egui and tokio: the flow state machine and the admin PIN.

pub mod flow;
pub mod pin;

pub use flow::{Cue, Effect, Event, Flow, FlowSettings, GateView, PinStatus, Screen};
