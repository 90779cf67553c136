//! The check-in log through the whole app: rows for checks, the staff view, CSV export, and a
//! log that cannot be written never stopping a check.

use crate::common;

use std::net::{Ipv4Addr, SocketAddr};

use common::kiosk::{
    demo, harness_with, has, has_part, next_visitor, open_admin, steady_camera, step_until,
};
use egui_kittest::kittest::{NodeT, Queryable};
use faceki_kiosk::config::Settings;
use faceki_kiosk::faceki::Secret;
use faceki_kiosk::sim::{self, Scenario, SimConfig};

#[test]
fn passes_show_in_the_staff_view_and_export() {
    let mut h = demo(Scenario::Match, |s| s.kiosk.pass_display_secs = 1);
    step_until(&mut h, "the pass screen", 20, |h| has(h, "Welcome"));
    step_until(&mut h, "the auto-clear", 10, |h| !has(h, "Welcome"));
    h.state_mut().rt.set_scenario(Scenario::NoMatch);
    next_visitor(&mut h);
    step_until(&mut h, "no match", 20, |h| has(h, "Not recognised"));
    h.get_by_label("Try again").click();
    h.step();
    h.state_mut().rt.set_scenario(Scenario::Match);
    // Manual capture from here, so nothing new is checked while staff look.
    open_admin(&mut h);
    h.get_by_label("Check-ins").click();
    step_until(&mut h, "the check-in rows", 10, |h| {
        has_part(h, "2 check-ins, 1 passed")
    });
    assert!(has(&h, sim::specimen::FULL_NAME));
    assert!(has(&h, "•••••0000"));
    assert!(has(&h, "no match"));
    // Search narrows by name, Latin or Arabic.
    h.get_by_label("Search by name").focus();
    h.step();
    h.get_by_label("Search by name").type_text("nobody");
    step_until(&mut h, "an empty search", 10, |h| {
        has_part(h, "0 check-ins")
    });

    // Demo mode exports to the temp folder; the status line names the file.
    h.get_by_label("Export CSV").click();
    step_until(&mut h, "the export", 10, |h| has_part(h, "written to"));
    let status = h
        .query_all_by_label_contains("written to")
        .next()
        .and_then(|n| n.accesskit_node().label().or_else(|| n.value()))
        .unwrap();
    let path = status.split(" written to ").nth(1).unwrap();
    assert!(
        path.starts_with(std::env::temp_dir().to_str().unwrap()),
        "{path}"
    );
    let csv = std::fs::read_to_string(path).unwrap();
    let _ = std::fs::remove_file(path);
    // Only today's rows: the search box does not filter the export.
    assert!(csv.contains(sim::specimen::FULL_NAME), "{csv}");
    assert!(csv.contains(sim::specimen::LOCAL_NAME));
    assert!(csv.contains("no_match"));
    assert!(!csv.contains("X0000"), "never the full document number");
}

#[test]
fn an_unwritable_checkin_log_never_stops_a_check() {
    let tokio = tokio::runtime::Runtime::new().unwrap();
    let sim = tokio
        .block_on(sim::start(
            SimConfig::default(),
            SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
        ))
        .unwrap();
    // The log's folder cannot be made: its parent is a file.
    let blocker = std::env::temp_dir().join(format!("faceki-blocker-{}", std::process::id()));
    std::fs::write(&blocker, b"not a folder").unwrap();
    let mut s = Settings::default();
    s.faceki.base_url = sim.base_url();
    s.faceki.client_id = sim::DEMO_CLIENT_ID.into();
    s.faceki.client_secret = Secret::new(sim::DEMO_CLIENT_SECRET);
    s.kiosk.pin_hash = faceki_kiosk::kiosk::pin::hash("1234").unwrap();
    s.log.checkin_db = Some(blocker.join("data").join("checkins.sqlite"));
    let mut h = harness_with(s, steady_camera(), None);
    assert!(h.state().rt.checkin_error.is_some());
    step_until(&mut h, "the pass screen", 20, |h| has(h, "Welcome"));
    assert!(has(&h, sim::specimen::FULL_NAME));
    h.get_by_label("Done").click();
    open_admin(&mut h);
    h.get_by_label("Check-ins").click();
    step_until(&mut h, "the staff warning", 10, |h| {
        has_part(h, "Check-ins are not being recorded")
    });
    let _ = std::fs::remove_file(blocker);
}

#[test]
fn a_log_that_stops_writing_mid_run_is_reported_and_recovers() {
    let mut h = demo(Scenario::Match, |s| s.kiosk.pass_display_secs = 1);
    h.state().rt.checkin_log_read_only(true);
    step_until(&mut h, "a pass with the log refusing writes", 20, |h| {
        has(h, "Welcome")
    });
    step_until(&mut h, "the write failure reaching the app", 10, |h| {
        h.state().rt.checkin_error.is_some()
    });
    h.state().rt.checkin_log_read_only(false);
    step_until(&mut h, "the auto-clear", 10, |h| !has(h, "Welcome"));
    next_visitor(&mut h);
    step_until(&mut h, "the next pass", 20, |h| has(h, "Welcome"));
    step_until(&mut h, "the log working again", 10, |h| {
        h.state().rt.checkin_error.is_none()
    });
}
