//! What a P-Series firmware version means for ringbridge: the edition it
//! belongs to, and how it compares with the versions that matter.
//!
//! Two kinds of versions are compared:
//!
//! - **The vendor's own CRM integration** needs 37.4.0.17 (its REST mode) or
//!   37.16.0.70 (its PhoneBridge mode). ringbridge does not use that
//!   integration — only the OpenAPI — so a lower version is a *warning* that
//!   names the version and the mode, never a refusal: no vendor page says the
//!   OpenAPI calls ringbridge makes behave differently below those numbers,
//!   and refusing would block working installations on a number that is
//!   not ours.
//! - **Documented floors of what ringbridge does use**: webhooks (Webhook
//!   Event Push) from x.20.0.21. Below it a PBX cannot push events, so with
//!   `events = "webhook"` that is a failure.
//!
//! The vendor gives the integration's versions in Appliance numbering (37.x).
//! Its other floors are published for all three editions with the same last
//! three parts (webhooks 37.20.0.21 / 83.20.0.21 / 84.20.0.21), so a Software
//! (83.x) or Cloud (84.x) version is compared on those parts too.

use std::cmp::Ordering;
use std::fmt;

use ringbridge_core::console::CrmMode;

/// The P-Series edition, from the first part of the firmware version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PbxEdition {
    /// 37.x (P550, P560, P570; the P520 has no API).
    Appliance,
    /// 83.x
    Software,
    /// 84.x
    Cloud,
    /// A first part the vendor documents no edition for.
    Unknown(u32),
}

impl fmt::Display for PbxEdition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Appliance => f.write_str("Appliance Edition"),
            Self::Software => f.write_str("Software Edition"),
            Self::Cloud => f.write_str("Cloud Edition"),
            Self::Unknown(major) => write!(f, "unknown edition {major}.x"),
        }
    }
}

/// A firmware version such as `37.12.0.20`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Firmware {
    parts: [u32; 4],
}

impl Firmware {
    /// Reads `a.b.c.d` (missing trailing parts count as 0); `None` for
    /// anything else.
    pub fn parse(text: &str) -> Option<Self> {
        let mut parts = [0u32; 4];
        let mut count = 0;
        for (i, piece) in text.trim().split('.').enumerate() {
            if i >= 4 {
                return None;
            }
            parts[i] = piece.parse().ok()?;
            count += 1;
        }
        (count >= 2).then_some(Self { parts })
    }

    pub fn edition(&self) -> PbxEdition {
        match self.parts[0] {
            37 => PbxEdition::Appliance,
            83 => PbxEdition::Software,
            84 => PbxEdition::Cloud,
            other => PbxEdition::Unknown(other),
        }
    }

    /// Compares the parts after the edition (see the module comment).
    fn release_cmp(&self, floor: &Firmware) -> Ordering {
        self.parts[1..].cmp(&floor.parts[1..])
    }

    /// `floor` written in this firmware's edition (37.20.0.21 → 84.20.0.21).
    fn in_my_edition(&self, floor: &Firmware) -> Firmware {
        let mut parts = floor.parts;
        parts[0] = self.parts[0];
        Firmware { parts }
    }
}

impl fmt::Display for Firmware {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [a, b, c, d] = self.parts;
        write!(f, "{a}.{b}.{c}.{d}")
    }
}

/// The vendor's own CRM integration's minimum, per mode (Appliance numbering).
pub fn vendor_integration_floor(mode: CrmMode) -> Firmware {
    match mode {
        CrmMode::Rest => Firmware {
            parts: [37, 4, 0, 17],
        },
        CrmMode::PhoneBridge => Firmware {
            parts: [37, 16, 0, 70],
        },
    }
}

/// Webhook Event Push exists from this version on.
pub const WEBHOOK_FLOOR: Firmware = Firmware {
    parts: [37, 20, 0, 21],
};

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum FirmwareLevel {
    Ok,
    Warn,
    Fail,
}

/// The verdict on one firmware version for one configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FirmwareAssessment {
    pub level: FirmwareLevel,
    /// One sentence (or a few, joined by "; ") an admin can act on.
    pub text: String,
}

/// Judges `version` for a ringbridge running in `mode`, receiving events by
/// webhook when `webhooks` is set.
pub fn assess(version: &str, mode: CrmMode, webhooks: bool) -> FirmwareAssessment {
    let Some(firmware) = Firmware::parse(version) else {
        return FirmwareAssessment {
            level: FirmwareLevel::Warn,
            text: format!(
                "firmware {version:?} is not a version number; cannot compare it with what each mode needs"
            ),
        };
    };
    let edition = firmware.edition();
    let mut level = FirmwareLevel::Ok;
    let mut notes = vec![format!("firmware {firmware} ({edition})")];
    if let PbxEdition::Unknown(_) = edition {
        level = FirmwareLevel::Warn;
        notes.push("P-Series editions are 37.x, 83.x and 84.x".to_owned());
    }
    let floor = firmware.in_my_edition(&vendor_integration_floor(mode));
    let mode_name = match mode {
        CrmMode::Rest => "REST",
        CrmMode::PhoneBridge => "PhoneBridge",
    };
    if firmware.release_cmp(&floor) == Ordering::Less {
        level = level.max(FirmwareLevel::Warn);
        notes.push(format!(
            "below {floor}, which the vendor's own CRM integration needs in {mode_name} mode; ringbridge needs only the OpenAPI, so this is a warning: consider upgrading"
        ));
    } else {
        notes.push(format!(
            "at or above {floor} (the vendor's own CRM integration in {mode_name} mode)"
        ));
    }
    let webhook_floor = firmware.in_my_edition(&WEBHOOK_FLOOR);
    if webhooks && firmware.release_cmp(&webhook_floor) == Ordering::Less {
        level = FirmwareLevel::Fail;
        notes.push(format!(
            "events = \"webhook\" needs Webhook Event Push, which exists from {webhook_floor}: upgrade, or use events = \"websocket\""
        ));
    }
    FirmwareAssessment {
        level,
        text: notes.join("; "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_names_editions() {
        let f = Firmware::parse("37.12.0.20").expect("parses");
        assert_eq!(f.to_string(), "37.12.0.20");
        assert_eq!(f.edition(), PbxEdition::Appliance);
        assert_eq!(
            Firmware::parse("83.9.0.3").map(|f| f.edition()),
            Some(PbxEdition::Software)
        );
        assert_eq!(
            Firmware::parse("84.20.0.21").map(|f| f.edition()),
            Some(PbxEdition::Cloud)
        );
        assert_eq!(
            Firmware::parse("30.1").map(|f| f.edition()),
            Some(PbxEdition::Unknown(30))
        );
        for bad in ["", "37", "37.x.0.1", "1.2.3.4.5", "v37.1.0.1"] {
            assert_eq!(Firmware::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn vendor_floors_warn_per_mode() {
        let ok = assess("37.16.0.70", CrmMode::PhoneBridge, false);
        assert_eq!(ok.level, FirmwareLevel::Ok, "{}", ok.text);
        let pb = assess("37.10.0.5", CrmMode::PhoneBridge, false);
        assert_eq!(pb.level, FirmwareLevel::Warn);
        assert!(pb.text.contains("below 37.16.0.70"), "{}", pb.text);
        assert!(pb.text.contains("PhoneBridge mode"), "{}", pb.text);
        // The same PBX is fine for REST mode.
        assert_eq!(
            assess("37.10.0.5", CrmMode::Rest, false).level,
            FirmwareLevel::Ok
        );
        let rest = assess("37.2.0.10", CrmMode::Rest, false);
        assert_eq!(rest.level, FirmwareLevel::Warn);
        assert!(rest.text.contains("below 37.4.0.17"), "{}", rest.text);
        assert!(rest.text.contains("REST mode"), "{}", rest.text);
    }

    #[test]
    fn other_editions_compare_on_their_release() {
        let cloud = assess("84.12.0.1", CrmMode::PhoneBridge, false);
        assert!(cloud.text.contains("Cloud Edition"), "{}", cloud.text);
        assert!(cloud.text.contains("below 84.16.0.70"), "{}", cloud.text);
        assert_eq!(
            assess("83.16.0.70", CrmMode::PhoneBridge, false).level,
            FirmwareLevel::Ok
        );
        assert_eq!(
            assess("12.1.0.1", CrmMode::Rest, false).level,
            FirmwareLevel::Warn
        );
    }

    #[test]
    fn webhooks_below_their_floor_fail() {
        let old = assess("37.19.0.9", CrmMode::Rest, true);
        assert_eq!(old.level, FirmwareLevel::Fail);
        assert!(old.text.contains("37.20.0.21"), "{}", old.text);
        assert_eq!(
            assess("37.19.0.9", CrmMode::Rest, false).level,
            FirmwareLevel::Ok
        );
        assert_eq!(
            assess("84.20.0.21", CrmMode::Rest, true).level,
            FirmwareLevel::Ok
        );
    }
}
