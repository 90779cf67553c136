//! FACEKI's JSON bodies as typed models.
//!
//! Everything is optional and unknown fields are ignored: the live service's shapes are only
//! partly documented (API.md), so the models read what they can and the decision decides whether
//! it is enough. Identity fields accept numbers as well as strings, and `face.confidence` arrives
//! as a string (`"0.786"`) in the sample but may well be a number elsewhere.
//!
//! Records carry personal data, so they have hand-written `Debug` impls that print none of it.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Deserializer};
use serde_json::Value;

use super::Secret;

/// `GET /auth/api/access-token` → `{"responseCode":0,"data":{"access_token":…,"expires_in":3600}}`.
#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct TokenEnvelope {
    #[serde(default, deserialize_with = "de::opt_i64")]
    pub response_code: Option<i64>,
    #[serde(default)]
    pub data: Option<TokenData>,
    #[serde(default, deserialize_with = "de::opt_string")]
    pub message: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
pub struct TokenData {
    #[serde(default)]
    pub access_token: Option<Secret>,
    #[serde(default, deserialize_with = "de::opt_f64")]
    pub expires_in: Option<f64>,
    #[serde(default, deserialize_with = "de::opt_string")]
    pub token_type: Option<String>,
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Secret::new)
    }
}

/// `data` of a face-check reply with `responseCode: 0`.
#[derive(Debug, Deserialize, Default, Clone)]
pub struct FaceCheckData {
    #[serde(default)]
    pub face_verified: Option<bool>,
    #[serde(default)]
    pub all_face_ids: Option<Vec<String>>,
    #[serde(default)]
    pub kyc_records: Option<Vec<KycRecord>>,
}

/// One KYC record of the client account, as the face-check returns it.
#[derive(Deserialize, Default, Clone)]
#[serde(rename_all = "camelCase")]
pub struct KycRecord {
    #[serde(rename = "_id", default, deserialize_with = "de::opt_string")]
    pub id: Option<String>,
    #[serde(rename = "faceID", default, deserialize_with = "de::opt_text")]
    pub face_id: Option<String>,
    #[serde(rename = "imageID", default, deserialize_with = "de::opt_string")]
    pub image_id: Option<String>,
    #[serde(default, deserialize_with = "de::opt_text")]
    pub full_name: Option<String>,
    #[serde(default, deserialize_with = "de::opt_text")]
    pub local_name: Option<String>,
    #[serde(default, deserialize_with = "de::opt_string")]
    pub document_id: Option<String>,
    /// OCR text, shown as it is (formats vary by document).
    #[serde(rename = "DOB", default, deserialize_with = "de::opt_string")]
    pub dob: Option<String>,
    #[serde(default, deserialize_with = "de::opt_string")]
    pub country: Option<String>,
    #[serde(default, deserialize_with = "de::opt_string")]
    pub country_code: Option<String>,
    #[serde(
        rename = "countryCodeISO3",
        default,
        deserialize_with = "de::opt_string"
    )]
    pub country_code_iso3: Option<String>,
    #[serde(default, deserialize_with = "de::opt_string")]
    pub reference_id: Option<String>,
    #[serde(default, deserialize_with = "de::opt_string")]
    pub company_id: Option<String>,
    /// `"ACCEPTED"` seen; other values unknown.
    #[serde(default, deserialize_with = "de::opt_text")]
    pub status: Option<String>,
    /// `"ACTIVE"` seen; other values unknown.
    #[serde(default, deserialize_with = "de::opt_text")]
    pub delete_status: Option<String>,
    #[serde(default, deserialize_with = "de::opt_string")]
    pub id_front_image: Option<String>,
    #[serde(default, deserialize_with = "de::opt_string")]
    pub id_back_image: Option<String>,
    #[serde(default, deserialize_with = "de::opt_string")]
    pub selfie_image: Option<String>,
    #[serde(default, deserialize_with = "de::opt_string")]
    pub document_crop_face_image_url: Option<String>,
    #[serde(default, deserialize_with = "de::opt_string")]
    pub link: Option<String>,
    #[serde(default, deserialize_with = "de::opt_string")]
    pub difc_code: Option<String>,
    #[serde(default, deserialize_with = "de::opt_string")]
    pub modified_by: Option<String>,
    /// ISO-8601 UTC, e.g. `2023-04-28T07:59:59.799Z`.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub created_at: Option<String>,
    #[serde(default, deserialize_with = "de::opt_string")]
    pub updated_at: Option<String>,
    #[serde(default)]
    pub device_details: Option<DeviceDetails>,
    #[serde(default)]
    pub kyc_response: Option<KycResponse>,
    #[serde(default)]
    pub liveness_response: Option<LivenessResponse>,
}

impl fmt::Debug for KycRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // No names, document numbers, dates of birth or image URLs: this may end up in a log.
        f.debug_struct("KycRecord")
            .field("id", &self.id)
            .field("face_id", &self.face_id)
            .field("status", &self.status)
            .field("delete_status", &self.delete_status)
            .field("updated_at", &self.updated_at)
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize, Default, Clone)]
#[serde(rename_all = "camelCase")]
pub struct DeviceDetails {
    #[serde(default, deserialize_with = "de::opt_string")]
    pub ip_address: Option<String>,
    #[serde(default, deserialize_with = "de::opt_string")]
    pub browser_name: Option<String>,
    #[serde(default, deserialize_with = "de::opt_string")]
    pub os_name: Option<String>,
}

/// The full KYC verdict stored with the record.
#[derive(Deserialize, Default, Clone)]
#[serde(rename_all = "camelCase")]
pub struct KycResponse {
    #[serde(default)]
    pub result: Option<KycResult>,
    /// Per-field OCR confidence, 0..1.
    #[serde(default, deserialize_with = "de::f64_map")]
    pub confidence: BTreeMap<String, f64>,
    #[serde(default)]
    pub face: Option<FaceComparison>,
    #[serde(default)]
    pub verification: Option<Verification>,
    #[serde(default)]
    pub authentication: Option<Authentication>,
    #[serde(default, deserialize_with = "de::opt_f64")]
    pub matchrate: Option<f64>,
    #[serde(default, deserialize_with = "de::opt_f64")]
    pub execution_time: Option<f64>,
    #[serde(rename = "responseID", default, deserialize_with = "de::opt_string")]
    pub response_id: Option<String>,
    #[serde(default, deserialize_with = "de::opt_f64")]
    pub quota: Option<f64>,
    #[serde(default, deserialize_with = "de::opt_f64")]
    pub credit: Option<f64>,
    #[serde(default)]
    pub aml: Option<Vec<Value>>,
    #[serde(default, deserialize_with = "de::opt_string")]
    pub vaultid: Option<String>,
    #[serde(default)]
    pub output: Option<Value>,
    #[serde(default)]
    pub outputface: Option<Value>,
}

/// Document fields read by OCR/MRZ.
#[derive(Deserialize, Default, Clone)]
pub struct KycResult {
    #[serde(
        rename = "documentNumber",
        default,
        deserialize_with = "de::opt_string"
    )]
    pub document_number: Option<String>,
    #[serde(rename = "firstName", default, deserialize_with = "de::opt_string")]
    pub first_name: Option<String>,
    #[serde(rename = "middleName", default, deserialize_with = "de::opt_string")]
    pub middle_name: Option<String>,
    #[serde(rename = "lastName", default, deserialize_with = "de::opt_string")]
    pub last_name: Option<String>,
    #[serde(rename = "fullName", default, deserialize_with = "de::opt_string")]
    pub full_name: Option<String>,
    #[serde(
        rename = "fullName_local",
        default,
        deserialize_with = "de::opt_string"
    )]
    pub full_name_local: Option<String>,
    #[serde(default, deserialize_with = "de::opt_string")]
    pub sex: Option<String>,
    #[serde(default, deserialize_with = "de::opt_f64")]
    pub age: Option<f64>,
    #[serde(default, deserialize_with = "de::opt_string")]
    pub dob: Option<String>,
    #[serde(default, deserialize_with = "de::opt_string")]
    pub expiry: Option<String>,
    #[serde(rename = "daysToExpiry", default, deserialize_with = "de::opt_f64")]
    pub days_to_expiry: Option<f64>,
    #[serde(rename = "documentType", default, deserialize_with = "de::opt_string")]
    pub document_type: Option<String>,
    #[serde(rename = "documentSide", default, deserialize_with = "de::opt_string")]
    pub document_side: Option<String>,
    #[serde(
        rename = "issuerOrg_full",
        default,
        deserialize_with = "de::opt_string"
    )]
    pub issuer_org_full: Option<String>,
    #[serde(
        rename = "issuerOrg_iso2",
        default,
        deserialize_with = "de::opt_string"
    )]
    pub issuer_org_iso2: Option<String>,
    #[serde(
        rename = "issuerOrg_iso3",
        default,
        deserialize_with = "de::opt_string"
    )]
    pub issuer_org_iso3: Option<String>,
    #[serde(
        rename = "nationality_full",
        default,
        deserialize_with = "de::opt_string"
    )]
    pub nationality_full: Option<String>,
    #[serde(
        rename = "nationality_iso2",
        default,
        deserialize_with = "de::opt_string"
    )]
    pub nationality_iso2: Option<String>,
    #[serde(
        rename = "nationality_iso3",
        default,
        deserialize_with = "de::opt_string"
    )]
    pub nationality_iso3: Option<String>,
    #[serde(rename = "internalId", default, deserialize_with = "de::opt_string")]
    pub internal_id: Option<String>,
}

#[derive(Deserialize, Default, Clone, Debug)]
#[serde(rename_all = "camelCase")]
pub struct FaceComparison {
    #[serde(default)]
    pub is_identical: Option<bool>,
    /// A string like `"0.786"` in the sample; numbers are read too.
    #[serde(default, deserialize_with = "de::opt_f64")]
    pub confidence: Option<f64>,
}

#[derive(Deserialize, Default, Clone, Debug)]
pub struct Verification {
    #[serde(default)]
    pub passed: Option<bool>,
    #[serde(default)]
    pub result: Option<VerificationResult>,
}

#[derive(Deserialize, Default, Clone, Debug)]
pub struct VerificationResult {
    #[serde(default)]
    pub face: Option<bool>,
    #[serde(default)]
    pub notexpired: Option<bool>,
}

#[derive(Deserialize, Default, Clone, Debug)]
pub struct Authentication {
    #[serde(default, deserialize_with = "de::opt_f64")]
    pub score: Option<f64>,
    #[serde(default)]
    pub breakdown: BTreeMap<String, BreakdownItem>,
    #[serde(default)]
    pub warning: Vec<String>,
}

#[derive(Deserialize, Default, Clone, Debug)]
pub struct BreakdownItem {
    #[serde(default)]
    pub passed: Option<bool>,
    #[serde(default, deserialize_with = "de::opt_f64")]
    pub code: Option<f64>,
    #[serde(default, deserialize_with = "de::opt_string")]
    pub reason: Option<String>,
    #[serde(default, deserialize_with = "de::opt_string")]
    pub severity: Option<String>,
}

#[derive(Deserialize, Default, Clone, Debug)]
#[serde(rename_all = "camelCase")]
pub struct LivenessResponse {
    #[serde(default)]
    pub success: Option<bool>,
    #[serde(default, deserialize_with = "de::opt_string")]
    pub transaction_id: Option<String>,
    #[serde(default, deserialize_with = "de::opt_string")]
    pub profile_id: Option<String>,
    #[serde(default, deserialize_with = "de::opt_f64")]
    pub review_score: Option<f64>,
    #[serde(default, deserialize_with = "de::opt_f64")]
    pub reject_score: Option<f64>,
    #[serde(default, deserialize_with = "de::opt_string")]
    pub decision: Option<String>,
    #[serde(default, deserialize_with = "de::opt_f64")]
    pub quota: Option<f64>,
    #[serde(default, deserialize_with = "de::opt_f64")]
    pub credit: Option<f64>,
    #[serde(default, deserialize_with = "de::opt_f64")]
    pub execution_time: Option<f64>,
}

/// Loose readers of an untyped envelope: FACEKI's error bodies come in several shapes.
pub mod envelope {
    use serde_json::Value;

    /// `responseCode` as a number or a numeric string.
    pub fn response_code(v: &Value) -> Option<i64> {
        match v.get("responseCode")? {
            Value::Number(n) => n.as_i64(),
            // Only a plain decimal ("0", "8006"): "+0", "00" or "-0" are odd, and odd never
            // becomes the success code (found by the fuzz oracle).
            Value::String(s) => s
                .trim()
                .parse::<i64>()
                .ok()
                .filter(|n| n.to_string() == s.trim()),
            _ => None,
        }
    }

    /// The first `message` found at the top level, in `data`, or in `data.error`/`error`.
    pub fn message(v: &Value) -> Option<String> {
        let candidates = [
            v.get("message"),
            v.pointer("/data/message"),
            v.pointer("/data/error/message"),
            v.pointer("/error/message"),
            v.pointer("/data/error"),
            v.get("error"),
        ];
        candidates
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::trim)
            .find(|s| !s.is_empty())
            .map(|s| s.chars().take(300).collect())
    }
}

mod de {
    //! Tolerant field readers: `null`, absent, number-for-string and string-for-number all read.
    use std::collections::BTreeMap;

    use serde::{Deserialize, Deserializer};
    use serde_json::Value;

    /// A string, or a number read as text (document numbers sometimes arrive as numbers).
    pub fn opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        Ok(match Value::deserialize(d)? {
            Value::String(s) => Some(s),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        })
    }

    /// Strings only: a name, status or face id of any other type is treated as absent, so a
    /// `"fullName": false` can never become a person called "false".
    pub fn opt_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        Ok(match Value::deserialize(d)? {
            Value::String(s) => Some(s),
            _ => None,
        })
    }

    fn value_f64(v: &Value) -> Option<f64> {
        match v {
            Value::Number(n) => n.as_f64(),
            Value::String(s) => s.trim().parse::<f64>().ok().filter(|x| x.is_finite()),
            _ => None,
        }
    }

    pub fn opt_f64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
        Ok(value_f64(&Value::deserialize(d)?))
    }

    pub fn opt_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
        Ok(match Value::deserialize(d)? {
            Value::Number(n) => n.as_i64(),
            // Only a plain decimal ("0", "8006"): "+0", "00" or "-0" are odd, and odd never
            // becomes the success code (found by the fuzz oracle).
            Value::String(s) => s
                .trim()
                .parse::<i64>()
                .ok()
                .filter(|n| n.to_string() == s.trim()),
            _ => None,
        })
    }

    pub fn f64_map<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<String, f64>, D::Error> {
        Ok(match Value::deserialize(d)? {
            Value::Object(m) => m
                .into_iter()
                .filter_map(|(k, v)| value_f64(&v).map(|x| (k, x)))
                .collect(),
            _ => BTreeMap::new(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MATCH: &str = include_str!("../../assets/sim/face_check_match.json");

    #[test]
    fn response_codes_must_be_plain_decimals() {
        let code = |v: Value| envelope::response_code(&serde_json::json!({ "responseCode": v }));
        assert_eq!(code(serde_json::json!(0)), Some(0));
        assert_eq!(code(serde_json::json!("0")), Some(0));
        assert_eq!(code(serde_json::json!(" 8006 ")), Some(8006));
        for odd in ["+0", "00", "-0", "0x0", "", "0.0"] {
            assert_eq!(code(serde_json::json!(odd)), None, "{odd:?}");
        }
    }

    #[test]
    fn reads_every_field_of_the_sample_match() {
        let v: Value = serde_json::from_str(MATCH).unwrap();
        assert_eq!(envelope::response_code(&v), Some(0));
        let data: FaceCheckData = serde_json::from_value(v["data"].clone()).unwrap();
        assert_eq!(data.face_verified, Some(true));
        let ids = data.all_face_ids.unwrap();
        let rec = &data.kyc_records.unwrap()[0];
        assert_eq!(rec.face_id.as_deref(), Some(ids[0].as_str()));
        assert_eq!(rec.id.as_deref(), Some("644b7cff16cc73de26ff9b9c"));
        assert_eq!(rec.full_name.as_deref(), Some("First middle last name"));
        assert_eq!(rec.local_name.as_deref(), Some("الاسم بالعربي"));
        assert_eq!(rec.document_id.as_deref(), Some("930813316"));
        assert_eq!(rec.dob.as_deref(), Some("1993/08/29"));
        assert_eq!(rec.country_code_iso3.as_deref(), Some("BHR"));
        assert_eq!(rec.status.as_deref(), Some("ACCEPTED"));
        assert_eq!(rec.delete_status.as_deref(), Some("ACTIVE"));
        assert_eq!(
            rec.image_id.as_deref(),
            Some("ff56ce6a-0326-3eaa-92c4-345d4a80a2db")
        );
        assert_eq!(rec.updated_at.as_deref(), Some("2023-04-28T07:59:59.799Z"));
        assert_eq!(
            rec.device_details.as_ref().unwrap().browser_name.as_deref(),
            Some("Postman Desktop")
        );
        let kyc = rec.kyc_response.as_ref().unwrap();
        let result = kyc.result.as_ref().unwrap();
        assert_eq!(result.document_number.as_deref(), Some("930813316"));
        assert_eq!(result.full_name_local.as_deref(), Some("الاسم بالعربي"));
        assert_eq!(result.days_to_expiry, Some(479.0));
        assert_eq!(result.nationality_full.as_deref(), Some("Bahrain"));
        assert_eq!(kyc.confidence.get("fullName_local"), Some(&0.962));
        let face = kyc.face.as_ref().unwrap();
        assert_eq!(face.is_identical, Some(true));
        assert_eq!(face.confidence, Some(0.786));
        let ver = kyc.verification.as_ref().unwrap();
        assert_eq!(ver.result.as_ref().unwrap().notexpired, Some(true));
        let auth = kyc.authentication.as_ref().unwrap();
        assert_eq!(auth.score, Some(0.7));
        assert_eq!(auth.breakdown["image_quality"].code, Some(112.0));
        assert_eq!(auth.warning, vec!["Document image too small".to_owned()]);
        let live = rec.liveness_response.as_ref().unwrap();
        assert_eq!(live.decision.as_deref(), Some("accept"));
        assert_eq!(live.success, Some(true));
    }

    #[test]
    fn tolerates_nulls_numbers_and_unknown_fields() {
        let rec: KycRecord = serde_json::from_str(
            r#"{"fullName":null,"documentId":930813316,"newField":{"x":1},
                "kycResponse":{"face":{"confidence":0.9},"confidence":{"a":"0.5","b":"x"}}}"#,
        )
        .unwrap();
        assert_eq!(rec.full_name, None);
        assert_eq!(rec.document_id.as_deref(), Some("930813316"));
        let kyc = rec.kyc_response.unwrap();
        assert_eq!(kyc.face.unwrap().confidence, Some(0.9));
        assert_eq!(kyc.confidence.len(), 1);
    }

    #[test]
    fn record_debug_prints_no_personal_data() {
        let v: Value = serde_json::from_str(MATCH).unwrap();
        let data: FaceCheckData = serde_json::from_value(v["data"].clone()).unwrap();
        let dbg = format!("{:?}", data);
        assert!(!dbg.contains("930813316"));
        assert!(!dbg.contains("First middle"));
        assert!(!dbg.contains("1993"));
    }

    #[test]
    fn token_and_error_envelopes() {
        let t: TokenEnvelope =
            serde_json::from_str(include_str!("../../tests/data/token_success.json")).unwrap();
        let d = t.data.unwrap();
        assert_eq!(d.expires_in, Some(3600.0));
        assert!(d.access_token.is_some());
        let e: Value =
            serde_json::from_str(include_str!("../../tests/data/token_error_422.json")).unwrap();
        assert_eq!(
            envelope::message(&e).as_deref(),
            Some("client id is required")
        );
        let nested: Value =
            serde_json::from_str(r#"{"data":{"error":{"message":" boom "}}}"#).unwrap();
        assert_eq!(envelope::message(&nested).as_deref(), Some("boom"));
    }
}
