//! Loading the configuration: layers, `_file` secrets, and secrets kept
//! out of `Debug`.
// figment::Jail closures return figment::Error by design.
#![allow(clippy::result_large_err)]

use super::*;

#[test]
fn defaults_load_and_env_overrides_nested_keys() {
    figment::Jail::expect_with(|jail| {
        jail.set_env("RINGBRIDGE_HTTP__LISTEN", "127.0.0.1:9999");
        jail.set_env("RINGBRIDGE_PBX__BASE_URL", "https://pbx.example.test:8088");
        jail.set_env("RINGBRIDGE_PBX__CLIENT_ID", "id");
        jail.create_file("pbx.secret", "s3cret\n")?;
        jail.set_env("RINGBRIDGE_PBX__CLIENT_SECRET_FILE", "pbx.secret");
        let config = Config::load(None).expect("loads");
        assert_eq!(config.http.listen.port(), 9999);
        assert_eq!(config.log.format, LogFormat::Text);
        let pbx = config.pbx.as_ref().expect("pbx section from env");
        assert_eq!(pbx.client_secret().unwrap().expose_secret(), "s3cret");
        assert_eq!(pbx.events, EventTransport::Websocket);
        assert!(config.database_url().starts_with("sqlite://"));
        // Secrets never reach Debug output.
        assert!(!format!("{config:?}").contains("s3cret"));
        Ok(())
    });
}

#[test]
fn file_layer_and_generated_key() {
    figment::Jail::expect_with(|jail| {
        jail.create_file("rb.toml", "data_dir = \"d\"\n[log]\nformat = \"json\"\n")?;
        let config = Config::load(Some(Path::new("rb.toml"))).expect("loads");
        assert_eq!(config.log.format, LogFormat::Json);
        config.secret_key().expect("generated");
        let first = std::fs::read_to_string("d/secret.key").unwrap();
        config.secret_key().expect("reused");
        assert_eq!(
            std::fs::read_to_string("d/secret.key").unwrap(),
            first,
            "the key is made once"
        );
        assert!(Config::load(Some(Path::new("missing.toml"))).is_err());
        Ok(())
    });
}

const PBX_SECRET: &str = "pbx-client-secret-inline-1";
const ZOHO_SECRET: &str = "zoho-client-secret-inline-2";
const ZOHO_REFRESH: &str = "zoho-refresh-token-inline-3";
const WEBHOOK_SECRET: &str = "pbx-webhook-secret-inline-4";
const DB_PASSWORD: &str = "database-password-inline-5";

/// The [pbx] and [zoho] keys that are not secrets.
fn set_sections(jail: &mut figment::Jail) {
    jail.set_env("RINGBRIDGE_PBX__BASE_URL", "https://pbx.example.test:8088");
    jail.set_env("RINGBRIDGE_PBX__CLIENT_ID", "id");
    jail.set_env("RINGBRIDGE_ZOHO__CLIENT_ID", "1000.ABC");
    jail.set_env(
        "RINGBRIDGE_ZOHO__ACCOUNTS_SERVER",
        "https://accounts.zoho.eu",
    );
    jail.set_env("RINGBRIDGE_ZOHO__API_DOMAIN", "https://www.zohoapis.eu");
}

#[test]
fn inline_secrets_never_reach_debug() {
    let key = SecretKey::generate_base64();
    figment::Jail::expect_with(|jail| {
        set_sections(jail);
        jail.set_env("RINGBRIDGE_PBX__CLIENT_SECRET", PBX_SECRET);
        jail.set_env("RINGBRIDGE_PBX__WEBHOOK_SECRET", WEBHOOK_SECRET);
        jail.set_env("RINGBRIDGE_ZOHO__CLIENT_SECRET", ZOHO_SECRET);
        jail.set_env("RINGBRIDGE_ZOHO__REFRESH_TOKEN", ZOHO_REFRESH);
        jail.set_env("RINGBRIDGE_SECRET_KEY", &key);
        jail.set_env(
            "RINGBRIDGE_DATABASE_URL",
            format!("postgres://ringbridge:{DB_PASSWORD}@db.example.test/rb"),
        );
        let config = Config::load(None).expect("loads");
        // Each one is really there...
        let (pbx, zoho) = (config.pbx.as_ref().unwrap(), config.zoho.as_ref().unwrap());
        assert_eq!(pbx.client_secret().unwrap().expose_secret(), PBX_SECRET);
        let webhook = pbx.webhook_secret().unwrap().unwrap();
        assert_eq!(webhook.expose_secret(), WEBHOOK_SECRET);
        assert_eq!(zoho.client_secret().unwrap().expose_secret(), ZOHO_SECRET);
        let refresh = zoho.refresh_token().unwrap().unwrap();
        assert_eq!(refresh.expose_secret(), ZOHO_REFRESH);
        config.secret_key().expect("the inline key");
        assert!(config.database_url().contains(DB_PASSWORD));
        // ...and none of them prints.
        let debug = format!("{config:?}");
        for secret in [
            PBX_SECRET,
            WEBHOOK_SECRET,
            ZOHO_SECRET,
            ZOHO_REFRESH,
            DB_PASSWORD,
            &key,
        ] {
            assert!(!debug.contains(secret), "{secret} in {debug}");
        }
        let logged = config.database_for_log();
        assert!(!logged.contains(DB_PASSWORD), "{logged}");
        assert!(logged.contains("db.example.test"), "{logged}");
        Ok(())
    });
}

#[test]
fn every_secret_can_come_from_a_file() {
    let key = SecretKey::generate_base64();
    figment::Jail::expect_with(|jail| {
        set_sections(jail);
        jail.create_file("pbx.secret", &format!("{PBX_SECRET}\n"))?;
        jail.create_file("webhook.secret", WEBHOOK_SECRET)?;
        jail.create_file("zoho.secret", &format!("  {ZOHO_SECRET}\n"))?;
        jail.create_file("zoho.refresh", ZOHO_REFRESH)?;
        jail.create_file("secret.key.b64", &format!("{key}\n"))?;
        jail.set_env("RINGBRIDGE_PBX__CLIENT_SECRET_FILE", "pbx.secret");
        jail.set_env("RINGBRIDGE_PBX__WEBHOOK_SECRET_FILE", "webhook.secret");
        jail.set_env("RINGBRIDGE_ZOHO__CLIENT_SECRET_FILE", "zoho.secret");
        jail.set_env("RINGBRIDGE_ZOHO__REFRESH_TOKEN_FILE", "zoho.refresh");
        jail.set_env("RINGBRIDGE_SECRET_KEY_FILE", "secret.key.b64");
        let config = Config::load(None).expect("loads");
        let (pbx, zoho) = (config.pbx.as_ref().unwrap(), config.zoho.as_ref().unwrap());
        assert_eq!(pbx.client_secret().unwrap().expose_secret(), PBX_SECRET);
        let webhook = pbx.webhook_secret().unwrap().unwrap();
        assert_eq!(webhook.expose_secret(), WEBHOOK_SECRET);
        assert_eq!(
            zoho.client_secret().unwrap().expose_secret(),
            ZOHO_SECRET,
            "surrounding whitespace trimmed"
        );
        let refresh = zoho.refresh_token().unwrap().unwrap();
        assert_eq!(refresh.expose_secret(), ZOHO_REFRESH);
        // The key from the file is the one used: no key file is generated.
        config.secret_key().expect("the key file");
        assert!(!Path::new("data/secret.key").exists());
        // A file that cannot be read fails the load, naming the setting.
        jail.set_env("RINGBRIDGE_ZOHO__CLIENT_SECRET_FILE", "missing.secret");
        let err = Config::load(None).expect_err("unreadable");
        assert!(
            format!("{err:#}").contains("zoho.client_secret_file"),
            "{err:#}"
        );
        Ok(())
    });
}

#[test]
fn a_secret_in_the_file_is_overridden_by_the_environment() {
    figment::Jail::expect_with(|jail| {
        jail.create_file(
            "rb.toml",
            "[pbx]\nbase_url = \"https://pbx.example.test:8088\"\nclient_id = \"id\"\n\
             client_secret = \"from-the-file\"\nwebhook_secret = \"hook-from-the-file\"\n",
        )?;
        let config = Config::load(Some(Path::new("rb.toml"))).expect("loads");
        let pbx = config.pbx.unwrap();
        assert_eq!(
            pbx.client_secret().unwrap().expose_secret(),
            "from-the-file"
        );
        jail.set_env("RINGBRIDGE_PBX__CLIENT_SECRET", "from-the-env");
        let config = Config::load(Some(Path::new("rb.toml"))).expect("loads");
        let pbx = config.pbx.unwrap();
        assert_eq!(pbx.client_secret().unwrap().expose_secret(), "from-the-env");
        let webhook = pbx.webhook_secret().unwrap().unwrap();
        assert_eq!(
            webhook.expose_secret(),
            "hook-from-the-file",
            "the rest stays"
        );
        Ok(())
    });
}

#[test]
fn the_event_stream_is_tuned_from_the_configuration() {
    figment::Jail::expect_with(|jail| {
        set_sections(jail);
        let config = Config::load(None).expect("loads");
        let stream = config.pbx.unwrap().stream.event_stream().expect("defaults");
        assert_eq!(
            stream.heartbeat_interval,
            std::time::Duration::from_secs(30)
        );
        jail.set_env("RINGBRIDGE_PBX__STREAM__HEARTBEAT_SECS", "20");
        jail.set_env("RINGBRIDGE_PBX__STREAM__RECONNECT_MAX_SECS", "5");
        let config = Config::load(None).expect("loads");
        let stream = config.pbx.unwrap().stream.event_stream().expect("valid");
        assert_eq!(
            stream.heartbeat_interval,
            std::time::Duration::from_secs(20)
        );
        assert_eq!(stream.backoff.max, std::time::Duration::from_secs(5));
        // Past the PBX's 60 s idle limit the socket would be closed.
        jail.set_env("RINGBRIDGE_PBX__STREAM__HEARTBEAT_SECS", "90");
        let config = Config::load(None).expect("loads");
        let err = config
            .pbx
            .unwrap()
            .stream
            .event_stream()
            .expect_err("too long");
        assert!(err.to_string().contains("heartbeat_secs"), "{err}");
        Ok(())
    });
}

#[test]
fn dialing_rules_come_from_the_pbx_section() {
    use ringbridge_core::dialing::DialFormat;
    let load_plan = || {
        let config = Config::load(Some(Path::new("rb.toml"))).expect("loads");
        config.pbx.expect("pbx").number_plan
    };
    figment::Jail::expect_with(|jail| {
        jail.create_file(
            "rb.toml",
            "[pbx]\nbase_url = \"https://pbx.example.test:8088\"\nclient_id = \"id\"\n\
             client_secret = \"x\"\ndefault_country = \"GB\"\n\
             [pbx.dialing]\nformat = \"local\"\noutside_line_prefix = \"9\"\n",
        )?;
        let plan = load_plan();
        assert_eq!(plan.dialing.format, DialFormat::Local);
        assert_eq!(
            plan.dial_string("+44 20 7946 0000").as_deref(),
            Some("902079460000")
        );
        assert_eq!(
            plan.dial_string("+1 415 555 0123").as_deref(),
            Some("90014155550123")
        );
        jail.set_env("RINGBRIDGE_PBX__DIALING__FORMAT", "e164");
        let plan = load_plan();
        assert_eq!(
            plan.dial_string("020 7946 0000").as_deref(),
            Some("9+442079460000")
        );
        Ok(())
    });
}

#[test]
fn the_dial_policy_comes_from_the_pbx_section_and_is_checked() {
    figment::Jail::expect_with(|jail| {
        let pbx = "[pbx]\nbase_url = \"https://pbx.example.test:8088\"\nclient_id = \"id\"\n\
                   client_secret = \"x\"\ndefault_country = \"GB\"\n";
        jail.create_file(
            "rb.toml",
            &format!(
                "{pbx}[pbx.dial_policy]\nallowed_countries = [\"GB\", \"IE\"]\n\
                 blocked_types = [\"premium_rate\"]\ndeny_prefixes = [\"+4470\"]\n"
            ),
        )?;
        let config = Config::load(Some(Path::new("rb.toml"))).expect("loads");
        let plan = config.pbx.expect("pbx").number_plan;
        assert!(plan.check_dial("+353 1 234 5678").is_ok());
        assert!(plan.check_dial("070 1234 5678").is_err());
        assert!(plan.check_dial("0909 879 0000").is_err());

        jail.create_file(
            "rb.toml",
            &format!("{pbx}[pbx.dial_policy]\ndeny_prefixes = [\"4470\"]\n"),
        )?;
        // Checked at load, not when the first call is dialled.
        let err = Config::load(Some(Path::new("rb.toml"))).expect_err("bad prefix");
        let text = format!("{err:#}");
        assert!(
            text.contains("pbx.dial_policy") && text.contains("4470"),
            "{text}"
        );
        Ok(())
    });
}

#[test]
fn http_limits_and_trusted_proxies_come_from_the_http_section() {
    figment::Jail::expect_with(|jail| {
        jail.create_file(
            "rb.toml",
            "[http]\nlisten = \"127.0.0.1:8080\"\nheader_read_timeout_secs = 5\n\
             max_connections = 64\ntrusted_proxies = [\"10.0.0.0/8\", \"127.0.0.1\"]\n",
        )?;
        jail.set_env("RINGBRIDGE_HTTP__SIGN_IN_PER_MINUTE", "0");
        let config = Config::load(Some(Path::new("rb.toml"))).expect("loads");
        assert_eq!(config.http.limits.header_read_timeout_secs, 5);
        assert_eq!(config.http.limits.max_connections, 64);
        assert_eq!(config.http.limits.body_read_timeout_secs, 30, "a default");
        assert_eq!(config.http.guard.trusted_proxies.len(), 2);
        assert_eq!(config.http.guard.sign_in_per_minute, 0);
        jail.create_file(
            "bad.toml",
            "[http]\ntrusted_proxies = [\"proxy.example\"]\n",
        )?;
        assert!(Config::load(Some(Path::new("bad.toml"))).is_err());
        Ok(())
    });
}

#[test]
fn create_defaults_are_read_per_module_from_the_engine_section() {
    figment::Jail::expect_with(|jail| {
        jail.create_file(
            "rb.toml",
            "[engine.create_defaults.Leads]\nCompany = \"Unknown caller\"\nLead_Source = \"Cold Call\"\n",
        )?;
        let config = Config::load(Some(Path::new("rb.toml"))).expect("loads");
        let leads = &config.engine.create_defaults[&ringbridge_core::crm::CrmModule::Leads];
        assert_eq!(leads["Company"], "Unknown caller");
        assert_eq!(leads["Lead_Source"], "Cold Call");
        Ok(())
    });
}

#[test]
fn a_bad_value_for_a_nested_key_fails_the_load_naming_the_key() {
    figment::Jail::expect_with(|jail| {
        set_sections(jail);
        jail.set_env("RINGBRIDGE_PBX__TIME_ZONE", "Mars/Olympus_Mons");
        let err = Config::load(None).expect_err("not an IANA zone");
        // Named as it was given: `PBX.TIME_ZONE` in the environment.
        let text = format!("{err:#}");
        assert!(text.to_lowercase().contains("pbx.time_zone"), "{text}");
        assert!(text.contains("Mars/Olympus_Mons"), "{text}");
        jail.set_env("RINGBRIDGE_PBX__TIME_ZONE", "Europe/Berlin");
        let config = Config::load(None).expect("loads");
        assert_eq!(config.pbx.unwrap().time_zone(), chrono_tz::Europe::Berlin);
        Ok(())
    });
}

#[test]
fn timing_defaults_are_written_once_in_the_default_file() {
    figment::Jail::expect_with(|jail| {
        jail.set_env("RINGBRIDGE_TIMING__POLL_MS", "250");
        let config = Config::load(None).expect("loads");
        let builtin = Timing::default();
        assert_eq!(config.timing.poll_ms, 250, "the environment overrides");
        assert_eq!(builtin.poll_ms, 1000);
        assert_eq!(config.timing.ingest_lease_secs, builtin.ingest_lease_secs);
        // The binary loads the engine's file: the defaults are one set.
        let mut loaded = config.timing.clone();
        loaded.poll_ms = builtin.poll_ms;
        assert_eq!(loaded, builtin);
        // The engine gets every value from the file, none of its own.
        let tuning = builtin.tuning();
        assert_eq!(tuning.batch_max, 100);
        assert_eq!(tuning.max_attempts, 25);
        assert_eq!(
            tuning.terminal_record_wait,
            std::time::Duration::from_secs(60)
        );
        Ok(())
    });
}

/// Loads `text` as the file; the error's whole chain as text.
fn load_error(jail: &mut figment::Jail, text: &str) -> String {
    jail.create_file("bad.toml", text).expect("written");
    let err = Config::load(Some(Path::new("bad.toml"))).expect_err("refused at load");
    format!("{err:#}")
}

#[test]
fn urls_are_parsed_at_load_and_a_bad_one_names_its_key() {
    figment::Jail::expect_with(|jail| {
        let pbx = "[pbx]\nclient_id = \"id\"\nclient_secret = \"x\"\n";
        let text = load_error(jail, &format!("{pbx}base_url = \"pbx.example.test\"\n"));
        assert!(text.to_lowercase().contains("base_url"), "{text}");
        assert!(text.contains("relative URL without a base"), "{text}");

        let zoho = |accounts: &str, api: &str| {
            format!(
                "[zoho]\nclient_id = \"c\"\naccounts_server = \"{accounts}\"\napi_domain = \"{api}\"\n"
            )
        };
        let text = load_error(jail, &zoho("accounts.zoho.eu", "https://www.zohoapis.eu"));
        assert!(
            text.contains("accounts_server") && text.contains("accounts.zoho.eu"),
            "{text}"
        );
        let text = load_error(jail, &zoho("https://accounts.zoho.eu", "https://"));
        assert!(
            text.contains("api_domain") && text.contains("empty host"),
            "{text}"
        );
        let text = load_error(
            jail,
            &format!(
                "{}redirect_uri = \"/oauth/cb\"\n",
                zoho("https://accounts.zoho.eu", "https://www.zohoapis.eu")
            ),
        );
        assert!(text.contains("redirect_uri"), "{text}");
        let text = load_error(
            jail,
            "[http]\nlisten = \"127.0.0.1:8080\"\npublic_url = \"rb.example.test\"\n",
        );
        assert!(text.contains("public_url"), "{text}");

        jail.create_file(
            "good.toml",
            &format!(
                "{pbx}base_url = \"https://pbx.example.test:8088\"\n\
                 [http]\nlisten = \"127.0.0.1:8080\"\npublic_url = \"https://rb.example.test/\"\n{}",
                zoho("https://accounts.zoho.eu", "https://www.zohoapis.eu")
            ),
        )?;
        let config = Config::load(Some(Path::new("good.toml"))).expect("loads");
        assert_eq!(config.pbx.expect("pbx").base_url.port(), Some(8088));
        let zoho = config.zoho.expect("zoho");
        assert_eq!(zoho.accounts_server.host_str(), Some("accounts.zoho.eu"));
        assert_eq!(zoho.api_domain.host_str(), Some("www.zohoapis.eu"));
        // Paths are appended to it: no trailing slash.
        assert_eq!(config.http.public_url(), "https://rb.example.test");
        Ok(())
    });
}

#[test]
fn the_number_plan_is_built_at_load_and_a_bad_country_names_its_key() {
    figment::Jail::expect_with(|jail| {
        let pbx = "[pbx]\nbase_url = \"https://pbx.example.test\"\nclient_id = \"id\"\n\
                   client_secret = \"x\"\noutside_line_prefixes = [\"9\"]\n";
        let text = load_error(jail, &format!("{pbx}default_country = \"XX\"\n"));
        assert!(
            text.contains("pbx.default_country: unknown region"),
            "{text}"
        );
        assert!(text.contains("\"XX\""), "{text}");

        jail.create_file("good.toml", &format!("{pbx}default_country = \"gb\"\n"))?;
        let config = Config::load(Some(Path::new("good.toml"))).expect("loads");
        let plan = config.pbx.expect("pbx").number_plan;
        assert_eq!(plan.default_country.as_deref(), Some("GB"));
        assert_eq!(plan.outside_line_prefixes, ["9"]);
        Ok(())
    });
}
