//! What the kiosk says, in English and Arabic: one typed catalogue.
//!
//! Each message is a variant and each language an exhaustive `match`, so a missing translation
//! does not compile. Messages with values in them are templates with named `{placeholders}`
//! ([`Fmt`]), filled by the small functions at the end. This is the one place for customer-
//! facing words: the CLI prints the English ones from here too.
//!
//! Arabic texts avoid characters that Noto Naskh Arabic lacks (`…`, `•`, parentheses, `?`):
//! a glyph from another font inside a right-to-left run breaks its shaping.

use crate::faceki::{ErrorKind, NotLiveKind, Outcome, RetakeReason};
use crate::selfie::Hint;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Lang {
    En,
    Ar,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Ar];

    /// `en` or `ar` (any case, spaces ignored).
    pub fn parse(code: &str) -> Option<Self> {
        match code.trim().to_ascii_lowercase().as_str() {
            "en" => Some(Self::En),
            "ar" => Some(Self::Ar),
            _ => None,
        }
    }

    /// The configured language; English when the setting is empty or unknown.
    pub fn from_setting(code: &str) -> Self {
        Self::parse(code).unwrap_or(Self::En)
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::Ar => "ar",
        }
    }

    pub fn is_rtl(self) -> bool {
        self == Self::Ar
    }

    /// The language's name in itself: what the switch button shows to someone who reads it.
    pub fn native_name(self) -> &'static str {
        match self {
            Self::En => "English",
            Self::Ar => "العربية",
        }
    }

    /// The language the one-tap switch offers.
    pub fn other(self) -> Self {
        match self {
            Self::En => Self::Ar,
            Self::Ar => Self::En,
        }
    }
}

/// Declares a key enum and its `ALL` list from one list of variants, so the completeness tests
/// below see every key.
macro_rules! keys {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident,)* }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $($(#[$vdoc])* $variant,)*
        }

        impl $name {
            pub const ALL: &[$name] = &[$($name::$variant,)*];
        }
    };
}

keys! {
    /// Fixed messages.
    Msg {
    // Attract, positioning, checking.
    LookToSignIn,
    FaceSignIn,
    Staff,
    TakePhoto,
    TapToStart,
    Checking,
    TakesAFewSeconds,
    Cancel,
    // Out of order.
    CameraNotAvailable,
    SignInPaused,
    OutOfService,
    TooManyAttempts,
    SeeStaffOrLater,
    // Gate hints.
    HintHoldStill,
    HintLookAtCamera,
    HintOnePerson,
    HintComeCloser,
    HintStepBack,
    HintIntoOval,
    HintMoveLeft,
    HintMoveRight,
    HintFaceStraight,
    HintMoreLight,
    HintLessLight,
    // Result screen.
    Welcome,
    Done,
    NotRecognised,
    TakeAgain,
    PleaseSeeStaff,
    ServiceNotReachable,
    SomethingWentWrong,
    TryAgain,
    Ok,
    IdDocument,
    IdOnFile,
    IdLoading,
    IdNotAvailable,
    // What FACEKI's answer means for the customer.
    Verified,
    NoMatch,
    Denied,
    Ambiguous,
    RetakeTryAgain,
    RetakeFaceCropped,
    RetakeTooClose,
    RetakeNoFace,
    RetakeNearBorder,
    RetakeTooSmall,
    RetakePoorLight,
    RetakeMultipleFaces,
    RetakeBlurred,
    ErrTimeout,
    ErrUnreachable,
    ErrAuth,
    ErrRateLimited,
    ErrQuota,
    ErrAccountSetup,
    ErrService,
    ErrClientBug,
    ErrMalformed,
    // The liveness challenge.
    ChallengeTurnLeft,
    ChallengeTurnRight,
    ChallengeLookStraight,
    NotConfirmed,
    NotLiveSpoof,
    NotLiveNoResponse,
    NotLiveNoFace,
    // Staff PIN.
    StaffPin,
    Clear,
    TooManyWrongPins,
    // First set-up.
    SetUpKiosk,
    SetupIntro,
    FacekiAddress,
    ClientId,
    ClientSecret,
    StaffPinDigits,
    StaffPinAgain,
    Save,
    Saving,
    Saved,
    NeedIdAndSecret,
    PinsDiffer,
    PinFormat,
    // Status lines of the admin panel.
    Connected,
    Testing,
    NoCamera,
    DemoBanner,
}
}

impl Msg {
    pub fn text(self, lang: Lang) -> &'static str {
        match lang {
            Lang::En => self.en(),
            Lang::Ar => self.ar(),
        }
    }

    fn en(self) -> &'static str {
        match self {
            Self::LookToSignIn => "Look at the camera to sign in",
            Self::FaceSignIn => "Face sign-in",
            Self::Staff => "Staff",
            Self::TakePhoto => "Take photo",
            Self::TapToStart => "Tap “Take photo” to sign in",
            Self::Checking => "Checking…",
            Self::TakesAFewSeconds => "This takes a few seconds.",
            Self::Cancel => "Cancel",
            Self::CameraNotAvailable => "Camera not available",
            Self::SignInPaused => "Face sign-in is paused. Please see staff.",
            Self::OutOfService => "Temporarily out of service",
            Self::TooManyAttempts => "Too many attempts",
            Self::SeeStaffOrLater => "Please see staff, or try again later.",
            Self::HintHoldStill => "Hold still…",
            Self::HintLookAtCamera => "Please look at the camera.",
            Self::HintOnePerson => "One person at a time, please.",
            Self::HintComeCloser => "Please come a little closer.",
            Self::HintStepBack => "Please step back a little.",
            Self::HintIntoOval => "Please move your face into the oval.",
            Self::HintMoveLeft => "Please move a little to your left.",
            Self::HintMoveRight => "Please move a little to your right.",
            Self::HintFaceStraight => "Please look straight at the camera.",
            Self::HintMoreLight => "It is too dark. Please face the light.",
            Self::HintLessLight => "Too much light. Please move out of the glare.",
            Self::Welcome => "Welcome",
            Self::Done => "Done",
            Self::NotRecognised => "Not recognised",
            Self::TakeAgain => "Let's take that again",
            Self::PleaseSeeStaff => "Please see staff",
            Self::ServiceNotReachable => "Service not reachable",
            Self::SomethingWentWrong => "Something went wrong",
            Self::TryAgain => "Try again",
            Self::Ok => "OK",
            Self::IdDocument => "ID document",
            Self::IdOnFile => "ID document on file",
            Self::IdLoading => "Loading ID document…",
            Self::IdNotAvailable => "ID document image not available",
            Self::Verified => "Verified.",
            Self::NoMatch => {
                "We could not find you. If you have not registered yet, please see staff."
            }
            Self::Denied => "Your registration is not active. Please see staff.",
            Self::Ambiguous => "We could not confirm who you are. Please see staff.",
            Self::RetakeTryAgain => "Please try again and look straight at the camera.",
            Self::RetakeFaceCropped => {
                "Your whole face must be visible. Please step into the oval."
            }
            Self::RetakeTooClose => "You are too close. Please step back a little.",
            Self::RetakeNoFace => "We could not see a face. Please look at the camera.",
            Self::RetakeNearBorder => "Please move so your face is in the middle of the oval.",
            Self::RetakeTooSmall => "Please come a little closer to the camera.",
            Self::RetakePoorLight => "It is too dark. Please face the light.",
            Self::RetakeMultipleFaces => "Only one person at a time, please.",
            Self::RetakeBlurred => "The picture was blurred. Please hold still.",
            Self::ErrTimeout => "The check took too long. Please try again.",
            Self::ErrUnreachable => {
                "The verification service cannot be reached. Please try again or see staff."
            }
            Self::ErrAuth => {
                "This kiosk is not signed in to the verification service. Please see staff."
            }
            Self::ErrRateLimited => {
                "The verification service is busy. Please try again in a moment."
            }
            Self::ErrQuota => "This kiosk has used up its verifications. Please see staff.",
            Self::ErrAccountSetup => {
                "This kiosk's account is not set up for face checks. Please see staff."
            }
            Self::ErrService => "The verification service has a problem. Please try again later.",
            Self::ErrClientBug => "The photo could not be sent. Please try again.",
            Self::ErrMalformed => {
                "The verification service gave an answer we cannot use. Please see staff."
            }
            Self::StaffPin => "Staff PIN",
            Self::Clear => "Clear",
            Self::TooManyWrongPins => "Too many wrong PINs.",
            Self::SetUpKiosk => "Set up this kiosk",
            Self::SetupIntro => {
                "Enter the FACEKI credentials of your account and choose a staff PIN."
            }
            Self::FacekiAddress => "FACEKI address",
            Self::ClientId => "Client ID",
            Self::ClientSecret => "Client secret",
            Self::StaffPinDigits => "Staff PIN (4-12 digits)",
            Self::StaffPinAgain => "Staff PIN again",
            Self::Save => "Save",
            Self::Saving => "Saving…",
            Self::Saved => "Saved.",
            Self::NeedIdAndSecret => "Client ID and secret are both needed.",
            Self::PinsDiffer => "The two PINs differ.",
            Self::PinFormat => "A PIN must be 4 to 12 digits.",
            Self::Connected => "Connected: FACEKI gave this kiosk a token.",
            Self::Testing => "Testing…",
            Self::NoCamera => "No camera found.",
            Self::DemoBanner => "DEMO: no real identity check. Staff PIN 1234.",
            Self::ChallengeTurnLeft => "Slowly turn your head to your left",
            Self::ChallengeTurnRight => "Slowly turn your head to your right",
            Self::ChallengeLookStraight => "Now look straight at the camera",
            Self::NotConfirmed => "Not confirmed",
            Self::NotLiveSpoof => {
                "We could not confirm that you are here in person. Please ask staff."
            }
            Self::NotLiveNoResponse => {
                "We did not see the head turns we asked for. Please try again and follow the arrow."
            }
            Self::NotLiveNoFace => "We lost sight of your face. Please try again.",
        }
    }

    fn ar(self) -> &'static str {
        match self {
            Self::LookToSignIn => "انظر إلى الكاميرا لتسجيل الدخول",
            Self::FaceSignIn => "تسجيل الدخول بالوجه",
            Self::Staff => "للموظفين",
            Self::TakePhoto => "التقاط صورة",
            Self::TapToStart => "اضغط «التقاط صورة» لتسجيل الدخول",
            Self::Checking => "جارٍ التحقق...",
            Self::TakesAFewSeconds => "يستغرق ذلك بضع ثوانٍ.",
            Self::Cancel => "إلغاء",
            Self::CameraNotAvailable => "الكاميرا غير متاحة",
            Self::SignInPaused => "تسجيل الدخول بالوجه متوقف مؤقتًا. يُرجى مراجعة الموظفين.",
            Self::OutOfService => "خارج الخدمة مؤقتًا",
            Self::TooManyAttempts => "محاولات كثيرة",
            Self::SeeStaffOrLater => "يُرجى مراجعة الموظفين أو المحاولة لاحقًا.",
            Self::HintHoldStill => "اثبت في مكانك...",
            Self::HintLookAtCamera => "يُرجى النظر إلى الكاميرا.",
            Self::HintOnePerson => "شخص واحد في كل مرة من فضلك.",
            Self::HintComeCloser => "يُرجى الاقتراب قليلًا.",
            Self::HintStepBack => "يُرجى الرجوع إلى الخلف قليلًا.",
            Self::HintIntoOval => "يُرجى وضع وجهك داخل الإطار البيضاوي.",
            Self::HintMoveLeft => "يُرجى التحرك قليلًا إلى يسارك.",
            Self::HintMoveRight => "يُرجى التحرك قليلًا إلى يمينك.",
            Self::HintFaceStraight => "يُرجى النظر مباشرةً إلى الكاميرا.",
            Self::HintMoreLight => "الإضاءة خافتة. يُرجى التوجه نحو الضوء.",
            Self::HintLessLight => "الإضاءة شديدة. يُرجى الابتعاد عن الوهج.",
            Self::Welcome => "أهلًا وسهلًا",
            Self::Done => "تم",
            Self::NotRecognised => "لم نتعرّف عليك",
            Self::TakeAgain => "لنلتقط الصورة مرة أخرى",
            Self::PleaseSeeStaff => "يُرجى مراجعة الموظفين",
            Self::ServiceNotReachable => "تعذّر الوصول إلى الخدمة",
            Self::SomethingWentWrong => "حدث خطأ ما",
            Self::TryAgain => "إعادة المحاولة",
            Self::Ok => "موافق",
            Self::IdDocument => "وثيقة الهوية",
            Self::IdOnFile => "وثيقة الهوية المسجّلة",
            Self::IdLoading => "جارٍ تحميل وثيقة الهوية...",
            Self::IdNotAvailable => "صورة وثيقة الهوية غير متاحة",
            Self::Verified => "تم التحقق.",
            Self::NoMatch => "لم نعثر على بياناتك. إن لم تكن مسجّلًا بعد، يُرجى مراجعة الموظفين.",
            Self::Denied => "تسجيلك غير مفعّل. يُرجى مراجعة الموظفين.",
            Self::Ambiguous => "تعذّر علينا التأكد من هويتك. يُرجى مراجعة الموظفين.",
            Self::RetakeTryAgain => "يُرجى المحاولة مرة أخرى مع النظر مباشرةً إلى الكاميرا.",
            Self::RetakeFaceCropped => "يجب أن يظهر وجهك كاملًا. يُرجى الوقوف داخل الإطار البيضاوي.",
            Self::RetakeTooClose => "أنت قريب جدًا. يُرجى الرجوع إلى الخلف قليلًا.",
            Self::RetakeNoFace => "لم نتمكن من رؤية وجه. يُرجى النظر إلى الكاميرا.",
            Self::RetakeNearBorder => "يُرجى التحرك ليكون وجهك في وسط الإطار البيضاوي.",
            Self::RetakeTooSmall => "يُرجى الاقتراب قليلًا من الكاميرا.",
            Self::RetakePoorLight => "الإضاءة خافتة. يُرجى التوجه نحو الضوء.",
            Self::RetakeMultipleFaces => "شخص واحد فقط في كل مرة من فضلك.",
            Self::RetakeBlurred => "الصورة غير واضحة. يُرجى الثبات في مكانك.",
            Self::ErrTimeout => "استغرق التحقق وقتًا طويلًا. يُرجى المحاولة مرة أخرى.",
            Self::ErrUnreachable => {
                "تعذّر الوصول إلى خدمة التحقق. يُرجى المحاولة مرة أخرى أو مراجعة الموظفين."
            }
            Self::ErrAuth => "هذا الجهاز غير مسجّل لدى خدمة التحقق. يُرجى مراجعة الموظفين.",
            Self::ErrRateLimited => "خدمة التحقق مشغولة. يُرجى المحاولة بعد قليل.",
            Self::ErrQuota => "استنفد هذا الجهاز رصيده من عمليات التحقق. يُرجى مراجعة الموظفين.",
            Self::ErrAccountSetup => {
                "حساب هذا الجهاز غير مهيّأ للتحقق بالوجه. يُرجى مراجعة الموظفين."
            }
            Self::ErrService => "تواجه خدمة التحقق مشكلة. يُرجى المحاولة لاحقًا.",
            Self::ErrClientBug => "تعذّر إرسال الصورة. يُرجى المحاولة مرة أخرى.",
            Self::ErrMalformed => "وصل رد غير صالح من خدمة التحقق. يُرجى مراجعة الموظفين.",
            Self::StaffPin => "الرمز السري للموظفين",
            Self::Clear => "مسح",
            Self::TooManyWrongPins => "محاولات خاطئة كثيرة.",
            Self::SetUpKiosk => "إعداد هذا الجهاز",
            Self::SetupIntro => "أدخل بيانات اعتماد حسابك في FACEKI واختر رمزًا سريًا للموظفين.",
            Self::FacekiAddress => "عنوان FACEKI",
            Self::ClientId => "معرّف العميل",
            Self::ClientSecret => "المفتاح السري للعميل",
            Self::StaffPinDigits => "الرمز السري للموظفين، من 4 إلى 12 رقمًا",
            Self::StaffPinAgain => "أعد إدخال الرمز السري",
            Self::Save => "حفظ",
            Self::Saving => "جارٍ الحفظ...",
            Self::Saved => "تم الحفظ.",
            Self::NeedIdAndSecret => "يلزم إدخال معرّف العميل والمفتاح السري معًا.",
            Self::PinsDiffer => "الرمزان السريان غير متطابقين.",
            Self::PinFormat => "يجب أن يتكون الرمز السري من 4 إلى 12 رقمًا.",
            Self::Connected => "متصل: منحت FACEKI هذا الجهاز رمز دخول.",
            Self::Testing => "جارٍ الاختبار...",
            Self::NoCamera => "لم يُعثر على أي كاميرا.",
            Self::DemoBanner => "عرض تجريبي: لا تحقق فعلي من الهوية. الرمز السري للموظفين 1234.",
            Self::ChallengeTurnLeft => "أدر رأسك ببطء إلى يسارك",
            Self::ChallengeTurnRight => "أدر رأسك ببطء إلى يمينك",
            Self::ChallengeLookStraight => "والآن انظر مباشرة إلى الكاميرا",
            Self::NotConfirmed => "لم يتم التأكيد",
            Self::NotLiveSpoof => "لم نتمكن من التأكد من وجودك شخصيًا. يُرجى مراجعة الموظفين.",
            Self::NotLiveNoResponse => {
                "لم نرَ حركات الرأس المطلوبة. يُرجى المحاولة مرة أخرى واتباع السهم."
            }
            Self::NotLiveNoFace => "لم نعد نرى وجهك. يُرجى المحاولة مرة أخرى.",
        }
    }
}

keys! {
    /// Messages with values in them: templates with named `{placeholders}`.
    Fmt {
    /// The camera's own words on why it is missing.
    CameraRetrying,
    /// `{time}` as m:ss.
    ResumesIn,
    Document,
    Code,
    CameraPreview,
    WrongPin,
    PinLocked,
    CouldNotSave,
    NotConnected,
    CamerasNotListed,
    /// The challenge's progress: step `{n}` of `{of}`.
    ChallengeStep,
}
}

impl Fmt {
    pub fn template(self, lang: Lang) -> &'static str {
        match lang {
            Lang::En => self.en(),
            Lang::Ar => self.ar(),
        }
    }

    fn en(self) -> &'static str {
        match self {
            Self::CameraRetrying => "Trying again automatically. ({reason})",
            Self::ResumesIn => "Face sign-in resumes in {time}.",
            Self::Document => "Document {doc}",
            Self::Code => "Code {code}",
            Self::CameraPreview => "Camera preview. {hint}",
            Self::WrongPin => "Wrong PIN. {left} tries left.",
            Self::PinLocked => "Locked. Try again in {secs} s.",
            Self::CouldNotSave => "Could not save: {error}",
            Self::NotConnected => "Not connected: {error}",
            Self::CamerasNotListed => "Cameras could not be listed: {error}",
            Self::ChallengeStep => "Step {n} of {of}",
        }
    }

    fn ar(self) -> &'static str {
        match self {
            Self::CameraRetrying => "جارٍ إعادة المحاولة تلقائيًا: {reason}",
            Self::ResumesIn => "يُستأنف تسجيل الدخول بالوجه بعد {time}.",
            Self::Document => "رقم الوثيقة {doc}",
            Self::Code => "الرمز {code}",
            Self::CameraPreview => "معاينة الكاميرا. {hint}",
            // A count after a colon needs no Arabic plural agreement.
            Self::WrongPin => "رمز خاطئ. المحاولات المتبقية: {left}.",
            Self::PinLocked => "مقفل. حاول مرة أخرى بعد {secs} ث.",
            Self::CouldNotSave => "تعذّر الحفظ: {error}",
            Self::NotConnected => "غير متصل: {error}",
            Self::CamerasNotListed => "تعذّر عرض قائمة الكاميرات: {error}",
            Self::ChallengeStep => "الخطوة {n} من {of}",
        }
    }

    /// The template with each `{name}` replaced by its value.
    pub fn fill(self, lang: Lang, values: &[(&str, &str)]) -> String {
        let mut out = self.template(lang).to_owned();
        for (name, value) in values {
            out = out.replace(&format!("{{{name}}}"), value);
        }
        out
    }
}

/// Left-to-right isolate (LRI … PDI): a number or code stays in its own order inside Arabic.
/// The bidi helper drops the marks before drawing (the fonts have no glyphs for them).
fn ltr(value: &str) -> String {
    format!("\u{2066}{value}\u{2069}")
}

pub fn camera_retrying(lang: Lang, reason: &str) -> String {
    Fmt::CameraRetrying.fill(lang, &[("reason", reason)])
}

pub fn resumes_in(lang: Lang, seconds_left: u64) -> String {
    let time = format!("{}:{:02}", seconds_left / 60, seconds_left % 60);
    Fmt::ResumesIn.fill(lang, &[("time", &time)])
}

/// The masked document number, e.g. `•••••3316`.
pub fn document(lang: Lang, masked: &str) -> String {
    let doc = if lang.is_rtl() {
        ltr(masked)
    } else {
        masked.to_owned()
    };
    Fmt::Document.fill(lang, &[("doc", &doc)])
}

pub fn code(lang: Lang, code: i64) -> String {
    Fmt::Code.fill(lang, &[("code", &code.to_string())])
}

pub fn camera_preview(lang: Lang, hint: &str) -> String {
    Fmt::CameraPreview.fill(lang, &[("hint", hint)])
}

pub fn wrong_pin(lang: Lang, tries_left: u32) -> String {
    Fmt::WrongPin.fill(lang, &[("left", &tries_left.to_string())])
}

pub fn pin_locked(lang: Lang, seconds_left: u64) -> String {
    Fmt::PinLocked.fill(lang, &[("secs", &seconds_left.to_string())])
}

pub fn could_not_save(lang: Lang, error: &str) -> String {
    Fmt::CouldNotSave.fill(lang, &[("error", error)])
}

pub fn not_connected(lang: Lang, error: &str) -> String {
    Fmt::NotConnected.fill(lang, &[("error", error)])
}

pub fn challenge_step(lang: Lang, step: usize, of: usize) -> String {
    let (n, of) = ((step + 1).to_string(), of.to_string());
    Fmt::ChallengeStep.fill(lang, &[("n", &n), ("of", &of)])
}

/// What the challenge asks now.
pub fn challenge_ask(ask: crate::liveness::Ask) -> Msg {
    use crate::liveness::{Ask, Turn};
    match ask {
        Ask::Frontal => Msg::ChallengeLookStraight,
        Ask::Turn(Turn::Left) => Msg::ChallengeTurnLeft,
        Ask::Turn(Turn::Right) => Msg::ChallengeTurnRight,
    }
}

pub fn cameras_not_listed(lang: Lang, error: &str) -> String {
    Fmt::CamerasNotListed.fill(lang, &[("error", error)])
}

/// The gate's hint.
pub fn hint(hint: Hint) -> Msg {
    match hint {
        Hint::HoldStill => Msg::HintHoldStill,
        Hint::LookAtCamera => Msg::HintLookAtCamera,
        Hint::OnePerson => Msg::HintOnePerson,
        Hint::ComeCloser => Msg::HintComeCloser,
        Hint::StepBack => Msg::HintStepBack,
        Hint::IntoOval => Msg::HintIntoOval,
        Hint::MoveLeft => Msg::HintMoveLeft,
        Hint::MoveRight => Msg::HintMoveRight,
        Hint::FaceStraight => Msg::HintFaceStraight,
        Hint::MoreLight => Msg::HintMoreLight,
        Hint::LessLight => Msg::HintLessLight,
    }
}

/// FACEKI's reason to take the selfie again.
pub fn retake(reason: RetakeReason) -> Msg {
    match reason {
        RetakeReason::TryAgain => Msg::RetakeTryAgain,
        RetakeReason::FaceCropped => Msg::RetakeFaceCropped,
        RetakeReason::TooClose => Msg::RetakeTooClose,
        RetakeReason::NoFace => Msg::RetakeNoFace,
        RetakeReason::NearBorder => Msg::RetakeNearBorder,
        RetakeReason::TooSmall => Msg::RetakeTooSmall,
        RetakeReason::PoorLight => Msg::RetakePoorLight,
        RetakeReason::MultipleFaces => Msg::RetakeMultipleFaces,
        RetakeReason::Blurred => Msg::RetakeBlurred,
    }
}

/// Why a check failed, for the customer.
pub fn error_kind(kind: ErrorKind) -> Msg {
    match kind {
        ErrorKind::Timeout => Msg::ErrTimeout,
        ErrorKind::Unreachable | ErrorKind::Transport => Msg::ErrUnreachable,
        ErrorKind::Auth => Msg::ErrAuth,
        ErrorKind::RateLimited => Msg::ErrRateLimited,
        ErrorKind::Quota => Msg::ErrQuota,
        ErrorKind::AccountSetup => Msg::ErrAccountSetup,
        ErrorKind::Service => Msg::ErrService,
        ErrorKind::ClientBug => Msg::ErrClientBug,
        ErrorKind::Malformed | ErrorKind::UnknownCode => Msg::ErrMalformed,
    }
}

/// What to tell the person about an outcome.
pub fn outcome(outcome: &Outcome) -> Msg {
    match outcome {
        Outcome::Pass { .. } => Msg::Verified,
        Outcome::NoMatch { .. } => Msg::NoMatch,
        Outcome::Retake { reason, .. } => retake(*reason),
        Outcome::Denied { .. } => Msg::Denied,
        Outcome::Ambiguous { .. } => Msg::Ambiguous,
        Outcome::Error { kind, .. } => error_kind(*kind),
        Outcome::NotLive { kind, .. } => match kind {
            NotLiveKind::Spoof => Msg::NotLiveSpoof,
            NotLiveKind::NoResponse => Msg::NotLiveNoResponse,
            NotLiveKind::NoFace => Msg::NotLiveNoFace,
        },
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    fn is_arabic_letter(c: char) -> bool {
        matches!(c, '\u{0621}'..='\u{064A}' | '\u{066E}'..='\u{06D3}')
    }

    /// Characters Noto Naskh Arabic has no glyph for: in Arabic text they would come from the
    /// Latin font and break the shaping of their run.
    const NOT_IN_NASKH: &[char] = &['…', '•', '(', ')', '?', ';', '–', '—', '·'];

    fn placeholders(text: &str) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        let mut rest = text;
        while let Some(start) = rest.find('{') {
            let Some(len) = rest[start..].find('}') else {
                break;
            };
            out.insert(rest[start + 1..start + len].to_owned());
            rest = &rest[start + len + 1..];
        }
        out
    }

    fn check_arabic(what: &str, text: &str) {
        assert!(
            text.chars().any(is_arabic_letter),
            "{what}: no Arabic letters in {text:?}"
        );
        for c in NOT_IN_NASKH {
            assert!(!text.contains(*c), "{what}: {c:?} in {text:?}");
        }
    }

    #[test]
    fn every_message_is_translated() {
        assert_eq!(
            Msg::ALL.iter().collect::<BTreeSet<_>>().len(),
            Msg::ALL.len()
        );
        for msg in Msg::ALL {
            for lang in Lang::ALL {
                let text = msg.text(lang);
                assert!(!text.trim().is_empty(), "{msg:?} in {lang:?} is empty");
                assert!(
                    placeholders(text).is_empty(),
                    "{msg:?} has a placeholder: use Fmt"
                );
            }
            check_arabic(&format!("{msg:?}"), msg.text(Lang::Ar));
        }
    }

    #[test]
    fn every_template_is_translated_with_the_same_placeholders() {
        for fmt in Fmt::ALL {
            let en = fmt.template(Lang::En);
            let ar = fmt.template(Lang::Ar);
            assert!(!placeholders(en).is_empty(), "{fmt:?} has no placeholder");
            assert_eq!(placeholders(en), placeholders(ar), "{fmt:?}");
            check_arabic(&format!("{fmt:?}"), ar);
        }
        assert_eq!(wrong_pin(Lang::En, 3), "Wrong PIN. 3 tries left.");
        assert_eq!(wrong_pin(Lang::Ar, 3), "رمز خاطئ. المحاولات المتبقية: 3.");
        assert_eq!(resumes_in(Lang::En, 65), "Face sign-in resumes in 1:05.");
        assert_eq!(code(Lang::Ar, 8006), "الرمز 8006");
        assert_eq!(document(Lang::En, "•••••3316"), "Document •••••3316");
        assert_eq!(
            document(Lang::Ar, "•••••3316"),
            "رقم الوثيقة \u{2066}•••••3316\u{2069}"
        );
    }

    #[test]
    fn languages_parse() {
        assert_eq!(Lang::parse("ar"), Some(Lang::Ar));
        assert_eq!(Lang::parse(" EN "), Some(Lang::En));
        assert_eq!(Lang::parse("fr"), None);
        assert_eq!(Lang::from_setting(""), Lang::En);
        assert!(Lang::Ar.is_rtl() && !Lang::En.is_rtl());
        for lang in Lang::ALL {
            assert_eq!(Lang::parse(lang.code()), Some(lang));
            assert_eq!(lang.other().other(), lang);
        }
    }
}
