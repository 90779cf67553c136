//! `faceki::decide(status, body)` must be total and fail closed.
//!
//! Input layout: 2 bytes pick the HTTP status, the rest is the reply body.
//!   byte0 < 0x80: status = STATUSES[byte1 % STATUSES.len()]  (seeds use 00 00 = 200)
//!   byte0 >= 0x80: status = u16::from_be_bytes([byte0 & 0x7F, byte1])  (any 0..=32767)
//!
//! Invariant: a pass needs a 2xx status, a JSON body, and the independent oracle below (written
//! from API.md, like the one in tests/decision_props.rs) must find a usable record whose
//! trimmed fullName is the passed person's name.

#![no_main]

use faceki_kiosk::faceki::decide;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

const STATUSES: [u16; 11] = [200, 201, 400, 401, 403, 404, 422, 429, 500, 502, 503];

fn status_from(b0: u8, b1: u8) -> u16 {
    if b0 < 0x80 {
        STATUSES[b1 as usize % STATUSES.len()]
    } else {
        u16::from_be_bytes([b0 & 0x7F, b1])
    }
}

/// `responseCode` is 0, as a number or a numeric string (FACEKI sends both). Deliberately not
/// `s.trim() == "0"` as in tests/decision_props.rs: `decide` reads numeric strings, so "00" or
/// "+0" is a zero code, not a fail-closed violation.
fn code_is_zero(v: &Value) -> bool {
    match v.get("responseCode") {
        Some(Value::Number(n)) => n.as_i64() == Some(0),
        Some(Value::String(s)) => {
            let s = s.trim();
            let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
            !digits.is_empty() && digits.bytes().all(|b| b == b'0')
        }
        _ => false,
    }
}

/// The trimmed full names of the usable records of a positive match; empty when nothing may pass.
fn oracle_usable_names(v: &Value) -> Vec<String> {
    if !code_is_zero(v) {
        return Vec::new();
    }
    let d = &v["data"];
    if d["face_verified"] != Value::Bool(true) {
        return Vec::new();
    }
    let ids: Vec<&str> = d["all_face_ids"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let Some(records) = d["kyc_records"].as_array() else {
        return Vec::new();
    };
    records
        .iter()
        .filter_map(|r| {
            let s = |k: &str| r.get(k).and_then(Value::as_str).map(str::trim).unwrap_or("");
            let usable = r.get("faceID").and_then(Value::as_str).is_some_and(|id| ids.contains(&id))
                && s("status").eq_ignore_ascii_case("ACCEPTED")
                && s("deleteStatus").eq_ignore_ascii_case("ACTIVE")
                && !s("fullName").is_empty();
            usable.then(|| s("fullName").to_owned())
        })
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let [b0, b1, body @ ..] = data else {
        return;
    };
    let status = status_from(*b0, *b1);
    let out = decide(status, body);

    // Everything the UI and the check-in log read must be total. (The customer's words come
    // from the i18n catalogue's exhaustive match on the outcome, so they cannot be missing.)
    let _ = out.name();
    let code = out.code();
    let _ = format!("{out:?}");

    let Some(person) = out.person() else {
        assert!(!out.is_pass());
        return;
    };
    assert!(out.is_pass());
    assert_eq!(code, Some(0));

    // Fail closed: the pass must be justified by the reply itself.
    assert!((200..300).contains(&status), "pass on HTTP {status}");
    let json: Value = serde_json::from_slice(body).expect("pass on a body that is not JSON");
    let names = oracle_usable_names(&json);
    assert!(!names.is_empty(), "pass, but the oracle finds no usable record (HTTP {status})");
    assert!(
        names.contains(&person.full_name),
        "passed a name that is not on a usable record"
    );

    // Masking: same length as the trimmed number, at most 4 (and at most half) left visible.
    if let Some(masked) = person.masked_document_id() {
        let doc = person.document_id.as_deref().expect("masked id without an id");
        let n = doc.trim().chars().count();
        assert_eq!(masked.chars().count(), n);
        if !doc.contains('•') {
            let hidden = masked.chars().take_while(|&c| c == '•').count();
            assert!(hidden >= n.saturating_sub(4) && hidden >= n - n / 2, "mask shows too much");
        }
    } else {
        assert!(person.document_id.is_none());
    }

    // Person's Debug prints only the record id: no name, document number or date of birth.
    assert_eq!(
        format!("{person:?}"),
        format!("Person {{ record_id: {:?}, .. }}", person.record_id)
    );
    if let Some(url) = &person.id_front_image {
        assert!(url.starts_with("https://") || url.starts_with("http://"));
    }
});
