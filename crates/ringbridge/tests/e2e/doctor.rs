//! `ringbridge doctor` against both simulators in their switchable modes:
//! each check and probe tells the cases apart (the report's lines are
//! asserted), nothing secret is printed, and the probes that write leave
//! the CRM as they found it.

use std::path::PathBuf;

use ringbridge::config::Config;
use ringbridge::doctor::{Area, DoctorOptions, Report, Status, diagnose};
use ringbridge_sim_yeastar::{Edition as PbxEdition, SimSettings, SimYeastar};
use ringbridge_sim_zoho::{Edition, PhoneBridgeStrictness, PhoneMatchMode, SimConfig, SimZoho};

/// What an admin's consent grants (the world's scopes) plus PhoneBridge.
fn scopes() -> Vec<&'static str> {
    let mut all = ringbridge::world::ZOHO_SCOPES.to_vec();
    all.push("PhoneBridge.call.log");
    all
}

/// The two simulators and a configuration file pointing at them.
pub struct Setup {
    pub pbx: SimYeastar,
    pub zoho: SimZoho,
    pub refresh_token: String,
    pub config_file: PathBuf,
    _dir: tempfile::TempDir,
}

impl Setup {
    pub async fn start(pbx: SimSettings, zoho: SimConfig, mode: &str, scopes: &[&str]) -> Self {
        let pbx = SimYeastar::start(pbx).await.expect("PBX simulator");
        let zoho = SimZoho::start(zoho).await.expect("Zoho simulator");
        let tokens = zoho.issue_tokens(scopes);
        let dir = tempfile::tempdir().expect("tempdir");
        let config_file = dir.path().join("ringbridge.toml");
        let toml = format!(
            r#"data_dir = {data:?}
[pbx]
base_url = {base:?}
client_id = {pbx_id:?}
client_secret = {pbx_secret:?}
[zoho]
mode = {mode:?}
client_id = {zoho_id:?}
client_secret = {zoho_secret:?}
refresh_token = {refresh:?}
accounts_server = {accounts:?}
api_domain = {api:?}
"#,
            data = dir.path().join("data").display().to_string(),
            base = pbx.base_url(),
            pbx_id = pbx.client_id(),
            pbx_secret = pbx.client_secret(),
            zoho_id = zoho.client_id(),
            zoho_secret = zoho.client_secret(),
            refresh = tokens.refresh_token,
            accounts = zoho.accounts_url(),
            api = zoho.api_url(),
        );
        std::fs::write(&config_file, toml).expect("config written");
        Self {
            pbx,
            zoho,
            refresh_token: tokens.refresh_token,
            config_file,
            _dir: dir,
        }
    }

    pub async fn rest(pbx: SimSettings, zoho: SimConfig) -> Self {
        Self::start(pbx, zoho, "rest", &scopes()).await
    }

    pub async fn diagnose(&self, probe_writes: bool) -> Report {
        let config = Config::load(Some(&self.config_file)).expect("config loads");
        let options = DoctorOptions {
            probe_writes,
            ..DoctorOptions::default()
        };
        diagnose(&config, &options).await
    }

    /// Secrets the report must never show.
    pub fn secrets(&self) -> Vec<String> {
        vec![
            self.pbx.client_secret().to_owned(),
            self.zoho.client_secret().to_owned(),
            self.refresh_token.clone(),
        ]
    }
}

fn check<'a>(report: &'a Report, area: Area, name: &str) -> &'a ringbridge::doctor::Check {
    report
        .get(area, name)
        .unwrap_or_else(|| panic!("no {area:?} check {name:?} in\n{}", report.to_text()))
}

fn assert_status(report: &Report, area: Area, name: &str, status: Status) -> String {
    let c = check(report, area, name);
    assert_eq!(c.status, status, "{name}: {}\n{}", c.seen, report.to_text());
    c.seen.clone()
}

#[tokio::test]
async fn a_healthy_setup_reads_ok_and_confirms_the_default_assumptions() {
    let setup = Setup::rest(SimSettings::default(), SimConfig::default()).await;
    // A recorded call, so the recording download can be tried.
    let scenario = ringbridge_sim_yeastar::builtin("inbound_answered").expect("scenario");
    setup.pbx.play(&scenario).await.expect("played");
    let report = setup.diagnose(false).await;
    for name in [
        "reachable",
        "tls",
        "api",
        "token",
        "model",
        "firmware",
        "event stream",
        "call records",
        "phonebooks",
        "recording download",
    ] {
        assert_status(&report, Area::Pbx, name, Status::Ok);
    }
    let extensions = assert_status(&report, Area::Pbx, "extensions", Status::Ok);
    assert!(extensions.contains("with an e-mail"), "{extensions}");
    let firmware = assert_status(&report, Area::Pbx, "firmware", Status::Ok);
    assert!(
        firmware.contains("37.12.0.20 (Appliance Edition)"),
        "{firmware}"
    );
    for name in [
        "data centre",
        "token",
        "scopes",
        "org",
        "edition",
        "time zone",
        "daily credits",
        "calls fields",
        "call results",
        "create Contacts",
        "create Leads",
        "phonebridge",
    ] {
        assert_status(&report, Area::Zoho, name, Status::Ok);
    }
    let seen = assert_status(
        &report,
        Area::Assumption,
        "phone search spellings",
        Status::Confirmed,
    );
    assert!(seen.contains("digits are compared"), "{seen}");
    for name in [
        "search ignores case",
        "empty COQL answers 204",
        "unknown record id",
        "edition name",
    ] {
        assert_status(&report, Area::Assumption, name, Status::Confirmed);
    }
    assert_status(
        &report,
        Area::Assumption,
        "Missed call without duration",
        Status::NotObservable,
    );
    assert_eq!(report.count(Status::Fail), 0, "{}", report.to_text());
    let text = report.to_text();
    let json = report.to_json();
    for secret in setup.secrets() {
        assert!(!text.contains(&secret), "secret in the text report");
        assert!(!json.contains(&secret), "secret in the JSON report");
    }
    assert!(
        text.lines().any(
            |l| l.trim_start().starts_with("confirmed") && l.contains("empty COQL answers 204")
        ),
        "{text}"
    );
}

#[tokio::test]
async fn firmware_is_judged_per_mode_and_edition() {
    let old = SimSettings {
        firmware_version: "37.2.0.10".into(),
        ..SimSettings::default()
    };
    let rest = Setup::rest(old, SimConfig::default()).await;
    let seen = assert_status(
        &rest.diagnose(false).await,
        Area::Pbx,
        "firmware",
        Status::Warn,
    );
    assert!(seen.contains("below 37.4.0.17"), "{seen}");
    assert!(seen.contains("REST mode"), "{seen}");

    // Fine for REST, below what the vendor's PhoneBridge integration needs.
    let middle = || SimSettings {
        firmware_version: "37.10.0.5".into(),
        ..SimSettings::default()
    };
    let rest = Setup::rest(middle(), SimConfig::default()).await;
    assert_status(
        &rest.diagnose(false).await,
        Area::Pbx,
        "firmware",
        Status::Ok,
    );
    let pb = Setup::start(middle(), SimConfig::default(), "phonebridge", &scopes()).await;
    let seen = assert_status(
        &pb.diagnose(false).await,
        Area::Pbx,
        "firmware",
        Status::Warn,
    );
    assert!(seen.contains("below 37.16.0.70"), "{seen}");
    assert!(seen.contains("PhoneBridge mode"), "{seen}");

    let cloud = SimSettings::default().with_edition(PbxEdition::Cloud);
    let cloud = Setup::rest(cloud, SimConfig::default()).await;
    let report = cloud.diagnose(false).await;
    let seen = assert_status(&report, Area::Pbx, "firmware", Status::Ok);
    assert!(seen.contains("84.12.0.20 (Cloud Edition)"), "{seen}");
    let model = assert_status(&report, Area::Pbx, "model", Status::Ok);
    assert!(model.contains("Cloud Edition"), "{model}");
}

#[tokio::test]
async fn phone_search_probe_tells_the_match_rules_apart() {
    for (mode, status, words) in [
        (
            PhoneMatchMode::DigitsEqual,
            Status::Confirmed,
            "digits are compared",
        ),
        (
            PhoneMatchMode::Exact,
            Status::Differs,
            "only the exact text matches",
        ),
        (
            PhoneMatchMode::DigitsSuffix,
            Status::Differs,
            "the last digits alone match",
        ),
    ] {
        let zoho = SimConfig {
            phone_match: mode,
            ..SimConfig::default()
        };
        let setup = Setup::rest(SimSettings::default(), zoho).await;
        let report = setup.diagnose(false).await;
        let seen = assert_status(&report, Area::Assumption, "phone search spellings", status);
        assert!(seen.contains(words), "{mode:?}: {seen}");
    }
}

#[tokio::test]
async fn missed_call_probe_writes_and_cleans_up() {
    for (needs_duration, status) in [(false, Status::Confirmed), (true, Status::Differs)] {
        let zoho = SimConfig {
            missed_call_needs_duration: needs_duration,
            ..SimConfig::default()
        };
        let setup = Setup::rest(SimSettings::default(), zoho).await;
        let before = setup.zoho.calls().len();
        let report = setup.diagnose(true).await;
        let seen = assert_status(
            &report,
            Area::Assumption,
            "Missed call without duration",
            status,
        );
        if needs_duration {
            assert!(seen.contains("MANDATORY_NOT_FOUND"), "{seen}");
        } else {
            assert!(seen.contains("deleted again"), "{seen}");
        }
        assert_eq!(setup.zoho.calls().len(), before, "the test call is gone");
    }
}

#[tokio::test]
async fn phonebridge_checks_edition_integration_and_strictness() {
    for (strictness, status) in [
        (PhoneBridgeStrictness::AsDocumented, Status::Confirmed),
        (PhoneBridgeStrictness::ObservedLive, Status::Differs),
    ] {
        // The demo's org, whose users have the PBX's extensions' e-mails.
        let zoho = SimConfig {
            strictness,
            seed: ringbridge::demo::options(false).zoho.seed,
            ..SimConfig::default()
        };
        let setup = Setup::start(SimSettings::default(), zoho, "phonebridge", &scopes()).await;
        let report = setup.diagnose(true).await;
        // Not integrated yet: serve does that when it starts.
        assert_status(&report, Area::Zoho, "phonebridge", Status::Fail);
        assert_status(
            &report,
            Area::Assumption,
            "PhoneBridge missed state",
            Status::NotObservable,
        );
        integrate(&setup).await;
        let before = setup.zoho.calls().len();
        let report = setup.diagnose(true).await;
        let seen = assert_status(&report, Area::Zoho, "phonebridge", Status::Ok);
        assert!(seen.contains("integrated"), "{seen}");
        // Each extension with an e-mail, and the PhoneBridge user it is.
        let maya = setup.zoho.user_id("maya@corp.test").expect("Maya");
        let users = assert_status(&report, Area::Zoho, "phonebridge users", Status::Ok);
        assert!(users.contains(&format!("1005 → {maya}")), "{users}");
        assert_status(
            &report,
            Area::Assumption,
            "PhoneBridge missed state",
            status,
        );
        assert_eq!(setup.zoho.calls().len(), before, "the probe logged no call");
    }

    let free = SimConfig {
        edition: Edition::Free,
        ..SimConfig::default()
    };
    let setup = Setup::start(
        SimSettings::default(),
        free.clone(),
        "phonebridge",
        &scopes(),
    )
    .await;
    let seen = assert_status(
        &setup.diagnose(false).await,
        Area::Zoho,
        "edition",
        Status::Fail,
    );
    assert!(seen.contains("PhoneBridge needs a paid edition"), "{seen}");
    let setup = Setup::rest(SimSettings::default(), free).await;
    assert_status(
        &setup.diagnose(false).await,
        Area::Zoho,
        "edition",
        Status::Ok,
    );
}

/// What serve does on start in PhoneBridge mode.
async fn integrate(setup: &Setup) {
    let endpoints = ringbridge::serve::crm::ZohoEndpoints {
        client_id: setup.zoho.client_id().to_owned(),
        client_secret: setup.zoho.client_secret().to_owned().into(),
        redirect_uri: url::Url::parse("http://127.0.0.1/cb").expect("url"),
        accounts_server: url::Url::parse(setup.zoho.accounts_url()).expect("url"),
        api_domain: url::Url::parse(setup.zoho.api_url()).expect("url"),
    };
    let conn = ringbridge::serve::crm::zoho_connection(
        endpoints,
        setup.refresh_token.clone().into(),
        ringbridge_zoho::ConnectionOptions::default(),
        None,
    );
    conn.phonebridge().integrate().await.expect("integrated");
    assert!(setup.zoho.phonebridge_integrated());
}

#[tokio::test]
async fn missing_scopes_and_bad_credentials_fail_with_what_to_do() {
    let few = &["ZohoCRM.modules.ALL", "ZohoCRM.org.READ"];
    let setup = Setup::start(SimSettings::default(), SimConfig::default(), "rest", few).await;
    let report = setup.diagnose(false).await;
    let seen = assert_status(&report, Area::Zoho, "scopes", Status::Fail);
    assert!(seen.contains("ZohoCRM.coql.READ"), "{seen}");

    let wrong = SimSettings {
        client_secret: "someOtherSecret0000000000000001".into(),
        ..SimSettings::default()
    };
    // The configuration holds the simulator's default secret; this PBX wants another.
    let setup = Setup::rest(SimSettings::default(), SimConfig::default()).await;
    let text = std::fs::read_to_string(&setup.config_file).expect("config");
    let pbx = SimYeastar::start(wrong).await.expect("PBX");
    std::fs::write(
        &setup.config_file,
        text.replace(&setup.pbx.base_url(), &pbx.base_url()),
    )
    .expect("config");
    let report = setup.diagnose(false).await;
    assert_status(&report, Area::Pbx, "api", Status::Ok);
    let seen = assert_status(&report, Area::Pbx, "token", Status::Fail);
    assert!(seen.contains("pbx.client_id"), "{seen}");
    assert!(report.get(Area::Pbx, "event stream").is_none());
}

#[tokio::test]
async fn a_recorded_call_is_needed_to_try_a_download() {
    let setup = Setup::rest(SimSettings::default(), SimConfig::default()).await;
    let report = setup.diagnose(false).await;
    assert_status(
        &report,
        Area::Pbx,
        "recording download",
        Status::NotObservable,
    );
}

#[tokio::test]
async fn the_binary_prints_the_report_as_json_without_secrets() {
    let setup = Setup::rest(SimSettings::default(), SimConfig::default()).await;
    let config = setup.config_file.clone();
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_ringbridge"))
            .env_clear()
            .args(["doctor", "--json", "--config"])
            .arg(&config)
            .output()
            .expect("runs")
    })
    .await
    .expect("joined");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "no check failed: {stdout}");
    let report: serde_json::Value = serde_json::from_str(stdout.trim()).expect("one JSON object");
    let checks = report["checks"].as_array().expect("checks");
    let firmware = checks
        .iter()
        .find(|c| c["area"] == "pbx" && c["name"] == "firmware")
        .expect("firmware check");
    assert_eq!(firmware["status"], "ok");
    assert!(
        checks
            .iter()
            .any(|c| c["area"] == "assumption" && c["status"] == "confirmed")
    );
    for secret in setup.secrets() {
        assert!(!stdout.contains(&secret), "a secret in the output");
        assert!(!String::from_utf8_lossy(&output.stderr).contains(&secret));
    }
}
