//! All integration tests in one binary: each test file used to link eframe, wgpu, tract,
//! rusqlite and axum on its own, which cost minutes of CI per file. Tests that need a process
//! of their own (global log subscriber, environment variables, RSS measurement) stay apart:
//! `tests/privacy.rs` and `tests/huge_body.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and tools may panic

#[path = "../common/mod.rs"]
mod common;

mod admin_safety;
mod camera;
mod checkin_log;
mod cli;
mod decision_props;
mod faceki_client;
mod faults;
mod fleet;
mod gate_accuracy;
mod liveness;
mod liveness_ui;
mod make_demo_clip;
mod screens;
mod ui_flows;
mod window;
