//! Property test: no generated body decides `pass` unless it is a well-formed match with an
//! ACCEPTED, ACTIVE record of a matched face. The oracle below is written independently of
//! `decide`, straight from API.md.

use faceki_kiosk::faceki::decide;
use proptest::prelude::*;
use serde_json::{Value, json};

const SAMPLE: &str = include_str!("../../assets/sim/face_check_match.json");

/// True when `body` is a positive match with at least one usable record.
fn oracle_may_pass(status: u16, body: &[u8]) -> bool {
    let Ok(v) = serde_json::from_slice::<Value>(body) else {
        return false;
    };
    let code_ok = match v.get("responseCode") {
        Some(Value::Number(n)) => n.as_i64() == Some(0),
        Some(Value::String(s)) => s.trim() == "0",
        _ => false,
    };
    if !(200..300).contains(&status) || !code_ok {
        return false;
    }
    let d = &v["data"];
    if d["face_verified"] != Value::Bool(true) {
        return false;
    }
    let ids: Vec<&str> = d["all_face_ids"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let Some(records) = d["kyc_records"].as_array() else {
        return false;
    };
    records.iter().any(|r| {
        let s = |k: &str| {
            r.get(k)
                .and_then(Value::as_str)
                .map(str::trim)
                .unwrap_or("")
        };
        ids.contains(&r["faceID"].as_str().unwrap_or("\u{0}"))
            && s("status").eq_ignore_ascii_case("ACCEPTED")
            && s("deleteStatus").eq_ignore_ascii_case("ACTIVE")
            && !s("fullName").is_empty()
    })
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        Just(json!(0)),
        Just(json!("ACCEPTED")),
        Just(json!("ACTIVE")),
        Just(json!("DECLINED")),
        Just(json!("")),
        "[a-zA-Z0-9 ]{0,12}".prop_map(Value::String),
        Just(json!([])),
        Just(json!({})),
    ]
}

/// The sample with random edits: fields removed, replaced or re-typed at random paths.
fn mutated_sample() -> impl Strategy<Value = Value> {
    let keys = prop::sample::select(vec![
        "/responseCode",
        "/data",
        "/data/face_verified",
        "/data/all_face_ids",
        "/data/all_face_ids/0",
        "/data/kyc_records",
        "/data/kyc_records/0",
        "/data/kyc_records/0/status",
        "/data/kyc_records/0/deleteStatus",
        "/data/kyc_records/0/faceID",
        "/data/kyc_records/0/fullName",
        "/data/kyc_records/0/documentId",
        "/data/kyc_records/0/updatedAt",
        "/data/kyc_records/0/kycResponse",
    ]);
    prop::collection::vec((keys, leaf(), any::<bool>()), 0..5).prop_map(|edits| {
        let mut v: Value = serde_json::from_str(SAMPLE).unwrap();
        for (path, new, remove) in edits {
            let (parent, key) = path.rsplit_once('/').unwrap();
            let Some(p) = v.pointer_mut(if parent.is_empty() { "" } else { parent }) else {
                continue;
            };
            match p {
                Value::Object(m) if remove => {
                    m.remove(key);
                }
                Value::Object(m) => {
                    m.insert(key.to_owned(), new);
                }
                Value::Array(a) => {
                    if let Ok(i) = key.parse::<usize>() {
                        if i < a.len() {
                            if remove {
                                a.remove(i);
                            } else {
                                a[i] = new;
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        v
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn mutated_samples_pass_only_when_well_formed(v in mutated_sample(), status in prop_oneof![Just(200u16), Just(201), Just(400), Just(401), Just(500), 100u16..600]) {
        let body = v.to_string();
        let out = decide(status, body.as_bytes());
        if out.is_pass() {
            prop_assert!(oracle_may_pass(status, body.as_bytes()), "passed: {status} {body}");
        }
    }

    #[test]
    fn arbitrary_bytes_never_pass(body in prop::collection::vec(any::<u8>(), 0..512), status in 0u16..1000) {
        prop_assert!(!decide(status, &body).is_pass());
    }

    #[test]
    fn truncated_samples_never_pass(cut in 0usize..SAMPLE.len()) {
        prop_assert!(!decide(200, &SAMPLE.as_bytes()[..cut]).is_pass());
    }
}

#[test]
fn the_unmutated_sample_passes() {
    assert!(decide(200, SAMPLE.as_bytes()).is_pass());
    assert!(oracle_may_pass(200, SAMPLE.as_bytes()));
}
