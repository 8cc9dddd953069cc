//! `GET system/information`: what the PBX is (model, firmware, serial).
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
}

#[derive(Debug, Deserialize)]
struct Answer {
    data: DeviceInfo,
}

impl From<DeviceInfo> for SystemInfo {
    fn from(d: DeviceInfo) -> Self {
        Self {
            model: wire::opt_text(d.model_name).unwrap_or_default(),
            firmware_version: wire::opt_text(d.firmware_version).unwrap_or_default(),
            serial: wire::opt_text(d.sn),
            device_name: wire::opt_text(d.device_name),
        }
    }
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
        let sparse: Answer =
            crate::http::decode_body("system/information", br#"{"errcode":0,"data":{}}"#)
                .expect("decodes");
        assert_eq!(SystemInfo::from(sparse.data).model, "");
    }
}
