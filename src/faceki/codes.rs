//! FACEKI's `responseCode`s and what the kiosk makes of each (API.md, section 2).

use serde::Serialize;

/// Why a selfie must be taken again. Each maps to a hint the customer can act on (the words
/// are in the `i18n` catalogue).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RetakeReason {
    TryAgain,
    FaceCropped,
    TooClose,
    NoFace,
    NearBorder,
    TooSmall,
    PoorLight,
    MultipleFaces,
    Blurred,
}

/// What a code means for the kiosk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeKind {
    Success,
    /// The face is not enrolled in the client's KYC records.
    NoMatch,
    Retake(RetakeReason),
    /// FACEKI had a problem; try again later.
    Service,
    /// The client account is misconfigured (no KYC rules).
    AccountSetup,
    /// The upload was empty or incomplete: a bug on our side.
    ClientBug,
    /// The account's verification quota is used up.
    Quota,
    /// A KYC document or link code: not expected from face-check.
    Document,
}

#[derive(Debug, Clone, Copy)]
pub struct CodeInfo {
    pub code: i64,
    /// The constant's name in FACEKI's SDKs.
    pub name: &'static str,
    pub kind: CodeKind,
}

const TABLE: &[CodeInfo] = &[
    info(0, "SUCCESS", CodeKind::Success),
    info(1000, "INTERNAL_SYSTEM_ERROR", CodeKind::Service),
    info(7001, "NO_RULES_FOR_COMPANY", CodeKind::AccountSetup),
    info(8001, "NEED_REQUIRED_IMAGES", CodeKind::ClientBug),
    info(
        8003,
        "PLEASE_TRY_AGAIN",
        CodeKind::Retake(RetakeReason::TryAgain),
    ),
    info(
        8004,
        "FACE_CROPPED",
        CodeKind::Retake(RetakeReason::FaceCropped),
    ),
    info(
        8005,
        "FACE_TOO_CLOSED",
        CodeKind::Retake(RetakeReason::TooClose),
    ),
    info(
        8006,
        "FACE_NOT_FOUND",
        CodeKind::Retake(RetakeReason::NoFace),
    ),
    info(
        8007,
        "FACE_CLOSED_TO_BORDER",
        CodeKind::Retake(RetakeReason::NearBorder),
    ),
    info(
        8008,
        "FACE_TOO_SMALL",
        CodeKind::Retake(RetakeReason::TooSmall),
    ),
    info(
        8009,
        "POOR_LIGHT",
        CodeKind::Retake(RetakeReason::PoorLight),
    ),
    info(8013, "DATA_NOT_FOUND", CodeKind::NoMatch),
    info(8017, "KYC_VERIFICATION_LIMIT_REACHED", CodeKind::Quota),
    info(
        8018,
        "SELFIE_MULTIPLE_FACES",
        CodeKind::Retake(RetakeReason::MultipleFaces),
    ),
    info(8019, "FACE_BLUR", CodeKind::Retake(RetakeReason::Blurred)),
    // KYC document and link codes. API.md names their range but not each constant.
    info(8002, "KYC_DOCUMENT_CODE", CodeKind::Document),
    info(8010, "KYC_DOCUMENT_CODE", CodeKind::Document),
    info(8011, "KYC_DOCUMENT_CODE", CodeKind::Document),
    info(8012, "KYC_DOCUMENT_CODE", CodeKind::Document),
    info(8014, "KYC_DOCUMENT_CODE", CodeKind::Document),
    info(8015, "KYC_DOCUMENT_CODE", CodeKind::Document),
    info(8016, "KYC_DOCUMENT_CODE", CodeKind::Document),
    info(8020, "KYC_LINK_CODE", CodeKind::Document),
    info(8021, "KYC_LINK_CODE", CodeKind::Document),
    info(8022, "KYC_LINK_CODE", CodeKind::Document),
];

const fn info(code: i64, name: &'static str, kind: CodeKind) -> CodeInfo {
    CodeInfo { code, name, kind }
}

/// The table entry for `code`, or `None` for a code nobody has documented.
pub fn lookup(code: i64) -> Option<&'static CodeInfo> {
    TABLE.iter().find(|c| c.code == code)
}

/// Every documented code, for tests and the simulator.
pub fn all() -> &'static [CodeInfo] {
    TABLE
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_cover_api_md() {
        let mut seen = std::collections::HashSet::new();
        for c in all() {
            assert!(seen.insert(c.code), "duplicate {}", c.code);
        }
        for code in [0, 1000, 7001].into_iter().chain(8001..=8022) {
            assert!(
                lookup(code).is_some(),
                "code {code} from API.md is not mapped"
            );
        }
        assert!(lookup(8023).is_none());
    }
}
