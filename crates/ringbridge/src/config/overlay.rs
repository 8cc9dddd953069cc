//! The configuration with the admin console's stored choices laid over
//! it: what the console stored wins, the file supplies the rest (and
//! everything the console does not set: timing, listen address, PBX time
//! zone and event transport…).

use ringbridge_core::console::ConsoleConfig;

use super::{Config, EventTransport, PbxConfig, ZohoConfig, default_pbx_id, default_time_zone};

impl Config {
    /// `self` overlaid with `console`. `redirect_uri` is where the console's
    /// Zoho consent came back to (the token is bound to it).
    pub fn with_console(&self, console: &ConsoleConfig, redirect_uri: &str) -> Config {
        let mut out = self.clone();
        let file_pbx = self.pbx.as_ref();
        if let Some(pbx) = &console.pbx {
            out.pbx = Some(PbxConfig {
                id: file_pbx.map_or_else(default_pbx_id, |p| p.id.clone()),
                base_url: pbx.base_url.clone(),
                client_id: pbx.client_id.clone(),
                client_secret: Some(pbx.client_secret.clone()),
                time_zone: file_pbx.map_or_else(default_time_zone, |p| p.time_zone),
                events: file_pbx.map_or(EventTransport::Websocket, |p| p.events),
                stream: file_pbx.map(|p| p.stream.clone()).unwrap_or_default(),
                webhook_secret: file_pbx.and_then(|p| p.webhook_secret.clone()),
                accept_invalid_certs: pbx.accept_invalid_certs,
                default_country: file_pbx.and_then(|p| p.default_country.clone()),
                outside_line_prefixes: file_pbx
                    .map(|p| p.outside_line_prefixes.clone())
                    .unwrap_or_default(),
                dialing: file_pbx.map(|p| p.dialing.clone()).unwrap_or_default(),
                dial_policy: file_pbx.map(|p| p.dial_policy.clone()).unwrap_or_default(),
            });
        }
        let file_zoho = self.zoho.as_ref();
        // A client stored but not consented yet: no CRM until it is (not
        // the file's client with an older token).
        if console.crm.as_ref().is_some_and(|c| c.grant.is_none()) {
            out.zoho = None;
        }
        if let Some((crm, grant)) = console
            .crm
            .as_ref()
            .and_then(|c| c.grant.as_ref().map(|g| (c, g)))
        {
            out.zoho = Some(ZohoConfig {
                client_id: crm.client_id.clone(),
                client_secret: Some(crm.client_secret.clone()),
                refresh_token: Some(grant.refresh_token.clone()),
                accounts_server: grant.accounts_server.clone(),
                api_domain: grant.api_domain.clone(),
                redirect_uri: redirect_uri.to_owned(),
                call_key_field: file_zoho.and_then(|z| z.call_key_field.clone()),
                mode: file_zoho.map_or(ringbridge_core::console::CrmMode::Rest, |z| z.mode),
            });
        }
        if let (Some(mode), Some(zoho)) = (console.mode, out.zoho.as_mut()) {
            zoho.mode = mode;
        }
        if let Some(settings) = &console.settings {
            out.engine = settings.engine.clone();
            out.recording_links = settings.recording;
            out.recording_sign_in = settings.recording_sign_in;
            if let (Some(country), Some(pbx)) = (&settings.default_country, out.pbx.as_mut()) {
                pbx.default_country = Some(country.clone());
            }
        }
        out
    }
}

#[cfg(test)]
#[allow(clippy::result_large_err)] // figment::Jail closures return figment::Error by design
mod tests {
    use std::path::Path;

    use ringbridge_core::console::{
        ConsoleSettings, CrmConnection, CrmGrant, CrmMode, PbxConnection, RecordingLinkPolicy,
    };
    use secrecy::{ExposeSecret, SecretString};

    use super::*;

    fn secret(s: &str) -> SecretString {
        SecretString::from(s.to_owned())
    }

    #[test]
    fn the_console_wins_and_the_file_fills_in() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "rb.toml",
                "[pbx]\nbase_url = \"https://old.test\"\nclient_id = \"old\"\nclient_secret = \"x\"\n\
                 time_zone = \"Europe/Berlin\"\noutside_line_prefixes = [\"9\"]\n\
                 [zoho]\nclient_id = \"file\"\naccounts_server = \"http://127.0.0.1:9\"\n\
                 api_domain = \"http://127.0.0.1:9\"\ncall_key_field = \"RB_Key\"\n",
            )?;
            let file = Config::load(Some(Path::new("rb.toml"))).expect("loads");
            let empty = file.with_console(&ConsoleConfig::default(), "http://rb/cb");
            assert_eq!(empty.pbx.as_ref().unwrap().base_url, "https://old.test");
            assert!(
                empty
                    .zoho
                    .as_ref()
                    .unwrap()
                    .refresh_token()
                    .unwrap()
                    .is_none()
            );

            let console = ConsoleConfig {
                pbx: Some(PbxConnection {
                    base_url: "https://pbx.test".into(),
                    client_id: "new".into(),
                    client_secret: secret("pbx-secret"),
                    accept_invalid_certs: true,
                }),
                crm: Some(CrmConnection {
                    location: "custom".into(),
                    accounts_server: "http://127.0.0.1:9".into(),
                    client_id: "console".into(),
                    client_secret: secret("zoho-secret"),
                    grant: Some(CrmGrant {
                        refresh_token: secret("refresh"),
                        accounts_server: "http://127.0.0.1:9".into(),
                        api_domain: "http://127.0.0.1:10".into(),
                    }),
                }),
                mode: Some(CrmMode::PhoneBridge),
                settings: Some(ConsoleSettings {
                    default_country: Some("DE".into()),
                    recording: RecordingLinkPolicy::Off,
                    recording_sign_in: true,
                    ..ConsoleSettings::default()
                }),
                ..ConsoleConfig::default()
            };
            let out = file.with_console(&console, "http://rb/console/zoho/callback");
            let pbx = out.pbx.as_ref().unwrap();
            assert_eq!(pbx.base_url, "https://pbx.test");
            assert_eq!(pbx.client_secret().unwrap().expose_secret(), "pbx-secret");
            assert_eq!(
                pbx.time_zone,
                chrono_tz::Europe::Berlin,
                "kept from the file"
            );
            assert_eq!(pbx.outside_line_prefixes, ["9"]);
            assert_eq!(pbx.default_country.as_deref(), Some("DE"));
            assert!(pbx.accept_invalid_certs);
            let zoho = out.zoho.as_ref().unwrap();
            assert_eq!(zoho.client_id, "console");
            assert_eq!(
                zoho.refresh_token().unwrap().unwrap().expose_secret(),
                "refresh"
            );
            assert_eq!(zoho.api_domain, "http://127.0.0.1:10");
            assert_eq!(zoho.redirect_uri, "http://rb/console/zoho/callback");
            assert_eq!(zoho.call_key_field.as_deref(), Some("RB_Key"));
            assert_eq!(zoho.mode, CrmMode::PhoneBridge);
            assert_eq!(out.recording_links, RecordingLinkPolicy::Off);
            assert!(out.recording_sign_in);

            let mut pending = console.clone();
            if let Some(crm) = pending.crm.as_mut() {
                crm.grant = None;
            }
            let out = file.with_console(&pending, "http://rb/console/zoho/callback");
            assert!(out.zoho.is_none(), "a new client waits for consent");
            Ok(())
        });
    }
}
