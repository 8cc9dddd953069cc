//! Pure event parsing: WebSocket frames and webhook bodies → core
//! [`PbxEvent`](ringbridge_core::pbx::PbxEvent)s. No I/O, so every rule is
//! unit-tested with the vendor's own examples (docs/yeastar-api.md §6).

mod envelope;
mod parse;
#[cfg(test)]
mod tests;

pub use envelope::{EventParseError, WsFrame, classify_ws_frame};
pub use parse::{
    CALL_FAILED, CALL_FORWARDING, CALL_STATE, CALL_TRANSFER, EXTENSION_CALL_STATE, FAILURE_REASONS,
    NEW_CDR, failure_reason, parse_event, pbx_local_time,
};
pub(crate) use parse::{CallInfo, guess_direction, snapshot};
