//! `GET system/information` ("Query PBX Information"): the device's identity.

use serde_json::json;

use super::Ctx;
use crate::codes::{ApiResult, Reply};

/// `Device_Info`, from the settings and the simulated clock.
pub fn information(ctx: &Ctx) -> ApiResult {
    let s = &ctx.shared.settings;
    let now = ctx.shared.clock.now();
    let local = crate::timefmt::display(now, s.zone(), s.display_format);
    Ok(Reply::ok().with(
        "data",
        json!({
            "device_name": "PBX",
            "model_name": s.model_name,
            "sn": s.serial,
            "hardware_version": "V1.00 0000-0000",
            "firmware_version": s.firmware_version,
            "system_time": local,
            "up_time": 3600,
            "system_date_format": "YYYY/MM/DD",
            "system_time_format": "hh:mm:ss",
            "timestamp": now,
        }),
    ))
}
