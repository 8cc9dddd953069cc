//! The agent panel and the browser extension in headless Chromium, against
//! the simulators: each test runs one scenario of `browser/tests/` and
//! checks what the simulated PBX and CRM received. See browser/README.md.

mod chooser;
mod console_accounts;
mod console_settings;
mod console_setup;
mod create_after;
mod create_lead;
mod dial;
mod extension;
mod form_kept;
mod hostile_name;
mod one_tab;
mod phonebridge_panel;
mod pop_settings;
mod popup_blocked;
mod popup_denied;
mod reconnect;
mod recording;
mod recording_sign_in;
mod ring_group;
mod screen_pop;
mod transfer;
mod zoho_sign_in;
// The harness serves every scenario (and the console's); each uses a part.
#[allow(dead_code)]
mod support;
