//! The access-token reply (`GET /auth/api/access-token`).
//!
//! The parse itself lives in the private `FacekiClient::fetch_token` (src/faceki/client.rs), so
//! this target drives the public pieces it is made of, in the same order: the body as a
//! `serde_json::Value`, `wire::envelope::message`, `serde_json::from_value::<TokenEnvelope>`,
//! then the `expires_in` clamp into a `Duration`. It also parses the body straight into the
//! public wire models. Nothing may panic, and `Debug` must never show the access token.

#![no_main]

use std::time::Duration;

use faceki_kiosk::faceki::Secret;
use faceki_kiosk::faceki::wire::{FaceCheckData, KycRecord, TokenData, TokenEnvelope, envelope};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fn check_envelope(p: &TokenEnvelope) {
    let Some(d) = &p.data else { return };
    if let Some(t) = &d.access_token {
        let _ = t.is_empty();
        // Debug is independent of the token's value: swap in an empty token and compare.
        let redacted = TokenEnvelope {
            response_code: p.response_code,
            data: Some(TokenData {
                access_token: Some(Secret::new("")),
                expires_in: d.expires_in,
                token_type: d.token_type.clone(),
            }),
            message: p.message.clone(),
        };
        assert_eq!(format!("{p:?}"), format!("{redacted:?}"), "Debug shows the token");
        assert_eq!(format!("{t}"), "<redacted>");
    }
    // As in fetch_token: a NaN or infinite expires_in would panic in from_secs_f64.
    let secs = d.expires_in.unwrap_or(3600.0).clamp(1.0, 86_400.0);
    let _ = Duration::from_secs_f64(secs);
}

fuzz_target!(|data: &[u8]| {
    // The client's path: Value first (for the message), then the typed envelope.
    let json: Option<Value> = serde_json::from_slice(data).ok();
    if let Some(m) = json.as_ref().and_then(envelope::message) {
        assert!(!m.is_empty() && m.chars().count() <= 300 && m.trim() == m);
    }
    let _ = json.as_ref().and_then(envelope::response_code);
    if let Some(p) = json.and_then(|v| serde_json::from_value::<TokenEnvelope>(v).ok()) {
        check_envelope(&p);
    }

    // The public models straight from bytes.
    if let Ok(p) = serde_json::from_slice::<TokenEnvelope>(data) {
        check_envelope(&p);
    }
    if let Ok(d) = serde_json::from_slice::<FaceCheckData>(data) {
        let _ = format!("{d:?}");
    }
    if let Ok(r) = serde_json::from_slice::<KycRecord>(data) {
        let _ = format!("{r:?}");
    }
});
