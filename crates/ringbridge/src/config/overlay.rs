//! The configuration with the admin console's stored choices laid over
//! it: what the console stored wins, the file supplies the rest (and
//! everything the console does not set: timing, listen address, PBX time
//! zone and event transport…).

use anyhow::{Context, Result};
use ringbridge_core::console::ConsoleConfig;
use ringbridge_core::phone::NumberPlan;
use url::Url;

use super::pbx::{default_pbx_id, default_time_zone};
use super::{Config, EventTransport, PbxConfig, ZohoConfig};

impl Config {
    /// `self` overlaid with `console`. `redirect_uri` is where the console's
    /// Zoho consent came back to (the token is bound to it). The console
    /// checked what it stored; a stored URL or country that no longer
    /// parses fails here, naming it, like a bad file.
    pub fn with_console(&self, console: &ConsoleConfig, redirect_uri: &Url) -> Result<Config> {
        let mut out = self.clone();
        let file_pbx = self.pbx.as_ref();
        if let Some(pbx) = &console.pbx {
            out.pbx = Some(PbxConfig {
                id: file_pbx.map_or_else(default_pbx_id, |p| p.id.clone()),
                base_url: stored_url(&pbx.base_url, "PBX address")?,
                client_id: pbx.client_id.clone(),
                client_secret: Some(pbx.client_secret.clone()),
                time_zone: file_pbx.map_or_else(default_time_zone, |p| p.time_zone),
                events: file_pbx.map_or(EventTransport::Websocket, |p| p.events),
                stream: file_pbx.map(|p| p.stream.clone()).unwrap_or_default(),
                webhook_secret: file_pbx.and_then(|p| p.webhook_secret.clone()),
                accept_invalid_certs: pbx.accept_invalid_certs,
                number_plan: file_pbx.map(|p| p.number_plan.clone()).unwrap_or_default(),
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
                accounts_server: stored_url(&grant.accounts_server, "Zoho accounts server")?,
                api_domain: stored_url(&grant.api_domain, "Zoho API domain")?,
                redirect_uri: redirect_uri.clone(),
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
                let checked = NumberPlan::new(country).context("the console's number country")?;
                pbx.number_plan.default_country = checked.default_country;
            }
        }
        Ok(out)
    }
}

fn stored_url(text: &str, what: &str) -> Result<Url> {
    Url::parse(text).with_context(|| format!("the console's {what} {text:?}"))
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
            let callback = |path: &str| Url::parse(&format!("http://rb{path}")).unwrap();
            let empty = file
                .with_console(&ConsoleConfig::default(), &callback("/cb"))
                .expect("overlays");
            assert_eq!(
                empty.pbx.as_ref().unwrap().base_url.as_str(),
                "https://old.test/"
            );
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
            let out = file
                .with_console(&console, &callback("/console/zoho/callback"))
                .expect("overlays");
            let pbx = out.pbx.as_ref().unwrap();
            assert_eq!(pbx.base_url.as_str(), "https://pbx.test/");
            assert_eq!(pbx.client_secret().unwrap().expose_secret(), "pbx-secret");
            assert_eq!(
                pbx.time_zone,
                chrono_tz::Europe::Berlin,
                "kept from the file"
            );
            assert_eq!(pbx.number_plan.outside_line_prefixes, ["9"]);
            assert_eq!(pbx.number_plan.default_country.as_deref(), Some("DE"));
            assert!(pbx.accept_invalid_certs);
            let zoho = out.zoho.as_ref().unwrap();
            assert_eq!(zoho.client_id, "console");
            assert_eq!(
                zoho.refresh_token().unwrap().unwrap().expose_secret(),
                "refresh"
            );
            assert_eq!(zoho.api_domain.as_str(), "http://127.0.0.1:10/");
            assert_eq!(
                zoho.redirect_uri.as_str(),
                "http://rb/console/zoho/callback"
            );
            assert_eq!(zoho.call_key_field.as_deref(), Some("RB_Key"));
            assert_eq!(zoho.mode, CrmMode::PhoneBridge);
            assert_eq!(out.recording_links, RecordingLinkPolicy::Off);
            assert!(out.recording_sign_in);

            let mut pending = console.clone();
            if let Some(crm) = pending.crm.as_mut() {
                crm.grant = None;
            }
            let out = file
                .with_console(&pending, &callback("/console/zoho/callback"))
                .expect("overlays");
            assert!(out.zoho.is_none(), "a new client waits for consent");

            let mut broken = console.clone();
            if let Some(pbx) = broken.pbx.as_mut() {
                pbx.base_url = "pbx.test".into();
            }
            let err = file
                .with_console(&broken, &callback("/cb"))
                .expect_err("a relative URL");
            assert!(
                format!("{err:#}").contains("PBX address \"pbx.test\""),
                "{err:#}"
            );
            Ok(())
        });
    }
}
