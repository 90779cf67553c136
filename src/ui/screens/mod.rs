//! One file per screen. Screens draw from state and return what the person asked for; they
//! never do IO.

pub mod admin;
pub mod checkins;
pub mod customer;
pub mod pin;
pub mod result;
pub mod setup;

/// What a screen asks the app to do.
#[derive(Debug, Clone, PartialEq)]
pub enum UiAction {
    CaptureNow,
    Cancel,
    Dismiss,
    /// The "Staff" corner button: ask for the PIN.
    OpenPin,
    ClosePin,
    /// The one-tap language switch: this visitor's language, until the visit ends.
    SwitchLanguage(crate::i18n::Lang),
    /// "OK" on the PIN pad: verify the digits it holds.
    SubmitPin,
    Admin(admin::AdminAction),
    Checkins(checkins::CheckinsAction),
    /// The admin panel's tabs: settings or the check-in log.
    AdminTab(AdminTab),
    Setup {
        settings: Box<crate::config::Settings>,
        pin: String,
    },
}

/// Which part of the admin panel is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AdminTab {
    #[default]
    Settings,
    Checkins,
}
