//! FACEKI's JSON bodies as typed models.
//!
//! Everything is optional and unknown fields are ignored: the live service's shapes are only
//! partly documented (API.md), so the models read what they can and the decision decides whether
//! it is enough. Identity fields accept numbers as well as strings. Only what the kiosk uses is
//! modelled; the rest of a reply is never parsed.
//!
//! Records carry personal data, so they have hand-written `Debug` impls that print none of it.

use std::fmt;

use serde::{Deserialize, Deserializer};

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

/// One KYC record of the client account, as the face-check returns it: only the fields the
/// decision and the pass screen read. The rest of the record (OCR results, the liveness and
/// device blobs of the KYC onboarding, other images) is left unparsed and dropped with the
/// reply: what the kiosk does not read it cannot leak.
#[derive(Deserialize, Default, Clone)]
#[serde(rename_all = "camelCase")]
pub struct KycRecord {
    #[serde(rename = "_id", default, deserialize_with = "de::opt_string")]
    pub id: Option<String>,
    #[serde(rename = "faceID", default, deserialize_with = "de::opt_text")]
    pub face_id: Option<String>,
    #[serde(default, deserialize_with = "de::opt_text")]
    pub full_name: Option<String>,
    #[serde(default, deserialize_with = "de::opt_text")]
    pub local_name: Option<String>,
    #[serde(default, deserialize_with = "de::opt_string")]
    pub document_id: Option<String>,
    #[serde(default, deserialize_with = "de::opt_string")]
    pub country: Option<String>,
    #[serde(default, deserialize_with = "de::opt_string")]
    pub reference_id: Option<String>,
    /// `"ACCEPTED"` seen; other values unknown.
    #[serde(default, deserialize_with = "de::opt_text")]
    pub status: Option<String>,
    /// `"ACTIVE"` seen; other values unknown.
    #[serde(default, deserialize_with = "de::opt_text")]
    pub delete_status: Option<String>,
    #[serde(default, deserialize_with = "de::opt_string")]
    pub id_front_image: Option<String>,
    /// ISO-8601 UTC, e.g. `2023-04-28T07:59:59.799Z`.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub created_at: Option<String>,
    #[serde(default, deserialize_with = "de::opt_string")]
    pub updated_at: Option<String>,
}

impl fmt::Debug for KycRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // No names, document numbers or image URLs: this may end up in a log.
        f.debug_struct("KycRecord")
            .field("id", &self.id)
            .field("face_id", &self.face_id)
            .field("status", &self.status)
            .field("delete_status", &self.delete_status)
            .field("updated_at", &self.updated_at)
            .finish_non_exhaustive()
    }
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

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
    fn reads_what_the_decision_needs_from_the_sample_match() {
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
        assert_eq!(rec.status.as_deref(), Some("ACCEPTED"));
        assert_eq!(rec.delete_status.as_deref(), Some("ACTIVE"));
        assert_eq!(rec.updated_at.as_deref(), Some("2023-04-28T07:59:59.799Z"));
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
