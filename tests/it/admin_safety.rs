//! Set-up and admin rules that protect the kiosk: a PIN before anything else, and the client
//! secret never sent to an address it was not typed for.

use crate::common;

use common::kiosk::{demo, harness_with, has, has_part, open_admin, steady_camera, step_until};
use egui_kittest::kittest::Queryable;
use faceki_kiosk::config::Settings;
use faceki_kiosk::sim::Scenario;

#[test]
fn credentials_without_a_pin_open_setup_and_keep_the_secret() {
    // As when FACEKI_CLIENT_ID / FACEKI_CLIENT_SECRET come from the environment: no PIN yet.
    let tokio = tokio::runtime::Runtime::new().unwrap();
    let sim = tokio
        .block_on(faceki_kiosk::sim::start(
            faceki_kiosk::sim::SimConfig::default(),
            std::net::SocketAddr::from((std::net::Ipv4Addr::LOCALHOST, 0)),
        ))
        .unwrap();
    let mut s = Settings::default();
    s.faceki.base_url = sim.base_url();
    s.faceki.client_id = faceki_kiosk::sim::DEMO_CLIENT_ID.into();
    s.faceki.client_secret =
        faceki_kiosk::faceki::Secret::new(faceki_kiosk::sim::DEMO_CLIENT_SECRET);
    s.log.retention_days = 0;
    let mut h = harness_with(s, steady_camera(), None);
    step_until(&mut h, "setup", 5, |h| has(h, "Set up this kiosk"));
    // Only the PIN is typed; the secret already set is kept.
    for (label, text) in [
        ("Staff PIN (4-12 digits)", "2468"),
        ("Staff PIN again", "2468"),
    ] {
        h.get_by_label(label).focus();
        h.step();
        h.get_by_label(label).type_text(text);
        h.step();
    }
    h.get_by_label("Save").click();
    step_until(&mut h, "a pass once set up", 30, |h| has(h, "Welcome"));
    assert!(!h.state().rt.settings.kiosk.pin_hash.is_empty());
}

#[test]
fn a_new_address_needs_the_secret_typed_again() {
    let mut h = demo(Scenario::Match, |s| s.kiosk.auto_capture = false);
    // Tall enough that Save, at the bottom of the scrolling panel, is on screen.
    h.set_size(egui::vec2(1280.0, 2000.0));
    open_admin(&mut h);
    let field = "Address";
    h.get_by_label(field).focus();
    h.step();
    h.get_by_label(field).type_text(".attacker.example");
    h.step();
    h.get_by_label("Save").click();
    step_until(&mut h, "the refusal", 5, |h| {
        has_part(h, "Type the client secret again")
    });
    assert!(!h.state().rt.settings.faceki.base_url.contains("attacker"));
}

#[test]
fn a_site_can_keep_id_images_off_the_screen() {
    let mut h = demo(Scenario::Match, |s| {
        s.kiosk.show_id_image = false;
        s.kiosk.pass_display_secs = 60;
    });
    step_until(&mut h, "the pass screen", 20, |h| has(h, "Welcome"));
    assert!(has(&h, faceki_kiosk::sim::specimen::FULL_NAME));
    for _ in 0..20 {
        h.step();
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(!has(&h, "ID document on file"));
    assert!(!has(&h, "ID document image not available"));
    assert_eq!(h.state().rt.sim().unwrap().stats().id_image_requests, 0);
}

/// Issue 15, end to end: with auto-capture on and a steady face in view, opening the PIN pad and
/// then the admin panel bills nothing; closing the panel lets the kiosk check again.
#[test]
fn nothing_is_billed_while_the_pin_pad_or_the_admin_panel_is_open() {
    let mut h = demo(Scenario::Match, |_| {});
    step_until(&mut h, "the staff button", 10, |h| has(h, "Staff"));
    h.get_by_label("Staff").click();
    step_until(&mut h, "the PIN pad", 5, |h| has(h, "Staff PIN"));
    let billed = |h: &egui_kittest::Harness<'_, faceki_kiosk::ui::KioskApp>| {
        h.state().rt.sim().unwrap().stats().face_checks_billed
    };
    let before = billed(&h);
    // The steady clip would start a check within about a second: give it four, twice.
    let idle = |h: &mut egui_kittest::Harness<'_, faceki_kiosk::ui::KioskApp>| {
        for _ in 0..100 {
            h.step();
            std::thread::sleep(std::time::Duration::from_millis(40));
        }
    };
    idle(&mut h);
    assert!(has(&h, "Staff PIN"));
    for d in ["1", "2", "3", "4"] {
        h.get_by_label(d).click();
        h.step();
    }
    h.get_by_label("OK").click();
    step_until(&mut h, "the admin panel", 10, |h| has(h, "Kiosk settings"));
    idle(&mut h);
    assert_eq!(
        billed(&h),
        before,
        "a check was billed behind a staff screen"
    );
    // Tall enough that Close, at the bottom of the scrolling panel, is on screen.
    h.set_size(egui::vec2(1280.0, 2000.0));
    h.step();
    h.get_by_label("Close").click();
    step_until(&mut h, "a check after closing", 20, |h| billed(h) > before);
}
