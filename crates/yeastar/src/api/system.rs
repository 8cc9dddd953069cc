//! `GET system/information`: what the PBX is (model, firmware, serial),
//! and its clock's offset from UTC (the console's default time zone).
//! Used by the admin console's "test connection".

use serde::Deserialize;

use crate::client::YeastarClient;
use crate::error::Result;
use crate::wire::{self, WireText};

/// The PBX's identity, as `system/information` reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SystemInfo {
    /// e.g. `Yeastar P550`
    pub model: String,
    /// e.g. `37.9.0.16`
    pub firmware_version: String,
    pub serial: Option<String>,
    pub device_name: Option<String>,
    /// The PBX's local time minus UTC, from its `system_time` and epoch
    /// `timestamp` (to the quarter hour); `None` when either is missing.
    pub utc_offset_secs: Option<i32>,
}

/// The `Device_Info` object; every field tolerated absent (firmware and
/// editions differ in what they fill in).
#[derive(Debug, Deserialize)]
struct DeviceInfo {
    #[serde(default)]
    model_name: Option<WireText>,
    #[serde(default)]
    firmware_version: Option<WireText>,
    #[serde(default)]
    sn: Option<WireText>,
    #[serde(default)]
    device_name: Option<WireText>,
    #[serde(default)]
    system_time: Option<WireText>,
    #[serde(default)]
    timestamp: Option<WireText>,
}

#[derive(Debug, Deserialize)]
struct Answer {
    data: DeviceInfo,
}

impl From<DeviceInfo> for SystemInfo {
    fn from(d: DeviceInfo) -> Self {
        let local = wire::opt_text(d.system_time);
        let epoch = wire::opt_text(d.timestamp).and_then(|t| t.parse::<i64>().ok());
        Self {
            model: wire::opt_text(d.model_name).unwrap_or_default(),
            firmware_version: wire::opt_text(d.firmware_version).unwrap_or_default(),
            serial: wire::opt_text(d.sn),
            device_name: wire::opt_text(d.device_name),
            utc_offset_secs: local
                .zip(epoch)
                .and_then(|(local, epoch)| utc_offset(&local, epoch)),
        }
    }
}

/// The offset of `system_time` (in the PBX's display format, whatever the
/// date's order: only its clock is read) from UTC at `epoch`. Offsets run
/// from -12:00 to +14:00, so the time of day alone decides.
fn utc_offset(system_time: &str, epoch: i64) -> Option<i32> {
    let clock = system_time.split_whitespace().find(|t| t.contains(':'))?;
    let mut parts = clock.split(':').map(|p| p.parse::<i32>().ok());
    let (hour, minute) = (parts.next()??, parts.next()??);
    let pm = system_time.to_ascii_uppercase().contains("PM");
    let am = system_time.to_ascii_uppercase().contains("AM");
    let hour = match (am, pm, hour) {
        (true, _, 12) => 0,
        (_, true, h) if h < 12 => h + 12,
        (_, _, h) => h,
    };
    if !(0..24).contains(&hour) || !(0..60).contains(&minute) {
        return None;
    }
    let utc_minutes = i32::try_from(epoch.rem_euclid(86_400) / 60).ok()?;
    let mut diff = hour * 60 + minute - utc_minutes;
    if diff <= -720 {
        diff += 1440;
    } else if diff > 840 {
        diff -= 1440;
    }
    let quarters = (f64::from(diff) / 15.0).round() as i32;
    Some(quarters * 15 * 60)
}

impl YeastarClient {
    /// The PBX's model, firmware and serial number.
    pub async fn system_information(&self) -> Result<SystemInfo> {
        let answer: Answer = self.get("system/information", &[]).await?;
        Ok(answer.data.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doc_example() {
        let answer: Answer = crate::http::decode_body(
            "system/information",
            br#"{"errcode":0,"errmsg":"SUCCESS","data":{"device_name":"PBX",
            "model_name":"Yeastar P550","sn":"3631A2124XXX","hardware_version":"V1.00 0000-0000",
            "firmware_version":"37.7.0.16","system_time":"2025/08/22 16:44:40","up_time":24852,
            "system_date_format":"YYYY/MM/DD","system_time_format":"hh:mm:ss","timestamp":1755852280}}"#,
        )
        .expect("decodes");
        let info = SystemInfo::from(answer.data);
        assert_eq!(info.model, "Yeastar P550");
        assert_eq!(info.firmware_version, "37.7.0.16");
        assert_eq!(info.serial.as_deref(), Some("3631A2124XXX"));
        // 16:44 on the PBX at 08:44 UTC.
        assert_eq!(info.utc_offset_secs, Some(8 * 3600));
        let sparse: Answer =
            crate::http::decode_body("system/information", br#"{"errcode":0,"data":{}}"#)
                .expect("decodes");
        assert_eq!(SystemInfo::from(sparse.data).model, "");
    }

    #[test]
    fn offsets_from_the_clock_alone() {
        // 2025-08-22 08:44:40 UTC.
        let at = 1_755_852_280;
        assert_eq!(utc_offset("08/22/2025 10:44:40", at), Some(2 * 3600));
        assert_eq!(utc_offset("22/08/2025 03:44:40", at), Some(-5 * 3600));
        assert_eq!(
            utc_offset("2025/08/22 02:14:40 PM", at),
            Some(5 * 3600 + 1800)
        );
        assert_eq!(utc_offset("2025/08/21 11:44:40 PM", at), Some(-9 * 3600));
        // Far east: +13 and +14 (Tonga, Kiribati), not -11 and -10.
        assert_eq!(utc_offset("2025/08/22 21:44:40", at), Some(13 * 3600));
        assert_eq!(utc_offset("2025/08/22 22:44:40", at), Some(14 * 3600));
        assert_eq!(utc_offset("no clock here", at), None);
        assert_eq!(utc_offset("2025/08/22 25:61:00", at), None);
    }
}
