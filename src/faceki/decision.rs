//! Response → outcome. Pure and total: every input, however odd, ends in exactly one outcome,
//! and only a positive, well-formed match with a usable record ends in [`Outcome::Pass`].

use std::fmt;

use serde::Serialize;
use serde_json::Value;

use super::codes::{self, CodeKind, RetakeReason};
use super::wire::{FaceCheckData, KycRecord, envelope};

/// The person shown on a pass. Holds personal data: `Debug` prints none of it.
#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct Person {
    pub full_name: String,
    /// The name in the local script (Arabic in FACEKI's data), when FACEKI has it.
    pub local_name: Option<String>,
    pub document_id: Option<String>,
    pub country: Option<String>,
    pub reference_id: Option<String>,
    /// The record's `_id`.
    pub record_id: Option<String>,
    /// `idFrontImage`, normalised to an absolute URL; `None` when it is not a usable URL.
    pub id_front_image: Option<String>,
}

impl Person {
    /// The document number with all but the last four characters masked.
    pub fn masked_document_id(&self) -> Option<String> {
        self.document_id.as_deref().map(mask_document_id)
    }
}

impl fmt::Debug for Person {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Person")
            .field("record_id", &self.record_id)
            .finish_non_exhaustive()
    }
}

/// `930813316` → `•••••3316`. Short numbers keep at most half their characters.
pub fn mask_document_id(doc: &str) -> String {
    let chars: Vec<char> = doc.trim().chars().collect();
    let keep = 4.min(chars.len() / 2);
    let hidden = chars.len() - keep;
    std::iter::repeat_n('•', hidden)
        .chain(chars[hidden..].iter().copied())
        .collect()
}

/// Why a check ended in an error rather than an answer about the face.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// No reply within the configured time.
    Timeout,
    /// FACEKI could not be reached (DNS, refused, TLS).
    Unreachable,
    /// The connection broke while sending or receiving.
    Transport,
    /// Credentials were refused, or a fresh token was refused too.
    Auth,
    /// HTTP 429.
    RateLimited,
    /// The account's verification quota is used up (8017).
    Quota,
    /// The account has no KYC rules (7001).
    AccountSetup,
    /// FACEKI reported an internal error or a 5xx.
    Service,
    /// FACEKI said the upload was incomplete (8001) or refused it (4xx).
    ClientBug,
    /// The reply could not be understood: not JSON, wrong shape, missing fields, too large.
    Malformed,
    /// A `responseCode` nobody documented, or a KYC document code.
    UnknownCode,
}

/// The decision on one check.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Pass {
        person: Box<Person>,
    },
    /// Not enrolled: `face_verified:false`, or code 8013.
    NoMatch {
        code: Option<i64>,
    },
    /// FACEKI did not like the selfie: take another.
    Retake {
        code: i64,
        reason: RetakeReason,
    },
    /// Matched, but no record is ACCEPTED and ACTIVE.
    Denied {
        code: Option<i64>,
        status: String,
    },
    /// Usable records of more than one person.
    Ambiguous {
        people: usize,
    },
    Error {
        kind: ErrorKind,
        code: Option<i64>,
        detail: String,
    },
    /// The kiosk's liveness check refused the attempt before any paid call: no check was made.
    NotLive {
        kind: NotLiveKind,
        /// What was seen, for staff and the log (never an image).
        detail: String,
    },
}

/// Why the kiosk's liveness check refused an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NotLiveKind {
    /// The face moved like a flat picture (a photo or a screen).
    Spoof,
    /// A turn asked for was not made in time, or was made the other way.
    NoResponse,
    /// No face stayed in view to challenge.
    NoFace,
}

impl Outcome {
    pub fn error(kind: ErrorKind, code: Option<i64>, detail: impl Into<String>) -> Self {
        Self::Error {
            kind,
            code,
            detail: detail.into(),
        }
    }

    /// The machine name used in `check --json` and the check-in log.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Pass { .. } => "pass",
            Self::NoMatch { .. } => "no_match",
            Self::Retake { .. } => "retake",
            Self::Denied { .. } => "denied",
            Self::Ambiguous { .. } => "ambiguous",
            Self::Error { .. } => "error",
            Self::NotLive { .. } => "liveness_failed",
        }
    }

    pub fn is_pass(&self) -> bool {
        matches!(self, Self::Pass { .. })
    }

    pub fn code(&self) -> Option<i64> {
        match self {
            Self::Pass { .. } | Self::Ambiguous { .. } => Some(0),
            Self::Retake { code, .. } => Some(*code),
            Self::NoMatch { code } | Self::Denied { code, .. } | Self::Error { code, .. } => *code,
            Self::NotLive { .. } => None,
        }
    }

    pub fn person(&self) -> Option<&Person> {
        match self {
            Self::Pass { person } => Some(person),
            _ => None,
        }
    }
}

impl ErrorKind {
    /// True for faults of this kiosk's setup that staff must fix (not the customer's retry).
    pub fn needs_staff(self) -> bool {
        matches!(self, Self::Auth | Self::Quota | Self::AccountSetup)
    }
}

/// Decide on a reply that arrived: its HTTP status and raw body. Never fails.
pub fn decide(status: u16, body: &[u8]) -> Outcome {
    let json: Option<Value> = serde_json::from_slice(body).ok();
    let code = json.as_ref().and_then(envelope::response_code);
    let server_msg = json.as_ref().and_then(envelope::message);
    let detail = |what: &str| match &server_msg {
        Some(m) => format!("{what}: {m}"),
        None => what.to_owned(),
    };

    match status {
        200..=299 => {}
        401 | 403 => {
            return Outcome::error(ErrorKind::Auth, code, detail(&format!("HTTP {status}")));
        }
        429 => return Outcome::error(ErrorKind::RateLimited, code, detail("HTTP 429")),
        500..=599 => {
            return Outcome::error(ErrorKind::Service, code, detail(&format!("HTTP {status}")));
        }
        _ => {
            // A 4xx may still carry an application code (e.g. a retake): honour it, except success.
            return match code {
                Some(c) if c != 0 => decide_code(c, &detail(&format!("HTTP {status}"))),
                _ => Outcome::error(
                    ErrorKind::ClientBug,
                    code,
                    detail(&format!("HTTP {status}")),
                ),
            };
        }
    }

    let Some(json) = json else {
        let what = if looks_like_html(body) {
            "an HTML page instead of JSON"
        } else {
            "a body that is not JSON"
        };
        return Outcome::error(
            ErrorKind::Malformed,
            None,
            format!("HTTP {status} with {what}"),
        );
    };
    match code {
        None => Outcome::error(ErrorKind::Malformed, None, detail("no responseCode")),
        Some(0) => decide_success(json.get("data")),
        Some(c) => decide_code(c, &detail(&format!("responseCode {c}"))),
    }
}

fn looks_like_html(body: &[u8]) -> bool {
    let head = String::from_utf8_lossy(&body[..body.len().min(256)]).to_ascii_lowercase();
    let head = head.trim_start();
    head.starts_with("<!doctype html") || head.starts_with("<html") || head.starts_with('<')
}

fn decide_code(code: i64, detail: &str) -> Outcome {
    let Some(info) = codes::lookup(code) else {
        return Outcome::error(ErrorKind::UnknownCode, Some(code), detail);
    };
    let kind = match info.kind {
        CodeKind::NoMatch => return Outcome::NoMatch { code: Some(code) },
        CodeKind::Retake(reason) => return Outcome::Retake { code, reason },
        // A success code here means a non-2xx reply claimed success: not to be trusted.
        CodeKind::Success => ErrorKind::Malformed,
        CodeKind::Service => ErrorKind::Service,
        CodeKind::AccountSetup => ErrorKind::AccountSetup,
        CodeKind::ClientBug => ErrorKind::ClientBug,
        CodeKind::Quota => ErrorKind::Quota,
        CodeKind::Document => ErrorKind::UnknownCode,
    };
    Outcome::error(kind, Some(code), format!("{} ({})", detail, info.name))
}

fn decide_success(data: Option<&Value>) -> Outcome {
    let malformed = |what: &str| Outcome::error(ErrorKind::Malformed, Some(0), what.to_owned());
    let Some(data @ Value::Object(_)) = data else {
        return malformed("responseCode 0 without a data object");
    };
    let data: FaceCheckData = match serde_json::from_value(data.clone()) {
        Ok(d) => d,
        Err(e) => return malformed(&format!("data has the wrong shape: {e}")),
    };
    match data.face_verified {
        None => return malformed("data.face_verified is missing"),
        Some(false) => return Outcome::NoMatch { code: Some(0) },
        Some(true) => {}
    }
    let Some(face_ids) = data.all_face_ids.filter(|ids| !ids.is_empty()) else {
        return malformed("a match without all_face_ids");
    };
    let records = data.kyc_records.unwrap_or_default();
    // Only records that belong to a matched face count; anything else is noise.
    let matched: Vec<&KycRecord> = records
        .iter()
        .filter(|r| r.face_id.as_ref().is_some_and(|id| face_ids.contains(id)))
        .collect();
    if matched.is_empty() {
        return malformed("a match without a record of the matched face");
    }

    let mut usable: Vec<&KycRecord> = matched.iter().copied().filter(|r| is_usable(r)).collect();
    if usable.is_empty() {
        let status = matched
            .iter()
            .map(|r| describe_status(r))
            .next()
            .unwrap_or_default();
        return Outcome::Denied {
            code: Some(0),
            status,
        };
    }

    // Newest first, so several records of one person pass as the newest.
    usable.sort_by(|a, b| timestamp(b).cmp(timestamp(a)));
    let mut people: Vec<String> = usable.iter().map(|r| person_key(r)).collect();
    people.sort();
    people.dedup();
    if people.len() > 1 {
        return Outcome::Ambiguous {
            people: people.len(),
        };
    }
    Outcome::Pass {
        person: Box::new(person_from(usable[0])),
    }
}

fn field(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn is_usable(r: &KycRecord) -> bool {
    let accepted = field(&r.status).is_some_and(|s| s.eq_ignore_ascii_case("ACCEPTED"));
    let active = field(&r.delete_status).is_some_and(|s| s.eq_ignore_ascii_case("ACTIVE"));
    accepted && active && field(&r.full_name).is_some()
}

fn describe_status(r: &KycRecord) -> String {
    match (field(&r.status), field(&r.delete_status)) {
        (Some(s), Some(d)) => format!("{s}/{d}"),
        (Some(s), None) => s.to_owned(),
        (None, Some(d)) => format!("?/{d}"),
        (None, None) => "unknown".to_owned(),
    }
}

/// Records of one person share a document number. A record without one stands for itself,
/// so two such records count as two people (fail closed).
fn person_key(r: &KycRecord) -> String {
    match field(&r.document_id) {
        Some(doc) => format!("doc:{}", doc.to_uppercase().replace([' ', '-'], "")),
        None => format!(
            "rec:{}",
            field(&r.id).or(field(&r.reference_id)).unwrap_or("(none)")
        ),
    }
}

/// ISO-8601 UTC strings order as text; a record without a date sorts oldest.
fn timestamp(r: &KycRecord) -> &str {
    field(&r.updated_at).or(field(&r.created_at)).unwrap_or("")
}

fn person_from(r: &KycRecord) -> Person {
    let own = |s: &Option<String>| field(s).map(str::to_owned);
    Person {
        full_name: own(&r.full_name).unwrap_or_default(),
        local_name: own(&r.local_name),
        document_id: own(&r.document_id),
        country: own(&r.country),
        reference_id: own(&r.reference_id),
        record_id: own(&r.id),
        id_front_image: field(&r.id_front_image).and_then(normalise_image_url),
    }
}

/// FACEKI's image links sometimes lack a scheme: prefix `https://`. Anything that still is not an
/// absolute http(s) URL with a dotted or loopback host is dropped (the sample's `"imagelink"`).
pub fn normalise_image_url(raw: &str) -> Option<String> {
    let raw = raw.trim();
    let with_scheme = if raw.contains("://") {
        raw.to_owned()
    } else {
        format!("https://{raw}")
    };
    let url = url::Url::parse(&with_scheme).ok()?;
    if !matches!(url.scheme(), "https" | "http") {
        return None;
    }
    let host = url.host_str()?;
    let plausible = host.contains('.') || host == "localhost" || host.starts_with('[');
    plausible.then(|| url.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const MATCH: &str = include_str!("../../assets/sim/face_check_match.json");

    fn sample() -> Value {
        serde_json::from_str(MATCH).unwrap()
    }

    fn decide_json(v: &Value) -> Outcome {
        decide(200, v.to_string().as_bytes())
    }

    fn record(v: &mut Value) -> &mut Value {
        &mut v["data"]["kyc_records"][0]
    }

    #[test]
    fn sample_match_passes_with_the_person() {
        let out = decide(200, MATCH.as_bytes());
        let p = out.person().expect("pass");
        assert_eq!(p.full_name, "First middle last name");
        assert_eq!(p.local_name.as_deref(), Some("الاسم بالعربي"));
        assert_eq!(p.masked_document_id().as_deref(), Some("•••••3316"));
        assert_eq!(p.country.as_deref(), Some("Bahrain"));
        assert_eq!(
            p.reference_id.as_deref(),
            Some("581de82ea2ee0ed36b907113ea4dff15")
        );
        // "imagelink" is no URL.
        assert_eq!(p.id_front_image, None);
        assert_eq!(out.code(), Some(0));
        assert_eq!(out.name(), "pass");
    }

    #[test]
    fn no_match_in_both_shapes() {
        let v = json!({"responseCode":0,"data":{"face_verified":false,"all_face_ids":[],"kyc_records":[]}});
        assert_eq!(decide_json(&v), Outcome::NoMatch { code: Some(0) });
        let v = json!({"responseCode":8013,"message":"DATA_NOT_FOUND"});
        assert_eq!(decide_json(&v), Outcome::NoMatch { code: Some(8013) });
    }

    #[test]
    fn every_retake_code_maps_to_its_reason() {
        for (code, reason) in [
            (8003, RetakeReason::TryAgain),
            (8004, RetakeReason::FaceCropped),
            (8005, RetakeReason::TooClose),
            (8006, RetakeReason::NoFace),
            (8007, RetakeReason::NearBorder),
            (8008, RetakeReason::TooSmall),
            (8009, RetakeReason::PoorLight),
            (8018, RetakeReason::MultipleFaces),
            (8019, RetakeReason::Blurred),
        ] {
            let out = decide_json(&json!({"responseCode": code, "data": {"message": "x"}}));
            assert_eq!(out, Outcome::Retake { code, reason });
        }
        // Also when a 400 carries it, and when the code is a string.
        let out = decide(400, br#"{"responseCode":"8006"}"#);
        assert_eq!(
            out,
            Outcome::Retake {
                code: 8006,
                reason: RetakeReason::NoFace
            }
        );
    }

    #[test]
    fn error_codes_map_to_kinds() {
        for (code, kind) in [
            (1000, ErrorKind::Service),
            (7001, ErrorKind::AccountSetup),
            (8001, ErrorKind::ClientBug),
            (8017, ErrorKind::Quota),
            (8002, ErrorKind::UnknownCode),
            (8021, ErrorKind::UnknownCode),
            (9999, ErrorKind::UnknownCode),
            (-1, ErrorKind::UnknownCode),
        ] {
            match decide_json(&json!({"responseCode": code, "message": "m"})) {
                Outcome::Error {
                    kind: k, code: c, ..
                } => {
                    assert_eq!((k, c), (kind, Some(code)));
                }
                other => panic!("{code}: {other:?}"),
            }
        }
    }

    #[test]
    fn http_statuses_never_pass() {
        for (status, kind) in [
            (401, ErrorKind::Auth),
            (403, ErrorKind::Auth),
            (429, ErrorKind::RateLimited),
            (500, ErrorKind::Service),
            (502, ErrorKind::Service),
            (404, ErrorKind::ClientBug),
            (422, ErrorKind::ClientBug),
        ] {
            // Even with a perfect match body.
            match decide(status, MATCH.as_bytes()) {
                Outcome::Error { kind: k, .. } => assert_eq!(k, kind, "status {status}"),
                other => panic!("{status}: {other:?}"),
            }
        }
    }

    #[test]
    fn malformed_bodies_are_errors() {
        let html = b"<html><body><h1>502 Bad Gateway</h1></body></html>";
        assert!(matches!(
            decide(200, html),
            Outcome::Error {
                kind: ErrorKind::Malformed,
                ..
            }
        ));
        assert!(matches!(
            decide(200, &MATCH.as_bytes()[..400]),
            Outcome::Error {
                kind: ErrorKind::Malformed,
                ..
            }
        ));
        assert!(matches!(
            decide(200, b""),
            Outcome::Error {
                kind: ErrorKind::Malformed,
                ..
            }
        ));
        for v in [
            json!({}),
            json!({"data": {"face_verified": true}}),
            json!({"responseCode": 0}),
            json!({"responseCode": 0, "data": []}),
            json!({"responseCode": 0, "data": {}}),
            json!({"responseCode": 0, "data": {"face_verified": "true"}}),
            json!({"responseCode": 0, "data": {"face_verified": true, "all_face_ids": [], "kyc_records": []}}),
        ] {
            assert!(
                matches!(
                    decide_json(&v),
                    Outcome::Error {
                        kind: ErrorKind::Malformed,
                        ..
                    }
                ),
                "{v}"
            );
        }
    }

    #[test]
    fn match_without_usable_record_is_not_a_pass() {
        // Matched face id missing from the list.
        let mut v = sample();
        v["data"]["all_face_ids"] = json!(["someone-else"]);
        assert!(matches!(
            decide_json(&v),
            Outcome::Error {
                kind: ErrorKind::Malformed,
                ..
            }
        ));
        // No records.
        let mut v = sample();
        v["data"]["kyc_records"] = json!([]);
        assert!(!decide_json(&v).is_pass());
        // Missing name.
        let mut v = sample();
        record(&mut v)["fullName"] = json!("  ");
        assert!(matches!(decide_json(&v), Outcome::Denied { .. }));
    }

    #[test]
    fn denied_when_not_accepted_or_not_active() {
        for (status, delete_status) in [
            (json!("DECLINED"), json!("ACTIVE")),
            (json!("INVALID"), json!("ACTIVE")),
            (json!("ACCEPTED"), json!("DELETED")),
            (json!(null), json!("ACTIVE")),
            (json!("ACCEPTED"), json!(null)),
        ] {
            let mut v = sample();
            record(&mut v)["status"] = status.clone();
            record(&mut v)["deleteStatus"] = delete_status.clone();
            match decide_json(&v) {
                Outcome::Denied { .. } => {}
                other => panic!("{status}/{delete_status}: {other:?}"),
            }
        }
    }

    #[test]
    fn same_person_twice_passes_as_newest_and_two_people_are_ambiguous() {
        let mut v = sample();
        let mut older = record(&mut v).clone();
        older["_id"] = json!("older");
        older["updatedAt"] = json!("2022-01-01T00:00:00.000Z");
        older["fullName"] = json!("Old Spelling");
        let arr = v["data"]["kyc_records"].as_array_mut().unwrap();
        arr.insert(0, older.clone());
        let out = decide_json(&v);
        assert_eq!(out.person().unwrap().full_name, "First middle last name");

        // A declined record of someone else next to an accepted one: still passes the accepted.
        let mut v2 = v.clone();
        let mut declined = older.clone();
        declined["documentId"] = json!("X1");
        declined["status"] = json!("DECLINED");
        v2["data"]["kyc_records"]
            .as_array_mut()
            .unwrap()
            .push(declined);
        assert!(decide_json(&v2).is_pass());

        // An accepted record of a different document: ambiguous.
        let mut v3 = v.clone();
        let mut other = older.clone();
        other["documentId"] = json!("X1");
        v3["data"]["kyc_records"]
            .as_array_mut()
            .unwrap()
            .push(other);
        assert_eq!(decide_json(&v3), Outcome::Ambiguous { people: 2 });

        // Two records without any document number: cannot tell they are one person.
        let mut v4 = sample();
        record(&mut v4)
            .as_object_mut()
            .unwrap()
            .remove("documentId");
        let mut twin = record(&mut v4).clone();
        twin["_id"] = json!("twin");
        v4["data"]["kyc_records"].as_array_mut().unwrap().push(twin);
        assert_eq!(decide_json(&v4), Outcome::Ambiguous { people: 2 });
    }

    #[test]
    fn masks_and_urls() {
        assert_eq!(mask_document_id("930813316"), "•••••3316");
        assert_eq!(mask_document_id("1234"), "••34");
        assert_eq!(mask_document_id(""), "");
        assert_eq!(
            normalise_image_url("faceki-kyc-images.s3.amazonaws.com/a/b.jpg").as_deref(),
            Some("https://faceki-kyc-images.s3.amazonaws.com/a/b.jpg")
        );
        assert_eq!(normalise_image_url("imagelink"), None);
        assert_eq!(normalise_image_url("ftp://x.y/z"), None);
        assert_eq!(
            normalise_image_url("http://127.0.0.1:9/sim/id.png").as_deref(),
            Some("http://127.0.0.1:9/sim/id.png")
        );
    }

    #[test]
    fn person_debug_prints_no_personal_data() {
        let out = decide(200, MATCH.as_bytes());
        let s = format!("{out:?}");
        assert!(!s.contains("First middle") && !s.contains("930813316") && !s.contains("الاسم"));
    }
}
